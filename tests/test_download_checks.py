"""Checking downloads at scale: one cheap structural check per file, never a full decode of a long one.

Issue 16: decoding every download end to end with ffmpeg made 200 tasks CPU-bound.
Each file now gets one ffmpeg run that demuxes every packet (their timestamps say how
long it really plays) and decodes only the first ``DECODE_SECONDS`` (all of a short
clip); checks run at most ``CHECKS`` at a time, after the download slot is given back.
The #14 guarantees (cut audio refused, gzip accepted) are in test_hostile_downloads.py.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from hostile_server import HostileServer, cut_without_length, respond

from sonic_studio.emulator import synth
from sonic_studio.services import downloads, media
from sonic_studio.services.downloads import Downloader, DownloadError
from sonic_studio.services.media import NotPlayable, structure_check

LONG = synth.song_mp3(seed=7, seconds=45.0, vocal=False)
SHORT = synth.song_mp3(seed=8, seconds=12.0, vocal=False)


@pytest.fixture
async def server():
    async with HostileServer(lifetime=60) as srv:
        yield srv


@pytest.fixture
async def client():
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def ffmpeg_runs(monkeypatch):
    """The argument lists of every ffmpeg run the checks start."""
    runs = []
    real = media._run

    def recording(args, timeout):
        runs.append(args)
        return real(args, timeout)

    monkeypatch.setattr(media, "_run", recording)
    return runs


async def test_a_long_song_is_checked_by_one_run_that_decodes_only_its_start(server, client, tmp_path,
                                                                              ffmpeg_runs):
    server.routes["/long.mp3"] = respond(LONG)
    dest = tmp_path / "long.mp3"
    await Downloader(client, retry_delay=0.01).fetch(server.url("/long.mp3"), dest, audio=True,
                                                     expected_seconds=45.0)
    assert dest.read_bytes() == LONG
    [args] = ffmpeg_runs
    decoded = args[args.index("-t") + 1]
    assert float(decoded) == downloads.DECODE_SECONDS < 45.0  # the rest is demuxed, not decoded
    assert structure_check(dest, 1.0) == pytest.approx(45.0, abs=0.2)


async def test_a_long_song_cut_on_the_way_is_refused_although_its_header_announces_all_of_it(
        server, client, tmp_path):
    server.routes["/long.mp3"] = cut_without_length(LONG, keep=0.5)
    dest = tmp_path / "long.mp3"
    with pytest.raises(DownloadError) as raised:
        await Downloader(client, attempts=1).fetch(server.url("/long.mp3"), dest, audio=True,
                                                   expected_seconds=45.0)
    assert "cut off" in str(raised.value) and "of the 45 s song" in str(raised.value)
    assert raised.value.transient and not list(tmp_path.iterdir())


@pytest.mark.parametrize("body", [b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff" * 2048, b"\x00" * 9000,
                                  b"<html><body>Service unavailable</body></html>" * 40])
def test_the_structural_check_refuses_what_is_not_audio(tmp_path, body):
    path = tmp_path / "x.mp3"
    path.write_bytes(body)
    with pytest.raises(NotPlayable):
        structure_check(path, downloads.DECODE_SECONDS)


async def test_checks_run_at_most_two_at_once_and_do_not_hold_a_download_slot(
        server, client, tmp_path, monkeypatch):
    running, most, release = [0], [0], threading.Event()
    lock = threading.Lock()

    def slow_check(path, expected):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1

    monkeypatch.setattr(downloads, "_verify_audio", slow_check)
    for n in range(5):
        server.routes[f"/{n}.mp3"] = respond(SHORT)
    loader = Downloader(client, concurrency=1)  # one download slot: two checks at once prove it is free
    jobs = [asyncio.ensure_future(loader.fetch(server.url(f"/{n}.mp3"), tmp_path / f"{n}.mp3", audio=True))
            for n in range(5)]
    while running[0] < downloads.CHECKS:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # time for a third check to start, if anything let it
    assert most[0] == downloads.CHECKS == 2
    release.set()
    await asyncio.wait_for(asyncio.gather(*jobs), 20)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.mp3" for n in range(5)]
