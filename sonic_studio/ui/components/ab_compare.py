"""A/B between takes in the player: same position, same loudness, optionally blind.

The player bar owns one :class:`ABCompare`.  It follows the clip the bar plays and works
out what A/B switches between (the takes of its task, or the two clips selected in the
library - ``AuditionService.candidates``), measures their loudness once (off the UI
thread, cached per file) and sets the player's gain so each plays at the level of the
quietest.  ``switch()`` continues the next clip from the position the current one was
at, playing or paused as it was.

Blind mode names the clips "A" and "B" in a random order, hides their take, star and
loudness, and switches or not at random (you know which one you selected); marking a
keeper while blind is the pick, and it reveals which take it was.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ...audio.player import PLAYING
from ...services.audition import Matched
from ...store.records import ClipRow
from ..format import clip_label, clip_name
from ..tasks_runner import TaskRunner

log = logging.getLogger(__name__)

BLIND_NAMES = "ABCDEFGH"


class ABCompare(QObject):
    """Public: ``follow(clip)``, ``switch()``, ``set_blind(on)``, ``toggle_keeper()``,
    ``clips``, ``current``, ``matched``, ``blind``, ``label(row)``, ``level_text()``."""

    changed = Signal()  # candidates, loudness, blind mode or the current clip changed
    switched = Signal(int)  # the clip now playing (local id)

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.clips: list[ClipRow] = []  # what A/B switches between, in take order
        self.current: int | None = None  # the clip the player has
        self.matched: dict[int, Matched] = {}
        self.blind = False
        self._names: dict[int, str] = {}  # blind names, shuffled per blind round
        self._selection: list[int] = []  # two clips selected in the library, if so
        ctx.bridge.comparePairChanged.connect(self._on_pair)
        ctx.bridge.clipUpdated.connect(self._on_clip_updated)

    # ------------------------------------------------------------------ following
    def follow(self, clip: int | None) -> None:
        """The player bar loaded ``clip`` (None: nothing): find its comparison and level it."""
        self.current = clip
        if clip is None:
            self.clips = []
        else:
            try:
                self.clips = self.ctx.studio.audition.candidates(clip, self._pair_for(clip))
            except KeyError:  # removed meanwhile
                self.clips = []
        ids = [c.id for c in self.clips]
        if set(ids) != set(self._names):
            self._shuffle()
        self._apply_gain()
        self.changed.emit()
        measurable = [c.id for c in self.clips if c.audio_path and Path(c.audio_path).is_file()]
        if len(measurable) > 1 and any(i not in self.matched for i in measurable):
            self.runner.run("loudness", self._measure(measurable), what="Measuring the loudness")
        elif len(measurable) == 1 and clip is not None:
            self.runner.cancel("loudness")

    def _pair_for(self, clip: int) -> list[int]:
        # Two selected clips are compared while one of them plays.
        return self._selection if clip in self._selection else []

    def _on_pair(self, ids: list) -> None:
        self._selection = [int(i) for i in ids]
        if self.current is not None:
            self.follow(self.current)

    def _on_clip_updated(self, clip: ClipRow) -> None:
        if any(c.id == clip.id for c in self.clips):
            self.clips = [clip if c.id == clip.id else c for c in self.clips]
            self.changed.emit()

    async def _measure(self, ids: list[int]) -> None:
        for match in await self.ctx.studio.audition.match(ids):
            self.matched[match.clip] = match
        self._apply_gain()
        self.changed.emit()

    def _apply_gain(self) -> None:
        player = self.ctx.player
        if player is None:
            return
        match = self.matched.get(self.current) if self.comparing else None
        player.set_gain_db(match.gain_db if match else 0.0)

    # ------------------------------------------------------------------ reading
    @property
    def comparing(self) -> bool:
        """True when there is something to switch to."""
        return len(self.playable()) > 1 and self.current in {c.id for c in self.clips}

    def playable(self) -> list[ClipRow]:
        return [c for c in self.clips if c.audio_path and Path(c.audio_path).is_file()]

    def next_clip(self) -> ClipRow | None:
        clips = self.playable()
        ids = [c.id for c in clips]
        if len(clips) < 2 or self.current not in ids:
            return clips[0] if len(clips) > 1 else None
        return clips[(ids.index(self.current) + 1) % len(clips)]

    def label(self, row: ClipRow) -> str:
        """The clip's name in the player: its take, or "A"/"B" while blind."""
        if self.blind and row.id in self._names and self.comparing:
            return f"{clip_name(row)} · {self._names[row.id]}"
        return clip_label(row)

    def short_name(self, row: ClipRow) -> str:
        if self.blind and row.id in self._names:
            return self._names[row.id]
        return row.take or clip_name(row)

    def level_text(self) -> str:
        """ "−14.2 LUFS · −1.3 dB" (loudness, applied gain) for the clip playing; blind: only
        that levels match."""
        if not self.comparing:
            return ""
        match = self.matched.get(self.current)
        if match is None:
            return "Measuring loudness…"
        if self.blind:
            return "Level matched"
        return f"{match.loudness.label()} · {match.gain_db:+.1f} dB".replace("-", "−")

    # ------------------------------------------------------------------ acting
    def switch(self) -> ClipRow | None:
        """Play the next clip of the comparison from the current position (A)."""
        target = self.next_clip()
        player = self.ctx.player
        if target is None or player is None or not player.available:
            return None
        position = player.position()
        playing = player.intended_state() == PLAYING
        match = self.matched.get(target.id)
        player.set_gain_db(match.gain_db if match else 0.0)
        player.load(target.audio_path, start=position, play=playing)
        self.current = target.id
        self.switched.emit(target.id)
        self.changed.emit()
        return target

    def set_blind(self, on: bool) -> None:
        """Hide which clip is which: a fresh random order each time it is turned on, and a
        coin decides whether to switch, since you know which take you selected."""
        starting = on and not self.blind
        if starting:
            self._shuffle()
        self.blind = on
        if starting and self.comparing and random.random() < 0.5:
            self.switch()
        self.changed.emit()

    def toggle_keeper(self) -> str | None:
        """Mark the playing clip as the keeper (K), or unmark it; while blind this is the
        pick, which ends blind mode and says which take it was.  Returns the notice."""
        row = next((c for c in self.clips if c.id == self.current), None)
        if row is None and self.current is not None:
            row = self.ctx.studio.library.get_or_none(self.current)
        if row is None:
            return None
        if self.blind and self.comparing:
            name = self._names.get(row.id, "?")
            self.ctx.studio.library.set_keeper(row.id, True)
            self.set_blind(False)
            return f"You picked {name}: it is {row.take or clip_name(row)} ★ (marked as the keeper)."
        updated = self.ctx.studio.library.set_keeper(row.id, not row.keeper)
        return (f"Marked {clip_label(updated).removeprefix('★ ')} as the keeper ★." if updated.keeper
                else f"{clip_label(updated)} is no longer marked as a keeper.")

    def _shuffle(self) -> None:
        ids = [c.id for c in self.clips]
        random.shuffle(ids)
        self._names = {clip: BLIND_NAMES[i % len(BLIND_NAMES)] for i, clip in enumerate(ids)}
