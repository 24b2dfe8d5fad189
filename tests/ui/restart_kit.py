"""Helpers for tests that close the app and open it again on the same data dir and demo state."""

from __future__ import annotations

from pathlib import Path

from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.emulator.server import EmulatorServer
from sonic_studio.emulator.state_folder import StateKeeper

TIMING = Timing(queue=0.6, first_clip=1.0, second_clip=1.3, concat=0.2)


class DemoEmulator:
    """A demo emulator on a state folder; ``stop`` saves, as the emulator does on SIGTERM."""

    def __init__(self, folder: Path) -> None:
        self.emulator = Emulator(timing=TIMING)
        self.keeper = StateKeeper(self.emulator, folder)
        self.server = EmulatorServer(self.emulator)
        self.base_url = self.server.start_in_thread()
        self.keeper.port = self.server.port  # as the emulator process records it

    def stop(self) -> None:
        self.server.stop_thread()
        self.keeper.save()


async def open_app(data_dir: Path, base_url: str, qtbot):
    from sonic_studio.audio.player import Player
    from sonic_studio.services.settings import Settings
    from sonic_studio.services.studio import Studio
    from sonic_studio.ui.bridge import StudioBridge, UiContext
    from sonic_studio.ui.main_window import MainWindow

    settings = Settings.load(data_dir)
    settings.demo, settings.demo_base_url, settings.poll_interval = True, base_url, 0.05
    studio = Studio(settings, data_dir=data_dir)
    await studio.start()
    ctx = UiContext(studio=studio, bridge=StudioBridge(studio), player=Player())
    window = MainWindow()
    qtbot.addWidget(window)
    window.attach(ctx)
    window.set_demo(True)
    window.show()
    return ctx, window


async def shut(ctx, window) -> None:
    """What bootstrap does once the window has closed."""
    ctx.player.stop()
    ctx.bridge.detach()
    await ctx.studio.aclose()
