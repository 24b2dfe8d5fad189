"""A non-modal window around a clip's stems view or timed lyrics.

Both views are things you keep open beside the library while the player runs, so they
live in their own small window rather than squeezing the 1280 x 800 main window: the
library, the tabs and the player bar stay as they are.  The window asks its view to
``shutdown()`` when it closes (``reject``, where Qt routes every close) (stop the mix, end decoding, delete the preview file).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

VIEWS = ("stems", "lyrics")


def make_view(ctx, clip_id: int, kind: str) -> QWidget:
    if kind == "stems":
        from ..components.stems_view import StemsView

        return StemsView(ctx, clip_id)
    if kind == "lyrics":
        from ..components.lyrics_view import LyricsView

        return LyricsView(ctx, clip_id)
    raise ValueError(f"no view called {kind!r}")


class DeliverableWindow(QDialog):
    SIZES = {"stems": (760, 560), "lyrics": (520, 600)}

    def __init__(self, ctx, clip_id: int, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.clip_id = kind, clip_id
        self.view = make_view(ctx, clip_id, kind)
        self.setModal(False)
        self.setWindowTitle(self.view.title.text())
        self.resize(*self.SIZES[kind])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        QShortcut(QKeySequence("Ctrl+W"), self, activated=self.reject)

    def reject(self) -> None:
        """Closing (the title bar, Esc, Ctrl+W all end here): stop the view, then go."""
        self.view.shutdown()
        super().reject()
        self.deleteLater()
