"""The real `sonic-studio` process: SIGTERM / Ctrl+C exit 0, and the demo emulator never outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def emulator_children(parent: int) -> list[int]:
    """Pids of demo emulators started for ``parent`` (found by their --parent-pid argument)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--parent-pid" in cmdline and cmdline[cmdline.index(b"--parent-pid") + 1] == str(parent).encode():
            found.append(int(entry.name))
    return found


def start_app(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "qt.*=false"}
    env.pop("SONIC_STUDIO_API_KEY", None)
    code = "import sys; from sonic_studio.app import main; sys.exit(main())"
    return subprocess.Popen([sys.executable, "-c", code, *(args or ("--demo",)), "--data-dir", str(tmp_path / "data")],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find child processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_zero_and_stops_the_demo_emulator(tmp_path, sig):
    app = start_app(tmp_path)
    try:
        assert wait_for(lambda: emulator_children(app.pid), 30), "demo emulator never started"
        time.sleep(1.0)  # let the window attach and the first polls run
        app.send_signal(sig)
        assert app.wait(20) == 0
        assert wait_for(lambda: not emulator_children(app.pid), 10), "demo emulator left behind"
    finally:
        if app.poll() is None:
            app.kill()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find child processes")
def test_a_killed_app_takes_its_demo_emulator_with_it(tmp_path):
    app = start_app(tmp_path)
    try:
        assert wait_for(lambda: emulator_children(app.pid), 30), "demo emulator never started"
        children = emulator_children(app.pid)
        app.kill()
        app.wait(10)
        assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 10)
    finally:
        if app.poll() is None:
            app.kill()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find child processes")
def test_first_run_without_a_key_starts_in_demo_mode(tmp_path):
    """No --demo and no key stored (the test keyring is empty): the README's run command still works."""
    app = start_app(tmp_path, "--provider", "sonic")
    try:
        assert wait_for(lambda: emulator_children(app.pid), 30), "no demo emulator on first run"
        app.send_signal(signal.SIGTERM)
        assert app.wait(20) == 0
    finally:
        if app.poll() is None:
            app.kill()
