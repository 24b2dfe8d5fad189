"""Adapter for the AI Music API "sonic" family (aimusicapi.ai / musicapi.ai).

Turns domain requests into the provider's snake_case ``/api/v1/sonic/*`` calls and its
replies back into domain results.  The provider is loose in what it sends - ``code``
present or not, errors in ``detail``/``error``/``message``, durations as numbers or
decimal strings, a ``not_ready`` phase as HTTP 200 or 202, clip pairs with
``auto_concat`` - so every reply is read defensively: anything unexpected becomes a
``MalformedResponseError``, never a ``KeyError``.  Every failure is translated into
the ``core.errors`` taxonomy (here HTTP 403 "remaining credits are not enough" means
no credits).  Requests are checked locally first, so a bad one never costs credits.
Readings of the contract's open points: docs/contract-readings-sonic.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from ..core.capabilities import capabilities
from ..core.edit_checks import model_problems, range_problems
from ..core.edits import AddLayerRequest, EditOp, MashupRequest, RemasterRequest, ReplaceSectionRequest, SampleRequest
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
    check_continue_at,
    check_lyrics_prompt,
    check_params,
    check_persona,
    check_source_url,
    check_style_boost,
    check_upload_duration,
    ensure,
)
from .base import (
    DEFAULT_TIMEOUT,
    SLOW_TIMEOUT,
    Failure,
    Provider,
    as_float,
    as_text,
    lyric_word,
    retry_after_seconds,
)

NAME = "The AI Music API"

# Documented clip states (contract 2.7) plus the webhook's "streaming"; anything else
# is read as still running - a new word must never end a paid task early.
_CLIP_STATES = {
    "pending": ClipState.PENDING,
    "running": ClipState.RUNNING,
    "streaming": ClipState.RUNNING,
    "succeeded": ClipState.SUCCEEDED,
    "failed": ClipState.FAILED,
}
_KNOWN_RECORDING = (
    f"{NAME} recognised this audio as an existing recording in its catalogue and will not use it. "
    "Upload audio you made or own."
)
_SOURCE_WORDS = ("not accessible", "could not be downloaded", "unable to fetch", "could not fetch", "unreachable")


class SonicProvider(Provider):
    """``Provider`` for the AI Music API, plus its ``concat`` and ``wav`` extras."""

    capabilities = capabilities(ProviderId.SONIC)

    # ------------------------------------------------------------------ account
    async def credits(self) -> Credits:
        body = await self._call("GET", "/api/v1/get-credits")
        # Documented as top-level {credits, extra_credits}; the utility envelope puts it in data.
        source = body["data"] if isinstance(body.get("data"), dict) else body
        credits = as_float(source.get("credits"))
        if credits is None:
            raise self._malformed("the credits reply has no credits number")
        return Credits(credits=credits, extra_credits=as_float(source.get("extra_credits")))

    # ------------------------------------------------------------------ upload
    async def upload_url(self, url: str, *, duration: float | None = None, title: str = "") -> Clip:
        ensure(check_source_url(url) + check_upload_duration(duration, self.capabilities))
        body = await self._call("POST", "/api/v1/sonic/upload", {"url": url.strip()}, timeout=SLOW_TIMEOUT)
        clip_id = self._text_field(body, "clip_id")
        return Clip(
            id=clip_id,
            provider=ProviderId.SONIC,
            origin=Origin.UPLOADED,
            title=title,
            duration=duration,
            audio_url=url.strip(),
        )

    # ------------------------------------------------------------------ generation
    async def generate(self, request: GenerateRequest) -> SubmitResult:
        params = request.params
        ensure(check_params(params, self.capabilities))
        body = {"task_type": "create_music", **_params_body(params)}
        if params.persona_id:
            body.update(task_type="persona_music", persona_id=params.persona_id)
        return await self._create(body)

    async def extend(self, request: ExtendRequest) -> SubmitResult:
        source = request.source
        ensure(
            _source_problems(source)
            + check_params(request.params, self.capabilities)
            + _no_persona(request.params)
            + check_continue_at(request.continue_at, source.duration)
        )
        uploaded = source.origin is Origin.UPLOADED
        body = {
            "task_type": "extend_upload_music" if uploaded else "extend_music",
            "continue_clip_id": source.id,
            "continue_at": request.continue_at,
            **_params_body(request.params),
        }
        return await self._create(body)

    async def cover(self, request: CoverRequest) -> SubmitResult:
        source = request.source
        ensure(
            _source_problems(source)
            + check_params(request.params, self.capabilities)
            + _no_persona(request.params)
        )
        uploaded = source.origin is Origin.UPLOADED
        body = {
            "task_type": "cover_upload_music" if uploaded else "cover_music",
            "continue_clip_id": source.id,
            **_params_body(request.params),
        }
        return await self._create(body)

    async def concat(self, clip_id: str) -> SubmitResult:
        """The full song from an extension clip (``extend`` returns only the new part)."""
        ensure(_clip_id_problems(clip_id))
        return await self._create({"task_type": "concat_music", "continue_clip_id": clip_id})

    async def _create(self, body: dict[str, Any]) -> SubmitResult:
        # use_suno_cdn: one schema reading makes it required; live runs accept it (contract 2.4).
        reply = await self._call("POST", "/api/v1/sonic/create", {**body, "use_suno_cdn": False})
        return SubmitResult(task_id=self._text_field(reply, "task_id"))

    # ------------------------------------------------------------------ one-stop
    async def upload_extend(self, request: UploadExtendRequest) -> SubmitResult:
        ensure(
            check_source_url(request.url)
            + check_params(request.params, self.capabilities)
            + _no_persona(request.params)
            + check_continue_at(request.continue_at, None)
        )
        body = {
            "url": request.url.strip(),
            "continue_at": request.continue_at,
            "auto_concat": bool(request.auto_concat),
            **_params_body(request.params),
        }
        return await self._one_stop("/api/v1/sonic/upload-extend", body, request.url)

    async def upload_cover(self, request: UploadCoverRequest) -> SubmitResult:
        ensure(
            check_source_url(request.url)
            + check_params(request.params, self.capabilities)
            + _no_persona(request.params)
        )
        body = {"url": request.url.strip(), **_params_body(request.params)}
        return await self._one_stop("/api/v1/sonic/upload-cover", body, request.url)

    async def _one_stop(self, path: str, body: dict[str, Any], url: str) -> SubmitResult:
        reply = await self._call("POST", path, body, timeout=SLOW_TIMEOUT)
        upload = _dig(reply, "steps", "upload")
        said = _provider_text({"steps": reply.get("steps")})
        if said and not (reply.get("task_id") or _dig(reply, "data", "task_id")):
            # The upload step failed inside an HTTP 200: no task was started.
            refused = "matches an existing" in said.lower()
            raise ValidationError(
                _KNOWN_RECORDING
                if refused
                else f"{NAME} could not use the uploaded audio: {_said(said)}",
                field="url",
                provider=self.id.value,
                provider_message=self._scrub(said),
            )
        task_id = self._text_field(reply, "task_id")
        clip_id = upload.get("clip_id") if isinstance(upload, dict) else None
        uploaded = None
        if isinstance(clip_id, str) and clip_id:
            uploaded = Clip(
                id=clip_id,
                provider=ProviderId.SONIC,
                origin=Origin.UPLOADED,
                duration=as_float(upload.get("duration")),
                audio_url=url.strip(),
            )
        return SubmitResult(task_id=task_id, uploaded_clip=uploaded)

    # ------------------------------------------------------------------ persona
    async def create_persona(self, request: PersonaRequest) -> Persona:
        source = request.source
        problems = _source_problems(source) + check_persona(
            self.capabilities, source, request.name, request.description, request.vocal_start, request.vocal_end
        )
        window = (request.vocal_start, request.vocal_end) != (None, None)
        if self.capabilities.persona_via_vox and not request.vox_audio_id:
            # Plain creation is refused upstream (contract 2.6); only the VOX route makes a persona.
            problems.append(
                Problem(
                    "source",
                    f"{self.capabilities.persona_unavailable_reason} A persona is made there from a vocal "
                    f"extraction of a range instead ({self.capabilities.persona_cost():g} credits: "
                    "vocal extraction + persona); Sonic Studio does both when you create the persona.",
                    "persona_unavailable",
                )
            )
        elif self.capabilities.persona_window.needs_vox and window and not request.vox_audio_id:
            # The provider reads vocal_start_s/vocal_end_s only next to a vox_audio_id (changelog
            # 2026-01-25); sent alone they are ignored, so the voice would come from elsewhere.
            problems.append(
                Problem(
                    "vocal_window",
                    f"{NAME} uses a vocal range only together with a VOX extraction of that range; "
                    "leave the range empty to use the whole clip.",
                )
            )
        ensure(problems)
        body: dict[str, Any] = {
            "name": request.name,
            "clip_id": source.id,
            "describe": request.description,
            "styles": request.styles,
        }
        if request.vocal_start is not None:
            body["vocal_start_s"] = request.vocal_start
        if request.vocal_end is not None:
            body["vocal_end_s"] = request.vocal_end
        if request.vox_audio_id:
            body["vox_audio_id"] = request.vox_audio_id
        reply = await self._call("POST", "/api/v1/sonic/persona", body)
        return Persona(
            id=self._text_field(reply, "persona_id"),
            provider=ProviderId.SONIC,
            name=request.name,
            description=request.description,
            styles=request.styles,
            source_clip_id=source.id,
            source_task_id=source.source_task_id,
            vocal_start=request.vocal_start,
            vocal_end=request.vocal_end,
        )

    # ------------------------------------------------------------------ utilities
    async def wav(self, clip_id: str) -> str:
        """A WAV rendering of a clip; returns its URL (synchronous at the provider)."""
        ensure(_clip_id_problems(clip_id))
        reply = await self._call("POST", "/api/v1/sonic/wav", {"clip_id": clip_id})
        url = _dig(reply, "data", "wav_url") or reply.get("wav_url")
        if not isinstance(url, str) or not url:
            raise self._malformed("the WAV reply has no wav_url")
        return url

    # ------------------------------------------------------------------ writing helpers (Create tab)
    async def write_lyrics(self, description: str) -> LyricsResult:
        """Make Lyrics: ``{description}`` -> ``results[{title, lyrics}]`` at once (docs.musicapi.ai)."""
        ensure(check_lyrics_prompt(description, self.capabilities))
        reply = await self._call("POST", "/api/v1/sonic/lyrics", {"description": description.strip()})
        results = reply.get("results", _dig(reply, "data", "results"))
        if isinstance(results, dict):
            results = [results]
        drafts = [_draft(item) for item in results] if isinstance(results, list) else []
        drafts = [d for d in drafts if d is not None]
        if not drafts:
            raise self._malformed("the lyrics reply has no lyrics in results")
        return LyricsResult(RemoteTaskState.SUCCEEDED, drafts=drafts, provider_status="success")

    async def boost_style(self, tags: str) -> str:
        """upsample-tags: ``{tags}`` -> ``{upsampled_tags}`` (contract 2.3; also read inside ``data``)."""
        ensure(check_style_boost(tags, self.capabilities))
        reply = await self._call("POST", "/api/v1/sonic/upsample-tags", {"tags": tags.strip()})
        source = reply["data"] if isinstance(reply.get("data"), dict) else reply
        boosted = source.get("upsampled_tags", source.get("tags"))
        if isinstance(boosted, list):  # a list of tags is a reading we accept too
            boosted = ", ".join(str(tag) for tag in boosted if str(tag).strip())
        if not isinstance(boosted, str) or not boosted.strip():
            raise self._malformed("the upsample-tags reply has no upsampled_tags")
        return boosted.strip()

    # ------------------------------------------------------------------ derived assets
    async def request_asset(self, request: AssetRequest) -> AssetResult:
        kind, clip = request.kind, request.clip
        if kind not in _ASSET_PATHS:  # the whole song is concat(): a clip, not an asset
            raise self.not_offered(kind)
        ensure(self.asset_problems(request))
        if kind is AssetKind.WAV:
            return AssetResult(kind, RemoteTaskState.SUCCEEDED, files={"wav": await self.wav(clip.id)})
        body: dict[str, Any] = {"clip_id": clip.id}
        if kind is AssetKind.VOX and request.vocal_start is not None:
            body.update(vocal_start_s=request.vocal_start, vocal_end_s=request.vocal_end)
        reply = await self._call("POST", _ASSET_PATHS[kind], body)
        if kind in (AssetKind.STEMS_BASIC, AssetKind.STEMS_FULL):
            return AssetResult(kind, RemoteTaskState.PENDING, task_id=self._text_field(reply, "task_id"))
        data = reply["data"] if isinstance(reply.get("data"), dict) else reply
        return AssetResult(kind, RemoteTaskState.SUCCEEDED, **self._asset_fields(kind, data))

    def asset_problems(self, request: AssetRequest) -> list[Problem]:
        max_window = self.capabilities.deliverable(request.kind).max_window
        return _source_problems(request.clip) + _vox_problems(request, max_window)

    def _asset_fields(self, kind: AssetKind, data: dict) -> dict[str, Any]:
        """files/data of a synchronous utility reply (contract 2.3 shapes)."""
        if kind is AssetKind.BPM:
            avg = as_float(data.get("avg_bpm"))
            if avg is None:
                raise self._malformed("the BPM reply has no avg_bpm")
            return {"data": {"avg": avg, "min": as_float(data.get("min_bpm")), "max": as_float(data.get("max_bpm"))}}
        if kind is AssetKind.LYRICS_TIMELINE:
            alignment = data.get("alignment")
            if not isinstance(alignment, list):
                raise self._malformed("the aligned-lyrics reply has no alignment list")
            words = [lyric_word(item, "word", "start_s", "end_s", "p_align") for item in alignment]
            return {"data": {"words": [w for w in words if w is not None]}}
        if kind is AssetKind.MIDI:
            url, instruments = _url(data.get("midi_url")), data.get("instruments")
            if url is None and not isinstance(instruments, list):
                raise self._malformed("the MIDI reply has neither midi_url nor instruments")
            return {"files": {"midi": url} if url else {},
                    "data": {"instruments": instruments if isinstance(instruments, list) else []}}
        vox_id = data.get("vox_audio_id")  # VOX
        if not isinstance(vox_id, str) or not vox_id:
            raise self._malformed("the VOX reply has no vox_audio_id")
        url = _url(data.get("audio_url")) or _url(data.get("vox_audio_url"))
        window = {"vocal_start_s": as_float(data.get("vocal_start_s")), "vocal_end_s": as_float(data.get("vocal_end_s"))}
        return {"files": {"vox": url} if url else {}, "data": {"vox_audio_id": vox_id, **window}}

    async def asset_status(self, kind: AssetKind, task_id: str) -> AssetResult:
        """Stems are polled like songs; each stem is a clip titled "<song> (<stem>)"."""
        if kind not in (AssetKind.STEMS_BASIC, AssetKind.STEMS_FULL):
            raise self.not_offered(kind)
        status = await self.get_task(task_id)
        files = {_stem_name(clip.title, i): clip.audio_url for i, clip in enumerate(status.clips) if clip.audio_url}
        failed = [_stem_name(c.title, i) for i, c in enumerate(status.clips) if c.state is ClipState.FAILED]
        return AssetResult(kind, status.state, task_id, files=files, data={"failed_stems": failed},
                           provider_status=status.provider_status, error=status.error)

    # ------------------------------------------------------------------ edit operations
    # Readings of the "?" fields: docs/contract-readings-sonic.md ("Edit operations").
    async def replace_section(self, request: ReplaceSectionRequest) -> SubmitResult:
        source, caps = request.source, self.capabilities
        info = caps.edit(EditOp.REPLACE_SECTION)
        problems = _source_problems(source) + model_problems(info, caps, None)
        problems += range_problems(info, caps, request.start, request.end, source.duration)
        problems += _lyrics_problems(request.lyrics, caps)
        ensure(problems)
        body: dict[str, Any] = {
            "clip_id": source.id,
            "infill_start_s": round(request.start, 2),
            "infill_end_s": round(request.end, 2),
            # "prompt (context lyrics)": the whole song's words with the new part in place.
            "prompt": request.full_lyrics or request.lyrics,
            "infill_lyrics": request.lyrics,
            "auto_concat": bool(request.auto_concat),
        }
        for name, value in (("tags", request.tags), ("title", request.title), ("negative_tags", request.negative_tags)):
            if value:
                body[name] = value
        reply = await self._call("POST", "/api/v1/sonic/replace-section", body)
        return SubmitResult(task_id=self._text_field(reply, "task_id"))

    async def add_layer(self, request: AddLayerRequest) -> SubmitResult:
        source, caps = request.source, self.capabilities
        op = EditOp.ADD_VOCALS if request.vocals else EditOp.ADD_INSTRUMENTAL
        info = caps.edit(op)
        params = request.params
        problems = _source_problems(source) + model_problems(info, caps, params.model)
        if source.origin is not Origin.UPLOADED:
            problems.append(Problem("source", f"{NAME} adds vocals or an instrumental only to clips you uploaded.",
                                    "uploads_only"))
        problems += range_problems(info, caps, request.start, request.end, source.duration, optional=True)
        if request.vocals:
            problems += check_params(params, caps) + _no_persona(params)
        elif not params.tags.strip():
            problems.append(Problem("tags", "Describe the style of the instrumental.", "tags_missing"))
        ensure(problems)
        layer = params if request.vocals else GenerationParams(
            model=params.model, tags=params.tags, title=params.title, negative_tags=params.negative_tags,
            style_weight=params.style_weight, weirdness=params.weirdness, audio_weight=params.audio_weight,
        )
        body = {"task_type": op.value, "continue_clip_id": source.id, **_params_body(layer)}
        if not request.vocals:
            body.pop("make_instrumental", None)  # the vocals stay: "instrumental" would mean none
        if request.start is not None:
            body.update(overpainting_start_s=round(request.start, 2), overpainting_end_s=round(request.end, 2))
        return await self._create(body)

    async def remaster(self, request: RemasterRequest) -> SubmitResult:
        source, caps = request.source, self.capabilities
        info = caps.edit(EditOp.REMASTER)
        problems = _source_problems(source) + model_problems(info, caps, request.model)
        if request.strength is not None and request.strength not in info.strengths:
            problems.append(Problem("strength", "The strength must be subtle, normal or high.", "strength_unknown"))
        ensure(problems)
        body: dict[str, Any] = {"task_type": "remaster", "continue_clip_id": source.id, "mv": request.model}
        if request.strength is not None:
            body["variation_category"] = request.strength
        return await self._create(body)

    async def mashup(self, request: MashupRequest) -> SubmitResult:
        caps = self.capabilities
        info = caps.edit(EditOp.MASHUP)
        problems = _source_problems(request.first) + _source_problems(request.second)
        problems += model_problems(info, caps, request.params.model)
        if request.first.id == request.second.id:
            problems.append(Problem("second", "A mashup needs two different clips.", "mashup_same_clip"))
        problems += check_params(request.params, caps) + _no_persona(request.params)
        ensure(problems)
        body = {"mashup_clip_ids": [request.first.id, request.second.id], **_params_body(request.params)}
        reply = await self._call("POST", "/api/v1/sonic/mashup", body)
        return SubmitResult(task_id=self._text_field(reply, "task_id"))

    async def sample(self, request: SampleRequest) -> SubmitResult:
        source, caps = request.source, self.capabilities
        info = caps.edit(EditOp.SAMPLE)
        problems = _source_problems(source) + model_problems(info, caps, request.params.model)
        problems += range_problems(info, caps, request.start, request.end, source.duration)
        problems += check_params(request.params, caps) + _no_persona(request.params)
        ensure(problems)
        body = {
            "sample_clip_id": source.id,
            "chop_sample_start_s": round(request.start, 2),
            "chop_sample_end_s": round(request.end, 2),
            **_params_body(request.params),
        }
        reply = await self._call("POST", "/api/v1/sonic/sample", body)
        return SubmitResult(task_id=self._text_field(reply, "task_id"))

    # ------------------------------------------------------------------ polling
    async def get_task(self, task_id: str) -> TaskStatus:
        ensure(_clip_id_problems(task_id, "task_id", "task"))
        response = await self._send("GET", f"{self.base_url}/api/v1/sonic/task/{quote(task_id, safe='')}")
        if response.status_code == 202:  # older "task not ready" reply; the body does not matter
            return TaskStatus(task_id, RemoteTaskState.PENDING, provider_status="not_ready")
        body = self._checked(response)
        data = body.get("data")
        if isinstance(data, dict):
            data = [data]  # tolerate a single clip object
        if body.get("type") == "not_ready" or not data:
            return TaskStatus(task_id, RemoteTaskState.PENDING, provider_status=as_text(body.get("type")) or "not_ready")
        if not isinstance(data, list):
            raise self._malformed("the task data is not a list")
        return self._summarise(task_id, [self._unit(item, task_id) for item in data])

    def _unit(self, item: Any, task_id: str) -> _Unit:
        """One result slot: a plain clip, or an auto_concat pair {extended, full}."""
        if isinstance(item, dict) and ("extended" in item or "replaced" in item):
            extended = self._clip(item.get("extended", item.get("replaced")), task_id)
            full_item = item.get("full")
            if full_item is None:
                # The full song is the deliverable: not finished until it arrives.
                return _Unit([extended], ClipState.FAILED if extended.state is ClipState.FAILED else None)
            full = self._clip(full_item, task_id).with_(full_song_of=extended.id)
            if ClipState.FAILED in (extended.state, full.state):
                outcome = ClipState.FAILED
            else:
                outcome = full.state if full.state.terminal else None
            return _Unit([extended, full], outcome)
        clip = self._clip(item, task_id)
        return _Unit([clip], clip.state if clip.state.terminal else None)

    def _clip(self, item: Any, task_id: str) -> Clip:
        if not isinstance(item, dict):
            raise self._malformed("a clip in the task reply is not an object")
        clip_id = item.get("clip_id", item.get("id"))
        if not isinstance(clip_id, str) or not clip_id:
            raise self._malformed("a clip in the task reply has no clip_id")
        state = _CLIP_STATES.get(as_text(item.get("state")).strip().lower(), ClipState.RUNNING)
        url = _url(item.get("audio_url"))
        error = None
        if state is ClipState.FAILED:
            reason = _message_of(item.get("error_message")) or _message_of(item.get("error"))
            error = reason or "The provider could not make this clip."
        return Clip(
            id=clip_id,
            provider=ProviderId.SONIC,
            origin=Origin.GENERATED,
            source_task_id=task_id,
            title=as_text(item.get("title")),
            tags=as_text(item.get("tags")),
            lyrics=as_text(item.get("lyrics")),
            duration=as_float(item.get("duration")),
            # While a clip runs its audio_url (if any) is a stream, not the final file.
            audio_url=url if state is ClipState.SUCCEEDED else None,
            stream_url=url if state is not ClipState.SUCCEEDED else None,
            image_url=_url(item.get("image_url")),
            model=as_text(item.get("mv")) or None,
            state=state,
            error=error,
            created_at=as_text(item.get("created_at")) or None,
        )

    def _summarise(self, task_id: str, units: list[_Unit]) -> TaskStatus:
        clips = [clip for unit in units for clip in unit.clips]
        raw = ",".join(clip.state.value for clip in clips)
        if any(unit.outcome is None for unit in units):
            busy = any(clip.state is not ClipState.PENDING for clip in clips)
            return TaskStatus(task_id, RemoteTaskState.RUNNING if busy else RemoteTaskState.PENDING, clips, raw)
        good = sum(unit.outcome is ClipState.SUCCEEDED for unit in units)
        if good == len(units):
            return TaskStatus(task_id, RemoteTaskState.SUCCEEDED, clips, raw)
        if good:
            return TaskStatus(task_id, RemoteTaskState.PARTIAL, clips, raw)
        reason = next((clip.error for clip in clips if clip.error), None)
        error = ServerError(
            f"{NAME} could not make this song. Failed tasks are normally refunded by the provider.",
            provider=self.id.value,
            provider_message=reason,
        )
        return TaskStatus(task_id, RemoteTaskState.FAILED, clips, raw, error)

    # ------------------------------------------------------------------ HTTP
    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> dict[str, Any]:
        """POST/GET ``path`` on the API host; the checked JSON object of the reply."""
        return await self._request(method, f"{self.base_url}{path}", json_body=body, timeout=timeout)

    def _provider_message(self, body: Any) -> str | None:
        return _provider_text(body)

    def _classify(self, failure: Failure, table: str) -> StudioError:
        return _classify(failure, _said(failure.message), failure.info(self.id.value))

    def _text_field(self, body: dict[str, Any], name: str) -> str:
        """A required id from a reply: top level, or inside ``data`` as some versions send it."""
        value = body.get(name, _dig(body, "data", name))
        if not isinstance(value, str) or not value.strip():
            raise self._malformed(f"the reply has no {name}")
        return value


@dataclass
class _Unit:
    clips: list[Clip]
    outcome: ClipState | None  # SUCCEEDED / FAILED once settled, None while work remains


# ----------------------------------------------------------------------------- request bodies


def _params_body(params: GenerationParams) -> dict[str, Any]:
    """GenerationParams in the provider's words; unset knobs are left out."""
    body: dict[str, Any] = {"mv": params.model, "custom_mode": params.custom_mode}
    if params.custom_mode:
        if params.lyrics:
            body["prompt"] = params.lyrics
    else:
        body["gpt_description_prompt"] = params.description
    for name, value in (("tags", params.tags), ("title", params.title), ("negative_tags", params.negative_tags)):
        if value:
            body[name] = value
    body["make_instrumental"] = bool(params.instrumental)
    optional = {
        "vocal_gender": params.vocal_gender or None,
        "style_weight": params.style_weight,
        "weirdness_constraint": params.weirdness,
        "audio_weight": params.audio_weight,
    }
    body.update({name: value for name, value in optional.items() if value is not None})
    return body


