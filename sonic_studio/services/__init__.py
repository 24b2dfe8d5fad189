"""Services: the task lifecycle, library, personas, credits, keys and settings (no Qt).

See docs/services.md for the API the GUI and the CLI use.  ``Studio`` wires them.

The names below are loaded on first use: importing ``services.settings`` (which the
GUI needs before it knows whether to start the demo emulator) must not import the
whole stack (httpx, keyring, the store) on the way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import events
    from .keys import KeyStatus, KeyStore
    from .settings import Settings
    from .studio import DEMO_KEY, Studio

_WHERE = {"DEMO_KEY": "studio", "KeyStatus": "keys", "KeyStore": "keys", "Settings": "settings", "Studio": "studio"}

__all__ = ["DEMO_KEY", "KeyStatus", "KeyStore", "Settings", "Studio", "events"]


def __getattr__(name: str) -> Any:
    if name == "events":
        return importlib.import_module(".events", __name__)
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
