"""The SQLite store: schema, migrations, damaged/newer files, queries that stay fast."""

from __future__ import annotations

import sqlite3
import time

import pytest

from sonic_studio.core.errors import InsufficientCreditsError
from sonic_studio.core.models import Clip, ClipState, Origin, Persona, ProviderId, TaskKind
from sonic_studio.store import (
    DB_FILENAME,
    ClipQuery,
    CorruptDatabaseError,
    NewerSchemaError,
    Store,
    TaskState,
    database,
)
from sonic_studio.store.schema import LATEST_VERSION

SONIC = ProviderId.SONIC


def _clip(cid: str, **kw) -> Clip:
    return Clip(id=cid, provider=SONIC, **kw)


def test_new_database_is_wal_with_foreign_keys_and_latest_schema(sandbox):
    store = Store.open(sandbox)
    try:
        assert store.db.query_one("PRAGMA journal_mode")[0] == "wal"
        assert store.db.query_one("PRAGMA foreign_keys")[0] == 1
        assert store.db.query_one("PRAGMA user_version")[0] == LATEST_VERSION
        tables = {r[0] for r in store.db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"tasks", "clips", "lineage", "personas"} <= tables
    finally:
        store.close()


def test_reopening_keeps_data(sandbox):
    store = Store.open(sandbox)
    task = store.tasks.create(SONIC, TaskKind.EXTEND, title="t", request={"continue_at": 5}, base_url="https://x")
    store.tasks.update(task.id, provider_task_id="abc", state=TaskState.PENDING)
    store.close()
    again = Store.open(sandbox)
    try:
        found = again.tasks.find("abc")
        assert found is not None and found.state is TaskState.PENDING and found.request == {"continue_at": 5}
    finally:
        again.close()


def test_task_error_round_trips_through_json(sandbox):
    store = Store.open(sandbox)
    try:
        task = store.tasks.create(SONIC, TaskKind.COVER, title="t", request={}, base_url="https://x")
        store.tasks.update(task.id, state=TaskState.FAILED, error=InsufficientCreditsError(provider="sonic", code=403))
        error = store.tasks.get(task.id).error
        assert isinstance(error, InsufficientCreditsError) and error.code == 403
    finally:
        store.close()


def test_newer_schema_is_refused_backed_up_and_left_untouched(sandbox):
    path = sandbox / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError) as info:
        Store.open(sandbox)
    assert "newer version" in str(info.value)
    assert info.value.backup_path is not None and info.value.backup_path.exists()
    assert path.read_bytes() == before


def test_garbage_file_is_reported_as_corrupt_and_kept(sandbox):
    path = sandbox / DB_FILENAME
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CorruptDatabaseError) as info:
        Store.open(sandbox)
    assert "damaged" in str(info.value)
    assert info.value.backup_path.read_bytes() == path.read_bytes()
    assert path.read_bytes().startswith(b"this is not a database")


def test_damaged_pages_are_reported_as_corrupt(sandbox):
    store = Store.open(sandbox)
    with store.db.transaction() as conn:
        for i in range(300):
            conn.execute("INSERT INTO clips (provider, clip_id, origin, state, lyrics, created_at, updated_at)"
                         " VALUES ('sonic', ?, 'generated', 'succeeded', ?, 0, 0)", (f"c{i}", "x" * 500))
    store.db.query("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    path = sandbox / DB_FILENAME
    data = bytearray(path.read_bytes())
    for offset in range(8192, min(len(data), 40000)):  # scribble over b-tree pages, keep the header
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabaseError):
        Store.open(sandbox)


def test_migration_to_a_new_version_backs_up_first_and_is_atomic(sandbox, monkeypatch):
    Store.open(sandbox).close()
    good = database.MIGRATIONS + ["CREATE TABLE extra (x INTEGER);"]
    monkeypatch.setattr(database, "MIGRATIONS", good)
    monkeypatch.setattr(database, "LATEST_VERSION", len(good))
    store = Store.open(sandbox)
    assert store.db.query_one("PRAGMA user_version")[0] == len(good)
    store.close()
    assert list(sandbox.glob(f"{DB_FILENAME}.pre-v{len(good)}-*.bak"))

    broken = good + ["CREATE TABLE half (x); THIS IS NOT SQL;"]
    monkeypatch.setattr(database, "MIGRATIONS", broken)
    monkeypatch.setattr(database, "LATEST_VERSION", len(broken))
    with pytest.raises(CorruptDatabaseError):
        Store.open(sandbox)
    monkeypatch.setattr(database, "MIGRATIONS", good)
    monkeypatch.setattr(database, "LATEST_VERSION", len(good))
    store = Store.open(sandbox)  # the failed migration left version and tables as they were
    try:
        assert store.db.query_one("PRAGMA user_version")[0] == len(good)
        assert store.db.query_one("SELECT name FROM sqlite_master WHERE name = 'half'") is None
    finally:
        store.close()


