"""Last line of defence for the API key: scrub known secrets from text and log records.

The code never formats the key into messages on purpose; this catches accidents (a
library logging a header, an exception quoting a request).  ``KeyStore`` registers
every key it hands out; the logging filter and ``scrub`` replace it wherever it shows.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from typing import Any

from ..core.errors import StudioError
from ..core.redaction import holds, mask

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    # Short keys too (``mask`` hides those only as whole tokens, so words stay readable).
    if value:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    with _lock:
        secrets = list(_secrets)
    return mask(text, secrets)


def contains_secret(text: str) -> bool:
    with _lock:
        secrets = list(_secrets)
    return holds(text, secrets)


def scrub_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Task-row changes with any secret masked (a server may echo the key in an error)."""
    safe = dict(changes)
    error = safe.get("error")
    if isinstance(error, StudioError):
        text = json.dumps(error.to_dict())
        if contains_secret(text):
            safe["error"] = StudioError.from_dict(json.loads(scrub(text)))
    if isinstance(safe.get("detail"), str):
        safe["detail"] = scrub(safe["detail"])
    return safe


class RedactingFilter(logging.Filter):
    """Attach to handlers: formats the record once and masks any registered secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if contains_secret(message):
            record.msg = scrub(message)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # The whole traceback, chained causes included: a key can hide in any of them.
            text = "".join(traceback.format_exception(*record.exc_info))
            if contains_secret(text):
                record.exc_info = None
                record.exc_text = scrub(text).rstrip("\n")
        return True
