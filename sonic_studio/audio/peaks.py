"""Min/max peak pyramids: what a waveform is drawn from.

A song is decoded once to mono 16-bit PCM at a modest rate (8 kHz is plenty to show
the shape of a waveform); every ``bucket`` samples become one (min, max) pair in the
*base level*, and each coarser level halves the previous one by pairwise reduction
(min of mins, max of maxes) - the Audacity / BBC audiowaveform approach.  Drawing asks
:meth:`PeakPyramid.column_range` for exactly one (min, max) per pixel column; it
picks the coarsest level whose buckets are still no wider than a column, so the cost
of a repaint depends on the widget width, not on the song length.

:class:`PeakBuilder` grows the base level chunk by chunk while ffmpeg decodes, and
hands out immutable :class:`PeakPyramid` snapshots that a UI thread can draw from while
the decoder keeps writing (it only ever writes *past* the end of a snapshot).  Partial
snapshots hold only complete base buckets; the unfinished tail bucket joins at
:meth:`PeakBuilder.finish`.

Values stay int16 to keep an 8-minute song at ~240 KB; ``column_range`` returns
float32 in [-1, 1) with NaN for columns that have no data (yet).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_SAMPLE_RATE = 8000
DEFAULT_BUCKET = 64  # samples per base bucket: 8 ms at 8 kHz, finer than any sane zoom
_FULL_SCALE = 32768.0


def _cascade(mins: np.ndarray, maxs: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The levels above a base level: each halves the one below (an odd tail bucket
    is carried up on its own, so every level covers the same samples)."""
    levels = [(mins, maxs)]
    while len(mins) > 1:
        pairs = len(mins) // 2
        new_mins = mins[: 2 * pairs].reshape(pairs, 2).min(axis=1)
        new_maxs = maxs[: 2 * pairs].reshape(pairs, 2).max(axis=1)
        if len(mins) % 2:
            new_mins = np.append(new_mins, mins[-1])
            new_maxs = np.append(new_maxs, maxs[-1])
        mins, maxs = new_mins, new_maxs
        levels.append((mins, maxs))
    return tuple(levels)


@dataclass(frozen=True, eq=False)
class PeakPyramid:
    """Immutable min/max levels of one clip (or of the part decoded so far).

    ``levels[k]`` is ``(mins, maxs)`` with one int16 pair per ``bucket * 2**k``
    samples.  ``n_samples`` is how many samples the levels cover; ``complete`` says
    whether that is the whole clip.  ``duration_hint`` is the container's duration
    (known before decoding ends), used to lay out a partial waveform.
    """

    sample_rate: int
    bucket: int
    levels: tuple[tuple[np.ndarray, np.ndarray], ...]
    n_samples: int
    complete: bool
    duration_hint: float | None = None

    @classmethod
    def from_base(
        cls,
        mins: np.ndarray,
        maxs: np.ndarray,
        *,
        sample_rate: int,
        bucket: int,
        n_samples: int,
        complete: bool,
        duration_hint: float | None = None,
    ) -> PeakPyramid:
        return cls(sample_rate, bucket, _cascade(mins, maxs), n_samples, complete, duration_hint)

    @property
    def decoded_seconds(self) -> float:
        return self.n_samples / self.sample_rate

    @property
    def duration(self) -> float:
        """The clip length: exact once complete, else the container's estimate."""
        if self.complete or not self.duration_hint:
            return self.decoded_seconds
        return max(self.duration_hint, self.decoded_seconds)

    @property
    def base(self) -> tuple[np.ndarray, np.ndarray]:
        return self.levels[0]

    def level_for(self, samples_per_column: float) -> int:
        """The coarsest level whose bucket is no wider than one column."""
        if samples_per_column < self.bucket:
            return 0
        k = int(np.floor(np.log2(samples_per_column / self.bucket)))
        # log2 of a float can land a hair below an exact power of two; fix it up.
        while self.bucket << (k + 1) <= samples_per_column:
            k += 1
        while k > 0 and self.bucket << k > samples_per_column:
            k -= 1
        return min(k, len(self.levels) - 1)

    def column_range(self, start_s: float, end_s: float, n_columns: int) -> tuple[np.ndarray, np.ndarray]:
        """One (min, max) per column for the time span [start_s, end_s).

        Column ``j`` starts at sample ``a_j = floor((start_s + j * w) * sample_rate)``
        with ``w = (end_s - start_s) / n_columns``; on the chosen level (bucket size
        ``b``) it reduces buckets ``a_j // b`` up to ``a_{j+1} // b``.  When zoomed in
        past the base level a column shows the base bucket it starts in.  Columns
        starting before 0 or past the decoded samples are NaN.
        """
        n_columns = int(n_columns)
        out_min = np.full(n_columns, np.nan, dtype=np.float32)
        out_max = np.full(n_columns, np.nan, dtype=np.float32)
        if n_columns <= 0 or end_s <= start_s or not self.levels or not len(self.levels[0][0]):
            return out_min, out_max
        spc = (end_s - start_s) * self.sample_rate / n_columns
        k = self.level_for(spc)
        mins, maxs = self.levels[k]
        size = self.bucket << k
        edges = np.floor(start_s * self.sample_rate + np.arange(n_columns + 1) * spc).astype(np.int64)
        idx = edges // size
        n = len(mins)
        valid = (edges[:-1] >= 0) & (edges[:-1] < self.n_samples) & (idx[:-1] < n)
        if not valid.any():
            return out_min, out_max
        if spc < self.bucket:
            take = idx[:-1][valid]
            out_min[valid] = mins[take]
            out_max[valid] = maxs[take]
        else:
            starts = idx[:-1][valid]  # strictly increasing: each column spans >= 1 bucket
            stop = int(min(idx[1:][valid][-1], n))
            out_min[valid] = np.minimum.reduceat(mins[:stop], starts)
            out_max[valid] = np.maximum.reduceat(maxs[:stop], starts)
        out_min[valid] /= _FULL_SCALE
        out_max[valid] /= _FULL_SCALE
        return out_min, out_max


