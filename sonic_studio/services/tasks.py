"""Submitting paid work so that no result is ever lost, and following it to the end.

Every submit goes: validate locally (nothing sent on a mistake) -> write a SUBMITTING
row -> call the provider -> write the provider's task id -> only then report success
and start polling.  If the provider clearly refused, the row is FAILED; if we cannot
know (timeout, dropped connection, 5xx, a reply we cannot read) the row is UNKNOWN:
it may have been accepted and charged, so we say so and never retry on our own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..core.capabilities import ProviderCapabilities
from ..core.errors import (
    MalformedResponseError,
    NetworkError,
    ServerError,
    StudioError,
    ValidationError,
)
from ..core.models import (
    Clip,
    CoverRequest,
    ExtendRequest,
    GenerateRequest,
    GenerationParams,
    Origin,
    ProviderId,
    SubmitResult,
    TaskKind,
    UploadCoverRequest,
    UploadExtendRequest,
)
from ..core.validation import (
    Problem,
    check_source_url,
    check_upload_duration,
    ensure,
    fmt_time,
    is_loopback,
)
from ..providers.base import ProgressCallback, Provider
from ..store import Store, storage_problem
from ..store.records import ClipRow, TaskRecord, TaskState
from .context import ServiceContext
from .downloads import DownloadError, library_file, partial_prefix
from .eligibility import request_problems
from .events import ClipAdded, ClipUpdated, TaskChanged
from .media import probe_duration
from .polling import Poller, scrub_clip
from .procs import pid_alive
from .redact import scrub_changes
from .source_check import check_audio_link
from .task_docs import request_doc

log = logging.getLogger(__name__)

# Errors after which the provider may well have accepted the request.
_MAYBE_SUBMITTED = (NetworkError, MalformedResponseError, ServerError)
_PROCESS_START = time.time()
# Writing an accepted id: each try waits up to the busy timeout for another process.
WRITE_ATTEMPTS = 3
# Closing while a submit is on the wire: how long to wait for its answer (and task id).
SUBMIT_GRACE = 10.0
# How often ``wait`` looks at a task another process follows.
WATCH_INTERVAL = 0.5
WRITE_RETRY_DELAY = 1.0
# What "Retry" can send again: the kinds whose request row holds everything needed.
RETRY_KINDS = (TaskKind.GENERATE, TaskKind.EXTEND, TaskKind.COVER, TaskKind.UPLOAD_EXTEND, TaskKind.UPLOAD_COVER,
               TaskKind.CONCAT)
UNKNOWN_MESSAGE = (
    "We lost contact while submitting, so this request may or may not have been accepted "
    "(and charged). Check your account on the provider's site before submitting it again."
)


class TaskService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._poller = Poller(ctx)
        self._copies: set[asyncio.Task] = set()  # background local copies of uploads
        self._unsaved: dict[int, str] = {}  # accepted ids the library refused, until it takes them
        # Task -> a future resolved once its submit's outcome is recorded: closing waits for
        # these (bounded), and ``wait`` too (the id is saved before polling starts).
        self._open_submits: dict[int, asyncio.Future] = {}
        self._submitters: dict[int, asyncio.Task] = {}  # the coroutine sending each open submit
        self._closing = False  # set by shutdown: the grace for answers on the wire was given already

    # ------------------------------------------------------------------ submits
    async def submit_extend(self, clip: int, continue_at: float, params: GenerationParams) -> TaskRecord:
        provider = await self._ctx.active_provider()
        source = self._source_clip(clip, provider)
        ensure(request_problems(provider.capabilities, TaskKind.EXTEND, params, source=source, continue_at=continue_at))
        return await self._submit(
            provider, TaskKind.EXTEND,
            title=f"extend “{_name(source)}” from {fmt_time(continue_at)}",
            request=request_doc(TaskKind.EXTEND, params, continue_at=continue_at, source_clip_id=source.id),
            source_clip=clip,
            call=lambda p: p.extend(ExtendRequest(source, continue_at, params)),
        )

    async def submit_cover(self, clip: int, params: GenerationParams) -> TaskRecord:
        provider = await self._ctx.active_provider()
        source = self._source_clip(clip, provider)
        ensure(request_problems(provider.capabilities, TaskKind.COVER, params, source=source))
        return await self._submit(
            provider, TaskKind.COVER,
            title=f"cover “{_name(source)}”",
            request=request_doc(TaskKind.COVER, params, source_clip_id=source.id),
            source_clip=clip,
            call=lambda p: p.cover(CoverRequest(source, params)),
        )

    async def submit_upload_extend(
        self, source: str | Path, continue_at: float, params: GenerationParams, auto_concat: bool = False
    ) -> TaskRecord:
        provider = await self._ctx.active_provider()
        caps = provider.capabilities
        problems = request_problems(caps, TaskKind.UPLOAD_EXTEND, params, continue_at=continue_at,
                                    auto_concat=auto_concat)
        url, local = await self._source_url(provider, source, problems, params.model)
        return await self._submit(
            provider, TaskKind.UPLOAD_EXTEND,
            title=f"upload-extend {_short(local or url)} from {fmt_time(continue_at)}",
            request=request_doc(TaskKind.UPLOAD_EXTEND, params, continue_at=continue_at, source_url=url,
                                auto_concat=auto_concat or None, local_file=local),
            source_url=url,
            call=lambda p: p.upload_extend(UploadExtendRequest(url, continue_at, params, auto_concat)),
        )

    async def submit_upload_cover(self, source: str | Path, params: GenerationParams) -> TaskRecord:
        provider = await self._ctx.active_provider()
        problems = request_problems(provider.capabilities, TaskKind.UPLOAD_COVER, params)
        url, local = await self._source_url(provider, source, problems, params.model)
        return await self._submit(
            provider, TaskKind.UPLOAD_COVER,
            title=f"upload-cover {_short(local or url)}",
            request=request_doc(TaskKind.UPLOAD_COVER, params, source_url=url, local_file=local),
            source_url=url,
            call=lambda p: p.upload_cover(UploadCoverRequest(url, params)),
        )

    async def submit_generate(self, params: GenerationParams) -> TaskRecord:
        provider = await self._ctx.active_provider()
        ensure(request_problems(provider.capabilities, TaskKind.GENERATE, params))
        if params.custom_mode:
            title = f"create “{params.title or 'new song'}”"
        else:
            title = f"create from a description “{_short_text(params.description, 40) or 'new song'}”"
        if params.persona_id:
            persona = self._ctx.store.personas.find(provider.id, params.persona_id)
            title += f" with persona “{persona.name if persona else params.persona_id}”"
        return await self._submit(
            provider, TaskKind.GENERATE,
            title=title,
            request=request_doc(TaskKind.GENERATE, params),
            call=lambda p: p.generate(GenerateRequest(params)),
        )

    async def submit_whole_song(self, extension: int) -> TaskRecord:
        """The whole song from an extension (sonic concat_music; contract 2.4)."""
        provider = await self._ctx.active_provider()
        source = self._source_clip(extension, provider)
        return await self._submit(
            provider, TaskKind.CONCAT,
            title=f"whole song of “{_name(source)}” (extended)",
            request=request_doc(TaskKind.CONCAT, None, source_clip_id=source.id),
            source_clip=extension,
            call=lambda p: p.concat(source.id),
        )

    async def submit_paid(
        self, provider: Provider, kind: TaskKind, *, title: str, request: dict, source_clip: int | None,
        call: Callable[[Provider], Awaitable[SubmitResult]],
    ) -> TaskRecord:
        """Another service's paid request through the same persist-then-send lifecycle."""
        return await self._submit(provider, kind, title=title, request=request, call=call, source_clip=source_clip)

    def retry_problem(self, task: int) -> str | None:
        """Why ``task`` cannot be sent again, in words; None when it can.

        Only a request the provider clearly refused (FAILED with no task id: nothing was
        made or charged) qualifies.  An UNKNOWN one may have been accepted and charged, so
        it is never offered: the person checks their account instead."""
        rec = self.get(task)
        if rec.state is TaskState.UNKNOWN:
            return "This request may already have been accepted (and charged): check your account first."
        if rec.state is not TaskState.FAILED or rec.provider_task_id:
            return "Only a request the provider refused can be sent again."
        if rec.kind not in RETRY_KINDS:
            return "This kind of request is sent again from its own tab."
        if rec.provider is not self._ctx.provider_id:
            return "This request was for the other provider: switch to it in Settings to send it again."
        return None

    async def retry(self, task: int) -> TaskRecord:
        """Send a refused request again, as a new task (the refused row stays, as history)."""
        problem = self.retry_problem(task)
        if problem:
            raise ValidationError(problem)
        rec = self.get(task)
        doc = rec.request
        params = GenerationParams(**doc["params"]) if "params" in doc else None
        source = doc.get("local_file") or rec.source_url or doc.get("source_url")
        if rec.kind is TaskKind.GENERATE:
            return await self.submit_generate(params)
        if rec.kind is TaskKind.EXTEND:
            return await self.submit_extend(rec.source_clip, doc["continue_at"], params)
        if rec.kind is TaskKind.COVER:
            return await self.submit_cover(rec.source_clip, params)
        if rec.kind is TaskKind.UPLOAD_EXTEND:
            return await self.submit_upload_extend(source, doc["continue_at"], params, bool(doc.get("auto_concat")))
        if rec.kind is TaskKind.UPLOAD_COVER:
            return await self.submit_upload_cover(source, params)
        return await self.submit_whole_song(rec.source_clip)

    def follow_kinds(self, kinds: list[TaskKind], follow: Callable[[int, bool], Awaitable[None]]) -> None:
        """Tasks of ``kinds`` are followed by ``follow`` (their results are not clips)."""
        self._poller.followers.update(dict.fromkeys(kinds, follow))

    @property
    def poller(self) -> Poller:
        return self._poller

    async def upload(self, source: str | Path, progress: ProgressCallback | None = None) -> ClipRow:
        """Register audio with the provider (sonic: public URL -> clip id; sunoapi.org: hosted file)."""
        provider = await self._ctx.active_provider()
        path = _local_path(source)
        if path is not None:
            ensure(await self._local_file_problems(provider.capabilities, path, None))
            clip = await provider.upload_file(path, progress=progress)
        else:
            ensure(check_source_url(str(source)))
            await check_audio_link(self._ctx.downloader, str(source).strip())
            clip = await provider.upload_url(str(source).strip())
        row = self._store_upload(clip, source_url=str(source) if path is None else clip.audio_url,
                                 local_file=path.name if path is not None else None)
        return await self._keep_local_copy(row.id, path, None if path is not None else str(source).strip())

    # ------------------------------------------------------------------ following tasks
    async def check_again(self, task: int) -> TaskRecord:
        """Poll now (and re-download missing files); never resubmits."""
        rec = self._ctx.store.tasks.get(task)
        if not rec.provider_task_id:
            raise ValidationError(
                "This request never got a task id from the provider, so there is nothing to check. "
                "It may or may not have been accepted: look at your account on the provider's site.",
                field="task",
            )
        rec = self._update(task, detail="checking again")
        self._poller.start(task, immediate=True)
        return rec

    async def wait(self, task: int, timeout: float | None = None) -> TaskRecord:
        """Until this process stops following the task (finished, stalled, failed...).

        If another Sonic Studio process follows it (the window, a second CLI), watch
        the shared library until that one is done with it - or take over if it dies.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        seen = None
        while True:
            submitting = self._open_submits.get(task)
            if submitting is not None:  # its id is being saved; polling starts right after
                left = None if deadline is None else max(0.0, deadline - loop.time())
                await asyncio.wait({submitting}, timeout=left)
                if not submitting.done():
                    return self._ctx.store.tasks.get(task)
            session = self._poller.session(task)
            if session is not None:
                left = None if deadline is None else max(0.0, deadline - loop.time())
                await asyncio.wait({session}, timeout=left)
                return self._ctx.store.tasks.get(task)
            rec = self._ctx.store.tasks.get(task)
            owner = self._ctx.store.tasks.owner_pid(task)
            if owner is None or owner == os.getpid() or rec.state.finished:
                return rec  # nobody else follows it
            if not pid_alive(owner):
                # Its follower died mid-way: ours now.
                if rec.state.active and rec.provider_task_id and self._poller.start(task, immediate=True):
                    continue
                return rec
            if seen is not None and rec.updated_at != seen:
                self._ctx.events.emit(TaskChanged(rec))
            seen = rec.updated_at
            if deadline is not None and loop.time() >= deadline:
                return rec
            await asyncio.sleep(WATCH_INTERVAL)

    def get(self, task: int) -> TaskRecord:
        return self._ctx.store.tasks.get(task)

    def find(self, provider_task_id: str) -> TaskRecord | None:
        return self._ctx.store.tasks.find(provider_task_id)

    def list(self, active_only: bool = False, limit: int = 500) -> list[TaskRecord]:
        return self._ctx.store.tasks.list(active_only=active_only, limit=limit)

    def following(self, task: int) -> bool:
        session = self._poller.session(task)
        return session is not None and not session.done()

    def recover_orphans(self) -> list[int]:
        """Submits whose process died before the provider answered become UNKNOWN."""
        store = self._ctx.store
        orphans = []
        for rec in store.tasks.in_states(TaskState.SUBMITTING):
            if not _owner_alive(store.tasks.owner_pid(rec.id), rec.created_at):
                self._update(rec.id, state=TaskState.UNKNOWN, error=StudioError(UNKNOWN_MESSAGE),
                             detail="may have been submitted; check your account", finished_at=time.time())
                log.warning("task %s (%s): its submit was cut off when an earlier run ended; recorded as UNKNOWN",
                            rec.id, rec.kind.value)
                orphans.append(rec.id)
        return orphans

    def adopt_journal(self) -> list[int]:
        """Write task ids from the recovery journal into the library; returns the tasks adopted.

        Runs at start (before orphans are judged) and on "tasks resume".  An entry whose
        id the library already holds is done; if the library still cannot be written the
        journal is kept for next time.
        """
        store = self._ctx.store
        entries, size = store.journal.entries()
        if not size:
            return []
        adopted: list[int] = []
        try:
            for entry in entries:
                try:
                    provider, kind = ProviderId(entry.provider), TaskKind(entry.kind)
                except ValueError:
                    log.error("recovery journal: unreadable entry for task id %s kept", entry.provider_task_id)
                    return adopted
                if store.tasks.find(entry.provider_task_id, provider) is not None:
                    continue
                rec = _task_or_none(store, entry.task)
                if rec is None or rec.provider_task_id or rec.provider is not provider:
                    # The row is gone (library restored from a backup?): rebuild it around the id.
                    rec = store.tasks.create(provider, kind, title=entry.title, request={},
                                             base_url=entry.base_url)
                self._update(rec.id, provider_task_id=entry.provider_task_id, state=TaskState.PENDING,
                             submitted_at=entry.at, error=None, finished_at=None, progress=0.05,
                             detail="recovered from the recovery journal; following it now")
                self._unsaved.pop(entry.task, None)
                log.warning("adopted task id %s from the recovery journal as task %s",
                            entry.provider_task_id, rec.id)
                adopted.append(rec.id)
        except (sqlite3.Error, OSError) as exc:
            log.error("the recovery journal could not be adopted yet (%s); it is kept",
                      storage_problem(exc, self._ctx.store.path.parent) or exc)
            return adopted
        try:
            store.db.sync()  # the journal is the ids' only durable copy until the library's is
        except OSError as exc:
            log.error("the recovery journal is kept: the library could not be flushed to disk (%s)", exc)
            return adopted
        store.journal.clear(size)
        return adopted

    def unsaved(self) -> dict[int, str]:
        """Accepted task ids this process holds only in memory (and the journal): task -> provider task id."""
        return dict(self._unsaved)

    def move_to_demo_server(self, base_url: str) -> list[int]:
        """Unfinished demo tasks follow the demo emulator to its new address.

        The emulator remembers its tasks across restarts and prefers its old port, but when
        that port is taken it listens elsewhere; its tasks would otherwise wait for "the
        server they were sent to" forever.  Only loopback addresses are moved.
        """
        moved = []
        for rec in self._ctx.store.tasks.in_states(TaskState.SUBMITTING, TaskState.PENDING, TaskState.RUNNING,
                                                   TaskState.DOWNLOADING, TaskState.STALLED):
            if rec.base_url and rec.base_url != base_url and is_loopback(rec.base_url):
                self._ctx.store.tasks.update(rec.id, base_url=base_url)
                log.info("task %s: the demo server moved from %s to %s; following it there",
                         rec.id, rec.base_url, base_url)
                moved.append(rec.id)
        return moved

    def resume_all(self) -> list[int]:
        """Poll every unfinished task that has a provider task id (start-up, "tasks resume").

        Returns them all, including those another process follows (``wait`` watches those).
        """
        store = self._ctx.store
        resumed, elsewhere = [], []
        for rec in store.tasks.in_states(TaskState.PENDING, TaskState.RUNNING, TaskState.DOWNLOADING,
                                         TaskState.STALLED):
            if rec.provider_task_id:
                mine = self._poller.start(rec.id, immediate=True)
                (resumed if mine else elsewhere).append(rec.id)
                log.info("task %s (%s, provider task id %s, was %s): %s", rec.id, rec.kind.value,
                         rec.provider_task_id, rec.state.value,
                         "resumed" if mine else "followed by another Sonic Studio process")
        if resumed:
            log.info("resuming %d unfinished task(s)", len(resumed))
        if elsewhere:
            log.info("%d unfinished task(s) are followed by another Sonic Studio process", len(elsewhere))
        return resumed + elsewhere

    def wake_all(self) -> None:
        """The adapter or key changed: let waiting sessions try again now."""
        self._poller.wake_all()

    def submitting(self) -> int:
        """How many submits are on the wire, waiting for the provider's answer (and task id)."""
        return len(self._open_submits)

    async def settle_submits(self, timeout: float = SUBMIT_GRACE,
                             progress: Callable[[int, float], None] | None = None) -> int:
        """Wait, at most ``timeout`` s, for submits on the wire to learn and save their task id.

        ``progress(count, seconds_left)`` is called a few times a second so a closing
        window can say what it waits for.  Returns how many still have no answer.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while self._open_submits and (left := end - loop.time()) > 0:
            if progress is not None:
                progress(len(self._open_submits), left)
            await asyncio.wait(set(self._open_submits.values()), timeout=min(left, 0.25),
                               return_when=asyncio.FIRST_COMPLETED)
        return len(self._open_submits)

    async def shutdown(self, timeout: float) -> None:
        """Stop following tasks; submits on the wire get a bounded grace, then are recorded UNKNOWN.

        Nothing may write to the library after this returns (the store is closed next):
        that was the "Cannot operate on a closed database" after closing mid-submit.
        """
        if await self.settle_submits(min(timeout, SUBMIT_GRACE)):
            self._closing = True
            for task, submitter in list(self._submitters.items()):
                log.warning("task %s: closing before the provider answered; recorded as UNKNOWN", task)
                submitter.cancel()
            if self._open_submits:
                await asyncio.wait(set(self._open_submits.values()), timeout=2.0)
        self._closing = True
        for task, provider_task_id in self._unsaved.items():
            log.error("closing with task %s (provider task id %s) not in the library; "
                      "it is in the recovery journal", task, provider_task_id)
        for copy in list(self._copies):
            copy.cancel()
        await asyncio.gather(*self._copies, return_exceptions=True)
        await self._poller.shutdown(timeout)

    # ------------------------------------------------------------------ internals
    async def _answer(
        self, rec: TaskRecord, provider: Provider, call: Callable[[Provider], Awaitable[SubmitResult]]
    ) -> tuple[SubmitResult, bool]:
        """The provider's answer, and whether we were asked to stop while it was on the way.

        Closing (Ctrl+C, SIGTERM, the window) while a request is on the wire used to
        turn it UNKNOWN although the answer - and the task id - was seconds away.  So
        the request is shielded and given up to ``SUBMIT_GRACE`` more seconds; only if
        it still has no answer does the cancellation win (and the row become UNKNOWN).
        """
        wire = asyncio.ensure_future(call(provider))
        try:
            return await asyncio.shield(wire), False
        except asyncio.CancelledError:
            if not wire.done() and not self._closing:
                self._update(rec.id, detail=f"closing: waiting up to {SUBMIT_GRACE:g} s for the provider's answer")
                try:
                    await asyncio.wait({wire}, timeout=SUBMIT_GRACE)
                finally:
                    wire.cancel()  # no-op once answered
            if not wire.done():  # shutdown already gave it its grace
                wire.cancel()
                raise
            if wire.cancelled():
                raise
            if wire.exception() is not None:
                raise wire.exception() from None  # a clear answer (refused, ...) is still an answer
            return wire.result(), True

    async def _flush_before_sending(self, rec: TaskRecord) -> None:
        """Make the SUBMITTING row survive a power cut before anything is sent.

        Commits do not fsync (store.database): without this, a power cut after the
        provider accepted but before the id was saved could lose the row itself, and
        with it the "may have been submitted, check your account" warning.  In the
        executor: the fsync delays this submit, never the UI loop.
        """
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._ctx.store.db.sync)
        except OSError as exc:  # the commit stands; only its power-cut safety is in doubt
            log.warning("task %s: the library could not be flushed to disk (%s); sending anyway", rec.id, exc)
        except asyncio.CancelledError:
            self._update(rec.id, state=TaskState.FAILED, finished_at=time.time(),
                         error=StudioError("Not sent: the app was closing."), detail="not sent: the app was closing")
            raise

    async def _save_accepted(self, rec: TaskRecord, provider_task_id: str) -> TaskRecord:
        """Record the id the provider just gave us, or make sure it survives somewhere else."""
        changes = dict(provider_task_id=provider_task_id, state=TaskState.PENDING, submitted_at=time.time(),
                       detail="queued at the provider", progress=0.05)
        loop = asyncio.get_running_loop()
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            # In a thread: a library locked by another process makes a write wait up to
            # the busy timeout, and the fsync that makes the id survive a power cut takes
            # what the disk takes; neither may freeze the window.
            write = loop.run_in_executor(None, functools.partial(_save_durably, self._ctx.store, rec.id, changes))
            try:
                saved = await asyncio.shield(write)
            except sqlite3.IntegrityError:
                raise self._duplicate_id(rec, provider_task_id) from None
            except asyncio.CancelledError:
                # Closing while the write waits: it may still land, but the journal makes sure.
                self._journal(rec, provider_task_id, "the app closed while the id was being saved")
                raise
            except (sqlite3.Error, OSError) as exc:
                if attempt == WRITE_ATTEMPTS:
                    raise self._keep_unsaved(rec, provider_task_id, exc) from None
                log.warning("task %s: saving provider task id %s failed (%s); retrying",
                            rec.id, provider_task_id, storage_problem(exc, self._ctx.store.path.parent) or exc)
                await asyncio.sleep(WRITE_RETRY_DELAY * 2 ** (attempt - 1))
            else:
                self._ctx.events.emit(TaskChanged(saved))
                return saved
        raise AssertionError("unreachable")

    def _duplicate_id(self, rec: TaskRecord, provider_task_id: str) -> StudioError:
        """The provider answered with an id the library already holds: say so, keep the reply."""
        other = self._ctx.store.tasks.find(provider_task_id, rec.provider)
        owner = f"task {other.id} (“{other.title}”)" if other else "another task"
        error = MalformedResponseError(
            f"The provider accepted this request but answered with task id {provider_task_id}, which "
            f"already belongs to {owner} in this library - a mistake on the provider's side. This request "
            "may have been charged: check your account on the provider's site. The id it sent is kept "
            "on this task.",
            provider=rec.provider.value, provider_message=f"task id {provider_task_id}",
        )
        log.error("task %s: provider returned task id %s, already held by %s", rec.id, provider_task_id, owner)
        try:
            self._update(rec.id, state=TaskState.UNKNOWN, error=error, finished_at=time.time(),
                         detail=f"the provider sent task id {provider_task_id} twice; check your account")
        except (sqlite3.Error, OSError) as exc:
            log.error("task %s: could not record the duplicate id either (%s)", rec.id, exc)
        return error

    def _keep_unsaved(self, rec: TaskRecord, provider_task_id: str, exc: BaseException) -> StudioError:
        """The library refused the id: keep it in memory and the journal, keep trying, tell the person."""
        problem = storage_problem(exc, self._ctx.store.path.parent) or f"the library could not be written ({exc})"
        self._unsaved[rec.id] = provider_task_id
        journaled = self._journal(rec, provider_task_id, problem)
        log.error("task %s: the provider accepted it as task id %s but %s", rec.id, provider_task_id, problem)
        self._ctx.spawn(self._keep_trying(rec, provider_task_id), name=f"save-task-id-{rec.id}")
        if journaled:
            where = (f"The id is saved in the recovery journal {self._ctx.store.journal.path}; the next start "
                     "or 'tasks resume' adopts it, and this run keeps trying meanwhile.")
        else:
            where = "The recovery journal could not be written either: note the id down."
        return StudioError(
            f"The provider accepted this request as task id {provider_task_id}, but the library could not "
            f"record it because {problem}. {where} Do not submit it again.",
            provider=rec.provider.value,
        )

    def _journal(self, rec: TaskRecord, provider_task_id: str, reason: str) -> bool:
        return self._ctx.store.journal.append(
            rec.id, rec.provider.value, provider_task_id, kind=rec.kind.value, title=rec.title,
            base_url=rec.base_url, reason=reason,
        )

    async def _keep_trying(self, rec: TaskRecord, provider_task_id: str) -> None:
        """Write a refused id as soon as the library takes it again, then follow the task."""
        store, loop = self._ctx.store, asyncio.get_running_loop()
        delay = WRITE_RETRY_DELAY
        while rec.id in self._unsaved:  # another path (adopt_journal) may take it first
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            try:
                saved = await loop.run_in_executor(None, functools.partial(
                    _save_late, store, rec.id, provider_task_id))
            except (sqlite3.Error, OSError):
                continue
            self._unsaved.pop(rec.id, None)
            self._ctx.events.emit(TaskChanged(saved))
            log.warning("task %s: provider task id %s is now in the library", rec.id, provider_task_id)
        self.adopt_journal()  # its entry is known now: this clears the journal
        self._poller.start(rec.id)


    async def _submit(
        self,
        provider: Provider,
        kind: TaskKind,
        *,
        title: str,
        request: dict,
        call: Callable[[Provider], Awaitable[SubmitResult]],
        source_clip: int | None = None,
        source_url: str | None = None,
    ) -> TaskRecord:
        store = self._ctx.store
        rec = store.tasks.create(provider.id, kind, title=title, request=request, base_url=provider.base_url,
                                 source_clip=source_clip, source_url=source_url)
        # Registered before the flush: from the row's first moment, closing knows it is on its way.
        settled = asyncio.get_running_loop().create_future()
        self._open_submits[rec.id] = settled
        self._submitters[rec.id] = asyncio.current_task()
        try:
            await self._flush_before_sending(rec)
            self._ctx.events.emit(TaskChanged(rec))
            try:
                result, interrupted = await self._answer(rec, provider, call)
            except StudioError as exc:
                maybe = isinstance(exc, _MAYBE_SUBMITTED)
                log.warning("task %s (%s): submit %s: %s", rec.id, kind.value,
                            "may have gone out (UNKNOWN)" if maybe else "refused", exc)
                self._update(
                    rec.id,
                    state=TaskState.UNKNOWN if maybe else TaskState.FAILED,
                    error=StudioError(f"{exc} {UNKNOWN_MESSAGE}", provider=exc.provider,
                                     provider_message=exc.provider_message, http_status=exc.http_status,
                                     code=exc.code) if maybe else exc,
                    detail="may have been submitted; check your account" if maybe else str(exc),
                    finished_at=time.time(),
                )
                raise
            except BaseException as exc:
                # Cancelled (app closing) or a bug: we cannot know whether it went out.
                log.warning("task %s (%s): submit interrupted (%s); recorded as UNKNOWN", rec.id, kind.value,
                            type(exc).__name__)
                self._update(rec.id, state=TaskState.UNKNOWN, error=StudioError(UNKNOWN_MESSAGE),
                             detail="may have been submitted; check your account", finished_at=time.time())
                raise
            # The one write that must happen before anyone is told "submitted".
            rec = await self._save_accepted(rec, result.task_id)
            if interrupted:
                log.info("task %s: the provider's answer arrived while closing; id %s saved", rec.id, result.task_id)
                raise asyncio.CancelledError
            if result.uploaded_clip is not None:
                row = self._store_upload(result.uploaded_clip, source_url=source_url)
                rec = store.tasks.update(rec.id, source_clip=row.id)
                if row.audio_path is None and source_url:
                    # Not awaited: "submitted" must not wait for our own copy of the source.
                    copy = asyncio.ensure_future(self._keep_local_copy(row.id, None, source_url))
                    self._copies.add(copy)
                    copy.add_done_callback(self._copies.discard)
            self._ctx.events.emit(TaskChanged(rec))
            log.info("task %s submitted (%s)", rec.id, kind.value)
            self._poller.start(rec.id)
            return rec
        finally:
            del self._open_submits[rec.id]
            self._submitters.pop(rec.id, None)
            settled.set_result(None)

    def _source_clip(self, clip: int, provider: Provider) -> Clip:
        detail = self._ctx.store.clips.detail(clip)
        if detail.provider is not provider.id:
            raise ValidationError(
                f"This clip lives at {detail.provider.value}; switch to that provider to use it.", field="source"
            )
        return detail.to_clip()

    async def _source_url(
        self, provider: Provider, source: str | Path, problems: list[Problem], model: str | None
    ) -> tuple[str, str | None]:
        """The public URL to send; a local file is hosted first where the provider allows it."""
        path = _local_path(source)
        if path is None:
            ensure(problems + check_source_url(str(source)))
            await check_audio_link(self._ctx.downloader, str(source).strip())
            return str(source).strip(), None
        ensure(problems + await self._local_file_problems(provider.capabilities, path, model))
        clip = await provider.upload_file(path)
        row = self._store_upload(clip, source_url=clip.audio_url, local_file=path.name)
        if not clip.audio_url:
            raise ValidationError("The upload host did not return a link for the file.", field="file")
        await self._keep_local_copy(row.id, path, None)
        log.info("hosted local file as clip %s", row.id)
        return clip.audio_url, path.name

    async def _local_file_problems(self, caps: ProviderCapabilities, path: Path, model: str | None) -> list[Problem]:
        if not path.is_file():
            return [Problem("file", f"There is no file at {path}.")]
        if not caps.accepts_file_upload:
            return []  # the adapter explains "needs a public URL"; nothing is sent
        seconds = await asyncio.get_running_loop().run_in_executor(None, probe_duration, path)
        if seconds is None:
            return [Problem("file", f"{path.name} is not an audio file we can read (ffmpeg could not open it).")]
        return check_upload_duration(seconds, caps, model)

    def _store_upload(self, clip: Clip, *, source_url: str | None, local_file: str | None = None) -> ClipRow:
        """Keep an upload as a library clip, titled by the person's own file name without its
        extension ("night-drive", not "night-drive.mp3" nor the upload host's renamed file);
        ``local_file`` (the file they chose) is what its lineage names."""
        store = self._ctx.store
        clip = scrub_clip(clip)
        named = local_file or unquote(Path(urlsplit(source_url or "").path).name) or clip.title
        title = _without_audio_suffix(clip.title if clip.title and clip.title != named else named)
        clip = clip.with_(origin=Origin.UPLOADED, title=title)
        row, created = store.clips.upsert(clip)
        if created:
            store.clips.set_lineage(row.id, task=None, task_kind=None, source_url=source_url,
                                    params={"local_file": local_file} if local_file else None)
            row = store.clips.row(row.id)
            self._ctx.events.emit(ClipAdded(row))
        return row

    async def _keep_local_copy(self, clip: int, path: Path | None, url: str | None) -> ClipRow:
        """Keep the uploaded audio in the library too, with its duration.

        The provider only holds uploads briefly (sunoapi.org: 3 days) and a pasted URL
        can vanish, while the library must play, draw and extend the clip later.  A
        copy that fails is noted on the clip; the upload itself stands.
        """
        store, lib = self._ctx.store, self._ctx.library_dir
        row = store.clips.row(clip)
        if row.audio_path:
            return row
        dest = library_file(lib, row.provider.value, row.clip_id, row.title,
                            path.name if path is not None else url, audio=True)
        loop = asyncio.get_running_loop()
        try:
            if path is not None:
                await loop.run_in_executor(None, _copy_atomic, path, dest)
            elif url:
                await self._ctx.downloader.fetch(url, dest, audio=True)
            else:
                return row
        except (OSError, DownloadError) as exc:
            log.info("no local copy of upload %s: %s", clip, exc)
            row = store.clips.set_files(clip, download_error=f"No local copy of the upload: {exc}")
        else:
            duration = await loop.run_in_executor(None, probe_duration, dest)
            store.clips.set_duration(clip, duration)
            row = store.clips.set_files(clip, audio_path=str(dest), clear_error=True)
        self._ctx.events.emit(ClipUpdated(row))
        return row

    def _update(self, task: int, **changes) -> TaskRecord:
        rec = self._ctx.store.tasks.update(task, **scrub_changes(changes))
        self._ctx.events.emit(TaskChanged(rec))
        return rec


def _save_durably(store: Store, task: int, changes: dict) -> TaskRecord:
    """Write an accepted task id and fsync it (commits alone survive a crash, not a power cut)."""
    saved = store.tasks.update(task, **changes)
    store.db.sync()
    return saved


def _save_late(store: Store, task: int, provider_task_id: str) -> TaskRecord:
    current = store.tasks.get(task)
    if current.provider_task_id == provider_task_id:
        return current
    return _save_durably(store, task, dict(
        provider_task_id=provider_task_id, state=TaskState.PENDING, submitted_at=time.time(), error=None,
        finished_at=None, progress=0.05, detail="queued at the provider (the id was saved late)"))


def _task_or_none(store: Store, task: int) -> TaskRecord | None:
    try:
        return store.tasks.get(task)
    except KeyError:
        return None


def _copy_atomic(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(partial_prefix() + dest.name)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _local_path(source: str | Path) -> Path | None:
    if isinstance(source, Path):
        return source.expanduser()
    text = source.strip()
    if "://" in text:
        return None
    return Path(text).expanduser()


def _name(clip: Clip) -> str:
    return clip.title or clip.id


def _short_text(text: str, limit: int) -> str:
    """The start of a typed text on one line, for a task title."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 48 else "…" + text[-47:]


def _owner_alive(pid: int | None, created_at: float) -> bool:
    """Is the process that wrote this SUBMITTING row still running (the GUI and CLI share the DB)?"""
    if pid is None:
        return False
    if pid == os.getpid():
        # Written by this very process (another Studio in it) is in flight; an earlier
        # process that happened to get the same pid is not.
        return created_at >= _PROCESS_START
    if os.name != "posix":
        # No cheap, safe liveness probe here; a submit never takes longer than a few minutes.
        return time.time() - created_at < 300
    return pid_alive(pid)


_AUDIO_SUFFIXES = (".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".webm", ".mp4", ".aif", ".aiff")


def _without_audio_suffix(name: str) -> str:
    """"night-drive.mp3" -> "night-drive": a title is a name, not a file name."""
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and stem and f".{suffix.lower()}" in _AUDIO_SUFFIXES else name
