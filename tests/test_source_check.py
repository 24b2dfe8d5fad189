"""Links are checked before they count: a web page, a missing file or text is refused before
the provider is asked (or charged), with a sentence saying what is wrong; real audio passes.

The links are served by a real HTTP server on 127.0.0.1; the providers are the emulator.
"""

from __future__ import annotations

import pytest
from hostile_server import HostileServer, respond

from sonic_studio.core.errors import ValidationError
from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.emulator.server import EmulatorServer
from sonic_studio.services.settings import Settings
from sonic_studio.services.source_check import PEEK_BYTES
from sonic_studio.services.studio import Studio

PAGE = b"<!doctype html><html><head><title>My song</title></head><body>Listen here!</body></html>"
AUDIO = synth.song_mp3(seed=5, seconds=20.0, vocal=False)

REFUSALS = [
    ("/page.html", respond(PAGE, headers={"Content-Type": "text/html; charset=utf-8"}), "opens a web page"),
    ("/gone.mp3", respond(b"Not found", status=404, headers={"Content-Type": "text/plain"}), "no file at that link"),
    ("/private.mp3", respond(b"Forbidden", status=403), "refused to hand out the file"),
    ("/notes.txt", respond(b"verse one\nchorus\n", headers={"Content-Type": "text/plain"}), "serves text/plain"),
    ("/disguised.mp3", respond(PAGE * 50, headers={"Content-Type": "audio/mpeg"}), "is not audio that can be played"),
    ("/empty.mp3", respond(b"", headers={"Content-Type": "audio/mpeg"}), "is empty"),
]


@pytest.fixture
def provider_emulator():
    emulator = Emulator(timing=Timing.instant())
    server = EmulatorServer(emulator)
    emulator.base_url = server.start_in_thread()
    yield emulator
    server.stop_thread()


@pytest.fixture
async def host():
    async with HostileServer() as server:
        for path, handler, _ in REFUSALS:
            server.routes[path] = handler
        server.routes["/song.mp3"] = respond(AUDIO, headers={"Content-Type": "audio/mpeg"})
        yield server


@pytest.fixture
async def studio_on(provider_emulator, tmp_path):
    made = []

    async def make(provider: str) -> Studio:
        settings = Settings.load(tmp_path)
        settings.provider, settings.demo, settings.demo_base_url = provider, True, provider_emulator.base_url
        studio = Studio(settings, data_dir=tmp_path, poll_interval=0.05)
        await studio.start()
        made.append(studio)
        return studio

    yield make
    for studio in made:
        await studio.aclose()


def posts(emulator: Emulator) -> list[str]:
    return [r.path for r in emulator.requests if r.method == "POST"]


@pytest.mark.parametrize("path, _, sentence", REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_a_link_that_is_not_audio_is_refused_before_the_provider_hears_of_it(
        studio_on, provider_emulator, host, path, _, sentence):
    for provider in ("sonic", "sunoapi"):
        studio = await studio_on(provider)
        before = dict(provider_emulator.credits)
        with pytest.raises(ValidationError, match=sentence) as refused:
            await studio.tasks.upload(host.url(path))
        assert "nothing was sent or charged" in str(refused.value).lower()
        with pytest.raises(ValidationError, match=sentence):
            await studio.tasks.submit_upload_cover(host.url(path), GenerationParams(
                model=studio.settings.default_model(studio.provider_id), lyrics="la", tags="pop", title="T",
                audio_weight=0.5))
        assert posts(provider_emulator) == [] and provider_emulator.credits == before
        assert await studio.library.query() == [] and studio.tasks.list() == []
        await studio.aclose()


async def test_the_check_reads_only_the_start_of_the_file(studio_on, provider_emulator, host):
    studio = await studio_on("sunoapi")
    row = await studio.tasks.upload(host.url("/song.mp3"))  # sunoapi.org takes the link itself
    assert row.audio_path and abs(row.duration - 20.0) < 0.5
    first = next(headers for path, headers in host.requests if path == "/song.mp3")
    assert first["range"] == f"bytes=0-{PEEK_BYTES - 1}" and "authorization" not in first


async def test_the_demo_samples_still_upload(studio_on, provider_emulator):
    studio = await studio_on("sonic")
    row = await studio.tasks.upload(f"{provider_emulator.base_url}/samples/night-drive.mp3")
    assert row.audio_path and posts(provider_emulator) == ["/api/v1/sonic/upload"]
