"""The sunoapi.org adapter: domain requests → camelCase HTTP calls, replies → domain results.

sunoapi.org (shared/docs/api-contract.md section 1) wraps everything in
``{code, msg, data}`` and may put an error in the body ``code`` of an HTTP 200 reply,
so every reply is judged on both the HTTP status and the body code.  Two endpoints
speak different dialects: generate-persona has its own code table (there 429 means
"slow down", while on the generate family 429 means "no credits"), and the file-upload
host adds a ``success`` flag.  All of that is translated into ``core.errors`` here.

Readings of the contract's open points are documented in
docs/contract-readings-sunoapi.md; the short version:

* ``callBackUrl`` is required, but a desktop has no public address: we send a
  placeholder under the reserved ``.invalid`` TLD (RFC 6761), which can never resolve,
  and poll ``record-info``.  A CALLBACK_EXCEPTION status therefore says nothing about
  the music: tracks that have audio are results.
* Uploads have no provider-side clip id; an uploaded clip's id is derived from its URL
  (``up-`` + 24 hex digits of SHA-256), so the same URL is always the same clip.
* Generated clips of this provider are extended with ``/generate/extend`` (by
  ``audioId``); any other clip with a URL uses ``/generate/upload-extend``.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from ..core.capabilities import capabilities
from ..core.edit_checks import model_problems, range_problems
from ..core.edits import AddLayerRequest, EditOp, MashupRequest, ReplaceSectionRequest
from ..core.errors import (
    AuthError,
    ConflictError,
    InsufficientCreditsError,
    MaintenanceError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SourceUnreachableError,
    StudioError,
    ValidationError,
)
from ..core.models import (
    AssetKind,
    AssetRequest,
    AssetResult,
    Clip,
    ClipState,
    CoverRequest,
    Credits,
    ExtendRequest,
    GenerateRequest,
    GenerationParams,
    LyricsDraft,
    LyricsResult,
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
from ..core.validation import (
    Problem,
    check_lyrics_prompt,
    check_params,
    check_persona,
    check_source_url,
    check_style_boost,
    check_upload_duration,
    check_vocal_window,
    ensure,
    is_loopback,
)
from .base import (
    SLOW_TIMEOUT,
    Failure,
    ProgressCallback,
    Provider,
    as_float,
    is_int,
    lyric_word,
    retry_after_seconds,
)

# Reserved TLD (RFC 6761): never resolves, so no callback can reach anyone.
CALLBACK_URL = "https://callback.sonic-studio.invalid/sunoapi"
UPLOAD_PATH = "sonic-studio/uploads"
DEFAULT_PERSONA_MODEL = "style_persona"
# Suno's meta tag for "no vocals": the extend pages require a non-empty prompt.
INSTRUMENTAL_PROMPT = "[Instrumental]"

# Code tables (contract 1.5 / 1.9 / 1.11).
GENERATE, PERSONA, UPLOAD = "generate", "persona", "upload"

_RUNNING = {"TEXT_SUCCESS", "FIRST_SUCCESS"}
_DONE = {"SUCCESS", "CALLBACK_EXCEPTION"}
_FAILED = {"CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "SENSITIVE_WORD_ERROR", "FAILED"}

# sunoapi.org reads models back as chirp-* names (contract 1.2); used to check that an
# extension keeps the source's model, which the API requires.
_CHIRP_TO_MODEL = {
    "chirp-v4": "V4",
    "chirp-v4-5": "V4_5",
    "chirp-v4-5-plus": "V4_5PLUS",
    "chirp-v4-5-all": "V4_5ALL",
    "chirp-v5": "V5",
    "chirp-v5-5": "V5_5",
}


def _text(value: Any) -> str:
    """Display text from a field that should be a string; odd scalars are stringified."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _weight(value: float | None) -> float | None:
    """Weights go out with two decimals, the provider's step (contract 1.4)."""
    return None if value is None else round(float(value), 2)


def unique_file_name(name: str) -> str:
    """The upload host keys files by name: two "take.wav" within 3 days would overwrite
    each other behind the same link, so every upload gets a fresh prefix."""
    return f"{uuid.uuid4().hex[:12]}-{name}"


def uploaded_clip_id(url: str) -> str:
    """A stable local id for an uploaded file: sunoapi.org has none (see module doc)."""
    return "up-" + hashlib.sha256(url.encode()).hexdigest()[:24]


class _ProgressReader:
    """A binary file that reports how much httpx has read from it while streaming."""

    def __init__(self, file: BinaryIO, total: int, progress: ProgressCallback | None) -> None:
        self._file = file
        self._total = total
        self._progress = progress
        self._sent = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        self._sent += len(chunk)
        if self._progress is not None and chunk:
            self._progress(min(self._sent, self._total), self._total)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._file.seek(offset, whence)
        self._sent = position  # httpx rewinds before rendering the body
        return position

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:  # lets httpx compute Content-Length from the real file
        return self._file.fileno()


