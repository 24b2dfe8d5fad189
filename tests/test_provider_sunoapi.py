"""SunoApiProvider against the emulated sunoapi.org: exact wire bodies, parsing, every error path.

Each operation is driven through the adapter and the request the emulator received is
compared field by field with the contract (shared/docs/api-contract.md section 1);
failure paths use the emulator's outcome switch or scripted faults.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from support import finished

from sonic_studio.core.errors import (
    AuthError,
    ConflictError,
    InsufficientCreditsError,
    MaintenanceError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SourceUnreachableError,
    ValidationError,
)
from sonic_studio.core.models import (
    Clip,
    ClipState,
    CoverRequest,
    ExtendRequest,
    GenerateRequest,
    GenerationParams,
    Origin,
    PersonaRequest,
    ProviderId,
    RemoteTaskState,
    UploadCoverRequest,
    UploadExtendRequest,
)
from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.providers import make_provider
from sonic_studio.providers.sunoapi import CALLBACK_URL, UPLOAD_PATH, SunoApiProvider, uploaded_clip_id
from tests.conftest import FAKE_KEY

BASE = "http://127.0.0.1:8787"
UPLOAD_BASE = "http://localhost:8787"  # a different host name, so tests see which host got what
SAMPLE = BASE + "/samples/night-drive.mp3"
RECORD = "/api/v1/generate/record-info"
LYRICS = "[Verse]\nHeadlights on the wet road\n[Chorus]\nDrive, drive, into the night"


@pytest.fixture
def provider(asgi_client) -> SunoApiProvider:
    return SunoApiProvider(asgi_client, FAKE_KEY, base_url=BASE, upload_base_url=UPLOAD_BASE)


@pytest.fixture
def instant(emulator):
    """Tasks finish at once: for tests where waiting is not the point."""
    emulator.timing = Timing.instant()
    return emulator


def custom(**changes) -> GenerationParams:
    base = dict(model="V5", lyrics=LYRICS, tags="synth-pop, dreamy", title="Night Drive")
    return GenerationParams(**{**base, **changes})


async def generated_clip(provider, params: GenerationParams | None = None) -> Clip:
    submitted = await provider.generate(GenerateRequest(params or custom()))
    return (await finished(provider, submitted.task_id)).clips[0]


def body_of(emulator, path: str) -> dict:
    record = emulator.last(path)
    assert record.authorization == f"Bearer {FAKE_KEY}"
    return record.json


def inject_record(emulator, data: dict) -> None:
    emulator.faults.inject(Fault("status", status=200, body={"code": 200, "msg": "success", "data": data}), RECORD)


# ---------------------------------------------------------------------- generate / poll


async def test_generate_custom_sends_exact_body_and_polls_to_two_real_clips(provider, instant, asgi_client):
    params = custom(negative_tags="metal", vocal_gender="f", style_weight=0.654, weirdness=0.2, audio_weight=None)
    submitted = await provider.generate(GenerateRequest(params))

    assert body_of(instant, "/api/v1/generate") == {
        "customMode": True,
        "instrumental": False,
        "model": "V5",
        "callBackUrl": CALLBACK_URL,
        "prompt": LYRICS,
        "style": "synth-pop, dreamy",
        "title": "Night Drive",
        "negativeTags": "metal",
        "vocalGender": "f",
        "styleWeight": 0.65,
        "weirdnessConstraint": 0.2,
    }
    status = await provider.get_task(submitted.task_id)
    assert instant.last(RECORD).query == {"taskId": submitted.task_id}
    assert status.state is RemoteTaskState.SUCCEEDED and status.provider_status == "SUCCESS"
    assert len(status.clips) == 2 and len({c.id for c in status.clips}) == 2
    for clip in status.clips:
        assert clip.state is ClipState.SUCCEEDED and clip.origin is Origin.GENERATED
        assert clip.provider is ProviderId.SUNOAPI and clip.source_task_id == submitted.task_id
        assert clip.model == "chirp-v5" and clip.title == "Night Drive" and clip.lyrics == LYRICS
        assert 95 <= clip.duration <= 150 and clip.stream_url and clip.image_url
    # The audio is real and as long as reported; the CDN needs no key.
    audio = await asgi_client.get(status.clips[0].audio_url)
    seconds = len(synth.decode(audio.content)) / synth.SR
    assert abs(seconds - status.clips[0].duration) < 0.5
    assert (await asgi_client.get(status.clips[0].image_url)).content.startswith(b"\x89PNG")


async def test_generate_description_mode_sends_only_prompt(provider, instant):
    params = GenerationParams(model="V4_5", custom_mode=False, description="a calm song about rain", instrumental=True)
    await provider.generate(GenerateRequest(params))
    assert body_of(instant, "/api/v1/generate") == {
        "customMode": False,
        "instrumental": True,
        "model": "V4_5",
        "callBackUrl": CALLBACK_URL,
        "prompt": "a calm song about rain",
    }


async def test_custom_instrumental_sends_no_prompt(provider, instant):
    await provider.generate(GenerateRequest(custom(instrumental=True)))
    body = body_of(instant, "/api/v1/generate")
    assert "prompt" not in body and body["instrumental"] is True and body["style"] and body["title"]


async def test_generate_with_persona_sends_persona_fields(provider, instant):
    clip = await generated_clip(provider)
    persona = await provider.create_persona(PersonaRequest(clip, "Nova", "airy alto", vocal_start=40, vocal_end=60))
    await provider.generate(GenerateRequest(custom(persona_id=persona.id)))
    body = body_of(instant, "/api/v1/generate")
    assert (body["personaId"], body["personaModel"]) == (persona.id, "style_persona")
    await provider.generate(GenerateRequest(custom(persona_id=persona.id, persona_model="voice_persona")))
    assert body_of(instant, "/api/v1/generate")["personaModel"] == "voice_persona"


async def test_status_goes_through_every_stage_with_clips_finishing_apart(provider, emulator):
    now = [1000.0]
    emulator.clock = lambda: now[0]
    emulator.timing = Timing(queue=1, first_clip=2, second_clip=3)
    task_id = (await provider.generate(GenerateRequest(custom()))).task_id

    pending = await provider.get_task(task_id)
    assert (pending.provider_status, pending.state, pending.clips) == ("PENDING", RemoteTaskState.PENDING, [])

    now[0] += 1.5
    text = await provider.get_task(task_id)
    assert (text.provider_status, text.state) == ("TEXT_SUCCESS", RemoteTaskState.RUNNING)
    assert [c.state for c in text.clips] == [ClipState.RUNNING] * 2
    assert all(c.stream_url and c.audio_url is None and c.duration is None for c in text.clips)

    now[0] += 1.0
    first = await provider.get_task(task_id)
    assert (first.provider_status, first.state) == ("FIRST_SUCCESS", RemoteTaskState.RUNNING)
    assert [c.state for c in first.clips] == [ClipState.SUCCEEDED, ClipState.RUNNING]
    assert first.clips[0].audio_url and first.clips[1].audio_url is None and first.clips[1].stream_url

    now[0] += 1.0
    done = await provider.get_task(task_id)
    assert (done.provider_status, done.state) == ("SUCCESS", RemoteTaskState.SUCCEEDED)
    assert all(c.audio_url and c.duration for c in done.clips)


# ---------------------------------------------------------------------- extend / cover / uploads


async def test_extend_generated_clip_uses_audio_id(provider, instant):
    clip = await generated_clip(provider)
    submitted = await provider.extend(ExtendRequest(clip, 40.123, custom(title="Night Drive II")))
    assert body_of(instant, "/api/v1/generate/extend") == {
        "defaultParamFlag": True,
        "audioId": clip.id,
        "continueAt": 40.12,
        "model": "V5",
        "callBackUrl": CALLBACK_URL,
        "prompt": LYRICS,
        "style": "synth-pop, dreamy",
        "title": "Night Drive II",
    }
    status = await finished(provider, submitted.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED
    # Reading: the result is the longer song (source up to continueAt, then new music).
    assert all(c.duration > 40.12 + 59 for c in status.clips)


async def test_extend_uploaded_clip_uses_upload_extend(provider, instant):
    uploaded = await provider.upload_url(SAMPLE, duration=96.0)
    submitted = await provider.extend(ExtendRequest(uploaded, 30.0, custom(instrumental=True)))
    assert body_of(instant, "/api/v1/generate/upload-extend") == {
        "uploadUrl": SAMPLE,
        "defaultParamFlag": True,
        "continueAt": 30.0,
        "model": "V5",
        "callBackUrl": CALLBACK_URL,
        "prompt": "[Instrumental]",  # the extend pages require a prompt with defaultParamFlag
        "style": "synth-pop, dreamy",
        "title": "Night Drive",
        "instrumental": True,
    }
    assert (await finished(provider, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


async def test_upload_extend_request(provider, instant):
    submitted = await provider.upload_extend(UploadExtendRequest(SAMPLE, 50.5, custom(model="V4_5PLUS")))
    body = body_of(instant, "/api/v1/generate/upload-extend")
    assert (body["uploadUrl"], body["continueAt"], body["model"], body["prompt"]) == (SAMPLE, 50.5, "V4_5PLUS", LYRICS)
    assert (await finished(provider, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


async def test_cover_of_generated_clip_uses_its_public_audio_url(provider, instant):
    clip = await generated_clip(provider)
    submitted = await provider.cover(CoverRequest(clip, custom(audio_weight=0.8, title="Night Drive (cover)")))
    body = body_of(instant, "/api/v1/generate/upload-cover")
    assert body == {
        "uploadUrl": clip.audio_url,
        "customMode": True,
        "instrumental": False,
        "model": "V5",
        "callBackUrl": CALLBACK_URL,
        "prompt": LYRICS,
        "style": "synth-pop, dreamy",
        "title": "Night Drive (cover)",
        "audioWeight": 0.8,
    }
    assert (await finished(provider, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


async def test_upload_cover_request(provider, instant):
    params = GenerationParams(model="V4_5ALL", custom_mode=False, description="make it jazz", audio_weight=0.3)
    submitted = await provider.upload_cover(UploadCoverRequest(BASE + "/samples/rain-on-glass.mp3", params))
    assert body_of(instant, "/api/v1/generate/upload-cover") == {
        "uploadUrl": BASE + "/samples/rain-on-glass.mp3",
        "customMode": False,
        "instrumental": False,
        "model": "V4_5ALL",
        "callBackUrl": CALLBACK_URL,
        "prompt": "make it jazz",
        "audioWeight": 0.3,
    }
    # The sample is 74 s; V4_5ALL takes at most 60 s of uploaded audio: fails later, as a validation error.
    status = await finished(provider, submitted.task_id)
    assert status.state is RemoteTaskState.FAILED and isinstance(status.error, ValidationError)
    assert status.provider_status == "CREATE_TASK_FAILED" and status.error.code == 422


async def test_upload_url_sends_nothing_and_gives_a_stable_clip(provider, instant):
    clip = await provider.upload_url(SAMPLE, duration=96.0, title="Night drive")
    again = await provider.upload_url(SAMPLE)
    assert instant.requests == []
    assert clip.id == again.id == uploaded_clip_id(SAMPLE)
    assert (clip.origin, clip.audio_url, clip.duration, clip.title) == (Origin.UPLOADED, SAMPLE, 96.0, "Night drive")


async def test_upload_file_streams_to_upload_host_with_key_and_progress(provider, instant, asgi_client, tmp_path):
    audio = (await asgi_client.get(SAMPLE)).content
    path = tmp_path / "my demo.mp3"
    path.write_bytes(audio)
    calls: list[tuple[int, int]] = []

    clip = await provider.upload_file(path, progress=lambda sent, total: calls.append((sent, total)))

    record = instant.last("/api/file-stream-upload")
    assert record.host == "localhost:8787" and record.authorization == f"Bearer {FAKE_KEY}"
    assert record.form["uploadPath"] == UPLOAD_PATH and record.form["fileName"].endswith("-my demo.mp3")
    assert record.files == {"file": ("my demo.mp3", len(audio))}
    assert calls[0] == (0, len(audio)) and calls[-1] == (len(audio), len(audio)) and len(calls) > 3
    assert [sent for sent, _ in calls] == sorted(sent for sent, _ in calls)
    assert clip.origin is Origin.UPLOADED and clip.id == uploaded_clip_id(clip.audio_url)
    assert (await asgi_client.get(clip.audio_url)).content == audio
    # The returned downloadUrl is directly usable as an uploadUrl.
    submitted = await provider.upload_cover(UploadCoverRequest(clip.audio_url, custom()))
    assert (await finished(provider, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


# ---------------------------------------------------------------------- persona


async def test_create_persona_sends_rounded_window_and_refuses_a_second(provider, instant):
    clip = await generated_clip(provider)
    request = PersonaRequest(clip, " Nova ", "airy alto over synths", styles="synth-pop", vocal_start=42.499, vocal_end=61.254)
    persona = await provider.create_persona(request)
    assert body_of(instant, "/api/v1/generate/generate-persona") == {
        "taskId": clip.source_task_id,
        "audioId": clip.id,
        "name": "Nova",
        "description": "airy alto over synths",
        "vocalStart": 42.5,
        "vocalEnd": 61.25,
        "style": "synth-pop",
    }
    assert persona.id and (persona.name, persona.vocal_start, persona.vocal_end) == ("Nova", 42.5, 61.25)
    assert (persona.source_clip_id, persona.source_task_id) == (clip.id, clip.source_task_id)
    with pytest.raises(ConflictError):
        await provider.create_persona(request)


async def test_persona_default_window_is_omitted(provider, instant):
    clip = await generated_clip(provider)
    await provider.create_persona(PersonaRequest(clip, "Nova", "airy"))
    body = body_of(instant, "/api/v1/generate/generate-persona")
    assert "vocalStart" not in body and "vocalEnd" not in body and "style" not in body


@pytest.mark.parametrize(
    "start, end, field",
    [(10.0, 15.0, "vocal_window"), (0.0, 30.5, "vocal_window"), (20.0, 10.0, "vocal_end"), (120.0, 140.0, "vocal_end")],
)
async def test_persona_window_rules_are_checked_locally(provider, emulator, start, end, field):
    clip = Clip("a1", ProviderId.SUNOAPI, source_task_id="t1", duration=130.0, model="chirp-v5")
    with pytest.raises(ValidationError) as info:
        await provider.create_persona(PersonaRequest(clip, "Nova", "airy", vocal_start=start, vocal_end=end))
    assert info.value.field == field and emulator.requests == []


async def test_persona_emulator_rejects_unfinished_task(provider, emulator):
    emulator.timing = Timing(queue=30, first_clip=30, second_clip=30)
    task_id = (await provider.generate(GenerateRequest(custom()))).task_id
    clip = Clip("unknown-yet", ProviderId.SUNOAPI, source_task_id=task_id, duration=120.0)
    with pytest.raises(NotFoundError):
        await provider.create_persona(PersonaRequest(clip, "Nova", "airy"))
    track_id = emulator.state["sunoapi"].tasks[task_id].tracks[0].id
    with pytest.raises(ValidationError) as info:
        await provider.create_persona(PersonaRequest(clip.with_(id=track_id), "Nova", "airy"))
    assert info.value.code == 422 and "not completed" in info.value.provider_message


async def test_persona_needs_v4_or_newer_and_a_generated_clip(provider, emulator):
    old = Clip("a1", ProviderId.SUNOAPI, source_task_id="t1", duration=120.0, model="chirp-v3-5")
    uploaded = Clip("up-1", ProviderId.SUNOAPI, origin=Origin.UPLOADED, duration=120.0, audio_url=SAMPLE)
    for clip in (old, uploaded):
        with pytest.raises(ValidationError):
            await provider.create_persona(PersonaRequest(clip, "Nova", "airy"))
    assert emulator.requests == []


# ---------------------------------------------------------------------- credits


async def test_credits_read_and_spent(provider, instant):
    assert (await provider.credits()).credits == 500
    assert instant.last("/api/v1/generate/credit").authorization == f"Bearer {FAKE_KEY}"
    await provider.generate(GenerateRequest(custom()))
    assert (await provider.credits()).credits == 488  # catalog: 12 per generation


async def test_credits_fall_back_to_get_credits_on_404(provider, emulator):
    emulator.faults.inject(Fault("status", status=404), "/api/v1/generate/credit")
    emulator.faults.inject(
        Fault("status", status=200, body={"code": 200, "msg": "success", "data": {"credits": 42}}), "/api/v1/get-credits"
    )
    assert (await provider.credits()).credits == 42
    assert [r.path for r in emulator.requests] == ["/api/v1/generate/credit", "/api/v1/get-credits"]


async def test_insufficient_credits_is_code_429_on_generate(provider, instant):
    instant.credits["sunoapi"] = 5
    with pytest.raises(InsufficientCreditsError) as info:
        await provider.generate(GenerateRequest(custom()))
    assert info.value.code == 429 and info.value.http_status == 200


# ---------------------------------------------------------------------- task outcomes


@pytest.mark.parametrize(
    "outcome, error_cls",
    [
        ("GENERATE_AUDIO_FAILED", ServerError),
        ("SENSITIVE_WORD_ERROR", ValidationError),
        ("CREATE_TASK_FAILED", ServerError),
    ],
)
async def test_failure_outcomes_become_failed_tasks(provider, instant, outcome, error_cls):
    instant.state["sunoapi"].next_outcome = outcome
    status = await provider.get_task((await provider.generate(GenerateRequest(custom()))).task_id)
    assert (status.state, status.provider_status) == (RemoteTaskState.FAILED, outcome)
    assert type(status.error) is error_cls and status.error.provider_message
    assert all(c.state is ClipState.FAILED for c in status.clips)
    if outcome == "SENSITIVE_WORD_ERROR":
        assert status.error.field == "lyrics" and "words" in str(status.error)
    assert (await provider.credits()).credits == 500  # failed tasks are not charged


async def test_callback_exception_with_audio_is_a_success(provider, instant):
    instant.state["sunoapi"].next_outcome = "CALLBACK_EXCEPTION"
    status = await provider.get_task((await provider.generate(GenerateRequest(custom()))).task_id)
    assert (status.state, status.provider_status, status.error) == (RemoteTaskState.SUCCEEDED, "CALLBACK_EXCEPTION", None)
    assert all(c.state is ClipState.SUCCEEDED and c.audio_url for c in status.clips)


async def test_unreachable_upload_url_fails_as_source_unreachable(provider, instant):
    submitted = await provider.upload_cover(UploadCoverRequest("https://files.example.com/song.mp3", custom()))
    status = await provider.get_task(submitted.task_id)
    assert status.state is RemoteTaskState.FAILED and isinstance(status.error, SourceUnreachableError)
    assert status.error.code == 451


async def test_unknown_status_words_are_not_finished(provider, emulator):
    inject_record(emulator, {"taskId": "t1", "status": "GENERATING", "response": None})
    status = await provider.get_task("t1")
    assert (status.state, status.provider_status, status.finished, status.error) == (
        RemoteTaskState.RUNNING, "GENERATING", False, None,
    )


async def test_generic_failed_word_is_a_failure(provider, emulator):
    inject_record(emulator, {"taskId": "t1", "status": "FAILED", "errorCode": None, "errorMessage": "boom"})
    status = await provider.get_task("t1")
    assert status.state is RemoteTaskState.FAILED and isinstance(status.error, ServerError)
    assert status.error.provider_message == "boom"


async def test_snake_case_tracks_in_response_data_are_read(provider, emulator):
    track = {
        "id": "a1", "audio_url": "https://cdn.example/a1.mp3", "stream_audio_url": "https://cdn.example/a1",
        "image_url": "https://cdn.example/a1.jpeg", "model_name": "chirp-v4-5", "title": "T", "tags": "pop",
        "prompt": "la", "createTime": "2025-01-01 00:00:00", "duration": "104.88",
    }
    inject_record(emulator, {"taskId": "t1", "status": "SUCCESS", "response": {"data": [track]}})
    [clip] = (await provider.get_task("t1")).clips
    assert (clip.audio_url, clip.stream_url, clip.image_url) == (
        "https://cdn.example/a1.mp3", "https://cdn.example/a1", "https://cdn.example/a1.jpeg",
    )
    assert (clip.model, clip.duration, clip.created_at, clip.state) == ("chirp-v4-5", 104.88, "2025-01-01 00:00:00", ClipState.SUCCEEDED)


async def test_failure_after_one_track_keeps_the_paid_result(provider, emulator):
    tracks = [{"id": "a1", "audioUrl": "https://cdn.example/a1.mp3", "duration": 100}, {"id": "a2", "audioUrl": ""}]
    inject_record(emulator, {
        "taskId": "t1", "status": "GENERATE_AUDIO_FAILED", "errorCode": 500, "errorMessage": "second failed",
        "response": {"sunoData": tracks},
    })
    status = await provider.get_task("t1")
    assert status.state is RemoteTaskState.PARTIAL and isinstance(status.error, ServerError)
    assert [c.state for c in status.clips] == [ClipState.SUCCEEDED, ClipState.FAILED]


async def test_success_without_any_audio_is_a_failure(provider, emulator):
    inject_record(emulator, {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": [{"id": "a1"}]}})
    status = await provider.get_task("t1")
    assert status.state is RemoteTaskState.FAILED and isinstance(status.error, ServerError)


async def test_unknown_task_is_not_found(provider, instant):
    with pytest.raises(NotFoundError) as info:
        await provider.get_task("no-such-task")
    assert info.value.code == 404


@pytest.mark.parametrize(
    "data",
    [
        "not an object",
        {"taskId": "t1"},  # no status
        {"taskId": "t1", "status": 7},
        {"taskId": "t1", "status": "SUCCESS", "response": []},
        {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": {"id": "a1"}}},
        {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": ["a1"]}},
        {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": [{"title": "no id"}]}},
        {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": [{"id": "a1", "duration": "long"}]}},
        {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": [{"id": "a1", "duration": True}]}},
        {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": [{"id": "a1", "audioUrl": 5}]}},
    ],
)
async def test_malformed_task_data_is_malformed_response(provider, emulator, data):
    inject_record(emulator, data)
    with pytest.raises(MalformedResponseError):
        await provider.get_task("t1")


@pytest.mark.parametrize(
    "body",
    [[1, 2], {"msg": "no code"}, {"code": "200", "data": {}}, {"code": 200, "msg": "success", "data": None}],
)
async def test_malformed_submit_replies(provider, emulator, body):
    emulator.faults.inject(Fault("status", status=200, body=body), "/api/v1/generate")
    with pytest.raises(MalformedResponseError):
        await provider.generate(GenerateRequest(custom()))


@pytest.mark.parametrize("kind", ["malformed", "truncated", "cut"])
async def test_broken_bodies_are_malformed_response(provider, instant, kind):
    instant.faults.inject(Fault(kind), "/api/v1/generate")
    with pytest.raises(MalformedResponseError):
        await provider.generate(GenerateRequest(custom()))


async def test_dropped_connection_is_network_error(provider, emulator):
    emulator.faults.inject(Fault("drop"), RECORD)
    with pytest.raises(NetworkError):
        await provider.get_task("t1")


async def test_connection_cut_on_a_real_socket_is_network_error(emulator_server, emulator):
    emulator.faults.inject(Fault("cut"), "/api/v1/generate/credit")
    async with httpx.AsyncClient() as client:
        provider = make_provider("sunoapi", client, FAKE_KEY, base_url=emulator_server.base_url,
                                 upload_base_url=emulator_server.base_url)
        with pytest.raises(NetworkError):
            await provider.credits()
        assert (await provider.credits()).credits == 500


# ---------------------------------------------------------------------- code tables

GENERATE_TABLE = [
    (400, ValidationError), (401, AuthError), (404, NotFoundError), (405, RateLimitedError),
    (413, ValidationError), (429, InsufficientCreditsError), (430, RateLimitedError),
    (455, MaintenanceError), (500, ServerError), (451, SourceUnreachableError), (418, ServerError),
]
PERSONA_TABLE = [
    (401, AuthError), (402, InsufficientCreditsError), (404, NotFoundError), (409, ConflictError),
    (422, ValidationError), (429, RateLimitedError), (451, SourceUnreachableError),
    (455, MaintenanceError), (500, ServerError),
]
UPLOAD_TABLE = [
    (400, ValidationError), (401, AuthError), (413, ValidationError), (429, RateLimitedError),
    (455, MaintenanceError), (500, ServerError),
]


@pytest.mark.parametrize("in_body", [True, False], ids=["http200-body-code", "http-status"])
@pytest.mark.parametrize("code, error_cls", GENERATE_TABLE)
async def test_generate_family_code_table(provider, emulator, code, error_cls, in_body):
    body = {"code": code, "msg": f"provider says {code}", "data": None}
    emulator.faults.inject(Fault("status", status=200 if in_body else code, body=body), "/api/v1/generate")
    with pytest.raises(error_cls) as info:
        await provider.generate(GenerateRequest(custom()))
    error = info.value
    assert type(error) is error_cls and error.code == code
    assert error.provider_message == f"provider says {code}" and str(error) != error.provider_message
    if code == 413:
        assert error.field == "lyrics"


@pytest.mark.parametrize("code, error_cls", [(429, InsufficientCreditsError), (455, MaintenanceError), (401, AuthError)])
async def test_record_info_and_credit_use_the_generate_table(provider, emulator, code, error_cls):
    for path in (RECORD, "/api/v1/generate/credit"):
        emulator.faults.inject(Fault("status", status=200, body={"code": code, "msg": "x", "data": None}), path)
    with pytest.raises(error_cls):
        await provider.get_task("t1")
    with pytest.raises(error_cls):
        await provider.credits()


@pytest.mark.parametrize("in_body", [True, False], ids=["http200-body-code", "http-status"])
@pytest.mark.parametrize("code, error_cls", PERSONA_TABLE)
async def test_persona_code_table(provider, emulator, code, error_cls, in_body):
    clip = Clip("a1", ProviderId.SUNOAPI, source_task_id="t1", duration=120.0, model="chirp-v5")
    body = {"code": code, "msg": f"persona says {code}", "data": None}
    emulator.faults.inject(Fault("status", status=200 if in_body else code, body=body), "/api/v1/generate/generate-persona")
    with pytest.raises(error_cls) as info:
        await provider.create_persona(PersonaRequest(clip, "Nova", "airy"))
    assert type(info.value) is error_cls and info.value.provider_message == f"persona says {code}"


@pytest.mark.parametrize("code, error_cls", UPLOAD_TABLE)
async def test_upload_host_code_table(provider, emulator, tmp_path, code, error_cls):
    path = tmp_path / "a.mp3"
    path.write_bytes(b"ID3" + bytes(2000))
    body = {"success": False, "code": code, "msg": f"upload says {code}", "data": None}
    emulator.faults.inject(Fault("status", status=200, body=body), "/api/file-stream-upload")
    with pytest.raises(error_cls) as info:
        await provider.upload_file(path)
    assert type(info.value) is error_cls
    if code == 413:
        assert info.value.field == "file"


async def test_upload_success_false_with_code_200_is_an_error(provider, emulator, tmp_path):
    path = tmp_path / "a.mp3"
    path.write_bytes(b"ID3" + bytes(2000))
    body = {"success": False, "code": 200, "msg": "storage full", "data": None}
    emulator.faults.inject(Fault("status", status=200, body=body), "/api/file-stream-upload")
    with pytest.raises(ServerError):
        await provider.upload_file(path)


@pytest.mark.parametrize("status, code", [(430, 430), (200, 430), (429, 429)])
async def test_retry_after_is_honoured(provider, emulator, status, code):
    path = "/api/v1/generate/generate-persona" if code == 429 else "/api/v1/generate"
    emulator.faults.inject(Fault("status", status=status, body={"code": code, "msg": "slow"}, retry_after=7), path)
    clip = Clip("a1", ProviderId.SUNOAPI, source_task_id="t1", duration=120.0)
    with pytest.raises(RateLimitedError) as info:
        if code == 429:
            await provider.create_persona(PersonaRequest(clip, "Nova", "airy"))
        else:
            await provider.generate(GenerateRequest(custom()))
    assert info.value.retry_after == 7


async def test_http_error_with_html_body_uses_the_status(provider, emulator):
    emulator.faults.inject(Fault("status", status=502, body="<html>Bad Gateway</html>"), "/api/v1/generate")
    with pytest.raises(ServerError) as info:
        await provider.generate(GenerateRequest(custom()))
    assert info.value.http_status == 502


# ---------------------------------------------------------------------- local validation


async def test_invalid_sources_and_urls_are_rejected_locally(provider, emulator):
    """The wire shape only: parameters are judged by the services (tests/test_request_problems.py)."""
    clip = Clip("a1", ProviderId.SUNOAPI, source_task_id="t1", duration=100.0, model="chirp-v5", audio_url=SAMPLE)
    attempts = [
        (provider.extend(ExtendRequest(clip, 50, custom(model="V4_5"))), "model"),
        (provider.upload_extend(UploadExtendRequest("ftp://host/a.mp3", 10, custom())), "url"),
        (provider.upload_cover(UploadCoverRequest("", custom())), "url"),
        (provider.cover(CoverRequest(clip.with_(audio_url=None), custom())), "source"),
        (provider.upload_url(SAMPLE, duration=9 * 60), "file"),
        (provider.upload_file(Path("/nonexistent/a.mp3")), "file"),
        (provider.get_task(""), "task_id"),
    ]
    for attempt, field in attempts:
        with pytest.raises(ValidationError) as info:
            await attempt
        assert info.value.field == field
    assert emulator.requests == []


async def test_loopback_urls_are_refused_when_talking_to_the_real_service(asgi_client):
    real = SunoApiProvider(asgi_client, FAKE_KEY)
    with pytest.raises(ValidationError):
        await real.upload_url("http://127.0.0.1:9000/song.mp3")


# ---------------------------------------------------------------------- the key


async def test_wrong_key_is_auth_error_without_the_key_anywhere(asgi_client, emulator):
    secret = "sk-live-WRONG-abcdef0123456789"
    provider = SunoApiProvider(asgi_client, secret, base_url=BASE, upload_base_url=UPLOAD_BASE)
    with pytest.raises(AuthError) as info:
        await provider.generate(GenerateRequest(custom()))
    error = info.value
    assert error.http_status == 401
    text = " ".join([str(error), repr(error), error.details(), json.dumps(error.to_dict()), repr(provider)])
    assert secret not in text


async def test_key_echoed_by_a_server_is_hidden(provider, emulator):
    body = {"code": 500, "msg": f"internal error for Bearer {FAKE_KEY}"}
    emulator.faults.inject(Fault("status", status=200, body=body), "/api/v1/generate")
    with pytest.raises(ServerError) as info:
        await provider.generate(GenerateRequest(custom()))
    assert FAKE_KEY not in info.value.details() and FAKE_KEY not in json.dumps(info.value.to_dict())


async def test_only_provider_hosts_get_the_key(provider, instant, tmp_path):
    path = tmp_path / "a.mp3"
    path.write_bytes(b"ID3" + bytes(5000))
    clip = await provider.upload_file(path)
    await finished(provider, (await provider.upload_cover(UploadCoverRequest(SAMPLE, custom()))).task_id)
    await provider.credits()
    assert clip.audio_url
    paths = {r.path for r in instant.requests}
    assert all(p.startswith("/api/") for p in paths)  # the adapter never downloads media
    assert all(r.authorization == f"Bearer {FAKE_KEY}" for r in instant.requests)
