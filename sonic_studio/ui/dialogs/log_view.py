"""Help → What happened: the end of the app's log, readable without hunting for files.

The log (``logs.setup_logging``) rotates and is scrubbed of secrets, so showing it is
safe; this view reads the newest part of it off the UI thread and offers to open the
folder (for bug reports).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from .. import theme
from ..icons import icon
from ..tasks_runner import TaskRunner

TAIL_BYTES = 200_000


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last ``limit`` bytes of the log, starting at a whole line."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            data = handle.read()
    except OSError as exc:
        return f"The log could not be read: {exc}"
    text = data.decode("utf-8", "replace")
    if size > limit and "\n" in text:
        text = text.split("\n", 1)[1]
    return text or "Nothing has been logged yet."


class LogViewDialog(QDialog):
    def __init__(self, log_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self, report=self._show_failure)
        self.log_file = log_file
        self.setWindowTitle("What happened")
        self.resize(900, 520)
        self.where = theme.label(f"Log file: {log_file}", "hint")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.text.setPlaceholderText("Reading the log…")
        refresh = QPushButton(icon("refresh"), "Refresh")
        refresh.setToolTip("Read the log again (F5)")
        refresh.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        folder = QPushButton(icon("folder"), "Open log folder")
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file.parent))))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(refresh)
        row.addWidget(folder)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.runner.run("load", self._load(), what="Reading the log")

    def _show_failure(self, text: str) -> None:
        self.text.setPlainText(text)

    async def _load(self) -> None:
        text = await asyncio.get_running_loop().run_in_executor(None, read_tail, self.log_file)
        self.text.setPlainText(text)
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.maximum())
