"""Personas: create one at the provider from a clip (paid), and keep a local list of them.

Creation validates first (window 10-30 s inside the clip on sunoapi.org, generated
clips only there, ...), so a mistake costs nothing.  Renaming, notes and deleting
are local: the provider's persona id keeps working regardless.
"""

from __future__ import annotations

from ..core.capabilities import capabilities
from ..core.models import AssetKind, PersonaRequest
from ..core.validation import check_persona, ensure
from ..store.records import PersonaRecord
from .context import ServiceContext
from .eligibility import Preflight, persona_source
from .events import PersonaAdded, PersonaRemoved, PersonaUpdated


class PersonaService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def create(
        self,
        clip: int,
        name: str,
        description: str,
        styles: str = "",
        vocal_start: float | None = None,
        vocal_end: float | None = None,
    ) -> PersonaRecord:
        ensure(list(self.preflight(clip).problems))  # the source first, in the window's words
        provider = await self._ctx.active_provider()
        detail = self._ctx.store.clips.detail(clip)
        source = detail.to_clip()
        ensure(check_persona(provider.capabilities, source, name, description, vocal_start, vocal_end))
        persona = await provider.create_persona(
            PersonaRequest(source, name.strip(), description.strip(), styles.strip(), vocal_start, vocal_end,
                           self._saved_vox(clip, vocal_start, vocal_end))
        )
        persona.source_clip_id = persona.source_clip_id or source.id
        persona.source_task_id = persona.source_task_id or source.source_task_id
        record = self._ctx.store.personas.add(persona, source_clip=clip)
        self._ctx.events.emit(PersonaAdded(record))
        return record

    def _saved_vox(self, clip: int, start: float | None, end: float | None) -> str | None:
        """A VOX made of exactly this window goes along with it (sonic, contract 2.6)."""
        for asset in self._ctx.store.assets.for_clip(clip, AssetKind.VOX):
            data = asset.data
            if start is not None and (data.get("vocal_start_s"), data.get("vocal_end_s")) == (start, end):
                return data.get("vox_audio_id")
        return None

    def preflight(self, clip: int, *, audio_path: str | None = None, needs_audio: bool = False) -> Preflight:
        """Can this library clip make a persona at the active provider (and on what terms)?

        ``needs_audio``: the caller needs a local copy (the window's range picker).
        """
        store = self._ctx.store
        detail = store.clips.detail(clip)
        task = None
        if detail.lineage is not None and detail.lineage.task is not None:
            try:
                task = store.tasks.get(detail.lineage.task)
            except KeyError:
                task = None
        return persona_source(capabilities(self._ctx.provider_id), detail, task,
                              audio_path=audio_path, needs_audio=needs_audio)

    def list(self, text: str = "") -> list[PersonaRecord]:
        return self._ctx.store.personas.list(text)

    def get(self, persona: int) -> PersonaRecord:
        return self._ctx.store.personas.get(persona)

    def find(self, persona_id: str) -> PersonaRecord | None:
        return self._ctx.store.personas.find(self._ctx.provider_id, persona_id)

    def rename(self, persona: int, name: str) -> PersonaRecord:
        record = self._ctx.store.personas.update(persona, name=name.strip())
        self._ctx.events.emit(PersonaUpdated(record))
        return record

    def set_notes(self, persona: int, notes: str) -> PersonaRecord:
        record = self._ctx.store.personas.update(persona, notes=notes)
        self._ctx.events.emit(PersonaUpdated(record))
        return record

    def delete_local(self, persona: int) -> None:
        self._ctx.store.personas.delete(persona)
        self._ctx.events.emit(PersonaRemoved(persona))

