"""The services end to end against the emulator (both real adapters, in-process ASGI).

A whole session per provider, then the poll-fault matrix: 429/430/455/500, timeouts,
dropped connections and malformed JSON while polling must end in a finished task (or
a clearly failed one that "check again" recovers) - never stuck, never resubmitted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import FAKE_KEY
from support import audio_payload

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.core.models import GenerationParams, Origin, ProviderId
from sonic_studio.emulator.app import Emulator, Fault, Timing
from sonic_studio.services import Settings, Studio, events
from sonic_studio.services.keys import KEY_ENV
from sonic_studio.store import ClipQuery, TaskState

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)
SUBMIT_PATHS = {
    ProviderId.SONIC: ("/api/v1/sonic/create", "/api/v1/sonic/upload-extend", "/api/v1/sonic/upload-cover",
                       "/api/v1/sonic/upload", "/api/v1/sonic/persona"),
    ProviderId.SUNOAPI: ("/api/v1/generate", "/api/v1/generate/extend", "/api/v1/generate/upload-extend",
                         "/api/v1/generate/upload-cover", "/api/v1/generate/generate-persona"),
}
POLL_PATH = {ProviderId.SONIC: "/api/v1/sonic/task/", ProviderId.SUNOAPI: "/api/v1/generate/record-info"}
MODEL = {ProviderId.SONIC: "sonic-v4-5", ProviderId.SUNOAPI: "V4_5"}
SAMPLE = "http://127.0.0.1:8787/samples/night-drive.mp3"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=FAST, valid_keys={FAKE_KEY}, public_base="http://127.0.0.1:8787")


@pytest.fixture
async def studio_for(sandbox, emulator, monkeypatch):
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)  # loopback: the env key, never a keyring one
    made: list[Studio] = []

    async def make(provider: ProviderId, **kw) -> Studio:
        settings = Settings(provider=provider.value, path=sandbox / "settings.json")
        settings.base_urls[provider.value] = emulator.public_base
        options = dict(poll_interval=0.05, poll_timeout=1.0, download_retry_delay=0.01)
        studio = Studio(settings, data_dir=sandbox, transport=httpx.ASGITransport(app=emulator),
                        **{**options, **kw})
        made.append(studio)
        await studio.start()
        return studio

    yield make
    for studio in made:
        await studio.aclose()


def params(provider: ProviderId, **kw) -> GenerationParams:
    return GenerationParams(**{**dict(model=MODEL[provider], lyrics="[Verse]\nneon lights", tags="synthwave",
                                      title="Night"), **kw})


def submitted(emulator: Emulator, provider: ProviderId) -> int:
    return sum(len(emulator.submissions(path)) for path in SUBMIT_PATHS[provider])


def decodes(path: str) -> bool:
    result = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", path, "-f", "null", "-"],
                            capture_output=True)
    return result.returncode == 0


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_whole_session_upload_extend_persona_generate(studio_for, emulator, provider):
    studio = await studio_for(provider)
    credits = await studio.credits.refresh()
    assert credits.credits > 0

    upload = await studio.tasks.upload(SAMPLE)
    assert upload.origin is Origin.UPLOADED
    extend = await studio.tasks.submit_extend(upload.id, 30.0, params(provider))
    extended = await studio.tasks.wait(extend.id, timeout=30)
    assert extended.state is TaskState.SUCCEEDED, extended.detail
    assert len(extended.clip_ids) >= 2
    for clip_id in extended.clip_ids:
        clip = studio.library.get(clip_id)
        assert clip.audio_path and decodes(clip.audio_path), clip.download_error
        assert clip.lineage.parent_clip == upload.id and clip.lineage.continue_at == 30.0

    source = studio.library.get(extended.clip_ids[0])
    window = dict(vocal_start=5.0, vocal_end=25.0) if provider is ProviderId.SUNOAPI else {}
    if provider is ProviderId.SUNOAPI:
        # sunoapi.org makes personas from generate / extend / mashup songs, not upload-extend ones.
        made = await studio.tasks.wait((await studio.tasks.submit_generate(params(provider))).id, timeout=30)
        source = studio.library.get(made.clip_ids[0])
    persona = await studio.personas.create(source.id, "Neon", "airy synth-pop voice", "synthwave", **window)
    song = await studio.tasks.submit_generate(params(provider, persona_id=persona.persona_id, title="With Neon"))
    finished = await studio.tasks.wait(song.id, timeout=30)
    assert finished.state is TaskState.SUCCEEDED, finished.detail
    made_with = await studio.library.query(ClipQuery(persona_id=persona.persona_id))
    assert {c.id for c in made_with} == set(finished.clip_ids)
    assert all(c.audio_path and Path(c.audio_path).exists() for c in made_with)

    before = submitted(emulator, provider)
    for task in studio.tasks.list():
        await studio.tasks.check_again(task.id)
        await studio.tasks.wait(task.id, timeout=30)
    assert submitted(emulator, provider) == before  # checking again never submits


async def test_sonic_upload_extend_with_auto_concat_keeps_both_parts(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    task = await studio.tasks.submit_upload_extend(SAMPLE, 20.0, params(ProviderId.SONIC), auto_concat=True)
    done = await studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED, done.detail
    clips = [studio.library.get(c) for c in done.clip_ids]
    full = [c for c in clips if c.full_song_of]
    assert full and all(c.audio_path for c in clips)
    assert studio.library.get(task.source_clip).origin is Origin.UPLOADED
    assert len(emulator.submissions("/api/v1/sonic/upload-extend")) == 1


POLL_FAULTS = {
    "429": Fault("status", status=429),
    "430": Fault("status", status=430),
    "455": Fault("status", status=455),
    "500": Fault("status", status=500),
    "retry-after": Fault("status", status=429, retry_after=0.2),
    "timeout": Fault("timeout", seconds=30),
    "drop": Fault("drop"),
    "malformed": Fault("malformed"),
    "truncated": Fault("truncated"),
    "cut": Fault("cut"),
}


# Every fault on sonic; on sunoapi.org the ones its adapter maps differently.
FAULT_CASES = [(ProviderId.SONIC, f) for f in POLL_FAULTS] + [
    (ProviderId.SUNOAPI, f) for f in ("429", "430", "455", "500", "timeout", "malformed")]


@pytest.mark.parametrize(("provider", "fault"), FAULT_CASES)
async def test_poll_faults_never_leave_a_task_stuck_or_duplicated(studio_for, emulator, provider, fault):
    studio = await studio_for(provider)
    if fault == "timeout":
        studio.poll_timeout = 0.3
    emulator.faults.inject(POLL_FAULTS[fault], POLL_PATH[provider], times=3)
    task = await studio.tasks.submit_generate(params(provider))
    done = await studio.tasks.wait(task.id, timeout=30)
    if done.state is TaskState.FAILED:  # allowed only with a clear reason, and recoverable
        assert str(done.error)
        await studio.tasks.check_again(task.id)
        done = await studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED, (done.state, done.detail)
    assert submitted(emulator, provider) == 1
    assert all(studio.library.get(c).audio_path for c in done.clip_ids)


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_expired_audio_url_is_reported_on_the_clip(studio_for, emulator, provider):
    studio = await studio_for(provider)
    expired: list[str] = []

    def expire_first(event: events.ClipAdded) -> None:
        clip = studio.library.get(event.clip.id)
        if not expired and clip.audio_url and clip.origin is Origin.GENERATED:
            path = urlsplit(clip.audio_url).path
            emulator.media.remove(path)
            expired.append(clip.clip_id)

    studio.events.subscribe(events.ClipUpdated, expire_first)
    studio.events.subscribe(events.ClipAdded, expire_first)
    task = await studio.tasks.submit_upload_cover(SAMPLE, params(provider, audio_weight=0.5))
    done = await studio.tasks.wait(task.id, timeout=30)
    assert expired and done.state is TaskState.PARTIAL
    lost = studio.library.find(provider, expired[0])
    assert lost.audio_path is None and "no longer available" in lost.download_error
    kept = [studio.library.get(c) for c in done.clip_ids if c != lost.id]
    assert kept and all(c.audio_path and decodes(c.audio_path) for c in kept)


async def test_cut_download_is_retried_and_complete(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    emulator.faults.inject(Fault("cut"), "/cdn/", times=2)
    task = await studio.tasks.submit_upload_cover(SAMPLE, params(ProviderId.SONIC, audio_weight=0.5))
    done = await studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED, done.detail
    for clip_id in done.clip_ids:
        clip = studio.library.get(clip_id)
        served = emulator.media.get(urlsplit(clip.audio_url).path).data
        assert audio_payload(Path(clip.audio_path).read_bytes()) == audio_payload(served)


async def test_submit_dropped_by_the_server_is_unknown_and_not_retried(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    emulator.faults.inject(Fault("drop"), "/api/v1/sonic/upload-cover")
    with pytest.raises(Exception) as info:
        await studio.tasks.submit_upload_cover(SAMPLE, params(ProviderId.SONIC, audio_weight=0.5))
    assert "check" in str(info.value).lower() or info.value.kind.value == "network"
    [task] = studio.tasks.list()
    assert task.state is TaskState.UNKNOWN
    assert len(emulator.submissions("/api/v1/sonic/upload-cover")) == 1


async def test_uploads_keep_a_playable_local_copy_with_duration(studio_for, emulator, tmp_path):
    """Provider uploads are temporary (sunoapi.org: 3 days) and URLs vanish: the library keeps its own copy."""
    from sonic_studio.emulator import synth

    sonic = await studio_for(ProviderId.SONIC)
    by_url = await sonic.tasks.upload(SAMPLE)
    assert by_url.audio_path and decodes(by_url.audio_path)
    assert abs(by_url.duration - 96.0) < 0.5
    await sonic.aclose()

    song = tmp_path / "my take.mp3"
    song.write_bytes(synth.song_mp3(21, 33.0))
    suno = await studio_for(ProviderId.SUNOAPI)
    local = await suno.tasks.upload(song)
    assert local.audio_path and Path(local.audio_path).read_bytes() == song.read_bytes()
    assert Path(local.audio_path).is_relative_to(suno.library_dir)
    assert abs(local.duration - 33.0) < 0.5


async def test_a_task_the_restarted_demo_server_forgot_is_explained(studio_for, emulator):
    """The demo emulator keeps tasks in memory; after an app restart it does not know old ones."""
    studio = await studio_for(ProviderId.SONIC)
    emulator.faults.inject(Fault("status", status=400, body={"code": 400, "message": "task not found."}),
                           POLL_PATH[ProviderId.SONIC], times=50)
    rec = await studio.tasks.submit_generate(params(ProviderId.SONIC))
    done = await studio.tasks.wait(rec.id, timeout=10)
    assert done.state is TaskState.FAILED
    assert "demo server was restarted" in str(done.error) and "Nothing was charged" in str(done.error)
    assert submitted(emulator, ProviderId.SONIC) == 1  # never resubmitted