def test_upsert_keeps_local_title_and_files_while_refreshing_provider_fields(sandbox):
    store = Store.open(sandbox)
    try:
        row, created = store.clips.upsert(_clip("c1", title="Provider title", state=ClipState.RUNNING))
        assert created
        store.clips.rename(row.id, "My title")
        store.clips.set_files(row.id, audio_path="/x.mp3")
        row2, created2 = store.clips.upsert(_clip("c1", title="Provider title", duration=12.5,
                                                  audio_url="https://cdn/x.mp3", state=ClipState.SUCCEEDED))
        assert not created2 and row2.id == row.id
        assert row2.title == "My title" and row2.audio_path == "/x.mp3"
        assert row2.state is ClipState.SUCCEEDED and row2.duration == 12.5
    finally:
        store.close()


def test_lineage_survives_purging_the_parent(sandbox):
    store = Store.open(sandbox)
    try:
        parent, _ = store.clips.upsert(_clip("parent", title="Parent"))
        task = store.tasks.create(SONIC, TaskKind.EXTEND, title="t", request={}, base_url="https://x",
                                  source_clip=parent.id)
        child, _ = store.clips.upsert(_clip("child"), task=task.id)
        store.clips.set_lineage(child.id, task=task.id, task_kind=TaskKind.EXTEND, parent_clip=parent.id,
                                parent_clip_id="parent", params={"continue_at": 42.0})
        lineage = store.clips.detail(child.id).lineage
        assert lineage.parent_title == "Parent" and lineage.continue_at == 42.0
        store.clips.set_deleted(parent.id, True)
        assert [p[0] for p in store.clips.purge_deleted()] == [parent.id]
        lineage = store.clips.detail(child.id).lineage
        assert lineage.parent_clip is None and lineage.parent_clip_id == "parent"
        assert store.tasks.get(task.id).source_clip is None
    finally:
        store.close()


def test_query_filters_and_sorts_in_sql(sandbox):
    store = Store.open(sandbox)
    try:
        a, _ = store.clips.upsert(_clip("a", title="Night Drive", tags="synthwave", duration=100))
        b, _ = store.clips.upsert(_clip("b", title="rain 100%", tags="ambient", duration=50))
        c, _ = store.clips.upsert(Clip(id="c", provider=SONIC, origin=Origin.UPLOADED, title="Upload", duration=75))
        store.clips.set_lineage(a.id, task=None, task_kind=TaskKind.GENERATE, persona_id="p1")
        ids = lambda q: [r.clip_id for r in store.clips.query(q)]  # noqa: E731
        assert ids(ClipQuery(text="night")) == ["a"]
        assert ids(ClipQuery(text="WAVE")) == ["a"]
        assert ids(ClipQuery(text="100%")) == ["b"]  # % is literal, not a wildcard
        assert ids(ClipQuery(origin=Origin.UPLOADED)) == ["c"]
        assert ids(ClipQuery(persona_id="p1")) == ["a"]
        assert ids(ClipQuery(sort="duration", descending=False)) == ["b", "c", "a"]
        assert ids(ClipQuery(sort="title", descending=False)) == ["a", "b", "c"]
        store.clips.set_deleted(b.id, True)
        assert "b" not in ids(ClipQuery()) and "b" in ids(ClipQuery(include_deleted=True))
        assert ids(ClipQuery(since=time.time() + 60)) == []
        assert store.clips.count(ClipQuery()) == 2
    finally:
        store.close()


