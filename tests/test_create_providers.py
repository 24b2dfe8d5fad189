"""The Create tab's requests on the wire, per provider: exact bodies for every mode, and the helpers.

A song from a description, from lyrics + style + title, instrumental, with a vocal gender
(only where the model takes one), excluded styles, weights and a persona; "Write lyrics
for me" (sonic Make Lyrics, sunoapi.org generate-lyrics + its record-info) and "Boost
style" (sonic upsample-tags, sunoapi.org style/generate).  Each request is sent through
the adapter to the emulator and compared field by field with the contract; bad input
is refused before anything is sent.
"""

from __future__ import annotations

import pytest

from sonic_studio.core.capabilities import capabilities
from sonic_studio.core.errors import ServerError, ValidationError
from sonic_studio.core.models import GenerateRequest, GenerationParams, ProviderId, RemoteTaskState, TaskKind
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.providers.sonic import SonicProvider
from sonic_studio.providers.sunoapi import CALLBACK_URL, SunoApiProvider
from sonic_studio.services.eligibility import request_problems
from tests.conftest import FAKE_KEY
from tests.support import wait_until

BASE = "http://127.0.0.1:8787"
LYRICS = "[Verse]\nHeadlights on the wet road\n[Chorus]\nDrive, drive, into the night"


@pytest.fixture
def instant(emulator):
    emulator.timing = Timing.instant()
    return emulator


@pytest.fixture
def sonic(asgi_client) -> SonicProvider:
    return SonicProvider(asgi_client, FAKE_KEY, base_url=BASE)


@pytest.fixture
def suno(asgi_client) -> SunoApiProvider:
    return SunoApiProvider(asgi_client, FAKE_KEY, base_url=BASE, upload_base_url=BASE)


def sent(emulator, path: str) -> dict:
    record = emulator.last(path)
    assert record.authorization == f"Bearer {FAKE_KEY}"
    return record.json


# ---------------------------------------------------------------------- AI Music API create_music

SONIC_CASES = {
    "description": (
        GenerationParams(model="sonic-v5", custom_mode=False, description="a calm song about rain",
                         negative_tags="metal", vocal_gender="f"),
        {"task_type": "create_music", "mv": "sonic-v5", "custom_mode": False,
         "gpt_description_prompt": "a calm song about rain", "negative_tags": "metal",
         "make_instrumental": False, "vocal_gender": "f", "use_suno_cdn": False},
    ),
    "custom": (
        GenerationParams(model="sonic-v4-5-plus", lyrics=LYRICS, tags="synthwave", title="Night Drive",
                         vocal_gender="m", style_weight=0.7, weirdness=0.25),
        {"task_type": "create_music", "mv": "sonic-v4-5-plus", "custom_mode": True, "prompt": LYRICS,
         "tags": "synthwave", "title": "Night Drive", "make_instrumental": False, "vocal_gender": "m",
         "style_weight": 0.7, "weirdness_constraint": 0.25, "use_suno_cdn": False},
    ),
    "instrumental": (
        GenerationParams(model="sonic-v5-5", tags="lo-fi, piano", title="Rain", instrumental=True,
                         negative_tags="vocals"),
        {"task_type": "create_music", "mv": "sonic-v5-5", "custom_mode": True, "tags": "lo-fi, piano",
         "title": "Rain", "negative_tags": "vocals", "make_instrumental": True, "use_suno_cdn": False},
    ),
}


