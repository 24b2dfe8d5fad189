"""Render a mix of stems: per-stem gain, mute and solo, as the stems view plays it.

Solo wins over mute (any soloed stem silences the others, as on a mixing desk); the
sum is only scaled down when it would clip, so one soloed stem comes out unchanged.
Works on already-decoded float32 arrays (``pcm.read_mono``) so a preview can re-mix
instantly when a button changes.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .pcm import read_mono


def render_mix(
    stems: dict[str, np.ndarray],
    *,
    gains: dict[str, float] | None = None,
    muted: set[str] | frozenset[str] = frozenset(),
    soloed: set[str] | frozenset[str] = frozenset(),
) -> np.ndarray:
    """The mix of ``stems`` (all the same rate; shorter ones are padded with silence)."""
    if not stems:
        return np.zeros(0, dtype=np.float32)
    length = max(len(s) for s in stems.values())
    out = np.zeros(length, dtype=np.float32)
    for name, samples in stems.items():
        audible = name in soloed if soloed else name not in muted
        if audible:
            out[: len(samples)] += samples * np.float32((gains or {}).get(name, 1.0))
    peak = float(np.max(np.abs(out))) if length else 0.0
    return out / np.float32(peak) if peak > 1.0 else out


def load_stems(paths: dict[str, str | os.PathLike[str]], sample_rate: int = 22050,
               seconds: float | None = None) -> dict[str, np.ndarray]:
    """Decode stems side by side (one ffmpeg each, one per core: more only queue up;
    ``seconds``: only the start, for a quick first preview).  Blocking: call from a worker thread."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(paths), os.cpu_count() or 2))) as pool:
        futures = {name: pool.submit(read_mono, path, sample_rate, seconds) for name, path in paths.items()}
        return {name: future.result() for name, future in futures.items()}
