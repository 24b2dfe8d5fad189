"""Helpers shared by tests in every folder (both conftest.py files re-export them).

pytest imports ``tests/conftest.py`` and ``tests/ui/conftest.py`` both under the name
``conftest``, so ``from conftest import X`` resolves to whichever was loaded last;
keeping the shared names here and re-exporting them from both makes that harmless.
"""

from __future__ import annotations

import asyncio

FAKE_KEY = "sk-test-FAKE-0123456789abcdef"


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02) -> None:
    """Await until ``predicate()`` is true (works on plain asyncio and qasync loops)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


def audio_payload(data: bytes) -> bytes:
    """An MP3's bytes without its leading ID3v2 tag: the library tags its copies, the audio stays as served."""
    while data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        footer = 10 if data[5] & 0x10 else 0
        data = data[10 + size + footer :]
    return data.lstrip(b"\0")  # padding some writers leave after the tag
