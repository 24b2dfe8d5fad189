"""Columns that sit side by side while the width holds them and stack into one when it does not.

Forms put "what is sung" beside "how it sounds"; at 1024 px that pair no longer fits beside the
library, and a fixed two-column layout would force a horizontal scrollbar.  This widget asks for
only the widest single column as its minimum width and switches direction on resize.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLayout, QWidget


class ReflowColumns(QWidget):
    """Columns (layouts or widgets) left to right, or top to bottom when narrower than they need."""

    def __init__(self, spacing: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(spacing)

    def add_column(self, column: QLayout | QWidget, stretch: int = 1) -> None:
        if isinstance(column, QLayout):
            self._box.addLayout(column, stretch)
        else:
            self._box.addWidget(column, stretch)

    def side_by_side(self) -> bool:
        return self._box.direction() == QBoxLayout.Direction.LeftToRight

    def _widths(self) -> list[int]:
        return [self._box.itemAt(i).minimumSize().width() for i in range(self._box.count())]

    def minimumSizeHint(self) -> QSize:
        widths = self._widths() or [0]
        return QSize(max(widths), self._box.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        widths = self._widths()
        needed = sum(widths) + self._box.spacing() * max(0, len(widths) - 1)
        direction = QBoxLayout.Direction.LeftToRight if event.size().width() >= needed \
            else QBoxLayout.Direction.TopToBottom
        if direction != self._box.direction():
            self._box.setDirection(direction)
            self.updateGeometry()  # the minimum height changes with the direction
        super().resizeEvent(event)



class FitPage(QWidget):
    """The page inside a tab's scroll area: it shrinks to its minimum before the area scrolls.

    A resizable QScrollArea takes a page's ``heightForWidth`` (its *preferred* height, whenever a
    wrapped label is inside) as the least height it may have, so a page scrolled at 1280×800 while
    its waveform and text boxes could simply have been a little shorter.
    """

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        return layout.minimumHeightForWidth(width) if layout is not None else super().heightForWidth(width)


__all__ = ["FitPage", "ReflowColumns"]
