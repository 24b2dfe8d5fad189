"""Shared test setup: no display, no real keyring, no real user folders, an emulator.

Every test runs with HOME/XDG folders in a private temp dir, so nothing the app writes
can touch a developer's real library, and a secrets scan can cover everything written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SANDBOX = Path(tempfile.mkdtemp(prefix="sonic-studio-tests-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_LOGGING_RULES"] = "qt.multimedia.*=false;qt.qpa.*=false"
for var, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                 ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
    os.environ[var] = str(_SANDBOX / sub)
os.environ["XDG_RUNTIME_DIR"] = str(_SANDBOX / "runtime")
(_SANDBOX / "runtime").mkdir(mode=0o700, exist_ok=True)
# Synthesised songs are deterministic; share them across runs to keep the suite fast.
os.environ.setdefault("SONIC_STUDIO_EMULATOR_CACHE", str(Path(tempfile.gettempdir()) / "sonic-studio-test-audio"))
os.environ.pop("SONIC_STUDIO_API_KEY", None)
os.environ.pop("SONIC_STUDIO_POLL_INTERVAL", None)

import asyncio  # noqa: E402
import gc  # noqa: E402

import httpx  # noqa: E402
import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402
from support import FAKE_KEY, wait_until  # noqa: E402,F401 - re-exported for tests

from sonic_studio.emulator.app import Emulator, Timing  # noqa: E402
from sonic_studio.emulator.server import EmulatorServer  # noqa: E402


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring so tests never prompt, never touch D-Bus, never persist."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread():
    """Run Python's cyclic garbage collector only between tests, on the GUI thread (every test:
    windows are also built outside tests/ui).

    Left automatic, it may run in whichever thread allocates next (the emulator's, an
    executor's) and destroy Qt objects there; a QObject destroyed off its thread cannot
    stop its timers, and the next timer event hits freed memory (seen as SIGSEGV in
    QTimerInfoList::activateTimers).  The app does the same with a GUI-thread timer.
    """
    gc.collect()
    gc.disable()
    yield
    gc.enable()
    gc.collect()


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def sandbox(tmp_path) -> Path:
    """A fresh data dir for one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def emulator() -> Emulator:
    """An emulator with fast task timing, accepting only FAKE_KEY."""
    return Emulator(timing=Timing(), valid_keys={FAKE_KEY}, public_base="http://127.0.0.1:8787")


@pytest.fixture
async def asgi_client(emulator):
    """An httpx client wired in-process to the emulator (no sockets)."""
    transport = httpx.ASGITransport(app=emulator)
    async with httpx.AsyncClient(transport=transport) as client:
        yield client


@pytest.fixture
def emulator_server(emulator):
    """The same emulator on a real loopback socket (for drops, kills, subprocesses)."""
    server = EmulatorServer(emulator)
    server.start_in_thread()
    yield server
    server.stop_thread()


def pytest_asyncio_loop_factories(config, item):
    """UI tests (marker ``qasync`` or under tests/ui/) run on a qasync QEventLoop."""
    path = str(getattr(item, "path", ""))
    if item.get_closest_marker("qasync") is None and f"{os.sep}ui{os.sep}" not in path:
        return {"asyncio": asyncio.new_event_loop}
    import qasync
    from PySide6.QtWidgets import QApplication

    def factory():
        app = QApplication.instance() or QApplication([])
        return qasync.QEventLoop(app)

    return {"qasync": factory}
