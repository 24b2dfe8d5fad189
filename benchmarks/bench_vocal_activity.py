"""Vocal-segment suggestion benchmark: hit rates and speed (issue 18, item 3).

Run it from a checkout with the app installed (``pip install -e .``)::

    python benchmarks/bench_vocal_activity.py              # 50 songs, 20 spoken and 20 sung by espeak-ng
    python benchmarks/bench_vocal_activity.py --songs 100 --speech 40 --voice-gain 0.15

- **emulator songs**: the emulator's synthesised songs know where they sing
  (``synth.sung_sections``); a hit is a suggested window wholly inside one sung section,
  with each provider's rules from the catalog.  Instrumental renders of the same songs
  must get no suggestion.
- **speech over a band** (needs ``espeak-ng`` and ``sox`` on PATH, e.g. ``apt-get install
  espeak-ng sox``): lines of lyrics spoken slowly by espeak-ng in several voices and
  languages, with reverb, mixed over the instrumental render where the song would sing.
  A hit is a window inside the span the speech covers.  Closer to a real recording than
  the synth voice: consonants, noise, speech-like pitch, no vibrato.
- **espeak-ng singing over a band** (same tools): the song's own melody sung by espeak-ng
  with female and male voice variants, one word per note, each word moved to the note's pitch
  (two octaves down, into a singer's range) and stretched to the note's length by sox, with
  a light vibrato and reverb.  The nearest thing to a sung recording that can be made here:
  real consonants and formants, held pitches, but robotic phrasing.
- **speed**: the curve of an 8-minute song from decoded samples, and the whole
  file -> ffmpeg -> curve path.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from sonic_studio.audio import vocal_activity as va
from sonic_studio.core.capabilities import capabilities
from sonic_studio.emulator import synth

PROVIDERS = ("sonic", "sunoapi")
LINES = ["hold me closer now the night is long", "we were running through the silver rain",
         "every light along the river calls your name", "oh oh oh I can hear the morning coming",
         "turn around and sing it one more time", "la la la la the radio is playing",
         "carry me home across the open sea", "and the stars keep falling down on me"]
VOICES = ["en-us", "en", "en-gb-x-rp", "de", "es", "fr", "it", "sv"]
SINGERS = ["en-us+f3", "en+f2", "en-us+m3", "en+f4", "en-gb-x-rp+m1", "en-us+f1"]
WORDS = ["hold", "me", "closer", "now", "the", "night", "is", "long", "we", "were", "running", "through", "silver", "rain", "oh", "la", "love"]


def hit(suggestion: va.Suggestion, spans: list[tuple[float, float]]) -> bool:
    return suggestion.found and any(a <= suggestion.start and suggestion.end <= b for a, b in spans)


def emulator_songs(n: int) -> dict:
    hits = dict.fromkeys(PROVIDERS, 0)
    false_alarms = 0
    for seed in range(n):
        seconds = 60.0 + (seed * 37) % 150
        curve = va.compute_curve(synth.decode(synth.song_mp3(seed, seconds), va.SAMPLE_RATE))
        for p in PROVIDERS:
            hits[p] += hit(va.suggest_window(curve, capabilities(p).persona_window), synth.sung_sections(seed, seconds))
        plain = va.compute_curve(synth.decode(synth.song_mp3(seed, seconds, False), va.SAMPLE_RATE))
        false_alarms += va.suggest_window(plain, capabilities("sonic").persona_window).found
    return {"songs": n, "hits": hits, "instrumental_suggested": false_alarms}


def _speech(text: str, voice: str, pitch: int, speed: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-g", "3", "-w", str(raw),
                        text], check=True, capture_output=True)
        subprocess.run(["sox", str(raw), "-r", str(synth.SR), str(out), "reverb", "30", "treble", "+3"],
                       check=True, capture_output=True)
        return synth.decode(out.read_bytes(), synth.SR)


def speech_song(seed: int, seconds: float, gain: float) -> tuple[np.ndarray, list[tuple[float, float]]]:
    rng = np.random.default_rng(seed)
    band = synth.render(seed, seconds, vocal=False)
    voice, pitch, speed = VOICES[seed % len(VOICES)], int(rng.integers(40, 90)), int(rng.integers(90, 140))
    truth = []
    for start, end in synth.sung_sections(seed, seconds):
        pos, stop, first, last = int(start * synth.SR), int(end * synth.SR), None, None
        while pos < stop - synth.SR:
            line = _speech(LINES[int(rng.integers(0, len(LINES)))], voice, pitch + int(rng.integers(-15, 15)), speed)
            line = line[: stop - pos]
            voiced = np.flatnonzero(np.abs(line) > 0.01)
            if len(voiced):
                first = pos + voiced[0] if first is None else first
                last = pos + voiced[-1]
            band[pos : pos + len(line)] += gain * line
            pos += len(line) + int(rng.uniform(0.1, 0.6) * synth.SR)
        if first is not None:
            truth.append((first / synth.SR, last / synth.SR))
    return band * (0.9 / (float(np.max(np.abs(band))) or 1.0)), truth


def speech_songs(n: int, gain: float) -> dict:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        return {"skipped": "espeak-ng and sox are not installed"}
    hits = dict.fromkeys(PROVIDERS, 0)
    for seed in range(n):
        mix, truth = speech_song(seed, 70.0 + (seed * 29) % 100, gain)
        curve = va.compute_curve(synth.decode(synth.encode_mp3(mix), va.SAMPLE_RATE))
        for p in PROVIDERS:
            hits[p] += hit(va.suggest_window(curve, capabilities(p).persona_window), truth)
    return {"songs": n, "voice_gain": gain, "hits": hits}


def _median_f0(samples: np.ndarray, sr: int) -> float:
    """The word's typical pitch: autocorrelation peak (90-450 Hz, espeak-ng's voices) over its loud 40 ms frames."""
    frame, found = int(0.04 * sr), []
    loud = 0.3 * float(np.max(np.abs(samples)) or 1.0)
    for at in range(0, len(samples) - frame, frame // 2):
        chunk = samples[at : at + frame]
        if np.max(np.abs(chunk)) < loud:
            continue
        chunk = chunk - chunk.mean()
        corr = np.correlate(chunk, chunk, "full")[frame - 1 :]
        lo, hi = sr // 450, sr // 90
        lag = lo + int(np.argmax(corr[lo:hi]))
        if corr[lag] > 0.3 * corr[0]:
            found.append(sr / lag)
    return float(np.median(found)) if found else 150.0


def _sung_word(word: str, voice: str, note: int, seconds: float, cache: dict) -> np.ndarray:
    key = (word, voice, note, round(seconds, 2))
    if key in cache:
        return cache[key]
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "out.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "110", "-w", str(raw), word], check=True, capture_output=True)
        spoken = synth.decode(raw.read_bytes(), synth.SR)
        voiced = np.flatnonzero(np.abs(spoken) > 0.02 * float(np.max(np.abs(spoken)) or 1.0))
        spoken_s = (voiced[-1] - voiced[0]) / synth.SR if len(voiced) > 1 else 0.3
        cents = 1200 * np.log2(440.0 * 2 ** ((note - 69) / 12) / _median_f0(spoken, synth.SR))
        cents = float(np.clip(cents, -1200, 2400))  # a mis-read pitch must not ask sox for the impossible
        stretch = float(np.clip(spoken_s / max(0.1, seconds * 0.9), 0.25, 4.0))
        subprocess.run(["sox", str(raw), "-r", str(synth.SR), str(out), "pitch", f"{cents:.0f}",
                        "tempo", "-s", f"{stretch:.3f}", "reverb", "25"], check=True, capture_output=True)
        sung = synth.decode(out.read_bytes(), synth.SR)[: int(seconds * synth.SR)]
    t = np.arange(len(sung)) / synth.SR
    sung = sung * (1 + 0.15 * np.sin(2 * np.pi * 5.5 * t))  # vibrato felt as a pulse in level
    cache[key] = sung.astype(np.float32)
    return cache[key]


def sung_song(seed: int, seconds: float, gain: float, cache: dict) -> tuple[np.ndarray, list[tuple[float, float]]]:
    rng = np.random.default_rng(seed)
    band = synth.render(seed, seconds, vocal=False)
    melody = synth.song_parts(seed, seconds, True).notes["vocals"]
    voice = SINGERS[seed % len(SINGERS)]
    for note, start, end in melody:
        word = WORDS[int(rng.integers(0, len(WORDS)))]
        line = _sung_word(word, voice, note - 24, end - start, cache)
        at = int(start * synth.SR)
        line = line[: len(band) - at]
        band[at : at + len(line)] += gain * line
    truth = []
    for start, end in synth.sung_sections(seed, seconds):
        inside = [(a, b) for _, a, b in melody if start <= a < end]
        if inside:
            truth.append((inside[0][0], inside[-1][1]))
    return band * (0.9 / (float(np.max(np.abs(band))) or 1.0)), truth


def sung_songs(n: int, gain: float) -> dict:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        return {"skipped": "espeak-ng and sox are not installed"}
    hits, cache = dict.fromkeys(PROVIDERS, 0), {}
    for seed in range(n):
        mix, truth = sung_song(seed, 70.0 + (seed * 29) % 100, gain, cache)
        curve = va.compute_curve(synth.decode(synth.encode_mp3(mix), va.SAMPLE_RATE))
        for p in PROVIDERS:
            hits[p] += hit(va.suggest_window(curve, capabilities(p).persona_window), truth)
    return {"songs": n, "voice_gain": gain, "hits": hits}


def speed(runs: int) -> dict:
    data = synth.song_mp3(7, 480.0)
    samples = synth.decode(data, va.SAMPLE_RATE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "eight-minutes.mp3"
        path.write_bytes(data)
        curve, whole = [], []
        for _ in range(runs):
            start = time.perf_counter()
            va.compute_curve(samples)
            curve.append(time.perf_counter() - start)
            start = time.perf_counter()
            va.analyse_file(path)
            whole.append(time.perf_counter() - start)
    return {"curve_s": statistics.median(curve), "file_to_curve_s": statistics.median(whole)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=50)
    parser.add_argument("--speech", type=int, default=20)
    parser.add_argument("--sung", type=int, default=20)
    parser.add_argument("--voice-gain", type=float, default=0.35, help="speech/singing level against the band")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = {"emulator": emulator_songs(args.songs), "speech": speech_songs(args.speech, args.voice_gain),
              "sung": sung_songs(args.sung, args.voice_gain), "speed": speed(args.runs)}
    emu = result["emulator"]
    for p in PROVIDERS:
        rate = emu["hits"][p] / emu["songs"]
        print(f"emulator songs, {p:<8} {emu['hits'][p]}/{emu['songs']} inside a sung section  "
              f"{'PASS' if rate >= 0.9 else 'FAIL'} (target >= 90 %)")
    print(f"instrumentals given a window: {emu['instrumental_suggested']}/{emu['songs']}")
    if "hits" in result["speech"]:
        for p in PROVIDERS:
            print(f"espeak-ng over a band, {p:<8} {result['speech']['hits'][p]}/{result['speech']['songs']}")
    else:
        print(f"espeak-ng over a band: skipped ({result['speech']['skipped']})")
    if "hits" in result["sung"]:
        for p in PROVIDERS:
            print(f"espeak-ng singing over a band, {p:<8} {result['sung']['hits'][p]}/{result['sung']['songs']}")
    print(f"8-min song: curve {result['speed']['curve_s']:.2f} s, file -> curve {result['speed']['file_to_curve_s']:.2f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
