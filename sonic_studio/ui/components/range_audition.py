"""Hear one range of a clip through the shared player (the Persona tab, Library › Personas)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from ...audio.player import MediaStatus

SEAM = 3.0  # seconds heard either side of a seam (where an extension or a replaced part joins)


class RangeAudition(QObject):
    """Plays ``[start, end)`` of a local file through the shared player.

    A file that is not loaded yet is loaded first and the range starts once the player
    reports it loaded: QMediaPlayer ignores a seek while the media is still loading, so
    calling ``play_range`` at once would play from 0:00 instead of the segment.
    """

    def __init__(self, player, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player = player
        self._pending: tuple[Path, float, float, bool] | None = None
        player.mediaStatusChanged.connect(self._on_status)

    def play(self, path: Path, start: float, end: float, loop: bool = False) -> None:
        path = Path(path).resolve()
        if self._player.source != path:
            self._pending = (path, start, end, loop)
            self._player.load(path)
            return
        self._pending = None
        self._player.play_range(start, end, loop)

    def _on_status(self, status: MediaStatus) -> None:
        if self._pending is None:
            return
        path, start, end, loop = self._pending
        if self._player.source != path or status is MediaStatus.INVALID:
            self._pending = None  # something else was loaded, or this file cannot play
        elif status in (MediaStatus.LOADED, MediaStatus.BUFFERED):
            self._pending = None
            self._player.play_range(start, end, loop)
