"""Clip rows and their lineage, and the library queries the GUI lists from.

Queries filter and sort in SQL over indexed columns and return light ``ClipRow``s, so
a library of 100,000 clips lists in milliseconds; ``get`` adds the heavy fields and
lineage for one clip.  Deleting is soft (``deleted_at``) so the UI can undo; ``purge``
removes rows for good and hands back the files to remove.

Search text matches title, tags and provider clip id as a case-insensitive (ASCII)
substring: SQLite's ``LIKE '%text%'``.  That LIKE still decides, but over the narrow
``clip_text`` copy (schema 3) instead of the wide clip rows, and for 3+ characters only
over the candidates the FTS5 trigram index ``clip_search`` finds, so results are the
same as a plain scan's.  A page lists a rare text's few matches and walks the sort order
for a common one (``ClipRepo._page_where``).  ``count`` runs on a read-only connection of its own (WAL lets
it read beside the shared one), so the "N clips" count of one keystroke never holds the
lock the next keystroke's page query needs.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import replace
from typing import Any

from ..core.models import Clip, ClipState, Origin, ProviderId, TaskKind
from ..core.takes import TaskClip, take_labels
from .database import Database
from .records import ClipDetail, ClipQuery, ClipRow, Lineage

# A row carries its lineage (and the parent's title) so the library list can say where
# each clip came from without a query per row.
_ROW_COLUMNS = """
    c.id, c.provider, c.clip_id, c.origin, c.title, c.tags, c.duration, c.model, c.state,
    c.created_at, c.audio_path, c.image_path, c.download_error, c.deleted_at, c.full_song_of,
    c.keeper, c.task AS c_task, l.task_kind, l.persona_id, l.clip AS has_lineage, l.task AS l_task, l.parent_clip,
    l.parent_clip_id, l.source_url, l.params_json, p.title AS parent_title
