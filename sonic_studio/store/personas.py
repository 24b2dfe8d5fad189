"""Persona rows: voices created at the provider, with the user's own name and notes.

Deleting here only forgets a persona locally: neither provider documents deleting
one, and the provider id keeps working for generation.
"""

from __future__ import annotations

import time

from ..core.models import Persona, ProviderId
from .database import Database
from .records import PersonaRecord


class PersonaRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, persona: Persona, *, source_clip: int | None) -> PersonaRecord:
        now = time.time()
        self._db.execute(
            """INSERT INTO personas (provider, persona_id, name, description, styles, source_clip,
                                     source_clip_id, source_task_id, vocal_start, vocal_end,
                                     created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(provider, persona_id) DO UPDATE SET
                   name = excluded.name, description = excluded.description, styles = excluded.styles,
                   updated_at = excluded.updated_at""",
            (persona.provider.value, persona.id, persona.name, persona.description, persona.styles,
             source_clip, persona.source_clip_id, persona.source_task_id, persona.vocal_start,
             persona.vocal_end, now, now),
        )
        found = self.find(persona.provider, persona.id)
        assert found is not None
        return found

    def get(self, persona: int) -> PersonaRecord:
        row = self._db.query_one("SELECT * FROM personas WHERE id = ?", (persona,))
        if row is None:
            raise KeyError(f"no persona {persona}")
        return _record(row)

    def find(self, provider: ProviderId, persona_id: str) -> PersonaRecord | None:
        row = self._db.query_one(
            "SELECT * FROM personas WHERE provider = ? AND persona_id = ?", (provider.value, persona_id)
        )
        return _record(row) if row else None

    def list(self, text: str = "", provider: ProviderId | None = None) -> list[PersonaRecord]:
        sql = "SELECT * FROM personas WHERE 1 = 1"
        params: list = []
        if text.strip():
            pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql += (" AND (name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\'"
                    " OR styles LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\' OR persona_id LIKE ? ESCAPE '\\')")
            params += [pattern] * 5
        if provider is not None:
            sql += " AND provider = ?"
            params.append(provider.value)
        sql += " ORDER BY created_at DESC, id DESC"
        return [_record(r) for r in self._db.query(sql, params)]

    def update(self, persona: int, *, name: str | None = None, notes: str | None = None) -> PersonaRecord:
        self._db.execute(
            """UPDATE personas SET name = COALESCE(?, name), notes = COALESCE(?, notes), updated_at = ?
               WHERE id = ?""",
            (name, notes, time.time(), persona),
        )
        return self.get(persona)

    def delete(self, persona: int) -> None:
        self._db.execute("DELETE FROM personas WHERE id = ?", (persona,))


def _record(r) -> PersonaRecord:
    return PersonaRecord(
        id=r["id"],
        provider=ProviderId(r["provider"]),
        persona_id=r["persona_id"],
        name=r["name"],
        description=r["description"],
        styles=r["styles"],
        source_clip=r["source_clip"],
        source_clip_id=r["source_clip_id"],
        source_task_id=r["source_task_id"],
        vocal_start=r["vocal_start"],
        vocal_end=r["vocal_end"],
        notes=r["notes"],
        created_at=r["created_at"],
    )
