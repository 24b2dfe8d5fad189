"""Polling sessions: follow one submitted task to the end and copy its results home.

A session polls with the task's cadence, stores every clip as soon as the provider
shows it, downloads each clip the moment it is finished, and ends in SUCCEEDED,
PARTIAL or FAILED - or STALLED when the wait cap passes, so nothing is ever "stuck".
Transient errors (rate limits, 5xx, timeouts, garbage replies) only delay the next
poll; permanent ones fail the task with the taxonomy's message.  A session never
submits anything: the only request it makes to the API is "how is task X?".
Cancelling a session (app closing) leaves the row as it is, to be resumed next start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..core.errors import ErrorKind, NetworkError, NotFoundError, StudioError
from ..core.models import Clip, ClipState, RemoteTaskState, TaskKind, TaskStatus
from ..core.validation import is_loopback
from ..store import storage_problem
from ..store.records import ClipRow, TaskRecord, TaskState
from .context import ServiceContext
from .downloads import DownloadError, library_file
from .events import ClipAdded, ClipUpdated, TaskChanged
from .library import tag_library_copy
from .procs import pid_alive
from .redact import contains_secret, scrub, scrub_changes
from .task_docs import lineage_params

log = logging.getLogger(__name__)

# Downloads of a finished task get at least this long, even when the wait cap is near.
DOWNLOAD_WINDOW = 120.0
# Clips written per executor hop: small enough that the loop runs every few ms between
# batches, large enough that a 10,000-clip task is not 10,000 hops.
CLIP_BATCH = 200


class Poller:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._sessions: dict[int, asyncio.Task] = {}
        # Polls counted in memory and saved with the task's next real change: a durable
        # SQLite commit per poll (fsync) was the main UI-loop stall with 20 tasks polling.
        self._polls: dict[int, int] = {}
        self._wake: dict[int, asyncio.Event] = {}
        self._rng = random.Random()
        # Task kinds whose results are not clips (derived assets) are followed by the
        # service that owns them, in the same sessions (start/wake/wait/resume/shutdown).
        self.followers: dict[TaskKind, Callable[[int, bool], Awaitable[None]]] = {}

    # ------------------------------------------------------------------ control
    def start(self, task_id: int, *, immediate: bool = False) -> bool:
        """Follow ``task_id`` (no-op wake-up if a session already runs).

        False when another live Sonic Studio process follows it already: that one
        polls and downloads, this one only watches the library (``owner``).
        """
        running = self._sessions.get(task_id)
        if running is not None and not running.done():
            self.wake(task_id)
            return True
        try:
            owner = self._ctx.store.tasks.claim(task_id, os.getpid(), pid_alive)
        except sqlite3.Error as exc:  # locked or read-only: following twice beats not following
            log.warning("task %s: could not claim it (%s); following it anyway", task_id, exc)
            owner = None
        if owner is not None:
            log.info("task %s is followed by another Sonic Studio process (pid %s); leaving it to that one",
                     task_id, owner)
            return False
        self._wake[task_id] = asyncio.Event()
        session = self._ctx.spawn(self._session(task_id, immediate), name=f"poll-task-{task_id}")
        self._sessions[task_id] = session
        session.add_done_callback(lambda _t, tid=task_id: self._forget(tid, _t))
        return True

    def session(self, task_id: int) -> asyncio.Task | None:
        return self._sessions.get(task_id)

    def wake(self, task_id: int) -> None:
        event = self._wake.get(task_id)
        if event is not None:
            event.set()

    def wake_all(self) -> None:
        for event in self._wake.values():
            event.set()

    def _forget(self, task_id: int, task: asyncio.Task) -> None:
        if self._sessions.get(task_id) is task:
            del self._sessions[task_id]
            self._wake.pop(task_id, None)

    # ------------------------------------------------------------------ the session
    async def _session(self, task_id: int, immediate: bool) -> None:
        try:
            follow = self.followers.get(self._ctx.store.tasks.get(task_id).kind, self._follow)
            await follow(task_id, immediate)
        except Exception:
            # A bug must not leave a task looking busy with nobody following it.
            log.exception("following task %s failed unexpectedly", task_id)
            self._update(task_id, state=TaskState.STALLED,
                         detail="Stopped following this task after an internal error; use “Check again”.")
        finally:
            try:
                self._ctx.store.tasks.release(task_id, os.getpid())
            except Exception as exc:  # closing: the store may be gone; a dead pid is claimable anyway
                log.debug("task %s: claim not released (%s)", task_id, exc)

    async def _follow(self, task_id: int, immediate: bool) -> None:
        ctx = self._ctx
        rec = ctx.store.tasks.get(task_id)
        assert rec.provider_task_id, "only submitted tasks are polled"
        cadence = ctx.cadence(rec.provider, rec.base_url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + cadence.max_wait
        was_finished = rec.state.finished
        polls = errors = 0
        retry_after: float | None = None
        attempted: set[int] = set()  # clips whose download we tried in this session
        first = True
        pending_delay: float | None = None
        while True:
            if first and immediate:
                delay = 0.0
            elif pending_delay is not None:
                delay = pending_delay  # already announced in the task's detail
            else:
                delay = cadence.delay(polls, errors=errors, retry_after=retry_after, rng=self._rng)
            first, pending_delay = False, None
            await self._sleep(task_id, delay)

            try:
                provider = await ctx.provider_for(rec.provider)
            except StudioError as exc:  # no key for this provider right now
                errors += 1
                rec = self._update(task_id, detail=f"waiting: {exc}")
                if loop.time() >= deadline:
                    return self._stall(task_id, cadence.max_wait, was_finished)
                continue
            if provider.base_url != rec.base_url:
                self._update(
                    task_id,
                    detail=f"submitted to {rec.base_url}; the app now talks to {provider.base_url}. "
                    "Switch back to check this task.",
                )
                return

            self._polls[task_id] = self._polls.get(task_id, 0) + 1
            try:
                status = await self._poll_once(provider, rec.provider_task_id)
            except StudioError as exc:
                if not _worth_polling_again(exc):
                    return self._fail(task_id, exc, was_finished)
                errors += 1
                retry_after = getattr(exc, "retry_after", None)
                log.info("task %s: transient poll error (%s); polling again", task_id, exc.kind.value)
                pending_delay = cadence.delay(polls, errors=errors, retry_after=retry_after, rng=self._rng)
                rec = self._update(task_id, detail=_retry_detail(exc, pending_delay, retry_after))
                if loop.time() >= deadline:
                    return self._stall(task_id, cadence.max_wait, was_finished)
                continue
            errors, retry_after = 0, None
            polls += 1

            if status.finished:
                rec = self._update(task_id, state=TaskState.DOWNLOADING, detail="saving clips to the library")
            rows = await self._absorb(rec, status, attempted, max(deadline - loop.time(), DOWNLOAD_WINDOW))
            if status.finished:
                return self._complete(task_id, status, rows, was_finished)
            state = TaskState.RUNNING if status.state is RemoteTaskState.RUNNING else TaskState.PENDING
            rec = self._update(task_id, state=state, detail=_running_detail(state, rows),
                               progress=_progress(state, rows))
            if loop.time() >= deadline:
                return self._stall(task_id, cadence.max_wait, was_finished)

    async def _poll_once(self, provider, provider_task_id: str) -> TaskStatus:
        """One poll with our own time limit, so a hung connection cannot stall the session."""
        try:
            return await asyncio.wait_for(provider.get_task(provider_task_id), self._ctx.poll_timeout)
        except asyncio.TimeoutError:
            raise NetworkError("The provider did not answer in time; polling again.",
                               provider=provider.id.value) from None

    async def _sleep(self, task_id: int, seconds: float) -> None:
        event = self._wake.get(task_id)
        if seconds <= 0 or event is None:
            await asyncio.sleep(0)
            return
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        event.clear()

    # ------------------------------------------------------------------ clips and files
    async def _absorb(self, rec: TaskRecord, status: TaskStatus, attempted: set[int],
                      download_budget: float) -> list[ClipRow]:
        """Store the clips a check reported (in batches, off the event loop), then fetch files.

        A task can report thousands of clips; writing them on the loop once froze the app
        for 8.7 s, so each batch is written in the executor and the loop runs in between.
        """
        loop, events, clips = asyncio.get_running_loop(), self._ctx.events, status.clips
        rows: list[ClipRow] = []
        wanted: list[int] = []
        for start in range(0, len(clips), CLIP_BATCH):
            batch = clips[start:start + CLIP_BATCH]
            stored = await loop.run_in_executor(None, self._store_clips, rec, batch)
            for row, created, changed, needs_files in stored:
                if created:
                    events.emit(ClipAdded(row))
                elif changed:
                    events.emit(ClipUpdated(row))
                rows.append(row)
                if needs_files and row.id not in attempted:
                    attempted.add(row.id)
                    wanted.append(row.id)
        if wanted:
            await self._download_within(wanted, download_budget)
        return await loop.run_in_executor(None, self._ctx.store.clips.rows, [row.id for row in rows])

    def _store_clips(self, rec: TaskRecord, clips: list[Clip]) -> list[tuple[ClipRow, bool, bool, bool]]:
        """(row, created, changed, needs files) per clip, key masked first; runs in the executor."""
        store = self._ctx.store
        out = []
        for clip in clips:
            clip = scrub_clip(clip).with_(provider=rec.provider,
                                          source_task_id=clip.source_task_id or rec.provider_task_id)
            before = store.clips.find(rec.provider, clip.id, takes=False)
            row, created = store.clips.upsert(clip, task=rec.id, takes=False)
            if created or row.task_kind is None:
                store.clips.set_lineage(
                    row.id,
                    task=rec.id,
                    task_kind=rec.kind,
                    parent_clip=rec.source_clip,
                    parent_clip_id=rec.request.get("source_clip_id"),
                    source_url=rec.source_url,
                    params=lineage_params(rec.request),
                    persona_id=(rec.request.get("params") or {}).get("persona_id"),
                )
                row = store.clips.row(row.id, takes=False)
            needs_files = clip.state is ClipState.SUCCEEDED and self._needs_files(row.id)
            out.append((row, created, row != before, needs_files))
        labelled = store.clips.label_takes([row for row, *_ in out])  # once per batch, not per row
        return [(row, *rest) for row, (_, *rest) in zip(labelled, out, strict=True)]

    async def _download_within(self, clips: list[int], seconds: float) -> None:
        """Download clips, but never past the session's own deadline: ``--wait`` must come back."""
        jobs = {asyncio.ensure_future(self._download(clip)): clip for clip in clips}
        try:
            done, late = await asyncio.wait(jobs, timeout=seconds)
        except BaseException:  # cancelled (closing): take the downloads down too
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            raise
        for job in late:
            job.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        for job in late:
            clip = jobs[job]
            row = self._ctx.store.clips.set_files(
                clip, download_error=f"The download did not finish within {seconds:.0f} s; "
                "“Check again” fetches it.")
            self._ctx.events.emit(ClipUpdated(row))
        for job in done:
            if job.exception() is not None:
                raise job.exception()

    def _needs_files(self, clip_id: int) -> bool:
        detail = self._ctx.store.clips.detail(clip_id)
        if not detail.audio_path or not Path(detail.audio_path).exists():
            return True
        return bool(detail.image_url) and (not detail.image_path or not Path(detail.image_path).exists())

    async def _download(self, clip_id: int) -> None:
        ctx = self._ctx
        clip = ctx.store.clips.detail(clip_id)
        lib = ctx.library_dir
        # The cover first: the audio's tags carry it as their art.
        if clip.image_url and (not clip.image_path or not Path(clip.image_path).exists()):
            dest = library_file(lib, clip.provider.value, clip.clip_id, clip.title, clip.image_url, audio=False)
            try:
                await ctx.downloader.fetch(clip.image_url, dest, audio=False)
                await self._set_files(clip_id, image_path=str(dest))
            except (DownloadError, OSError) as exc:  # cover art is nice to have; the audio is what was paid for
                log.info("clip %s: cover art not saved: %s", clip.clip_id, exc)
        if not clip.audio_path or not Path(clip.audio_path).exists():
            if not clip.audio_url:
                await self._set_files(clip_id, download_error="The provider gave no download link for this clip.")
            else:
                dest = library_file(lib, clip.provider.value, clip.clip_id, clip.title, clip.audio_url, audio=True)
                try:
                    await ctx.downloader.fetch(clip.audio_url, dest, audio=True, expected_seconds=clip.duration)
                    await asyncio.get_running_loop().run_in_executor(None, tag_library_copy, ctx.store, clip_id, dest)
                    await self._set_files(clip_id, audio_path=str(dest), clear_error=True)
                except DownloadError as exc:
                    log.warning("clip %s: audio not saved: %s", clip.clip_id, exc)
                    await self._set_files(clip_id, download_error=str(exc))
                except OSError as exc:  # our side: a full disk, a library folder gone read-only
                    problem = storage_problem(exc, lib) or str(exc)
                    log.warning("clip %s: audio not saved: %s", clip.clip_id, problem)
                    await self._set_files(clip_id, download_error=f"Not saved because {problem}.")
        ctx.events.emit(ClipUpdated(ctx.store.clips.row(clip_id)))

    async def _set_files(self, clip_id: int, **changes) -> None:
        # Off the loop: the library commits with synchronous=FULL, and an fsync under a
        # burst of downloads held the loop for hundreds of ms.
        store = self._ctx.store
        await asyncio.get_running_loop().run_in_executor(None, lambda: store.clips.set_files(clip_id, **changes))

    # ------------------------------------------------------------------ endings
    def _complete(self, task_id: int, status: TaskStatus, rows: list[ClipRow], was_finished: bool) -> None:
        saved = [r for r in rows if r.state is ClipState.SUCCEEDED and r.audio_path]
        lost = [r for r in rows if r.state is ClipState.SUCCEEDED and not r.audio_path]
        failed = [r for r in rows if r.state is ClipState.FAILED]
        if not rows:
            state = TaskState.FAILED
            error = status.error or StudioError("The provider finished the task but returned no clips.")
            detail = str(error)
        elif saved and not lost and not failed and status.state is not RemoteTaskState.FAILED:
            state, error = TaskState.SUCCEEDED, None
            detail = f"{len(saved)} clip{'s' if len(saved) != 1 else ''} saved to the library"
        elif saved or lost:
            state = TaskState.PARTIAL
            problems = [f"“{r.title or r.clip_id}”: {r.download_error or 'not downloaded'}" for r in lost]
            problems += [f"“{r.title or r.clip_id}”: the provider could not make it" for r in failed]
            summary = f"{len(saved)} of {len(rows)} clips saved."
            error = StudioError(" ".join([summary, *problems]), provider=rows[0].provider.value)
            detail = summary
        else:
            state = TaskState.FAILED
            error = status.error or StudioError("The provider reported that the task failed.")
            detail = str(error)
        before = self._ctx.store.tasks.get(task_id)
        if (was_finished and state is TaskState.FAILED
                and any(self._ctx.store.clips.row(c).audio_path for c in before.clip_ids)):
            # A later check that says "failed" (or shows no clips) cannot undo songs we saved.
            self._update(task_id, state=TaskState.SUCCEEDED if before.error is None else TaskState.PARTIAL,
                         detail=f"A later check said: {detail} The clips saved earlier are unaffected.")
            return
        if error is not None:
            log.warning("task %s ended %s: %s", task_id, state.value, error)
        else:
            log.info("task %s succeeded: %s", task_id, detail)
        rec = self._update(task_id, state=state, error=error, detail=detail, progress=1.0,
                           finished_at=time.time())
        self._ctx.task_finished(rec)

    def _fail(self, task_id: int, error: StudioError, was_finished: bool) -> None:
        rec = self._ctx.store.tasks.get(task_id)
        if was_finished and rec.state in (TaskState.SUCCEEDED, TaskState.PARTIAL):
            # A re-check of a finished task must not turn saved results into a failure.
            self._update(task_id, state=rec.state, detail=f"Check failed: {error}")
            return
        if error.kind is ErrorKind.NOT_FOUND and is_loopback(rec.base_url or ""):
            # The demo emulator keeps its tasks in memory: after the app restarts it no
            # longer knows tasks that were unfinished.  Say that, not "expired".
            error = NotFoundError(
                "The demo server was restarted, so this unfinished demo task is gone. "
                "Nothing was charged; submit it again if you like.",
                provider=error.provider, provider_message=error.provider_message,
                http_status=error.http_status, code=error.code,
            )
        log.warning("task %s failed (%s): %s", task_id, error.kind.value, error)
        rec = self._update(task_id, state=TaskState.FAILED, error=error, detail=str(error),
                           finished_at=time.time())
        self._ctx.task_finished(rec)

    def _stall(self, task_id: int, waited: float, was_finished: bool) -> None:
        minutes = max(1, round(waited / 60))
        rec = self._ctx.store.tasks.get(task_id)
        if was_finished and rec.state in (TaskState.SUCCEEDED, TaskState.PARTIAL):
            self._update(task_id, detail=f"Check again got no answer within {minutes} min; saved clips are unaffected.")
            return
        self._update(
            task_id,
            state=TaskState.STALLED,
            detail=f"Still not finished after {minutes} min of waiting. Use “Check again” later; "
            "nothing will be submitted again.",
        )

    def _update(self, task_id: int, **changes) -> TaskRecord:
        polls = self._polls.pop(task_id, 0)
        if polls:
            changes["attempts"] = self._ctx.store.tasks.get(task_id).attempts + polls
        rec = self._ctx.store.tasks.update(task_id, **scrub_changes(changes))
        self._ctx.events.emit(TaskChanged(rec))
        return rec

    async def shutdown(self, timeout: float) -> None:
        sessions = [s for s in self._sessions.values() if not s.done()]
        for session in sessions:
            session.cancel()
        if sessions:
            await asyncio.wait(sessions, timeout=timeout)


