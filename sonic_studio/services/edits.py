"""Edit operations on library clips: one service for the window and the CLI.

Replace a section, add vocals or an instrumental, remaster, mashup and sample all
go the way every paid request goes (``TaskService.submit_paid``): the preflight in
``eligibility.edit_source`` first (nothing is sent while it has a problem), then a
task row written before the request leaves, its id saved before anyone hears
"submitted", followed to the end and downloaded at once, never resubmitted.  Each task
is titled the way the library shows its results ("replaced 1:02–1:21 of “Night Drive”").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..audio.lyric_lines import lines_from_words
from ..core.capabilities import capabilities
from ..core.edits import AddLayerRequest, EditOp, MashupRequest, RemasterRequest, ReplaceSectionRequest, SampleRequest
from ..core.models import AssetKind, ClipState, GenerationParams
from ..core.validation import check_params, ensure
from ..store.assets import AssetState
from ..store.records import ClipDetail, ClipQuery, ClipRow, TaskRecord
from .context import ServiceContext
from .deliverables import words_of
from .eligibility import Preflight, edit_source, mashup_uploads
from .task_docs import request_doc
from .tasks import TaskService

log = logging.getLogger(__name__)


def span_text(start: float, end: float) -> str:
    """``1:02–1:21``: whole seconds are what people say about a range."""
    return f"{_mmss(start)}–{_mmss(end)}"


def _mmss(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class SnapGuide:
    """Where range edges snap on a clip, and the sentence saying so (empty: nothing known)."""

    times: tuple[float, ...] = ()
    text: str = ""


def snap_guide(line_ends: list[float], bpm: float | None, duration: float | None) -> SnapGuide:
    """Lyric-line ends and bar lines (4/4 from 0:00) as snap points."""
    times = set(line_ends)
    parts = []
    if line_ends:
        parts.append("the end of 1 lyric line" if len(line_ends) == 1 else f"the ends of {len(line_ends)} lyric lines")
    if bpm and bpm > 0 and duration:
        bar = 240.0 / bpm
        times.update(round(k * bar, 2) for k in range(1, int(duration / bar) + 1))
        parts.append(f"bar lines at {bpm:.0f} BPM")
    if not parts:
        return SnapGuide()
    return SnapGuide(tuple(sorted(t for t in times if duration is None or t <= duration)),
                     f"Snaps to {' and '.join(parts)}; hold Alt to move freely.")


def quote_text(op: EditOp, preflight: Preflight, provider_name: str) -> str:
    """What the request costs (and involves), in a sentence shown before anything is sent."""
    if preflight.cost is None:
        cost = "the cost is not published"
    else:
        cost = f"about {preflight.cost:g} credit" + ("" if preflight.cost == 1 else "s")
    text = f"{op.label} at {provider_name}: {cost}."
    return f"{text} {preflight.terms}" if preflight.terms else text


class EditService:
    def __init__(self, ctx: ServiceContext, tasks: TaskService) -> None:
        self._ctx = ctx
        self._tasks = tasks

    # ------------------------------------------------------------------ preflight
    def preflight(self, op: EditOp, clip: int, *, start: float | None = None, end: float | None = None,
                  model: str | None = None, second: int | None = None) -> Preflight:
        """Can ``op`` run on this library clip at the active provider, and at what cost?"""
        detail = self._ctx.store.clips.detail(clip)
        other = self._ctx.store.clips.detail(second) if second is not None else None
        return edit_source(capabilities(self._ctx.provider_id), op, detail, self._task_of(detail),
                           start=start, end=end, model=model, second=other,
                           second_task=self._task_of(other) if other is not None else None)

    def default_model(self, op: EditOp) -> str:
        caps = capabilities(self._ctx.provider_id)
        info = caps.edit(op)
        if info.default_model:
            return info.default_model
        return caps.default_model if info.takes_model(caps.default_model) else (info.models or (caps.default_model,))[0]

    def results(self, clip: int, op: EditOp) -> list[ClipRow]:
        """Finished songs ``op`` made from ``clip``, newest first (the Edit tab auditions them);
        a replaced section alone is left out: only whole songs line up with the original."""
        rows = self._ctx.store.clips.query(ClipQuery(provider=self._ctx.provider_id, limit=500))
        return [r for r in rows if r.lineage is not None and r.lineage.parent_clip == clip
                and r.lineage.task_kind is op.task_kind and r.audio_path
                and (op is not EditOp.REPLACE_SECTION or r.full_song_of or not r.lineage.params.get("auto_concat"))]

    def snap_guide(self, clip: int) -> SnapGuide:
        """Snap points from the clip's timed lyrics and BPM, when it has them (Deliverables)."""
        store = self._ctx.store
        detail = store.clips.detail(clip)
        ends: list[float] = []
        bpm = None
        for asset in store.assets.for_clip(clip):
            if asset.state is not AssetState.READY:
                continue
            if asset.kind is AssetKind.LYRICS_TIMELINE and not ends:
                ends = [line.end for line in lines_from_words(words_of(asset), detail.lyrics)]
            elif asset.kind is AssetKind.BPM and bpm is None:
                bpm = asset.data.get("avg")
        return snap_guide(ends, bpm, detail.duration)

    def mashup_partners(self, clip: int | None) -> list[ClipRow]:
        """Library clips a mashup with ``clip`` can take as its second clip (same provider, finished)."""
        rows = self._ctx.store.clips.query(ClipQuery(provider=self._ctx.provider_id, limit=500))
        return [r for r in rows if r.id != clip and r.state is ClipState.SUCCEEDED]

    # ------------------------------------------------------------------ operations
    async def replace_section(self, clip: int, start: float, end: float, lyrics: str, *, tags: str = "",
                              title: str = "", negative_tags: str = "", full_lyrics: str = "") -> TaskRecord:
        """Sing ``lyrics`` over ``start``..``end``; the whole song comes back where the provider can."""
        provider = await self._ctx.active_provider()
        detail = self._checked(EditOp.REPLACE_SECTION, clip, start=start, end=end)
        source = detail.to_clip()
        request = ReplaceSectionRequest(source, start, end, lyrics, tags=tags, title=title,
                                        negative_tags=negative_tags, full_lyrics=full_lyrics or detail.lyrics,
                                        auto_concat=provider.capabilities.supports_auto_concat)
        doc = request_doc(EditOp.REPLACE_SECTION.task_kind, None, source_clip_id=source.id, range_start=start,
                          range_end=end, lyrics=lyrics, tags=tags or None, auto_concat=request.auto_concat or None)
        return await self._tasks.submit_paid(
            provider, EditOp.REPLACE_SECTION.task_kind, title=f"replaced {span_text(start, end)} of “{_name(detail)}”",
            request=doc, source_clip=clip, call=lambda p: p.replace_section(request))

    async def add_vocals(self, clip: int, params: GenerationParams, start: float | None = None,
                         end: float | None = None) -> TaskRecord:
        return await self._add_layer(EditOp.ADD_VOCALS, clip, params, start, end)

    async def add_instrumental(self, clip: int, params: GenerationParams, start: float | None = None,
                               end: float | None = None) -> TaskRecord:
        return await self._add_layer(EditOp.ADD_INSTRUMENTAL, clip, params, start, end)

    async def _add_layer(self, op: EditOp, clip: int, params: GenerationParams, start: float | None,
                         end: float | None) -> TaskRecord:
        provider = await self._ctx.active_provider()
        detail = self._checked(op, clip, start=start, end=end, model=params.model)
        request = AddLayerRequest(detail.to_clip(), params, op is EditOp.ADD_VOCALS, start, end)
        what = "vocals" if request.vocals else "instrumental"
        over = f" over {span_text(start, end)}" if start is not None and end is not None else ""
        doc = request_doc(op.task_kind, params, source_clip_id=detail.clip_id, range_start=start, range_end=end)
        return await self._tasks.submit_paid(
            provider, op.task_kind, title=f"{what} added to “{_name(detail)}”{over}", request=doc, source_clip=clip,
            call=lambda p: p.add_layer(request))

    async def remaster(self, clip: int, model: str | None = None, strength: str | None = "normal") -> TaskRecord:
        provider = await self._ctx.active_provider()
        model = model or self.default_model(EditOp.REMASTER)
        detail = self._checked(EditOp.REMASTER, clip, model=model)
        request = RemasterRequest(detail.to_clip(), model, strength)
        doc = request_doc(EditOp.REMASTER.task_kind, None, source_clip_id=detail.clip_id, model=model,
                          strength=strength)
        shown = f" ({strength})" if strength else ""
        return await self._tasks.submit_paid(
            provider, EditOp.REMASTER.task_kind, title=f"remaster{shown} of “{_name(detail)}”", request=doc,
            source_clip=clip, call=lambda p: p.remaster(request))

    async def mashup(self, first: int, second: int, params: GenerationParams) -> TaskRecord:
        """Two clips into one song; where the provider takes links (sunoapi.org) an expired one
        is replaced by an upload of the library's copy first (free there, said in the terms)."""
        provider = await self._ctx.active_provider()
        caps = provider.capabilities
        a = self._checked(EditOp.MASHUP, first, model=params.model, second=second)
        b = self._ctx.store.clips.detail(second)
        ensure(check_params(params, caps, "mashup"))
        urls = None
        if caps.edit(EditOp.MASHUP).by_link:
            stale = {d.id for d in mashup_uploads(caps, (a, b))}
            links = []
            for detail in (a, b):
                if detail.id in stale:
                    hosted = await provider.upload_file(Path(detail.audio_path or ""))
                    log.info("mashup: uploaded clip %s again (its link had expired)", detail.id)
                    links.append(hosted.audio_url or "")
                else:
                    links.append(detail.audio_url or "")
            urls = (links[0], links[1])
        request = MashupRequest(a.to_clip(), b.to_clip(), params, urls)
        doc = request_doc(EditOp.MASHUP.task_kind, params, source_clip_id=a.clip_id, second_clip=second,
                          second_clip_id=b.clip_id, second_title=_name(b))
        return await self._tasks.submit_paid(
            provider, EditOp.MASHUP.task_kind, title=f"mashup of “{_name(a)}” and “{_name(b)}”", request=doc,
            source_clip=first, call=lambda p: p.mashup(request))

    async def sample(self, clip: int, start: float, end: float, params: GenerationParams) -> TaskRecord:
        provider = await self._ctx.active_provider()
        detail = self._checked(EditOp.SAMPLE, clip, start=start, end=end, model=params.model)
        ensure(check_params(params, provider.capabilities))
        request = SampleRequest(detail.to_clip(), start, end, params)
        doc = request_doc(EditOp.SAMPLE.task_kind, params, source_clip_id=detail.clip_id, range_start=start,
                          range_end=end)
        return await self._tasks.submit_paid(
            provider, EditOp.SAMPLE.task_kind, title=f"sampled {span_text(start, end)} of “{_name(detail)}”",
            request=doc, source_clip=clip, call=lambda p: p.sample(request))

    # ------------------------------------------------------------------ helpers
    def _checked(self, op: EditOp, clip: int, **checks) -> ClipDetail:
        """The clip, once the preflight has nothing against the request (else its words, raised)."""
        found = self.preflight(op, clip, **checks)
        ensure(list(found.problems))
        return self._ctx.store.clips.detail(clip)

    def _task_of(self, detail: ClipDetail) -> TaskRecord | None:
        if detail.lineage is None or detail.lineage.task is None:
            return None
        try:
            return self._ctx.store.tasks.get(detail.lineage.task)
        except KeyError:
            return None


def _name(detail: ClipDetail) -> str:
    return detail.title or detail.clip_id

