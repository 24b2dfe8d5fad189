"""The AI Music API adapter against the emulated provider.

Every operation is driven through ``SonicProvider`` and checked twice: the exact path
and JSON body the emulator received (what the real provider would have been sent),
and the domain result the adapter made of the reply.  Failure replies are injected
with the emulator's fault switch to prove each documented status lands in the right
error class, and invalid input must be refused before any request leaves.
"""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest
from conftest import FAKE_KEY, wait_until

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
    Credits,
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
from sonic_studio.providers.sonic import SonicProvider

BASE = "http://127.0.0.1:8787"
CREATE = "/api/v1/sonic/create"
TASK = "/api/v1/sonic/task/"
SAMPLE = f"{BASE}/samples/night-drive.mp3"  # 96 s of synthesised song


class ManualClock:
    """The emulator's clock, moved by hand so clip timing is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def provider(asgi_client) -> SonicProvider:
    return SonicProvider(asgi_client, FAKE_KEY, base_url=BASE)


@pytest.fixture
def sonic(emulator):
    return emulator.state["sonic"]


@pytest.fixture
def instant(emulator):
    emulator.timing = Timing.instant()
    return emulator


@pytest.fixture
def clock(emulator) -> ManualClock:
    manual = ManualClock()
    emulator.clock = manual
    return manual


def lyrics_params(**changes) -> GenerationParams:
    base = dict(model="sonic-v5-5", custom_mode=True, lyrics="[Verse]\nNeon on the water", tags="synthwave", title="Neon")
    return GenerationParams(**{**base, **changes})


async def poll(provider: SonicProvider, task_id: str, timeout: float = 30.0):
    """Poll until finished; returns the final status and every status seen."""
    seen = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status = await provider.get_task(task_id)
        seen.append(status)
        if status.finished:
            return status, seen
        assert loop.time() < deadline, f"task still {status.state} after {timeout} s"
        await asyncio.sleep(0.03)


async def generated_clip(provider: SonicProvider) -> Clip:
    """A finished generated clip (use with the ``instant`` fixture)."""
    submitted = await provider.generate(GenerateRequest(lyrics_params()))
    status, _ = await poll(provider, submitted.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED
    return status.clips[0]


async def uploaded_clip(provider: SonicProvider) -> Clip:
    return await provider.upload_url(SAMPLE, duration=96.0, title="Night drive")


def inject(emulator, status: int, body, path: str = CREATE, retry_after: float | None = None) -> None:
    emulator.faults.inject(Fault("status", status=status, body=body, retry_after=retry_after), path)


def clip_json(clip_id: str = "c1", state: str = "succeeded", **extra) -> dict:
    return {"clip_id": clip_id, "state": state, "audio_url": f"{BASE}/cdn/{clip_id}.mp3", "duration": "104.88", **extra}


# ----------------------------------------------------------------------------- account


async def test_credits_are_read_top_level_or_inside_data(provider, emulator):
    emulator.credits["sonic"] = 321.0
    assert await provider.credits() == Credits(321.0, 0.0)
    rec = emulator.last("/api/v1/get-credits")
    assert (rec.method, rec.authorization) == ("GET", f"Bearer {FAKE_KEY}")

    inject(emulator, 200, {"code": 200, "data": {"credits": "12", "extra_credits": 3}}, "/api/v1/get-credits")
    assert await provider.credits() == Credits(12.0, 3.0)


# ----------------------------------------------------------------------------- upload


async def test_upload_url_sends_only_the_url_and_returns_an_uploaded_clip(provider, emulator, sonic):
    clip = await provider.upload_url(SAMPLE, duration=96.0, title="Night drive")

    assert emulator.last("/api/v1/sonic/upload").json == {"url": SAMPLE}
    assert clip.origin is Origin.UPLOADED and clip.provider is ProviderId.SONIC
    assert (clip.audio_url, clip.duration, clip.title) == (SAMPLE, 96.0, "Night drive")
    assert sonic.clips[clip.id].uploaded
    assert emulator.credits["sonic"] == 498.0  # upload costs 2


async def test_upload_problems_at_the_provider_map_to_clear_errors(provider, emulator):
    with pytest.raises(SourceUnreachableError):  # the emulator never fetches from the internet
        await provider.upload_url("https://example.com/song.mp3")
    with pytest.raises(SourceUnreachableError):
        await provider.upload_url(f"{BASE}/cdn/missing.mp3")
    junk = emulator.media.put(b"this is not audio at all" * 50, "audio/mpeg", "mp3")
    with pytest.raises(ValidationError, match="did not accept") as bad:
        await provider.upload_url(emulator.url(junk))
    assert "invalid audio" in bad.value.provider_message
    with pytest.raises(ValidationError) as too_long:  # 545 s: the provider's 8-minute limit
        await provider.upload_url(f"{BASE}/samples/long-take.mp3")
    assert "8 minutes" in too_long.value.provider_message
    assert emulator.credits["sonic"] == 500.0  # failed uploads cost nothing


@pytest.mark.parametrize(
    "url, duration",
    [("ftp://example.com/a.mp3", None), ("", None), ("https://", None), ("https://example.com/a.mp3", 481.0)],
)
async def test_bad_upload_input_is_refused_locally(provider, emulator, url, duration):
    with pytest.raises(ValidationError):
        await provider.upload_url(url, duration=duration)
    assert emulator.requests == []


# ----------------------------------------------------------------------------- create + poll


async def test_create_music_body_and_poll_to_success(provider, emulator):
    params = lyrics_params(model="sonic-v5", style_weight=0.7, weirdness=0.2, vocal_gender="f")
    submitted = await provider.generate(GenerateRequest(params))

    assert emulator.last(CREATE).json == {
        "task_type": "create_music",
        "mv": "sonic-v5",
        "custom_mode": True,
        "prompt": "[Verse]\nNeon on the water",
        "tags": "synthwave",
        "title": "Neon",
        "make_instrumental": False,
        "vocal_gender": "f",
        "style_weight": 0.7,
        "weirdness_constraint": 0.2,
        "use_suno_cdn": False,
    }
    status, seen = await poll(provider, submitted.task_id)

    assert seen[0].state is RemoteTaskState.PENDING and seen[0].provider_status == "not_ready"
    assert status.state is RemoteTaskState.SUCCEEDED and len(status.clips) == 2
    for clip in status.clips:
        assert clip.state is ClipState.SUCCEEDED and clip.source_task_id == submitted.task_id
        assert 95.0 <= clip.duration <= 150.0
        assert (clip.title, clip.tags, clip.lyrics, clip.model) == ("Neon", "synthwave", "[Verse]\nNeon on the water", "chirp-v5")
        assert clip.audio_url.startswith(f"{BASE}/cdn/") and clip.image_url.endswith(".png")
    assert len({c.id for c in status.clips}) == 2
    assert emulator.requests[-1].path == TASK + submitted.task_id
    assert emulator.credits["sonic"] == 485.0  # generate costs 15


async def test_clips_finish_at_different_times(provider, emulator, sonic, clock):
    timing = emulator.timing
    task_id = (await provider.generate(GenerateRequest(lyrics_params()))).task_id
    assert (await provider.get_task(task_id)).state is RemoteTaskState.PENDING  # not_ready: no clips yet

    clock.advance(timing.queue)
    queued = await provider.get_task(task_id)
    assert queued.state is RemoteTaskState.PENDING
    assert [c.state for c in queued.clips] == [ClipState.PENDING, ClipState.PENDING]

    await wait_until(lambda: sonic.renders_done(task_id))
    clock.advance(timing.first_clip - timing.queue + 0.01)
    half = await provider.get_task(task_id)
    assert half.state is RemoteTaskState.RUNNING
    assert [c.state for c in half.clips] == [ClipState.SUCCEEDED, ClipState.RUNNING]
    assert half.clips[0].audio_url and half.clips[1].audio_url is None and half.clips[1].duration is None

    clock.advance(timing.second_clip - timing.first_clip)
    done = await provider.get_task(task_id)
    assert done.state is RemoteTaskState.SUCCEEDED and all(c.audio_url for c in done.clips)


async def test_clip_audio_is_real_and_served_without_the_key(provider, asgi_client, instant):
    clip = await generated_clip(provider)
    response = await asgi_client.get(clip.audio_url)
    assert response.headers["content-type"] == "audio/mpeg"
    assert abs(len(synth.decode(response.content)) / synth.SR - clip.duration) < 0.2
    assert instant.requests[-1].authorization is None  # the adapter never talks to the CDN


async def test_description_mode_sends_gpt_description_prompt(provider, emulator, instant):
    params = GenerationParams(model="sonic-v6", custom_mode=False, description="a calm piano song about rain", instrumental=True)
    submitted = await provider.generate(GenerateRequest(params))

    assert emulator.last(CREATE).json == {
        "task_type": "create_music",
        "mv": "sonic-v6",
        "custom_mode": False,
        "gpt_description_prompt": "a calm piano song about rain",
        "make_instrumental": True,
        "use_suno_cdn": False,
    }
    status, _ = await poll(provider, submitted.task_id)
    assert status.clips[0].lyrics == "[Instrumental]" and status.clips[0].model == "chirp-v6"


# ----------------------------------------------------------------------------- extend / cover / concat


async def test_extend_generated_clip_then_concat_the_full_song(provider, emulator, instant):
    source = await generated_clip(provider)
    submitted = await provider.extend(ExtendRequest(source, 42.5, lyrics_params(lyrics="[Bridge]\nStill driving")))

    assert emulator.last(CREATE).json == {
        "task_type": "extend_music",
        "continue_clip_id": source.id,
        "continue_at": 42.5,
        "mv": "sonic-v5-5",
        "custom_mode": True,
        "prompt": "[Bridge]\nStill driving",
        "tags": "synthwave",
        "title": "Neon",
        "make_instrumental": False,
        "use_suno_cdn": False,
    }
    extension = (await poll(provider, submitted.task_id))[0].clips[0]

    concat = await provider.concat(extension.id)
    assert emulator.last(CREATE).json == {"task_type": "concat_music", "continue_clip_id": extension.id, "use_suno_cdn": False}
    status, _ = await poll(provider, concat.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED and len(status.clips) == 1
    assert status.clips[0].duration == pytest.approx(42.5 + extension.duration, abs=0.2)
    assert emulator.credits["sonic"] == 500 - 15 - 15 - 2


async def test_uploaded_clips_use_the_upload_task_types(provider, emulator, instant):
    upload = await uploaded_clip(provider)
    await provider.extend(ExtendRequest(upload, 0.1, lyrics_params()))
    assert emulator.last(CREATE).json["task_type"] == "extend_upload_music"
    assert emulator.last(CREATE).json["continue_at"] == 0.1

    submitted = await provider.cover(CoverRequest(upload, lyrics_params(tags="jazz, acoustic", audio_weight=0.6)))
    assert emulator.last(CREATE).json == {
        "task_type": "cover_upload_music",
        "continue_clip_id": upload.id,
        "mv": "sonic-v5-5",
        "custom_mode": True,
        "prompt": "[Verse]\nNeon on the water",
        "tags": "jazz, acoustic",
        "title": "Neon",
        "make_instrumental": False,
        "audio_weight": 0.6,
        "use_suno_cdn": False,
    }
    status, _ = await poll(provider, submitted.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED
    assert status.clips[0].duration == pytest.approx(96.0, abs=0.2)  # a cover keeps the source length


async def test_cover_of_a_generated_clip_uses_cover_music(provider, emulator, instant):
    source = await generated_clip(provider)
    await provider.cover(CoverRequest(source, lyrics_params(audio_weight=0.3)))
    body = emulator.last(CREATE).json
    assert (body["task_type"], body["continue_clip_id"], body["audio_weight"]) == ("cover_music", source.id, 0.3)


async def test_provider_refuses_the_wrong_task_type_for_a_clip(provider, emulator, instant):
    upload = await uploaded_clip(provider)
    mislabelled = upload.with_(origin=Origin.GENERATED)  # e.g. a corrupted library row
    with pytest.raises(ValidationError) as err:
        await provider.extend(ExtendRequest(mislabelled, 10.0, lyrics_params()))
    assert "extend_upload_music" in err.value.provider_message
    assert emulator.credits["sonic"] == 498.0  # only the upload was charged


# ----------------------------------------------------------------------------- one-stop


async def test_upload_extend_with_auto_concat_waits_for_the_full_songs(provider, emulator, sonic, clock):
    timing = emulator.timing
    request = UploadExtendRequest(SAMPLE, 30.0, lyrics_params(), auto_concat=True)
    submitted = await provider.upload_extend(request)

    assert emulator.last("/api/v1/sonic/upload-extend").json == {
        "url": SAMPLE,
        "continue_at": 30.0,
        "auto_concat": True,
        "mv": "sonic-v5-5",
        "custom_mode": True,
        "prompt": "[Verse]\nNeon on the water",
        "tags": "synthwave",
        "title": "Neon",
        "make_instrumental": False,
    }
    uploaded = submitted.uploaded_clip
    assert uploaded.origin is Origin.UPLOADED and sonic.clips[uploaded.id].uploaded
    assert (uploaded.audio_url, uploaded.duration) == (SAMPLE, pytest.approx(96.0, abs=0.2))

    await wait_until(lambda: sonic.renders_done(submitted.task_id), timeout=30)
    clock.advance(timing.second_clip + 0.01)  # extensions done, concat still running
    waiting = await provider.get_task(submitted.task_id)
    assert waiting.state is RemoteTaskState.RUNNING
    assert [c.state for c in waiting.clips] == [ClipState.SUCCEEDED, ClipState.SUCCEEDED]

    clock.advance(timing.concat)
    done = await provider.get_task(submitted.task_id)
    assert done.state is RemoteTaskState.SUCCEEDED and len(done.clips) == 4
    extended, full = done.clips[0], done.clips[1]
    assert full.full_song_of == extended.id and extended.full_song_of is None
    assert full.duration == pytest.approx(30.0 + extended.duration, abs=0.2)
    assert emulator.credits["sonic"] == 500 - 17


async def test_upload_cover_body_and_result(provider, emulator, instant):
    params = GenerationParams(model="sonic-v4-5", custom_mode=True, lyrics="[Verse]\nCover lyrics", tags="jazz", audio_weight=0.5)
    submitted = await provider.upload_cover(UploadCoverRequest(SAMPLE, params))

    assert emulator.last("/api/v1/sonic/upload-cover").json == {
        "url": SAMPLE,
        "mv": "sonic-v4-5",
        "custom_mode": True,
        "prompt": "[Verse]\nCover lyrics",
        "tags": "jazz",
        "make_instrumental": False,
        "audio_weight": 0.5,
    }
    assert submitted.uploaded_clip is not None
    status, _ = await poll(provider, submitted.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED and len(status.clips) == 2
    assert emulator.credits["sonic"] == 500 - 17  # cover 15 (docs) + upload 2


# ----------------------------------------------------------------------------- persona


@pytest.fixture
def persona_on(provider, sonic, monkeypatch):
    """The provider lists personas as Unavailable; these tests exercise the wire format
    for the day it comes back (client capability and emulator switched on together)."""
    caps = provider.capabilities
    window = dataclasses.replace(caps.persona_window, needs_vox=False)
    monkeypatch.setattr(provider, "capabilities", dataclasses.replace(caps, persona_create_available=True, persona_window=window))
    sonic.persona_available = True


async def test_persona_from_upload_then_generate_with_it(provider, emulator, instant, persona_on):
    upload = await uploaded_clip(provider)
    persona = await provider.create_persona(
        PersonaRequest(upload, "Night voice", "Warm, breathy alto", styles="synthwave, pop")
    )
    assert emulator.last("/api/v1/sonic/persona").json == {
        "name": "Night voice",
        "clip_id": upload.id,
        "describe": "Warm, breathy alto",
        "styles": "synthwave, pop",
    }
    assert persona.id.startswith("persona-") and persona.source_clip_id == upload.id
    assert persona.provider is ProviderId.SONIC

    submitted = await provider.generate(GenerateRequest(lyrics_params(persona_id=persona.id)))
    assert emulator.last(CREATE).json == {
        "task_type": "persona_music",
        "persona_id": persona.id,
        "mv": "sonic-v5-5",
        "custom_mode": True,
        "prompt": "[Verse]\nNeon on the water",
        "tags": "synthwave",
        "title": "Neon",
        "make_instrumental": False,
        "use_suno_cdn": False,
    }
    assert (await poll(provider, submitted.task_id))[0].state is RemoteTaskState.SUCCEEDED


async def test_second_persona_for_a_clip_is_a_conflict_naming_the_first(provider, emulator, instant, persona_on):
    clip = await generated_clip(provider)
    first = await provider.create_persona(PersonaRequest(clip, "A", "Bright tenor"))
    assert emulator.last("/api/v1/sonic/persona").json == {
        "name": "A", "clip_id": clip.id, "describe": "Bright tenor", "styles": "",
    }
    with pytest.raises(ConflictError) as err:
        await provider.create_persona(PersonaRequest(clip, "B", "Bright tenor"))
    assert err.value.existing_id == first.id and err.value.http_status == 409


async def test_persona_refused_while_the_task_runs(provider, emulator, sonic, clock, persona_on):
    task_id = (await provider.generate(GenerateRequest(lyrics_params()))).task_id
    clock.advance(emulator.timing.queue)
    running = (await provider.get_task(task_id)).clips[0]
    with pytest.raises(ValidationError) as err:
        await provider.create_persona(PersonaRequest(running, "Early", "Too soon"))
    assert "not finished" in err.value.provider_message
    assert emulator.credits["sonic"] == 485.0  # refused personas cost nothing


# ----------------------------------------------------------------------------- wav


async def test_wav_returns_a_real_wav_file(provider, emulator, asgi_client, instant):
    clip = await generated_clip(provider)
    url = await provider.wav(clip.id)
    assert emulator.last("/api/v1/sonic/wav").json == {"clip_id": clip.id}
    response = await asgi_client.get(url)
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE"


# ----------------------------------------------------------------------------- reading task replies


async def test_not_ready_as_http_200_and_as_202(provider, emulator, sonic, clock):
    task_id = (await provider.generate(GenerateRequest(lyrics_params()))).task_id
    assert (await provider.get_task(task_id)).state is RemoteTaskState.PENDING
    sonic.not_ready_status = 202
    status = await provider.get_task(task_id)
    assert (status.state, status.clips, status.provider_status) == (RemoteTaskState.PENDING, [], "not_ready")
    inject(emulator, 202, "task not ready", TASK)  # any body: 202 alone means "not yet"
    assert (await provider.get_task(task_id)).state is RemoteTaskState.PENDING
    inject(emulator, 200, {"code": 200, "message": "success"}, TASK)  # no data at all
    assert (await provider.get_task(task_id)).state is RemoteTaskState.PENDING


@pytest.mark.parametrize("duration, expected", [("104.88", 104.88), (104.5, 104.5), (180, 180.0), ("n/a", None), (None, None)])
async def test_duration_as_string_or_number(provider, emulator, duration, expected):
    inject(emulator, 200, {"data": [clip_json(duration=duration)]}, TASK)
    status = await provider.get_task("t1")
    assert status.clips[0].duration == expected


async def test_unknown_clip_state_is_not_finished(provider, emulator):
    inject(emulator, 200, {"data": [clip_json("a"), clip_json("b", state="mastering")]}, TASK)
    status = await provider.get_task("t1")
    assert status.state is RemoteTaskState.RUNNING and not status.finished
    assert status.clips[1].state is ClipState.RUNNING and status.clips[1].stream_url


async def test_one_failed_clip_makes_the_task_partial(provider, emulator, sonic, instant):
    task_id = (await provider.generate(GenerateRequest(lyrics_params()))).task_id
    second = sonic.tasks[task_id].clips[1]
    sonic.fail_clip(second, "Upstream render crashed.")

    status, _ = await poll(provider, task_id)
    assert status.state is RemoteTaskState.PARTIAL and status.error is None
    assert [c.state for c in status.clips] == [ClipState.SUCCEEDED, ClipState.FAILED]
    assert status.clips[1].error == "Upstream render crashed."


async def test_all_clips_failed_makes_the_task_failed(provider, emulator, sonic, instant):
    task_id = (await provider.generate(GenerateRequest(lyrics_params()))).task_id
    for clip_id in sonic.tasks[task_id].clips:
        sonic.fail_clip(clip_id, "Content policy.")
    status, _ = await poll(provider, task_id)
    assert status.state is RemoteTaskState.FAILED
    assert isinstance(status.error, ServerError) and status.error.provider_message == "Content policy."


async def test_pairs_finish_only_when_each_full_is_there_or_failed(provider, emulator):
    ok = {"extended": clip_json("e1"), "full": clip_json("f1")}
    waiting = {"extended": clip_json("e2"), "full": None}
    failed = {"extended": clip_json("e3", state="failed", error_message="boom"), "full": None}
    full_failed = {"extended": clip_json("e4"), "full": clip_json("f4", state="failed")}

    inject(emulator, 200, {"data": [ok, waiting]}, TASK)
    assert (await provider.get_task("t")).state is RemoteTaskState.RUNNING
    inject(emulator, 200, {"data": [ok, failed]}, TASK)
    status = await provider.get_task("t")
    assert status.state is RemoteTaskState.PARTIAL and status.clips[2].error == "boom"
    inject(emulator, 200, {"data": [full_failed, failed]}, TASK)
    assert (await provider.get_task("t")).state is RemoteTaskState.FAILED
    inject(emulator, 200, {"data": [ok]}, TASK)
    assert [c.full_song_of for c in (await provider.get_task("t")).clips] == [None, "e1"]


@pytest.mark.parametrize(
    "body",
    [
        {"data": "soon"},
        {"data": [{"state": "succeeded"}]},  # no clip_id
        {"data": [["not", "a", "clip"]]},
        {"data": [{"extended": "x", "full": None}]},
    ],
)
async def test_unreadable_task_replies_are_malformed(provider, emulator, body):
    inject(emulator, 200, body, TASK)
    with pytest.raises(MalformedResponseError):
        await provider.get_task("t1")


async def test_odd_clip_fields_never_crash(provider, emulator):
    item = {"clip_id": "x", "state": 7, "title": None, "tags": ["a"], "audio_url": 5, "image_url": {}, "mv": None}
    inject(emulator, 200, {"data": [item]}, TASK)
    clip = (await provider.get_task("t1")).clips[0]
    assert (clip.state, clip.title, clip.audio_url, clip.image_url, clip.model) == (ClipState.RUNNING, "", None, None, None)


# ----------------------------------------------------------------------------- errors


ERROR_TABLE = [
    (400, {"code": 400, "message": "invalid mv"}, ValidationError),
    (400, {"message": "source URL not accessible"}, SourceUnreachableError),
    (400, {"detail": [{"msg": "persona not found."}]}, NotFoundError),
    (401, {"message": "Invalid authorization format."}, AuthError),
    (402, {"error": "insufficient credits"}, InsufficientCreditsError),
    (403, {"message": "remaining credits are not enough"}, InsufficientCreditsError),
    (403, {"message": "no active subscription"}, InsufficientCreditsError),
    (403, {"detail": "Lyrics contain copyrighted or inappropriate content"}, ValidationError),
    (404, {"message": "Not found"}, NotFoundError),
    (410, {"message": "This endpoint has been retired"}, NotFoundError),
    (422, {"detail": "booleans expected"}, ValidationError),
    (451, {"message": "could not fetch music data"}, SourceUnreachableError),
    (455, {"message": "maintenance"}, MaintenanceError),
    (500, {"message": "internal error"}, ServerError),
    (502, {"message": "upstream error"}, ServerError),
    (503, "Service Unavailable", ServerError),
    (418, {"message": "teapot"}, ServerError),
]


@pytest.mark.parametrize("status, body, expected", ERROR_TABLE)
async def test_every_documented_status_maps_to_the_taxonomy(provider, emulator, status, body, expected):
    inject(emulator, status, body)
    with pytest.raises(expected) as err:
        await provider.generate(GenerateRequest(lyrics_params()))
    assert type(err.value) is expected
    assert err.value.http_status == status and err.value.provider == "sonic"
    assert err.value.provider_message  # the provider's words are kept for the details view
    assert str(err.value)[0].isupper() and "{" not in str(err.value)


async def test_task_not_found_is_not_found(provider, emulator):
    with pytest.raises(NotFoundError, match="task") as err:
        await provider.get_task("no-such-task")
    assert err.value.provider_message == "task not found."


async def test_conflict_carries_the_existing_id(provider, emulator, persona_on):
    inject(emulator, 409, {"message": "exists", "persona_id": "persona-7"}, "/api/v1/sonic/persona")
    clip = Clip("c1", ProviderId.SONIC, duration=120.0)
    with pytest.raises(ConflictError) as err:
        await provider.create_persona(PersonaRequest(clip, "A", "Voice"))
    assert err.value.existing_id == "persona-7"


async def test_rate_limit_reads_retry_after(provider, emulator):
    inject(emulator, 429, {"message": "too many requests"}, retry_after=7)
    with pytest.raises(RateLimitedError) as err:
        await provider.generate(GenerateRequest(lyrics_params()))
    assert err.value.retry_after == 7.0 and err.value.transient


async def test_timeout_504_says_credits_were_refunded(provider, emulator):
    inject(emulator, 504, {"message": "Task failed due to timeout. Credits were previously refunded."})
    with pytest.raises(ServerError, match="refunded"):
        await provider.generate(GenerateRequest(lyrics_params()))


async def test_error_code_inside_an_http_200_body_is_an_error(provider, emulator):
    inject(emulator, 200, {"code": 403, "message": "remaining credits are not enough"})
    with pytest.raises(InsufficientCreditsError) as err:
        await provider.generate(GenerateRequest(lyrics_params()))
    assert (err.value.http_status, err.value.code) == (200, 403)


async def test_running_out_of_credits_at_the_emulator(provider, emulator):
    emulator.credits["sonic"] = 10.0
    with pytest.raises(InsufficientCreditsError) as err:
        await provider.generate(GenerateRequest(lyrics_params()))
    assert "remaining credits are not enough" in err.value.provider_message
    assert emulator.credits["sonic"] == 10.0


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
async def test_malformed_and_truncated_json(provider, emulator, kind):
    emulator.faults.inject(Fault(kind), CREATE)
    with pytest.raises(MalformedResponseError):
        await provider.generate(GenerateRequest(lyrics_params()))


@pytest.mark.parametrize("body", [[1, 2], {"message": "success"}, {"task_id": 42}])
async def test_submit_reply_without_a_task_id_is_malformed(provider, emulator, body):
    inject(emulator, 200, body)
    with pytest.raises(MalformedResponseError):
        await provider.generate(GenerateRequest(lyrics_params()))


async def test_dropped_connection_is_a_network_error(provider, emulator):
    emulator.faults.inject(Fault("drop"), TASK)
    with pytest.raises(NetworkError):
        await provider.get_task("t1")


async def test_real_socket_drop_and_cut_are_network_errors(emulator, emulator_server):
    async with httpx.AsyncClient() as client:
        provider = SonicProvider(client, FAKE_KEY, base_url=emulator_server.base_url)
        assert (await provider.credits()).credits == 500.0
        emulator.faults.inject(Fault("drop"), "/api/v1/get-credits")
        with pytest.raises(NetworkError):
            await provider.credits()
        emulator.faults.inject(Fault("cut"), "/api/v1/get-credits")
        with pytest.raises(NetworkError):
            await provider.credits()
        clip = await provider.upload_url(emulator_server.base_url + "/samples/rain-on-glass.mp3")
        assert clip.id in emulator.state["sonic"].clips


async def test_upload_and_one_stop_calls_allow_for_slow_answers():
    """The provider fetches the file before answering (30-60 s), so these wait longer."""
    read_timeouts = {}

    def answer(request: httpx.Request) -> httpx.Response:
        read_timeouts[request.url.path] = request.extensions["timeout"]["read"]
        return httpx.Response(200, json={"code": 200, "message": "success", "clip_id": "c1", "task_id": "t1"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        provider = SonicProvider(client, FAKE_KEY, base_url=BASE)
        await provider.upload_url(SAMPLE)
        await provider.upload_extend(UploadExtendRequest(SAMPLE, 10.0, lyrics_params()))
        await provider.upload_cover(UploadCoverRequest(SAMPLE, lyrics_params()))
        await provider.generate(GenerateRequest(lyrics_params()))
    slow = {path: t for path, t in read_timeouts.items() if t > 60}
    assert sorted(slow) == ["/api/v1/sonic/upload", "/api/v1/sonic/upload-cover", "/api/v1/sonic/upload-extend"]
    assert read_timeouts[CREATE] <= 60


# ----------------------------------------------------------------------------- keys and base URLs


async def test_wrong_key_is_an_auth_error_and_no_key_leaks(asgi_client, emulator):
    wrong = "sk-live-WRONG-999999999"
    provider = SonicProvider(asgi_client, wrong, base_url=BASE)
    with pytest.raises(AuthError) as err:
        await provider.credits()
    assert err.value.provider_message == "Invalid API key."
    texts = [str(err.value), repr(err.value), err.value.details(), str(err.value.to_dict()), repr(provider)]
    assert not any(wrong in text for text in texts)


async def test_a_key_echoed_by_the_server_is_hidden(provider, emulator):
    inject(emulator, 401, {"message": f"key {FAKE_KEY} is not valid"})
    with pytest.raises(AuthError) as err:
        await provider.generate(GenerateRequest(lyrics_params()))
    assert FAKE_KEY not in err.value.details() and "[redacted]" in err.value.provider_message


async def test_missing_auth_header_is_reported_by_the_emulator(asgi_client, emulator):
    response = await asgi_client.get(f"{BASE}/api/v1/get-credits")
    assert (response.status_code, response.json()["message"]) == (401, "Authorization header is missing.")
    response = await asgi_client.get(f"{BASE}/api/v1/get-credits", headers={"Authorization": FAKE_KEY})
    assert response.json()["message"] == "Invalid authorization format."


def test_plain_http_base_url_is_refused_unless_loopback():
    client = httpx.AsyncClient()
    with pytest.raises(ValidationError, match="unencrypted"):
        SonicProvider(client, FAKE_KEY, base_url="http://api.aimusicapi.ai")
    assert SonicProvider(client, FAKE_KEY).base_url == "https://api.aimusicapi.ai"
    assert isinstance(make_provider("sonic", client, FAKE_KEY, base_url="http://localhost:9"), SonicProvider)


# ----------------------------------------------------------------------------- local validation


GENERATED = Clip("gen-1", ProviderId.SONIC, origin=Origin.GENERATED, duration=120.0, source_task_id="t")
FOREIGN = Clip("suno-1", ProviderId.SUNOAPI, duration=120.0, source_task_id="t")

# The wire shape and personas; generation parameters are judged by the services
# (tests/test_request_problems.py).
LOCAL_REJECTIONS = [
    ("extend", ExtendRequest(FOREIGN, 10.0, lyrics_params())),
    ("upload_extend", UploadExtendRequest("file:///home/me/a.mp3", 10.0, lyrics_params())),
    ("create_persona", PersonaRequest(GENERATED, "P", "Voice", vocal_start=40.0, vocal_end=75.0)),  # > 30 s
    ("create_persona", PersonaRequest(GENERATED, "P", "Voice", vocal_start=50.0, vocal_end=50.0)),
    ("create_persona", PersonaRequest(GENERATED, "P", "Voice", vocal_start=110.0, vocal_end=125.0)),  # past the end
    ("create_persona", PersonaRequest(GENERATED, "", "Voice")),
    ("create_persona", PersonaRequest(FOREIGN, "P", "Voice")),
    ("concat", ""),
    ("wav", ""),
    ("get_task", ""),
]


@pytest.mark.parametrize("method, request_", LOCAL_REJECTIONS)
async def test_invalid_input_is_refused_before_anything_is_sent(provider, emulator, method, request_):
    with pytest.raises(ValidationError) as err:
        await getattr(provider, method)(request_)
    assert emulator.requests == []
    assert err.value.field and str(err.value)

