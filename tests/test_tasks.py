"""The task lifecycle against an in-memory provider: persist first, poll, download, never resubmit."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import fakes
import pytest
from conftest import FAKE_KEY, wait_until
from fakes import FakeWorld
from support import audio_payload

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.core.errors import (
    AuthError,
    InsufficientCreditsError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from sonic_studio.core.models import ClipState, GenerationParams, Origin, ProviderId, TaskKind
from sonic_studio.services import Settings, Studio, events
from sonic_studio.services.keys import SERVICE
from sonic_studio.store import DB_FILENAME, ClipQuery, TaskState

MODEL = "sonic-v5-5"


def params(**kw) -> GenerationParams:
    base = dict(model=MODEL, lyrics="la la la", tags="pop", title="Song")
    return GenerationParams(**{**base, **kw})


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
async def make_studio(sandbox, world, memory_keyring):
    memory_keyring.store[(SERVICE, "sonic")] = FAKE_KEY
    memory_keyring.store[(SERVICE, "sunoapi")] = FAKE_KEY
    made: list[Studio] = []

    async def make(start: bool = True, w: FakeWorld | None = None, **kw) -> Studio:
        w = w or world
        options = dict(poll_interval=0.01, download_retry_delay=0.01, poll_timeout=2.0)
        studio = Studio(Settings(path=sandbox / "settings.json"), data_dir=sandbox, transport=w.transport(),
                        provider_factory=w.factory, **{**options, **kw})
        made.append(studio)
        if start:
            await studio.start()
        return studio

    yield make
    for studio in made:
        await studio.aclose()


def decodes(path: str | Path) -> bool:
    result = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"],
                            capture_output=True)
    return result.returncode == 0


def db_row(sandbox: Path, task_id: int) -> sqlite3.Row:
    conn = sqlite3.connect(sandbox / DB_FILENAME)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
    finally:
        conn.close()


# ---------------------------------------------------------------------------- the happy path
async def test_generate_persists_id_polls_downloads_and_reports(make_studio, world, sandbox):
    studio = await make_studio()
    seen: list[events.Event] = []
    committed_before_report: list[bool] = []

    def on_task(event: events.TaskChanged) -> None:
        if event.task.state is TaskState.PENDING and not committed_before_report:
            # Another connection sees the id: it is committed before anyone hears "submitted".
            committed_before_report.append(db_row(sandbox, event.task.id)["provider_task_id"] == "task-1")

    studio.events.subscribe(None, seen.append)
    studio.events.subscribe(events.TaskChanged, on_task)
    task = await studio.tasks.submit_generate(params())
    assert task.state is TaskState.PENDING and task.provider_task_id == "task-1"
    assert committed_before_report == [True]

    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.SUCCEEDED, done.detail
    assert len(done.clip_ids) == 2 and done.progress == 1.0 and done.error is None
    for clip_id in done.clip_ids:
        clip = studio.library.get(clip_id)
        assert clip.audio_path and Path(clip.audio_path).is_relative_to(studio.library_dir)
        assert decodes(clip.audio_path)
        assert audio_payload(Path(clip.audio_path).read_bytes()) == audio_payload(world.media[f"/{clip.clip_id}.mp3"])
        assert clip.image_path and Path(clip.image_path).exists()
    states = [e.task.state for e in seen if isinstance(e, events.TaskChanged)]
    assert states[0] is TaskState.SUBMITTING and states[-1] is TaskState.SUCCEEDED
    assert TaskState.DOWNLOADING in states
    assert sum(isinstance(e, events.ClipAdded) for e in seen) == 2
    await wait_until(lambda: any(isinstance(e, events.CreditsChanged) for e in seen))
    assert studio.credits.last.total == 105.0
    assert not list(studio.library_dir.rglob("*.part*"))  # no temp files left behind
    assert len(world.submissions) == 1


async def test_downloads_never_carry_the_key(make_studio, world):
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    await studio.tasks.wait(task.id, timeout=20)
    assert world.cdn_requests
    for request in world.cdn_requests:
        assert "authorization" not in {k.lower() for k in request.headers}
        assert FAKE_KEY not in str(request.headers)


async def test_many_tasks_run_concurrently_on_one_client(make_studio, world):
    studio = await make_studio()
    tasks = await asyncio.gather(*(studio.tasks.submit_generate(params(title=f"Song {i}")) for i in range(6)))
    done = await asyncio.gather(*(studio.tasks.wait(t.id, timeout=30) for t in tasks))
    assert all(t.state is TaskState.SUCCEEDED for t in done)
    assert len({c for t in done for c in t.clip_ids}) == 12
    assert len(world.submissions) == 6


# ---------------------------------------------------------------------------- submit failures
async def test_the_accepted_task_id_is_flushed_to_disk_before_submit_returns(make_studio, world, sandbox,
                                                                           monkeypatch):
    """Commits do not fsync (synchronous=NORMAL); the SUBMITTING row and then the paid task's id
    are followed by ``Database.sync`` so they survive a power cut: the row before anything is
    sent, the id before anyone hears "submitted"."""
    from sonic_studio.store.database import Database

    seen: list[tuple[str | None, str | None, int]] = []  # (state, task id, requests sent) at each flush
    real_sync = Database.sync

    def sync(self):
        row = db_row(sandbox, 1)  # what a power cut right after this flush would keep
        seen.append((row["state"], row["provider_task_id"], len(world.submissions)))
        real_sync(self)

    monkeypatch.setattr(Database, "sync", sync)
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    # The SUBMITTING row before the request went out, the id before "submitted" was said.
    assert seen == [("submitting", None, 0), ("pending", task.provider_task_id, 1)]


async def test_invalid_request_is_neither_stored_nor_sent(make_studio, world):
    studio = await make_studio()
    with pytest.raises(ValidationError) as info:
        await studio.tasks.submit_generate(params(lyrics="", style_weight=1.5))
    assert info.value.field == "lyrics"
    assert studio.tasks.list() == [] and world.submissions == []


@pytest.mark.parametrize("error", [NetworkError(), ServerError(http_status=500), MalformedResponseError()])
async def test_submit_that_may_have_gone_through_is_unknown_and_never_retried(make_studio, world, error):
    studio = await make_studio()
    world.submit_errors.append(error)
    with pytest.raises(type(error)):
        await studio.tasks.submit_generate(params())
    [task] = studio.tasks.list()
    assert task.state is TaskState.UNKNOWN and task.provider_task_id is None
    assert "may or may not have been accepted" in str(task.error)
    with pytest.raises(ValidationError):
        await studio.tasks.check_again(task.id)
    await studio.aclose()
    again = await make_studio()  # a restart does not retry it either
    await asyncio.sleep(0.1)
    assert again.tasks.get(task.id).state is TaskState.UNKNOWN
    assert world.polls == 0


@pytest.mark.parametrize("error", [InsufficientCreditsError(), AuthError(), RateLimitedError(retry_after=3)])
async def test_submit_refused_by_the_provider_is_failed(make_studio, world, error):
    studio = await make_studio()
    world.submit_errors.append(error)
    with pytest.raises(type(error)):
        await studio.tasks.submit_generate(params())
    [task] = studio.tasks.list()
    assert task.state is TaskState.FAILED and task.error.kind is error.kind


async def test_missing_key_is_an_auth_error_before_anything_is_stored(make_studio, memory_keyring):
    memory_keyring.store.clear()
    studio = await make_studio()
    assert not studio.has_key()
    with pytest.raises(AuthError, match="No API key"):
        await studio.tasks.submit_generate(params())
    assert studio.tasks.list() == []


# ---------------------------------------------------------------------------- polling trouble
async def test_transient_poll_errors_back_off_and_the_task_still_finishes(make_studio, world):
    studio = await make_studio()
    world.poll_errors += [RateLimitedError(retry_after=0.05), ServerError(), MalformedResponseError(),
                          NetworkError(), RateLimitedError()]
    details: list[str] = []
    studio.events.subscribe(events.TaskChanged, lambda e: details.append(e.task.detail))
    task = await studio.tasks.submit_generate(params())
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.SUCCEEDED
    assert any("next check in" in d.lower() for d in details)
    assert len(world.submissions) == 1 and world.polls >= 5 + world.steps


async def test_permanent_poll_error_fails_clearly_and_check_again_recovers(make_studio, world):
    studio = await make_studio()
    world.poll_errors.append(AuthError("The API key was rejected. Check it in Settings."))
    task = await studio.tasks.submit_generate(params())
    failed = await studio.tasks.wait(task.id, timeout=20)
    assert failed.state is TaskState.FAILED and "rejected" in str(failed.error)
    await studio.tasks.check_again(task.id)
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.SUCCEEDED and done.error is None
    assert len(world.submissions) == 1


async def test_task_unknown_to_the_provider_fails(make_studio, world):
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    world.tasks.clear()
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.FAILED and isinstance(done.error, NotFoundError)


async def test_hung_poll_times_out_and_a_long_task_stalls_instead_of_hanging(make_studio, world):
    studio = await make_studio(max_wait=0.6, poll_timeout=0.1)
    world.hang_polls = True
    task = await studio.tasks.submit_generate(params())
    stalled = await studio.tasks.wait(task.id, timeout=10)
    assert stalled.state is TaskState.STALLED and "Check again" in stalled.detail
    world.hang_polls = False
    await studio.tasks.check_again(task.id)
    done = await studio.tasks.wait(task.id, timeout=10)
    assert done.state is TaskState.SUCCEEDED
    assert len(world.submissions) == 1


async def test_provider_task_failure_is_reported(make_studio, world):
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    world.tasks["task-1"].fail_task = True
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.FAILED and "could not make" in str(done.error)


# ---------------------------------------------------------------------------- partial results
async def test_one_failed_clip_keeps_the_other(make_studio, world):
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    world.tasks["task-1"].fail_clips.add("clip-1b")
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.PARTIAL and "1 of 2 clips saved" in str(done.error)
    good, bad = (studio.library.get(c) for c in done.clip_ids)
    assert good.audio_path and decodes(good.audio_path)
    assert bad.state is ClipState.FAILED and bad.audio_path is None


async def test_expired_audio_url_is_reported_on_the_clip_and_check_again_fetches_it(make_studio, world):
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    expired = world.media.pop("/clip-1b.mp3")
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.PARTIAL
    lost = studio.library.find(ProviderId.SONIC, "clip-1b")
    assert lost.audio_path is None and "no longer available" in lost.download_error
    assert "HTTP 404" in str(done.error)
    world.media["/clip-1b.mp3"] = expired
    await studio.tasks.check_again(task.id)
    again = await studio.tasks.wait(task.id, timeout=20)
    assert again.state is TaskState.SUCCEEDED
    fixed = studio.library.find(ProviderId.SONIC, "clip-1b")
    assert fixed.audio_path and fixed.download_error is None and decodes(fixed.audio_path)
    assert len(world.submissions) == 1


async def test_a_file_that_is_not_audio_is_rejected_and_leaves_nothing(make_studio, world):
    studio = await make_studio()
    task = await studio.tasks.submit_generate(params())
    world.media["/clip-1a.mp3"] = b"<html>Bad Gateway</html>" * 50
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.PARTIAL
    clip = studio.library.find(ProviderId.SONIC, "clip-1a")
    assert clip.audio_path is None and "not playable" in clip.download_error
    assert not list(studio.library_dir.rglob("*clip-1a.mp3")) and not list(studio.library_dir.rglob("*.part*"))


async def test_cdn_server_errors_are_retried(make_studio, world):
    studio = await make_studio()
    world.cdn_status["/clip-1a.mp3"] = 503
    task = await studio.tasks.submit_generate(params())
    await wait_until(lambda: sum(r.url.path == "/clip-1a.mp3" for r in world.cdn_requests) >= 2, timeout=10)
    del world.cdn_status["/clip-1a.mp3"]
    done = await studio.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.SUCCEEDED


# ---------------------------------------------------------------------------- restarts
async def test_closing_mid_poll_and_restarting_finishes_without_resubmitting(make_studio, world):
    world.steps = 50
    first = await make_studio()
    task = await first.tasks.submit_generate(params())
    await wait_until(lambda: world.polls >= 2)
    assert first.tasks.get(task.id).state in (TaskState.PENDING, TaskState.RUNNING)
    started = time.monotonic()
    await first.aclose()
    assert time.monotonic() - started < 3
    world.tasks["task-1"].steps = 0
    second = await make_studio()
    assert second.tasks.following(task.id)
    done = await second.tasks.wait(task.id, timeout=20)
    assert done.state is TaskState.SUCCEEDED and len(done.clip_ids) == 2
    assert len(world.submissions) == 1


async def test_orphaned_submit_from_a_dead_process_becomes_unknown(make_studio, sandbox):
    studio = await make_studio()
    row = studio.store.tasks.create(ProviderId.SONIC, TaskKind.GENERATE, title="t", request={},
                                    base_url="https://api.aimusicapi.ai")
    dead = subprocess.Popen(["true"])
    dead.wait()
    studio.store.db.execute("UPDATE tasks SET owner_pid = ?, created_at = 0 WHERE id = ?", (dead.pid, row.id))
    live = studio.store.tasks.create(ProviderId.SONIC, row.kind, title="t2", request={}, base_url="x")
    await studio.aclose()
    again = await make_studio()
    assert again.tasks.get(row.id).state is TaskState.UNKNOWN
    assert again.tasks.get(live.id).state is TaskState.SUBMITTING  # this process is alive


async def test_aclose_is_bounded_even_with_a_hanging_poll(make_studio, world):
    studio = await make_studio(poll_timeout=3600)
    world.hang_polls = True
    await studio.tasks.submit_generate(params())
    await wait_until(lambda: world.polls == 0 and len(world.submissions) == 1)
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await studio.aclose(timeout=1.0)
    assert time.monotonic() - started < 3.0


# ---------------------------------------------------------------------------- kinds, lineage
async def test_extend_and_cover_record_lineage(make_studio, world):
    studio = await make_studio()
    first = await studio.tasks.wait((await studio.tasks.submit_generate(params(title="Root"))).id, timeout=20)
    parent = first.clip_ids[0]
    with pytest.raises(ValidationError, match="past the end"):
        await studio.tasks.submit_extend(parent, 5.0, params())
    ext = await studio.tasks.wait((await studio.tasks.submit_extend(parent, 1.25, params())).id, timeout=20)
    cov = await studio.tasks.wait((await studio.tasks.submit_cover(parent, params(audio_weight=0.7))).id, timeout=20)
    ext_clip = studio.library.get(ext.clip_ids[0])
    assert ext_clip.lineage.parent_clip == parent and ext_clip.lineage.continue_at == 1.25
    assert ext_clip.lineage.parent_title == "Root 1" and ext_clip.task_kind.value == "extend"
    cov_clip = studio.library.get(cov.clip_ids[1])
    assert cov_clip.lineage.audio_weight == 0.7 and cov_clip.lineage.parent_clip_id == "clip-1a"
    assert world.submissions[1][1].continue_at == 1.25


async def test_upload_extend_stores_the_uploaded_source_and_its_url(make_studio, world):
    studio = await make_studio()
    url = "https://files.example.com/demo/night-drive.mp3"
    from sonic_studio.emulator import synth

    world.media["/demo/night-drive.mp3"] = synth.song_mp3(seed=3, seconds=4.0, vocal=False)  # checked before sending
    task = await studio.tasks.submit_upload_extend(url, 30.0, params(), auto_concat=True)
    assert task.source_clip is not None
    source = studio.library.get(task.source_clip)
    assert source.origin is Origin.UPLOADED and source.lineage.source_url == url
    assert source.title == "night-drive"
    done = await studio.tasks.wait(task.id, timeout=20)
    child = studio.library.get(done.clip_ids[0])
    assert child.lineage.source_url == url and child.lineage.params["auto_concat"] is True
    assert child.lineage.parent_clip == task.source_clip


async def test_local_file_on_sonic_needs_a_public_url_and_nothing_is_sent(make_studio, world, tmp_path):
    studio = await make_studio()
    song = tmp_path / "song.mp3"
    song.write_bytes(b"ID3 not really audio")
    with pytest.raises(ValidationError, match="public URL"):
        await studio.tasks.upload(song)
    with pytest.raises(ValidationError, match="public URL"):
        await studio.tasks.submit_upload_cover(song, params(audio_weight=0.5))
    assert world.submissions == [] and studio.tasks.list() == []
    with pytest.raises(ValidationError, match="http"):
        await studio.tasks.upload("ftp://example.com/a.mp3")


async def test_local_file_on_sunoapi_is_hosted_then_used(make_studio, tmp_path):
    suno = FakeWorld(ProviderId.SUNOAPI)
    studio = await make_studio(start=False, w=suno)
    studio.settings.provider = "sunoapi"
    await studio.start()
    from sonic_studio.emulator import synth

    song = tmp_path / "my song.mp3"
    song.write_bytes(synth.song_mp3(seed=5, seconds=3.0, vocal=False))
    sp = GenerationParams(model="V4_5", lyrics="words", tags="pop", title="T", audio_weight=0.4)
    task = await studio.tasks.submit_upload_cover(song, sp)
    assert task.source_url.endswith("/uploads/my song.mp3")
    assert [kind for kind, _ in suno.submissions] == ["upload_file", "upload_cover"]
    missing = tmp_path / "missing.mp3"
    with pytest.raises(ValidationError, match="no file"):
        await studio.tasks.upload(missing)


async def test_generate_with_persona_is_traceable(make_studio, world, monkeypatch):
    # The AI Music API lists persona creation as Unavailable; the fake provider keeps it on
    # so the persona bookkeeping is still exercised.
    real = fakes.capabilities
    monkeypatch.setattr(fakes, "capabilities", lambda p: dataclasses.replace(real(p), persona_create_available=True))
    studio = await make_studio()
    first = await studio.tasks.wait((await studio.tasks.submit_generate(params())).id, timeout=20)
    with pytest.raises(ValidationError):
        await studio.personas.create(first.clip_ids[0], "", "warm voice")
    persona = await studio.personas.create(first.clip_ids[0], "Warm", "warm voice", "pop")
    assert persona.source_clip_id == "clip-1a" and studio.personas.list("warm")[0].id == persona.id
    done = await studio.tasks.wait(
        (await studio.tasks.submit_generate(params(persona_id=persona.persona_id))).id, timeout=20)
    assert "Warm" in done.title
    rows = await studio.library.query(ClipQuery(persona_id=persona.persona_id))
    assert {r.id for r in rows} == set(done.clip_ids)
    assert studio.personas.rename(persona.id, "Warmer").name == "Warmer"
    assert studio.personas.set_notes(persona.id, "ballads").notes == "ballads"
    studio.personas.delete_local(persona.id)
    assert studio.personas.list() == []


# ---------------------------------------------------------------------------- library, settings
async def test_library_rename_delete_undo_purge(make_studio):
    studio = await make_studio()
    done = await studio.tasks.wait((await studio.tasks.submit_generate(params())).id, timeout=20)
    removed: list[int] = []
    studio.events.subscribe(events.ClipRemoved, lambda e: removed.append(e.clip_id))
    clip = done.clip_ids[0]
    assert studio.library.rename(clip, " New name ").title == "New name"
    assert (await studio.library.query(ClipQuery(text="new name")))[0].id == clip
    path = Path(studio.library.get(clip).audio_path)
    studio.library.delete(clip)
    assert removed == [clip] and clip not in {r.id for r in await studio.library.query()}
    assert studio.library.restore(clip).deleted is False and path.exists()
    studio.library.delete(clip)
    assert await studio.library.purge_deleted() == 1
    assert not path.exists() and studio.library.count() == 1


async def test_configure_switches_provider_and_saves_settings_without_the_key(make_studio, sandbox, memory_keyring):
    studio = await make_studio()
    changed: list[events.ProviderChanged] = []
    studio.events.subscribe(events.ProviderChanged, changed.append)
    key_events: list[events.KeyStatusChanged] = []
    studio.events.subscribe(events.KeyStatusChanged, key_events.append)
    status = await studio.configure(provider="sunoapi", api_key="sk-another-FAKE-key-42")
    assert studio.provider_id is ProviderId.SUNOAPI and status.source == "keyring"
    assert key_events[-1].status == status and studio.has_key()
    assert changed[-1].provider is ProviderId.SUNOAPI
    assert (await studio.active_provider()).id is ProviderId.SUNOAPI
    with pytest.raises(ValidationError, match="unencrypted"):
        await studio.configure(base_url="http://example.com")
    await studio.configure(base_url="https://proxy.example.com/")
    assert (await studio.active_provider()).base_url == "https://proxy.example.com"
    text = (sandbox / "settings.json").read_text()
    assert "sk-another" not in text and FAKE_KEY not in text and "proxy.example.com" in text
    assert Settings.load(sandbox).provider == "sunoapi"


async def test_loopback_base_url_uses_the_demo_key_never_the_real_one(make_studio, world):
    studio = await make_studio(start=False)
    studio.settings.demo = True
    studio.settings.demo_base_url = "http://127.0.0.1:9"
    await studio.start()
    assert studio.demo and studio.has_key()
    await studio.active_provider()
    assert world.keys_seen[-1] != FAKE_KEY
    assert (await studio.key_status()).source == "demo"


async def test_poll_interval_priority(make_studio, monkeypatch):
    studio = await make_studio(poll_interval=None)
    real = "https://api.aimusicapi.ai"
    assert studio.cadence(ProviderId.SONIC, real).ceiling == 25.0
    assert studio.cadence(ProviderId.SUNOAPI, "https://api.sunoapi.org").ceiling == 30.0
    assert studio.cadence(ProviderId.SONIC, "http://127.0.0.1:8787").ceiling <= 1.0
    studio.settings.poll_interval = 3.0
    assert studio.cadence(ProviderId.SONIC, real).start == 3.0
    monkeypatch.setenv("SONIC_STUDIO_POLL_INTERVAL", "2")
    assert studio.cadence(ProviderId.SONIC, real).start == 2.0
    cli = await make_studio(poll_interval=0.5)
    assert cli.cadence(ProviderId.SONIC, real).start == 0.5
    assert os.environ["SONIC_STUDIO_POLL_INTERVAL"] == "2"


async def test_a_crashing_adapter_leaves_the_task_stalled_not_busy(make_studio, world):
    studio = await make_studio()
    world.poll_errors.append(KeyError("adapter bug"))
    task = await studio.tasks.submit_generate(params())
    stalled = await studio.tasks.wait(task.id, timeout=10)
    assert stalled.state is TaskState.STALLED and "internal error" in stalled.detail
    await studio.tasks.check_again(task.id)
    assert (await studio.tasks.wait(task.id, timeout=10)).state is TaskState.SUCCEEDED


async def test_check_again_on_a_saved_task_never_turns_it_into_a_failure(make_studio, world):
    studio = await make_studio()
    done = await studio.tasks.wait((await studio.tasks.submit_generate(params())).id, timeout=20)
    world.poll_errors.append(NotFoundError())
    await studio.tasks.check_again(done.id)
    again = await studio.tasks.wait(done.id, timeout=10)
    assert again.state is TaskState.SUCCEEDED and "Check failed" in again.detail
    assert all(Path(studio.library.get(c).audio_path).exists() for c in again.clip_ids)


def test_event_hub_isolates_failing_subscribers_and_unsubscribes(caplog):
    hub = events.EventHub()
    got: list[events.Event] = []

    def broken(event: events.Event) -> None:
        raise RuntimeError("subscriber bug")

    hub.subscribe(None, broken)
    stop = hub.subscribe(events.ClipRemoved, got.append)
    hub.emit(events.ClipRemoved(3))
    hub.emit(events.PersonaRemoved(4))  # not subscribed to by the second callback
    stop()
    hub.emit(events.ClipRemoved(5))
    assert got == [events.ClipRemoved(3)]
    assert "subscriber failed" in caplog.text
