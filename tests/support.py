"""Helpers shared by tests in every folder (both conftest.py files re-export them).

pytest imports ``tests/conftest.py`` and ``tests/ui/conftest.py`` both under the name
``conftest``, so ``from conftest import X`` resolves to whichever was loaded last;
keeping the shared names here and re-exporting them from both makes that harmless.
"""

from __future__ import annotations

import asyncio

from sonic_studio.audio.tags import untagged_mp3 as audio_payload  # noqa: F401  (served audio vs a tagged copy)

FAKE_KEY = "sk-test-FAKE-0123456789abcdef"


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02) -> None:
    """Await until ``predicate()`` is true (works on plain asyncio and qasync loops)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


