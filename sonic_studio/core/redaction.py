"""The one way a secret is hidden in text, shared by every layer.

Providers mask their own key in provider messages; ``services.redact`` masks every
registered key in logs, task rows and dialogs.  Both go through ``mask`` so a reader
always sees the same placeholder, wherever the accident happened.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "[redacted]"


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``MASK`` (longest first, so none leaves a tail)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text
