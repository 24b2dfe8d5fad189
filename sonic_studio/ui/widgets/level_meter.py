"""A horizontal level meter: how loud one stem is right now, on a decibel scale.

The stems view feeds it each stem's RMS level at the play position; the bar is drawn
on a -60..0 dBFS scale (a linear bar would show nearly nothing for quiet stems) and
falls back smoothly (a meter that drops instantly flickers), with a peak-hold tick.
A muted stem's meter is dimmed, not emptied: you still see what you are not hearing.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .. import theme

FLOOR_DB = -60.0
FALL_DB_PER_S = 24.0  # how fast the bar sinks after a peak
HOLD_S = 1.0


def level_to_db(level: float) -> float:
    """Linear RMS (0..1 of full scale) -> dBFS, floored at ``FLOOR_DB``."""
    return FLOOR_DB if level <= 10 ** (FLOOR_DB / 20) else max(FLOOR_DB, 20 * math.log10(level))


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = FLOOR_DB
        self._shown = FLOOR_DB
        self._peak = FLOOR_DB
        self._peak_at = 0.0
        self._at = time.monotonic()
        self._dimmed = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(10)
        self.setToolTip("Level of this stem at the play position")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt
        return QSize(160, 10)

    def db(self) -> float:
        """The level last set, in dBFS (what tests read)."""
        return self._db

    def set_level(self, level: float) -> None:
        """The current RMS level, 0..1 of full scale."""
        now = time.monotonic()
        self._db = level_to_db(level)
        fallen = self._shown - FALL_DB_PER_S * (now - self._at)
        self._shown = max(self._db, fallen, FLOOR_DB)
        self._at = now
        if self._db >= self._peak or now - self._peak_at > HOLD_S:
            self._peak, self._peak_at = self._db, now
        self.update()

    def reset(self) -> None:
        self._db = self._shown = self._peak = FLOOR_DB
        self.update()

    def set_dimmed(self, dimmed: bool) -> None:
        self._dimmed = dimmed
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0.5, 0.5, self.width() - 1, self.height() - 1)
        p.setPen(QColor(theme.BORDER))
        p.setBrush(QColor(theme.BACKGROUND))
        p.drawRoundedRect(rect, 3, 3)
        fraction = (self._shown - FLOOR_DB) / -FLOOR_DB
        if fraction > 0:
            bar = QRectF(rect.left() + 1, rect.top() + 1, (rect.width() - 2) * fraction, rect.height() - 2)
            grad = QLinearGradient(rect.left(), 0, rect.right(), 0)
            grad.setColorAt(0.0, QColor(theme.SUCCESS))
            grad.setColorAt(0.75, QColor(theme.SUCCESS))
            grad.setColorAt(0.9, QColor(theme.WARNING))
            grad.setColorAt(1.0, QColor(theme.ERROR))
            p.setPen(Qt.PenStyle.NoPen)
            p.setOpacity(0.35 if self._dimmed else 1.0)
            p.setBrush(grad)
            p.drawRoundedRect(bar, 2, 2)
            peak_x = rect.left() + 1 + (rect.width() - 2) * (self._peak - FLOOR_DB) / -FLOOR_DB
            p.setBrush(QColor(theme.TEXT))
            p.drawRect(QRectF(peak_x - 1, rect.top() + 1, 2, rect.height() - 2))
        p.end()
