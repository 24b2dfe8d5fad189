"""Tempo estimated from the audio itself, for providers without a BPM endpoint (sunoapi.org).

An onset-strength envelope (positive spectral flux of short frames) is autocorrelated;
the strongest lag between 60 and 180 BPM is the beat period.  Good enough for a beat
grid and a "≈ 96 BPM (estimated)" label; the result is always marked as an estimate.
"""

from __future__ import annotations

import numpy as np

MIN_BPM, MAX_BPM = 60.0, 180.0


def estimate_bpm(samples: np.ndarray, sample_rate: int) -> float | None:
    """Beats per minute of mono ``samples``, or None when there is no rhythm to find."""
    hop, size = 256, 1024
    if len(samples) < sample_rate * 4:
        return None
    frames = np.lib.stride_tricks.sliding_window_view(samples, size)[::hop] * np.hanning(size)
    spectrum = np.log1p(np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(np.diff(spectrum, axis=0), 0).sum(axis=1)
    flux -= flux.mean()
    if not np.any(flux):
        return None
    corr = np.correlate(flux, flux, mode="full")[len(flux) - 1 :]
    rate = sample_rate / hop  # envelope frames per second
    lags = np.arange(len(corr))
    valid = (lags >= rate * 60 / MAX_BPM) & (lags <= rate * 60 / MIN_BPM)
    if not np.any(valid):
        return None
    # Favour a lag whose double also correlates: the beat, not a half-beat hi-hat.
    score = corr.copy()
    score[valid] += 0.5 * corr[np.minimum(lags[valid] * 2, len(corr) - 1)]
    best = int(lags[valid][np.argmax(score[valid])])
    # Refine between frames with a parabola through the peak.
    if 0 < best < len(corr) - 1:
        a, b, c = corr[best - 1], corr[best], corr[best + 1]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) else 0.0
    else:
        shift = 0.0
    return round(60.0 * rate / (best + shift), 1)


def beat_times(bpm: float, duration: float, first: float = 0.0) -> list[float]:
    """Every beat from ``first`` to ``duration`` at ``bpm`` (the beat grid's lines; with no
    downbeat from the provider, the grid starts at the clip's start)."""
    if bpm <= 0 or duration <= first:
        return []
    period = 60.0 / bpm
    return [first + i * period for i in range(int((duration - first) / period + 1e-9) + 1)]
