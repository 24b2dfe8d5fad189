"""A 0.00–1.00 weight control: slider, exact typed value, optional "unset", optional zones.

Both providers take weights (audio weight, style weight, weirdness) as numbers from 0 to
1 in steps of 0.01.  A slider alone hides the exact value and a spin box silently
clamps what a person typed (1.5 quietly becomes 1.00), so this widget pairs the slider
with a text field that keeps whatever was typed: the owner validates it with
``core.validation.check_weight`` and shows the message next to the field, and nothing
is sent.  An *optional* weight can be left unset, meaning "the provider's default".
Zone labels (e.g. the audio-weight guide: more creative / balanced / closer to the
original) sit under the slider and the zone of the current value is highlighted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QSlider, QVBoxLayout, QWidget

from .. import theme

STEPS = 100  # 0.01 resolution, the providers' step


class WeightSlider(QWidget):
    """Slider + exact value for a 0–1 weight.

    ``value()`` is what the field holds: a float (possibly out of range, when typed),
    or None when unset.  ``text_problem()`` says why the typed text is not a number.
    """

    valueChanged = Signal(object)  # float | None

    def __init__(
        self,
        *,
        optional: bool = False,
        value: float | None = 0.5,
        zones: tuple[tuple[float, float, str], ...] = (),
        tooltip: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._optional = optional
        self._set_while_optional = value is not None  # restored when it becomes optional again
        self._zones = zones

        self.enable_box = QCheckBox()
        self.enable_box.setToolTip("Unticked: let the provider use its default for this weight.")
        if not optional:
            # Never setVisible(True) on a widget without a parent: it would open as a window of its own.
            self.enable_box.hide()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(10)
        self.slider.setMinimumWidth(140)
        self.edit = QLineEdit()
        self.edit.setFixedWidth(64)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.edit.setToolTip("Exact value from 0.00 to 1.00 (type it, or drag the slider)")
        if tooltip:
            for widget in (self.slider, self):
                widget.setToolTip(tooltip)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(theme.SPACING)
        row.addWidget(self.enable_box)
        row.addWidget(self.slider, 1)
        row.addWidget(self.edit)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addLayout(row)
        self._zone_labels: list[QLabel] = []
        if zones:
            zone_row = QHBoxLayout()
            zone_row.setContentsMargins(0, 0, 0, 0)
            zone_row.setSpacing(4)
            for index, (_low, _high, text) in enumerate(zones):
                # "0–0.3 more creative": the range over the words, so three fit a narrow form.
                label = QLabel("\n".join(text.split(" ", 1)))
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setWordWrap(True)  # very narrow forms wrap instead of widening
                label.setAlignment(
                    Qt.AlignmentFlag.AlignLeft if index == 0
                    else Qt.AlignmentFlag.AlignRight if index == len(zones) - 1
                    else Qt.AlignmentFlag.AlignHCenter
                )
                theme.set_role(label, "hint")
                zone_row.addWidget(label, max(len(part) for part in text.split(" ", 1)))  # room by text
                self._zone_labels.append(label)
            outer.addLayout(zone_row)

        self.slider.valueChanged.connect(self._slider_moved)
        self.edit.textEdited.connect(self._text_edited)
        self.enable_box.toggled.connect(self._enable_toggled)
        self.setValue(value)

    # ------------------------------------------------------------------ API
    def value(self) -> float | None:
        """The weight as typed or dragged; None when unset or not a number."""
        if not self.isSet():
            return None
        try:
            number = float(self.edit.text().strip().replace(",", "."))
        except ValueError:
            return None
        return number if number == number else None  # NaN is not a weight

    def text(self) -> str:
        return self.edit.text()

    def isSet(self) -> bool:
        return not self._optional or self.enable_box.isChecked()

    def setValue(self, value: float | None) -> None:
        """Set the weight (None = unset, for optional weights; required ones keep their value)."""
        if value is None and self._optional:
            self.enable_box.setChecked(False)
        else:
            self.enable_box.setChecked(True)
            if value is not None:
                self.edit.setText(f"{value:.2f}")
                self._sync_slider(value)
        self._apply_enabled()
        self._highlight_zone()
        self.valueChanged.emit(self.value())

    def isOptional(self) -> bool:
        return self._optional

    def set_optional(self, optional: bool) -> None:
        """Optional: may be left unset (provider default).  Required: always has a value.

        Switching keeps what the person chose for each role: a weight left unset while
        optional is unset again when it becomes optional after being required.
        """
        if optional == self._optional:
            return
        if optional:
            self._optional = True
            self.enable_box.setChecked(self._set_while_optional)
        else:
            self._set_while_optional = self.enable_box.isChecked()
            self._optional = False
            self.enable_box.setChecked(True)
        self.enable_box.setVisible(optional)
        self._apply_enabled()
        self._emit()

    def setText(self, text: str) -> None:
        """Type into the exact-value field, as a person would."""
        self.edit.setText(text)
        self._text_edited(text)

    def text_problem(self) -> str | None:
        """Why the typed text cannot be a weight (empty/not a number); range is checked elsewhere."""
        if not self.isSet():
            return None
        text = self.edit.text().strip()
        if not text:
            return "Enter a value from 0.00 to 1.00."
        if self.value() is None:
            return f"“{text}” is not a number; enter a value from 0.00 to 1.00."
        return None

    def set_invalid(self, invalid: bool) -> None:
        theme.set_invalid(self.edit, invalid)

    def zone_text(self) -> str | None:
        """The name of the zone the current value falls in, e.g. "0.4–0.6 balanced" (None outside)."""
        index = self._zone_index()
        return self._zones[index][2] if index is not None else None

    # ------------------------------------------------------------------ internals
    def _sync_slider(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(min(1.0, max(0.0, value)) * STEPS))
        self.slider.blockSignals(False)

    def _slider_moved(self, position: int) -> None:
        self.edit.setText(f"{position / STEPS:.2f}")
        self._emit()

    def _text_edited(self, _text: str) -> None:
        value = self.value()
        if value is not None:
            self._sync_slider(value)
        self._emit()

    def _enable_toggled(self, _checked: bool) -> None:
        if self.isSet() and not self.edit.text().strip():
            self.edit.setText(f"{self.slider.value() / STEPS:.2f}")
        self._apply_enabled()
        self._emit()

    def _apply_enabled(self) -> None:
        on = self.isSet()
        self.slider.setEnabled(on)
        self.edit.setEnabled(on)
        self.edit.setPlaceholderText("" if on else "auto")
        if not on:
            self.edit.clear()

    def _emit(self) -> None:
        self._highlight_zone()
        self.valueChanged.emit(self.value())

    def _zone_index(self) -> int | None:
        value = self.value()
        if not self._zones or value is None or not 0.0 <= value <= 1.0:
            return None
        # Zones may leave gaps (0.3-0.4): a value in a gap belongs to the nearer zone.
        distances = [0.0 if low <= value <= high else min(abs(value - low), abs(value - high))
                     for low, high, _ in self._zones]
        return distances.index(min(distances))

    def _highlight_zone(self) -> None:
        current = self._zone_index()
        for index, label in enumerate(self._zone_labels):
            active = index == current
            label.setStyleSheet(f"font-size: 9pt; color: {theme.ACCENT}; font-weight: 600;" if active
                                else "font-size: 9pt;")
