"""Emulated sunoapi.org: the generate family, record-info, personas, credits and file upload.

The real service has two hosts - the API (``/api/v1/...``) and the file-upload host
(``/api/file-...``); the emulator serves both on one port and the client is simply
given two base URLs that may be equal.  Everything follows shared/docs/api-contract.md
sections 1.x; where the contract is silent or says "?", the reading chosen here is
written down in docs/contract-readings-sunoapi.md (and the adapter copes with the
other readings too).

Main readings, so the code below makes sense:

* Errors: a missing/wrong key is a real HTTP 401 (as an API gateway answers); every
  other API-level error is HTTP 200 with the error in the body ``code`` - the
  "check both" situation the contract warns about.  Unknown paths are HTTP 404.
* Tasks advance on ``emu.clock()`` using ``emu.timing`` as offsets from submission:
  PENDING until ``queue``, TEXT_SUCCESS (stream URLs) until ``first_clip``,
  FIRST_SUCCESS (track 1 downloadable) until ``second_clip``, then SUCCESS.
* Whatever depends on the *content* of an ``uploadUrl`` (can it be fetched, is it too
  long, is ``continueAt`` inside it) is judged asynchronously, as the real service
  can only know after downloading: the task ends in CREATE_TASK_FAILED with
  ``errorCode`` 451 (unreachable) or 400 (too long / bad continueAt).  Failed tasks
  are not charged.
* Tests steer outcomes with ``emu.state["sunoapi"].next_outcome`` (see ``SunoState``).

The emulator never touches the internet: ``uploadUrl``/``fileUrl`` on a loopback host
(or the emulator's own public host) are read from the emulator's CDN or demo samples;
any other host counts as unreachable.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import mimetypes
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.validation import is_loopback
from . import cdn, synth
from .docs_data import provider_data
from .http import Request, Response, json_response

if TYPE_CHECKING:  # app imports this module to register its routes
    from .app import Emulator

PROVIDER = "sunoapi"
DOCS = provider_data(PROVIDER)
MODELS = tuple(DOCS["models"])
# record-info reports the legacy Suno name, not the V* string that was sent (contract 1.2).
CHIRP_NAMES = {
    "V3_5": "chirp-v3-5",
    "V4": "chirp-v4",
    "V4_5": "chirp-v4-5",
    "V4_5PLUS": "chirp-v4-5-plus",
    "V4_5ALL": "chirp-v4-5-all",
    "V5": "chirp-v5",
    "V5_5": "chirp-v5-5",
}
PERSONA_MODELS = ("style_persona", "voice_persona")
# Outcomes a test may ask for, with the errorCode/errorMessage record-info then shows.
OUTCOMES: dict[str, tuple[int | None, str | None]] = {
    "SUCCESS": (None, None),
    "CREATE_TASK_FAILED": (500, "Task creation failed, please try again later."),
    "GENERATE_AUDIO_FAILED": (500, "Audio generation failed."),
    "SENSITIVE_WORD_ERROR": (400, "The lyrics or style contain sensitive words."),
    "CALLBACK_EXCEPTION": (None, "Callback to callBackUrl failed."),
}
PERSONA_MIN_LEN, PERSONA_MAX_LEN = DOCS["persona"]["window_min"], DOCS["persona"]["window_max"]
_EPS = 1e-6  # float slack for window arithmetic on two-decimal inputs
_GENERIC_TAGS = ("synth-pop, dreamy", "indie folk, warm", "lo-fi hip hop, mellow", "electro, upbeat")


class ApiError(Exception):
    """An API-level error, sent as HTTP 200 with ``code``/``msg`` in the body."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


class SourceProblem(Exception):
    """The uploadUrl's content makes the task fail later (CREATE_TASK_FAILED)."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


@dataclass(frozen=True)
class Limits:
    """One model's documented limits on one endpoint."""

    lyrics_max: int
    tags_max: int
    title_max: int
    description_max: int
    upload_seconds: float


