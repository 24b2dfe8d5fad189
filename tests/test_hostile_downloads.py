"""Downloads against an unkind file host: slow, compressed, cut short without saying so.

Each case is served by ``hostile_server.HostileServer`` on 127.0.0.1 through real
sockets and the real httpx client, and checks what ends up in the library (or not)
and how long the user waits.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY
from hostile_server import HostileServer, cut_without_length, dribble, gzipped, respond
from support import audio_payload
from test_tasks import params, world  # noqa: F401  (fixture)

from sonic_studio.emulator import synth
from sonic_studio.services import Settings, Studio, downloads, polling
from sonic_studio.services.downloads import Downloader, DownloadError
from sonic_studio.services.keys import SERVICE
from sonic_studio.store import TaskState

SONG = synth.song_mp3(seed=5, seconds=2.0, vocal=False)
LONG_SONG = synth.song_mp3(seed=6, seconds=12.0, vocal=False)


@pytest.fixture
async def server():
    async with HostileServer(lifetime=60) as srv:
        yield srv


@pytest.fixture
async def client():
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def impatient(monkeypatch):
    """Scaled-down throughput rule, so a "slow" host is found out in a second, not minutes."""
    monkeypatch.setattr(downloads, "GRACE", 0.5)
    monkeypatch.setattr(downloads, "MIN_THROUGHPUT", 4000)


async def test_gzip_encoded_valid_mp3_is_accepted_and_identity_was_asked(server, client, tmp_path):
    server.routes["/song.mp3"] = gzipped(SONG)
    dest = tmp_path / "song.mp3"
    await Downloader(client, retry_delay=0.01).fetch(server.url("/song.mp3"), dest, audio=True)
    assert dest.read_bytes() == SONG
    assert server.requests[0][1]["accept-encoding"] == "identity"


async def test_audio_cut_without_content_length_is_refused_as_cut_off(server, client, tmp_path):
    server.routes["/song.mp3"] = cut_without_length(LONG_SONG, keep=0.4)
    dest = tmp_path / "song.mp3"
    with pytest.raises(DownloadError) as raised:
        await Downloader(client, retry_delay=0.01).fetch(server.url("/song.mp3"), dest, audio=True,
                                                         expected_seconds=12.0)
    assert "cut off" in str(raised.value) and raised.value.transient
    assert len(server.requests) == 3  # retried: a later fetch may well be complete
    assert not dest.exists() and not list(tmp_path.iterdir())


async def test_a_slow_host_gives_up_its_slot_so_other_downloads_finish(server, client, tmp_path, impatient):
    for n in range(4):
        server.routes[f"/slow{n}.mp3"] = dribble(SONG, per_tick=1, tick=0.1)
    server.routes["/fast.mp3"] = respond(SONG)
    loader = Downloader(client, concurrency=4, attempts=2, retry_delay=0.01)
    slow = [asyncio.ensure_future(loader.fetch(server.url(f"/slow{n}.mp3"), tmp_path / f"s{n}.mp3", audio=True))
            for n in range(4)]
    await asyncio.sleep(0.05)  # the four slow ones hold every slot first
    started = time.monotonic()
    await loader.fetch(server.url("/fast.mp3"), tmp_path / "fast.mp3", audio=True)
    assert time.monotonic() - started < 5
    results = await asyncio.wait_for(asyncio.gather(*slow, return_exceptions=True), 20)
    assert all(isinstance(r, DownloadError) and "too slowly" in str(r) for r in results)
    assert (tmp_path / "fast.mp3").read_bytes() == SONG


async def test_wait_returns_within_its_bound_with_a_refetchable_partial(
        server, world, sandbox, memory_keyring, monkeypatch, impatient):
    monkeypatch.setattr(downloads, "GRACE", 30.0)  # the host keeps up just enough: only the wait cap helps
    monkeypatch.setattr(downloads, "MIN_THROUGHPUT", 1)
    monkeypatch.setattr(polling, "DOWNLOAD_WINDOW", 1.0)
    memory_keyring.store[(SERVICE, "sonic")] = FAKE_KEY
    original = world.status

    def status(task_id):
        result = original(task_id)
        return result.__class__(result.task_id, result.state, error=result.error, clips=[
            c.with_(audio_url=server.url(f"/{c.id}.mp3"), image_url=None) for c in result.clips])

    world.status = status
    studio = Studio(Settings(path=sandbox / "settings.json"), data_dir=sandbox, provider_factory=world.factory,
                    poll_interval=0.01, max_wait=0.5, download_retry_delay=0.01)
    await studio.start()
    try:
        task = await studio.tasks.submit_generate(params())
        for clip_id in world.tasks[task.provider_task_id].clip_ids:
            server.routes[f"/{clip_id}.mp3"] = dribble(SONG, per_tick=1, tick=0.1)
        started = time.monotonic()
        done = await asyncio.wait_for(studio.tasks.wait(task.id), 15)
        assert time.monotonic() - started < 8
        assert done.state is TaskState.PARTIAL
        assert "Check again" in done.error.message
        assert not list(studio.library_dir.rglob("*.mp3"))

        for clip_id in world.tasks[task.provider_task_id].clip_ids:  # the host recovers
            server.routes[f"/{clip_id}.mp3"] = respond(SONG)
        await studio.tasks.check_again(task.id)
        again = await studio.tasks.wait(task.id, timeout=15)
        assert again.state is TaskState.SUCCEEDED, again.detail
        for clip in again.clip_ids:
            assert audio_payload(Path(studio.library.get(clip).audio_path).read_bytes()) == audio_payload(SONG)
        assert len(world.submissions) == 1
    finally:
        await studio.aclose()