class SunoApiProvider(Provider):
    """sunoapi.org over httpx; every failure leaves as a ``core.errors`` class."""

    capabilities = capabilities(ProviderId.SUNOAPI)

    # ------------------------------------------------------------------ credits
    async def credits(self) -> Credits:
        try:
            body = await self._call("GET", self._api("/api/v1/generate/credit"), GENERATE)
        except NotFoundError:
            # Older docs and samples use /get-credits (contract 1.10).
            body = await self._call("GET", self._api("/api/v1/get-credits"), GENERATE)
        data = body.get("data")
        if isinstance(data, dict):  # some legacy replies nest it: {credits: n}
            data = data.get("credits")
        amount = None if isinstance(data, bool) else as_float(data)
        if amount is None:
            raise self._malformed("credit balance is not a number")
        return Credits(credits=amount)

    # ------------------------------------------------------------------ uploads
    async def upload_url(self, url: str, *, duration: float | None = None, title: str = "") -> Clip:
        """Nothing to send: upload-cover/upload-extend take the public URL directly."""
        url = (url or "").strip()
        problems = check_source_url(url, "url") + check_upload_duration(duration, self.capabilities)
        if not problems and is_loopback(url) and not is_loopback(self.base_url):
            problems.append(Problem("url", "sunoapi.org cannot reach files on this computer; use a public link."))
        ensure(problems)
        name = title or url.rsplit("/", 1)[-1]
        return self._uploaded_clip(url, name, duration, None)

    async def upload_file(self, path: Path, *, progress: ProgressCallback | None = None) -> Clip:
        """Stream the file to the upload host (multipart); the link lasts 3 days."""
        path = Path(path)
        if not path.is_file():
            raise ValidationError(f"There is no file at {path}.", field="file", provider=self.id.value)
        total = path.stat().st_size
        if total == 0:
            raise ValidationError("That file is empty.", field="file", provider=self.id.value)
        if progress is not None:
            progress(0, total)
        with path.open("rb") as handle:
            reader = _ProgressReader(handle, total, progress)
            body = await self._call(
                "POST",
                f"{self.upload_base_url}/api/file-stream-upload",
                UPLOAD,
                files={"file": (path.name, reader, mimetypes.guess_type(path.name)[0] or "application/octet-stream")},
                data={"uploadPath": UPLOAD_PATH, "fileName": unique_file_name(path.name)},
                timeout=SLOW_TIMEOUT,
            )
        data = self._data_dict(body)
        url = data.get("downloadUrl")
        if not isinstance(url, str) or check_source_url(url):
            raise self._malformed("upload reply has no downloadUrl")
        return self._uploaded_clip(url, path.name, None, _text(data.get("uploadedAt")) or None)

    def _uploaded_clip(self, url: str, title: str, duration: float | None, created: str | None) -> Clip:
        return Clip(
            id=uploaded_clip_id(url),
            provider=self.id,
            origin=Origin.UPLOADED,
            title=title,
            duration=duration,
            audio_url=url,
            created_at=created,
        )

    # ------------------------------------------------------------------ generation
    async def generate(self, request: GenerateRequest) -> SubmitResult:
        return await self._submit("/api/v1/generate", self._generation_body(request.params))

    async def cover(self, request: CoverRequest) -> SubmitResult:
        """A cover of any clip goes through upload-cover: its audio URL is public."""
        source = request.source
        if not source.audio_url:
            raise ValidationError("This clip has no audio yet; wait until it has finished.", field="source",
                                  provider=self.id.value)
        body = {"uploadUrl": source.audio_url, **self._generation_body(request.params)}
        return await self._submit("/api/v1/generate/upload-cover", body)

    async def upload_cover(self, request: UploadCoverRequest) -> SubmitResult:
        ensure(check_source_url(request.url, "url"))
        body = {"uploadUrl": request.url.strip(), **self._generation_body(request.params)}
        return await self._submit("/api/v1/generate/upload-cover", body)

    async def extend(self, request: ExtendRequest) -> SubmitResult:
        source = request.source
        if source.origin is not Origin.GENERATED or source.provider is not self.id:
            # sunoapi.org knows only its own audioIds; anything else is extended by URL.
            extension = UploadExtendRequest(source.audio_url or "", request.continue_at, request.params)
            return await self.upload_extend(extension)
        source_model = _CHIRP_TO_MODEL.get((source.model or "").lower())
        if source_model and source_model != request.params.model:  # its model names are read back as chirp-*
            raise ValidationError(f"sunoapi.org extends a clip only with the model that made it ({source_model}).",
                                  field="model", provider=self.id.value)
        body = {"defaultParamFlag": True, "audioId": source.id, "continueAt": round(request.continue_at, 2)}
        body.update(self._generation_body(request.params, extend=True))
        return await self._submit("/api/v1/generate/extend", body)

    async def upload_extend(self, request: UploadExtendRequest) -> SubmitResult:
        ensure(check_source_url(request.url, "url"))
        body = {"uploadUrl": request.url.strip(), "defaultParamFlag": True, "continueAt": round(request.continue_at, 2)}
        body.update(self._generation_body(request.params, extend=True))
        body["instrumental"] = request.params.instrumental
        return await self._submit("/api/v1/generate/upload-extend", body)

    def _generation_body(self, params: GenerationParams, *, extend: bool = False) -> dict[str, Any]:
        """camelCase fields, None/empty omitted; extend bodies carry no customMode/instrumental."""
        custom = params.custom_mode or extend
        if extend and params.instrumental:
            # With defaultParamFlag=true the extend pages require prompt, style, title and
            # continueAt; an empty prompt would be dropped and the request rejected.
            prompt = INSTRUMENTAL_PROMPT
        elif custom:
            prompt = "" if params.instrumental else params.lyrics
        else:
            prompt = params.description
        fields: dict[str, Any] = {
            "model": params.model,
            "callBackUrl": CALLBACK_URL,
            "prompt": prompt,
            "style": params.tags if custom else "",
            "title": params.title if custom else "",
            "negativeTags": params.negative_tags,
            "vocalGender": params.vocal_gender,
            "styleWeight": _weight(params.style_weight),
            "weirdnessConstraint": _weight(params.weirdness),
            "audioWeight": _weight(params.audio_weight),
        }
        if not extend:
            fields = {"customMode": params.custom_mode, "instrumental": params.instrumental, **fields}
        if params.persona_id:
            fields["personaId"] = params.persona_id
            # The docs list personaModel only for V5 / V5_5; other models get the persona alone.
            if params.model in self.capabilities.persona_model_models:
                fields["personaModel"] = params.persona_model or DEFAULT_PERSONA_MODEL
        return {k: v for k, v in fields.items() if v is not None and v != ""}

    async def _submit(self, path: str, body: dict[str, Any]) -> SubmitResult:
        reply = await self._call("POST", self._api(path), GENERATE, json_body=body)
        task_id = self._data_dict(reply).get("taskId")
        if not isinstance(task_id, str) or not task_id:
            raise self._malformed("reply has no taskId")
        return SubmitResult(task_id=task_id)

    # ------------------------------------------------------------------ edit operations
    # Readings of the "?" fields: docs/contract-readings-sunoapi.md ("Edit operations").
    async def replace_section(self, request: ReplaceSectionRequest) -> SubmitResult:
        source, caps = request.source, self.capabilities
        info = caps.edit(EditOp.REPLACE_SECTION)
        problems = model_problems(info, caps, None)
        if source.origin is not Origin.GENERATED or source.provider is not self.id or not source.source_task_id:
            problems.append(Problem("source", "sunoapi.org replaces sections only in songs it generated "
                                    "(it needs the song's task id).", "generated_only"))
        problems += range_problems(info, caps, request.start, request.end, source.duration)
        tags, title = request.tags or source.tags, request.title or source.title
        limits = caps.model(_CHIRP_TO_MODEL.get((source.model or "").lower()))
        if not request.lyrics.strip():
            problems.append(Problem("lyrics", "Type the lyrics for the new part.", "lyrics_missing"))
        elif len(request.lyrics) > limits.lyrics_max:
            problems.append(Problem("lyrics", f"The lyrics are {len(request.lyrics)} characters; sunoapi.org takes "
                                    f"at most {limits.lyrics_max}.", "lyrics_too_long"))
        if not tags.strip():
            problems.append(Problem("tags", "Give the style of the new part (the song has none on record).",
                                    "tags_missing"))
        if not title.strip():
            problems.append(Problem("title", "Give the song a title (it has none on record).", "title_missing"))
        ensure(problems)
        body: dict[str, Any] = {
            "taskId": source.source_task_id,
            "audioId": source.id,
            "prompt": request.lyrics,
            "tags": tags,
            "title": title[: limits.title_max],
            "infillStartS": round(request.start, 2),
            "infillEndS": round(request.end, 2),
            # Listed as required by one catalog: the whole song's words with the new part in place.
            "fullLyrics": request.full_lyrics or source.lyrics or request.lyrics,
            "callBackUrl": CALLBACK_URL,
        }
        if request.negative_tags:
            body["negativeTags"] = request.negative_tags
        return await self._submit("/api/v1/generate/replace-section", body)

    async def add_layer(self, request: AddLayerRequest) -> SubmitResult:
        source, caps, params = request.source, self.capabilities, request.params
        op = EditOp.ADD_VOCALS if request.vocals else EditOp.ADD_INSTRUMENTAL
        info = caps.edit(op)
        problems = model_problems(info, caps, params.model)
        if not source.audio_url:
            problems.append(Problem("source", "This clip has no link at sunoapi.org to send.", "no_link"))
        if request.start is not None or request.end is not None:
            problems.append(Problem("range", f"sunoapi.org cannot {op.label.lower()} over a part of the clip only; "
                                    "clear the range.", "range_not_offered"))
        title = params.title or source.title
        if request.vocals and not params.lyrics.strip():
            problems.append(Problem("lyrics", "Type the lyrics to sing.", "lyrics_missing"))
        if not params.tags.strip():
            problems.append(Problem("tags", "Describe the style.", "tags_missing"))
        if not title.strip():
            problems.append(Problem("title", "Give the result a title.", "title_missing"))
        if not problems:
            layer = replace(params, title=title, custom_mode=True, instrumental=not request.vocals)
            problems += check_params(layer, caps)
        ensure(problems)
        body: dict[str, Any] = {
            "uploadUrl": source.audio_url,
            "title": title,
            # Listed as required on both pages: sent even when there is nothing to exclude.
            "negativeTags": params.negative_tags,
            "callBackUrl": CALLBACK_URL,
            "model": params.model,
        }
        if request.vocals:
            body.update(prompt=params.lyrics, style=params.tags)
        else:
            body["tags"] = params.tags  # add-instrumental names the style "tags", add-vocals "style"
        optional = {
            "vocalGender": params.vocal_gender,
            "styleWeight": _weight(params.style_weight),
            "weirdnessConstraint": _weight(params.weirdness),
            "audioWeight": _weight(params.audio_weight),
        }
        body.update({k: v for k, v in optional.items() if v is not None and v != ""})
        return await self._submit(f"/api/v1/generate/{op.value.replace('_', '-')}", body)

    async def mashup(self, request: MashupRequest) -> SubmitResult:
        caps, params = self.capabilities, request.params
        info = caps.edit(EditOp.MASHUP)
        problems = model_problems(info, caps, params.model) + check_params(params, caps, "mashup")
        if request.first.id == request.second.id:
            problems.append(Problem("second", "A mashup needs two different clips.", "mashup_same_clip"))
        urls = request.urls or (request.first.audio_url or "", request.second.audio_url or "")
        for url in urls:
            problems += check_source_url(url, "url")
        ensure(problems)
        body = {"uploadUrlList": list(urls), **self._generation_body(params)}
        return await self._submit("/api/v1/generate/mashup", body)

    # ------------------------------------------------------------------ persona
    async def create_persona(self, request: PersonaRequest) -> Persona:
        source = request.source
        start, end = request.vocal_start, request.vocal_end
        # sunoapi.org wants hundredths of a second (contract 1.5); check what is sent.
        start = None if start is None else round(start, 2)
        end = None if end is None else round(end, 2)
        problems = check_persona(self.capabilities, source, request.name, request.description, start, end)
        if source.origin is Origin.GENERATED and source.provider is not self.id:
            problems.append(Problem("source", "sunoapi.org can only make personas from its own clips."))
        if start is None and end is None:  # the provider's default window must fit too
            problems += check_vocal_window(self.capabilities, *self.capabilities.persona_window.default, source.duration)
        ensure(problems)
        ensure(await self._persona_source_problems(source))
        body = {
            "taskId": source.source_task_id,
            "audioId": source.id,
            "name": request.name.strip(),
            "description": request.description.strip(),
            "vocalStart": start,
            "vocalEnd": end,
            "style": request.styles.strip(),
        }
        body = {k: v for k, v in body.items() if v is not None and v != ""}
        reply = await self._call("POST", self._api("/api/v1/generate/generate-persona"), PERSONA, json_body=body)
        data = self._data_dict(reply)
        persona_id = data.get("personaId")
        if not isinstance(persona_id, str) or not persona_id:
            raise self._malformed("persona reply has no personaId")
        return Persona(
            id=persona_id,
            provider=self.id,
            name=_text(data.get("name")) or body["name"],
            description=_text(data.get("description")) or body["description"],
            styles=request.styles.strip(),
            source_clip_id=source.id,
            source_task_id=source.source_task_id,
            vocal_start=start,
            vocal_end=end,
        )

    # ------------------------------------------------------------------ writing helpers (Create tab)
    async def write_lyrics(self, description: str) -> LyricsResult:
        """generate-lyrics: ``{prompt, callBackUrl}`` -> ``taskId``; drafts come from lyrics/record-info."""
        ensure(check_lyrics_prompt(description, self.capabilities))
        body = {"prompt": description.strip(), "callBackUrl": CALLBACK_URL}
        reply = await self._call("POST", self._api("/api/v1/lyrics"), GENERATE, json_body=body)
        task_id = self._data_dict(reply).get("taskId")
        if not isinstance(task_id, str) or not task_id:
            raise self._malformed("reply has no taskId")
        return LyricsResult(RemoteTaskState.PENDING, task_id=task_id, provider_status="PENDING")

    async def lyrics_status(self, task_id: str) -> LyricsResult:
        reply = await self._call("GET", self._api("/api/v1/lyrics/record-info"), GENERATE, params={"taskId": task_id})
        data = reply.get("data")
        if data is None:
            raise NotFoundError(provider=self.id.value, code=200)
        if not isinstance(data, dict):
            raise self._malformed("lyrics task data is not an object")
        status = _text(data.get("status")).strip().upper() or "PENDING"
        response = data.get("response") if isinstance(data.get("response"), dict) else {}
        items = response.get("data", response.get("lyricsData"))
        drafts = [_lyrics_draft(item) for item in items] if isinstance(items, list) else []
        drafts = [d for d in drafts if d is not None]
        if status in _DONE:
            if drafts:  # CALLBACK_EXCEPTION: our placeholder callback failed, the lyrics did not
                return LyricsResult(RemoteTaskState.SUCCEEDED, task_id, drafts, status)
            error = ServerError("sunoapi.org finished the lyrics without any text. You can ask again.",
                                provider=self.id.value, provider_message=self._scrub(status))
            return LyricsResult(RemoteTaskState.FAILED, task_id, [], status, error)
        if status in _FAILED or status.endswith("_FAILED"):
            return LyricsResult(RemoteTaskState.FAILED, task_id, [], status, self._task_error(status, data))
        return LyricsResult(RemoteTaskState.PENDING if status == "PENDING" else RemoteTaskState.RUNNING,
                            task_id, [], status)

    async def boost_style(self, tags: str) -> str:
        """style/generate: ``{content}`` -> ``data.result`` (synchronous; contract 1.3, M)."""
        ensure(check_style_boost(tags, self.capabilities))
        reply = await self._call("POST", self._api("/api/v1/style/generate"), GENERATE,
                                 json_body={"content": tags.strip()})
        data = self._data_dict(reply)
        flag = _text(data.get("successFlag")).strip().upper()
        result = data.get("result")
        if isinstance(result, str) and result.strip():
            return result.strip()
        if flag and flag not in ("SUCCESS", "1"):  # the reply says it failed (successFlag, errorMessage)
            raise ServerError("sunoapi.org could not boost this style. Nothing was changed; you can try again.",
                              provider=self.id.value,
                              provider_message=self._scrub(_text(data.get("errorMessage")) or flag))
        raise self._malformed("the style reply has no result")

    # ------------------------------------------------------------------ derived assets
    async def request_asset(self, request: AssetRequest) -> AssetResult:
        kind, clip = request.kind, request.clip
        if kind not in _ASSET_SUBMIT:
            raise self.not_offered(kind)  # whole song and BPM are made locally, VOX not at all
        ensure(self.asset_problems(request))
        path, extra = _ASSET_SUBMIT[kind]
        body = {"taskId": clip.source_task_id, "audioId": clip.id, **extra}
        if kind is AssetKind.MIDI:
            body["taskId"] = request.stems_task_id  # the separation task, not the song's
        if kind is AssetKind.LYRICS_TIMELINE:  # synchronous, no callback
            reply = await self._call("POST", self._api(path), GENERATE, json_body=body)
            aligned = self._data_dict(reply).get("alignedWords")
            if not isinstance(aligned, list):
                raise self._malformed("timestamped lyrics reply has no alignedWords list")
            words = [lyric_word(item, "word", "startS", "endS", "palign") for item in aligned]
            return AssetResult(kind, RemoteTaskState.SUCCEEDED, data={"words": [w for w in words if w is not None]})
        body["callBackUrl"] = CALLBACK_URL
        try:
            reply = await self._call("POST", self._api(path), GENERATE, json_body=body)
        except ConflictError as exc:
            # 409 = this audio was already converted/separated: follow that task, pay nothing.
            if not exc.existing_id:
                raise ConflictError(
                    f"sunoapi.org says the {kind.label} of this track already exists but did not say where; "
                    "nothing was charged.", provider=self.id.value, provider_message=exc.provider_message, code=409,
                ) from None
            return AssetResult(kind, RemoteTaskState.PENDING, task_id=exc.existing_id, provider_status="ALREADY_EXISTS")
        task_id = self._data_dict(reply).get("taskId")
        if not isinstance(task_id, str) or not task_id:
            raise self._malformed("reply has no taskId")
        return AssetResult(kind, RemoteTaskState.PENDING, task_id=task_id)

    def asset_problems(self, request: AssetRequest) -> list[Problem]:
        problems = self._asset_source_problems(request.clip, request.kind)
        if request.kind is AssetKind.MIDI and not request.stems_task_id:
            problems.append(Problem("stems", "sunoapi.org makes MIDI from a finished stem separation: get the stems first."))
        return problems

    def _asset_source_problems(self, clip: Clip, kind: AssetKind) -> list[Problem]:
        if clip.provider is not self.id:
            return [Problem("source", f"This clip was not made at sunoapi.org, so it cannot make its {kind.label}.")]
        if clip.origin is not Origin.GENERATED or not clip.source_task_id:
            return [Problem("source", f"sunoapi.org makes {kind.label} only from songs it generated; this clip is an "
                                      "upload. Extend or cover it first, then ask for the new clip's "
                                      f"{kind.label}.")]
        return []

    async def asset_status(self, kind: AssetKind, task_id: str) -> AssetResult:
        if kind not in _ASSET_STATUS:
            raise self.not_offered(kind)
        reply = await self._call("GET", self._api(_ASSET_STATUS[kind]), GENERATE, params={"taskId": task_id})
        data = reply.get("data")
        if data is None:
            raise NotFoundError(provider=self.id.value, code=200)
        if not isinstance(data, dict):
            raise self._malformed("task data is not an object")
        flag = _text(data.get("successFlag") or data.get("status")).strip().upper() or "PENDING"
        response = data.get("response") if isinstance(data.get("response"), dict) else {}
        if flag == "SUCCESS":
            files, extra = self._asset_files(kind, response)
            if not files and not extra.get("instruments"):
                raise self._malformed(f"the finished {kind.label} task has no files")
            return AssetResult(kind, RemoteTaskState.SUCCEEDED, task_id, files=files, data=extra, provider_status=flag)
        if flag in _FAILED or flag.endswith("_FAILED"):
            error = self._task_error(flag, data)
            return AssetResult(kind, RemoteTaskState.FAILED, task_id, provider_status=flag, error=error)
        return AssetResult(kind, RemoteTaskState.RUNNING if flag != "PENDING" else RemoteTaskState.PENDING, task_id,
                           provider_status=flag)

    @staticmethod
    def _asset_files(kind: AssetKind, response: dict) -> tuple[dict[str, str], dict[str, Any]]:
        """(name -> URL, other data) from a finished WAV / separation / MIDI record."""
        if kind is AssetKind.WAV:
            url = response.get("audioWavUrl") or response.get("audio_wav_url")
            return ({"wav": url} if isinstance(url, str) and url else {}), {}
        if kind is AssetKind.MIDI:
            url = response.get("midiUrl")
            instruments = response.get("instruments")
            return ({"midi": url} if isinstance(url, str) and url else {}), {
                "instruments": instruments if isinstance(instruments, list) else []}
        files = {}
        for key, value in response.items():  # vocalUrl, instrumentalUrl, drumsUrl, ... (contract 1.7)
            if key.endswith("Url") and key != "originUrl" and isinstance(value, str) and value:
                files[_snake(key[:-3])] = value
        return files, {}

    async def _persona_source_problems(self, source: Clip) -> list[Problem]:
        """The newest generate-persona page accepts only generate, extend and mashup tasks.

        A clip does not remember which endpoint made it, so the task is read back (free)
        and its ``operationType`` checked; a task that does not say (or cannot be read) is
        given the benefit of the doubt.
        """
        allowed = self.capabilities.persona_source_operations
        if not allowed or not source.source_task_id:
            return []
        try:
            reply = await self._call(
                "GET", self._api("/api/v1/generate/record-info"), GENERATE, params={"taskId": source.source_task_id}
            )
        except StudioError:
            return []  # advisory only: the persona call itself gives the provider's answer
        data = reply.get("data") if isinstance(reply.get("data"), dict) else {}
        operation = _text(data.get("operationType")).strip().lower()
        if not operation or operation in allowed:
            return []
        kinds = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        return [
            Problem(
                "source",
                f"sunoapi.org makes personas only from songs made by {kinds}; "
                f"this clip came from {operation.replace('_', '-')}.",
            )
        ]

    # ------------------------------------------------------------------ polling
    async def get_task(self, task_id: str) -> TaskStatus:
        if not task_id or not task_id.strip():
            raise ValidationError("No task id to look up.", field="task_id", provider=self.id.value)
        reply = await self._call(
            "GET", self._api("/api/v1/generate/record-info"), GENERATE, params={"taskId": task_id}
        )
        data = reply.get("data")
        if data is None:  # code 200 but nothing known about it
            raise NotFoundError(provider=self.id.value, code=200)
        if not isinstance(data, dict):
            raise self._malformed("task data is not an object")
        return self._task_status(task_id, data)

    def _task_status(self, task_id: str, data: dict) -> TaskStatus:
        status = data.get("status")
        if not isinstance(status, str) or not status.strip():
            raise self._malformed("task has no status")
        status = status.strip().upper()
        clips = self._clips(task_id, data.get("response"))
        with_audio = [c for c in clips if c.audio_url]
        if status == "PENDING":
            return self._status(task_id, status, RemoteTaskState.PENDING, clips, ClipState.PENDING)
        if status in _FAILED or status.endswith("_FAILED"):
            error = self._task_error(status, data)
            state = RemoteTaskState.PARTIAL if with_audio else RemoteTaskState.FAILED
            return self._status(task_id, status, state, clips, ClipState.FAILED, error)
        if status in _DONE:
            if not with_audio:
                error = ServerError(
                    "sunoapi.org finished the task without delivering any audio. You can submit it again.",
                    provider=self.id.value,
                    provider_message=self._scrub(_text(data.get("errorMessage")) or status),
                )
                return self._status(task_id, status, RemoteTaskState.FAILED, clips, ClipState.FAILED, error)
            # CALLBACK_EXCEPTION: our placeholder callback failed, the music did not.
            state = RemoteTaskState.SUCCEEDED if len(with_audio) == len(clips) else RemoteTaskState.PARTIAL
            return self._status(task_id, status, state, clips, ClipState.FAILED)
        # TEXT_SUCCESS / FIRST_SUCCESS, and unknown words such as GENERATING: not finished.
        return self._status(task_id, status, RemoteTaskState.RUNNING, clips, ClipState.RUNNING)

    def _status(
        self,
        task_id: str,
        status: str,
        state: RemoteTaskState,
        clips: list[Clip],
        without_audio: ClipState,
        error: StudioError | None = None,
    ) -> TaskStatus:
        """Clips with audio are done; the others take ``without_audio``."""
        for clip in clips:
            if not clip.audio_url:
                clip.state = without_audio
                if without_audio is ClipState.FAILED:
                    clip.error = str(error) if error else "sunoapi.org delivered no audio for this track."
        return TaskStatus(task_id=task_id, state=state, clips=clips, provider_status=status, error=error)

    def _task_error(self, status: str, data: dict) -> StudioError:
        code = data.get("errorCode")
        code = int(code) if is_int(code) or (isinstance(code, str) and code.isdecimal() and len(code) < 10) else None
        said = self._scrub(_text(data.get("errorMessage")) or status)
        kw = {"provider": self.id.value, "provider_message": said, "code": code}
        if status == "SENSITIVE_WORD_ERROR":
            return ValidationError(
                "sunoapi.org refused the lyrics, style or title because they contain words it does not "
                "allow. Change the wording and submit again.",
                field="lyrics",
                **kw,
            )
        if code == 451:
            return SourceUnreachableError(**kw)
        if code == 400:
            return ValidationError(
                "sunoapi.org refused the lyrics because they contain copyrighted material. "
                "Use your own words and submit again.",
                field="lyrics",
                **kw,
            )
        if code == 408:
            return ServerError("sunoapi.org gave up on this task: it timed out. You can submit it again.", **kw)
        if code == 413:
            return ValidationError(
                "sunoapi.org recognised the uploaded audio as an existing work and will not use it. "
                "Upload audio you made or own.",
                field="url",
                **kw,
            )
        if code == 422:
            return ValidationError(
                "sunoapi.org could not use this request (for example the source audio is too long, or the "
                "extension point is past its end). No credits were used.",
                **kw,
            )
        if code == 429:
            return InsufficientCreditsError(**kw)
        return ServerError(
            "sunoapi.org could not make the audio for this task. No result was delivered; you can submit it again.",
            **kw,
        )

    def _clips(self, task_id: str, response: Any) -> list[Clip]:
        if response is None:
            return []
        if not isinstance(response, dict):
            raise self._malformed("task response is not an object")
        # record-info uses sunoData[]; the quickstart sample shows data[] (contract 1.7).
        tracks = response.get("sunoData")
        if tracks is None:
            tracks = response.get("data")
        if tracks is None:
            return []
        if not isinstance(tracks, list):
            raise self._malformed("track list is not a list")
        return [self._clip(task_id, raw) for raw in tracks]

    def _clip(self, task_id: str, raw: Any) -> Clip:
        if not isinstance(raw, dict):
            raise self._malformed("track is not an object")
        clip_id = raw.get("id")
        if not isinstance(clip_id, str) or not clip_id:
            raise self._malformed("track has no id")
        return Clip(
            id=clip_id,
            provider=self.id,
            origin=Origin.GENERATED,
            source_task_id=task_id,
            title=_text(raw.get("title")),
            tags=_text(raw.get("tags")),
            lyrics=_text(raw.get("prompt")),
            duration=self._duration(raw.get("duration")),
            # sourceAudioUrl is the provider's original file; it stands in when audioUrl is empty.
            audio_url=self._url(raw, "audioUrl", "audio_url") or self._url(raw, "sourceAudioUrl", "source_audio_url"),
            stream_url=self._url(raw, "streamAudioUrl", "stream_audio_url")
            or self._url(raw, "sourceStreamAudioUrl", "source_stream_audio_url"),
            image_url=self._url(raw, "imageUrl", "image_url"),
            model=_text(raw.get("modelName") or raw.get("model_name")) or None,
            state=ClipState.SUCCEEDED,
            created_at=_text(raw.get("createTime") or raw.get("create_time")) or None,
        )

    def _url(self, raw: dict, camel: str, snake: str) -> str | None:
        """camelCase in record-info, snake_case in callbacks; accept both (contract 1.7)."""
        value = raw.get(camel) or raw.get(snake)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise self._malformed(f"track {camel} is not text")
        return value

    def _duration(self, value: Any) -> float | None:
        if value is None or value == "":
            return None
        number = None if isinstance(value, bool) else as_float(value)
        if number is None:
            raise self._malformed("track duration is not a number")
        return number

    # ------------------------------------------------------------------ HTTP + errors
    def _api(self, path: str) -> str:
        return f"{self.base_url}{path}"

    body_code_wins = True  # the body ``code`` is the API's own word, also on a non-2xx reply

    async def _call(self, method: str, url: str, table: str, **kw: Any) -> dict:
        """Send to ``url``; judge HTTP status and body code with ``table``'s meanings."""
        return await self._request(method, url, table=table, **kw)

    def _body_status(self, body: dict, response: httpx.Response) -> int | None:
        code, success = body.get("code"), body.get("success")
        if success is not False and (code == 200 and is_int(code) or (code is None and success is True)):
            return None
        if not is_int(code):
            raise self._malformed("reply has no status code", response)
        # HTTP 200 with an error in the body: the usual sunoapi.org way.
        return code if code != 200 else 500

    def _provider_message(self, body: Any) -> str | None:
        if isinstance(body, dict):
            return _text(body.get("msg") or body.get("message")) or None
        return None

    def _classify(self, failure: Failure, table: str) -> StudioError:
        cls, message, extra = _classify(failure.status, table)
        if cls is RateLimitedError:
            extra["retry_after"] = retry_after_seconds(failure.response)
        data = failure.body.get("data") if isinstance(failure.body, dict) else None
        if cls is ConflictError and isinstance(data, dict):  # 409 may name what already exists
            existing = data.get("taskId") or data.get("personaId")
            extra["existing_id"] = existing if isinstance(existing, str) else None
        return cls(message, **{**failure.info(self.id.value), "code": failure.status}, **extra)

    def _data_dict(self, body: dict) -> dict:
        data = body.get("data")
        if not isinstance(data, dict):
            raise self._malformed("reply data is not an object")
        return data