@pytest.mark.parametrize("case", sorted(SONIC_CASES))
async def test_sonic_create_music_bodies(sonic, instant, case):
    params, expected = SONIC_CASES[case]
    result = await sonic.generate(GenerateRequest(params))
    assert sent(instant, "/api/v1/sonic/create") == expected
    await wait_until(lambda: instant.state["sonic"].renders_done(result.task_id), timeout=60)
    status = await sonic.get_task(result.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED and len(status.clips) == 2


def test_sonic_vocal_gender_only_for_models_that_list_it():
    # The one parameter judge (services.eligibility): the window, the CLI and TaskService refuse with it.
    params = GenerationParams(model="sonic-v5-5", custom_mode=False, description="rain", vocal_gender="f")
    problems = request_problems(capabilities(ProviderId.SONIC), TaskKind.GENERATE, params)
    assert [p.field for p in problems] == ["vocal_gender"] and "Sonic v4.5" in problems[0].message


# ---------------------------------------------------------------------- sunoapi.org /generate

SUNO_CASES = {
    "description": (
        GenerationParams(model="V4_5", custom_mode=False, description="a calm song about rain",
                         negative_tags="metal", style_weight=0.5),
        {"customMode": False, "instrumental": False, "model": "V4_5", "callBackUrl": CALLBACK_URL,
         "prompt": "a calm song about rain", "negativeTags": "metal", "styleWeight": 0.5},
    ),
    "custom": (
        GenerationParams(model="V5_5", lyrics=LYRICS, tags="synth-pop", title="Night Drive", vocal_gender="m",
                         weirdness=0.333, negative_tags="heavy metal"),
        {"customMode": True, "instrumental": False, "model": "V5_5", "callBackUrl": CALLBACK_URL,
         "prompt": LYRICS, "style": "synth-pop", "title": "Night Drive", "negativeTags": "heavy metal",
         "vocalGender": "m", "weirdnessConstraint": 0.33},
    ),
    "instrumental": (
        GenerationParams(model="V4", tags="ambient", title="Fog", instrumental=True),
        {"customMode": True, "instrumental": True, "model": "V4", "callBackUrl": CALLBACK_URL,
         "style": "ambient", "title": "Fog"},
    ),
}


@pytest.mark.parametrize("case", sorted(SUNO_CASES))
async def test_sunoapi_generate_bodies(suno, instant, case):
    params, expected = SUNO_CASES[case]
    result = await suno.generate(GenerateRequest(params))
    assert sent(instant, "/api/v1/generate") == expected
    status = await suno.get_task(result.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED and len(status.clips) == 2


def test_sunoapi_title_over_80_is_refused_on_generate_for_every_model():
    params = GenerationParams(model="V5", lyrics=LYRICS, tags="pop", title="x" * 81)
    problems = request_problems(capabilities(ProviderId.SUNOAPI), TaskKind.GENERATE, params)
    assert [p.field for p in problems] == ["title"] and "80" in problems[0].message


# ---------------------------------------------------------------------- Write lyrics for me


async def test_sonic_write_lyrics_is_one_synchronous_call(sonic, instant):
    before = instant.credits["sonic"]
    result = await sonic.write_lyrics("  a road trip at dawn ")
    assert sent(instant, "/api/v1/sonic/lyrics") == {"description": "a road trip at dawn"}
    assert result.state is RemoteTaskState.SUCCEEDED and len(result.drafts) == 2
    assert "[Verse]" in result.drafts[0].text and result.drafts[0].title
    assert instant.credits["sonic"] == before - 2


async def test_sunoapi_write_lyrics_is_polled_until_its_drafts_arrive(suno, emulator):
    now = [100.0]
    emulator.clock = lambda: now[0]
    emulator.timing = Timing(queue=1.0)
    started = await suno.write_lyrics("a road trip at dawn")
    assert sent(emulator, "/api/v1/lyrics") == {"prompt": "a road trip at dawn", "callBackUrl": CALLBACK_URL}
    assert started.state is RemoteTaskState.PENDING and started.task_id
    pending = await suno.lyrics_status(started.task_id)
    assert emulator.last("/api/v1/lyrics/record-info").query == {"taskId": started.task_id}
    assert pending.state is RemoteTaskState.PENDING and pending.drafts == []
    now[0] += 2
    done = await suno.lyrics_status(started.task_id)
    assert done.state is RemoteTaskState.SUCCEEDED and len(done.drafts) == 2
    assert "[Chorus]" in done.drafts[1].text


async def test_sunoapi_lyrics_refused_for_sensitive_words_says_so(suno, instant):
    instant.state["sunoapi"].next_outcome = "SENSITIVE_WORD_ERROR"
    started = await suno.write_lyrics("something rude")
    result = await suno.lyrics_status(started.task_id)
    assert result.state is RemoteTaskState.FAILED
    assert isinstance(result.error, ValidationError) and "words it does not allow" in str(result.error)


def adapter(name: str, client) -> SonicProvider | SunoApiProvider:
    return SonicProvider(client, FAKE_KEY, base_url=BASE) if name == "sonic" else \
        SunoApiProvider(client, FAKE_KEY, base_url=BASE, upload_base_url=BASE)


@pytest.mark.parametrize("provider_name", ["sonic", "suno"])
async def test_lyrics_prompt_is_checked_before_sending(asgi_client, instant, provider_name):
    provider = adapter(provider_name, asgi_client)
    with pytest.raises(ValidationError) as info:
        await provider.write_lyrics("   ")
    assert info.value.field == "lyrics_prompt"
    assert instant.requests == []


async def test_sunoapi_lyrics_prompt_over_200_words_is_refused_locally(suno, instant):
    with pytest.raises(ValidationError) as info:
        await suno.write_lyrics("word " * 201)
    assert "201 words" in str(info.value) and "200" in str(info.value)
    assert instant.requests == []


# ---------------------------------------------------------------------- Boost style


async def test_sonic_boost_style_body_and_result(sonic, instant):
    boosted = await sonic.boost_style("synthwave, night")
    assert sent(instant, "/api/v1/sonic/upsample-tags") == {"tags": "synthwave, night"}
    assert boosted.startswith("synthwave, night, ") and len(boosted) > len("synthwave, night")


async def test_sunoapi_boost_style_body_and_result(suno, instant):
    boosted = await suno.boost_style("lo-fi")
    assert sent(instant, "/api/v1/style/generate") == {"content": "lo-fi"}
    assert boosted.startswith("lo-fi, ")


async def test_sunoapi_boost_style_failure_flag_is_a_server_error(suno, instant):
    body = {"code": 200, "msg": "success", "data": {"taskId": "t", "result": "", "successFlag": "FAILED",
                                                    "errorMessage": "busy"}}
    instant.faults.inject(Fault("status", status=200, body=body), "/api/v1/style/generate")
    with pytest.raises(ServerError) as info:
        await suno.boost_style("lo-fi")
    assert "could not boost" in str(info.value)


@pytest.mark.parametrize("provider_name", ["sonic", "suno"])
async def test_empty_style_is_not_boosted(asgi_client, instant, provider_name):
    provider = adapter(provider_name, asgi_client)
    with pytest.raises(ValidationError) as info:
        await provider.boost_style("  ")
    assert info.value.field == "tags"
    assert instant.requests == []


# ---------------------------------------------------------------------- golden replies of the helpers
# Kept here, beside the helpers' wire tests; test_provider_golden's inventory counts them via GOLDEN_USED.

GOLDEN_USED = {("sonic", "lyrics-success"), ("sonic", "upsample-tags-success"), ("sunoapi", "lyrics-success"),
               ("sunoapi", "lyrics-record-info-success"), ("sunoapi", "lyrics-record-info-pending"),
               ("sunoapi", "style-generate-success")}


async def test_golden_sonic_lyrics_and_upsample(sonic, emulator):
    from tests.test_provider_golden import golden

    for name, path in (("lyrics-success", "/api/v1/sonic/lyrics"), ("upsample-tags-success", "/api/v1/sonic/upsample-tags")):
        status, body = golden("sonic", name)
        emulator.faults.inject(Fault("status", status=status, body=body), path)
    result = await sonic.write_lyrics("a song about sky")
    assert [d.title for d in result.drafts] == ["Whisper of Shadows", "Midnight Shadows"]
    assert result.drafts[0].text.startswith("[Verse]\nIn the alley")
    assert await sonic.boost_style("synthwave") == "dreamy synthwave, warm analog pads, gated reverb drums, nostalgic 80s lead"


async def test_golden_sunoapi_lyrics_and_style(suno, emulator):
    from tests.test_provider_golden import golden

    for name, path in (("lyrics-success", "/api/v1/lyrics"), ("style-generate-success", "/api/v1/style/generate")):
        status, body = golden("sunoapi", name)
        emulator.faults.inject(Fault("status", status=status, body=body), path)
    started = await suno.write_lyrics("A song about peaceful night in the city")
    assert started.task_id == "11dc****8b0f"
    for name, state, drafts in (("lyrics-record-info-pending", RemoteTaskState.PENDING, 0),
                                ("lyrics-record-info-success", RemoteTaskState.SUCCEEDED, 1)):
        status, body = golden("sunoapi", name)
        emulator.faults.inject(Fault("status", status=status, body=body), "/api/v1/lyrics/record-info")
        result = await suno.lyrics_status(started.task_id)
        assert result.state is state and len(result.drafts) == drafts
    assert result.drafts[0].title == "Iron Man" and result.drafts[0].text.startswith("[Verse]")
    assert (await suno.boost_style("lo-fi")).startswith("lo-fi hip hop, dusty vinyl")
