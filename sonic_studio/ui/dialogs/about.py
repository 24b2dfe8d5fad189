"""About: version, when each provider's catalog was last checked against its docs, and the
licences of what we ship with (ffmpeg's build is GPL)."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ... import __version__
from ...core.capabilities import capabilities
from ...core.models import ProviderId
from .. import theme
from ..icons import app_icon

COMPONENTS = (
    ("Qt {qt} / PySide6 {pyside}", "LGPL-3.0 (The Qt Company)"),
    ("Qt Multimedia FFmpeg plugin", "LGPL-2.1+ (FFmpeg libraries bundled in the PySide6 wheel)"),
    ("ffmpeg (imageio-ffmpeg static build)", "GPL-3.0 — the Linux binary is built with GPL components; "
     "its source is available from the FFmpeg project"),
    ("httpx, httpcore", "BSD-3-Clause"),
    ("sniffio", "MIT or Apache-2.0"),
    ("qasync", "BSD-2-Clause"),
    ("keyring", "MIT"),
    ("pydub", "MIT"),
    ("NumPy", "BSD-3-Clause"),
    ("platformdirs", "MIT"),
    ("mido", "MIT"),
    ("mutagen", "GPL-2.0-or-later"),
)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Sonic Studio")
        self.setMinimumWidth(520)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel(f"Sonic Studio {__version__}")
        theme.set_role(title, "title")
        blurb = QLabel("A desktop studio for the AI Music API (sonic) and sunoapi.org.\n"
                       f"Python {platform.python_version()} · Qt {qVersion()}")
        theme.set_role(blurb, "hint")
        lines = [
            f"{name.format(qt=qVersion(), pyside=pyside_version)} — {licence}" for name, licence in COMPONENTS
        ]
        # Limits and prices come from our reading of each provider's docs; saying when that
        # reading was made lets a user judge a refusal that looks out of date.
        checked = QLabel("\n".join(capabilities(provider).freshness() for provider in ProviderId))
        checked.setObjectName("catalogFreshness")
        checked.setTextFormat(Qt.TextFormat.PlainText)
        checked.setWordWrap(True)
        theme.set_role(checked, "hint")
        licences = QLabel("Bundled components and their licences:\n\n" + "\n".join("• " + line for line in lines))
        licences.setTextFormat(Qt.TextFormat.PlainText)
        licences.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACING * 2)
        for widget in (logo, title, blurb, checked, licences, buttons):
            layout.addWidget(widget)
