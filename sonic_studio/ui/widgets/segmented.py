"""Joined, exclusive buttons for a choice of two or three modes ("File | Link", "Extend | Cover")."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from .. import theme


class SegmentedButtons(QWidget):
    """Two or more exclusive choices shown as joined buttons (mode switches)."""

    changed = Signal(str)  # the key of the chosen segment

    def __init__(self, segments: Iterable[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        """``segments``: (key, text, tooltip) tuples; the first is selected."""
        super().__init__(parent)
        self.setObjectName("segmented")
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        items = list(segments)
        for index, (key, text, tip) in enumerate(items):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setObjectName("first" if index == 0 else "last" if index == len(items) - 1 else "middle")
            self._group.addButton(button)
            self._buttons[key] = button
            layout.addWidget(button)
            button.toggled.connect(lambda on, k=key: on and self.changed.emit(k))
        self._buttons[items[0][0]].setChecked(True)
        self.setStyleSheet(
            f"""
            QWidget#segmented QPushButton {{ border-radius: 0; padding: 6px 10px; }}
            QWidget#segmented QPushButton#first {{ border-top-left-radius: 6px; border-bottom-left-radius: 6px; }}
            QWidget#segmented QPushButton#last {{ border-top-right-radius: 6px; border-bottom-right-radius: 6px;
                                                  border-left: none; }}
            QWidget#segmented QPushButton#middle {{ border-left: none; }}
            QWidget#segmented QPushButton:checked {{ background: #24455a; color: {theme.TEXT};
                                                      border-color: {theme.ACCENT}; }}
            """
        )

    def current(self) -> str:
        for key, button in self._buttons.items():
            if button.isChecked():
                return key
        return next(iter(self._buttons))

    def set_current(self, key: str) -> None:
        self._buttons[key].setChecked(True)

    def button(self, key: str) -> QPushButton:
        return self._buttons[key]
