"""Derived assets through both real adapters against the emulator: exact request bodies,
reply parsing, and the emulator's results (real audio stems, valid MIDI, word timings
inside the sung sections)."""

from __future__ import annotations

import asyncio
import io

import mido
import numpy as np
import pytest
from conftest import FAKE_KEY

from sonic_studio.core.capabilities import capabilities
from sonic_studio.core.errors import ValidationError
from sonic_studio.core.models import (
    AssetKind,
    AssetRequest,
    Clip,
    GenerateRequest,
    GenerationParams,
    Origin,
    PersonaRequest,
    ProviderId,
    RemoteTaskState,
)
from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Timing
from sonic_studio.providers.sonic import SonicProvider
from sonic_studio.providers.sunoapi import CALLBACK_URL, SunoApiProvider

BASE = "http://127.0.0.1:8787"
LYRICS = "[Verse]\nHeadlights on the wet road tonight\n[Chorus]\nDrive drive into the night"


@pytest.fixture
def instant(emulator):
    emulator.timing = Timing.instant()
    return emulator


async def polled(poll, timeout: float = 60.0):
    """Poll until the reply is finished (renders run on worker threads)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await poll()
        if result.finished or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.02)


async def finished(provider, params: GenerationParams) -> Clip:
    submit = await provider.generate(GenerateRequest(params))
    status = await polled(lambda: provider.get_task(submit.task_id))
    assert status.state is RemoteTaskState.SUCCEEDED
    return status.clips[0]


async def until_done(provider, kind: AssetKind, task_id: str):
    result = await polled(lambda: provider.asset_status(kind, task_id))
    assert result.finished, "asset task never finished"
    return result


async def fetch(client, url: str) -> bytes:
    response = await client.get(url)
    assert response.status_code == 200
    return response.content


# ----------------------------------------------------------------------------- catalog


def test_capabilities_say_what_each_provider_lacks():
    suno, sonic = capabilities(ProviderId.SUNOAPI), capabilities(ProviderId.SONIC)
    assert not suno.deliverable(AssetKind.VOX).available
    assert suno.deliverable(AssetKind.WHOLE_SONG).local and suno.deliverable(AssetKind.WHOLE_SONG).credits == 0
    assert suno.deliverable(AssetKind.BPM).local
    assert sonic.deliverable(AssetKind.WHOLE_SONG).credits == 2
    assert sonic.deliverable(AssetKind.VOX).max_window == 30
    assert all(sonic.deliverable(k).available and not sonic.deliverable(k).local for k in AssetKind)


# ----------------------------------------------------------------------------- sonic


@pytest.fixture
def sonic(asgi_client) -> SonicProvider:
    return SonicProvider(asgi_client, FAKE_KEY, base_url=BASE)


async def test_sonic_sync_utilities_send_clip_id_and_parse(sonic, instant, asgi_client):
    clip = await finished(sonic, GenerationParams(model="sonic-v5", lyrics=LYRICS, tags="pop", title="Night Drive"))
    bpm = await sonic.request_asset(AssetRequest(AssetKind.BPM, clip))
    assert instant.last("/api/v1/sonic/bpm").json == {"clip_id": clip.id}
    assert bpm.state is RemoteTaskState.SUCCEEDED and 84 <= bpm.data["avg"] <= 124
    assert bpm.data["min"] < bpm.data["avg"] < bpm.data["max"]

    lyrics = await sonic.request_asset(AssetRequest(AssetKind.LYRICS_TIMELINE, clip))
    assert instant.last("/api/v1/sonic/aligned-lyrics").json == {"clip_id": clip.id}
    words = lyrics.data["words"]
    assert [w.word for w in words] == ["Headlights", "on", "the", "wet", "road", "tonight", "Drive", "drive", "into", "the", "night"]
    assert all(0 <= w.start < w.end <= clip.duration for w in words)

    midi = await sonic.request_asset(AssetRequest(AssetKind.MIDI, clip))
    assert instant.last("/api/v1/sonic/midi").json == {"clip_id": clip.id}
    parsed = mido.MidiFile(file=io.BytesIO(await fetch(asgi_client, midi.files["midi"])))
    assert sum(1 for track in parsed.tracks for m in track if m.type == "note_on") > 10
    assert {i["name"] for i in midi.data["instruments"]} == {"vocals", "bass"}

    vox = await sonic.request_asset(AssetRequest(AssetKind.VOX, clip, vocal_start=12.5, vocal_end=40.0))
    assert instant.last("/api/v1/sonic/vox").json == {"clip_id": clip.id, "vocal_start_s": 12.5, "vocal_end_s": 40.0}
    assert vox.data["vox_audio_id"].startswith("vox-")

    wav = await sonic.request_asset(AssetRequest(AssetKind.WAV, clip))
    assert instant.last("/api/v1/sonic/wav").json == {"clip_id": clip.id}
    assert (await fetch(asgi_client, wav.files["wav"]))[:4] == b"RIFF"


async def test_sonic_persona_window_goes_with_the_vox_of_that_window(sonic, instant):
    # Plain personas are listed as Unavailable; a persona made from a VOX of its window is the documented route.
    clip = await finished(sonic, GenerationParams(model="sonic-v5", lyrics=LYRICS, tags="pop", title="Night Drive"))
    vox = await sonic.request_asset(AssetRequest(AssetKind.VOX, clip, vocal_start=12.0, vocal_end=40.0))
    request = PersonaRequest(clip, "Neon", "airy voice", "synthwave", 12.0, 40.0, vox.data["vox_audio_id"])
    await sonic.create_persona(request)
    assert instant.last("/api/v1/sonic/persona").json == {
        "name": "Neon", "clip_id": clip.id, "describe": "airy voice", "styles": "synthwave",
        "vocal_start_s": 12.0, "vocal_end_s": 40.0, "vox_audio_id": vox.data["vox_audio_id"]}


async def test_sonic_vox_window_is_checked_before_sending(sonic, instant):
    clip = Clip(id="c1", provider=ProviderId.SONIC, duration=120.0)
    with pytest.raises(ValidationError, match="at most 30 s"):
        await sonic.request_asset(AssetRequest(AssetKind.VOX, clip, vocal_start=10, vocal_end=41))
    assert not instant.submissions("/api/v1/sonic/vox")


@pytest.mark.parametrize("full, names", [(False, {"vocals", "instrumental"}),
                                         (True, {"vocals", "drums", "bass", "keyboard"})])
async def test_sonic_stems_are_polled_and_sum_to_the_song(sonic, instant, asgi_client, full, names):
    clip = await finished(sonic, GenerationParams(model="sonic-v5", lyrics=LYRICS, tags="pop", title="Night Drive"))
    kind = AssetKind.STEMS_FULL if full else AssetKind.STEMS_BASIC
    submit = await sonic.request_asset(AssetRequest(kind, clip))
    path = "/api/v1/sonic/stems/full" if full else "/api/v1/sonic/stems/basic"
    assert instant.last(path).json == {"clip_id": clip.id}
    assert submit.state is RemoteTaskState.PENDING and submit.task_id
    result = await until_done(sonic, kind, submit.task_id)
    assert result.state is RemoteTaskState.SUCCEEDED and set(result.files) == names
    song = synth.decode(await fetch(asgi_client, clip.audio_url))
    stems = [synth.decode(await fetch(asgi_client, url)) for url in result.files.values()]
    n = min(len(song), *(len(s) for s in stems))
    residual = song[:n] - sum(s[:n] for s in stems)
    assert np.sqrt(np.mean(residual ** 2)) < 0.1 * np.sqrt(np.mean(song[:n] ** 2))  # mp3 noise only
    vocals = synth.decode(await fetch(asgi_client, result.files["vocals"]))
    assert np.sqrt(np.mean(vocals ** 2)) > 0.01  # a real voice, not silence


# ----------------------------------------------------------------------------- sunoapi.org


@pytest.fixture
def suno(asgi_client) -> SunoApiProvider:
    return SunoApiProvider(asgi_client, FAKE_KEY, base_url=BASE, upload_base_url=BASE)


async def suno_clip(suno) -> Clip:
    return await finished(suno, GenerationParams(model="V5", lyrics=LYRICS, tags="pop", title="Night Drive"))


async def test_sunoapi_wav_body_and_409_fetches_the_existing_one(suno, instant, asgi_client):
    clip = await suno_clip(suno)
    first = await suno.request_asset(AssetRequest(AssetKind.WAV, clip))
    assert instant.last("/api/v1/wav/generate").json == {
        "taskId": clip.source_task_id, "audioId": clip.id, "callBackUrl": CALLBACK_URL}
    done = await until_done(suno, AssetKind.WAV, first.task_id)
    assert (await fetch(asgi_client, done.files["wav"]))[:4] == b"RIFF"
    credits = instant.credits["sunoapi"]
    again = await suno.request_asset(AssetRequest(AssetKind.WAV, clip))
    assert again.task_id == first.task_id and again.provider_status == "ALREADY_EXISTS"
    assert instant.credits["sunoapi"] == credits  # nothing paid twice


@pytest.mark.parametrize("kind, type_, names", [
    (AssetKind.STEMS_BASIC, "separate_vocal", {"vocal", "instrumental"}),
    (AssetKind.STEMS_FULL, "split_stem", {"vocal", "instrumental", "drums", "bass", "keyboard"}),
])
async def test_sunoapi_separation_then_midi(suno, instant, asgi_client, kind, type_, names):
    clip = await suno_clip(suno)
    with pytest.raises(ValidationError, match="stems first"):
        await suno.request_asset(AssetRequest(AssetKind.MIDI, clip))
    stems = await suno.request_asset(AssetRequest(kind, clip))
    assert instant.last("/api/v1/vocal-removal/generate").json == {
        "taskId": clip.source_task_id, "audioId": clip.id, "type": type_, "callBackUrl": CALLBACK_URL}
    done = await until_done(suno, kind, stems.task_id)
    assert set(done.files) == names
    assert len(synth.decode(await fetch(asgi_client, done.files["vocal"]))) > synth.SR
    midi = await suno.request_asset(AssetRequest(AssetKind.MIDI, clip, stems_task_id=stems.task_id))
    assert instant.last("/api/v1/midi/generate").json == {
        "taskId": stems.task_id, "audioId": clip.id, "callBackUrl": CALLBACK_URL}
    notes = await until_done(suno, AssetKind.MIDI, midi.task_id)
    assert notes.files == {} and notes.data["instruments"][0]["notes"]


async def test_sunoapi_timestamped_lyrics_and_what_it_lacks(suno, instant):
    clip = await suno_clip(suno)
    result = await suno.request_asset(AssetRequest(AssetKind.LYRICS_TIMELINE, clip))
    assert instant.last("/api/v1/generate/get-timestamped-lyrics").json == {
        "taskId": clip.source_task_id, "audioId": clip.id}
    assert result.data["words"][0].word == "Headlights"
    assert all(0 <= w.start < w.end <= clip.duration for w in result.data["words"])
    for kind in (AssetKind.VOX, AssetKind.BPM, AssetKind.WHOLE_SONG):
        with pytest.raises(ValidationError, match="sunoapi.org cannot make"):
            await suno.request_asset(AssetRequest(kind, clip))


async def test_sunoapi_refuses_uploads_and_foreign_clips_before_sending(suno, instant):
    upload = Clip(id="up-1", provider=ProviderId.SUNOAPI, origin=Origin.UPLOADED, audio_url=BASE + "/x.mp3")
    with pytest.raises(ValidationError, match="only from songs it generated"):
        await suno.request_asset(AssetRequest(AssetKind.WAV, upload))
    foreign = Clip(id="c1", provider=ProviderId.SONIC, source_task_id="t")
    with pytest.raises(ValidationError, match="not made at sunoapi.org"):
        await suno.request_asset(AssetRequest(AssetKind.STEMS_BASIC, foreign))
    assert not instant.submissions("/api/v1/wav/generate") and not instant.submissions("/api/v1/vocal-removal/generate")
