"""Clip rows and their lineage, and the library queries the GUI lists from.

Queries filter and sort in SQL over indexed columns and return light ``ClipRow``s, so
a library of 10,000 clips lists in milliseconds; ``get`` adds the heavy fields and
lineage for one clip.  Deleting is soft (``deleted_at``) so the UI can undo; ``purge``
removes rows for good and hands back the files to remove.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..core.models import Clip, ClipState, Origin, ProviderId, TaskKind
from .database import Database
from .records import ClipDetail, ClipQuery, ClipRow, Lineage

# A row carries its lineage (and the parent's title) so the library list can say where
# each clip came from without a query per row.
_ROW_COLUMNS = """
    c.id, c.provider, c.clip_id, c.origin, c.title, c.tags, c.duration, c.model, c.state,
    c.created_at, c.audio_path, c.image_path, c.download_error, c.deleted_at, c.full_song_of,
    l.task_kind, l.persona_id, l.clip AS has_lineage, l.task AS l_task, l.parent_clip,
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
        return _row(found)

    def find(self, provider: ProviderId, clip_id: str) -> ClipRow | None:
        found = self._db.query_one(
            f"SELECT {_ROW_COLUMNS} {_FROM} WHERE c.provider = ? AND c.clip_id = ?", (provider.value, clip_id)
        )
        return _row(found) if found else None

    def detail(self, clip: int) -> ClipDetail:
        found = self._db.query_one(
            f"""SELECT {_ROW_COLUMNS}, c.lyrics, c.audio_url, c.stream_url, c.image_url, c.source_task_id,
                       c.provider_error
                {_FROM} WHERE c.id = ?""",
            (clip,),
        )
        if found is None:
            raise KeyError(f"no clip {clip}")
        base = _row(found)
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
        where, params = _where(q)
        order = _SORTS.get(q.sort, _SORTS["created"]).format(dir="DESC" if q.descending else "ASC")
        rows = self._db.query(
            f"SELECT {_ROW_COLUMNS} {_FROM} {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, q.limit, q.offset),
        )
        return [_row(r) for r in rows]

    def count(self, q: ClipQuery) -> int:
        where, params = _where(q)
        return self._db.query_one(f"SELECT count(*) {_FILTER_FROM} {where}", params)[0]


def _where(q: ClipQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if not q.include_deleted:
        clauses.append("c.deleted_at IS NULL")
    if q.text.strip():
        pattern = "%" + q.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(c.title LIKE ? ESCAPE '\\' OR c.tags LIKE ? ESCAPE '\\' OR c.clip_id LIKE ? ESCAPE '\\')"
        )
        params += [pattern, pattern, pattern]
    if q.origin is not None:
        clauses.append("c.origin = ?")
        params.append(Origin(q.origin).value)
    if q.provider is not None:
        clauses.append("c.provider = ?")
        params.append(ProviderId(q.provider).value)
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
