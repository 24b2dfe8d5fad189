"""The whole song after an extension, joined here where the provider has no concat.

sunoapi.org has no concat endpoint, and whether its extension holds only the new part or
the longer song is not documented (contract §5.1).  So we look: if the extension's
first ``continue_at`` seconds sound like the parent's, the provider already returned
the whole song and nothing is joined; otherwise the parent up to ``continue_at`` and
the extension are joined with pydub (a 50 ms cross-fade hides the seam).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .edit import _pydub, _write, load_segment
from .pcm import read_mono

_RATE = 8000  # enough to compare two recordings
_CROSSFADE_MS = 50


@dataclass(frozen=True)
class JoinResult:
    joined: bool  # False: the extension already was the whole song (nothing written)
    path: Path | None


def already_whole(parent: str | os.PathLike[str], extension: str | os.PathLike[str], at: float) -> bool:
    """Does the extension start with the parent's first ``at`` seconds?"""
    head = read_mono(parent, _RATE)[: int(at * _RATE)]
    start = read_mono(extension, _RATE)[: len(head)]
    if len(head) < _RATE or len(start) < len(head):
        return False
    # Loudness envelopes (20 ms frames) compared at small offsets: encoder delay shifts a
    # re-encoded copy by tens of ms, which defeats a sample-by-sample comparison.
    a, b = _envelope(head[:-_RATE]), _envelope(start[:-_RATE])  # skip the cross-fade second
    best = max(_similarity(a[lag:], b) if lag >= 0 else _similarity(a, b[-lag:]) for lag in range(-10, 11))
    return best > 0.9


def _envelope(samples: np.ndarray) -> np.ndarray:
    frame = _RATE // 50
    usable = samples[: len(samples) // frame * frame].reshape(-1, frame)
    return np.sqrt(np.mean(usable**2, axis=1))


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    a, b = a[:n] - a[:n].mean(), b[:n] - b[:n].mean()
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b)) / denom if denom else 0.0


def join_extension(parent: str | os.PathLike[str], extension: str | os.PathLike[str], at: float,
                   dest: str | os.PathLike[str]) -> JoinResult:
    """Parent up to ``at`` + extension -> ``dest`` (MP3, written atomically)."""
    if already_whole(parent, extension, at):
        return JoinResult(False, None)
    _pydub()  # points pydub at the bundled ffmpeg
    head = load_segment(parent, 0.0, at)
    tail = load_segment(extension)
    whole = head.append(tail, crossfade=min(_CROSSFADE_MS, len(head), len(tail)))
    dest = Path(dest)
    return JoinResult(True, _write(whole, extension, dest, "mp3", "192k", None))
