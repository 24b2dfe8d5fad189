"""Library search over the trigram index (schema 3): the same clips as the old LIKE scan.

The old search was ``LIKE '%text%'`` on title, tags and provider clip id of every live
clip: substring, ASCII-only case folding, ``%``/``_``/``\\`` literal.  These tests run
that exact SQL as the oracle against the store's indexed search on the same database,
for texts of every length (the index is used from 3 characters), with punctuation,
quotes, diacritics and case variants; they check a library migrated from schema 2 gets
its index, that edits keep it in step, and that counting never waits for the shared
connection.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from sonic_studio.core.models import Clip, Origin, ProviderId
from sonic_studio.store import DB_FILENAME, ClipQuery, Store, clips
from sonic_studio.store.schema import LATEST_VERSION, MIGRATIONS

TITLES = [
    "Night Drive", "NIGHT drive (live)", "night-drive_v2", "Café del Mar", "CAFÉ DEL MAR", "cafe del mar",
    "Straße", "STRASSE", "İstanbul Nights", "Ölmez Ağaç", "Résumé 100%", "100% pure", "a_b c", "a%b",
    'Say "hello"', "It's fine", "back\\slash", "emoji 🎵 song", "Kelvin 5K", "Kelvin 5\u212a", "tab\tsep",
    "   spaced   ", "x", "xy", "日本語のうた", "中文歌曲", "ends with dot.", "semi;colon", "*star* OR NEAR",
    "",
]
TAGS = ["synthwave, lofi", "Dream Pop", "ambient", "", "jazz & blues", "drum'n'bass", "ÉLECTRO", "k-pop"]
QUERIES = [
    "n", "N", "ni", "nig", "night", "NIGHT", "Night Drive", "ght dr", "drive_v", "_", "%", "100%", "0%",
    "a_b", "a%b", "\\", "back\\", '"', 'y "he', "'", "it's", "café", "CAFÉ", "Café", "cafe", "afé",
    "é", "É", "ß", "straße", "STRASSE", "strasse", "İst", "ist", "istanbul", "ölm", "ÖLM", "Ağa",
    "🎵", "emoji 🎵", "5k", "5K", "lvin 5", "日本", "本語の", "中文", "dot.", ";", "*", "*star*", "OR",
    "near", "t\ts", "spaced", "  spaced", "pop", "POP", "dream p", "jazz &", "n'b", "k-p", "clip-1",
    "CLIP-00", "lip-003", "zqxj", "zq", "xy", "x", "electro", "ÉLEC", "-", "--", "()", "(live)",
    "e\x1fs", "\x1f",
]


def _legacy_ids(db_path, text: str, *, include_deleted: bool = False, origin: str | None = None,
                order: str = "created_at DESC, id DESC") -> list[str]:
    """The search as it was before the index: a LIKE scan of the clips table."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "(title LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\' OR clip_id LIKE ? ESCAPE '\\')"
    params: list[str] = [pattern] * 3
    if not include_deleted:
        where += " AND deleted_at IS NULL"
    if origin:
        where += " AND origin = ?"
        params.append(origin)
    conn = sqlite3.connect(str(db_path))
    try:
        rows = conn.execute(f"SELECT clip_id FROM clips WHERE {where} ORDER BY {order}", params).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def _fill(store: Store) -> None:
    for i, title in enumerate(TITLES):
        clip = Clip(id=f"clip-{i:03d}", provider=ProviderId.SONIC if i % 2 else ProviderId.SUNOAPI,
                    origin=Origin.UPLOADED if i % 5 == 0 else Origin.GENERATED, title=title,
                    tags=TAGS[i % len(TAGS)], lyrics="night " * 50)
        row, _ = store.clips.upsert(clip)
        if i % 7 == 6:
            store.clips.set_deleted(row.id, True)


def _ids(store: Store, text: str, **kw) -> list[str]:
    return [r.clip_id for r in store.clips.query(ClipQuery(text=text, limit=1000, **kw))]


@pytest.fixture(params=[200, 1], ids=["rare-texts-listed", "texts-walked"])
def few(request, monkeypatch):
    """A page lists the ids of a rare text's matches and walks the sort order for a
    common one (``clips._FEW``); with a limit of 1 nearly every text takes the walk."""
    monkeypatch.setattr(clips, "_FEW", request.param)
    return request.param


def test_search_finds_exactly_what_the_like_scan_found(sandbox, few):
    store = Store.open(sandbox)
    try:
        _fill(store)
        for text in QUERIES:
            expected = _legacy_ids(store.path, text.strip())
            assert _ids(store, text) == expected, text
            assert store.clips.count(ClipQuery(text=text)) == len(expected), text
            with_deleted = _legacy_ids(store.path, text.strip(), include_deleted=True)
            assert sorted(_ids(store, text, include_deleted=True)) == sorted(with_deleted), text
            assert store.clips.count(ClipQuery(text=text, include_deleted=True)) == len(with_deleted), text
    finally:
        store.close()


def test_search_keeps_what_a_user_sees_today(sandbox):
    """The behaviour the oracle above encodes, spelled out for the cases people type."""
    store = Store.open(sandbox)
    try:
        _fill(store)
        assert set(_ids(store, "NIGHT")) >= {"clip-000", "clip-001", "clip-002"}  # ASCII case folds
        assert "clip-008" in _ids(store, "nights")  # İstanbul Nights: partial words match
        assert _ids(store, "café") == ["clip-003"]  # É is not é: LIKE folds ASCII only, as before
        assert _ids(store, "100%") == ["clip-011", "clip-010"]  # % is literal; newest first
        assert _ids(store, "a_b") == ["clip-012"]  # _ is literal, not a wildcard
        assert _ids(store, 'y "he') == ["clip-014"]  # a quote cannot break the index query
        assert _ids(store, "*star* OR NEAR") == ["clip-028"]  # index syntax is literal text
        assert _ids(store, "zqxj") == [] and store.clips.count(ClipQuery(text="zqxj")) == 0
    finally:
        store.close()


def test_search_combines_with_filters_and_sorts(sandbox, few):
    store = Store.open(sandbox)
    try:
        _fill(store)
        for text in ("night", "ni", "é", "pop", "a"):
            uploaded = _legacy_ids(store.path, text, origin="uploaded")
            assert _ids(store, text, origin=Origin.UPLOADED) == uploaded, text
            assert store.clips.count(ClipQuery(text=text, origin=Origin.UPLOADED)) == len(uploaded), text
            by_title = _legacy_ids(store.path, text, order="title COLLATE NOCASE ASC, id ASC")
            assert _ids(store, text, sort="title", descending=False) == by_title, text
            page = store.clips.query(ClipQuery(text=text, sort="title", descending=False, limit=2, offset=1))
            assert [r.clip_id for r in page] == by_title[1:3], text
    finally:
        store.close()


def test_index_follows_renames_refreshes_deletes_and_purges(sandbox):
    store = Store.open(sandbox)
    try:
        row, _ = store.clips.upsert(Clip(id="p-1", provider=ProviderId.SONIC, title="Old Harbor", tags="folk"))
        assert _ids(store, "harbor") == ["p-1"]
        store.clips.rename(row.id, "New Lantern")
        assert _ids(store, "harbor") == [] and _ids(store, "lantern") == ["p-1"]
        # A poll refreshes the provider's tags: the new tags are searchable, the old gone.
        store.clips.upsert(Clip(id="p-1", provider=ProviderId.SONIC, title="ignored", tags="jazzy"))
        assert _ids(store, "jazzy") == ["p-1"] and _ids(store, "folk") == []
        store.clips.set_deleted(row.id, True)
        assert _ids(store, "lantern") == [] and store.clips.count(ClipQuery(text="lantern")) == 0
        store.clips.set_deleted(row.id, False)
        assert store.clips.count(ClipQuery(text="lantern")) == 1
        store.clips.set_deleted(row.id, True)
        store.clips.purge_deleted()
        assert store.clips.count(ClipQuery(text="lantern", include_deleted=True)) == 0
        assert store.db.query_one("SELECT count(*) FROM clip_text")[0] == 0
        assert store.db.query_one("SELECT count(*) FROM clip_search WHERE clip_search MATCH '\"lantern\"'")[0] == 0
    finally:
        store.close()


def test_a_schema_2_library_gets_its_index_when_opened(sandbox):
    path = sandbox / DB_FILENAME
    conn = sqlite3.connect(str(path), isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    now = time.time()
    conn.executemany(
        "INSERT INTO clips (provider, clip_id, origin, title, tags, state, created_at, updated_at, deleted_at)"
        " VALUES ('sonic', ?, 'generated', ?, ?, 'succeeded', ?, ?, ?)",
        [(f"old-{i}", f"Summer Tide {i}", "lofi" if i % 2 else "house", now - i, now, now if i == 3 else None)
         for i in range(50)],
    )
    conn.close()

    store = Store.open(sandbox)
    try:
        assert store.db.query_one("PRAGMA user_version")[0] == LATEST_VERSION >= 3
        assert store.db.query_one("SELECT count(*) FROM clip_text")[0] == 50
        assert sorted(_ids(store, "tide 4")) == sorted(_legacy_ids(path, "tide 4")) != []
        assert store.clips.count(ClipQuery(text="summer")) == 49  # old-3 was deleted
        assert store.clips.count(ClipQuery(text="lofi")) == 24  # the 25 odd ones, less old-3
        assert store.clips.count(ClipQuery()) == 49
        # New clips after the migration are indexed by the triggers.
        store.clips.upsert(Clip(id="new-1", provider=ProviderId.SONIC, title="Summer Ember"))
        assert _ids(store, "r emb") == ["new-1"]
    finally:
        store.close()


def test_counting_does_not_wait_for_the_shared_connection(sandbox):
    """The "N clips" count reads on its own connection: a long write transaction on the
    shared one (e.g. a burst of results being stored) does not hold it up."""
    store = Store.open(sandbox)
    try:
        _fill(store)
        expected = len(_legacy_ids(store.path, "night"))
        inside, release = threading.Event(), threading.Event()

        def hold() -> None:
            with store.db.transaction() as conn:
                conn.execute("UPDATE clips SET updated_at = updated_at")
                inside.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert inside.wait(5)
            result: list[int] = []
            counter = threading.Thread(target=lambda: result.append(store.clips.count(ClipQuery(text="night"))))
            counter.start()
            counter.join(5)
            assert result == [expected], "the count waited for the shared connection's lock"
        finally:
            release.set()
            holder.join(5)
    finally:
        store.close()


@pytest.mark.parametrize("text", ["n", "night", "zqxj"])
def test_count_connection_closes_with_the_store(sandbox, text):
    store = Store.open(sandbox)
    _fill(store)
    store.clips.count(ClipQuery(text=text))
    store.close()
    # Nothing keeps the file busy: another connection can take an exclusive lock at once.
    conn = sqlite3.connect(str(sandbox / DB_FILENAME), timeout=0.1)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()
