"""Opening the library database safely: WAL, foreign keys, migrations, corruption checks.

The database holds paid results, so opening it must never make things worse: a file
that is not a database, fails its integrity check, or was written by a newer version
of the app is copied aside and reported - it is never migrated, truncated or replaced.
Opening (integrity check + migrations) can take a while on a big library, so
``Database.open`` is a plain function the services run in an executor; afterwards
small reads and writes are fast enough to run on the event loop, serialised by a lock
(the connection is shared with executor threads for big queries).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from .schema import LATEST_VERSION, MIGRATIONS

log = logging.getLogger(__name__)

DB_FILENAME = "library.sqlite3"


class DatabaseError(Exception):
    """The library database cannot be used; ``str()`` is a sentence for a person."""

    def __init__(self, message: str, *, path: Path, backup_path: Path | None = None) -> None:
        self.path = path
        self.backup_path = backup_path
        super().__init__(message)


class CorruptDatabaseError(DatabaseError):
    pass


class NewerSchemaError(DatabaseError):
    pass


class Database:
    """One SQLite connection with a lock; see the module docstring for the threading rule."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: Path) -> "Database":
        """Open (creating if needed) and migrate; raises ``DatabaseError`` subclasses."""
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists() and path.stat().st_size > 0
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10.0)
        except sqlite3.DatabaseError as exc:
            raise _corrupt(path, exc) from None
        try:
            # Checks first: they only read, so a file we refuse is left exactly as it was.
            version = _check(conn, path, existed)
            _configure(conn)
            if version < LATEST_VERSION:
                if existed and version > 0:
                    _backup(path, f"pre-v{LATEST_VERSION}")
                _migrate(conn, version)
        except DatabaseError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _corrupt(path, exc) from None
        return cls(path, conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------ access
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """One statement in its own transaction (autocommit)."""
        with self._lock:
            return self._conn.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements that must land together (e.g. a clip and its lineage)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


def _configure(conn: sqlite3.Connection) -> None:
    # isolation_level=None (see open): we issue BEGIN/COMMIT ourselves, so every write
    # we call "persisted" really is committed when the call returns.
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 10000")  # the CLI and the GUI may share the file
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("SQLite refused WAL mode (got %s); continuing", mode)
    # FULL: a committed task id survives a power cut, not just a crash.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _check(conn: sqlite3.Connection, path: Path, existed: bool) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST_VERSION:
        backup = _backup(path, f"v{version}")
        raise NewerSchemaError(
            f"The library at {path} was written by a newer version of Sonic Studio "
            f"(schema {version}, this version understands up to {LATEST_VERSION}). "
            f"Update Sonic Studio; the file was left untouched (a copy is at {backup}).",
            path=path,
            backup_path=backup,
        )
    if existed:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise _corrupt(path, sqlite3.DatabaseError(result))
    return version


def _migrate(conn: sqlite3.Connection, current: int) -> None:
    for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
        log.info("migrating library database to schema %d", number)
        try:
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _corrupt(path: Path, exc: Exception) -> CorruptDatabaseError:
    backup = _backup(path, "corrupt") if path.exists() else None
    where = f" A copy is at {backup}." if backup else ""
    return CorruptDatabaseError(
        f"The library database {path} is damaged and cannot be opened ({exc}). "
        f"It was left untouched.{where} Move it away to start a new library, "
        "or restore it from a backup.",
        path=path,
        backup_path=backup,
    )


def _backup(path: Path, label: str) -> Path:
    """Copy the database (and its WAL) aside; returns the main copy's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    shutil.copy2(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.copy2(side, target.with_name(target.name + suffix))
    log.warning("copied library database to %s", target)
    return target
