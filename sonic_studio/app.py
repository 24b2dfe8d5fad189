"""``sonic-studio``: the composition root that opens the window and runs the qasync loop.

Start-up order matters for how the app feels: the window is built and painted with only
Qt imported; the network stack, keyring, numpy and the services are imported right
after, while the user already sees the studio.

Shutdown follows the traps in the stack notes: Qt must not quit on its own when the last
window closes (``setQuitOnLastWindowClosed(False)``); closing the window, SIGTERM or
Ctrl+C set one event, and the main coroutine then cancels polling and closes the HTTP
client *while the loop still runs*, and returns - exit code 0, nothing orphaned (the
demo emulator is a child process that watches our pid and exits with us, even after a
SIGKILL).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from . import __version__

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sonic-studio", description="Sonic Studio - a desktop studio for AI music APIs.")
    parser.add_argument("--demo", action="store_true", help="start in demo mode with the built-in emulator (no key, no network)")
    parser.add_argument("--data-dir", type=Path, help="keep the library, settings and logs in this folder")
    parser.add_argument("--provider", choices=["sonic", "sunoapi"], help="provider to use for this session")
    parser.add_argument("--version", action="version", version=f"Sonic Studio {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="open every tab and dialog, print one line each, then quit (for smoke tests)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .ui import theme
    from .ui.qt_log import route_qt_messages, stop_routing

    route_qt_messages()  # Qt's own messages to the log, not the terminal
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Sonic Studio")
    app.setOrganizationName("Sonic Studio")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("sonic-studio")
    app.setQuitOnLastWindowClosed(False)
    theme.apply(app)
    from .ui.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector(app)

    from .ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    app.processEvents()  # first paint before the heavy imports below

    import qasync

    from .ui.bootstrap import run_studio

    def request_stop(*_: object) -> None:
        # A signal means "quit": no question, but the same bounded path as the window's Quit.
        QTimer.singleShot(0, lambda: window.quit(ask=False))

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    # Python runs signal handlers only when it gets control; a light timer gives it that.
    heartbeat = QTimer()
    heartbeat.start(200)
    heartbeat.timeout.connect(lambda: None)

    coro = run_studio(window, args)
    try:
        if sys.version_info >= (3, 12):
            asyncio.run(coro, loop_factory=qasync.QEventLoop)
        else:
            qasync.run(coro)
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    heartbeat.stop()
    collector.stop()
    stop_routing()
    return getattr(window, "exit_code", 0)


if __name__ == "__main__":
    sys.exit(main())