"""
_FILTER_FROM = "FROM clips c LEFT JOIN lineage l ON l.clip = c.id"  # what the filters (and count) need
_FROM = f"{_FILTER_FROM} LEFT JOIN clips p ON p.id = l.parent_clip"
_SORTS = {
    "created": "c.created_at {dir}, c.id {dir}",
    "title": "c.title COLLATE NOCASE {dir}, c.id {dir}",
    "duration": "c.duration {dir}, c.id {dir}",
}
# Fields a poll may refresh; local ones (paths, title edits, deletion) are ours.
_PROVIDER_FIELDS = (
    "source_task_id", "tags", "lyrics", "duration", "audio_url", "stream_url", "image_url",
    "model", "state", "provider_error", "provider_created_at", "full_song_of",
)


class ClipRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._counter: sqlite3.Connection | None = None  # opened by the first count
        self._counter_lock = threading.Lock()

    def close(self) -> None:
        """Close the counting connection (``Store.close`` calls this)."""
        with self._counter_lock:
            if self._counter is not None:
                self._counter.close()
                self._counter = None

    # ------------------------------------------------------------------ writes
    def upsert(self, clip: Clip, *, task: int | None = None) -> tuple[ClipRow, bool]:
        """Insert or refresh a clip the provider told us about; returns (row, created)."""
        now = time.time()
        values = {
            "source_task_id": clip.source_task_id,
            "tags": clip.tags or "",
            "lyrics": clip.lyrics or "",
            "duration": clip.duration,
            "audio_url": clip.audio_url,
            "stream_url": clip.stream_url,
            "image_url": clip.image_url,
            "model": clip.model,
            "state": clip.state.value,
            "provider_error": clip.error,
            "provider_created_at": clip.created_at,
            "full_song_of": clip.full_song_of,
        }
        with self._db.transaction() as conn:
            existing = conn.execute(
                "SELECT id, title FROM clips WHERE provider = ? AND clip_id = ?",
                (clip.provider.value, clip.id),
            ).fetchone()
            if existing is None:
                cursor = conn.execute(
                    f"""INSERT INTO clips (provider, clip_id, origin, task, title, created_at, updated_at,
                                           {', '.join(_PROVIDER_FIELDS)})
                        VALUES (?, ?, ?, ?, ?, ?, ?, {', '.join('?' * len(_PROVIDER_FIELDS))})""",
                    (clip.provider.value, clip.id, clip.origin.value, task, clip.title or "", now, now,
                     *values.values()),
                )
                local_id, created = int(cursor.lastrowid), True
            else:
                local_id, created = existing["id"], False
                # Keep a rename the user made; otherwise take the provider's title.
                sets = ", ".join(f"{k} = COALESCE(?, {k})" for k in _PROVIDER_FIELDS)
                conn.execute(
                    f"""UPDATE clips SET {sets}, task = COALESCE(task, ?),
                               title = CASE WHEN title = '' THEN ? ELSE title END, updated_at = ?
                        WHERE id = ?""",
                    (*values.values(), task, clip.title or "", now, local_id),
                )
        return self.row(local_id), created

    def set_lineage(
        self,
        clip: int,
        *,
        task: int | None,
        task_kind: TaskKind | None,
        parent_clip: int | None = None,
        parent_clip_id: str | None = None,
        source_url: str | None = None,
        params: dict[str, Any] | None = None,
        persona_id: str | None = None,
    ) -> None:
        self._db.execute(
            """INSERT INTO lineage (clip, task, task_kind, parent_clip, parent_clip_id, source_url,
                                    params_json, persona_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(clip) DO UPDATE SET task = excluded.task, task_kind = excluded.task_kind,
                   parent_clip = excluded.parent_clip, parent_clip_id = excluded.parent_clip_id,
                   source_url = excluded.source_url, params_json = excluded.params_json,
                   persona_id = excluded.persona_id""",
            (clip, task, task_kind.value if task_kind else None, parent_clip, parent_clip_id,
             source_url, json.dumps(params or {}), persona_id),
        )

    def set_files(
        self,
        clip: int,
        *,
        audio_path: str | None = None,
        image_path: str | None = None,
        download_error: str | None = None,
        clear_error: bool = False,
    ) -> ClipRow:
        self._db.execute(
            """UPDATE clips SET audio_path = COALESCE(?, audio_path), image_path = COALESCE(?, image_path),
                      download_error = CASE WHEN ? THEN NULL ELSE COALESCE(?, download_error) END,
                      updated_at = ?
               WHERE id = ?""",
            (audio_path, image_path, clear_error, download_error, time.time(), clip),
        )
        return self.row(clip)

    def set_duration(self, clip: int, duration: float | None) -> None:
        """Fill in a duration we measured locally; a provider's own figure is kept."""
        if duration is not None:
            self._db.execute("UPDATE clips SET duration = COALESCE(duration, ?), updated_at = ? WHERE id = ?",
                             (duration, time.time(), clip))

    def rename(self, clip: int, title: str) -> ClipRow:
        self._db.execute("UPDATE clips SET title = ?, updated_at = ? WHERE id = ?", (title, time.time(), clip))
        return self.row(clip)

    def set_deleted(self, clip: int, deleted: bool) -> ClipRow:
        self._db.execute(
            "UPDATE clips SET deleted_at = ?, updated_at = ? WHERE id = ?",
            (time.time() if deleted else None, time.time(), clip),
        )
        return self.row(clip)

    def set_keeper(self, clip: int, keeper: bool) -> ClipRow:
        """Mark (or unmark) the clip as a keeper (★); the user's choice, never a provider's."""
        self._db.execute("UPDATE clips SET keeper = ?, updated_at = ? WHERE id = ?",
                         (int(keeper), time.time(), clip))
        return self.row(clip)

    def purge_deleted(self) -> list[tuple[int, str | None, str | None]]:
        """Drop soft-deleted clips; returns (id, audio_path, image_path) so files can go too."""
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT id, audio_path, image_path FROM clips WHERE deleted_at IS NOT NULL").fetchall()
            conn.execute("DELETE FROM clips WHERE deleted_at IS NOT NULL")
        return [(r["id"], r["audio_path"], r["image_path"]) for r in rows]

    # ------------------------------------------------------------------ reads
    def row(self, clip: int) -> ClipRow:
        found = self._db.query_one(f"SELECT {_ROW_COLUMNS} {_FROM} WHERE c.id = ?", (clip,))
        if found is None:
            raise KeyError(f"no clip {clip}")
        return self._with_takes([_row(found)])[0]

    def find(self, provider: ProviderId, clip_id: str) -> ClipRow | None:
        found = self._db.query_one(
            f"SELECT {_ROW_COLUMNS} {_FROM} WHERE c.provider = ? AND c.clip_id = ?", (provider.value, clip_id)
        )
        return self._with_takes([_row(found)])[0] if found else None

    def takes(self, task: int) -> list[ClipRow]:
        """Every live clip the task made, in take order (full songs after the takes)."""
        rows = self._db.query(f"SELECT {_ROW_COLUMNS} {_FROM} WHERE c.task = ? AND c.deleted_at IS NULL "
                              "ORDER BY c.full_song_of IS NOT NULL, c.id", (task,))
        return self._with_takes([_row(r) for r in rows])

    def _with_takes(self, rows: list[ClipRow]) -> list[ClipRow]:
        """The rows with their take labels (core.takes), from one query over their tasks' clips.

        Deleted siblings are counted too, so take 2 stays take 2 when take 1 is deleted.
        """
        tasks = sorted({r.task for r in rows if r.task is not None})
        if not tasks:
            return rows
        siblings: dict[int, list[TaskClip]] = {}
        for r in self._db.query("SELECT id, clip_id, full_song_of, task FROM clips "
                                "WHERE task IN (SELECT value FROM json_each(?))", (json.dumps(tasks),)):
            siblings.setdefault(r["task"], []).append(TaskClip(r["id"], r["clip_id"], r["full_song_of"]))
        labels: dict[int, str] = {}
        for clips in siblings.values():
            labels.update(take_labels(clips))
        return [replace(r, take=labels[r.id]) if r.id in labels else r for r in rows]

    def detail(self, clip: int) -> ClipDetail:
        found = self._db.query_one(
            f"""SELECT {_ROW_COLUMNS}, c.lyrics, c.audio_url, c.stream_url, c.image_url, c.source_task_id,
                       c.provider_error
                {_FROM} WHERE c.id = ?""",
            (clip,),
        )
        if found is None:
            raise KeyError(f"no clip {clip}")
        base = self._with_takes([_row(found)])[0]
        return ClipDetail(
            **base.__dict__,
            lyrics=found["lyrics"],
            audio_url=found["audio_url"],
            stream_url=found["stream_url"],
            image_url=found["image_url"],
            source_task_id=found["source_task_id"],
            provider_error=found["provider_error"],
        )

    def query(self, q: ClipQuery) -> list[ClipRow]:
        where, params = self._page_where(q)
        order = _SORTS.get(q.sort, _SORTS["created"]).format(dir="DESC" if q.descending else "ASC")
        rows = self._db.query(
            f"SELECT {_ROW_COLUMNS} {_FROM} {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, q.limit, q.offset),
        )
        return self._with_takes([_row(r) for r in rows])

    def count(self, q: ClipQuery) -> int:
        """How many clips match ``q`` (its limit and offset aside)."""
        if _only_text(q):
            # The usual case while typing: count narrow text rows, never the wide clips.
            matches, params = _text_matches(q.text.strip())
            sql = f"SELECT count(*) FROM ({matches})"
            if not q.include_deleted:
                sql += " WHERE id NOT IN (SELECT id FROM clips WHERE deleted_at IS NOT NULL)"
        else:
            where, params = _where(q)
            sql = f"SELECT count(*) {_FILTER_FROM} {where}"
        with self._counter_lock:
            if self._counter is None:
                self._counter = _open_reader(self._db)
            return self._counter.execute(sql, params).fetchone()[0]

    def _page_where(self, q: ClipQuery) -> tuple[str, list[Any]]:
        """``_where`` for one page, shaped by how common the search text is.

        A page walks its sort's index and stops at its limit.  For a text many clips
        contain, testing each clip walked (EXISTS on its narrow text row) stops after a
        few hundred.  For a rare text that walk would cover the whole library, so the
        matching ids are listed instead: a probe in id order finds them all, or stops
        after ``_FEW`` and calls the text common (see ``_FEW``).  From 3 characters the
        probe reads only the trigram index (its candidates include every match), and the
        listed candidates still pass the LIKE.
        """
        text = q.text.strip()
        if not text or _SEPARATOR in text:
            return _where(q)
        pattern = _like_pattern(text)
        if len(text) < 3:
            probe = self._db.query(f"{_SHORT_MATCHES} LIMIT {_FEW + 1}", (pattern,))
            listed = "SELECT value FROM json_each(?)"
        else:
            probe = self._db.query(f"{_CANDIDATES} LIMIT {_FEW + 1}", (_phrase(text),))
            listed = "SELECT id FROM clip_text WHERE id IN (SELECT value FROM json_each(?)) AND body LIKE ? ESCAPE '\\'"
        if len(probe) <= _FEW:
            ids = json.dumps([r[0] for r in probe])
            clause = (f"c.id IN ({listed})", [ids] if len(text) < 3 else [ids, pattern])
        else:
            clause = ("EXISTS (SELECT 1 FROM clip_text t WHERE t.id = c.id AND t.body LIKE ? ESCAPE '\\')",
                      [pattern])
        return _where(q, text_clause=clause)


def _open_reader(db: Database) -> sqlite3.Connection:
    """A second connection to the same file that can only read."""
    conn = sqlite3.connect(str(db.path), isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA query_only = ON")
    return conn


_SEPARATOR = "\x1f"  # joins title, tags and clip id in clip_text.body (schema 3)
# Matches up to which a page lists the matching ids rather than walking the sort order
# (ClipRepo._page_where).  Listing costs one row read per match; walking to fill a page of
# 200 costs about 200 / (share of clips matching) reads, so at 100,000 clips the two meet
# near sqrt(200 * 100,000) = 4,500 matches.
_FEW = 4000


def _text_matches(text: str) -> tuple[str, list[Any]]:
    """SQL selecting the ``id`` of every clip (deleted or not) whose title, tags or clip
    id contains ``text``: exactly ``LIKE '%text%'`` on each of the three.

    One LIKE over the joined body equals the three LIKEs because the text cannot contain
    the separator (a text that does is matched against the three columns).  The trigram
    index only narrows the rows the LIKE looks at: it folds case at least as widely as
    LIKE does, so every row LIKE matches is among its candidates.  A text under 3
    characters has no trigram, so its LIKE reads the whole (narrow) table.
    """
    if not text:
        return "SELECT id FROM clip_text", []
    pattern = _like_pattern(text)
    if _SEPARATOR in text:
        return ("SELECT id FROM clips WHERE title LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\' "
                "OR clip_id LIKE ? ESCAPE '\\'", [pattern, pattern, pattern])
    if len(text) < 3:
        return _SHORT_MATCHES, [pattern]
    return f"SELECT id FROM clip_text WHERE id IN ({_CANDIDATES}) AND body LIKE ? ESCAPE '\\'", [_phrase(text), pattern]


_SHORT_MATCHES = "SELECT id FROM clip_text WHERE body LIKE ? ESCAPE '\\'"
_CANDIDATES = "SELECT rowid FROM clip_search WHERE clip_search MATCH ?"  # in id order


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string, so every character in it is literal."""
    return '"' + text.replace('"', '""') + '"'


def _only_text(q: ClipQuery) -> bool:
    return (q.origin is None and q.provider is None and not q.persona_id and q.since is None and q.until is None
            and not q.keepers_only)


def _where(q: ClipQuery, *, text_clause: tuple[str, list[Any]] | None = None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if q.text.strip():
        # First: it needs no read of the wide clip row, so most clips are passed over
        # without one.
        if text_clause is None:
            matches, text_params = _text_matches(q.text.strip())
            text_clause = (f"c.id IN ({matches})", text_params)
        clauses.append(text_clause[0])
        params += text_clause[1]
    if not q.include_deleted:
        clauses.append("c.deleted_at IS NULL")
    if q.origin is not None:
        clauses.append("c.origin = ?")
        params.append(Origin(q.origin).value)
    if q.provider is not None:
        clauses.append("c.provider = ?")
        params.append(ProviderId(q.provider).value)
    if q.keepers_only:
        clauses.append("c.keeper = 1")
    if q.persona_id:
        clauses.append("l.persona_id = ?")
        params.append(q.persona_id)
    if q.since is not None:
        clauses.append("c.created_at >= ?")
        params.append(q.since)
    if q.until is not None:
        clauses.append("c.created_at < ?")
        params.append(q.until)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row(r) -> ClipRow:
    return ClipRow(
        id=r["id"],
        provider=ProviderId(r["provider"]),
        clip_id=r["clip_id"],
        origin=Origin(r["origin"]),
        title=r["title"],
        tags=r["tags"],
        duration=r["duration"],
        model=r["model"],
        state=ClipState(r["state"]),
        created_at=r["created_at"],
        audio_path=r["audio_path"],
        image_path=r["image_path"],
        download_error=r["download_error"],
        task_kind=TaskKind(r["task_kind"]) if r["task_kind"] else None,
        persona_id=r["persona_id"],
        deleted=r["deleted_at"] is not None,
        full_song_of=r["full_song_of"],
        lineage=_lineage(r),
        keeper=bool(r["keeper"]),
        task=r["c_task"],
    )


def _lineage(r) -> Lineage | None:
    if r["has_lineage"] is None:
        return None
    return Lineage(
        task_kind=TaskKind(r["task_kind"]) if r["task_kind"] else None,
        task=r["l_task"],
        parent_clip=r["parent_clip"],
        parent_clip_id=r["parent_clip_id"],
        parent_title=r["parent_title"],
        source_url=r["source_url"],
        params=json.loads(r["params_json"] or "{}"),
        persona_id=r["persona_id"],
    )