@dataclass
class Track:
    id: str
    seed: int
    title: str
    tags: str
    prompt: str
    create_time: str
    duration: float | None = None
    audio_path: str | None = None
    stream_path: str | None = None
    image_path: str | None = None


@dataclass
class Task:
    id: str
    operation: str  # generate | extend | upload_cover | upload_extend
    model: str
    param: str  # the request body as JSON text, as record-info shows it
    instrumental: bool
    created: float
    tracks: list[Track]
    outcome: str = "SUCCESS"
    error_code: int | None = None
    error_message: str | None = None
    parent_music_id: str = ""


@dataclass
class PersonaRecord:
    id: str
    name: str
    description: str
    task_id: str
    audio_id: str
    style: str
    vocal_start: float
    vocal_end: float


@dataclass
class SunoState:
    """Everything the emulated sunoapi.org remembers.

    ``next_outcome``: set to one of CREATE_TASK_FAILED, GENERATE_AUDIO_FAILED,
    SENSITIVE_WORD_ERROR or CALLBACK_EXCEPTION and the next accepted submission ends
    that way (then it resets to None).  A task's ``model`` may be set to "V3_5" to
    emulate a legacy task (personas refuse those).
    """

    tasks: dict[str, Task] = field(default_factory=dict)
    personas: dict[str, PersonaRecord] = field(default_factory=dict)
    persona_by_audio: dict[str, str] = field(default_factory=dict)
    next_outcome: str | None = None

    def find_track(self, audio_id: str) -> tuple[Task, int] | None:
        for task in list(self.tasks.values()):  # a snapshot: the server thread may add tasks
            for index, track in enumerate(task.tracks):
                if track.id == audio_id:
                    return task, index
        return None


# ---------------------------------------------------------------------- audio rendering
# Covers and extensions mix or splice the source; they are deterministic per input, so a
# small in-process cache keeps repeated test scenarios fast.  Called via to_thread.


@lru_cache(maxsize=8)
def _decoded(source: bytes):
    return synth.decode(source)


def source_seconds(source: bytes) -> float:
    return len(_decoded(source)) / synth.SR


@lru_cache(maxsize=16)
def cover_mp3(source: bytes, seed: int, seconds: float, vocal: bool, weight: float) -> bytes:
    return synth.mix_mp3(_decoded(source), synth.render(seed, seconds, vocal), weight)


@lru_cache(maxsize=16)
def extension_mp3(source: bytes, seed: int, new_seconds: float, vocal: bool, at: float) -> bytes:
    tail = synth.decode(synth.song_mp3(seed, new_seconds, vocal))
    return synth.concat_mp3(_decoded(source), tail, at)


# Ids minted per run (personas, tracks, CDN names) would defeat the song cache.
_UNSTABLE_FIELDS = ("personaId", "audioId", "uploadUrl", "callBackUrl")


def _seed(body: dict, index: int) -> int:
    # Derived from the request so identical scenarios reuse the on-disk song cache.
    stable = {k: v for k, v in body.items() if k not in _UNSTABLE_FIELDS}
    return zlib.crc32(f"{json.dumps(stable, sort_keys=True)}|{index}".encode()) % 100_000


def _song_seconds(seed: int) -> float:
    # 95-150 s: long enough for persona windows such as 42.50-61.25 s.
    return round(95.0 + (seed % 5500) / 100.0, 2)


def _now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


# ---------------------------------------------------------------------- request checks


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _text(body: dict, name: str, code: int = 400) -> str:
    """An optional string field ('' when absent); wrong types are invalid parameters."""
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(code, f"{name} must be a string")
    return value


def _flag(body: dict, name: str, *, required: bool = True) -> bool:
    value = body.get(name)
    if value is None and not required:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"{name} is required and must be true or false")
    return value


def _url_field(body: dict, name: str) -> str:
    value = _text(body, name)
    if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname:
        raise ApiError(400, f"{name} must be an http(s) URL")
    return value


