"""A whole file as mono float32 samples, for the analyses and mixes that need all of it.

Tempo estimates, stem mixes and the whole-song join check work on complete signals;
they go through the same streaming ffmpeg decoder as the waveform (``decode.PcmStream``)
and just keep every chunk.
"""

from __future__ import annotations

import os

import numpy as np

from .decode import PcmStream


def read_mono(path: str | os.PathLike[str], sample_rate: int = 22050) -> np.ndarray:
    """The file's first audio stream, mono, at ``sample_rate``; raises ``DecodeError``."""
    chunks = list(PcmStream(path, sample_rate))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32) / 32768.0
