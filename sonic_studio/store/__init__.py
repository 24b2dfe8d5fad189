"""The local library: SQLite tables for tasks, clips, lineage, personas and derived assets.

``Store.open(data_dir)`` is blocking (integrity check, migrations): run it in an
executor.  After that the repositories' small reads and writes are fine on the event
loop; ``clips.query`` over a big library is better awaited in an executor too.
"""

from __future__ import annotations

import os
from pathlib import Path

from .assets import AssetRepo
from .clips import ClipRepo
from .database import (
    DB_FILENAME,
    CorruptDatabaseError,
    Database,
    DatabaseError,
    NewerSchemaError,
    StorageFullError,
    storage_problem,
)
from .journal import JOURNAL_FILENAME, RecoveryJournal
from .personas import PersonaRepo
from .records import ClipDetail, ClipQuery, ClipRow, Lineage, PersonaRecord, TaskRecord, TaskState
from .tasks import TaskRepo


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.tasks = TaskRepo(db)
        self.clips = ClipRepo(db)
        self.personas = PersonaRepo(db)
        self.assets = AssetRepo(db)
        self.journal = RecoveryJournal(db.path.with_name(JOURNAL_FILENAME))
        self._identity = _identity(db.path)

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        return cls(Database.open(Path(data_dir) / DB_FILENAME))

    @property
    def path(self) -> Path:
        return self.db.path

    def missing(self) -> bool:
        """Whether the library file was deleted or replaced since it was opened.

        SQLite keeps writing to a deleted file through the open connection, so without
        this check a task finished after ``rm -r`` of the data dir looks saved.
        """
        return _identity(self.path) != self._identity

    def close(self) -> None:
        self.clips.close()
        self.db.close()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


__all__ = [
    "ClipDetail", "ClipQuery", "ClipRow", "CorruptDatabaseError", "DB_FILENAME", "DatabaseError",
    "JOURNAL_FILENAME", "Lineage", "NewerSchemaError", "PersonaRecord", "RecoveryJournal", "Store",
    "StorageFullError", "TaskRecord", "TaskState", "storage_problem",
]
