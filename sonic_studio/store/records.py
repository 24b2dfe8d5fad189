"""Immutable rows the store hands out: tasks, clips (light list rows and full details), personas.

The GUI lists thousands of clips, so ``ClipRow`` carries only what a list shows; the
heavy fields (lyrics, provider URLs, lineage) come with ``ClipDetail`` for one clip.
Timestamps are epoch seconds (UTC) so the UI can compute "running 0:42" cheaply.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..core.errors import StudioError
from ..core.models import Clip, ClipState, Origin, ProviderId, TaskKind


class TaskState(str, Enum):
    """A task's local state: the provider's lifecycle plus two states only we can know."""

    SUBMITTING = "submitting"  # row written, provider not yet answered
    PENDING = "pending"
    RUNNING = "running"
    DOWNLOADING = "downloading"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    # The submit died before we learned a task id: it may have been accepted (and
    # charged).  Never retried automatically; the user checks their account.
    UNKNOWN = "unknown"
    # The wait cap passed while the provider still said "not finished": check again.
    STALLED = "stalled"

    @property
    def active(self) -> bool:
        return self in (TaskState.SUBMITTING, TaskState.PENDING, TaskState.RUNNING, TaskState.DOWNLOADING)

    @property
    def finished(self) -> bool:
        return self in (TaskState.SUCCEEDED, TaskState.PARTIAL, TaskState.FAILED)

    @property
    def needs_attention(self) -> bool:
        return self in (TaskState.UNKNOWN, TaskState.STALLED)


@dataclass(frozen=True)
class TaskRecord:
    id: int
    provider: ProviderId
    provider_task_id: str | None
    kind: TaskKind
    state: TaskState
    title: str
    detail: str
    progress: float | None
    error: StudioError | None
    request: dict[str, Any]
    source_clip: int | None
    source_url: str | None
    base_url: str
    created_at: float
    submitted_at: float | None
    updated_at: float
    finished_at: float | None
    attempts: int
    clip_ids: tuple[int, ...] = ()

    @property
    def elapsed(self) -> float:
        """Seconds since submission (live while active, frozen once finished)."""
        start = self.submitted_at or self.created_at
        end = self.finished_at if self.finished_at is not None else (
            time.time() if self.state.active else self.updated_at
        )
        return max(0.0, end - start)


@dataclass(frozen=True)
class Lineage:
    """Where a clip came from: a parent clip or an uploaded URL, through which task."""

    task_kind: TaskKind | None
    task: int | None
    parent_clip: int | None
    parent_clip_id: str | None
    parent_title: str | None
    source_url: str | None
    params: dict[str, Any] = field(default_factory=dict)
    persona_id: str | None = None

    @property
    def continue_at(self) -> float | None:
        return self.params.get("continue_at")

    @property
    def audio_weight(self) -> float | None:
        return self.params.get("audio_weight")


@dataclass(frozen=True)
class ClipRow:
    id: int
    provider: ProviderId
    clip_id: str
    origin: Origin
    title: str
    tags: str
    duration: float | None
    model: str | None
    state: ClipState
    created_at: float
    audio_path: str | None
    image_path: str | None
    download_error: str | None
    task_kind: TaskKind | None
    persona_id: str | None
    deleted: bool
    # What the list's second line says ("extend of Night Drive @ 1:23"), read with the
    # row so painting a row never needs a query.
    full_song_of: str | None = None
    lineage: Lineage | None = None
    keeper: bool = False  # the take the user chose (★)
    take: str = ""  # "take 1", "take 2 · full song"; "" for a clip with no sibling takes
    task: int | None = None  # the local task that made it (its takes share it)


@dataclass(frozen=True)
class ClipDetail(ClipRow):
    lyrics: str = ""
    audio_url: str | None = None
    stream_url: str | None = None
    image_url: str | None = None
    source_task_id: str | None = None
    provider_error: str | None = None

    def to_clip(self) -> Clip:
        """The domain clip an adapter needs when this clip is the source of a request."""
        return Clip(
            id=self.clip_id,
            provider=self.provider,
            origin=self.origin,
            source_task_id=self.source_task_id,
            title=self.title,
            tags=self.tags,
            lyrics=self.lyrics,
            duration=self.duration,
            audio_url=self.audio_url,
            stream_url=self.stream_url,
            image_url=self.image_url,
            model=self.model,
            state=self.state,
        )


@dataclass(frozen=True)
class PersonaRecord:
    id: int
    provider: ProviderId
    persona_id: str
    name: str
    description: str
    styles: str
    source_clip: int | None
    source_clip_id: str | None
    source_task_id: str | None
    vocal_start: float | None
    vocal_end: float | None
    notes: str
    created_at: float


@dataclass(frozen=True)
class ClipQuery:
    """A library view: search text, filters and sort, applied in SQL."""

    text: str = ""
    origin: Origin | None = None
    provider: ProviderId | None = None
    persona_id: str | None = None  # provider persona id the clip was made with
    since: float | None = None  # created_at bounds, epoch seconds
    until: float | None = None
    sort: str = "created"  # created | title | duration
    descending: bool = True
    include_deleted: bool = False
    keepers_only: bool = False  # only clips marked as the keeper (★)
    limit: int = 500
    offset: int = 0
