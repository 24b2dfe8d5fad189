"""First run: you are in demo mode; keep exploring, or enter a key - and which provider, and why.

With no key stored the app starts in demo mode (the built-in emulator, in this
process; nothing leaves the machine), so a new user never faces an app that cannot do
anything.  This non-modal dialog says so and offers the way to a real key.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .. import theme
from ..icons import app_icon, icon
from ..tasks_runner import TaskRunner


def _card(title: str, body: str, button: QPushButton) -> QFrame:
    card = QFrame()
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(16, 16, 16, 16)
    layout.setSpacing(theme.SPACING)
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
    text = QLabel(body)
    text.setWordWrap(True)
    text.setTextFormat(Qt.TextFormat.PlainText)
    theme.set_role(text, "hint")
    layout.addWidget(heading)
    layout.addWidget(text, 1)
    layout.addWidget(button)
    return card


class WelcomeDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self, report=self._show_error)
        self.ctx = ctx
        self.setWindowTitle("Welcome to Sonic Studio")
        self.setMinimumSize(720, 380)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(56, 56))
        title = QLabel("Welcome to Sonic Studio")
        theme.set_role(title, "title")
        subtitle = QLabel("Upload a track, extend or cover it, build voice personas, and keep every result.")
        theme.set_role(subtitle, "hint")
        head = QHBoxLayout()
        head.addWidget(logo)
        texts = QVBoxLayout()
        texts.addWidget(title)
        texts.addWidget(subtitle)
        head.addLayout(texts, 1)

        self.demo_button = QPushButton(icon("music"), "Explore the demo")
        self.demo_button.setProperty("primary", True)
        self.demo_button.clicked.connect(self._explore_demo)
        self.key_button = QPushButton(icon("settings"), "Enter my API key…")
        self.key_button.clicked.connect(self._enter_key)
        cards = QHBoxLayout()
        cards.setSpacing(theme.SPACING * 2)
        cards.addWidget(_card(
            "You are in demo mode",
            "Everything works at once, with no key and no network: a built-in emulator of both services "
            "makes short synthesised songs in a few seconds. Nothing is charged. You can switch to a real "
            "key any time in Settings.",
            self.demo_button,
        ))
        cards.addWidget(_card(
            "Your own key",
            "AI Music API (sonic): uploads by public URL, one-stop extend with auto-concat, personas with an "
            "optional vocal range up to 30 s.\n\nsunoapi.org: uploads files from this computer, personas from "
            "a 10–30 s vocal range of a generated clip.\n\nThe key is kept in your system keyring.",
            self.key_button,
        ))
        self.error = QLabel("")
        theme.set_role(self.error, "error")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(theme.SPACING * 2)
        layout.addLayout(head)
        layout.addLayout(cards, 1)
        layout.addWidget(self.error)

    def _explore_demo(self) -> None:
        self.runner.run("demo", self._start_demo(), what="Starting the demo", busy=self._starting)

    def _starting(self, busy: bool) -> None:
        self.demo_button.setEnabled(not busy)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)

    async def _start_demo(self) -> None:
        if self.ctx.studio.demo:
            self.accept()
            return
        self.ctx.studio.settings.demo_base_url = await self.ctx.demo_base_url()
        await self.ctx.studio.configure(demo=True)
        await self.ctx.studio.credits.refresh()
        self.accept()

    def _enter_key(self) -> None:
        self.accept()
        self.ctx.bridge.settingsRequested.emit()  # the window opens it (pages do not import pages)
