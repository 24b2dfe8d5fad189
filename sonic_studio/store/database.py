"""Opening the library database safely: WAL, foreign keys, migrations, corruption checks.

The database holds paid results, so opening it must never make things worse: a file
that is not a database, fails its integrity check, or was written by a newer version
of the app is copied aside and reported - it is never migrated, truncated or replaced.
Opening (integrity check + migrations) can take a while on a big library, so
``Database.open`` is a plain function the services run in an executor; afterwards
small reads and writes are fast enough to run on the event loop, serialised by a lock
(the connection is shared with executor threads for big queries).  Commits do not
fsync (``synchronous = NORMAL``, WAL): the few writes that must survive a power cut
call :meth:`Database.sync` afterwards, off the loop.
"""

from __future__ import annotations

import errno
import itertools
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .schema import LATEST_VERSION, MIGRATIONS

log = logging.getLogger(__name__)

DB_FILENAME = "library.sqlite3"
# How long a write waits for another process (the window, the CLI) to finish its own.
BUSY_TIMEOUT = 10.0
# Less free space than this after a failed write: call it a full disk (SQLite may just say "I/O error").
_FULL_BELOW = 1024 * 1024


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


class StorageFullError(DatabaseError):
    """The disk is full or the folder is read-only: the file is fine, writing is not."""


def storage_problem(exc: BaseException, where: Path | None = None) -> str | None:
    """Words for a write that failed because of the disk or another program, else None.

    SQLite's own texts ("database or disk is full", "attempt to write a readonly
    database") mean nothing to most people, and a full disk must never be reported
    as a damaged library.  SQLite reports ENOSPC on some writes only as "disk I/O
    error", so with ``where`` the free space there is checked too.
    """
    text = str(exc).lower()
    if where is not None and ("i/o error" in text or "unable to open" in text):
        if _nearly_full(where):
            return "the disk is full"
        if where.exists() and not os.access(where, os.W_OK):
            return "the library folder is read-only"
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the library folder is read-only"
    if "disk is full" in text or "no space left" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the library folder is read-only"
    if "locked" in text or "busy" in text:
        return "the library is locked by another program (is another Sonic Studio busy with it?)"
    if "disk i/o error" in text:
        return "the disk reported an input/output error"
    return None


