"""A framed area that accepts an audio file (or a link) dropped from the file manager or a browser.

Dragging a file onto the window is the quickest way to bring a track in, so the upload
tab is built around this zone: it shows a prompt when empty, lights up while
something droppable hovers over it, and hosts the file's preview (waveform, facts)
once one is chosen.  It only reports what was dropped; deciding whether the file is
usable is the tab's job (``audio.probe``), so the message can sit next to the field.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from .. import theme
from ..icons import icon


def dropped_source(mime: QMimeData) -> tuple[str, str] | None:
    """("file", path) or ("url", link) from drag data, or None when nothing usable."""
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile():
                return "file", url.toLocalFile()
            if url.scheme() in ("http", "https", "ftp"):
                return "url", url.toString()
    if mime.hasText():
        text = mime.text().strip()
        if "://" in text and "\n" not in text:
            return "url", text
    return None


class DropZone(QFrame):
    """Emits ``fileDropped(path)`` / ``urlDropped(url)``; ``clicked`` when the empty prompt is clicked."""

    fileDropped = Signal(str)
    urlDropped = Signal(str)
    clicked = Signal()

    def __init__(self, prompt: str, detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setObjectName("dropZone")
        self.setMinimumHeight(150)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._hover = False

        self.prompt = QWidget()
        prompt_layout = QVBoxLayout(self.prompt)
        prompt_layout.setSpacing(theme.SPACING)
        glyph = QLabel()
        glyph.setPixmap(icon("upload", theme.TEXT_DIM).pixmap(36, 36))
        glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label = QLabel(prompt)
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.prompt_label, "empty")
        self.detail_label = QLabel(detail)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setWordWrap(True)
        theme.set_role(self.detail_label, "hint")
        prompt_layout.addStretch(1)
        for widget in (glyph, self.prompt_label, self.detail_label):
            prompt_layout.addWidget(widget)
        prompt_layout.addStretch(1)

        self.content = QWidget()  # the owner fills this with the preview
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.content_layout.setSpacing(theme.SPACING)
        self.content.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.prompt)
        layout.addWidget(self.content)
        self._restyle()

    def show_content(self, shown: bool) -> None:
        """Swap the empty prompt for the preview (True) or back (False)."""
        self.prompt.setVisible(not shown)
        self.content.setVisible(shown)
        self.setCursor(Qt.CursorShape.ArrowCursor if shown else Qt.CursorShape.PointingHandCursor)

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_source(event.mimeData()) is not None:
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if dropped_source(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        found = dropped_source(event.mimeData())
        if found is None:
            event.ignore()
            return
        event.acceptProposedAction()
        kind, value = found
        (self.fileDropped if kind == "file" else self.urlDropped).emit(value)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.prompt.isVisible():
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def _set_hover(self, hover: bool) -> None:
        self._hover = hover
        self._restyle()

    def _restyle(self) -> None:
        border = theme.ACCENT if self._hover else theme.BORDER
        background = "#1b2a35" if self._hover else theme.BACKGROUND
        self.setStyleSheet(
            f"QFrame#dropZone {{ border: 2px dashed {border}; border-radius: 10px; background: {background}; }}"
        )
