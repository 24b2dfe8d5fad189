"""A whole file as mono float32 samples, for the analyses and mixes that need all of it.

Tempo estimates, stem mixes and the whole-song join check work on complete signals;
they go through the same streaming ffmpeg decoder as the waveform (``decode.PcmStream``)
and just keep every chunk.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from .decode import PcmStream


def read_mono(path: str | os.PathLike[str], sample_rate: int = 22050, seconds: float | None = None) -> np.ndarray:
    """The file's first audio stream, mono, at ``sample_rate`` (only the first ``seconds``
    if given: ffmpeg is stopped as soon as they have arrived); raises ``DecodeError``."""
    wanted = None if seconds is None else int(seconds * sample_rate)
    chunks, have = [], 0
    stream = iter(PcmStream(path, sample_rate))
    with contextlib.closing(stream):  # closing early kills and reaps ffmpeg
        for chunk in stream:
            chunks.append(chunk)
            have += len(chunk)
            if wanted is not None and have >= wanted:
                break
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    samples = np.concatenate(chunks)[:wanted]
    return samples.astype(np.float32) / 32768.0
