"""Plain domain types shared by every layer.

These are what providers return and what the store keeps.  They carry no HTTP or Qt
details: a ``Clip`` from the AI Music API and one from sunoapi.org look the same here,
and the ``provider`` field says where it lives.  Provider-specific wire names are the
adapters' business.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from enum import Enum
from typing import Any


class ProviderId(str, Enum):
    SONIC = "sonic"  # AI Music API (aimusicapi.ai) "sonic" family
    SUNOAPI = "sunoapi"  # sunoapi.org


class Origin(str, Enum):
    GENERATED = "generated"
    UPLOADED = "uploaded"


class TaskKind(str, Enum):
    GENERATE = "generate"  # fresh generation, e.g. with a persona
    EXTEND = "extend"
    COVER = "cover"
    UPLOAD_EXTEND = "upload_extend"
    UPLOAD_COVER = "upload_cover"
    CONCAT = "concat"  # sonic concat_music: the whole song from an extension
    # Edit operations on a library clip (core/edits.py holds their requests).
    REPLACE_SECTION = "replace_section"
    ADD_VOCALS = "add_vocals"
    ADD_INSTRUMENTAL = "add_instrumental"
    REMASTER = "remaster"
    MASHUP = "mashup"
    SAMPLE = "sample"
    # Derived assets of a finished clip ("finishing the song"); see AssetKind.
    WAV = "wav"
    STEMS_BASIC = "stems_basic"
    STEMS_FULL = "stems_full"
    MIDI = "midi"
    LYRICS_TIMELINE = "lyrics_timeline"
    BPM = "bpm"
    VOX = "vox"


class RemoteTaskState(str, Enum):
    """A task as the provider reports it. The library's own lifecycle (which adds
    UNKNOWN, resumes and local downloads) is ``store.records.TaskState``."""

    SUBMITTING = "submitting"  # persisted locally, request not yet acknowledged
    PENDING = "pending"  # acknowledged, queued at the provider
    RUNNING = "running"  # provider is producing audio (first clip may stream)
    DOWNLOADING = "downloading"  # provider done, we are copying files locally
    SUCCEEDED = "succeeded"  # every clip done and stored locally
    PARTIAL = "partial"  # finished, but some clips failed
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (RemoteTaskState.SUCCEEDED, RemoteTaskState.PARTIAL, RemoteTaskState.FAILED)


class ClipState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"  # may already have a stream URL
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (ClipState.SUCCEEDED, ClipState.FAILED)


@dataclass
class Clip:
    """One piece of audio known to a provider (generated) or handed to it (uploaded)."""

    id: str
    provider: ProviderId
    origin: Origin = Origin.GENERATED
    source_task_id: str | None = None
    title: str = ""
    tags: str = ""
    lyrics: str = ""
    duration: float | None = None
    audio_url: str | None = None
    stream_url: str | None = None
    image_url: str | None = None
    model: str | None = None
    state: ClipState = ClipState.SUCCEEDED
    error: str | None = None
    created_at: str | None = None
    # sonic auto_concat: the provider returns the extension and, later, the full song.
    full_song_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["provider"] = self.provider.value
        data["origin"] = self.origin.value
        data["state"] = self.state.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clip:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        kw["provider"] = ProviderId(kw["provider"])
        kw["origin"] = Origin(kw.get("origin", "generated"))
        kw["state"] = ClipState(kw.get("state", "succeeded"))
        return cls(**kw)

    def with_(self, **changes: Any) -> Clip:
        return replace(self, **changes)


class AssetKind(str, Enum):
    """What can be derived from a finished clip; the value doubles as the TaskKind value."""

    WHOLE_SONG = "whole_song"  # sonic: concat_music (a clip); sunoapi.org: joined here
    WAV = "wav"
    STEMS_BASIC = "stems_basic"  # two or four stems (vocals + instrumental at least)
    STEMS_FULL = "stems_full"  # one stem per instrument
    MIDI = "midi"
    LYRICS_TIMELINE = "lyrics_timeline"
    BPM = "bpm"
    VOX = "vox"  # sonic: an isolated vocal window, used for personas

    @property
    def label(self) -> str:
        return _ASSET_LABELS[self]


_ASSET_LABELS = {
    AssetKind.WHOLE_SONG: "whole song",
    AssetKind.WAV: "WAV",
    AssetKind.STEMS_BASIC: "stems",
    AssetKind.STEMS_FULL: "full stems",
    AssetKind.MIDI: "MIDI",
    AssetKind.LYRICS_TIMELINE: "timed lyrics",
    AssetKind.BPM: "BPM",
    AssetKind.VOX: "VOX",
}


@dataclass
class LyricWord:
    """One sung word with its time in the clip (seconds)."""

    word: str
    start: float
    end: float
    confidence: float | None = None


@dataclass
class AssetResult:
    """What a provider says about one derived-asset request.

    ``files`` maps a name ("wav", "vocals", "drums", "midi", ...) to a download URL.
    ``data`` holds non-file results: bpm numbers, ``words`` (list of LyricWord),
    MIDI ``instruments`` as note JSON, ``vox_audio_id``.  A synchronous endpoint
    returns a finished result at once; an asynchronous one returns ``task_id`` and
    PENDING, and ``Provider.asset_status`` is polled until it finishes.
    """

    kind: AssetKind
    state: RemoteTaskState
    task_id: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    provider_status: str | None = None
    error: Any = None  # a StudioError when the provider reports failure

    @property
    def finished(self) -> bool:
        return self.state.finished


@dataclass
class AssetRequest:
    """Ask for ``kind`` from ``clip``.  ``stems_task_id``: sunoapi.org MIDI needs a finished
    separation; ``vocal_start``/``vocal_end``: the VOX window (seconds)."""

    kind: AssetKind
    clip: Clip
    vocal_start: float | None = None
    vocal_end: float | None = None
    stems_task_id: str | None = None


@dataclass
class TaskStatus:
    """What one poll of a provider says about a task."""

    task_id: str
    state: RemoteTaskState
    clips: list[Clip] = field(default_factory=list)
    provider_status: str | None = None  # the raw status word, for the details view
    error: Any = None  # a StudioError when the provider reports failure

    @property
    def finished(self) -> bool:
        return self.state.finished


@dataclass
class Persona:
    id: str
    provider: ProviderId
    name: str
    description: str = ""
    styles: str = ""
    source_clip_id: str | None = None
    source_task_id: str | None = None
    vocal_start: float | None = None
    vocal_end: float | None = None
    created_at: str | None = None


@dataclass
class Credits:
    credits: float
    extra_credits: float | None = None

    @property
    def total(self) -> float:
        return self.credits + (self.extra_credits or 0)


# --------------------------------------------------------------------------- requests


@dataclass
class GenerationParams:
    """The musical knobs shared by every generation kind.

    ``custom_mode`` True: ``lyrics`` are sung verbatim, ``tags``/``title`` are used as
    given.  False: ``description`` is an idea the provider writes a song from.
    Weights are 0..1 or None (provider default).
    """

    model: str
    custom_mode: bool = True
    lyrics: str = ""
    description: str = ""
    tags: str = ""
    title: str = ""
    negative_tags: str = ""
    instrumental: bool = False
    vocal_gender: str | None = None  # "m" | "f"
    style_weight: float | None = None
    weirdness: float | None = None
    audio_weight: float | None = None
    persona_id: str | None = None
    persona_model: str | None = None  # sunoapi.org: "style_persona" | "voice_persona"


@dataclass
class ExtendRequest:
    source: Clip
    continue_at: float
    params: GenerationParams


@dataclass
class CoverRequest:
    source: Clip
    params: GenerationParams  # params.audio_weight matters most here


@dataclass
class UploadExtendRequest:
    url: str
    continue_at: float
    params: GenerationParams
    auto_concat: bool = False


@dataclass
class UploadCoverRequest:
    url: str
    params: GenerationParams


@dataclass
class GenerateRequest:
    params: GenerationParams  # with persona_id for "generate with this persona"


@dataclass
class PersonaRequest:
    source: Clip
    name: str
    description: str
    styles: str = ""
    vocal_start: float | None = None
    vocal_end: float | None = None
    vox_audio_id: str | None = None  # sonic: a VOX of exactly this window (contract 2.6)


@dataclass
class SubmitResult:
    """A provider accepted work: the id to poll, and the uploaded clip if one was made."""

    task_id: str
    uploaded_clip: Clip | None = None


# --------------------------------------------------------------------------- writing helpers
# "Write lyrics for me" and "Boost style": text the provider writes for the Create form.


@dataclass
class LyricsDraft:
    """One set of lyrics the provider wrote (providers return two or more to choose from)."""

    title: str
    text: str


@dataclass
class LyricsResult:
    """A lyrics request as the provider reports it: finished at once (sonic) or polled by
    ``task_id`` until its drafts arrive (sunoapi.org)."""

    state: RemoteTaskState
    task_id: str | None = None
    drafts: list[LyricsDraft] = field(default_factory=list)
    provider_status: str | None = None
    error: Any = None  # a StudioError when the provider reports failure

    @property
    def finished(self) -> bool:
        return self.state.finished
