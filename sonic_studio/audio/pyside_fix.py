"""Guard against a PySide6 6.12 reference-count bug that aborts Python 3.11.

With PySide6 6.12.0 on CPython < 3.12, every ``SignalInstance.emit()`` called from
Python returns ``True`` without taking a reference to it, so each emit drops one
reference from the ``True`` singleton.  After a few hundred emits (a playhead at
60 Hz: seconds; a waveform drag: one gesture) the count reaches zero and the
interpreter dies with "Fatal Python error: bool_dealloc: deallocating True or False".
Python 3.12+ made ``True`` immortal, so it is immune.

:func:`guard_emit_refcount_bug` detects the leak with one test emit and, only if it
is there, gives ``True`` a huge reference count - what 3.12 does by design - so the
lost references never add up to zero.  It is idempotent and cheap; call it before
any signal traffic (the Qt modules of ``sonic_studio.audio`` do so at import, and
the composition root should too).
"""

from __future__ import annotations

import sys
from functools import cache

_HEADROOM = 1 << 40  # ~1e12 emits


@cache
def guard_emit_refcount_bug() -> bool:
    """Apply the guard if this PySide6 leaks; True when it was applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    leaked = sys.getrefcount(True) < before
    if leaked:
        import ctypes

        refcnt = ctypes.c_ssize_t.from_address(id(True))
        # Only touch memory that really is the count (not so in exotic debug builds).
        if abs(refcnt.value - sys.getrefcount(True)) <= 2:
            refcnt.value += _HEADROOM
            return True
    return False
