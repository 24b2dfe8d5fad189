"""The demo emulator's state folder: what it made survives a restart, and a bad folder never crashes it.

Each "restart" is a new ``Emulator`` loading the same folder, as a new demo process does.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from conftest import FAKE_KEY, wait_until

from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.emulator.state_folder import STATE_FILE, VERSION, StateKeeper, last_port

BASE = "http://127.0.0.1:8787"
AUTH = {"Authorization": f"Bearer {FAKE_KEY}"}
SAMPLE = f"{BASE}/samples/night-drive.mp3"
SONG = {"mv": "sonic-v5", "custom_mode": True, "prompt": "[Verse]\nla la", "tags": "pop", "title": "First"}


def start(folder, timing: Timing | None = None) -> tuple[Emulator, StateKeeper]:
    emu = Emulator(timing=timing or Timing.instant(), valid_keys={FAKE_KEY}, public_base=BASE)
    return emu, StateKeeper(emu, folder)


async def call(emu: Emulator, method: str, path: str, body: dict | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emu)) as client:
        return await client.request(method, f"{BASE}{path}", json=body, headers=AUTH)


async def finished(emu: Emulator, task_id: str) -> list[dict]:
    await wait_until(lambda: emu.state["sonic"].renders_done(task_id), timeout=60)
    deadline = time.monotonic() + 10
    while True:
        reply = (await call(emu, "GET", f"/api/v1/sonic/task/{task_id}")).json()
        if "data" in reply and all(c["state"] in ("succeeded", "failed") for c in reply["data"]):
            break
        assert time.monotonic() < deadline, reply
        await asyncio.sleep(0.05)
    assert all(c["state"] == "succeeded" for c in reply["data"]), reply
    return reply["data"]


async def test_clips_personas_uploads_and_credits_survive_a_restart(tmp_path):
    folder = tmp_path / "demo"
    emu, keeper = start(folder)
    uploaded = (await call(emu, "POST", "/api/v1/sonic/upload", {"url": SAMPLE})).json()["clip_id"]
    task_id = (await call(emu, "POST", "/api/v1/sonic/create", SONG)).json()["task_id"]
    clips = await finished(emu, task_id)
    vox = (await call(emu, "POST", "/api/v1/sonic/vox", {"clip_id": clips[0]["clip_id"], "vocal_start_s": 10,
                                                          "vocal_end_s": 30})).json()["data"]["vox_audio_id"]
    persona = (await call(emu, "POST", "/api/v1/sonic/persona", {
        "name": "Night voice", "clip_id": clips[0]["clip_id"], "vox_audio_id": vox,
        "vocal_start_s": 10, "vocal_end_s": 30})).json()["persona_id"]
    credits = emu.credits["sonic"]
    assert credits < 500
    keeper.port = 43210
    keeper.save()

    again, keeper2 = start(folder)
    assert keeper2.message is None and last_port(folder) == 43210
    assert again.credits["sonic"] == credits
    # Yesterday's clip is still there, with its audio, and can be extended. Its audio is restored in the
    # background after a restart, so the task is polled until it reads as finished, as the app does.
    assert [c["clip_id"] for c in await finished(again, task_id)] == [c["clip_id"] for c in clips]
    audio = await call(again, "GET", clips[0]["audio_url"].replace(BASE, ""))
    assert audio.status_code == 200 and audio.content[:3] in (b"ID3", b"\xff\xfb")
    extend = await call(again, "POST", "/api/v1/sonic/create", {**SONG, "task_type": "extend_music",
                                                                 "continue_clip_id": clips[0]["clip_id"],
                                                                 "continue_at": 20})
    assert extend.status_code == 200, extend.text
    await finished(again, extend.json()["task_id"])
    # The persona and the upload are known.
    with_persona = await call(again, "POST", "/api/v1/sonic/create",
                              {**SONG, "task_type": "persona_music", "persona_id": persona})
    assert with_persona.status_code == 200, with_persona.text
    cover = await call(again, "POST", "/api/v1/sonic/create", {**SONG, "task_type": "cover_upload_music",
                                                                "continue_clip_id": uploaded})
    assert cover.status_code == 200, cover.text
    await finished(again, cover.json()["task_id"])


async def test_a_task_unfinished_at_close_finishes_after_the_restart(tmp_path):
    folder = tmp_path / "demo"
    slow = Timing(queue=0.2, first_clip=0.5, second_clip=0.8, concat=0.2)
    emu, keeper = start(folder, slow)
    task_id = (await call(emu, "POST", "/api/v1/sonic/create", SONG)).json()["task_id"]
    keeper.save()  # at once: neither clip has been rendered yet

    again, _ = start(folder, slow)
    clips = await finished(again, task_id)
    assert len(clips) == 2 and all(c["audio_url"] for c in clips)


async def test_a_sunoapi_task_and_upload_survive_a_restart(tmp_path):
    folder = tmp_path / "demo"
    emu, keeper = start(folder)
    hosted = await call(emu, "POST", "/api/file-url-upload", {"fileUrl": SAMPLE, "uploadPath": "x"})
    link = hosted.json()["data"]["downloadUrl"]
    body = {"customMode": False, "instrumental": False, "prompt": "a calm song", "model": "V5",
            "callBackUrl": "https://example.com/cb"}
    task_id = (await call(emu, "POST", "/api/v1/generate", body)).json()["data"]["taskId"]
    keeper.save()

    again, _ = start(folder)
    assert (await call(again, "GET", link.replace(BASE, ""))).status_code == 200
    info = (await call(again, "GET", f"/api/v1/generate/record-info?taskId={task_id}")).json()
    assert info["code"] == 200 and info["data"]["status"] == "SUCCESS"


def test_a_corrupt_state_is_set_aside_with_a_message(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / STATE_FILE).write_text("{ not json")
    emu, keeper = start(folder)
    assert "could not be read" in keeper.message and "starts fresh" in keeper.message
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("demo.set-aside-")]
    assert len(aside) == 1 and (aside[0] / STATE_FILE).read_text() == "{ not json"
    assert emu.state["sonic"].clips == {} and emu.credits["sonic"] == 500


def test_a_newer_state_is_set_aside_not_overwritten(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / STATE_FILE).write_text(json.dumps({"version": VERSION + 1, "credits": {"sonic": 3}}))
    emu, keeper = start(folder)
    assert "newer Sonic Studio" in keeper.message
    assert emu.credits["sonic"] == 500
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("demo.set-aside-")]
    assert json.loads((aside / STATE_FILE).read_text())["version"] == VERSION + 1


def test_a_state_of_the_right_version_but_wrong_shape_starts_fresh(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / STATE_FILE).write_text(json.dumps({"version": VERSION, "credits": {"sonic": 3}}))
    emu, keeper = start(folder)
    assert keeper.message and "starts fresh" in keeper.message
    assert emu.credits["sonic"] == 500 and not (folder / STATE_FILE).exists()
