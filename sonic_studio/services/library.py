"""The library as the GUI sees it: queries, details with lineage, rename, delete with undo.

Listing runs in an executor because a broad query over a big library is the one
store call that can take noticeable time; single-clip calls are fast and run inline.
Deleting is soft so "Undo" is a restore; ``purge_deleted`` removes rows and files.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ..core.models import ProviderId
from ..store.records import ClipDetail, ClipQuery, ClipRow
from .context import ServiceContext
from .events import ClipAdded, ClipRemoved, ClipUpdated

log = logging.getLogger(__name__)


class LibraryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def query(self, query: ClipQuery | None = None) -> list[ClipRow]:
        q = query or ClipQuery()
        return await asyncio.get_running_loop().run_in_executor(None, self._ctx.store.clips.query, q)

    def count(self, query: ClipQuery | None = None) -> int:
        return self._ctx.store.clips.count(query or ClipQuery())

    def get(self, clip: int) -> ClipDetail:
        return self._ctx.store.clips.detail(clip)

    def find(self, provider: ProviderId | str, clip_id: str) -> ClipRow | None:
        return self._ctx.store.clips.find(ProviderId(provider), clip_id)

    def rename(self, clip: int, title: str) -> ClipRow:
        row = self._ctx.store.clips.rename(clip, title.strip())
        self._ctx.events.emit(ClipUpdated(row))
        return row

    def delete(self, clip: int) -> None:
        self._ctx.store.clips.set_deleted(clip, True)
        self._ctx.events.emit(ClipRemoved(clip))

    def restore(self, clip: int) -> ClipRow:
        row = self._ctx.store.clips.set_deleted(clip, False)
        self._ctx.events.emit(ClipAdded(row))
        return row

    async def purge_deleted(self) -> int:
        """Forget soft-deleted clips for good and remove their files from the library."""
        return await asyncio.get_running_loop().run_in_executor(None, self._purge)

    def _purge(self) -> int:
        rows = self._ctx.store.clips.purge_deleted()
        for _clip, *paths in rows:
            for path in paths:
                if path:
                    try:
                        Path(path).unlink(missing_ok=True)
                    except OSError as exc:
                        log.warning("could not remove %s: %s", path, exc)
        return len(rows)
