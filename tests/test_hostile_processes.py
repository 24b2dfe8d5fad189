"""One library, many processes: simultaneous first starts, upgrades, two ``tasks resume``,
and a CLI stopped (Ctrl+C, SIGTERM) while its submit waits for the provider's answer.

Real processes, because the failures were process-level: SQLite's POSIX locks are per
process (a file copy of the live database from the same process silently dropped
them, and other processes then crashed with SIGBUS), and the schema version read
outside any lock let two first starts both create the tables ("damaged").
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAKE_KEY
from test_cli import Cli

from sonic_studio.emulator.app import Emulator, Fault, Timing
from sonic_studio.store import DB_FILENAME
from sonic_studio.store.schema import LATEST_VERSION

pytestmark = pytest.mark.slow

STARTERS = 50

# Each child waits for the "go" file, opens the library (optionally with one more
# migration than shipped: an upgrade), writes a task and reports what happened.
CHILD = r"""
import json, os, sys, time
from pathlib import Path
from sonic_studio.store import Store, DatabaseError, database
from sonic_studio.core.models import ProviderId, TaskKind
data, go, upgrade = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
if upgrade:
    database.MIGRATIONS = database.MIGRATIONS + ["CREATE TABLE extra (x INTEGER);"]
    database.LATEST_VERSION = len(database.MIGRATIONS)
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
try:
    store = Store.open(data)
    store.tasks.create(ProviderId.SONIC, TaskKind.GENERATE, title="t", request={}, base_url="x")
    version = store.db.query_one("PRAGMA user_version")[0]
    store.close()
    print(json.dumps({"ok": True, "version": version}))
except DatabaseError as exc:
    print(json.dumps({"ok": False, "error": str(exc)}))
"""


def start_all(data: Path, tmp_path: Path, *, upgrade: bool) -> list[subprocess.CompletedProcess]:
    go = tmp_path / f"go-{upgrade}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(data), str(go), "1" if upgrade else "0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for _ in range(STARTERS)]
    time.sleep(0.5)  # let the interpreters import; the go file then releases them together
    go.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return results


def test_fifty_simultaneous_first_starts_then_upgrades_never_crash_or_say_damaged(tmp_path):
    data = tmp_path / "data"
    for upgrade in (False, True):
        results = start_all(data, tmp_path, upgrade=upgrade)
        crashes = [(r.returncode, r.stderr[-300:]) for r in results if r.returncode != 0]
        assert crashes == [], crashes  # SIGBUS shows as -7
        reports = [json.loads(r.stdout) for r in results]
        refused = [r["error"] for r in reports if not r["ok"]]
        assert refused == []  # no false "damaged"
        assert {r["version"] for r in reports} == {LATEST_VERSION + upgrade}
    assert len(list(data.glob(f"{DB_FILENAME}.pre-v*.bak"))) == 1  # one upgrade, one safety copy
    conn = sqlite3.connect(data / DB_FILENAME)
    assert conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == 2 * STARTERS
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05),
                    valid_keys={FAKE_KEY})


def test_two_resumes_at_once_download_every_clip_once(emulator_server, emulator, sandbox):
    cli = Cli(emulator_server, sandbox)
    submitted = [cli.json("generate", "--prompt", f"[Verse] {n}", "--tags", "pop", "--title", f"Song {n}",
                          "--model", "sonic-v4-5")["task_id"] for n in range(3)]
    both = [subprocess.Popen(cli.argv("--json", "tasks", "resume"), env=cli.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    for out, _err in outputs:
        tasks = {entry["task"]["task_id"]: entry for entry in json.loads(out)}
        assert sorted(tasks) == sorted(submitted)  # each process reports every task...
        assert all(e["task"]["state"] == "succeeded" and len(e["clips"]) == 2 for e in tasks.values())
    downloads: dict[str, int] = {}
    for request in emulator.requests:
        if request.method == "GET" and request.path.startswith("/cdn/") and request.path.endswith(".mp3"):
            downloads[request.path] = downloads.get(request.path, 0) + 1
    assert len(downloads) == 6 and set(downloads.values()) == {1}, downloads  # ...but only one fetched it


# A run started in the background by a shell (``cmd &``, as a CI runner may do) inherits Ctrl+C
# ignored, so the CLI rightly never sees it; the test gives its child Ctrl+C back, then execs it.
CTRL_C_REACHES_IT = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command, path", [
    (["generate", "--prompt", "[Verse] slow", "--tags", "pop", "--title", "Slow"], "/api/v1/sonic/create"),
    # upload-extend sends the link and the extension in one request: the same wait applies.
    (["upload-extend", "{base}/samples/rain-on-glass.mp3", "--at", "20", "--prompt", "[Verse] rain",
      "--tags", "ambient", "--title", "Rain"], "/api/v1/sonic/upload-extend"),
], ids=["generate", "upload-extend"])
def test_stopping_while_a_submit_waits_for_its_answer_keeps_the_task_id(emulator_server, emulator, sandbox, sig,
                                                                         command, path):
    """Ctrl+C or SIGTERM while the provider takes seconds to answer: the id is still learned and saved."""
    cli = Cli(emulator_server, sandbox)
    emulator.faults.inject(Fault("latency", seconds=2.0), path, method="POST")
    argv = [part.format(base=emulator_server.base_url) for part in command]
    process = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_REACHES_IT, *cli.argv(*argv, "--model", "sonic-v4-5", "--wait")],
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not emulator.submissions(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emulator.submissions(path), "the submit never reached the provider"
    process.send_signal(sig)
    _out, err = process.communicate(timeout=60)
    assert process.returncode in (130, 128 + signal.SIGTERM) and "Traceback" not in err, err
    conn = sqlite3.connect(sandbox / DB_FILENAME)
    state, task_id = conn.execute("SELECT state, provider_task_id FROM tasks").fetchone()
    conn.close()
    assert task_id and state == "pending"  # not UNKNOWN: the answer was seconds away
    [entry] = cli.json("tasks", "resume")
    assert entry["task"]["task_id"] == task_id and entry["task"]["state"] == "succeeded"
    assert len(emulator.submissions(path)) == 1