_ASSET_SUBMIT: dict[AssetKind, tuple[str, dict[str, Any]]] = {
    AssetKind.WAV: ("/api/v1/wav/generate", {}),
    AssetKind.STEMS_BASIC: ("/api/v1/vocal-removal/generate", {"type": "separate_vocal"}),
    AssetKind.STEMS_FULL: ("/api/v1/vocal-removal/generate", {"type": "split_stem"}),
    AssetKind.MIDI: ("/api/v1/midi/generate", {}),
    AssetKind.LYRICS_TIMELINE: ("/api/v1/generate/get-timestamped-lyrics", {}),
}
_ASSET_STATUS = {
    AssetKind.WAV: "/api/v1/wav/record-info",
    AssetKind.STEMS_BASIC: "/api/v1/vocal-removal/record-info",
    AssetKind.STEMS_FULL: "/api/v1/vocal-removal/record-info",
    AssetKind.MIDI: "/api/v1/midi/record-info",
}


def _lyrics_draft(item: Any) -> LyricsDraft | None:
    """One ``{text, title, status}`` item of lyrics/record-info; failed or empty ones are skipped."""
    if not isinstance(item, dict):
        return None
    text = item.get("text", item.get("lyrics"))
    if not isinstance(text, str) or not text.strip():
        return None
    if _text(item.get("status")).strip().lower() in ("failed", "error"):
        return None
    return LyricsDraft(_text(item.get("title")).strip(), text.strip())