def _worth_polling_again(error: StudioError) -> bool:
    # A status poll costs nothing, so "no credits" cannot be about it: sunoapi.org's
    # generate-family 429 ("no credits") on a poll really means "slow down".
    return error.transient or error.kind is ErrorKind.INSUFFICIENT_CREDITS


def scrub_clip(clip: Clip) -> Clip:
    """Every text a server sent about a clip, with the key masked before it reaches the library.

    A server that echoes the key (in a title, an id, even a download link) must not get
    it into the database or a file name; a masked link simply fails to download.
    """
    changes = {f.name: scrub(value) for f in dataclasses.fields(clip)
               if isinstance(value := getattr(clip, f.name), str) and contains_secret(value)}
    return clip.with_(**changes) if changes else clip


def _retry_detail(error: StudioError, delay: float, retry_after: float | None) -> str:
    """Say when the next check really is: Retry-After may ask for hours and we cap it."""
    when = f"{delay:.0f} s" if delay < 90 else f"{delay / 60:.0f} min"
    if error.kind is ErrorKind.RATE_LIMITED:
        asked = ""
        if retry_after is not None and retry_after > delay + 1:
            asked = f" (it asked for {retry_after / 60:.0f} min; we check sooner, which is harmless)"
        return f"The provider asks us to slow down; next check in {when}{asked}."
    return f"{error} Next check in {when}."


def _running_detail(state: TaskState, rows: list[ClipRow]) -> str:
    if state is TaskState.PENDING or not rows:
        return "queued at the provider"
    ready = sum(1 for r in rows if r.state.terminal)
    return f"generating: {ready} of {len(rows)} clips ready"


def _progress(state: TaskState, rows: list[ClipRow]) -> float:
    if state is TaskState.PENDING or not rows:
        return 0.05
    done = sum(1 for r in rows if r.state.terminal)
    return round(0.1 + 0.8 * done / len(rows), 3)
