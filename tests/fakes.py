"""An in-memory provider and CDN for testing the services without any HTTP API.

``FakeWorld`` is the provider's side: it counts submissions, advances each task one
step per poll, and can be told to fail the next submits or polls with any taxonomy
error.  ``world.factory`` plugs into ``Studio(provider_factory=...)``;
``world.transport()`` gives the Studio's httpx client a CDN that serves real,
decodable MP3s (and records request headers, so tests can check no key went there).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sonic_studio.core.capabilities import capabilities
from sonic_studio.core.errors import NotFoundError, StudioError
from sonic_studio.core.models import (
    Clip,
    ClipState,
    CoverRequest,
    Credits,
    ExtendRequest,
    GenerateRequest,
    Origin,
    Persona,
    PersonaRequest,
    ProviderId,
    RemoteTaskState,
    SubmitResult,
    TaskStatus,
    UploadCoverRequest,
    UploadExtendRequest,
)
from sonic_studio.emulator import synth
from sonic_studio.providers.base import Provider

CDN = "https://cdn.fake.test"


@dataclass
class FakeTask:
    task_id: str
    kind: str
    clip_ids: list[str]
    title: str
    polls: int = 0
    steps: int = 2  # polls before the clips are done
    fail_clips: set[str] = field(default_factory=set)
    fail_task: bool = False


class FakeWorld:
    def __init__(self, provider: ProviderId = ProviderId.SONIC) -> None:
        self.provider = provider
        self.submissions: list[tuple[str, Any]] = []
        self.tasks: dict[str, FakeTask] = {}
        self.poll_errors: list[BaseException] = []
        self.submit_errors: list[BaseException] = []
        self.credits = Credits(100.0, 5.0)
        self.media: dict[str, bytes] = {}
        self.cdn_requests: list[httpx.Request] = []
        self.cdn_status: dict[str, int] = {}
        self.polls = 0
        self.steps = 2
        self.hang_polls = False
        self._ids = itertools.count(1)
        self.keys_seen: list[str] = []

    # ------------------------------------------------------------------ wiring
    def factory(self, provider, client, api_key, *, base_url=None, upload_base_url=None) -> FakeProvider:
        self.keys_seen.append(api_key)
        return FakeProvider(self, ProviderId(provider), client, api_key, base_url=base_url,
                            upload_base_url=upload_base_url)

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.cdn_requests.append(request)
            path = request.url.path
            if path in self.cdn_status:
                return httpx.Response(self.cdn_status[path])
            data = self.media.get(path)
            if data is None:
                return httpx.Response(404, text="Not found")
            return httpx.Response(200, content=data, headers={"content-type": "audio/mpeg"})

        return httpx.MockTransport(handle)

    # ------------------------------------------------------------------ behaviour
    def new_task(self, kind: str, title: str = "Fake song") -> SubmitResult:
        if self.submit_errors:
            raise self.submit_errors.pop(0)
        n = next(self._ids)
        task_id = f"task-{n}"
        clips = [f"clip-{n}a", f"clip-{n}b"]
        self.tasks[task_id] = FakeTask(task_id, kind, clips, title, steps=self.steps)
        for i, clip_id in enumerate(clips):
            self.media[f"/{clip_id}.mp3"] = synth.song_mp3(seed=n * 10 + i, seconds=2.0, vocal=False)
            self.media[f"/{clip_id}.png"] = synth.cover_png(seed=n)
        return SubmitResult(task_id=task_id)

    def status(self, task_id: str) -> TaskStatus:
        self.polls += 1
        if self.poll_errors:
            raise self.poll_errors.pop(0)
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFoundError(provider=self.provider.value)
        task.polls += 1
        if task.polls < task.steps:
            return TaskStatus(task_id, RemoteTaskState.PENDING if task.polls == 1 else RemoteTaskState.RUNNING)
        if task.fail_task:
            return TaskStatus(task_id, RemoteTaskState.FAILED,
                              error=StudioError("The provider could not make this song.", provider="sonic"))
        clips = []
        for i, clip_id in enumerate(task.clip_ids):
            failed = clip_id in task.fail_clips
            clips.append(Clip(
                id=clip_id, provider=self.provider, source_task_id=task_id,
                title=f"{task.title} {i + 1}", tags="fake", duration=2.0,
                audio_url=None if failed else f"{CDN}/{clip_id}.mp3",
                image_url=None if failed else f"{CDN}/{clip_id}.png",
                model="sonic-v5-5", state=ClipState.FAILED if failed else ClipState.SUCCEEDED,
            ))
        state = RemoteTaskState.PARTIAL if task.fail_clips else RemoteTaskState.SUCCEEDED
        return TaskStatus(task_id, state, clips=clips)


class FakeProvider(Provider):
    capabilities = capabilities(ProviderId.SONIC)

    def __init__(self, world: FakeWorld, provider: ProviderId, client, api_key, *, base_url=None,
                 upload_base_url=None) -> None:
        self.capabilities = capabilities(provider)
        super().__init__(client, api_key, base_url=base_url, upload_base_url=upload_base_url)
        self.world = world

    async def credits(self) -> Credits:
        return self.world.credits

    async def upload_url(self, url: str, *, duration: float | None = None, title: str = "") -> Clip:
        self.world.submissions.append(("upload", url))
        n = next(self.world._ids)
        return Clip(id=f"upload-{n}", provider=self.world.provider, origin=Origin.UPLOADED,
                    title=title or Path(url).name, duration=duration or 60.0, audio_url=url)

    async def upload_file(self, path: Path, *, progress=None) -> Clip:
        if not self.capabilities.accepts_file_upload:
            return await super().upload_file(path, progress=progress)
        self.world.submissions.append(("upload_file", str(path)))
        n = next(self.world._ids)
        return Clip(id=f"file-{n}", provider=self.world.provider, origin=Origin.UPLOADED,
                    title=path.name, audio_url=f"{CDN}/uploads/{path.name}")

    async def extend(self, request: ExtendRequest) -> SubmitResult:
        self.world.submissions.append(("extend", request))
        return self.world.new_task("extend", request.source.title or "Extended")

    async def cover(self, request: CoverRequest) -> SubmitResult:
        self.world.submissions.append(("cover", request))
        return self.world.new_task("cover")

    async def upload_extend(self, request: UploadExtendRequest) -> SubmitResult:
        self.world.submissions.append(("upload_extend", request))
        result = self.world.new_task("upload_extend")
        uploaded = Clip(id=f"up-{result.task_id}", provider=self.world.provider, origin=Origin.UPLOADED,
                        audio_url=request.url, duration=60.0)
        return SubmitResult(result.task_id, uploaded_clip=uploaded)

    async def upload_cover(self, request: UploadCoverRequest) -> SubmitResult:
        self.world.submissions.append(("upload_cover", request))
        return self.world.new_task("upload_cover")

    async def generate(self, request: GenerateRequest) -> SubmitResult:
        self.world.submissions.append(("generate", request))
        return self.world.new_task("generate", request.params.title or "Generated")

    async def create_persona(self, request: PersonaRequest) -> Persona:
        self.world.submissions.append(("persona", request))
        n = next(self.world._ids)
        return Persona(id=f"persona-{n}", provider=self.world.provider, name=request.name,
                       description=request.description, styles=request.styles,
                       vocal_start=request.vocal_start, vocal_end=request.vocal_end)

    async def get_task(self, task_id: str) -> TaskStatus:
        if self.world.hang_polls:
            await asyncio.sleep(3600)
        return self.world.status(task_id)
