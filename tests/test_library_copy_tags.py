"""The library's own copies: tagged like an export, with the user's umask mode (not 0600).

A real generation against the emulator (in-process ASGI); the downloaded file is read
back with mutagen and its mode compared with what the umask allows.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY
from mutagen.id3 import ID3

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.services import Settings, Studio
from sonic_studio.services.keys import KEY_ENV
from sonic_studio.store import TaskState


@pytest.fixture
def studio_factory(sandbox, monkeypatch):
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    emulator = Emulator(timing=Timing.instant(), valid_keys={FAKE_KEY}, public_base="http://127.0.0.1:8787")

    async def make() -> Studio:
        settings = Settings(provider="sunoapi", path=sandbox / "settings.json")
        settings.base_urls["sunoapi"] = emulator.public_base
        studio = Studio(settings, data_dir=sandbox, transport=httpx.ASGITransport(app=emulator),
                        poll_interval=0.05, download_retry_delay=0.01)
        await studio.start()
        return studio

    return make


@pytest.mark.parametrize("mask", [0o022, 0o027])
async def test_downloaded_takes_are_tagged_and_follow_the_umask(studio_factory, mask):
    previous = os.umask(mask)
    studio = await studio_factory()
    try:
        params = GenerationParams(model="V4_5", lyrics="[Verse]\nneon on the water", tags="synthwave",
                                  title="Night Drive")
        task = await studio.tasks.submit_generate(params)
        done = await studio.tasks.wait(task.id, timeout=30)
        assert done.state is TaskState.SUCCEEDED, done.detail
        for number, clip_id in enumerate(done.clip_ids, start=1):
            clip = studio.library.get(clip_id)
            path = Path(clip.audio_path)
            assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
            assert stat.S_IMODE(Path(clip.image_path).stat().st_mode) == 0o666 & ~mask
            id3 = ID3(path)
            assert str(id3["TIT2"]) == f"Night Drive (take {number})"
            assert str(id3["TPE1"]) == "Sonic Studio"
            assert str(id3["TALB"]) == "Night Drive"
            assert id3.getall("USLT")[0].text == "[Verse]\nneon on the water"
            assert id3.getall("APIC")[0].data == Path(clip.image_path).read_bytes()
            comment = id3.getall("COMM")[0].text[0]
            assert "Style: synthwave" in comment and f"clip {clip.clip_id}" in comment
            assert str(id3["TDRC"]).startswith(time.strftime("%Y-%m-%d", time.localtime(clip.created_at)))
        assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp copies left
    finally:
        await studio.aclose()
        os.umask(previous)
