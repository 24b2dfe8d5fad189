"""Karaoke-style timed lyrics: the lines scroll with the player, the sung one lit up.

The lines come from the clip's stored word timings (``DeliverableService.lyric_lines``:
words grouped by the clip's own lyric lines).  The view follows the app's one player
while it plays this clip's file; clicking a line (or Enter on it) plays from that line,
loading the clip into the player first when something else is in it.
"""

from __future__ import annotations

import bisect
from pathlib import Path

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...audio.lyric_lines import LyricLine
from .. import theme
from ..format import clip_name, format_time


def line_at(lines: list[LyricLine], seconds: float) -> int:
    """The line being sung at ``seconds`` (the last one started; -1 before the first)."""
    return bisect.bisect_right([line.start for line in lines], seconds + 1e-6) - 1


class LyricsView(QWidget):
    """Public: ``lines``, ``current`` (index or -1), ``seek_to_line(i)``, ``shutdown()``."""

    def __init__(self, ctx, clip_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.player = ctx.player
        self.clip_id = clip_id
        self.detail = ctx.studio.library.get_or_none(clip_id)
        self.lines = ctx.studio.deliverables.lyric_lines(clip_id) if self.detail else []
        self.current = -1
        self._build()
        if self.player is not None:
            self.player.positionChanged.connect(self._on_position)
        if self._playing_this():
            self._on_position(self.player.position())

    def _build(self) -> None:
        s = theme.SPACING
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2 * s, 2 * s, 2 * s, 2 * s)
        outer.setSpacing(s)
        name = clip_name(self.detail) if self.detail else "this clip"
        head = QHBoxLayout()
        self.title = theme.label(f"Lyrics of “{name}”", "title", wrap=False)
        head.addWidget(self.title, 1)
        outer.addLayout(head)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setSpacing(4)
        self.list.setStyleSheet(f"QListWidget {{ background: {theme.BACKGROUND}; border: 1px solid {theme.BORDER};"
                                f" border-radius: 8px; padding: 8px; }}"
                                f" QListWidget::item {{ padding: 6px 8px; border-radius: 6px; }}"
                                f" QListWidget::item:selected {{ background: {theme.PANEL_RAISED}; color: {theme.ACCENT}; }}")
        base = QFont(self.list.font())
        base.setPointSizeF(base.pointSizeF() * 1.25)
        self._font, self._lit_font = base, QFont(base)
        self._lit_font.setWeight(QFont.Weight.Bold)
        self._lit_font.setPointSizeF(base.pointSizeF() * 1.2)
        for line in self.lines:
            item = QListWidgetItem(line.text)
            item.setFont(self._font)
            item.setForeground(QBrush(QColor(theme.TEXT_DIM)))
            item.setToolTip(f"{format_time(line.start)} – {format_time(line.end)}: click to play from here")
            self.list.addItem(item)
        self.list.itemClicked.connect(lambda item: self.seek_to_line(self.list.row(item)))
        self.list.itemActivated.connect(lambda item: self.seek_to_line(self.list.row(item)))
        outer.addWidget(self.list, 1)
        if self.lines:
            hint = "Click a line to play from there. The sung line lights up while this clip plays."
        else:
            hint = "No timed lyrics are saved for this clip yet: ask for them in the clip's details."
        self.hint = theme.label(hint, "hint")
        outer.addWidget(self.hint)

    # ------------------------------------------------------------------ player
    def _audio(self) -> Path | None:
        path = self.detail.audio_path if self.detail else None
        return Path(path).resolve() if path and Path(path).is_file() else None

    def _playing_this(self) -> bool:
        audio = self._audio()
        return audio is not None and self.player is not None and self.player.source == audio

    def _on_position(self, seconds: float) -> None:
        if self._playing_this():
            self.highlight(line_at(self.lines, seconds))

    def highlight(self, index: int) -> None:
        """Light up line ``index`` (-1: none) and keep it in the middle of the view."""
        if index == self.current:
            return
        if 0 <= self.current < self.list.count():
            old = self.list.item(self.current)
            old.setFont(self._font)
            old.setForeground(QBrush(QColor(theme.TEXT_DIM)))
        self.current = index
        if 0 <= index < self.list.count():
            item = self.list.item(index)
            item.setFont(self._lit_font)
            item.setForeground(QBrush(QColor(theme.ACCENT)))
            self.list.setCurrentRow(index)
            self.list.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    def seek_to_line(self, index: int) -> None:
        """Play the clip from the start of line ``index``."""
        if not 0 <= index < len(self.lines) or self.player is None:
            return
        if not self._playing_this():
            if self._audio() is None:
                self.ctx.bridge.notify.emit("This clip is not downloaded yet, so it cannot play from a line.")
                return
            self.ctx.select_clip(self.clip_id)  # the player bar loads it into the player
            if not self._playing_this():
                self.player.load(self._audio())
        self.player.seek(self.lines[index].start)
        self.highlight(index)
        self.player.play()

    def shutdown(self) -> None:
        if self.player is not None:
            self.player.positionChanged.disconnect(self._on_position)
