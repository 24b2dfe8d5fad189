"""Vocal-segment suggestion benchmark: hit rates and speed (issue 18, item 3).

Run it from a checkout with the app installed (``pip install -e .``)::

    python benchmarks/bench_vocal_activity.py              # 50 songs, 20 with espeak-ng
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
    parser.add_argument("--voice-gain", type=float, default=0.35, help="speech level against the band")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = {"emulator": emulator_songs(args.songs), "speech": speech_songs(args.speech, args.voice_gain),
              "speed": speed(args.runs)}
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
    print(f"8-min song: curve {result['speed']['curve_s']:.2f} s, file -> curve {result['speed']['file_to_curve_s']:.2f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
