"""The recovery journal: accepted task ids that the library database could not take.

The provider has accepted (and charged) a request the moment it hands back a task
id.  If writing that id into the database fails - the library is locked by another
program for too long, the disk is full, the folder went read-only - the id must not
be lost with the process.  It is appended here, one JSON line per id, next to the
library file; a line is a few hundred bytes, so it often still fits when SQLite's
page-sized writes no longer do.  The next start (and ``tasks resume``) adopts every
line into the database and then removes the file.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

JOURNAL_FILENAME = "recovery-journal.jsonl"


@dataclass(frozen=True)
class JournalEntry:
    task: int  # the local task row the id belongs to
    provider: str
    provider_task_id: str
    kind: str  # with title and base_url: enough to rebuild the row if it is gone
    title: str
    base_url: str
    reason: str
    at: float


class RecoveryJournal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, task: int, provider: str, provider_task_id: str, *, kind: str, title: str,
               base_url: str, reason: str) -> bool:
        """Append and fsync one entry; False (never raises) when even this cannot be written."""
        entry = JournalEntry(task, provider, provider_task_id, kind, title, base_url, reason, time.time())
        line = (json.dumps(asdict(entry), ensure_ascii=True) + "\n").encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            log.error("could not write task id %s to the recovery journal %s: %s",
                      provider_task_id, self.path, exc)
            return False
        return True

    def entries(self) -> tuple[list[JournalEntry], int]:
        """Every readable entry and the file's size; a torn last line (killed mid-write) is skipped."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        text = raw.decode("utf-8", errors="replace")
        found = []
        for line in text.splitlines():
            try:
                data = json.loads(line)
                found.append(JournalEntry(
                    int(data["task"]), str(data["provider"]), str(data["provider_task_id"]), str(data["kind"]),
                    str(data.get("title", "")), str(data.get("base_url", "")), str(data.get("reason", "")),
                    float(data.get("at", 0.0)),
                ))
            except (ValueError, KeyError, TypeError):
                continue
        return found, len(raw)

    def clear(self, size: int) -> None:
        """Remove the journal once every entry read (``size`` bytes) is safely in the database.

        If another process appended meanwhile the file is kept; its new lines are
        adopted next time, and the old ones are recognised as already known.
        """
        try:
            if self.path.stat().st_size == size:
                self.path.unlink()
        except OSError:
            pass
