"""The library as the GUI sees it: queries, details with lineage, rename, delete with undo, tagged export.

Listing runs in an executor because a broad query over a big library is the one
store call that can take noticeable time; single-clip calls are fast and run inline.
Deleting is soft so "Undo" is a restore; ``purge_deleted`` removes rows and files.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path

from ..audio import edit
from ..audio.tags import DEFAULT_ARTIST, ClipTags, TagError, cover_bytes, write_tags
from ..core.capabilities import capabilities
from ..core.errors import ValidationError
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

    def get_or_none(self, clip: int | None) -> ClipDetail | None:
        """The clip's details, or None for no selection or a clip that no longer exists."""
        if clip is None or clip < 0:
            return None
        try:
            return self.get(clip)
        except KeyError:
            return None

    def namesakes(self, title: str) -> int:
        """How many clips in the library carry exactly ``title`` (a lineage line that names one
        of them then says which, by take and date)."""
        if not title:
            return 0
        rows = self._ctx.store.clips.query(ClipQuery(text=title, limit=100))
        return sum(1 for row in rows if row.title == title)

    def find(self, provider: ProviderId | str, clip_id: str) -> ClipRow | None:
        return self._ctx.store.clips.find(ProviderId(provider), clip_id)

    def rename(self, clip: int, title: str) -> ClipRow:
        row = self._ctx.store.clips.rename(clip, title.strip())
        self._ctx.events.emit(ClipUpdated(row))
        return row

    def set_keeper(self, clip: int, keeper: bool) -> ClipRow:
        """Mark the take the user chose (★), or take the mark away."""
        row = self._ctx.store.clips.set_keeper(clip, keeper)
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

    # ------------------------------------------------------------------ export
    def export(self, clip: int, dest: str | os.PathLike[str], fmt: str | None = None) -> Path:
        """Write ``clip``'s audio to ``dest`` as MP3 or WAV with its tags (blocking: run it in an executor).

        The file gets the user's umask permissions like any program's output.
        """
        detail = self.get(clip)
        if not detail.audio_path or not Path(detail.audio_path).is_file():
            raise ValidationError(f"“{detail.title or detail.clip_id}” is not downloaded yet, so there is "
                                  "nothing to export.", field="clip")
        try:
            return edit.export(detail.audio_path, dest, fmt, tags=self.tags_for(clip))
        except ValueError as exc:  # an unknown format: the sentence is already readable
            raise ValidationError(str(exc), field="format") from None
        except TagError as exc:
            raise ValidationError(str(exc), field="file") from None
        except OSError as exc:  # the destination folder: missing rights, full disk, read-only
            raise ValidationError(f"Cannot write {dest}: {exc.strerror or exc}.", field="file") from None

    def tags_for(self, clip: int) -> ClipTags:
        """What a saved or exported copy of ``clip`` is tagged with."""
        return clip_tags(self._ctx.store, clip)


def clip_tags(store, clip: int) -> ClipTags:
    """What a saved or exported copy of ``clip`` is tagged with (``store``: the library's Store)."""
    detail = store.clips.detail(clip)
    lineage = detail.lineage
    task = store.tasks.get(lineage.task) if lineage and lineage.task is not None else None
    take = detail.take
    persona = None
    if lineage and lineage.persona_id:
        persona = store.personas.find(detail.provider, lineage.persona_id)
    title = detail.title or "Untitled"
    return ClipTags(
        title=f"{title} ({take})" if take else title,
        artist=persona.name if persona else DEFAULT_ARTIST,
        album=_lineage_root(store, detail).title or title,
        lyrics=detail.lyrics,
        comment=_made_with(detail, task.request if task else {}, task.provider_task_id if task else None),
        created=detail.created_at,
        cover=cover_bytes(detail.image_path),
    )


def tag_library_copy(store, clip: int, path: Path) -> bool:
    """Tag the library's own copy of ``clip`` at ``path`` (not yet recorded), atomically.

    The tags go into a copy beside it that then replaces it, so a failure (a file
    mutagen cannot parse, a full disk) leaves the downloaded audio as it was: the
    audio is what was paid for, the tags are a courtesy.  False when not tagged.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("mp3", "wav"):
        return False
    tmp = edit.new_file_beside(path, f".{fmt}.part")
    try:
        shutil.copyfile(path, tmp)
        write_tags(tmp, clip_tags(store, clip), fmt)
        os.replace(tmp, path)
    except (OSError, TagError) as exc:
        log.info("clip %s: library copy not tagged: %s", clip, exc)
        tmp.unlink(missing_ok=True)
        return False
    return True


def _lineage_root(store, detail: ClipDetail) -> ClipDetail:
    """The clip a chain of extends and covers started from (the song's "album")."""
    seen = {detail.id}
    while detail.lineage and detail.lineage.parent_clip is not None and detail.lineage.parent_clip not in seen:
        try:
            detail = store.clips.detail(detail.lineage.parent_clip)
        except KeyError:  # the parent was purged
            break
        seen.add(detail.id)
    return detail


def _made_with(detail: ClipDetail, request: dict, provider_task_id: str | None) -> str:
    """The tag comment: how the clip was made, so a file found later still says where it came from."""
    params = request.get("params") or {}
    lines = []
    if params.get("description"):
        lines.append(f"Prompt: {params['description']}")
    if detail.tags:
        lines.append(f"Style: {detail.tags}")
    if detail.model:
        lines.append(f"Model: {detail.model}")
    ids = [f"clip {detail.clip_id}"] + ([f"task {provider_task_id}"] if provider_task_id else [])
    lines.append(f"Provider: {capabilities(detail.provider).display_name}, {', '.join(ids)}")
    if detail.lineage and detail.lineage.persona_id:
        lines.append(f"Persona: {detail.lineage.persona_id}")
    lines.append("Made with Sonic Studio")
    return "\n".join(lines)