class PeakBuilder:
    """Grows a pyramid's base level from int16 chunks of any size.

    Not thread-safe by itself: one thread feeds, and any thread may draw from the
    snapshots it hands out.
    """

    def __init__(
        self,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        bucket: int = DEFAULT_BUCKET,
        expected_samples: int | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.bucket = bucket
        self.duration_hint: float | None = None
        capacity = max(1024, (expected_samples or 0) // bucket + 2)
        self._mins = np.empty(capacity, dtype=np.int16)
        self._maxs = np.empty(capacity, dtype=np.int16)
        self._count = 0
        self._pending = np.empty(0, dtype=np.int16)
        self._n_samples = 0
        self._finished: PeakPyramid | None = None

    @property
    def n_samples(self) -> int:
        return self._n_samples

    def feed(self, samples: np.ndarray) -> None:
        if self._finished is not None:
            raise RuntimeError("feed() after finish()")
        samples = np.asarray(samples, dtype=np.int16)
        self._n_samples += len(samples)
        if len(self._pending):
            samples = np.concatenate([self._pending, samples])
        full = len(samples) // self.bucket
        if full:
            block = samples[: full * self.bucket].reshape(full, self.bucket)
            self._append(block.min(axis=1), block.max(axis=1))
        # Copy: the tail must not pin the caller's (possibly large) chunk buffer.
        self._pending = samples[full * self.bucket :].copy()

    def _append(self, mins: np.ndarray, maxs: np.ndarray) -> None:
        need = self._count + len(mins)
        if need > len(self._mins):
            # Grow into *new* arrays: snapshots keep views of the old ones, which
            # nobody writes to any more, so readers on other threads stay safe.
            capacity = max(need, 2 * len(self._mins))
            grown_min = np.empty(capacity, dtype=np.int16)
            grown_max = np.empty(capacity, dtype=np.int16)
            grown_min[: self._count] = self._mins[: self._count]
            grown_max[: self._count] = self._maxs[: self._count]
            self._mins, self._maxs = grown_min, grown_max
        self._mins[self._count : need] = mins
        self._maxs[self._count : need] = maxs
        self._count = need

    def snapshot(self) -> PeakPyramid:
        """The complete buckets so far (or the final pyramid once finished)."""
        if self._finished is not None:
            return self._finished
        return PeakPyramid.from_base(
            self._mins[: self._count],
            self._maxs[: self._count],
            sample_rate=self.sample_rate,
            bucket=self.bucket,
            n_samples=self._count * self.bucket,
            complete=False,
            duration_hint=self.duration_hint,
        )

    def finish(self) -> PeakPyramid:
        """Close the tail bucket and return the complete pyramid."""
        if self._finished is None:
            if len(self._pending):
                self._append(self._pending.min(keepdims=True), self._pending.max(keepdims=True))
                self._pending = np.empty(0, dtype=np.int16)
            self._finished = PeakPyramid.from_base(
                self._mins[: self._count].copy(),
                self._maxs[: self._count].copy(),
                sample_rate=self.sample_rate,
                bucket=self.bucket,
                n_samples=self._n_samples,
                complete=True,
                duration_hint=self.duration_hint,
            )
        return self._finished


def build_pyramid(
    samples: np.ndarray, sample_rate: int = DEFAULT_SAMPLE_RATE, bucket: int = DEFAULT_BUCKET
) -> PeakPyramid:
    """A complete pyramid from samples already in memory (int16)."""
    builder = PeakBuilder(sample_rate, bucket, expected_samples=len(samples))
    builder.feed(samples)
    return builder.finish()
