"""Services: the task lifecycle, library, personas, credits, keys and settings (no Qt).

See docs/services.md for the API the GUI and the CLI use.  ``Studio`` wires them.
"""

from __future__ import annotations

from . import events
from .keys import KeyStatus, KeyStore
from .settings import Settings
from .studio import DEMO_KEY, Studio

__all__ = ["DEMO_KEY", "KeyStatus", "KeyStore", "Settings", "Studio", "events"]
