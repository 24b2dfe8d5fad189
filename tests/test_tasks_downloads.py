"""Downloads into the library: atomic, complete, capped, http(s) only, decodable, keyless."""

from __future__ import annotations

import re

import httpx
import pytest

from sonic_studio.emulator import synth
from sonic_studio.services import downloads
from sonic_studio.services.downloads import Downloader, DownloadError, library_file

SONG = synth.song_mp3(seed=3, seconds=2.0, vocal=False)


def client_for(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_complete_file_lands_atomically(tmp_path):
    async with client_for(lambda r: httpx.Response(200, content=SONG)) as client:
        dest = tmp_path / "lib" / "a.mp3"
        await Downloader(client).fetch("https://cdn.example/a.mp3", dest, audio=True)
    assert dest.read_bytes() == SONG
    assert [p.name for p in dest.parent.iterdir()] == ["a.mp3"]


@pytest.mark.parametrize("url", ["ftp://cdn.example/a.mp3", "file:///etc/passwd", "", "https:///nohost"])
async def test_only_http_links_are_followed(tmp_path, url):
    async with client_for(lambda r: httpx.Response(200, content=SONG)) as client:
        with pytest.raises(DownloadError, match="not http"):
            await Downloader(client).fetch(url, tmp_path / "a.mp3", audio=True)


async def test_size_cap_stops_a_runaway_download(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "MAX_AUDIO_BYTES", 1000)
    async with client_for(lambda r: httpx.Response(200, content=SONG)) as client:
        with pytest.raises(DownloadError, match="too large|larger"):
            await Downloader(client).fetch("https://cdn.example/a.mp3", tmp_path / "a.mp3", audio=True)
    assert list(tmp_path.iterdir()) == []


async def test_short_body_is_retried_then_reported(tmp_path):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, content=SONG[:500], headers={"content-length": str(len(SONG))})

    async with client_for(handler) as client:
        with pytest.raises(DownloadError) as info:
            await Downloader(client, attempts=3, retry_delay=0.001).fetch(
                "https://cdn.example/a.mp3", tmp_path / "a.mp3", audio=True)
    assert info.value.transient and len(calls) == 3
    assert list(tmp_path.iterdir()) == []


async def test_gone_is_permanent_and_not_retried(tmp_path):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(410)

    async with client_for(handler) as client:
        with pytest.raises(DownloadError, match="expired") as info:
            await Downloader(client, retry_delay=0.001).fetch("https://cdn.example/a.mp3", tmp_path / "a.mp3",
                                                              audio=True)
    assert not info.value.transient and len(calls) == 1


async def test_no_key_and_no_auth_header_go_to_the_file_host(tmp_path):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, content=synth.cover_png(seed=1))

    async with client_for(handler) as client:
        await Downloader(client).fetch("https://cdn.example/a.png", tmp_path / "a.png", audio=False)
    assert "authorization" not in seen[0].headers


def test_library_file_names_are_readable_and_safe(tmp_path):
    path = library_file(tmp_path, "sonic", "ab/../cd", "Night Drive: Part II?", "https://x/y.WAV?sig=1", audio=True)
    assert path.parent == tmp_path / "sonic"
    assert re.fullmatch(r"Night-Drive-Part-II-ab_cd-[0-9a-f]{16}\.wav", path.name), path.name
    assert re.fullmatch(r"clip-id-[0-9a-f]{16}\.jpg", library_file(tmp_path, "sunoapi", "id", "", None, audio=False).name)


def test_library_file_names_are_one_to_one_per_provider_and_clip(tmp_path):
    ids = ["X.1", "X/1", "X 1", "X_1", "..", ".", " ", "🎵", "🎶", "a" * 300, "a" * 301]
    names = {library_file(tmp_path, "sonic", cid, "Same title", None, audio=True) for cid in ids}
    assert len(names) == len(ids)
    assert library_file(tmp_path, "sonic", "X.1", "t", None, audio=True).name != \
        library_file(tmp_path, "sunoapi", "X.1", "t", None, audio=True).name
    for path in names:
        assert path.parent == tmp_path / "sonic" and len(path.name.encode()) <= 200
