"""Fixtures for driving the real window against the emulator.

Tests in this folder are async and run on a qasync loop (see the loop-factory hook in
the top conftest), so awaiting lets Qt paint and deliver signals while the studio
polls the emulator over a real loopback socket.
"""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QSettings
from support import FAKE_KEY, wait_until  # noqa: F401 - re-exported: this file shadows tests/conftest.py

from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.emulator.server import EmulatorServer


@pytest.fixture(autouse=True)
def fresh_settings():
    """No QSettings (last tab, splitters, sort order) leak from one test into the next.

    Tests in one worker share a HOME; a window restoring the tab an earlier test left
    open (the Persona tab analyses the selected clip) made later tests order-dependent.
    """
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture
def ui_emulator():
    """Emulator on a loopback socket with quick tasks; any key accepted (demo mode)."""
    emulator = Emulator(timing=Timing(queue=0.1, first_clip=0.3, second_clip=0.5, concat=0.2))
    server = EmulatorServer(emulator)
    server.start_in_thread()
    emulator.base_url = server.base_url
    yield emulator
    server.stop_thread()


async def _make_ctx(ui_emulator, tmp_path, provider: str):
    from sonic_studio.audio.player import Player
    from sonic_studio.services.settings import Settings
    from sonic_studio.services.studio import Studio
    from sonic_studio.ui.bridge import StudioBridge, UiContext

    data_dir = tmp_path / "studio"
    data_dir.mkdir(exist_ok=True)
    settings = Settings.load(data_dir)
    settings.provider = provider
    settings.demo = True
    settings.demo_base_url = ui_emulator.base_url
    settings.poll_interval = 0.05
    studio = Studio(settings, data_dir=data_dir)
    await studio.start()
    ctx = UiContext(studio=studio, bridge=StudioBridge(studio), player=Player())
    return ctx


@pytest.fixture
async def ctx(ui_emulator, tmp_path, qapp):
    """A started studio (sonic provider, demo mode) wrapped in a UiContext."""
    context = await _make_ctx(ui_emulator, tmp_path, "sonic")
    yield context
    context.player.stop()
    context.bridge.detach()
    await context.studio.aclose()


@pytest.fixture
async def suno_ctx(ui_emulator, tmp_path, qapp):
    """Same, with the sunoapi.org provider."""
    context = await _make_ctx(ui_emulator, tmp_path, "sunoapi")
    yield context
    context.player.stop()
    context.bridge.detach()
    await context.studio.aclose()


async def _open_window(context, qtbot):
    """The real main window, attached to ``context`` and shown offscreen."""
    from sonic_studio.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.attach(context)
    win.set_demo(True)
    win.show()
    return win


def _close_window(win) -> None:
    if shiboken6.isValid(win):  # pytest-qt may already have closed and deleted it
        win.quit(ask=False)


@pytest.fixture
async def window(ctx, qtbot):
    """The real main window on the sonic provider (demo mode)."""
    win = await _open_window(ctx, qtbot)
    yield win
    _close_window(win)


@pytest.fixture
async def suno_window(suno_ctx, qtbot):
    """The real main window on the sunoapi.org provider (demo mode)."""
    win = await _open_window(suno_ctx, qtbot)
    yield win
    _close_window(win)