def _model(body: dict, endpoint: str = "") -> tuple[str, Limits]:
    """The model and its limits on ``endpoint`` (some pages cap lower than the model)."""
    name = body.get("model")
    if name not in MODELS:
        raise ApiError(400, f"model must be one of {', '.join(MODELS)}")
    model = DOCS["models"][name]
    caps = {"prompt": model["prompt"], "style": model["style"], "title": model["title"]}
    for key, cap in DOCS["endpoint_limits"].get(endpoint, {}).items():
        caps[key] = min(caps[key], cap)
    return name, Limits(caps["prompt"], caps["style"], caps["title"], model["description"], model["upload_seconds"])


def _check_common(body: dict, info: Limits, *, custom: bool, instrumental: bool) -> None:
    """callBackUrl, required-ness per mode, length limits, weights, vocalGender."""
    if not _text(body, "callBackUrl").strip():
        raise ApiError(400, "callBackUrl is required")
    prompt, style, title = _text(body, "prompt"), _text(body, "style"), _text(body, "title")
    if custom:
        if not style.strip():
            raise ApiError(400, "style is required in custom mode")
        if not title.strip():
            raise ApiError(400, "title is required in custom mode")
        if not instrumental and not prompt.strip():
            raise ApiError(400, "prompt (lyrics) is required in custom mode unless instrumental")
        if len(prompt) > info.lyrics_max:
            raise ApiError(413, f"prompt is too long ({len(prompt)} > {info.lyrics_max} characters)")
    else:
        if not prompt.strip():
            raise ApiError(400, "prompt is required in non-custom mode")
        if len(prompt) > info.description_max:
            raise ApiError(413, f"prompt is too long ({len(prompt)} > {info.description_max} characters)")
    if len(style) > info.tags_max:
        raise ApiError(400, f"style is too long ({len(style)} > {info.tags_max} characters)")
    if len(title) > info.title_max:
        raise ApiError(400, f"title is too long ({len(title)} > {info.title_max} characters)")
    _text(body, "negativeTags")
    if body.get("vocalGender") not in (None, "m", "f"):
        raise ApiError(400, "vocalGender must be m or f")
    for name in ("styleWeight", "weirdnessConstraint", "audioWeight"):
        value = body.get(name)
        if value is not None and not (_is_number(value) and 0 <= value <= 1):
            raise ApiError(400, f"{name} must be a number between 0 and 1")


def _check_persona_use(body: dict, state: SunoState, *, custom: bool) -> None:
    persona_id = body.get("personaId")
    if persona_id is None:
        return
    if not custom:
        raise ApiError(400, "personaId can only be used in custom mode")
    if body.get("personaModel") not in (None, *PERSONA_MODELS):
        raise ApiError(400, f"personaModel must be one of {', '.join(PERSONA_MODELS)}")
    if body.get("personaModel") is not None and body.get("model") not in DOCS["persona_model_models"]:
        raise ApiError(400, f"personaModel is only supported for {' and '.join(DOCS['persona_model_models'])}")
    if persona_id not in state.personas:
        raise ApiError(400, "personaId does not exist")


# ---------------------------------------------------------------------- the service


