"""Task rows: one per paid request, written before the provider is even called.

The row is the app's memory of money spent: it exists from the moment we decide to
submit, gets the provider's task id the moment we learn it, and is what polling
resumes from after a crash.  Request and error JSON never contain the key (domain
requests do not carry it; the service scrubs anyway).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from ..core.errors import StudioError
from ..core.models import ProviderId, TaskKind
from .database import Database
from .records import TaskRecord, TaskState

_UPDATABLE = {
    "provider_task_id", "state", "title", "detail", "progress", "error", "source_clip",
    "source_url", "submitted_at", "finished_at", "attempts", "owner_pid", "base_url",
}

_SELECT = """
    SELECT t.*, (SELECT group_concat(c.id) FROM clips c WHERE c.task = t.id) AS clip_ids
    FROM tasks t
"""


class TaskRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        provider: ProviderId,
        kind: TaskKind,
        *,
        title: str,
        request: dict[str, Any],
        base_url: str,
        source_clip: int | None = None,
        source_url: str | None = None,
    ) -> TaskRecord:
        now = time.time()
        cursor = self._db.execute(
            """INSERT INTO tasks (provider, kind, state, title, detail, request_json, source_clip,
                                  source_url, base_url, owner_pid, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (provider.value, kind.value, TaskState.SUBMITTING.value, title, "sending the request",
             json.dumps(request), source_clip, source_url, base_url, os.getpid(), now, now),
        )
        return self.get(int(cursor.lastrowid))

    def update(self, task_id: int, **changes: Any) -> TaskRecord:
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        columns, values = [], []
        for name, value in changes.items():
            if name == "error":
                name = "error_json"
                value = json.dumps(value.to_dict()) if isinstance(value, StudioError) else None
            elif name == "state":
                value = TaskState(value).value
            columns.append(f"{name} = ?")
            values.append(value)
        columns.append("updated_at = ?")
        values.append(time.time())
        self._db.execute(f"UPDATE tasks SET {', '.join(columns)} WHERE id = ?", (*values, task_id))
        return self.get(task_id)

    def get(self, task_id: int) -> TaskRecord:
        row = self._db.query_one(_SELECT + " WHERE t.id = ?", (task_id,))
        if row is None:
            raise KeyError(f"no task {task_id}")
        return _record(row)

    def find(self, provider_task_id: str, provider: ProviderId | None = None) -> TaskRecord | None:
        sql = _SELECT + " WHERE t.provider_task_id = ?"
        params: list[Any] = [provider_task_id]
        if provider is not None:
            sql += " AND t.provider = ?"
            params.append(provider.value)
        row = self._db.query_one(sql + " ORDER BY t.id DESC", params)
        return _record(row) if row else None

    def list(self, *, active_only: bool = False, limit: int = 500) -> list[TaskRecord]:
        sql = _SELECT
        params: list[Any] = []
        if active_only:
            states = [s.value for s in TaskState if s.active]
            sql += f" WHERE t.state IN ({','.join('?' * len(states))})"
            params += states
        sql += " ORDER BY t.created_at DESC, t.id DESC LIMIT ?"
        params.append(limit)
        return [_record(r) for r in self._db.query(sql, params)]

    def for_source(self, clip: int, kinds: list[TaskKind] | None = None) -> list[TaskRecord]:
        """Tasks asked for about ``clip`` (its WAV, stems, whole song...), newest first."""
        sql, params = _SELECT + " WHERE t.source_clip = ?", [clip]
        if kinds:
            sql += f" AND t.kind IN ({','.join('?' * len(kinds))})"
            params += [k.value for k in kinds]
        return [_record(r) for r in self._db.query(sql + " ORDER BY t.id DESC", params)]

    def in_states(self, *states: TaskState) -> list[TaskRecord]:
        values = [s.value for s in states]
        sql = _SELECT + f" WHERE t.state IN ({','.join('?' * len(values))}) ORDER BY t.id"
        return [_record(r) for r in self._db.query(sql, values)]

    def claim(self, task_id: int, pid: int, alive: Callable[[int], bool]) -> int | None:
        """Make ``pid`` the one process that polls and downloads this task.

        Returns None when claimed, or the pid of another live process that already
        follows it (the window and the CLI share the library; two followers would
        download every clip twice).  One transaction, so of two processes claiming at
        once exactly one wins.  A dead owner's claim is simply taken over.
        """
        with self._db.transaction() as conn:
            row = conn.execute("SELECT owner_pid FROM tasks WHERE id = ?", (task_id,)).fetchone()
            owner = row["owner_pid"] if row else None
            if owner is not None and owner != pid and alive(owner):
                return owner
            conn.execute("UPDATE tasks SET owner_pid = ? WHERE id = ?", (pid, task_id))
        return None

    def release(self, task_id: int, pid: int) -> None:
        """This process stops following the task; another may claim it."""
        self._db.execute("UPDATE tasks SET owner_pid = NULL WHERE id = ? AND owner_pid = ?", (task_id, pid))

    def owner_pid(self, task_id: int) -> int | None:
        row = self._db.query_one("SELECT owner_pid FROM tasks WHERE id = ?", (task_id,))
        return row["owner_pid"] if row else None


def _record(row) -> TaskRecord:
    error = None
    if row["error_json"]:
        error = StudioError.from_dict(json.loads(row["error_json"]))
    ids = tuple(sorted(int(x) for x in row["clip_ids"].split(","))) if row["clip_ids"] else ()
    return TaskRecord(
        id=row["id"],
        provider=ProviderId(row["provider"]),
        provider_task_id=row["provider_task_id"],
        kind=TaskKind(row["kind"]),
        state=TaskState(row["state"]),
        title=row["title"],
        detail=row["detail"],
        progress=row["progress"],
        error=error,
        request=json.loads(row["request_json"] or "{}"),
        source_clip=row["source_clip"],
        source_url=row["source_url"],
        base_url=row["base_url"],
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        attempts=row["attempts"],
        clip_ids=ids,
    )
