"""The async life of the GUI: start the studio, fill the window, wait, shut down cleanly.

Runs as the main coroutine on the qasync loop (``app.main``).  Demo mode starts the
emulator on a loopback port in a child process that exits with the app (see
``DemoServer``).  Shutdown happens while the loop still runs (see the qasync traps in
the stack notes): stop the player, cancel polling, close the HTTP client and the
database, stop the emulator - each bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from .qt_log import route_ffmpeg_output

log = logging.getLogger(__name__)


class DemoServer:
    """The built-in emulator for demo mode, on 127.0.0.1 in a child process.

    A child, not a thread: the emulator synthesises songs with NumPy, which in a thread
    of this process competes with the UI for the GIL (measured stalls of ~370 ms).  It
    is stopped on close and watches our pid, so it cannot outlive a killed app.  If it
    cannot start, a thread of this process serves instead.

    It remembers what it made in ``state_dir`` (``<data-dir>/demo/``), so the demo
    survives closing the app; ``message`` says when an unusable folder was set aside.
    """

    def __init__(self, state_dir: Path | None = None) -> None:
        from ..emulator.state_folder import prepare

        self.state_dir = state_dir
        self._proc: subprocess.Popen | None = None
        self._thread_server = None
        self._keeper = None
        self.message = prepare(state_dir) if state_dir is not None else None
        self._start()

    def _start(self) -> None:
        try:
            self.base_url = self._spawn()
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("demo emulator process did not start (%s); running it in a thread", exc)
            from ..emulator.app import Emulator, Timing
            from ..emulator.server import EmulatorServer
            from ..emulator.state_folder import StateKeeper

            emulator = Emulator(timing=Timing.demo())
            if self.state_dir is not None:
                self._keeper = StateKeeper(emulator, self.state_dir)
            self._thread_server = EmulatorServer(emulator)
            self.base_url = self._thread_server.start_in_thread()

    def _spawn(self) -> str:
        if getattr(sys, "frozen", False):  # a bundle: the CLI next to us runs the emulator
            cmd = [str(Path(sys.executable).with_name("sonic-studio-cli")), "demo-server"]
        else:
            cmd = [sys.executable, "-m", "sonic_studio.emulator"]
        cmd += ["--port", "0", "--speed", "demo", "--parent-pid", str(os.getpid())]
        if self.state_dir is not None:
            cmd += ["--state-dir", str(self.state_dir)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True)
        line = self._proc.stdout.readline()  # "Sonic Studio emulator listening on http://127.0.0.1:PORT"
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not match:
            self.stop()
            raise RuntimeError(f"unexpected first line {line!r}")
        return match.group(0)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()  # the emulator saves its state on SIGTERM
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
            self._proc = None
        if self._thread_server is not None:
            self._thread_server.stop_thread()
            self._thread_server = None
            if self._keeper is not None:
                self._keeper.save()
                self._keeper = None

    def reset(self) -> None:
        """Forget everything the demo made (Settings › Reset demo): stop, clear the folder, start again."""
        self.stop()
        if self.state_dir is not None:
            from ..emulator.state_folder import clear

            clear(self.state_dir)
        self._start()


def demo_state_dir(data_dir: Path | None) -> Path:
    """Where demo mode keeps the emulator's memory: ``<data-dir>/demo/``."""
    from ..services.settings import default_data_dir

    return Path(data_dir).expanduser() / "demo" if data_dir else default_data_dir() / "demo"


async def start_demo_server(state_dir: Path | None = None) -> DemoServer:
    """Start the demo emulator off the UI thread (the child takes a moment to import)."""
    return await asyncio.get_running_loop().run_in_executor(None, DemoServer, state_dir)


