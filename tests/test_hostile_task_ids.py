"""An accepted task id is never lost: a locked library, a full disk, a provider that repeats an id.

The provider has charged for a request the moment it answers with a task id.  These
tests make the one write that records that id fail for real - another connection
holds the library's write lock, the disk (a tiny tmpfs) is full - and check that the
id is printed in the error, logged, kept in the recovery journal and finally adopted
and followed to a downloaded song, without a second submit.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import wait_until
from test_tasks import make_studio, params, world  # noqa: F401  (fixtures)

from sonic_studio.core.errors import MalformedResponseError, StudioError
from sonic_studio.services import Settings, Studio
from sonic_studio.services import tasks as task_service
from sonic_studio.store import DB_FILENAME, JOURNAL_FILENAME, StorageFullError, Store, TaskState, database


@pytest.fixture
def fast_lock_timeouts(monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr(task_service, "WRITE_RETRY_DELAY", 0.05)


def hold_write_lock(sandbox: Path) -> sqlite3.Connection:
    """Another process's long write transaction, as the window or a second CLI would hold it."""
    conn = sqlite3.connect(sandbox / DB_FILENAME, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def lock_while_submitting(world, sandbox: Path) -> list[sqlite3.Connection]:
    """The lock is taken between our SUBMITTING row and the provider's answer."""
    holders: list[sqlite3.Connection] = []
    original = world.new_task

    def new_task(kind, title="Fake song"):
        holders.append(hold_write_lock(sandbox))
        return original(kind, title)

    world.new_task = new_task
    return holders


async def test_locked_library_keeps_the_id_prints_it_and_saves_it_when_free(
        make_studio, world, sandbox, fast_lock_timeouts, caplog):
    studio = await make_studio()
    holders = lock_while_submitting(world, sandbox)
    with caplog.at_level(logging.WARNING), pytest.raises(StudioError) as raised:
        await studio.tasks.submit_generate(params())
    message = str(raised.value)
    assert "task-1" in message and "locked" in message and "Do not submit it again" in message
    assert any("task-1" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert studio.tasks.unsaved() == {1: "task-1"}
    journal = (sandbox / JOURNAL_FILENAME).read_text()
    assert '"provider_task_id": "task-1"' in journal

    holders[0].close()  # the other program lets go (its transaction rolls back)
    await wait_until(lambda: studio.tasks.following(1) or studio.tasks.get(1).state.finished, timeout=10)
    assert studio.tasks.get(1).provider_task_id == "task-1"
    done = await studio.tasks.wait(1, timeout=20)
    assert done.state is TaskState.SUCCEEDED and len(done.clip_ids) == 2
    assert len(world.submissions) == 1
    assert not (sandbox / JOURNAL_FILENAME).exists()  # adopted, then removed


async def test_id_from_a_run_that_ended_while_locked_is_adopted_at_next_start(
        make_studio, world, sandbox, fast_lock_timeouts):
    studio = await make_studio()
    holders = lock_while_submitting(world, sandbox)
    with pytest.raises(StudioError, match="task-1"):
        await studio.tasks.submit_generate(params())
    await studio.aclose()  # the run ends (or is killed) with the library still locked
    holders[0].close()

    again = await make_studio()
    rec = again.tasks.get(1)
    assert rec.provider_task_id == "task-1" and rec.state is not TaskState.UNKNOWN
    done = await again.tasks.wait(1, timeout=20)
    assert done.state is TaskState.SUCCEEDED
    assert len(world.submissions) == 1
    assert not (sandbox / JOURNAL_FILENAME).exists()


async def test_duplicate_task_id_from_the_provider_is_a_clear_error_that_keeps_the_reply(make_studio, world):
    studio = await make_studio()
    first = await studio.tasks.submit_generate(params())
    world._ids = itertools.repeat(1)  # the provider hands out task-1 again
    with pytest.raises(MalformedResponseError) as raised:
        await studio.tasks.submit_generate(params(title="Other"))
    assert "task-1" in str(raised.value) and f"task {first.id}" in str(raised.value)
    second = studio.tasks.list()[0]
    assert second.id != first.id and second.state is TaskState.UNKNOWN
    assert "task-1" in second.error.message and "task-1" in second.detail
    assert studio.tasks.get(first.id).provider_task_id == "task-1"  # the first task is untouched


# ---------------------------------------------------------------------------- a really full disk
@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 kB tmpfs, so "disk full" is the kernel's ENOSPC, not a simulation."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs permission to mount a tmpfs")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with contextlib.suppress(OSError), open(filler, "wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
    return filler


async def test_full_disk_says_so_keeps_the_id_and_saves_it_when_space_returns(
        make_studio, world, tiny_disk, fast_lock_timeouts, caplog):
    data = tiny_disk / "data"
    studio = Studio(Settings(path=data / "settings.json"), data_dir=data, transport=world.transport(),
                    provider_factory=world.factory, poll_interval=0.01, download_retry_delay=0.01)
    await studio.start()
    try:
        studio.settings.library_dir = str(tiny_disk.parent / "library")  # the songs fit elsewhere
        fillers: list[Path] = []
        original = world.new_task
        world.new_task = lambda kind, title="x": (fillers.append(fill(tiny_disk)), original(kind, title))[1]
        with caplog.at_level(logging.ERROR), pytest.raises(StudioError) as raised:
            await studio.tasks.submit_generate(params())
        assert "task-1" in str(raised.value) and "the disk is full" in str(raised.value)
        assert any("task-1" in r.getMessage() for r in caplog.records)
        assert studio.tasks.unsaved() == {1: "task-1"}

        fillers[0].unlink()
        await wait_until(lambda: studio.tasks.following(1) or studio.tasks.get(1).state.finished, timeout=10)
        assert studio.tasks.get(1).provider_task_id == "task-1"
        done = await studio.tasks.wait(1, timeout=20)
        assert done.state is TaskState.SUCCEEDED
        assert len(world.submissions) == 1
    finally:
        await studio.aclose()


def test_full_disk_at_start_is_not_called_damaged_and_leaves_no_empty_backup(tiny_disk, monkeypatch):
    data = tiny_disk / "data"
    Store.open(data).close()
    good = database.MIGRATIONS + ["CREATE TABLE extra (x INTEGER);"]
    monkeypatch.setattr(database, "MIGRATIONS", good)
    monkeypatch.setattr(database, "LATEST_VERSION", len(good))
    filler = fill(tiny_disk)
    with pytest.raises(StorageFullError) as raised:
        Store.open(data)  # the upgrade needs a safety copy first; there is no room for one
    assert "disk is full" in str(raised.value) and "not damaged" in str(raised.value)
    assert not list(data.glob("*.bak*"))
    filler.unlink()
    store = Store.open(data)  # nothing was changed: the upgrade simply runs now
    assert store.db.query_one("PRAGMA user_version")[0] == len(good)
    store.close()

    fresh = tiny_disk / "fresh"
    fresh.mkdir()
    filler = fill(tiny_disk)
    with pytest.raises(StorageFullError, match="disk is full"):
        Store.open(fresh)
    assert not list(fresh.glob("*.bak*"))
