"""Personas: create one at the provider from a clip (paid), and keep a local list of them.

Creation validates first (window 10-30 s inside the clip on sunoapi.org, generated
clips only there, ...), so a mistake costs nothing.  Renaming, notes and deleting
are local: the provider's persona id keeps working regardless.

Where plain creation is withdrawn but a vocal extraction (VOX) of the window works
(the AI Music API, contract 2.6), that is the route: the VOX of the window is reused
when saved, else bought through ``DeliverableService`` (persisted before sending,
never twice), and the persona is made from it.
"""

from __future__ import annotations

from ..core.capabilities import capabilities
from ..core.errors import StudioError
from ..core.models import AssetKind, PersonaRequest
from ..core.validation import check_persona, ensure
from ..store.assets import AssetState
from ..store.records import PersonaRecord, TaskState
from .context import ServiceContext
from .deliverables import DeliverableService
from .eligibility import Preflight, persona_source
from .events import PersonaAdded, PersonaRemoved, PersonaUpdated


class PersonaService:
    def __init__(self, ctx: ServiceContext, deliverables: DeliverableService) -> None:
        self._ctx = ctx
        self._deliverables = deliverables  # the paid vocal extraction some providers need first

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
        caps = provider.capabilities
        if caps.persona_via_vox and vocal_start is None and vocal_end is None:
            vocal_start, vocal_end = caps.persona_window.default_for(source.duration)
        ensure(check_persona(caps, source, name, description, vocal_start, vocal_end))
        vox = await self._vox(clip, vocal_start, vocal_end) if caps.persona_via_vox else None
        persona = await provider.create_persona(
            PersonaRequest(source, name.strip(), description.strip(), styles.strip(), vocal_start, vocal_end, vox)
        )
        persona.source_clip_id = persona.source_clip_id or source.id
        persona.source_task_id = persona.source_task_id or source.source_task_id
        record = self._ctx.store.personas.add(persona, source_clip=clip)
        self._ctx.events.emit(PersonaAdded(record))
        return record

    async def _vox(self, clip: int, start: float | None, end: float | None) -> str:
        """The vocal extraction of exactly this window: the saved one, else a new paid one
        (the deliverables service persists it before sending and never buys it twice)."""
        saved = self._saved_vox(clip, start, end)
        if saved is not None:
            return saved
        outcome = await self._deliverables.request(clip, AssetKind.VOX, vocal_start=start, vocal_end=end)
        if outcome.task is not None:
            done = await self._deliverables.wait(outcome.task.id)
            if done.state is not TaskState.SUCCEEDED:
                why = done.error or done.detail or "it did not finish"
                raise StudioError(f"The vocal extraction the persona is made from failed ({why}); "
                                 "no persona was requested and nothing more was charged.")
        saved = self._saved_vox(clip, start, end)
        if saved is None:
            raise StudioError("The vocal extraction of this range is not saved, so no persona was requested; "
                             "try again when it has finished (see Tasks).")
        return saved

    def _saved_vox(self, clip: int, start: float | None, end: float | None) -> str | None:
        """A finished vocal extraction of exactly this window (sonic, contract 2.6)."""
        for asset in self._ctx.store.assets.for_clip(clip, AssetKind.VOX):
            data = asset.data
            if asset.state is AssetState.READY and (data.get("vocal_start_s"), data.get("vocal_end_s")) == (start, end):
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

