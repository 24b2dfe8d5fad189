"""The "what happened" log: a rotating file in the user log dir, never holding a secret.

Both front ends call ``setup_logging`` once.  Every handler gets the redacting filter,
so even an accident (a library logging a header) cannot put the API key on disk.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

from .services.redact import RedactingFilter

LOG_NAME = "sonic-studio.log"


def log_dir(data_dir: Path | None = None) -> Path:
    return Path(data_dir) / "logs" if data_dir else Path(platformdirs.user_log_dir("sonic-studio", appauthor=False))


def setup_logging(data_dir: Path | None = None, level: int = logging.INFO) -> Path:
    """Log to ``<log dir>/sonic-studio.log`` (1 MB x 3); returns the file's path."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_sonic_studio", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler._sonic_studio = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; keep it out of the user's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