def _snake(name: str) -> str:
    """backingVocals -> backing_vocals."""
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")


_RATE = "sunoapi.org says requests are coming too fast. Waiting a moment before trying again."


def _classify(code: int, table: str) -> tuple[type[StudioError], str | None, dict]:
    """(error class, our message or None for the class default, extra kwargs) for a code.

    The generate family and the upload host share sunoapi.org's main table; the persona
    endpoint has its own (402 = credits, 429 = rate limited).  Uploads are free, so a 429
    from the upload host can only mean "too many requests".
    """
    if code == 429:
        if table == GENERATE:
            return InsufficientCreditsError, None, {}
        return RateLimitedError, _RATE, {}
    if code in (405, 430):
        return RateLimitedError, _RATE, {}
    if code in (401, 403):
        return AuthError, None, {}
    if code == 402:
        return InsufficientCreditsError, None, {}
    if code == 404:
        return NotFoundError, None, {}
    if code == 409:
        return ConflictError, None, {}
    if code == 413:
        if table == UPLOAD:
            return ValidationError, "The file is too large for sunoapi.org's upload service.", {"field": "file"}
        return ValidationError, "The lyrics or description are too long for this model. Shorten them and try again.", {"field": "lyrics"}
    if code in (400, 422):
        if table == PERSONA:
            message = (
                "sunoapi.org did not accept the persona request. The song must have finished, and the vocal "
                "range must be 10-30 s inside the clip."
            )
        else:
            message = "sunoapi.org rejected the request as invalid. Check the fields and try again."
        return ValidationError, message, {}
    if code == 451:
        return SourceUnreachableError, None, {}
    if code == 455:
        return MaintenanceError, None, {}
    if code >= 500:
        return ServerError, None, {}
    return ServerError, f"sunoapi.org gave an unexpected answer (code {code}). Try again in a moment.", {}


__all__ = ["CALLBACK_URL", "UPLOAD_PATH", "SunoApiProvider", "unique_file_name", "uploaded_clip_id"]
