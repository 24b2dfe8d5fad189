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




async def finished(provider, task_id: str, timeout: float = 60.0):
    """Poll a provider adapter until the task is finished; its final status.

    Bounded by time, not by a count of polls: the emulator renders results on the CPU, so
    on a loaded machine (a CI runner beside other jobs) a fixed number of quick polls ran
    out before a song was made.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status = await provider.get_task(task_id)
        if status.finished:
            return status
        if loop.time() > deadline:
            raise AssertionError(f"task still {status.state} after {timeout:g} s")
        await asyncio.sleep(0.01)
