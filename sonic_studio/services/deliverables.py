"""Finishing a song: the whole song, WAV, stems, MIDI, timed lyrics, BPM and VOX of a clip.

Derived assets are paid results like songs, so they go through the task lifecycle
(``TaskService.submit_paid``): a task row before the request, the provider's answer
stored (``store.assets``) before any download, files copied into the library at once
and checked (audio decoded, MIDI parsed), ``tasks resume`` finishing whatever a crash
interrupted - and nothing ever asked for twice.  What a provider lacks is made here
when that is honest and free: sunoapi.org's whole song is joined locally from the
lineage (or recognised as already whole), its tempo estimated from the audio and
marked "estimated".  VOX on sunoapi.org is simply not offered.

Files live next to the clip: ``<library>/<provider>/<title>-<id>.deliverables/``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..audio import join, midi, tempo
from ..audio.lyric_lines import LyricLine, lines_from_words, to_lrc
from ..audio.pcm import read_mono
from ..core.capabilities import DeliverableInfo, ProviderCapabilities, capabilities
from ..core.errors import ErrorKind, InsufficientCreditsError, StudioError, ValidationError
from ..core.models import (
    AssetKind,
    AssetRequest,
    AssetResult,
    Clip,
    ClipState,
    LyricWord,
    Origin,
    ProviderId,
    RemoteTaskState,
    SubmitResult,
    TaskKind,
)
from ..core.validation import ensure
from ..store.assets import AssetRecord, AssetState
from ..store.records import ClipDetail, ClipRow, TaskRecord, TaskState
from .context import ServiceContext
from .downloads import DownloadError, library_file, partial_prefix
from .events import ClipAdded, ClipUpdated
from .media import probe_duration
from .task_docs import request_doc
from .tasks import TaskService

log = logging.getLogger(__name__)

ASSET_TASK_KINDS = [TaskKind(kind.value) for kind in AssetKind if kind is not AssetKind.WHOLE_SONG]
_STEMS = (AssetKind.STEMS_BASIC, AssetKind.STEMS_FULL)
_DAY = 86400.0
ALREADY_WHOLE = "sunoapi.org already returned the whole song: this clip is it."


@dataclass(frozen=True)
class Quote:
    """What a request will cost and do, shown before anything is sent."""

    kind: AssetKind
    credits: float | None  # total, None when the provider publishes no price
    where: str  # provider | local
    steps: tuple[AssetKind, ...]  # more than one: e.g. stems first, then MIDI
    note: str

    @property
    def sentence(self) -> str:
        if self.where == "local":
            return f"{self.kind.label}: made here, free ({self.note})."
        cost = "price unknown" if self.credits is None else f"about {self.credits:g} credits"
        if len(self.steps) > 1:
            chain = " then ".join(step.label for step in self.steps)
            return f"{self.kind.label} needs {self.steps[0].label} first: {chain}, {cost} in all."
        return f"{self.kind.label}: {cost} ({self.note})."


@dataclass(frozen=True)
class Tempo:
    bpm: float
    estimated: bool  # worked out here from the audio (sunoapi.org has no tempo of its own)

    @property
    def text(self) -> str:
        return f"{self.short} (estimated)" if self.estimated else self.short

    @property
    def short(self) -> str:
        """For tight rows (the player bar): "≈" marks an estimate, the tooltip says it in words."""
        return f"≈ {self.bpm:.0f} BPM" if self.estimated else f"{self.bpm:.0f} BPM"


@dataclass(frozen=True)
class Outcome:
    """The result of asking for a deliverable: a task to follow, a finished asset, or a new clip."""

    quote: Quote
    task: TaskRecord | None = None
    asset: AssetRecord | None = None
    clip: ClipRow | None = None
    message: str = ""


class DeliverableService:
    def __init__(self, ctx: ServiceContext, tasks: TaskService) -> None:
        self._ctx = ctx
        self._tasks = tasks
        tasks.follow_kinds(ASSET_TASK_KINDS, self._follow)

    # ------------------------------------------------------------------ reading
    def quote(self, clip: int, kind: AssetKind) -> Quote:
        detail = self._ctx.store.clips.detail(clip)
        caps = self._caps(detail.provider)
        info = caps.deliverable(kind)
        if kind is AssetKind.MIDI and detail.provider is ProviderId.SUNOAPI and self._stems_task(clip) is None:
            stems = caps.deliverable(AssetKind.STEMS_BASIC)
            total = None if None in (stems.credits, info.credits) else stems.credits + info.credits
            return Quote(kind, total, info.where, (AssetKind.STEMS_BASIC, kind), info.note)
        return Quote(kind, info.credits, info.where, (kind,), info.note)

    def assets(self, clip: int) -> list[AssetRecord]:
        """The newest asset of each kind for ``clip``."""
        newest: dict[AssetKind, AssetRecord] = {}
        for asset in self._ctx.store.assets.for_clip(clip):
            newest.setdefault(asset.kind, asset)
        return list(newest.values())

    def whole_songs(self, clip: int) -> list[ClipRow]:
        store = self._ctx.store
        return [store.clips.row(c) for c in store.assets.whole_songs(clip)]

    def already_whole(self, clip: int) -> bool:
        """sunoapi.org's extension was found to hold the whole song already (nothing to join)."""
        return any(a.state is AssetState.READY and a.data.get("already_whole")
                   for a in self._ctx.store.assets.for_clip(clip, AssetKind.WHOLE_SONG))
    # What the stems view, the timed lyrics and the tempo readouts show (saved assets only).
    def stem_files(self, clip: int) -> dict[str, str]:
        """Stem name -> local file of the clip's saved stems (the full set when both exist)."""
        for kind in (AssetKind.STEMS_FULL, AssetKind.STEMS_BASIC):
            for asset in self._ctx.store.assets.for_clip(clip, kind):
                files = {name: path for name, path in asset.files.items() if Path(path).is_file()}
                if asset.state is AssetState.READY and files:
                    return files
        return {}

    def lyric_lines(self, clip: int) -> list[LyricLine]:
        """The clip's timed lyrics as lines (empty when none are saved)."""
        for asset in self._ctx.store.assets.for_clip(clip, AssetKind.LYRICS_TIMELINE):
            if asset.state is AssetState.READY and asset.data.get("words"):
                return lines_from_words(words_of(asset), self._ctx.store.clips.detail(clip).lyrics)
        return []

    def tempo(self, clip: int) -> Tempo | None:
        """The clip's saved BPM, and whether it was estimated here rather than told by the provider."""
        for asset in self._ctx.store.assets.for_clip(clip, AssetKind.BPM):
            if asset.state is AssetState.READY and asset.data.get("avg"):
                return Tempo(float(asset.data["avg"]), bool(asset.data.get("estimated", False)))
        return None

    def lineage_label(self, asset: AssetRecord) -> str:
        detail = self._ctx.store.clips.detail(asset.clip)
        return f"{asset.kind.label} of {detail.title or detail.clip_id}"

    def files_left_days(self, clip: int) -> float | None:
        """Days until the provider deletes this clip's files (None: retention unknown)."""
        detail = self._ctx.store.clips.detail(clip)
        days = self._caps(detail.provider).retention_days
        if days is None:
            return None
        return days - (time.time() - detail.created_at) / _DAY

    # ------------------------------------------------------------------ asking
    async def request(
        self, clip: int, kind: AssetKind, *, vocal_start: float | None = None, vocal_end: float | None = None
    ) -> Outcome:
        """Ask for ``kind`` of ``clip``; paid kinds return the task to follow."""
        if kind is AssetKind.WHOLE_SONG:
            return await self.whole_song(clip)
        provider = await self._ctx.active_provider()
        detail = self._source(clip, provider.id)
        quote = self.quote(clip, kind)
        info = self._caps(detail.provider).deliverable(kind)
        if kind is AssetKind.BPM and info.local:
            return Outcome(quote, asset=await self._estimate_bpm(detail))
        self._check_available(detail, info)
        again = self._already(clip, kind, vocal_start, vocal_end, quote)
        if again is not None:
            return again
        stems_task = None
        if kind is AssetKind.MIDI and detail.provider is ProviderId.SUNOAPI:
            stems_task = self._stems_task(clip)
            if stems_task is None:
                # MIDI is made from a separation: do the stems first (the quote says so).
                stems = await self.request(clip, AssetKind.STEMS_BASIC)
                done = await self._tasks.wait(stems.task.id)
                if done.state is not TaskState.SUCCEEDED:
                    raise StudioError(f"The stems MIDI needs did not finish: {done.error or done.detail}")
                stems_task = self._stems_task(clip)
        request = AssetRequest(kind, detail.to_clip(), vocal_start, vocal_end, stems_task)
        ensure(provider.asset_problems(request))
        title = f"{kind.label} of “{detail.title or detail.clip_id}”"
        doc = request_doc(TaskKind(kind.value), None, source_clip_id=detail.clip_id, vocal_start=vocal_start,
                          vocal_end=vocal_end, stems_task_id=stems_task)
        try:
            task = await self._tasks.submit_paid(
                provider, TaskKind(kind.value), title=title, request=doc, source_clip=clip,
                call=lambda p: self._send(p, request, clip),
            )
        except InsufficientCreditsError as exc:
            raise InsufficientCreditsError(
                f"{exc} {quote.sentence}", provider=exc.provider, provider_message=exc.provider_message,
                http_status=exc.http_status, code=exc.code,
            ) from None
        return Outcome(quote, task=task, message=quote.sentence if len(quote.steps) > 1 else "")

    async def wait(self, task: int) -> TaskRecord:
        """Until the asset task ``task`` is finished (or stalled), then its record."""
        return await self._tasks.wait(task)

    def _already(self, clip: int, kind: AssetKind, start: float | None, end: float | None,
                 quote: Quote) -> Outcome | None:
        """The same thing asked for again: follow the running task or show the saved files
        instead of paying twice (a VOX of another window is a new request)."""
        for task in self._ctx.store.tasks.in_states(TaskState.SUBMITTING, TaskState.PENDING, TaskState.RUNNING,
                                                     TaskState.DOWNLOADING, TaskState.STALLED):
            if task.kind.value == kind.value and task.source_clip == clip:
                return Outcome(quote, task=task, message=f"The {kind.label} is already being made; following it.")
        for asset in self._ctx.store.assets.for_clip(clip, kind):
            window = (asset.data.get("vocal_start_s"), asset.data.get("vocal_end_s"))
            if asset.state is AssetState.READY and (kind is not AssetKind.VOX or window == (start, end)):
                return Outcome(quote, asset=asset, message=f"The {kind.label} is already saved; nothing was asked.")
        return None

    async def _send(self, provider, request: AssetRequest, clip: int) -> SubmitResult:
        """The paid call.  A synchronous answer is stored before returning, keyed by an id of
        our own, so the follower (now, or after a crash) only has to download it."""
        result = await provider.request_asset(request)
        if result.task_id and not result.finished:
            return SubmitResult(task_id=result.task_id)
        local_id = f"{request.kind.value}:{request.clip.id}:{uuid.uuid4().hex[:12]}"
        if request.kind is AssetKind.VOX and isinstance(result.data.get("vox_audio_id"), str):
            local_id = result.data["vox_audio_id"]  # the provider's own id for it
        store = self._ctx.store
        [task] = [t for t in store.tasks.in_states(TaskState.SUBMITTING)  # the row submit_paid just wrote
                  if t.kind.value == request.kind.value and t.source_clip == clip][-1:]
        store.assets.record_answer(task.id, clip, request.kind, provider.id, local_id, urls=result.files,
                                   data=_plain(result.data))
        return SubmitResult(task_id=local_id)

    async def whole_song(self, clip: int) -> Outcome:
        provider = await self._ctx.active_provider()
        detail = self._source(clip, provider.id)
        quote = self.quote(clip, AssetKind.WHOLE_SONG)
        lineage = detail.lineage
        if lineage is None or lineage.task_kind not in (TaskKind.EXTEND, TaskKind.UPLOAD_EXTEND):
            raise ValidationError("The whole song is made from an extension, and this clip is not one. "
                                  "Extend a clip first, then ask for the extension's whole song.", field="clip")
        existing = [row for row in self.whole_songs(clip) if row.audio_path]
        if existing:
            return Outcome(quote, clip=existing[0], message="The whole song is already in the library.")
        if self.already_whole(clip):
            return Outcome(quote, clip=self._ctx.store.clips.row(clip), message=ALREADY_WHOLE)
        running = [t for t in self._ctx.store.tasks.for_source(clip, [TaskKind.CONCAT])
                   if t.state.active or t.state is TaskState.STALLED]
        if running:
            return Outcome(quote, task=running[0], message="The whole song is already being made; following it.")
        if not self._caps(detail.provider).deliverable(AssetKind.WHOLE_SONG).local:
            return Outcome(quote, task=await self._tasks.submit_whole_song(clip))
        return await self._join_here(detail, quote)

    async def _join_here(self, detail: ClipDetail, quote: Quote) -> Outcome:
        """sunoapi.org: the parent up to continue_at + the extension, joined with pydub (free)."""
        store, lineage = self._ctx.store, detail.lineage
        parent = store.clips.detail(lineage.parent_clip) if lineage.parent_clip else None
        if parent is None or not parent.audio_path or not detail.audio_path or lineage.continue_at is None:
            raise ValidationError("The whole song is joined from the original clip and its extension, and one "
                                  "of them is not saved in this library.", field="clip")
        loop = asyncio.get_running_loop()
        dest = library_file(self._ctx.library_dir, detail.provider.value, detail.clip_id + "-whole",
                            detail.title, "whole.mp3", audio=True)
        result = await loop.run_in_executor(None, join.join_extension, parent.audio_path, detail.audio_path,
                                            lineage.continue_at, dest)
        if not result.joined:
            # Remembered, so the Deliverables section shows it as saved and nothing is compared again.
            store.assets.create(detail.id, AssetKind.WHOLE_SONG, detail.provider, how="local",
                                data={"already_whole": True}, state=AssetState.READY)
            return Outcome(quote, clip=store.clips.row(detail.id), message=ALREADY_WHOLE)
        clip = Clip(id=detail.clip_id + "-whole", provider=detail.provider, origin=Origin.GENERATED,
                    title=detail.title, tags=detail.tags, lyrics=detail.lyrics, model=detail.model,
                    state=ClipState.SUCCEEDED, full_song_of=detail.clip_id)
        row, _ = store.clips.upsert(clip)
        store.clips.set_lineage(row.id, task=None, task_kind=TaskKind.CONCAT, parent_clip=detail.id,
                                parent_clip_id=detail.clip_id, source_url=None,
                                params={"joined_here": True, "continue_at": lineage.continue_at})
        store.clips.set_duration(row.id, await loop.run_in_executor(None, probe_duration, result.path))
        row = store.clips.set_files(row.id, audio_path=str(result.path), clear_error=True)
        self._ctx.events.emit(ClipAdded(row))
        return Outcome(quote, clip=row, message="Joined here (free): sunoapi.org has no join of its own.")

    async def _estimate_bpm(self, detail: ClipDetail) -> AssetRecord:
        if not detail.audio_path or not Path(detail.audio_path).exists():
            raise ValidationError("The tempo is estimated from the saved audio, and this clip has none yet.",
                                  field="clip")
        loop = asyncio.get_running_loop()
        samples = await loop.run_in_executor(None, read_mono, detail.audio_path, 22050)
        bpm = await loop.run_in_executor(None, tempo.estimate_bpm, samples, 22050)
        if bpm is None:
            raise ValidationError("No steady beat could be found in this clip.", field="clip")
        store = self._ctx.store
        asset = store.assets.create(detail.id, AssetKind.BPM, detail.provider, how="local",
                                    data={"avg": bpm, "estimated": True}, state=AssetState.READY)
        # No task tells the window about a tempo worked out here: the clip's own update does.
        self._ctx.events.emit(ClipUpdated(store.clips.row(detail.id)))
        return asset

    # ------------------------------------------------------------------ following
    async def _follow(self, task_id: int, immediate: bool) -> None:
        """Poll an asynchronous asset task (if its answer is not stored yet), then save the files."""
        ctx, poller = self._ctx, self._tasks.poller
        rec = ctx.store.tasks.get(task_id)
        kind = AssetKind(rec.kind.value)
        asset = ctx.store.assets.by_provider_task(rec.provider, rec.provider_task_id)
        if asset is None:
            result = await self._poll_until_done(rec, kind, immediate)
            if result is None:
                return  # stalled or failed; the poller's endings said why
            if result.state is RemoteTaskState.FAILED:
                return poller._fail(task_id, result.error or StudioError(f"The provider could not make the {kind.label}."),
                                    rec.state.finished)
            asset = ctx.store.assets.create(rec.source_clip, kind, rec.provider, how="provider",
                                            provider_task_id=rec.provider_task_id, urls=result.files,
                                            data=_plain(result.data))
        if asset.task is None:
            asset = ctx.store.assets.update(asset.id, task=task_id)
        poller._update(task_id, state=TaskState.DOWNLOADING, detail=f"saving the {kind.label}", progress=0.9)
        asset = await self._save(asset)
        failed_stems = asset.data.get("failed_stems") or []
        if asset.state is AssetState.READY and not failed_stems:
            state, error = TaskState.SUCCEEDED, None
            detail = f"{kind.label} saved" + (f": {', '.join(asset.files.values())}" if asset.files else "")
        elif asset.files:
            state = TaskState.PARTIAL
            missing = ", ".join(failed_stems) or "some files"
            error = StudioError(f"The provider could not make {missing}; the rest of the {kind.label} is saved.")
            detail = str(error)
        else:
            state, error = TaskState.FAILED, StudioError(asset.error or f"The {kind.label} could not be saved.")
            detail = str(error)
        rec = poller._update(task_id, state=state, error=error, detail=detail, progress=1.0, finished_at=time.time())
        ctx.task_finished(rec)

    async def _poll_until_done(self, rec: TaskRecord, kind: AssetKind, immediate: bool) -> AssetResult | None:
        ctx, poller = self._ctx, self._tasks.poller
        cadence = ctx.cadence(rec.provider, rec.base_url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + cadence.max_wait
        polls = errors = 0
        retry_after = None
        first = True
        while True:
            delay = 0.0 if first and immediate else cadence.delay(polls, errors=errors, retry_after=retry_after)
            first = False
            await poller._sleep(rec.id, delay)
            try:
                provider = await ctx.provider_for(rec.provider)
            except StudioError as exc:  # no key for this provider right now: wait, as the Poller does
                provider, errors = None, errors + 1
                poller._update(rec.id, detail=f"waiting: {exc}")
            if provider is not None and provider.base_url != rec.base_url:
                poller._update(rec.id, detail=f"submitted to {rec.base_url}; the app now talks to "
                                              f"{provider.base_url}. Switch back to check this task.")
                return None
            try:
                result = None
                if provider is not None:
                    result = await asyncio.wait_for(provider.asset_status(kind, rec.provider_task_id),
                                                    ctx.poll_timeout)
            except asyncio.TimeoutError:
                result, errors = None, errors + 1
            except StudioError as exc:
                if not (exc.transient or exc.kind is ErrorKind.INSUFFICIENT_CREDITS):
                    poller._fail(rec.id, exc, rec.state.finished)
                    return None
                result, errors, retry_after = None, errors + 1, getattr(exc, "retry_after", None)
                poller._update(rec.id, detail=f"retrying: {exc}")
            if result is not None:
                errors, retry_after, polls = 0, None, polls + 1
                if result.finished:
                    return result
                state = TaskState.RUNNING if result.state is RemoteTaskState.RUNNING else TaskState.PENDING
                poller._update(rec.id, state=state, detail=f"making the {kind.label} at the provider", progress=0.3)
            if loop.time() >= deadline:
                poller._stall(rec.id, cadence.max_wait, rec.state.finished)
                return None

    async def _save(self, asset: AssetRecord) -> AssetRecord:
        """Download every link at once and write the derived files (.mid, .lrc); idempotent."""
        ctx, store = self._ctx, self._ctx.store
        detail = store.clips.detail(asset.clip)
        folder = deliverables_dir(ctx.library_dir, detail)
        files, problems = dict(asset.files), []
        for name, url in asset.urls.items():
            if name in files and Path(files[name]).exists():
                continue
            is_midi = asset.kind is AssetKind.MIDI
            dest = folder / f"{asset.kind.value}-{name}{'.mid' if is_midi else _audio_ext(url)}"
            try:
                await ctx.downloader.fetch(url, dest, audio=not is_midi)
                if is_midi:
                    await asyncio.get_running_loop().run_in_executor(None, midi.count_notes, dest)
                files[name] = str(dest)
            except (DownloadError, midi.MidiError) as exc:
                dest.unlink(missing_ok=True)
                problems.append(f"{name}: {exc}")
        if asset.kind is AssetKind.MIDI and "midi" not in files and asset.data.get("instruments"):
            bpm = self._known_bpm(asset.clip) or 120.0
            dest = folder / "midi.mid"
            await asyncio.get_running_loop().run_in_executor(None, midi.write_midi, asset.data["instruments"], dest, bpm)
            files["midi"] = str(dest)
        if asset.kind is AssetKind.LYRICS_TIMELINE:
            dest = folder / "lyrics.lrc"
            text = to_lrc(lines_from_words(words_of(asset), detail.lyrics), detail.title, detail.duration)
            _write_text(dest, text)
            files["lrc"] = str(dest)
        data_only = asset.kind in (AssetKind.BPM, AssetKind.VOX, AssetKind.LYRICS_TIMELINE)
        ok = not problems and (files or data_only)
        return store.assets.update(asset.id, files=files, state=AssetState.READY if ok else AssetState.FAILED,
                                   error="; ".join(problems) or (None if ok else "The provider sent no files."))

    def _known_bpm(self, clip: int) -> float | None:
        for asset in self._ctx.store.assets.for_clip(clip, AssetKind.BPM):
            if asset.state is AssetState.READY:
                return asset.data.get("avg")
        return None

    # ------------------------------------------------------------------ checks
    def _source(self, clip: int, active: ProviderId) -> ClipDetail:
        detail = self._ctx.store.clips.detail(clip)
        if detail.provider is not active:
            raise ValidationError(f"This clip lives at {self._caps(detail.provider).display_name}; "
                                  "switch to that provider to finish it.", field="clip")
        if detail.state is not ClipState.SUCCEEDED:
            raise ValidationError("This clip has not finished yet; wait until it has.", field="clip")
        return detail

    def _check_available(self, detail: ClipDetail, info: DeliverableInfo) -> None:
        caps = self._caps(detail.provider)
        if not info.available:
            raise ValidationError(f"{caps.display_name} cannot make {info.kind.label}: {info.note}.", field="kind")
        left = self.files_left_days(detail.id)
        if left is not None and left <= 0 and detail.origin is Origin.GENERATED:
            age = (time.time() - detail.created_at) / _DAY
            raise ValidationError(
                f"This clip was made {age:.0f} days ago and {caps.display_name} keeps its files for "
                f"{caps.retention_days:g} days, so it can no longer make the {info.kind.label}. "
                "Your copy in the library is safe.", field="clip")

    def _stems_task(self, clip: int) -> str | None:
        for asset in self._ctx.store.assets.for_clip(clip):
            if asset.kind in _STEMS and asset.state is AssetState.READY and asset.provider_task_id:
                return asset.provider_task_id
        return None

    @staticmethod
    def _caps(provider: ProviderId) -> ProviderCapabilities:
        return capabilities(provider)


# ----------------------------------------------------------------------------- helpers


def deliverables_dir(library: Path, detail: ClipDetail) -> Path:
    base = library_file(library, detail.provider.value, detail.clip_id, detail.title, None, audio=True)
    return base.with_name(base.stem + ".deliverables")


def words_of(asset: AssetRecord) -> list[LyricWord]:
    return [LyricWord(**w) for w in asset.data.get("words", [])]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: word objects become dicts."""
    return {k: [asdict(w) if isinstance(w, LyricWord) else w for w in v] if isinstance(v, list) else v
            for k, v in data.items()}


def _audio_ext(url: str) -> str:
    suffix = Path(url.split("?", 1)[0]).suffix.lower()
    return suffix if suffix in (".mp3", ".wav", ".m4a", ".flac", ".ogg") else ".mp3"


def _write_text(dest: Path, text: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(partial_prefix() + dest.name)
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(dest)
