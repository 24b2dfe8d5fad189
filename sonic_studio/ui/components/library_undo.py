"""Undo and Redo for what a person does to the library: rename, delete, keeper ★.

Edit › Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z) walk one QUndoStack, so the delete notice's
"Undo" button and the menu undo the same step, and a rename made by mistake two steps
ago can still be taken back.  Each step is a few library calls: deletes are soft (the
files stay), so undoing one brings the rows back as they were; redoing deletes again.
A clip purged in between (Settings › Empty the bin) cannot come back, and the step says
so in the log instead of failing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from ...services.library import LibraryService

log = logging.getLogger(__name__)


class _Rename(QUndoCommand):
    def __init__(self, library: LibraryService, clip: int, old: str, new: str) -> None:
        super().__init__(f"rename “{new}”")
        self._library, self._clip, self._old, self._new = library, clip, old, new

    def redo(self) -> None:
        _quietly(self._library.rename, self._clip, self._new)

    def undo(self) -> None:
        _quietly(self._library.rename, self._clip, self._old)


class _Delete(QUndoCommand):
    def __init__(self, library: LibraryService, clips: list[int], what: str) -> None:
        super().__init__(f"delete {what}")
        self._library, self._clips = library, clips

    def redo(self) -> None:
        for clip in self._clips:
            _quietly(self._library.delete, clip)

    def undo(self) -> None:
        for clip in self._clips:
            _quietly(self._library.restore, clip)


class _Keeper(QUndoCommand):
    def __init__(self, library: LibraryService, before: dict[int, bool], keep: bool, what: str) -> None:
        super().__init__(f"{'mark' if keep else 'unmark'} {what} as keeper")
        self._library, self._before, self._keep = library, before, keep

    def redo(self) -> None:
        for clip in self._before:
            _quietly(self._library.set_keeper, clip, self._keep)

    def undo(self) -> None:
        for clip, was in self._before.items():
            _quietly(self._library.set_keeper, clip, was)


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except KeyError:  # purged meanwhile: nothing left to change
        log.info("undo/redo: clip %s is no longer in the library", args[0])


class LibraryEdits(QObject):
    """The library's undo stack and the steps pushed onto it (pushing does the step)."""

    def __init__(self, library: LibraryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(100)

    def rename(self, clip: int, old: str, new: str) -> None:
        self.stack.push(_Rename(self._library, clip, old, new))

    def delete(self, clips: list[int], what: str) -> None:
        self.stack.push(_Delete(self._library, clips, what))

    def set_keepers(self, before: dict[int, bool], keep: bool, what: str) -> None:
        self.stack.push(_Keeper(self._library, before, keep, what))
