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


async def _seed_a_task_in_flight(data_dir: Path) -> tuple[int, int]:
    """A demo library with one generate queued at a demo emulator whose state is on disk.

    Its clips are due ~25 s after the seed, so the app below is stopped while the task is
    still on its way.  Returns (task, emulator port).
    """
    from sonic_studio.core.models import GenerationParams
    from sonic_studio.emulator.app import Emulator, Timing
    from sonic_studio.emulator.server import EmulatorServer
    from sonic_studio.emulator.state_folder import StateKeeper
    from sonic_studio.services.settings import Settings
    from sonic_studio.services.studio import Studio

    emulator = Emulator(timing=Timing(queue=10.0, first_clip=25.0, second_clip=28.0))
    keeper = StateKeeper(emulator, data_dir / "demo")
    server = EmulatorServer(emulator)
    base_url = server.start_in_thread()
    settings = Settings.load(data_dir)
    settings.demo, settings.demo_base_url = True, base_url
    studio = Studio(settings, data_dir=data_dir)
    await studio.start()
    task = await studio.tasks.submit_generate(GenerationParams(model="sonic-v5", lyrics="[Verse]\nla", tags="pop",
                                                               title="Across restarts"))
    await studio.aclose()
    server.stop_thread()
    keeper.port = server.port  # as the emulator records it: the app's demo emulator takes it again
    keeper.save()
    return task.id, server.port


def _task_row(data_dir: Path, task: int) -> tuple[str, int]:
    """(state, clips with a saved audio file) of a task, read straight from the library file."""
    import sqlite3

    db = sqlite3.connect(f"file:{data_dir / 'library.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        state = db.execute("SELECT state FROM tasks WHERE id = ?", (task,)).fetchone()[0]
        saved = db.execute("SELECT count(*) FROM clips WHERE task = ? AND audio_path IS NOT NULL",
                           (task,)).fetchone()[0]
    finally:
        db.close()
    return state, saved


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find child processes")
def test_sigterm_mid_task_then_restart_finishes_it_once(tmp_path):
    """The real app, stopped by SIGTERM while a demo task runs, finishes it after a restart."""
    import json
    import re

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # In a process of its own, which has ended (as an earlier run of the app would have).
    seed = ("import asyncio, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "import test_app_lifecycle as t; print(*asyncio.run(t._seed_a_task_in_flight(Path(sys.argv[2]))))")
    out = subprocess.run([sys.executable, "-c", seed, str(Path(__file__).parent), str(data_dir)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    task, port = map(int, out.stdout.split()[-2:])
    log_file = data_dir / "logs" / "sonic-studio.log"

    app = start_app(tmp_path)
    try:
        assert wait_for(lambda: log_file.exists() and re.search(rf"task {task} \(generate, .*\): resumed",
                                                                log_file.read_text()), 60), \
            "the app did not resume the task"
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    assert _task_row(data_dir, task)[0] in ("pending", "running"), "stopped too late to test anything"
    state = json.loads((data_dir / "demo" / "state.json").read_text())
    assert state["port"] == port  # the demo emulator took its old port again

    app = start_app(tmp_path)
    try:
        assert wait_for(lambda: _task_row(data_dir, task) == ("succeeded", 2), 90), _task_row(data_dir, task)
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    state = json.loads((data_dir / "demo" / "state.json").read_text())
    assert len(state["sonic"]["tasks"]) == 1  # submitted once, never again
    text = log_file.read_text()
    assert "Traceback" not in text and "closed database" not in text
