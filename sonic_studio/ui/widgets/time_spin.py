"""A spin box for times that reads and writes ``m:ss.cc`` ("1:01.25"), and its parser."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from ..format import format_time

_TIME_RE = re.compile(r"^\s*(?:(\d+):)?(\d+(?:[.,]\d*)?)\s*(?:s)?\s*$")
_PARTIAL_RE = re.compile(r"^\s*\d*:?\d*[.,]?\d*\s*s?\s*$")


def parse_time(text: str) -> float | None:
    """``1:01.25``, ``61.25`` or ``61,25 s`` -> 61.25 (None when it is not a time)."""
    match = _TIME_RE.match(text)
    if not match:
        return None
    minutes, seconds = match.groups()
    return int(minutes or 0) * 60 + float(seconds.replace(",", "."))


class TimeSpinBox(QDoubleSpinBox):
    """Seconds shown as ``m:ss.cc`` (like the waveform labels), 0.01 s steps.

    Typing accepts either form (``1:01.25`` or ``61.25``); the arrow keys step by
    0.01 s (faster when held), PageUp/PageDown by 0.1 s.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(2)
        self.setSingleStep(0.01)
        self.setKeyboardTracking(False)  # commit on Enter/focus-out, not per keystroke
        self.setAccelerated(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMinimumWidth(110)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt naming)
        return format_time(value)

    def valueFromText(self, text: str) -> float:  # noqa: N802
        value = parse_time(text)
        return self.value() if value is None else value

    def validate(self, text: str, pos: int):
        value = parse_time(text)
        if value is not None:
            ok = self.minimum() - 1e-9 <= value <= self.maximum() + 1e-9
            return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos
        if _PARTIAL_RE.match(text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def fixup(self, text: str) -> str:
        value = parse_time(text)
        if value is None:
            return self.textFromValue(self.value())
        return self.textFromValue(min(max(value, self.minimum()), self.maximum()))

