"""Icons from the shipped SVG set, tinted to the theme and crisp at any scale.

The SVGs draw with ``currentColor``; we substitute a colour and let QIcon render them
through QtSvg at whatever size and device pixel ratio a widget asks for, so one file
serves 100 % and 200 % screens alike.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..resources import resource
from . import theme


class _SvgEngine(QIconEngine):
    """Renders the SVG at the exact requested size (no blurry scaled bitmaps)."""

    def __init__(self, data: bytes, disabled: bytes) -> None:
        super().__init__()
        self._data = data
        self._disabled = disabled

    def paint(self, painter: QPainter, rect, mode, state) -> None:
        data = self._disabled if mode == QIcon.Mode.Disabled else self._data
        QSvgRenderer(QByteArray(data)).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode, state) -> QPixmap:
        pix = QPixmap(size)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        self.paint(painter, pix.rect(), mode, state)
        painter.end()
        return pix

    def clone(self) -> QIconEngine:
        return _SvgEngine(self._data, self._disabled)


@cache
def icon(name: str, color: str = theme.TEXT) -> QIcon:
    path = resource("icons", f"{name}.svg")
    try:
        svg = path.read_text("utf-8")
    except OSError:
        return QIcon()
    return QIcon(
        _SvgEngine(
            svg.replace("currentColor", color).encode(),
            svg.replace("currentColor", "#5d6374").encode(),
        )
    )


def app_icon() -> QIcon:
    path = resource("icons", "sonic-studio.svg")
    return QIcon(str(path)) if path.exists() else QIcon()
