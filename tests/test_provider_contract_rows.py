"""One test per row of issue 15's table: readings corrected from the providers' own docs.

Each test drives the adapter against the emulator (which enforces the documented rule
from its own ``provider_data.json``) or against a reply shaped like the docs' example,
and checks what a user would notice: the request the provider receives, the sentence a
refusal shows, the audio that comes back.  Every one of them failed on the code before
the correction.  The readings are recorded in docs/contract-readings-*.md.
"""

from __future__ import annotations

import dataclasses

import pytest
from support import finished

from sonic_studio.core.capabilities import capabilities
from sonic_studio.core.errors import ServerError, ValidationError
from sonic_studio.core.models import (
    Clip,
    ExtendRequest,
    GenerateRequest,
    GenerationParams,
    PersonaRequest,
    ProviderId,
    RemoteTaskState,
    TaskKind,
    UploadCoverRequest,
)
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.providers.sonic import SonicProvider
from sonic_studio.providers.sunoapi import SunoApiProvider
from sonic_studio.services.eligibility import request_problems
from tests.conftest import FAKE_KEY

BASE = "http://127.0.0.1:8787"
SAMPLE = BASE + "/samples/night-drive.mp3"
RECORD = "/api/v1/generate/record-info"
LYRICS = "[Verse]\nHeadlights on the wet road"


@pytest.fixture
def instant(emulator):
    emulator.timing = Timing.instant()
    return emulator


@pytest.fixture
def suno(asgi_client) -> SunoApiProvider:
    return SunoApiProvider(asgi_client, FAKE_KEY, base_url=BASE, upload_base_url="http://localhost:8787")


@pytest.fixture
def sonic(asgi_client) -> SonicProvider:
    return SonicProvider(asgi_client, FAKE_KEY, base_url=BASE)


def custom(**changes) -> GenerationParams:
    base = {"model": "V5", "lyrics": LYRICS, "tags": "synth-pop", "title": "Night Drive"}
    return GenerationParams(**{**base, **changes})


def sonic_params(**changes) -> GenerationParams:
    base = {"model": "sonic-v5-5", "lyrics": LYRICS, "tags": "synthwave", "title": "Neon"}
    return GenerationParams(**{**base, **changes})


def sent(emulator, path: str) -> list[dict]:
    return [r.json for r in emulator.requests if r.path == path]


def inject_record(emulator, data: dict) -> None:
    body = {"code": 200, "msg": "success", "data": data}
    emulator.faults.inject(Fault("status", status=200, body=body), RECORD)


# ---------------------------------------------------------------------- sunoapi.org


async def test_instrumental_extend_sends_the_prompt_the_extend_page_requires(suno, instant):
    source = await finished(suno, (await suno.generate(GenerateRequest(custom(instrumental=True, lyrics="")))).task_id)
    clip = source.clips[0]
    submitted = await suno.extend(ExtendRequest(clip, 20.0, custom(instrumental=True, lyrics="")))
    body = sent(instant, "/api/v1/generate/extend")[-1]
    assert body["prompt"] == "[Instrumental]" and body["style"] and body["title"] and body["continueAt"] == 20.0
    assert (await finished(suno, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


async def test_upload_cover_takes_a_100_character_title(suno, instant):
    """The generate page's 80-character cap is the services' (tests/test_request_problems.py)."""
    title = "T" * 90
    await suno.upload_cover(UploadCoverRequest(SAMPLE, custom(title=title)))
    assert sent(instant, "/api/v1/generate/upload-cover")[-1]["title"] == title


async def test_persona_model_goes_only_with_v5_and_v5_5(suno, instant):
    clip = (await finished(suno, (await suno.generate(GenerateRequest(custom(model="V4_5")))).task_id)).clips[0]
    persona = await suno.create_persona(PersonaRequest(clip, "Nova", "airy alto"))
    await suno.generate(GenerateRequest(custom(model="V4_5", persona_id=persona.id)))
    older = sent(instant, "/api/v1/generate")[-1]
    assert older["personaId"] == persona.id and "personaModel" not in older
    submitted = await suno.generate(GenerateRequest(custom(model="V5", persona_id=persona.id)))
    assert sent(instant, "/api/v1/generate")[-1]["personaModel"] == "style_persona"
    assert (await finished(suno, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


@pytest.mark.parametrize(
    "code, error_cls, words",
    [
        (400, ValidationError, "copyrighted material"),
        (408, ServerError, "timed out"),
        (413, ValidationError, "existing work"),
    ],
)
async def test_record_info_error_codes_read_as_documented(suno, emulator, code, error_cls, words):
    inject_record(emulator, {"taskId": "t1", "status": "GENERATE_AUDIO_FAILED", "response": None,
                             "errorCode": code, "errorMessage": "upstream words"})
    status = await suno.get_task("t1")
    assert status.state is RemoteTaskState.FAILED and type(status.error) is error_cls
    assert words in str(status.error) and status.error.provider_message == "upstream words"


async def test_two_uploads_with_the_same_name_keep_their_own_audio(suno, instant, asgi_client, tmp_path):
    first, second = tmp_path / "a" / "take.wav", tmp_path / "b" / "take.wav"
    for path, seed in ((first, 1), (second, 2)):
        path.parent.mkdir()
        path.write_bytes(b"RIFF" + bytes([seed]) * 4000)
    one = await suno.upload_file(first)
    two = await suno.upload_file(second)
    names = [r.form["fileName"] for r in instant.requests if r.path == "/api/file-stream-upload"]
    assert len(set(names)) == 2 and all(name.endswith("take.wav") for name in names)
    assert one.audio_url != two.audio_url
    assert (await asgi_client.get(one.audio_url)).content == first.read_bytes()


async def test_source_audio_url_counts_when_audio_url_is_empty(suno, emulator):
    track = {"id": "a1", "audioUrl": "", "sourceAudioUrl": "https://cdn.example/a1.mp3",
             "streamAudioUrl": "", "sourceStreamAudioUrl": "https://cdn.example/a1-stream", "duration": 120.5}
    inject_record(emulator, {"taskId": "t1", "status": "SUCCESS", "response": {"sunoData": [track]}})
    status = await suno.get_task("t1")
    assert status.state is RemoteTaskState.SUCCEEDED and status.error is None
    assert status.clips[0].audio_url == "https://cdn.example/a1.mp3"


async def test_persona_from_an_upload_cover_result_is_refused_before_sending(suno, instant):
    submitted = await suno.upload_cover(UploadCoverRequest(SAMPLE, custom()))
    clip = (await finished(suno, submitted.task_id)).clips[0]
    with pytest.raises(ValidationError, match="only from songs made by generate, extend or mashup") as err:
        await suno.create_persona(PersonaRequest(clip, "Nova", "airy"))
    assert "upload-cover" in str(err.value)
    assert sent(instant, "/api/v1/generate/generate-persona") == []


def test_a_model_the_provider_no_longer_lists_is_refused_in_words():
    """The services refuse it before anything is stored or sent (the adapters check only the wire)."""
    suno, sonic = capabilities(ProviderId.SUNOAPI), capabilities(ProviderId.SONIC)
    retired = request_problems(suno, TaskKind.GENERATE, custom(model="V3_5"))
    assert "sunoapi.org no longer lists the model V3_5" in retired[0].message
    assert "checked against its docs on 2026-12-04" in retired[0].message
    assert "no longer lists the model sonic-v4" in request_problems(
        sonic, TaskKind.GENERATE, sonic_params(model="sonic-v4"))[0].message
    # seen in one client only: not offered
    assert "Unknown model 'V6'" in request_problems(suno, TaskKind.GENERATE, custom(model="V6"))[0].message


# ---------------------------------------------------------------------- AI Music API (sonic)


async def test_sonic_plain_persona_is_refused_and_the_vox_route_is_offered_with_its_cost(sonic, emulator):
    caps = capabilities(ProviderId.SONIC)
    assert not caps.persona_create_available and "Unavailable" in caps.persona_unavailable_reason
    assert caps.persona_available  # existing personas still make songs (persona_music)
    alternatives = {a.id: a for a in caps.persona_alternatives}
    assert alternatives["create_voice"].credits == 4 and "/api/v1/sonic/create-voice" in alternatives["create_voice"].endpoints
    assert alternatives["vox_persona"].endpoints == ("/api/v1/sonic/vox", "/api/v1/sonic/persona")
    assert caps.persona_via_vox and caps.persona_cost() == alternatives["vox_persona"].credits == 2
    clip = Clip("c1", ProviderId.SONIC, duration=120.0, source_task_id="t1")
    with pytest.raises(ValidationError) as refused:
        await sonic.create_persona(PersonaRequest(clip, "Voice", "warm alto"))
    words = str(refused.value)
    assert "Unavailable due to official restrictions" in words
    assert "vocal extraction of a range instead (2 credits: vocal extraction + persona)" in words
    assert "vox_audio_id" not in words
    assert emulator.requests == []


async def test_sonic_vocal_window_alone_is_refused_because_it_needs_a_vox_extraction(sonic, emulator, monkeypatch):
    caps = dataclasses.replace(sonic.capabilities, persona_create_available=True)  # even when personas return
    monkeypatch.setattr(sonic, "capabilities", caps)
    clip = Clip("c1", ProviderId.SONIC, duration=120.0)
    with pytest.raises(ValidationError, match="only together with a VOX extraction"):
        await sonic.create_persona(PersonaRequest(clip, "Voice", "warm", vocal_start=10.0, vocal_end=30.0))
    assert emulator.requests == []


async def test_sonic_vocal_gender_only_for_the_models_that_list_it(sonic, instant):
    caps = capabilities(ProviderId.SONIC)
    refused = request_problems(caps, TaskKind.GENERATE, sonic_params(vocal_gender="f"))
    assert refused[0].field == "vocal_gender" and "does not take a vocal gender for Sonic v5.5" in refused[0].message
    assert request_problems(caps, TaskKind.GENERATE, sonic_params(model="sonic-v5", vocal_gender="f")) == []
    await sonic.generate(GenerateRequest(sonic_params(model="sonic-v5", vocal_gender="f")))
    assert sent(instant, "/api/v1/sonic/create")[-1]["vocal_gender"] == "f"


@pytest.mark.parametrize("status", [400, 200])
async def test_sonic_one_stop_reads_the_upload_step_error(sonic, emulator, status):
    body = {"message": "upload failed",
            "steps": {"upload": {"error": "This audio matches an existing recording in our catalog."}}}
    emulator.faults.inject(Fault("status", status=status, body=body), "/api/v1/sonic/upload-cover")
    with pytest.raises(ValidationError, match="existing recording in its catalogue") as err:
        await sonic.upload_cover(UploadCoverRequest(SAMPLE, sonic_params()))
    assert "matches an existing recording" in err.value.provider_message and err.value.field == "url"


async def test_sonic_cover_costs_15_in_the_estimate_and_at_the_provider(sonic, instant):
    assert capabilities(ProviderId.SONIC).estimated_cost("cover") == 15
    before = instant.credits["sonic"]
    await sonic.upload_cover(UploadCoverRequest(SAMPLE, sonic_params()))
    assert before - instant.credits["sonic"] == 2 + 15  # upload + cover


# ---------------------------------------------------------------------- catalog freshness


@pytest.mark.parametrize("provider", list(ProviderId))
def test_catalog_says_when_and_against_what_it_was_checked(provider):
    caps = capabilities(provider)
    assert caps.checked_on == "2026-12-04" and "docs" in caps.checked_source
    line = caps.freshness()
    assert caps.display_name in line and caps.checked_on in line and caps.checked_source in line
