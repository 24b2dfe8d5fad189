"""``python -m sonic_studio.emulator --port N``: both provider APIs on 127.0.0.1 for demo use.

Point the app or the CLI at the printed URL (``--base-url``); any API key works unless
``--key`` narrows it.  Ctrl+C or SIGTERM stops it cleanly.  With ``--state-dir`` it
remembers its clips, tasks, personas, uploads and credits there across restarts (demo
mode uses ``<data-dir>/demo/``) and prefers the port it had last time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from .app import Emulator, Timing
from .server import EmulatorServer
from .state_folder import StateKeeper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sonic_studio.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8787, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--speed", choices=["demo", "fast", "instant"], default="demo",
                        help="how long emulated generations take (demo: ~7 s)")
    parser.add_argument("--key", action="append", help="accept only this API key (repeatable)")
    parser.add_argument("--credits", type=float, default=500.0, help="starting credits for each provider")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone (the app that started us)")
    parser.add_argument("--state-dir", type=Path, help="remember clips, tasks, personas and credits in this folder")
    args = parser.parse_args(argv)
    timing = {"demo": Timing.demo(), "fast": Timing(), "instant": Timing.instant()}[args.speed]
    emulator = Emulator(
        timing=timing,
        valid_keys=set(args.key) if args.key else None,
        credits={"sonic": args.credits, "sunoapi": args.credits},
    )
    keeper = None
    if args.state_dir is not None:
        keeper = StateKeeper(emulator, args.state_dir)
        if keeper.message:
            print(keeper.message, file=sys.stderr, flush=True)
    server = EmulatorServer(emulator, port=args.port)
    return asyncio.run(_run(server, args.parent_pid, keeper))


async def _watch_parent(pid: int, stop: asyncio.Event) -> None:
    """An emulator started by the app must never outlive it, even if the app is killed."""
    while not stop.is_set():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop.set()
            return
        except PermissionError:
            pass
        if os.getppid() != pid:  # reparented: our parent died
            stop.set()
            return
        await asyncio.sleep(0.5)


async def _listen(server: EmulatorServer, keeper: StateKeeper | None) -> str:
    """Start listening: on the port of last time when ``--port 0`` and it is free (the
    library holds links to this emulator's files), else where asked."""
    if keeper is not None and keeper.port and server.port == 0:
        server.port = keeper.port
        try:
            return await server.start()
        except OSError:
            server.port = 0
    return await server.start()


async def _run(server: EmulatorServer, parent_pid: int | None = None, keeper: StateKeeper | None = None) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    url = await _listen(server, keeper)
    if keeper is not None:
        keeper.start(server.port)
    print(f"Sonic Studio emulator listening on {url}", flush=True)
    print(f"  sonic:   --provider sonic   --base-url {url}", flush=True)
    print(f"  sunoapi: --provider sunoapi --base-url {url} --upload-base-url {url}", flush=True)
    watcher = asyncio.ensure_future(_watch_parent(parent_pid, stop)) if parent_pid else None
    await stop.wait()
    if watcher is not None:
        watcher.cancel()
    await server.stop()
    if keeper is not None:
        await keeper.stop()
    print("emulator stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
