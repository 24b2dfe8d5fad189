"""Where a clip sings: a local vocal-activity curve and the persona window it suggests.

A persona is made from a window of the source clip (10–30 s on sunoapi.org, up to 30 s
on sonic), and the default 0:00–0:30 is usually the intro.  This module finds the
singing without a network call, a model download or a credit, with NumPy only:

1. ffmpeg decodes the clip to mono 16 kHz (:class:`~sonic_studio.audio.decode.PcmStream`).
2. A magnitude STFT (64 ms frames, 32 ms hop) restricted to the vocal band 250–4000 Hz.
3. Percussion is removed by median-filtering harmonic/percussive separation (HPSS,
   5 frames in time against 5 bins in frequency, as a soft mask): hats and snares
   last one or two frames and spread across frequency, a sung harmonic does neither.
4. The score is the *harmonic flux*: how much of the harmonic spectrum changes from
   one frame to the next, relative to its size.  Pads, organs and held chords are
   harmonic but stationary (flux ≈ 0.02); a voice never is - vibrato, glides, changing
   vowels and syllables move its harmonics and formants every few frames (flux ≈ 0.1).
   Frames far below the clip's loud level are gated out so a fade-out's noise floor
   does not count.  Being a ratio, the score does not depend on the clip's level.

The limits are those of any heuristic: an expressive lead instrument (a bending
guitar, a theremin) scores like a voice.  Timed lyrics or a vocal stem, when a clip
has them, refine the curve (:func:`refine`).  An 8-minute song takes well under a
second after decoding; callers run it off the UI thread.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.capabilities import PersonaWindow
from ..core.validation import fmt_time
from .decode import PcmStream

SAMPLE_RATE = 16000
_NFFT, _HOP = 1024, 512
_BAND = (250.0, 4000.0)
_BLOCK = 4096  # frames per STFT block: bounds memory (~16 MB) on long songs
FRAME_SECONDS = _HOP / SAMPLE_RATE

# Harmonic flux of a stationary accompaniment sits near 0.02-0.03 and of singing near
# 0.1 (measured on the emulator's songs and on espeak-ng over a band); the score maps
# that range to 0..1 and "singing" is a score over one half.
_FLUX_FLOOR, _FLUX_FULL = 0.04, 0.09
SINGING = 0.5
_GATE_DB = -30.0  # frames this far under the clip's loud level are silence
_SMOOTH_SECONDS = 0.5
_GAP_SECONDS = 1.0  # rests between phrases shorter than this are still "singing"
MIN_SINGING_SECONDS = 8.0  # less sustained singing than this is "no clear singing"
_EDGE_SECONDS = 1.5  # keep a suggested window this far inside a run when there is room


@dataclass(frozen=True)
class VocalCurve:
    """Vocal activity in 0..1, one value per ``step`` seconds from 0:00."""

    score: np.ndarray
    step: float
    duration: float

    def times(self) -> np.ndarray:
        return np.arange(len(self.score)) * self.step

    def singing(self) -> np.ndarray:
        """Per point: is this singing (short rests between phrases bridged)?"""
        return _bridge(self.score >= SINGING, round(_GAP_SECONDS / self.step))


@dataclass(frozen=True)
class Suggestion:
    """A suggested persona window, or ``start``/``end`` None with the reason why not."""

    start: float | None
    end: float | None
    explanation: str

    @property
    def found(self) -> bool:
        return self.start is not None


# ---------------------------------------------------------------------------- the curve
def analyse_file(path: str | os.PathLike[str]) -> VocalCurve:
    """Decode ``path`` with ffmpeg and compute its curve (raises DecodeError)."""
    chunks = list(PcmStream(path, SAMPLE_RATE))
    samples = np.concatenate(chunks).astype(np.float32) / 32768.0 if chunks else np.zeros(0, np.float32)
    return compute_curve(samples, SAMPLE_RATE)


def compute_curve(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> VocalCurve:
    """The vocal-activity curve of mono ``samples`` (resampled by the caller to ``SAMPLE_RATE``)."""
    if sample_rate != SAMPLE_RATE:
        raise ValueError(f"compute_curve needs {SAMPLE_RATE} Hz mono; decode with analyse_file")
    duration = len(samples) / sample_rate
    if len(samples) < _NFFT + 4 * _HOP:
        return VocalCurve(np.zeros(0, np.float32), FRAME_SECONDS, duration)
    band = _band_spectrogram(np.asarray(samples, dtype=np.float32))
    across_time, across_freq = _median5(band), _median5(band.T).T
    # Soft HPSS mask: keep what is steadier in time than across frequency, at full
    # resolution (the median itself would smear away the vibrato we look for).
    harmonic = band * (across_time**2 / (across_time**2 + across_freq**2 + 1e-12))
    energy = (harmonic**2).sum(axis=1)
    compressed = np.log1p(100.0 * harmonic)
    rise = np.maximum(np.diff(compressed, axis=0, prepend=compressed[:1]), 0.0).sum(axis=1)
    flux = rise / (compressed.sum(axis=1) + 1e-6)
    score = np.clip((flux - _FLUX_FLOOR) / (_FLUX_FULL - _FLUX_FLOOR), 0.0, 1.0)
    loud = np.percentile(energy, 95) if energy.size else 0.0
    score[energy < loud * 10 ** (_GATE_DB / 10)] = 0.0
    return VocalCurve(_smooth(score, round(_SMOOTH_SECONDS / FRAME_SECONDS)).astype(np.float32),
                      FRAME_SECONDS, duration)


def _band_spectrogram(x: np.ndarray) -> np.ndarray:
    hz = np.fft.rfftfreq(_NFFT, 1 / SAMPLE_RATE)
    lo, hi = np.searchsorted(hz, _BAND[0]), np.searchsorted(hz, _BAND[1], side="right")
    frames = np.lib.stride_tricks.sliding_window_view(x, _NFFT)[::_HOP]
    window = np.hanning(_NFFT).astype(np.float32)
    blocks = [np.abs(np.fft.rfft(frames[i : i + _BLOCK] * window, axis=1)[:, lo:hi]).astype(np.float32)
              for i in range(0, len(frames), _BLOCK)]
    return np.concatenate(blocks)


def _median5(s: np.ndarray) -> np.ndarray:
    """Median over 5 rows (axis 0), as a min/max network: 10x faster than np.median."""
    p = np.pad(s, ((2, 2), (0, 0)), mode="edge")
    a, b, c, d, e = (p[i : i + len(s)] for i in range(5))
    f = np.maximum(np.minimum(a, b), np.minimum(c, d))
    g = np.minimum(np.maximum(a, b), np.maximum(c, d))
    return np.maximum(np.minimum(e, f), np.minimum(np.maximum(e, f), g))


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or len(x) == 0:
        return x
    kernel = np.ones(width, dtype=np.float64) / width
    return np.convolve(x, kernel, mode="same")


def _bridge(mask: np.ndarray, gap: int) -> np.ndarray:
    """``mask`` with False runs shorter than ``gap`` between two True runs set True."""
    out = mask.copy()
    for start, end in _runs(~mask):
        if start > 0 and end < len(mask) and end - start < gap:
            out[start:end] = True
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where ``mask`` is True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


# ---------------------------------------------------------------------------- refinement
def refine(
    curve: VocalCurve,
    *,
    lyric_spans: Sequence[tuple[float, float]] | None = None,
    vocal_stem: np.ndarray | None = None,
) -> VocalCurve:
    """Sharpen ``curve`` with what a clip may also have (the deliverables issue adds both).

    ``vocal_stem`` (mono, ``SAMPLE_RATE``) is the singing alone, so its loudness *is*
    the activity: it replaces the estimate.  ``lyric_spans`` (seconds, from timed
    lyrics) are where words are sung: points outside every span are halved, so the
    suggestion prefers windows the lyrics confirm without ignoring the audio.
    """
    score = curve.score.astype(np.float32).copy()
    if vocal_stem is not None and len(vocal_stem) >= _HOP:
        n = len(vocal_stem) // _HOP
        rms = np.sqrt((np.asarray(vocal_stem[: n * _HOP], np.float32).reshape(n, _HOP) ** 2).mean(axis=1))
        level_db = 20 * np.log10(rms / (np.percentile(rms, 95) + 1e-9) + 1e-9)
        stem = np.clip((level_db - _GATE_DB) / -_GATE_DB * 2.0, 0.0, 1.0)
        score = np.zeros(len(score), np.float32)
        score[: min(len(score), n)] = _smooth(stem, round(_SMOOTH_SECONDS / curve.step))[: len(score)]
    if lyric_spans:
        inside = np.zeros(len(score), dtype=bool)
        t = curve.times()
        for start, end in lyric_spans:
            inside |= (t >= start) & (t < end)
        score[~inside] *= 0.5
    return VocalCurve(score, curve.step, curve.duration)


# ---------------------------------------------------------------------------- suggestion
def suggest_window(curve: VocalCurve, rules: PersonaWindow) -> Suggestion:
    """The best persona window under the provider's ``rules``, preferring sustained, clean singing.

    Candidates are the runs of singing (rests under a second bridged) at least
    ``max(rules.min_len, MIN_SINGING_SECONDS)`` long.  The window is as long as the run
    allows up to ``rules.max_len``, kept a second inside the run's edges when there is
    room (detection is fuzzy at phrase boundaries), and placed where the score is
    highest.  Runs are ranked by sung seconds in the window times its mean score.
    """
    if not rules.supported:
        return Suggestion(None, None, "This provider does not take a vocal range.")
    singing = curve.singing()
    need = max(rules.min_len, MIN_SINGING_SECONDS)
    best: tuple[float, float, float] | None = None  # (rank, start, end)
    for first, stop in _runs(singing):
        run_start, run_end = first * curve.step, min(curve.duration, stop * curve.step)
        length = run_end - run_start
        if length < need:
            continue
        room = length - rules.min_len
        edge = min(_EDGE_SECONDS, max(0.0, room / 2))
        inner_start, inner_end = run_start + edge, run_end - edge
        window = min(rules.max_len, inner_end - inner_start)
        start = _best_offset(curve, inner_start, inner_end, window)
        rank = window * _mean(curve, start, start + window)
        if best is None or rank > best[0]:
            best = (rank, start, start + window)
    if best is None:
        return Suggestion(None, None, "No clear singing found; choose the range by ear.")
    _, start, end = best
    start, end = round(start, 2), round(end, 2)
    return Suggestion(start, end, f"most sustained singing: {_clock(start)}–{_clock(end)}")


def _best_offset(curve: VocalCurve, lo: float, hi: float, window: float) -> float:
    """Start in ``[lo, hi - window]`` whose window scores highest, nearest the middle on near-ties.

    Within one run of singing the totals differ by little; taking the plain maximum
    would push the window against an edge of the run, where detection is least sure.
    """
    first, last = int(np.ceil(lo / curve.step)), int((hi - window) / curve.step)
    width = max(1, round(window / curve.step))
    if last <= first:
        return lo
    totals = np.convolve(curve.score[first : last + width], np.ones(width), mode="valid")
    good = np.flatnonzero(totals >= 0.97 * totals.max())
    middle = (len(totals) - 1) / 2
    pick = int(good[np.argmin(np.abs(good - middle))])
    return min(hi - window, max(lo, (first + pick) * curve.step))


def _mean(curve: VocalCurve, start: float, end: float) -> float:
    part = curve.score[int(start / curve.step) : int(np.ceil(end / curve.step))]
    return float(part.mean()) if len(part) else 0.0


def _clock(seconds: float) -> str:
    """1:02 for a sentence; tenths only when the window does not start on a whole second."""
    rounded = round(seconds, 1)
    text = fmt_time(rounded)
    return text if rounded % 1 == 0 else text[:-1]  # "1:02.50" -> "1:02.5"