def _nearly_full(path: Path) -> bool:
    for candidate in (path, *path.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free < _FULL_BELOW
            except OSError:
                return False
    return False


class Database:
    """One SQLite connection with a lock; see the module docstring for the threading rule."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self.read_only = False  # see _open_read_only
        # Group sync: callers of ``sync`` take a ticket; one fsync covers every ticket
        # taken before it started (their commits were done by then).
        self._sync_lock = threading.Lock()
        self._ticket_lock = threading.Lock()
        self._tickets = itertools.count(1)
        self._issued = 0
        self._covered = 0

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open (creating if needed) and migrate; raises ``DatabaseError`` subclasses.

        Several processes may open one library at once (the window and the CLI, two
        first starts on an empty folder): the checks, the schema version and the
        migration all happen under one exclusive lock file, so exactly one of them
        creates or upgrades the schema and the others see the result.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _storage(path, exc) from None
        if path.exists() and not os.access(path.parent, os.W_OK):
            return cls._open_read_only(path)
        with _open_lock(path):
            existed = path.exists() and path.stat().st_size > 0
            try:
                conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                       timeout=BUSY_TIMEOUT)
            except sqlite3.DatabaseError as exc:
                raise (_storage(path, exc) if storage_problem(exc, path.parent) else _corrupt(path, exc)) from None
            try:
                # Checks first: they only read, so a file we refuse is left exactly as it was.
                version = _check(conn, path, existed)
                _configure(conn)
                if version < LATEST_VERSION:
                    if existed and version > 0:
                        _backup(conn, path, f"pre-v{LATEST_VERSION}")
                    _migrate(conn, version)
            except DatabaseError:
                conn.close()
                raise
            except (sqlite3.DatabaseError, OSError) as exc:
                conn.close()
                raise (_storage(path, exc) if storage_problem(exc, path.parent) else _corrupt(path, exc)) from None
        return cls(path, conn)

    @classmethod
    def _open_read_only(cls, path: Path) -> Database:
        """A library on a read-only folder or medium: browsing works, every write says "read-only".

        ``immutable`` because SQLite cannot create the WAL index there; nobody can
        change the file meanwhile, so nothing is missed.
        """
        uri = f"{path.resolve().as_uri()}?immutable=1"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _corrupt(path, exc) from None
        if version != LATEST_VERSION:
            conn.close()
            raise StorageFullError(
                f"The library at {path} needs an upgrade (schema {version} to {LATEST_VERSION}), "
                "but the library folder is read-only. Make it writable and start again.",
                path=path,
            )
        log.warning("library folder %s is read-only: opened for reading only", path.parent)
        db = cls(path, conn)
        db.read_only = True
        return db

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

    def sync(self) -> None:
        """Make every commit so far survive a power cut or OS crash, not only an app crash.

        At ``synchronous = NORMAL`` a commit is written to the WAL file but not fsynced.
        An fsync of that file makes it durable: the WAL header and every frame up to the
        last commit reach the disk, and recovery replays them.  If a checkpoint ran
        meanwhile, SQLite fsynced the WAL and the database itself before it reset the WAL,
        so the commit is durable either way.  Done without the connection's lock (fsync
        works on the file, any descriptor): a slow disk delays only the caller - run it
        off the UI thread - never the other readers and writers.  Callers at the same
        time share one fsync (a burst of 200 submits is a few fsyncs, not 400).  Raises
        ``OSError``.
        """
        if self.read_only:
            return
        with self._ticket_lock:  # taken while another fsync runs: the next one covers it
            ticket = next(self._tickets)
            self._issued = ticket
        with self._sync_lock:
            if self._covered >= ticket:
                return  # an fsync that started after our commit has finished
            covers = self._issued
            wal = self.path.with_name(self.path.name + "-wal")
            # SQLite takes no POSIX locks on the WAL file itself (they live on the database
            # and -shm files), so opening and closing it here cannot drop the connection's.
            _fsync(wal, os.O_RDONLY if os.name == "posix" else os.O_RDWR)
            if os.name == "posix":
                _fsync(self.path.parent, os.O_RDONLY)  # a WAL file created since start is found again
            self._covered = covers

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


def _fsync(target: Path, flags: int) -> None:
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        return  # no WAL: every commit is already in the (checkpointed, fsynced) database file
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):  # a folder this file system cannot fsync
            raise
    finally:
        os.close(fd)


def _configure(conn: sqlite3.Connection) -> None:
    # isolation_level=None (see open): we issue BEGIN/COMMIT ourselves, so every write
    # we call "persisted" really is committed when the call returns.
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")  # the CLI and the GUI may share the file
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("SQLite refused WAL mode (got %s); continuing", mode)
    # NORMAL in WAL mode: a commit is in the WAL file when COMMIT returns, so it survives
    # the app crashing or being killed; only the fsync waits for the next checkpoint, so
    # commits no longer stall whoever waits for the lock (the UI loop).  The writes that
    # must also survive a power cut (a provider's task id) call ``Database.sync`` after
    # committing; see docs/reliability.md, "Durability".
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _check(conn: sqlite3.Connection, path: Path, existed: bool) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST_VERSION:
        backup = _backup(conn, path, f"v{version}")
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
    backup = _copy_aside(path) if path.exists() else None
    where = f" A copy is at {backup}." if backup else ""
    return CorruptDatabaseError(
        f"The library database {path} is damaged and cannot be opened ({exc}). "
        f"It was left untouched.{where} Move it away to start a new library, "
        "or restore it from a backup.",
        path=path,
        backup_path=backup,
    )


def _storage(path: Path, exc: BaseException) -> StorageFullError:
    problem = storage_problem(exc, path.parent) or str(exc)
    return StorageFullError(
        f"The library at {path} cannot be written because {problem}. The library itself is not "
        "damaged and nothing in it was changed. Free some space (or fix the folder's permissions) "
        "and start again.",
        path=path,
    )


def _backup_target(path: Path, label: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.{label}-{stamp}-{os.getpid()}.bak")


def _backup(conn: sqlite3.Connection, path: Path, label: str) -> Path:
    """A consistent copy of the open database through SQLite's backup API.

    Never a file copy of a live database: copying the -wal/-shm files while another
    process writes them gives a torn copy, and opening and closing them from this
    process silently drops this connection's POSIX locks.  A copy that could not be
    finished is removed, so a full disk leaves no 0-byte "backup" behind.
    """
    target = _backup_target(path, label)
    try:
        dest = sqlite3.connect(str(target))
        try:
            conn.backup(dest)
        finally:
            dest.close()
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        if storage_problem(exc, path.parent):
            raise _storage(path, exc) from None
        raise
    log.warning("copied library database to %s", target)
    return target


def _copy_aside(path: Path) -> Path | None:
    """Byte copy of a file SQLite cannot read (so the backup API cannot either); our connection is closed."""
    target = _backup_target(path, "corrupt")
    copied: list[Path] = []
    try:
        for suffix in ("", "-wal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                dest = target.with_name(target.name + suffix)
                copied.append(dest)
                dest.write_bytes(side.read_bytes())
    except OSError as exc:
        log.warning("could not copy the damaged library aside: %s", exc)
        for dest in copied:
            try:
                dest.unlink(missing_ok=True)
            except OSError:
                pass
        return None
    log.warning("copied library database to %s", target)
    return target


@contextmanager
def _open_lock(path: Path) -> Iterator[None]:
    """Exclusive lock on ``<db>.lock`` for the time of opening (checks, version, migration)."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = open(lock_path, "a+b")  # noqa: SIM115 (held across the yield, closed below)
    except OSError:
        # A read-only folder: nobody can migrate here anyway, so there is nothing to serialise.
        yield
        return
    try:
        _lock_file(handle)
        yield
    finally:
        handle.close()  # closing releases the lock


def _lock_file(handle) -> None:
    if os.name == "posix":
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    else:  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue
