"""Checking downloads at scale: a structural check for every file, a full decode only where cheap.

Issue 16: decoding every download end to end with ffmpeg made 200 tasks CPU-bound.
Each file is now demuxed in-process (audio.check) - its packets say how long it really
plays - and a full ffmpeg decode happens only without PyAV; checks run at most
``CHECKS`` at a time, after the download slot is given back.  The #14 guarantees
(cut audio refused, gzip accepted) are in test_hostile_downloads.py and hold here too.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from hostile_server import HostileServer, cut_without_length, respond

from sonic_studio.audio.check import NotAudio, structure
from sonic_studio.emulator import synth
from sonic_studio.services import downloads
from sonic_studio.services.downloads import Downloader, DownloadError

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
def no_ffmpeg_decode(monkeypatch):
    def refuse(*_args, **_kw):
        raise AssertionError("a full ffmpeg decode was started")

    monkeypatch.setattr(downloads, "decode_check", refuse)
    monkeypatch.setattr(downloads, "probe_duration", refuse)


async def test_a_long_song_is_accepted_from_its_structure_without_a_full_decode(
        server, client, tmp_path, no_ffmpeg_decode):
    server.routes["/long.mp3"] = respond(LONG)
    dest = tmp_path / "long.mp3"
    await Downloader(client, retry_delay=0.01).fetch(server.url("/long.mp3"), dest, audio=True,
                                                     expected_seconds=45.0)
    assert dest.read_bytes() == LONG
    assert structure(dest).seconds == pytest.approx(45.0, abs=0.2)


async def test_a_long_song_cut_on_the_way_is_refused_although_its_header_announces_all_of_it(
        server, client, tmp_path, no_ffmpeg_decode):
    server.routes["/long.mp3"] = cut_without_length(LONG, keep=0.5)
    dest = tmp_path / "long.mp3"
    with pytest.raises(DownloadError) as raised:
        await Downloader(client, attempts=1).fetch(server.url("/long.mp3"), dest, audio=True,
                                                   expected_seconds=45.0)
    assert "cut off" in str(raised.value) and "of the 45 s song" in str(raised.value)
    assert raised.value.transient and not list(tmp_path.iterdir())


@pytest.mark.parametrize("body", [b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff" * 2048, b"\x00" * 9000])
def test_the_structural_check_refuses_what_is_not_audio(tmp_path, body):
    path = tmp_path / "x.mp3"
    path.write_bytes(body)
    with pytest.raises(NotAudio):
        structure(path)


async def test_without_pyav_ffmpeg_decodes_the_whole_file_and_still_refuses_cut_audio(
        server, client, tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "structure", lambda *_a, **_k: None)
    decoded = []
    real = downloads.decode_check
    monkeypatch.setattr(downloads, "decode_check", lambda path: decoded.append(path) or real(path))
    server.routes["/cut.mp3"] = cut_without_length(SHORT, keep=0.4)
    server.routes["/whole.mp3"] = respond(SHORT)
    loader = Downloader(client, attempts=1)
    with pytest.raises(DownloadError, match="cut off"):
        await loader.fetch(server.url("/cut.mp3"), tmp_path / "cut.mp3", audio=True, expected_seconds=12.0)
    await loader.fetch(server.url("/whole.mp3"), tmp_path / "whole.mp3", audio=True, expected_seconds=12.0)
    assert (tmp_path / "whole.mp3").read_bytes() == SHORT and len(decoded) == 2


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