def _draft(item: Any) -> LyricsDraft | None:
    """One {title, lyrics} result; ``text`` is accepted as the lyrics too (sunoapi.org's word)."""
    if not isinstance(item, dict):
        return None
    text = item.get("lyrics", item.get("text"))
    if not isinstance(text, str) or not text.strip():
        return None
    return LyricsDraft(as_text(item.get("title")).strip(), text.strip())


def _source_problems(source: Clip) -> list[Problem]:
    if source.provider is not ProviderId.SONIC:
        return [Problem("source", f"This clip belongs to another provider; {NAME} cannot use it.")]
    return _clip_id_problems(source.id, "source", "clip")


def _lyrics_problems(lyrics: str, caps) -> list[Problem]:
    if not lyrics.strip():
        return [Problem("lyrics", "Type the lyrics for the new part.", "lyrics_missing")]
    limit = caps.model(None).lyrics_max
    if len(lyrics) > limit:
        return [Problem("lyrics", f"The lyrics are {len(lyrics)} characters; {NAME} takes at most {limit}.",
                        "lyrics_too_long")]
    return []


def _no_persona(params: GenerationParams) -> list[Problem]:
    # The sonic API takes a persona only in task_type persona_music (a new song).
    if params.persona_id:
        return [Problem("persona_id", f"{NAME} uses a persona only for new songs, not for extends or covers.")]
    return []


