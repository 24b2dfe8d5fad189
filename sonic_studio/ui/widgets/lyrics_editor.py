"""A lyrics editor that knows song sections: tags from a menu, tags highlighted, a live count.

Suno-style models read section tags such as ``[Verse]`` and ``[Chorus]`` as structure,
so people type them all the time; here they come from a menu (the context menu, or
Ctrl+Shift+K at the cursor), stand out in colour, and the characters are counted
against the model's limit as the person types - the count turns into a sentence when
the text is too long.  Text put in from outside (lyrics the provider wrote) replaces
the editor's text as ONE undoable step, so Ctrl+Z brings back what was there.

App-free: no services, no provider names; the owner sets the limit.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QWidget

from .. import theme

SECTION_TAGS = ("Intro", "Verse", "Pre-Chorus", "Chorus", "Post-Chorus", "Hook", "Bridge", "Break",
                "Instrumental", "Solo", "Outro", "End")
INSERT_SHORTCUT = "Ctrl+Shift+K"
_TAG = re.compile(r"\[[^\[\]\n]{1,40}\]")


def count_text(used: int, limit: int | None, what: str = "lyrics") -> str:
    """"1,234 / 5,000 characters", or a sentence once the text is over the limit."""
    if limit is None:
        return f"{used:,} characters"
    if used <= limit:
        return f"{used:,} / {limit:,} characters"
    return (f"The {what} are {used:,} characters long, {used - limit:,} more than the {limit:,} this model "
            "takes. Shorten them before sending.")


class SectionHighlighter(QSyntaxHighlighter):
    """Section tags in the accent colour, bold."""

    def __init__(self, document) -> None:
        super().__init__(document)
        self._format = QTextCharFormat()
        self._format.setForeground(QColor(theme.ACCENT))
        self._format.setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt
        for match in _TAG.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._format)


def section_tags(text: str) -> list[str]:
    """The tags in ``text``, in order ("[Verse]", "[Chorus]", ...)."""
    return _TAG.findall(text)


class LyricsEditor(QPlainTextEdit):
    """Plain-text lyrics with section tags.  ``countChanged(used, limit)`` after each edit;
    ``over_limit()``; ``insert_section(name)``; ``replace_text(text)`` (one undo step)."""

    countChanged = Signal(int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._limit: int | None = None
        self.highlighter = SectionHighlighter(self.document())
        self.setTabChangesFocus(True)  # Tab moves on; lyrics have no use for tab characters
        self.section_menu = QMenu("Insert section", self)
        for name in SECTION_TAGS:
            action = self.section_menu.addAction(f"[{name}]")
            action.triggered.connect(lambda _=False, n=name: self.insert_section(n))
        self.setToolTip(f"Lyrics, sung as written. Section tags like [Verse] shape the song: "
                        f"right-click or {INSERT_SHORTCUT} to insert one.")
        self.textChanged.connect(self._announce)

    # ------------------------------------------------------------------ limit
    def set_limit(self, limit: int | None) -> None:
        self._limit = limit
        self._announce()

    def limit(self) -> int | None:
        return self._limit

    def over_limit(self) -> bool:
        return self._limit is not None and len(self.toPlainText()) > self._limit

    def _announce(self) -> None:
        self.countChanged.emit(len(self.toPlainText()), self._limit)

    # ------------------------------------------------------------------ sections
    def insert_section(self, name: str) -> None:
        """``[name]`` on a line of its own at the cursor, as one undoable edit."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        if cursor.hasSelection():
            cursor.removeSelectedText()
        before = cursor.block().text()[: cursor.positionInBlock()]
        prefix = "\n" if before.strip() else ""  # mid-line: the tag starts a new line
        if before and not before.strip():  # only spaces before it: they go
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        cursor.insertText(f"{prefix}[{name}]\n")  # what followed the cursor moves to the next line
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def show_section_menu(self) -> None:
        """The section menu at the text cursor (keyboard: Ctrl+Shift+K)."""
        self.section_menu.popup(self.viewport().mapToGlobal(self.cursorRect().bottomLeft()))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt
        # Handled here rather than by a QShortcut: it must work wherever the editor has focus
        # (a dialog, a page), and not steal the keys from other widgets.
        if QKeySequence(event.keyCombination()) == QKeySequence(INSERT_SHORTCUT):
            self.show_section_menu()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt
        menu = self.createStandardContextMenu()
        menu.insertMenu(menu.actions()[0] if menu.actions() else None, self.section_menu)
        menu.insertSeparator(menu.actions()[1] if len(menu.actions()) > 1 else None)
        menu.exec(event.globalPos())
        menu.deleteLater()

    # ------------------------------------------------------------------ text from outside
    def replace_text(self, text: str) -> None:
        """Replace everything with ``text`` as one step of the undo history (Ctrl+Z restores)."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.setTextCursor(cursor)


__all__ = ["INSERT_SHORTCUT", "SECTION_TAGS", "LyricsEditor", "count_text", "section_tags"]