async def run_studio(window, args: argparse.Namespace) -> None:
    """Main coroutine: returns when the window has closed and everything is shut."""
    from ..logs import setup_logging
    from ..services.settings import Settings

    closed = asyncio.Event()
    window.closed.connect(closed.set)

    settings = Settings.load(args.data_dir)
    log_file = setup_logging(args.data_dir)
    state_dir = demo_state_dir(args.data_dir)
    start_demo = functools.partial(start_demo_server, state_dir)
    # The demo emulator's process starts first, so it comes up while this one imports the
    # rest of the app (issue 16: about 0.2 s of the usable window were spent waiting on it).
    demo_starting = (asyncio.get_running_loop().run_in_executor(None, DemoServer, state_dir)
                     if args.demo or settings.demo else None)

    from ..audio.player import Player
    from ..core.models import ProviderId
    from ..services.studio import Studio
    from .bridge import StudioBridge, UiContext

    if args.provider:
        settings.provider = ProviderId(args.provider).value
    demo_server: DemoServer | None = None
    _install_excepthook(window)
    try:
        if demo_starting is not None:
            demo_server = await demo_starting
            settings.demo = True
            settings.demo_base_url = demo_server.base_url
        studio = Studio(settings, data_dir=args.data_dir, auto_fetch=True)  # Settings › After a result arrives
        await studio.start()
    except Exception as exc:  # a corrupt database and the like: say so, keep the window
        log.exception("studio failed to start")
        _show_fatal(window, exc)
        await closed.wait()
        if demo_server:
            demo_server.stop()
        return

    first_run = not studio.demo and not studio.has_key()
    if first_run:
        # No key yet: start in demo mode so everything works at once; the welcome
        # dialog explains it and offers to enter a key.
        demo_server = await start_demo()
        studio.settings.demo_base_url = demo_server.base_url
        await studio.configure(demo=True)

    bridge = StudioBridge(studio)
    player = Player()
    route_ffmpeg_output()  # the player started QtMultimedia's FFmpeg: its output goes to the log too
    ctx = UiContext(studio=studio, bridge=bridge, player=player, log_file=log_file, demo_server=demo_server,
                    start_demo_server=start_demo, demo_state_dir=state_dir)
    window.attach(ctx)
    window.set_demo(studio.demo)
    if demo_server is not None and demo_server.message:
        window.show_notice(demo_server.message)
    window.runner.run("credits", _refresh_credits(studio))
    if getattr(args, "self_test", False):
        window.runner.run("self-test", _self_test(window))
    elif first_run:
        QTimer.singleShot(0, lambda: _offer_welcome(window, ctx))

    await closed.wait()
    started = time.monotonic()
    log.info("closing: %d task(s) still on their way continue next time", len(studio.tasks.list(active_only=True)))

    try:
        window.player_bar.shutdown()  # stops waveform decoding too
        player.stop()
    except Exception:  # a broken audio backend must not block quitting
        log.exception("player stop failed")
    bridge.detach()
    try:
        # The window has already let submits on the wire learn their id; this bound only
        # covers what is left (a submit that never answered is recorded UNKNOWN inside).
        await asyncio.wait_for(studio.aclose(timeout=5), timeout=20)
    except (asyncio.TimeoutError, Exception):
        log.exception("studio did not close cleanly")
    closed_at = time.monotonic()
    if ctx.demo_server is not None:
        ctx.demo_server.stop()  # the emulator saves its state as it stops
    log.info("closed: library and network in %.2f s, demo server in %.2f s",
             closed_at - started, time.monotonic() - closed_at)


async def _self_test(window) -> None:
    """Visit every tab and dialog, report each on stdout, then close: a black-box check for bundles.

    Any failure prints ``self-test: FAILED`` and makes the process exit with status 1.
    """
    try:
        await asyncio.sleep(0.3)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            await asyncio.sleep(0.2)
            print(f"self-test: tab {window.tabs.tabText(index)!r} ok", flush=True)
        for name, opener in (("settings", window.open_settings), ("log", window.open_log),
                             ("about", window.open_about)):
            opener()
            await asyncio.sleep(0.2)
            print(f"self-test: dialog {name} ok", flush=True)
        for dialog in window.findChildren(QDialog):
            dialog.close()
        print("self-test: done", flush=True)
    except Exception:
        log.exception("self-test failed")
        print("self-test: FAILED (see the log)", flush=True)
        window.exit_code = 1
    finally:
        QTimer.singleShot(0, window.close)


async def _refresh_credits(studio) -> None:
    try:
        await studio.credits.refresh()
    except Exception as exc:  # shown in the status bar as unknown; details in the log
        log.info("credits not available: %s", exc)


def _offer_welcome(window, ctx) -> None:
    from .dialogs.welcome import WelcomeDialog

    dialog = WelcomeDialog(ctx, window)
    dialog.open()


def _install_excepthook(window) -> None:
    """Errors escaping slots are logged and shown without a modal storm."""

    def hook(kind, value, tb) -> None:
        log.error("unhandled error", exc_info=(kind, value, tb))
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            return
        try:
            window.statusBar().showMessage(f"Unexpected error: {value}", 10000)
        except RuntimeError:
            traceback.print_exception(kind, value, tb)

    sys.excepthook = hook


def _show_fatal(window, exc: Exception) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, "Sonic Studio cannot open its library", str(exc), parent=window)
    box.setInformativeText("Nothing was deleted. Close the app and see the message above; your old library file was kept.")
    box.finished.connect(lambda _: window.close())
    box.open()
