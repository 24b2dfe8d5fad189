"""Real audio for the emulator: small songs with a sung, vowel-like voice.

Waveforms, the persona range picker and the player all need something that looks and
sounds like music, with vocal passages you can see (verses and choruses) between
instrumental bars.  Everything is synthesised with NumPy (a bass line, pad chords,
drums and an additive "voice" shaped by vowel formants) and encoded to MP3 with the
bundled ffmpeg.  Renders are deterministic per seed and cached on disk, so a test run
synthesises each song once.
"""

from __future__ import annotations

import os
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..audio.ffmpeg import ffmpeg_exe

SR = 22050
_VOWELS = {  # F1, F2, F3 in Hz
    "a": (730, 1090, 2440),
    "e": (530, 1840, 2480),
    "i": (300, 2200, 2900),
    "o": (570, 840, 2410),
    "u": (320, 870, 2240),
}
_MAJOR = [0, 2, 4, 5, 7, 9, 11]
_PROGRESSIONS = [[0, 4, 5, 3], [5, 3, 0, 4], [0, 5, 3, 4], [0, 3, 4, 4]]  # scale degrees


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _chord(root_midi: int, degree: int) -> list[int]:
    return [root_midi + _MAJOR[(degree + step) % 7] + 12 * ((degree + step) // 7) for step in (0, 2, 4)]


def _env(n: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n, dtype=np.float32)
    a = min(n, max(1, int(attack * SR)))
    r = min(n - a, max(1, int(release * SR)))
    env[:a] = np.linspace(0, 1, a, dtype=np.float32)
    if r > 0:
        env[n - r :] = np.linspace(1, 0, r, dtype=np.float32)
    return env


def _voice_note(hz: float, n: int, vowel: str, rng: np.random.Generator) -> np.ndarray:
    """One sung syllable: harmonics of a vibrato-ed pitch weighted by vowel formants."""
    t = np.arange(n, dtype=np.float32) / SR
    depth = np.clip(t / 0.35, 0, 1) * 0.35  # vibrato grows into the note (semitones)
    f0 = hz * 2 ** (depth * np.sin(2 * np.pi * 5.6 * t + rng.uniform(0, 6)) / 12)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    formants = _VOWELS[vowel]
    out = np.zeros(n, dtype=np.float32)
    k = 1
    while k * hz < 4200:
        f = k * hz
        amp = sum(g * np.exp(-(((f - fc) / bw) ** 2)) for fc, bw, g in zip(formants, (110, 150, 200), (1.0, 0.6, 0.3)))
        amp = amp + 0.04 / k
        out += np.float32(amp) * np.sin(k * phase, dtype=np.float32)
        k += 1
    out *= _env(n, 0.04, 0.08)
    breath = rng.standard_normal(n).astype(np.float32) * 0.01 * _env(n, 0.01, 0.2)
    return out + breath


@dataclass
class Parts:
    """A song as its separate layers, with what a transcription would find in it.

    ``stems`` sum to exactly ``render()``'s output.  ``notes`` maps an instrument to
    (midi pitch, start s, end s) tuples; ``syllables`` are the sung (start, end) times.
    """

    stems: dict[str, np.ndarray]
    notes: dict[str, list[tuple[int, float, float]]]
    syllables: list[tuple[float, float]]
    bpm: float

    @property
    def mix(self) -> np.ndarray:
        return sum(self.stems.values())


def _tempo(rng: np.random.Generator) -> tuple[float, int]:
    """Seconds per beat and samples per bar: the first draw of a song's generator."""
    beat = 60.0 / float(rng.integers(84, 124))
    return beat, round(4 * beat * SR)


def _form(n_bars: int) -> list[str]:
    """Song form in bars: intro, verse, chorus, break, verse, chorus... vocals in verse/chorus."""
    form: list[str] = ["intro"] * 4
    while len(form) < n_bars:
        form += ["verse"] * 8 + ["chorus"] * 8 + ["break"] * 4
    return form


def sung_sections(seed: int, seconds: float) -> list[tuple[float, float]]:
    """Where ``render(seed, seconds)`` sings, in seconds: the ground truth for vocal detection."""
    _, bar_n = _tempo(np.random.default_rng(seed))
    total = int(seconds * SR)
    form = _form(total // bar_n + 1)
    spans: list[tuple[float, float]] = []
    for i, section in enumerate(form[: total // bar_n + 1]):
        if section not in ("verse", "chorus"):
            continue
        start, end = i * bar_n / SR, min(total, (i + 1) * bar_n) / SR
        if spans and abs(spans[-1][1] - start) < 1e-9:
            spans[-1] = (spans[-1][0], end)
        elif start < end:
            spans.append((start, end))
    return spans


def render(seed: int, seconds: float, vocal: bool = True) -> np.ndarray:
    """Mono float32 samples at ``SR`` Hz, peak about 0.9."""
    return song_parts(seed, seconds, vocal).mix.astype(np.float32)


@lru_cache(maxsize=8)
def song_parts(seed: int, seconds: float, vocal: bool = True) -> Parts:
    """The layers of ``render(seed, seconds, vocal)``: vocals, drums, bass and keys."""
    rng = np.random.default_rng(seed)
    beat, bar_n = _tempo(rng)
    total = int(seconds * SR)
    root = int(rng.integers(45, 52))  # bass register
    progression = _PROGRESSIONS[seed % len(_PROGRESSIONS)]
    layers = {name: np.zeros(total + bar_n, dtype=np.float32) for name in ("vocals", "drums", "bass", "keyboard")}
    notes: dict[str, list[tuple[int, float, float]]] = {"vocals": [], "bass": []}
    syllables: list[tuple[float, float]] = []
    n_bars = total // bar_n + 1
    beat_n = bar_n // 4
    t_bar = np.arange(bar_n, dtype=np.float32) / SR

    # Drums: one bar pattern, tiled.
    kick_n = int(0.18 * SR)
    tk = np.arange(kick_n, dtype=np.float32) / SR
    kick = np.sin(2 * np.pi * (50 * tk + 60 * (1 - np.exp(-tk * 30)) / 30)) * np.exp(-tk * 18)
    hat_n = int(0.05 * SR)
    hat = np.diff(rng.standard_normal(hat_n + 1)).astype(np.float32) * np.exp(-np.arange(hat_n) / (0.012 * SR))
    drums = np.zeros(bar_n, dtype=np.float32)
    for b in (0, 2):
        drums[b * beat_n : b * beat_n + kick_n] += 0.55 * kick[: bar_n - b * beat_n]
    for b in range(4):
        pos = b * beat_n + beat_n // 2
        drums[pos : pos + hat_n] += 0.12 * hat[: bar_n - pos]

    form = _form(n_bars)
    vowels = list(_VOWELS)
    for i in range(n_bars):
        section = form[i]
        degree = progression[i % 4]
        chord = _chord(root + 12, degree)
        start = i * bar_n
        bass_note = root + _MAJOR[degree % 7]
        bass = np.sin(2 * np.pi * _midi_hz(bass_note) * t_bar) * np.exp(-(t_bar % beat) * 3.0)
        pad = sum(np.sin(2 * np.pi * _midi_hz(n + 12) * t_bar) for n in chord) / 3
        pad_amp = 0.10 if section in ("intro", "break") else 0.07
        # Instrumental bars are sparse (bass and pad, light drums in breaks) so the sung
        # sections stand out on a waveform - which is what a persona picker needs to show.
        bass_amp = 0.30 if section in ("verse", "chorus") else 0.16
        layers["bass"][start : start + bar_n] += bass_amp * bass.astype(np.float32)
        layers["keyboard"][start : start + bar_n] += pad_amp * pad.astype(np.float32)
        if start < total:
            notes["bass"].append((bass_note, start / SR, min(start + bar_n, total) / SR))
        if section in ("verse", "chorus"):
            layers["drums"][start : start + bar_n] += drums
        elif section == "break":
            layers["drums"][start : start + bar_n] += 0.35 * drums
        if vocal and section in ("verse", "chorus"):
            # 8 half-beat syllables per bar in the chorus, 4 longer ones in the verse.
            count = 8 if section == "chorus" else 4
            step = bar_n // count
            octave = 24 if section == "chorus" else 19
            for s in range(count):
                if rng.random() < 0.15:  # a rest now and then
                    continue
                note = chord[int(rng.integers(0, 3))] + octave
                n = int(step * 0.95)
                syl = _voice_note(_midi_hz(note), n, vowels[int(rng.integers(0, len(vowels)))], rng)
                at = start + s * step
                layers["vocals"][at : at + n] += 0.40 * syl
                if at + n <= total:
                    notes["vocals"].append((note, at / SR, (at + n) / SR))
                    syllables.append((round(at / SR, 3), round((at + n) / SR, 3)))
    fade = min(total, int(1.5 * SR))
    ramp = np.linspace(1, 0, fade, dtype=np.float32)
    for name in layers:
        layers[name] = layers[name][:total]
        layers[name][total - fade :] *= ramp
    peak = float(np.max(np.abs(sum(layers.values())))) or 1.0
    stems = {name: (layer * (0.9 / peak)).astype(np.float32) for name, layer in layers.items()}
    if not vocal:
        del stems["vocals"]
        notes.pop("vocals")
    return Parts(stems, notes, syllables, round(60.0 / beat, 6))


def encode_mp3(samples: np.ndarray, bitrate: str = "96k", sr: int = SR) -> bytes:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "s16le", "-ar", str(sr), "-ac", "1", "-i", "-",
         "-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3", "-"],
        input=pcm, capture_output=True, check=True,
    )
    return proc.stdout


def decode(data: bytes, sr: int = SR) -> np.ndarray:
    """Decode any audio bytes to mono float32; an empty array when ffmpeg cannot."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", "-", "-ac", "1", "-ar", str(sr), "-f", "s16le", "-"],
        input=data, capture_output=True,
    )
    if proc.returncode != 0:
        return np.zeros(0, dtype=np.float32)
    return np.frombuffer(proc.stdout, dtype="<i2").astype(np.float32) / 32768.0


def _cache_dir() -> Path:
    base = os.environ.get("SONIC_STUDIO_EMULATOR_CACHE")
    if base:
        return Path(base)
    import platformdirs

    return Path(platformdirs.user_cache_dir("sonic-studio")) / "emulator-audio"


@lru_cache(maxsize=32)
def song_mp3(seed: int, seconds: float, vocal: bool = True) -> bytes:
    """A rendered, encoded song; cached in memory and on disk (atomic write)."""
    seconds = round(float(seconds), 2)
    path = _cache_dir() / f"song-v2-{seed}-{seconds:.2f}-{int(vocal)}.mp3"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = encode_mp3(render(seed, seconds, vocal))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
    return data


def mix_mp3(base: np.ndarray, fresh: np.ndarray, weight: float) -> bytes:
    """A cover: the source at ``weight`` blended with new material (audio_weight made audible)."""
    n = len(fresh)
    src = np.resize(base, n) if len(base) else np.zeros(n, dtype=np.float32)
    mixed = weight * src + (1 - weight) * fresh
    peak = float(np.max(np.abs(mixed))) or 1.0
    return encode_mp3(mixed * (0.9 / peak))


def concat_mp3(head: np.ndarray, tail: np.ndarray, at_seconds: float) -> bytes:
    """The full song after an extension: the source up to ``at_seconds``, then the new part."""
    cut = head[: int(at_seconds * SR)]
    fade = min(len(cut), len(tail), int(0.05 * SR))
    if fade:
        ramp = np.linspace(0, 1, fade, dtype=np.float32)
        joint = cut[len(cut) - fade :] * (1 - ramp) + tail[:fade] * ramp
        full = np.concatenate([cut[: len(cut) - fade], joint, tail[fade:]])
    else:
        full = np.concatenate([cut, tail])
    return encode_mp3(full)


@lru_cache(maxsize=64)
def cover_png(seed: int, size: int = 256) -> bytes:
    """Cover art: a two-colour gradient with soft rings, written as a PNG without PIL."""
    rng = np.random.default_rng(seed + 1000)
    c1, c2 = rng.integers(30, 230, 3), rng.integers(30, 230, 3)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    t = np.clip(0.6 * x + 0.4 * y, 0, 1)[..., None]
    img = (1 - t) * c1 + t * c2
    cx, cy = rng.uniform(0.3, 0.7, 2)
    r = np.hypot(x - cx, y - cy)
    rings = (0.5 + 0.5 * np.cos(r * rng.uniform(25, 45)))[..., None] * np.exp(-r * 3)[..., None]
    img = np.clip(img + 70 * rings, 0, 255).astype(np.uint8)
    raw = b"".join(b"\x00" + img[row].tobytes() for row in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
