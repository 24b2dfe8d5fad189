"""The one way a secret is hidden in text, shared by every layer.

Providers mask their own key in provider messages; ``services.redact`` masks every
registered key in logs, task rows and dialogs.  Both go through ``mask`` so a reader
always sees the same placeholder, wherever the accident happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[redacted]"

# Below this length a key is masked only where it stands as its own token: masking every
# occurrence of a 5-letter key would also eat ordinary words that happen to contain it.
SHORT_SECRET = 8


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``MASK`` (longest first, so none leaves a tail)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if secret not in text:
            continue
        if len(secret) >= SHORT_SECRET:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return text


def holds(text: str, secrets: Iterable[str]) -> bool:
    """Whether ``mask`` would change ``text``."""
    return mask(text, secrets) != text