class SunoApi:
    """Route handlers; state lives in ``emu.state["sunoapi"]``."""

    def __init__(self, emu: Emulator, state: SunoState) -> None:
        self.emu = emu
        self.state = state

    # ------------------------------------------------------------ plumbing
    def api(self, fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """Key check and ApiError → ``{code, msg, data:null}`` for the API host."""

        async def handler(request: Request) -> Response:
            if not self.emu.key_ok(request):
                return json_response({"code": 401, "msg": "Unauthorized: invalid or missing API key", "data": None}, 401)
            try:
                return await fn(request)
            except ApiError as exc:
                return json_response({"code": exc.code, "msg": exc.msg, "data": None})

        return handler

    def upload_api(self, fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """The upload host's envelope adds ``success``."""

        async def handler(request: Request) -> Response:
            if not self.emu.key_ok(request):
                body = {"success": False, "code": 401, "msg": "Unauthorized: invalid or missing API key", "data": None}
                return json_response(body, 401)
            try:
                await asyncio.sleep(self.emu.timing.upload)
                return await fn(request)
            except ApiError as exc:
                return json_response({"success": False, "code": exc.code, "msg": exc.msg, "data": None})

        return handler

    @staticmethod
    def body(request: Request, code: int = 400) -> dict:
        if not isinstance(request.json, dict):
            raise ApiError(code, "request body must be a JSON object")
        return request.json

    def _is_local(self, url: str) -> bool:
        own = urlsplit(self.emu.public_base).hostname
        return is_loopback(url) or (urlsplit(url).hostname or "") == own

    async def fetch_local(self, url: str) -> bytes | None:
        """Bytes behind a URL the emulator may read (its own CDN, demo samples); else None."""
        if not self._is_local(url):
            return None
        path = urlsplit(url).path
        if path.startswith("/samples/"):
            spec = cdn.SAMPLES.get(path[len("/samples/"):])
            return None if spec is None else await asyncio.to_thread(synth.song_mp3, **spec)
        item = self.emu.media.get(path)
        return None if item is None else item.data

    # ------------------------------------------------------------ task life
    def stage(self, task: Task) -> tuple[str, int, bool]:
        """(status, finished track count, stream URLs visible) at the current clock."""
        timing = self.emu.timing
        t_text = timing.queue
        t_first = max(t_text, timing.first_clip)
        t_second = max(t_first, timing.second_clip)
        elapsed = self.emu.clock() - task.created
        if elapsed < t_text:
            return "PENDING", 0, False
        if task.outcome in ("CREATE_TASK_FAILED", "SENSITIVE_WORD_ERROR"):
            return task.outcome, 0, False
        if elapsed < t_first:
            return "TEXT_SUCCESS", 0, True
        if task.outcome == "GENERATE_AUDIO_FAILED":
            return task.outcome, 0, False
        if elapsed < t_second:
            return "FIRST_SUCCESS", 1, True
        return task.outcome, len(task.tracks), True

    def _take_outcome(self) -> str:
        with self.emu.lock:
            outcome, self.state.next_outcome = self.state.next_outcome or "SUCCESS", None
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown sunoapi next_outcome {outcome!r}; use one of {sorted(OUTCOMES)}")
        return outcome

    async def start(
        self,
        body: dict,
        operation: str,
        model: str,
        instrumental: bool,
        render: Callable[[int], Awaitable[tuple[bytes, float]]],
        describe: Callable[[int], tuple[str, str, str]],
        *,
        parent: str = "",
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> Response:
        """Charge, decide the outcome, render two tracks off the event loop, store the task.

        ``describe(i)`` gives (title, tags, prompt) for track i; ``prepare`` fetches and
        checks an uploadUrl's content and may raise SourceProblem.
        """
        cost = DOCS["prices"].get(operation, DOCS["edits"]["prices"].get(operation, 0))
        if not self.emu.charge(PROVIDER, cost):
            raise ApiError(429, "The current credits are insufficient. Please top up.")
        param = json.dumps(body, sort_keys=True)
        task = Task(
            id=uuid.uuid4().hex, operation=operation, model=model, param=param,
            instrumental=instrumental, created=0.0, tracks=[], parent_music_id=parent,
        )
        task.outcome = self._take_outcome()
        task.error_code, task.error_message = OUTCOMES[task.outcome]
        seeds = [_seed(body, i) for i in range(2)]
        for seed, (title, tags, prompt) in zip(seeds, map(describe, range(2))):
            task.tracks.append(Track(uuid.uuid4().hex, seed, title, tags, prompt, _now_text()))
        try:
            if prepare is not None:
                await prepare()
        except SourceProblem as problem:
            task.outcome, task.error_code, task.error_message = "CREATE_TASK_FAILED", problem.code, problem.msg
        if task.outcome in ("SUCCESS", "CALLBACK_EXCEPTION"):
            await self._render_tracks(task, render)
        else:  # failed tasks are not charged (the emulator knows the outcome up front)
            with self.emu.lock:
                self.emu.credits[PROVIDER] += cost
        task.created = self.emu.clock()
        with self.emu.lock:
            self.state.tasks[task.id] = task
        return json_response({"code": 200, "msg": "success", "data": {"taskId": task.id}})

    async def _render_tracks(self, task: Task, render: Callable[[int], Awaitable[tuple[bytes, float]]]) -> None:
        results = await asyncio.gather(*(render(track.seed) for track in task.tracks))
        for track, (audio, seconds) in zip(task.tracks, results):
            png = await asyncio.to_thread(synth.cover_png, track.seed)
            track.duration = round(seconds, 2)
            track.audio_path = self.emu.media.put(audio, "audio/mpeg", "mp3", name=track.id)
            # A distinct URL for the stream, as the real service has; same bytes.
            track.stream_path = self.emu.media.put(audio, "audio/mpeg", "mp3", name=f"{track.id}-stream")
            track.image_path = self.emu.media.put(png, "image/png", "png", name=track.id)

    # ------------------------------------------------------------ describing tracks
    @staticmethod
    def describer(
        body: dict, *, custom: bool, instrumental: bool, fallback: Track | None = None
    ) -> Callable[[int], tuple[str, str, str]]:
        """Track texts: custom mode echoes the request; otherwise the 'model' invents them."""
        prompt = _text(body, "prompt")

        def describe(index: int) -> tuple[str, str, str]:
            if custom:
                title = _text(body, "title") or (fallback.title if fallback else "")
                tags = _text(body, "style") or (fallback.tags if fallback else "")
                return title, tags, "" if instrumental else prompt
            words = prompt.split()[:5]
            title = " ".join(words).title() or "Untitled"
            lyrics = "" if instrumental else f"[Verse]\n{prompt}\n[Chorus]\nLa la la, {title.lower()}"
            return title, _GENERIC_TAGS[(len(prompt) + index) % len(_GENERIC_TAGS)], lyrics

        return describe

    # ------------------------------------------------------------ generate family
    async def generate(self, request: Request) -> Response:
        body = self.body(request)
        model, info = _model(body, "generate")
        custom, instrumental = _flag(body, "customMode"), _flag(body, "instrumental")
        _check_common(body, info, custom=custom, instrumental=instrumental)
        _check_persona_use(body, self.state, custom=custom)

        async def render(seed: int) -> tuple[bytes, float]:
            seconds = _song_seconds(seed)
            return await asyncio.to_thread(synth.song_mp3, seed, seconds, not instrumental), seconds

        describe = self.describer(body, custom=custom, instrumental=instrumental)
        return await self.start(body, "generate", model, instrumental, render, describe)

    async def extend(self, request: Request) -> Response:
        body = self.body(request)
        model, info = _model(body, "extend")
        custom = _flag(body, "defaultParamFlag")
        audio_id = _text(body, "audioId")
        if not audio_id:
            raise ApiError(400, "audioId is required")
        found = self.state.find_track(audio_id)
        if found is None:
            raise ApiError(404, "audioId not found")
        source_task, index = found
        source = source_task.tracks[index]
        if self.stage(source_task)[1] <= index:
            raise ApiError(400, "The source music is not finished yet")
        if model != source_task.model:
            raise ApiError(400, f"model must be consistent with the source music ({source_task.model})")
        instrumental = source_task.instrumental
        at = body.get("continueAt")
        if custom:
            # The extend page: prompt, style, title and continueAt are all required when
            # defaultParamFlag is true - instrumental sources included.
            _check_common(body, info, custom=True, instrumental=False)
            if not (_is_number(at) and 0 < at < (source.duration or 0)):
                raise ApiError(400, f"continueAt must be greater than 0 and less than {source.duration}")
        else:
            if not _text(body, "callBackUrl").strip():
                raise ApiError(400, "callBackUrl is required")
            at = source.duration  # inherit everything: continue from the end
        _check_persona_use(body, self.state, custom=custom)
        source_audio = self.emu.media.get(source.audio_path or "")
        if source_audio is None:
            raise ApiError(404, "audioId not found (expired)")

        async def render(seed: int) -> tuple[bytes, float]:
            new_seconds = 60.0 + seed % 60
            data = await asyncio.to_thread(extension_mp3, source_audio.data, seed, new_seconds, not instrumental, float(at))
            return data, float(at) + new_seconds

        describe = self.describer(body, custom=True, instrumental=instrumental, fallback=source)
        return await self.start(body, "extend", model, instrumental, render, describe, parent=audio_id)

    async def upload_cover(self, request: Request) -> Response:
        body = self.body(request)
        upload_url = _url_field(body, "uploadUrl")
        model, info = _model(body)
        custom, instrumental = _flag(body, "customMode"), _flag(body, "instrumental")
        _check_common(body, info, custom=custom, instrumental=instrumental)
        _check_persona_use(body, self.state, custom=custom)
        weight = body.get("audioWeight")
        weight = 0.5 if weight is None else float(weight)
        source: dict[str, bytes] = {}

        async def prepare() -> None:
            source["audio"] = await self._fetch_upload(upload_url, model, info)

        async def render(seed: int) -> tuple[bytes, float]:
            seconds = _song_seconds(seed)
            data = await asyncio.to_thread(cover_mp3, source["audio"], seed, seconds, not instrumental, weight)
            return data, seconds

        describe = self.describer(body, custom=custom, instrumental=instrumental)
        return await self.start(body, "upload_cover", model, instrumental, render, describe, prepare=prepare)

    async def upload_extend(self, request: Request) -> Response:
        body = self.body(request)
        upload_url = _url_field(body, "uploadUrl")
        model, info = _model(body)
        custom = _flag(body, "defaultParamFlag")
        instrumental = _flag(body, "instrumental", required=False)
        at = body.get("continueAt")
        if custom:
            _check_common(body, info, custom=True, instrumental=instrumental)
            if not (_is_number(at) and at > 0):
                raise ApiError(400, "continueAt is required and must be greater than 0")
        else:
            # Inherit mode: only uploadUrl and prompt are needed (contract 1.4).
            _check_common(body, info, custom=False, instrumental=instrumental)
        _check_persona_use(body, self.state, custom=custom)
        source: dict[str, Any] = {}

        async def prepare() -> None:
            audio = await self._fetch_upload(upload_url, model, info)
            length = await asyncio.to_thread(source_seconds, audio)
            start_at = float(at) if custom else length
            if custom and start_at >= length:
                raise SourceProblem(422, f"continueAt must be less than the uploaded audio's duration ({length:.2f} s)")
            source.update(audio=audio, at=start_at)

        async def render(seed: int) -> tuple[bytes, float]:
            new_seconds = 60.0 + seed % 60
            data = await asyncio.to_thread(
                extension_mp3, source["audio"], seed, new_seconds, not instrumental, source["at"]
            )
            return data, source["at"] + new_seconds

        describe = self.describer(body, custom=custom, instrumental=instrumental)
        return await self.start(body, "upload_extend", model, instrumental, render, describe, prepare=prepare)

    async def _fetch_upload(self, url: str, model: str, info: Limits) -> bytes:
        audio = await self.fetch_local(url)
        if audio is None:
            raise SourceProblem(451, "Failed to fetch the audio from uploadUrl. Make sure it is publicly accessible.")
        # Demo samples know their length; decoding a 9-minute one just to measure is slow.
        spec = cdn.SAMPLES.get(urlsplit(url).path.rsplit("/", 1)[-1]) if "/samples/" in url else None
        length = spec["seconds"] if spec else await asyncio.to_thread(source_seconds, audio)
        if length <= 0:
            raise SourceProblem(422, "uploadUrl does not point at audio")
        limit = info.upload_seconds
        if length > limit + 0.5:
            raise SourceProblem(422, f"Uploaded audio is {length:.0f} s long; {model} accepts at most {limit:.0f} s")
        return audio

    # ------------------------------------------------------------ record-info
    async def record_info(self, request: Request) -> Response:
        task_id = request.query.get("taskId", "")
        if not task_id:
            raise ApiError(400, "taskId is required")
        task = self.state.tasks.get(task_id)
        if task is None:
            raise ApiError(404, "Task not found")
        status, done, streaming = self.stage(task)
        failed = status not in ("PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS")
        shown = status not in ("PENDING", "CREATE_TASK_FAILED", "SENSITIVE_WORD_ERROR")
        tracks = [self._track_json(task, t, i < done, streaming) for i, t in enumerate(task.tracks)] if shown else None
        data = {
            "taskId": task.id,
            "parentMusicId": task.parent_music_id,
            "param": task.param,
            # PENDING and early failures have no response object yet.
            "response": None if tracks is None else {"taskId": task.id, "sunoData": tracks},
            "status": status,
            "type": task.operation.upper(),
            "operationType": task.operation,
            "errorCode": task.error_code if failed else None,
            "errorMessage": task.error_message if failed else None,
        }
        return json_response({"code": 200, "msg": "success", "data": data})

    def _track_json(self, task: Task, track: Track, done: bool, streaming: bool) -> dict:
        return {
            "id": track.id,
            "audioUrl": self._public(track.audio_path) if done else "",
            "sourceAudioUrl": self._public(track.audio_path) if done else "",
            "streamAudioUrl": self._public(track.stream_path) if streaming else "",
            "sourceStreamAudioUrl": self._public(track.stream_path) if streaming else "",
            "imageUrl": self._public(track.image_path) if done else "",
            "prompt": track.prompt,
            "modelName": CHIRP_NAMES.get(task.model, task.model),
            "title": track.title,
            "tags": track.tags,
            "createTime": track.create_time,
            "duration": track.duration if done else None,
        }

    def _public(self, path: str | None) -> str:
        return self.emu.url(path) if path else ""

    # ------------------------------------------------------------ persona
    async def persona(self, request: Request) -> Response:
        """generate-persona, with the PERSONA page's code table (402/409/422/429...)."""
        body = self.body(request, 422)
        fields = {name: _text(body, name, 422) for name in ("taskId", "audioId", "name", "description", "style")}
        for name in ("taskId", "audioId", "name", "description"):
            if not fields[name].strip():
                raise ApiError(422, f"{name} is required")
        task = self.state.tasks.get(fields["taskId"])
        if task is None:
            raise ApiError(404, "taskId not found")
        index = next((i for i, t in enumerate(task.tracks) if t.id == fields["audioId"]), None)
        if index is None:
            raise ApiError(404, "audioId not found in this task")
        status, done, _ = self.stage(task)
        if status not in ("SUCCESS", "CALLBACK_EXCEPTION") or done <= index:
            raise ApiError(422, "The music generation task is not completed yet")
        if task.model not in MODELS:
            raise ApiError(422, "Persona generation only supports music generated with V4 and above")
        if task.operation not in DOCS["persona"]["source_operations"]:
            allowed = ", ".join(DOCS["persona"]["source_operations"])
            raise ApiError(422, f"Persona generation only supports {allowed} tasks, not {task.operation}")
        start, end = self._window(body, task.tracks[index].duration or 0.0)
        with self.emu.lock:
            if fields["audioId"] in self.state.persona_by_audio:
                raise ApiError(409, "A persona already exists for this music")
            if not self.emu.charge(PROVIDER, DOCS["prices"]["persona"]):
                raise ApiError(402, "Insufficient credits")
            record = PersonaRecord(
                uuid.uuid4().hex, fields["name"], fields["description"], task.id,
                fields["audioId"], fields["style"], start, end,
            )
            self.state.personas[record.id] = record
            self.state.persona_by_audio[record.audio_id] = record.id
        data = {"personaId": record.id, "name": record.name, "description": record.description}
        return json_response({"code": 200, "msg": "success", "data": data})

    @staticmethod
    def _window(body: dict, duration: float) -> tuple[float, float]:
        start, end = body.get("vocalStart", 0.0), body.get("vocalEnd", 30.0)
        if not (_is_number(start) and _is_number(end)):
            raise ApiError(422, "vocalStart and vocalEnd must be numbers")
        if start < 0:
            raise ApiError(422, "vocalStart must be >= 0")
        if end <= start:
            raise ApiError(422, "vocalEnd must be greater than vocalStart")
        if not PERSONA_MIN_LEN - _EPS <= end - start <= PERSONA_MAX_LEN + _EPS:
            raise ApiError(422, "The analysis segment (vocalEnd - vocalStart) must be 10-30 seconds")
        if end > duration + _EPS:
            raise ApiError(422, f"vocalEnd is beyond the end of the audio ({duration} s)")
        return float(start), float(end)

    # ------------------------------------------------------------ credits
    async def credit(self, request: Request) -> Response:
        return json_response({"code": 200, "msg": "success", "data": int(self.emu.credits[PROVIDER])})

    # ------------------------------------------------------------ upload host
    async def file_stream(self, request: Request) -> Response:
        fields, files = request.form
        if "file" not in files:
            raise ApiError(400, "file is required")
        original, data = files["file"]
        return self._stored(data, fields.get("uploadPath", ""), fields.get("fileName") or original)

    async def file_base64(self, request: Request) -> Response:
        body = self.body(request)
        text = _text(body, "base64Data")
        mime = None
        if text.startswith("data:"):  # data URL: data:<mime>;base64,<payload>
            header, _, text = text.partition(",")
            mime = header[5:].split(";")[0] or None
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "base64Data is not valid base64") from None
        ext = (mimetypes.guess_extension(mime) or ".bin") if mime else ".bin"
        return self._stored(data, _text(body, "uploadPath"), _text(body, "fileName") or uuid.uuid4().hex + ext)

    async def file_url(self, request: Request) -> Response:
        body = self.body(request)
        url = _url_field(body, "fileUrl")
        data = await self.fetch_local(url)
        if data is None:
            raise ApiError(451, "Failed to download the file from fileUrl")
        name = _text(body, "fileName") or urlsplit(url).path.rsplit("/", 1)[-1] or uuid.uuid4().hex
        return self._stored(data, _text(body, "uploadPath"), name)

    def _stored(self, data: bytes, upload_path: str, file_name: str) -> Response:
        folder = upload_path.strip("/")  # contract: a folder path without outer slashes
        if not folder:
            raise ApiError(400, "uploadPath is required")
        if not data:
            raise ApiError(400, "file is empty")
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "bin"
        # The host keys files by uploadPath/fileName: a same-named upload replaces the
        # earlier file behind the same downloadUrl (why the adapter makes names unique).
        slot = hashlib.sha256(f"{folder}/{file_name}".encode()).hexdigest()[:32]
        path = self.emu.media.put(data, mime, ext, name=slot)
        payload = {
            "fileName": file_name,
            "filePath": f"{folder}/{file_name}",
            "downloadUrl": self.emu.url(path),
            "fileSize": len(data),
            "mimeType": mime,
            "uploadedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        return json_response({"success": True, "code": 200, "msg": "File uploaded successfully", "data": payload})


def register(emu: Emulator) -> SunoApi:
    state = SunoState()
    emu.state[PROVIDER] = state
    svc = SunoApi(emu, state)
    for method, path, handler in (
        ("POST", "/api/v1/generate", svc.generate),
        ("POST", "/api/v1/generate/extend", svc.extend),
        ("POST", "/api/v1/generate/upload-cover", svc.upload_cover),
        ("POST", "/api/v1/generate/upload-extend", svc.upload_extend),
        ("POST", "/api/v1/generate/generate-persona", svc.persona),
        ("GET", "/api/v1/generate/record-info", svc.record_info),
        ("GET", "/api/v1/generate/credit", svc.credit),
    ):
        emu.route(method, path, svc.api(handler))
    for path, handler in (
        ("/api/file-stream-upload", svc.file_stream),
        ("/api/file-base64-upload", svc.file_base64),
        ("/api/file-url-upload", svc.file_url),
    ):
        emu.route("POST", path, svc.upload_api(handler))
    return svc  # the deliverables routes share its state