_ASSET_PATHS = {
    AssetKind.WAV: "/api/v1/sonic/wav",
    AssetKind.STEMS_BASIC: "/api/v1/sonic/stems/basic",
    AssetKind.STEMS_FULL: "/api/v1/sonic/stems/full",
    AssetKind.MIDI: "/api/v1/sonic/midi",
    AssetKind.LYRICS_TIMELINE: "/api/v1/sonic/aligned-lyrics",
    AssetKind.BPM: "/api/v1/sonic/bpm",
    AssetKind.VOX: "/api/v1/sonic/vox",
}


def _vox_problems(request: AssetRequest, max_window: float | None) -> list[Problem]:
    if request.kind is not AssetKind.VOX:
        return []
    start, end = request.vocal_start, request.vocal_end
    if start is None and end is None:
        return []
    if start is None or end is None:
        return [Problem("vocal_window", "Give both the start and the end of the vocal window.")]
    if not 0 <= start < end:
        return [Problem("vocal_window", "The vocal window must start at 0 s or later and end after it starts.")]
    duration = request.clip.duration
    if duration is not None and end > duration + 0.01:
        return [Problem("vocal_window", f"The vocal window must end inside the clip (it is {duration:.1f} s long).")]
    if max_window is not None and end - start > max_window + 1e-6:
        return [Problem("vocal_window", f"{NAME} extracts at most {max_window:g} s of vocals at a time.")]
    return []