def test_ten_thousand_clips_list_fast(sandbox):
    store = Store.open(sandbox)
    try:
        now = time.time()
        with store.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO clips (provider, clip_id, origin, title, tags, duration, state, created_at, updated_at)"
                " VALUES ('sonic', ?, 'generated', ?, ?, ?, 'succeeded', ?, ?)",
                [(f"id{i}", f"Song {i}", "pop" if i % 2 else "rock", i % 300, now - i, now) for i in range(10_000)],
            )
            conn.executemany("INSERT INTO lineage (clip, task_kind, persona_id) VALUES (?, 'generate', ?)",
                             [(i, "px" if i % 10 == 0 else None) for i in range(1, 10_001)])
        queries = [ClipQuery(), ClipQuery(sort="title"), ClipQuery(text="rock"), ClipQuery(persona_id="px"),
                   ClipQuery(sort="duration", descending=False, offset=5000)]
        start = time.perf_counter()
        for q in queries:
            assert len(store.clips.query(q)) == 500
        assert store.clips.count(ClipQuery(text="Song 99")) == 111
        # Generous for a loaded, shared 2-core machine; typically well under 50 ms in total.
        assert time.perf_counter() - start < 2.0
        plan = " ".join(r[3] for r in store.db.query(
            "EXPLAIN QUERY PLAN SELECT id FROM clips c WHERE c.deleted_at IS NULL "
            "ORDER BY c.created_at DESC LIMIT 500"))
        assert "clips_created" in plan or "clips_deleted" in plan
    finally:
        store.close()


def test_personas_local_edits(sandbox):
    store = Store.open(sandbox)
    try:
        rec = store.personas.add(Persona(id="p-1", provider=SONIC, name="Voice", description="warm"), source_clip=None)
        assert store.personas.list("WARM")[0].id == rec.id
        assert store.personas.update(rec.id, name="Renamed", notes="for ballads").notes == "for ballads"
        assert store.personas.list("ballads")[0].name == "Renamed"
        store.personas.delete(rec.id)
        assert store.personas.list() == []
    finally:
        store.close()


def test_commits_skip_fsync_and_sync_flushes_without_dropping_the_connections_locks(sandbox, monkeypatch):
    """synchronous=NORMAL (a commit survives a crash; no fsync stalls the UI loop), and
    ``sync`` makes earlier commits durable (fsync of the WAL) while a transaction of
    this connection still holds SQLite's write lock against another process."""
    import os
    import subprocess
    import sys

    store = Store.open(sandbox)
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else str(fd))
        return real_fsync(fd)

    monkeypatch.setattr(database.os, "fsync", fsync)
    try:
        assert store.db.query_one("PRAGMA synchronous")[0] == 1  # NORMAL
        store.tasks.create(SONIC, TaskKind.GENERATE, title="t", request={}, base_url="http://x")
        with store.db.transaction() as conn:
            conn.execute("UPDATE tasks SET title = 'held' WHERE id = 1")
            store.db.sync()
            probe = ("import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)\n"
                     "try:\n    c.execute('BEGIN IMMEDIATE'); print('got the lock')\n"
                     "except sqlite3.OperationalError as e: print(e)")
            other = subprocess.run([sys.executable, "-c", probe, str(store.path)], capture_output=True, text=True)
            assert other.stdout.strip() == "database is locked"
        if os.path.exists("/proc/self/fd"):
            assert str(store.path) + "-wal" in synced
    finally:
        store.close()


def test_concurrent_syncs_share_fsyncs_and_each_waits_for_one_that_started_after_it(sandbox, monkeypatch):
    """A burst of 200 submits must not be 400 fsyncs of the WAL, yet no caller may return
    before an fsync that began after its call (and so after its commit) has finished."""
    import os
    import threading
    import time

    store = Store.open(sandbox)
    store.tasks.create(SONIC, TaskKind.GENERATE, title="t", request={}, base_url="http://x")
    real_fsync = os.fsync
    spans: list[tuple[float, float]] = []

    def slow_fsync(fd):
        start = time.monotonic()
        time.sleep(0.05)
        real_fsync(fd)
        spans.append((start, time.monotonic()))

    monkeypatch.setattr(database.os, "fsync", slow_fsync)
    calls: list[tuple[float, float]] = []

    def caller():
        called = time.monotonic()
        store.db.sync()
        calls.append((called, time.monotonic()))

    try:
        threads = [threading.Thread(target=caller) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert len(calls) == 20
        assert len(spans) < 2 * 20 / 2  # two fsyncs (WAL, folder) per round: fewer rounds than callers
        for called, returned in calls:
            assert any(called <= start and end <= returned for start, end in spans)
    finally:
        store.close()
