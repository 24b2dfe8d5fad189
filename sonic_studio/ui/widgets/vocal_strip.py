"""A thin strip under a waveform showing where a clip sings (a curve given as data).

Why a separate widget: the waveform already paints peaks, ranges, grids and zoom; the
vocal-activity curve is an optional layer that only the Persona tab has.  The strip
follows a :class:`~sonic_studio.ui.widgets.waveform.WaveformView` (its time-to-x mapping
and its zoom), so a point of the curve sits exactly under the audio it describes.  It
knows nothing of how the curve was made: ``set_curve`` takes the scores (0..1, one per
``step`` seconds from 0:00); parts over ``threshold`` (singing) are filled stronger.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QWidget

from .. import theme
from .waveform import WaveformView

HEIGHT = 28


class VocalStrip(QWidget):
    """Vocal activity drawn under ``wave``, aligned with it at every zoom."""

    def __init__(self, wave: WaveformView, parent: QWidget | None = None, *,
                 colour: str = theme.PERSONA, threshold: float = 0.5) -> None:
        super().__init__(parent)
        self._wave = wave
        self._colour = QColor(colour)
        self._threshold = threshold
        self._scores: list[float] = []
        self._step = 0.0
        self._message = ""
        self.setFixedHeight(HEIGHT)
        wave.viewChanged.connect(self._on_view)
        self.setToolTip("Where the clip sings, estimated here from the audio (no credits)")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(400, HEIGHT)

    def set_curve(self, scores: Sequence[float], step: float) -> None:
        self._scores, self._step, self._message = [float(s) for s in scores], float(step), ""
        self.update()

    def set_message(self, text: str) -> None:
        """A short text instead of the curve ("Finding the singing…", or why not)."""
        self._scores, self._message = [], text
        self.update()

    def has_curve(self) -> bool:
        return bool(self._scores)

    def message(self) -> str:
        return self._message

    def _on_view(self, *_args) -> None:
        self.update()

    def points(self) -> list[QPointF]:
        """The curve in this widget's pixels, cut to the waveform's visible range."""
        if not self._scores or self._step <= 0:
            return []
        start, end = self._wave.visible_range()
        first = max(0, int(start / self._step))
        last = min(len(self._scores), int(end / self._step) + 2)
        # No more points than pixels: the maximum of each column keeps short phrases visible.
        per_px = max(1, int((last - first) / max(1.0, self._wave.wave_rect().width())))
        height = self.height() - 4
        out = []
        for i in range(first, last, per_px):
            value = max(self._scores[i : i + per_px])
            out.append(QPointF(self._wave.x_for_time(i * self._step), 2 + height * (1.0 - value)))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self._wave.wave_rect()
        band = QRectF(rect.left(), 0, rect.width(), self.height())
        p.fillRect(band, QColor("#0b0c10"))
        if self._message:
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(band, Qt.AlignmentFlag.AlignCenter, self._message)
            return
        points = self.points()
        if len(points) < 2:
            return
        p.setClipRect(band)
        base = float(self.height())
        path = QPainterPath(QPointF(points[0].x(), base))
        for point in points:
            path.lineTo(point)
        path.lineTo(QPointF(points[-1].x(), base))
        fill = QColor(self._colour)
        fill.setAlpha(70)
        p.fillPath(path, fill)
        # Singing (over the threshold) in full colour, so the runs stand out.
        line_y = 2 + (self.height() - 4) * (1.0 - self._threshold)
        p.save()
        p.setClipRect(QRectF(band.left(), 0, band.width(), line_y))
        strong = QColor(self._colour)
        strong.setAlpha(200)
        p.fillPath(path, strong)
        p.restore()