def _stem_name(title: str, index: int) -> str:
    """"Night Drive (Vocals)" -> "vocals"; an untitled stem gets its position."""
    text = title.strip()
    if text.endswith(")") and "(" in text:
        text = text[text.rindex("(") + 1 : -1]
    elif " - " in text:
        text = text.rsplit(" - ", 1)[1]
    name = "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")
    return name or f"stem_{index + 1}"


def _clip_id_problems(value: Any, field: str = "clip_id", what: str = "clip") -> list[Problem]:
    if not isinstance(value, str) or not value.strip():
        return [Problem(field, f"No {what} id was given.")]
    return []


# ----------------------------------------------------------------------------- replies


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def _message_of(value: Any) -> str | None:
    """Readable text from a string, a {message|msg} object, or a list of those."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _message_of(value.get("message", value.get("msg")))
    if isinstance(value, list):
        parts = [text for text in map(_message_of, value) if text]
        return "; ".join(parts) or None
    return None


def _provider_text(body: Any) -> str | None:
    """Error bodies vary; clients read detail || error || message (contract 2.1).

    One-stop endpoints put the real reason in ``steps.upload.error``/``.message`` ("This
    audio matches an existing recording..."); it is more specific, so it comes first.
    """
    if not isinstance(body, dict):
        return None
    upload = _dig(body, "steps", "upload")
    if isinstance(upload, dict):
        text = _message_of(upload.get("error")) or _message_of(upload.get("message"))
        if text:
            return text
    for key in ("detail", "error", "message", "msg"):
        text = _message_of(body.get(key))
        if text:
            return text
    return None


def _classify(failure: Failure, text: str, info: dict) -> StudioError:
    """The provider's status (HTTP, or the body code on an HTTP 200) -> our taxonomy."""
    status, body, response = failure.status, failure.body, failure.response
    lowered = text.lower()
    if status == 400:
        if "not found" in lowered:
            thing = next((w for w in ("task", "persona") if w in lowered), "clip")
            return NotFoundError(f"{NAME} does not know this {thing}; it may have expired.", **info)
        if any(word in lowered for word in _SOURCE_WORDS):
            return SourceUnreachableError(**info)
        if "matches an existing" in lowered:
            return ValidationError(_KNOWN_RECORDING, field="url", **info)
        return ValidationError(f"{NAME} did not accept the request: {text or 'no reason given'}", **info)
    if status == 401:
        return AuthError(**info)
    if status == 402 or (status == 403 and "credit" in lowered):
        return InsufficientCreditsError(**info)
    if status == 403:
        if "subscription" in lowered:
            return InsufficientCreditsError(f"{NAME} needs an active subscription for this request.", **info)
        return ValidationError(
            f"{NAME} refused the content: {text or 'no reason given'}. Change the lyrics or description and try again.",
            **info,
        )
    if status == 404:
        return NotFoundError(**info)
    if status == 410:
        return NotFoundError(f"{NAME} has retired this feature.", **info)
    if status == 409:
        existing = _dig(body, "persona_id") or _dig(body, "existing_id") or _dig(body, "data", "persona_id")
        return ConflictError(existing_id=existing if isinstance(existing, str) else None, **info)
    if status == 422:
        return ValidationError(f"{NAME} did not accept the request: {text or 'no reason given'}", **info)
    if status == 429:
        return RateLimitedError(retry_after=retry_after_seconds(response), **info)
    if status == 451:
        return SourceUnreachableError(**info)
    if status == 455:
        return MaintenanceError(**info)
    if status == 504:
        return ServerError(f"The task timed out at {NAME}; the credits it cost were refunded.", **info)
    if status in (500, 502, 503):
        return ServerError(**info)
    return ServerError(f"{NAME} answered in an unexpected way (HTTP {status}).", **info)


def _said(text: str | None) -> str:
    """The provider's words fit for a one-line message: no control/format characters, at most 200."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in text or "")
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= 200 else cleaned[:199] + "…"
