"""A/B auditioning: which clips to compare, their loudness, and the gains that make them fair.

A take that is 2 LU louder sounds "better" whatever its merits, so comparing takes is
only fair at equal loudness.  Each clip's integrated loudness (EBU R128) is measured
once by :mod:`sonic_studio.audio.loudness` and cached per file version; the gains here
turn every clip of a comparison *down* to the quietest one (a boost could clip, and
turning down is always safe), so switching changes the take, not the level.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..audio.loudness import Loudness, LoudnessCache, LoudnessError, match_gain_db
from ..core.errors import ValidationError
from ..store.records import ClipRow
from .context import ServiceContext


@dataclass(frozen=True)
class Matched:
    """One clip of a comparison: its measured loudness and the gain that matches it."""

    clip: int
    loudness: Loudness
    gain_db: float


class AuditionService:
    def __init__(self, ctx: ServiceContext, cache: LoudnessCache | None = None) -> None:
        self._ctx = ctx
        self._cache = cache or LoudnessCache()

    def candidates(self, clip: int, selected: Sequence[int] = ()) -> list[ClipRow]:
        """What A/B switches between when ``clip`` plays: the two selected clips when
        exactly two are selected (``clip`` among them or not), else the takes of its task."""
        store = self._ctx.store
        if len(selected) == 2 and selected[0] != selected[1]:
            return [store.clips.row(c) for c in selected]
        row = store.clips.row(clip)
        if row.task is None or not row.take:
            return [row]
        full = bool(row.full_song_of)
        return [c for c in store.clips.takes(row.task) if bool(c.full_song_of) == full]

    def loudness(self, clip: int) -> Loudness:
        """The clip's integrated loudness, measured on first use (blocking: seconds per song)."""
        row = self._ctx.store.clips.row(clip)
        if not row.audio_path or not Path(row.audio_path).is_file():
            raise ValidationError(f"“{row.title or row.clip_id}” is not downloaded yet, so its loudness "
                                  "cannot be measured.", field="clip")
        try:
            return self._cache.loudness(row.audio_path)
        except LoudnessError as exc:
            raise ValidationError(str(exc), field="clip") from None

    async def match(self, clips: Sequence[int]) -> list[Matched]:
        """Measure (or recall) each clip's loudness off the event loop and turn every clip
        down to the quietest; a silent clip keeps 0 dB and does not set the level."""
        loop = asyncio.get_running_loop()
        measured = [await loop.run_in_executor(None, self.loudness, c) for c in clips]
        audible = [m for m in measured if m.lufs is not None]
        if not audible:
            return [Matched(c, m, 0.0) for c, m in zip(clips, measured)]
        quietest = min(audible, key=lambda m: m.lufs)
        return [Matched(c, m, min(0.0, match_gain_db(quietest, m))) for c, m in zip(clips, measured)]
