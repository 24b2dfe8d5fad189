"""A slim bar above a list that says what just happened (busy, done, error), with actions."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from .. import theme
from ..icons import icon


class NoticeKind(Enum):
    """What a notice is about: its colour and icon follow."""

    INFO = ("info", "ACCENT")  # (icon name, theme colour name)
    WARNING = ("alert", "WARNING")
    ERROR = ("alert", "ERROR")
    DONE = ("check", "SUCCESS")

    @property
    def icon_name(self) -> str:
        return self.value[0]

    @property
    def colour(self) -> str:
        return getattr(theme, self.value[1])


class NoticeBar(QFrame):
    """A non-modal message strip inside the panel: text, optional progress, action buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        row = QHBoxLayout(self)
        row.setContentsMargins(theme.SPACING, 4, 4, 4)
        row.setSpacing(theme.SPACING)
        self.icon = QLabel()
        row.addWidget(self.icon)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFixedWidth(80)
        self.progress.setTextVisible(False)
        row.addWidget(self.progress)
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(4)
        row.addLayout(self._buttons)
        close = QToolButton()
        close.setIcon(icon("close", theme.TEXT_DIM))
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        row.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: NoticeKind = NoticeKind.INFO,
        actions: tuple[tuple[str, str, object], ...] = (),
        seconds: float | None = None,
        busy: bool = False,
    ) -> None:
        """Show ``text``; ``actions`` are (label, icon name, callback); ``seconds`` auto-hides."""
        self.icon.setPixmap(icon(kind.icon_name, kind.colour).pixmap(QSize(16, 16)))
        self.label.setText(text)
        theme.set_role(self.label, "error" if kind is NoticeKind.ERROR else "")
        self.progress.setVisible(busy)
        while self._buttons.count():
            item = self._buttons.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for label, icon_name, callback in actions:
            button = QPushButton(icon(icon_name), label)
            button.clicked.connect(callback)
            self._buttons.addWidget(button)
        self._timer.stop()
        if seconds:
            self._timer.start(int(seconds * 1000))
        self.show()

    def button(self, label: str) -> QPushButton | None:
        for i in range(self._buttons.count()):
            widget = self._buttons.itemAt(i).widget()
            if isinstance(widget, QPushButton) and widget.text() == label and not widget.isHidden():
                return widget
        return None

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
