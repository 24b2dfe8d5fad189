"""Asset rows: what was derived from a clip (WAV, stems, MIDI, timed lyrics, BPM, VOX).

A provider's answer (links, numbers, word timings) is written here the moment it
arrives and before any download starts, so a crash between "paid" and "saved" is
finished from this row, never by asking (and paying) again.  ``files`` are the local
copies; ``urls`` the provider links they came from (kept while they may still work).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..core.models import AssetKind, ProviderId
from .database import Database


class AssetState(str, Enum):
    FETCHING = "fetching"  # the provider answered; files not (all) saved yet
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class AssetRecord:
    id: int
    clip: int
    kind: AssetKind
    task: int | None
    provider: ProviderId
    provider_task_id: str | None
    state: AssetState
    how: str  # provider | local (computed or joined here, free)
    urls: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


class AssetRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, clip: int, kind: AssetKind, provider: ProviderId, *, how: str, task: int | None = None,
               provider_task_id: str | None = None, urls: dict | None = None, data: dict | None = None,
               state: AssetState = AssetState.FETCHING) -> AssetRecord:
        now = time.time()
        cursor = self._db.execute(
            """INSERT INTO assets (clip, kind, task, provider, provider_task_id, state, how, urls_json, data_json,
                                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (clip, AssetKind(kind).value, task, provider.value, provider_task_id, state.value, how,
             json.dumps(urls or {}), json.dumps(data or {}), now, now),
        )
        return self.get(int(cursor.lastrowid))

    def record_answer(self, task: int, clip: int, kind: AssetKind, provider: ProviderId, provider_task_id: str,
                      *, urls: dict, data: dict) -> AssetRecord:
        """A synchronous provider answer and the task's id for it, in one transaction: a
        crash can leave neither or both, never a paid answer with a task that looks unsent."""
        now = time.time()
        with self._db.transaction() as conn:
            cursor = conn.execute(
                """INSERT INTO assets (clip, kind, task, provider, provider_task_id, state, how, urls_json, data_json,
                                       created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'provider', ?, ?, ?, ?)""",
                (clip, AssetKind(kind).value, task, provider.value, provider_task_id, AssetState.FETCHING.value,
                 json.dumps(urls), json.dumps(data), now, now),
            )
            conn.execute(
                """UPDATE tasks SET provider_task_id = ?, state = 'pending', submitted_at = ?, updated_at = ?
                   WHERE id = ? AND provider_task_id IS NULL""",
                (provider_task_id, now, now, task),
            )
        return self.get(int(cursor.lastrowid))

    def update(self, asset: int, *, state: AssetState | None = None, task: int | None = None,
               files: dict | None = None, data: dict | None = None, error: str | None = None) -> AssetRecord:
        changes: dict[str, Any] = {"updated_at": time.time()}
        if state is not None:
            changes["state"] = state.value
        if task is not None:
            changes["task"] = task
        if files is not None:
            changes["files_json"] = json.dumps(files)
        if data is not None:
            changes["data_json"] = json.dumps(data)
        if error is not None or state is AssetState.READY:
            changes["error"] = error
        sql = ", ".join(f"{name} = ?" for name in changes)
        self._db.execute(f"UPDATE assets SET {sql} WHERE id = ?", (*changes.values(), asset))
        return self.get(asset)

    def get(self, asset: int) -> AssetRecord:
        row = self._db.query_one("SELECT * FROM assets WHERE id = ?", (asset,))
        if row is None:
            raise KeyError(f"no asset {asset}")
        return _record(row)

    def by_provider_task(self, provider: ProviderId, provider_task_id: str) -> AssetRecord | None:
        row = self._db.query_one("SELECT * FROM assets WHERE provider = ? AND provider_task_id = ?",
                                 (provider.value, provider_task_id))
        return _record(row) if row else None

    def for_clip(self, clip: int, kind: AssetKind | None = None) -> list[AssetRecord]:
        """Newest first."""
        sql, params = "SELECT * FROM assets WHERE clip = ?", [clip]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(AssetKind(kind).value)
        return [_record(r) for r in self._db.query(sql + " ORDER BY id DESC", params)]


    def whole_songs(self, clip: int) -> list[int]:
        """Clips that are the whole song of ``clip`` (lineage concat): the one deliverable
        that is a clip rather than an asset row, asked for here with the others."""
        rows = self._db.query("SELECT clip FROM lineage WHERE parent_clip = ? AND task_kind = 'concat' ORDER BY clip",
                              (clip,))
        return [r["clip"] for r in rows]


def _record(row) -> AssetRecord:
    return AssetRecord(
        id=row["id"], clip=row["clip"], kind=AssetKind(row["kind"]), task=row["task"],
        provider=ProviderId(row["provider"]), provider_task_id=row["provider_task_id"],
        state=AssetState(row["state"]), how=row["how"], urls=json.loads(row["urls_json"]),
        files=json.loads(row["files_json"]), data=json.loads(row["data_json"]), error=row["error"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )
