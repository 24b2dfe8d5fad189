"""Edit operations through both adapters against the emulator: the exact body each
provider receives per operation, results that really come back, and requests the
adapters refuse before anything is sent (nothing charged)."""

from __future__ import annotations

import pytest
from conftest import FAKE_KEY
from support import finished

from sonic_studio.core.edits import (
    AddLayerRequest,
    MashupRequest,
    RemasterRequest,
    ReplaceSectionRequest,
    SampleRequest,
)
from sonic_studio.core.errors import ValidationError
from sonic_studio.core.models import GenerateRequest, GenerationParams, RemoteTaskState
from sonic_studio.emulator.app import Timing
from sonic_studio.providers.sonic import SonicProvider
from sonic_studio.providers.sunoapi import CALLBACK_URL, SunoApiProvider

BASE = "http://127.0.0.1:8787"
SAMPLE = BASE + "/samples/night-drive.mp3"  # 96 s
LYRICS = "[Verse]\nHeadlights on the wet road\n[Chorus]\nDrive, drive, into the night"


@pytest.fixture
def sonic(asgi_client, emulator) -> SonicProvider:
    emulator.timing = Timing.instant()
    return SonicProvider(asgi_client, FAKE_KEY, base_url=BASE)


@pytest.fixture
def suno(asgi_client, emulator) -> SunoApiProvider:
    emulator.timing = Timing.instant()
    return SunoApiProvider(asgi_client, FAKE_KEY, base_url=BASE, upload_base_url=BASE)


def sonic_params(**changes) -> GenerationParams:
    return GenerationParams(**{**dict(model="sonic-v5-5", lyrics=LYRICS, tags="synthwave", title="Neon"), **changes})


def suno_params(**changes) -> GenerationParams:
    return GenerationParams(**{**dict(model="V5", lyrics=LYRICS, tags="synth-pop", title="Night Drive"), **changes})


async def sonic_song(provider):
    submitted = await provider.generate(GenerateRequest(sonic_params()))
    return (await finished(provider, submitted.task_id)).clips[0]


async def suno_song(provider):
    submitted = await provider.generate(GenerateRequest(suno_params()))
    return (await finished(provider, submitted.task_id)).clips[0]


# ----------------------------------------------------------------------------- sonic


async def test_sonic_replace_section_body_and_the_whole_song_back(sonic, emulator):
    song = await sonic_song(sonic)
    submitted = await sonic.replace_section(ReplaceSectionRequest(
        song, 30.0, 48.5, "[Chorus]\nNew words", tags="synthwave", full_lyrics="all the words"))
    assert emulator.last("/api/v1/sonic/replace-section").json == {
        "clip_id": song.id, "infill_start_s": 30.0, "infill_end_s": 48.5, "prompt": "all the words",
        "infill_lyrics": "[Chorus]\nNew words", "auto_concat": True, "tags": "synthwave",
    }
    status = await finished(sonic, submitted.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED
    fulls = [c for c in status.clips if c.full_song_of]
    assert len(fulls) == 2  # the whole song with the section replaced, per result
    assert abs(fulls[0].duration - song.duration) < 0.2


async def test_sonic_add_vocals_and_instrumental_bodies(sonic, emulator):
    upload = await sonic.upload_url(SAMPLE, duration=96.0, title="Night drive")
    await sonic.add_layer(AddLayerRequest(upload, sonic_params(title=""), vocals=True, start=10.0, end=40.0))
    assert emulator.last("/api/v1/sonic/create").json == {
        "task_type": "add_vocals", "continue_clip_id": upload.id, "mv": "sonic-v5-5", "custom_mode": True,
        "prompt": LYRICS, "tags": "synthwave", "make_instrumental": False,
        "overpainting_start_s": 10.0, "overpainting_end_s": 40.0, "use_suno_cdn": False,
    }
    submitted = await sonic.add_layer(AddLayerRequest(upload, sonic_params(lyrics="", title="Band"), vocals=False))
    assert emulator.last("/api/v1/sonic/create").json == {
        "task_type": "add_instrumental", "continue_clip_id": upload.id, "mv": "sonic-v5-5", "custom_mode": True,
        "tags": "synthwave", "title": "Band", "use_suno_cdn": False,
    }
    assert (await finished(sonic, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


async def test_sonic_remaster_body_and_only_v5_takes_it(sonic, emulator):
    song = await sonic_song(sonic)
    submitted = await sonic.remaster(RemasterRequest(song, "sonic-v5", "subtle"))
    assert emulator.last("/api/v1/sonic/create").json == {
        "task_type": "remaster", "continue_clip_id": song.id, "mv": "sonic-v5", "variation_category": "subtle",
        "use_suno_cdn": False,
    }
    assert (await finished(sonic, submitted.task_id)).state is RemoteTaskState.SUCCEEDED
    sent = len(emulator.requests)
    with pytest.raises(ValidationError, match="Sonic v5.5 cannot remaster"):
        await sonic.remaster(RemasterRequest(song, "sonic-v5-5"))
    assert len(emulator.requests) == sent


async def test_sonic_mashup_and_sample_bodies(sonic, emulator):
    a, b = await sonic_song(sonic), await sonic_song(sonic)
    submitted = await sonic.mashup(MashupRequest(a, b, sonic_params()))
    assert emulator.last("/api/v1/sonic/mashup").json == {
        "mashup_clip_ids": [a.id, b.id], "mv": "sonic-v5-5", "custom_mode": True, "prompt": LYRICS,
        "tags": "synthwave", "title": "Neon", "make_instrumental": False,
    }
    assert (await finished(sonic, submitted.task_id)).state is RemoteTaskState.SUCCEEDED
    submitted = await sonic.sample(SampleRequest(a, 12.25, 20.0, sonic_params()))
    assert emulator.last("/api/v1/sonic/sample").json == {
        "sample_clip_id": a.id, "chop_sample_start_s": 12.25, "chop_sample_end_s": 20.0, "mv": "sonic-v5-5",
        "custom_mode": True, "prompt": LYRICS, "tags": "synthwave", "title": "Neon", "make_instrumental": False,
    }
    assert (await finished(sonic, submitted.task_id)).state is RemoteTaskState.SUCCEEDED


async def test_sonic_refusals_send_nothing(sonic, emulator):
    song = await sonic_song(sonic)
    upload = await sonic.upload_url(SAMPLE, duration=96.0)
    sent, credits = len(emulator.requests), emulator.credits["sonic"]
    cases = [
        (sonic.replace_section(ReplaceSectionRequest(song, 40.0, 30.0, "la")), "before it starts"),
        (sonic.replace_section(ReplaceSectionRequest(song, 30.0, 33.0, "la")), "at least 6 s"),
        (sonic.replace_section(ReplaceSectionRequest(song, 10.0, 80.0, "la")), "at most 60 s"),
        (sonic.replace_section(ReplaceSectionRequest(song, 90.0, song.duration + 5, "la")), "outside the clip"),
        (sonic.add_layer(AddLayerRequest(song, sonic_params(), vocals=True)), "only to clips you uploaded"),
        (sonic.mashup(MashupRequest(upload, upload, sonic_params())), "two different clips"),
    ]
    for call, words in cases:
        with pytest.raises(ValidationError, match=words):
            await call
    assert (len(emulator.requests), emulator.credits["sonic"]) == (sent, credits)


# ----------------------------------------------------------------------------- sunoapi.org


async def test_suno_replace_section_body(suno, emulator):
    song = await suno_song(suno)
    submitted = await suno.replace_section(ReplaceSectionRequest(song, 30.0, 45.0, "[Chorus]\nNew words"))
    assert emulator.last("/api/v1/generate/replace-section").json == {
        "taskId": song.source_task_id, "audioId": song.id, "prompt": "[Chorus]\nNew words", "tags": "synth-pop",
        "title": "Night Drive", "infillStartS": 30.0, "infillEndS": 45.0, "fullLyrics": LYRICS,
        "callBackUrl": CALLBACK_URL,
    }
    status = await finished(suno, submitted.task_id)
    assert status.state is RemoteTaskState.SUCCEEDED
    assert abs(status.clips[0].duration - song.duration) < 0.2  # the whole song comes back


async def test_suno_replace_section_follows_the_page_6_to_60_s_and_half_the_song(suno, emulator):
    song = await suno_song(suno)  # 95-150 s long
    sent = len(emulator.requests)
    for start, end, words in ((10.0, 15.0, "at least 6 s"), (0.0, 61.0, "at most 60 s")):
        with pytest.raises(ValidationError, match=words):
            await suno.replace_section(ReplaceSectionRequest(song, start, end, "la"))
    short = song.with_(duration=100.0)
    with pytest.raises(ValidationError, match="at most 50% of a song"):
        await suno.replace_section(ReplaceSectionRequest(short, 0.0, 55.0, "la"))
    upload = await suno.upload_url(SAMPLE, duration=96.0)
    with pytest.raises(ValidationError, match="only in songs it generated"):
        await suno.replace_section(ReplaceSectionRequest(upload, 10.0, 20.0, "la"))
    assert len(emulator.requests) == sent


async def test_suno_add_vocals_and_instrumental_bodies(suno, emulator):
    upload = await suno.upload_url(SAMPLE, duration=96.0, title="Night drive")
    submitted = await suno.add_layer(AddLayerRequest(upload, suno_params(model="V4_5PLUS", title=""), vocals=True))
    assert emulator.last("/api/v1/generate/add-vocals").json == {
        "uploadUrl": SAMPLE, "title": "Night drive", "negativeTags": "", "callBackUrl": CALLBACK_URL,
        "model": "V4_5PLUS", "prompt": LYRICS, "style": "synth-pop",
    }
    assert (await finished(suno, submitted.task_id)).state is RemoteTaskState.SUCCEEDED
    await suno.add_layer(AddLayerRequest(upload, suno_params(lyrics="", negative_tags="metal"), vocals=False))
    assert emulator.last("/api/v1/generate/add-instrumental").json == {
        "uploadUrl": SAMPLE, "title": "Night Drive", "negativeTags": "metal", "callBackUrl": CALLBACK_URL,
        "model": "V5", "tags": "synth-pop",
    }
    sent = len(emulator.requests)
    with pytest.raises(ValidationError, match="V4 cannot add vocals"):
        await suno.add_layer(AddLayerRequest(upload, suno_params(model="V4"), vocals=True))
    with pytest.raises(ValidationError, match="over a part of the clip only"):
        await suno.add_layer(AddLayerRequest(upload, suno_params(), vocals=True, start=1.0, end=20.0))
    assert len(emulator.requests) == sent


async def test_suno_mashup_sends_both_links(suno, emulator):
    a, b = await suno_song(suno), await suno_song(suno)
    submitted = await suno.mashup(MashupRequest(a, b, suno_params(title="Both")))
    assert emulator.last("/api/v1/generate/mashup").json == {
        "uploadUrlList": [a.audio_url, b.audio_url], "customMode": True, "instrumental": False, "model": "V5",
        "callBackUrl": CALLBACK_URL, "prompt": LYRICS, "style": "synth-pop", "title": "Both",
    }
    assert (await finished(suno, submitted.task_id)).state is RemoteTaskState.SUCCEEDED
    sent = len(emulator.requests)
    with pytest.raises(ValidationError, match="allows 80"):  # the mashup page caps titles at 80
        await suno.mashup(MashupRequest(a, b, suno_params(title="x" * 81)))
    with pytest.raises(ValidationError, match="V5.5 cannot mashup"):
        await suno.mashup(MashupRequest(a, b, suno_params(model="V5_5")))
    assert len(emulator.requests) == sent


async def test_suno_has_no_remaster_or_sample_and_says_so(suno, emulator):
    song = await suno_song(suno)
    sent = len(emulator.requests)
    with pytest.raises(ValidationError, match="offers no remastering"):
        await suno.remaster(RemasterRequest(song, "V5"))
    with pytest.raises(ValidationError, match="no way to build a new song on a sampled range"):
        await suno.sample(SampleRequest(song, 1.0, 9.0, suno_params()))
    assert len(emulator.requests) == sent
