"""The Create tab, first in the window: a new song from a description or from your own lyrics.

Composition only: the panel (``components.create_panel``) holds the form, the lyrics and
style helpers, the persona choice, the cost and the submit button; this page places it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..components.create_panel import CreatePanel


class CreateTab(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = CreatePanel(ctx)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel)


__all__ = ["CreateTab"]
