"""The emulated AI Music API on its own: the provider-side rules, spoken to in raw HTTP.

The adapter refuses most bad requests before sending them, so the emulator's own
validation (the real API's 400s), its bookkeeping and its audio are checked here
directly, the way a client with no local checks would meet them.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FAKE_KEY, wait_until

from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Timing

BASE = "http://127.0.0.1:8787"
AUTH = {"Authorization": f"Bearer {FAKE_KEY}"}
SAMPLE = f"{BASE}/samples/night-drive.mp3"
LYRICS = {"mv": "sonic-v5", "custom_mode": True, "prompt": "[Verse]\nla la", "tags": "pop"}


@pytest.fixture
def api(asgi_client, emulator):
    emulator.timing = Timing.instant()

    async def call(method: str, path: str, body: dict | None = None):
        return await asgi_client.request(method, f"{BASE}/api/v1{path}", json=body, headers=AUTH)

    return call


async def finished_task(api, emulator, body: dict) -> list[dict]:
    response = await api("POST", "/sonic/create", body)
    assert response.status_code == 200, response.text
    task_id = response.json()["task_id"]
    await wait_until(lambda: emulator.state["sonic"].renders_done(task_id), timeout=30)
    reply = (await api("GET", f"/sonic/task/{task_id}")).json()
    return reply["data"]


async def upload(api) -> str:
    response = await api("POST", "/sonic/upload", {"url": SAMPLE})
    assert response.json()["code"] == 200
    return response.json()["clip_id"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"mv": "sonic-v4-5-all"}, "invalid mv"),
        ({"mv": None}, "mv is required"),
        ({"task_type": "remix"}, "invalid task_type"),
        ({"custom_mode": "yes"}, "custom_mode must be a boolean"),
        ({"prompt": ""}, "prompt is required"),
        ({"custom_mode": False, "prompt": None}, "gpt_description_prompt is required"),
        ({"prompt": "x" * 5001}, "prompt is too long"),
        ({"tags": "x" * 1001}, "tags is too long"),
        ({"title": "x" * 81}, "title is too long"),
        ({"custom_mode": False, "gpt_description_prompt": "x" * 401}, "gpt_description_prompt is too long"),
        ({"style_weight": 1.01}, "style_weight must be between 0 and 1"),
        ({"weirdness_constraint": -0.5}, "weirdness_constraint must be between 0 and 1"),
        ({"audio_weight": True}, "audio_weight must be a number"),
        ({"vocal_gender": "x"}, "vocal_gender"),
        ({"task_type": "persona_music"}, "persona_id is required"),
        ({"task_type": "persona_music", "persona_id": "persona-nope"}, "persona not found"),
        ({"task_type": "extend_music", "continue_at": 5}, "continue_clip_id is required"),
        ({"task_type": "cover_music", "continue_clip_id": "nope"}, "continue_clip_id not found"),
        ({"task_type": "concat_music", "continue_clip_id": "nope"}, "continue_clip_id not found"),
    ],
)
async def test_create_rejects_like_the_real_api(api, emulator, changes, message):
    body = {k: v for k, v in {**LYRICS, **changes}.items() if v is not None}
    response = await api("POST", "/sonic/create", body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert emulator.credits["sonic"] == 500.0  # rejected requests cost nothing


async def test_chirp_aliases_are_accepted_and_reported_in_chirp_form(api, emulator):
    clips = await finished_task(api, emulator, {**LYRICS, "mv": "chirp-v4-5-plus"})
    assert [c["mv"] for c in clips] == ["chirp-v4-5-plus"] * 2
    clips = await finished_task(api, emulator, {**LYRICS, "mv": "sonic-v6-wild"})
    assert clips[0]["mv"] == "chirp-v6-wild"
    assert isinstance(clips[0]["duration"], str) and 95 <= float(clips[0]["duration"]) <= 150


async def test_generated_and_uploaded_clips_need_their_own_task_types(api, emulator):
    generated = (await finished_task(api, emulator, LYRICS))[0]["clip_id"]
    uploaded = await upload(api)
    cases = [
        ("extend_music", uploaded, "use extend_upload_music"),
        ("cover_music", uploaded, "use cover_upload_music"),
        ("extend_upload_music", generated, "use extend_music"),
        ("cover_upload_music", generated, "use cover_music"),
    ]
    for task_type, clip_id, hint in cases:
        body = {**LYRICS, "task_type": task_type, "continue_clip_id": clip_id, "continue_at": 10}
        response = await api("POST", "/sonic/create", body)
        assert (response.status_code, hint in response.json()["message"]) == (400, True), task_type


async def test_continue_at_must_lie_inside_the_source(api, emulator):
    uploaded = await upload(api)
    for at in (0, -1, 96.5, 500):
        body = {**LYRICS, "task_type": "extend_upload_music", "continue_clip_id": uploaded, "continue_at": at}
        response = await api("POST", "/sonic/create", body)
        assert response.status_code == 400 and "continue_at" in response.json()["message"]
    response = await api("POST", "/sonic/upload-extend", {**LYRICS, "url": SAMPLE, "continue_at": 100})
    assert response.status_code == 400 and "continue_at" in response.json()["message"]


async def test_concat_needs_an_extension(api, emulator):
    generated = (await finished_task(api, emulator, LYRICS))[0]["clip_id"]
    response = await api("POST", "/sonic/create", {"task_type": "concat_music", "continue_clip_id": generated})
    assert response.status_code == 400 and "extension" in response.json()["message"]


async def test_persona_is_unavailable_as_the_provider_lists_it(api, emulator):
    uploaded = await upload(api)
    response = await api("POST", "/sonic/persona", {"name": "V", "clip_id": uploaded, "describe": "d"})
    assert response.status_code == 400 and "unavailable" in response.json()["message"]
    assert emulator.state["sonic"].personas == {}


@pytest.fixture
def persona_on(emulator):
    emulator.state["sonic"].persona_available = True


@pytest.mark.parametrize(
    "window, message",
    [
        ({"vocal_start_s": 10, "vocal_end_s": 10, "vox_audio_id": "vox-1"}, "greater than"),
        ({"vocal_start_s": 10, "vocal_end_s": 40.5, "vox_audio_id": "vox-1"}, "at most 30"),
        ({"vocal_start_s": 90, "vocal_end_s": 100, "vox_audio_id": "vox-1"}, "inside the clip"),
        ({"vocal_start_s": 10}, "together"),
        ({"vocal_start_s": 10, "vocal_end_s": 20}, "vox_audio_id"),  # a window alone means nothing
    ],
)
async def test_persona_window_rules(api, emulator, persona_on, window, message):
    uploaded = await upload(api)
    body = {"name": "V", "clip_id": uploaded, "describe": "d", "styles": "s", **window}
    response = await api("POST", "/sonic/persona", body)
    assert response.status_code == 400 and message in response.json()["message"]


async def test_persona_needs_name_and_a_known_clip(api, persona_on):
    assert (await api("POST", "/sonic/persona", {"clip_id": "x"})).json()["message"] == "name and clip_id are required."
    response = await api("POST", "/sonic/persona", {"name": "V", "clip_id": "nope"})
    assert (response.status_code, response.json()["message"]) == (400, "clip not found.")


async def test_unknown_task_and_auth_replies(api, asgi_client):
    response = await api("GET", "/sonic/task/nope")
    assert (response.status_code, response.json()["message"]) == (400, "task not found.")
    response = await asgi_client.post(f"{BASE}/api/v1/sonic/create", json=LYRICS, headers={"Authorization": "Basic abc"})
    assert (response.status_code, response.json()["message"]) == (401, "Invalid authorization format.")


async def test_upload_needs_credits_and_a_url(api, emulator):
    assert (await api("POST", "/sonic/upload", {})).json()["message"] == "url is required."
    emulator.credits["sonic"] = 1.0
    response = await api("POST", "/sonic/upload", {"url": SAMPLE})
    assert (response.status_code, response.json()["message"]) == (403, "remaining credits are not enough.")


async def test_cover_audio_weight_is_audible(api, emulator, asgi_client):
    """A cover at audio_weight 0.9 sounds much more like its source than one at 0.1."""
    uploaded = await upload(api)
    source = synth.decode((await asgi_client.get(SAMPLE)).content)

    async def likeness(weight: float) -> float:
        body = {**LYRICS, "task_type": "cover_upload_music", "continue_clip_id": uploaded, "audio_weight": weight}
        clip = (await finished_task(api, emulator, body))[0]
        cover = synth.decode((await asgi_client.get(clip["audio_url"])).content)
        n = min(len(cover), len(source))
        return float(np.corrcoef(loudness(cover[:n]), loudness(source[:n]))[0, 1])

    close, free = await likeness(0.9), await likeness(0.1)
    assert close > 0.5 and close - free > 0.4


def loudness(samples: np.ndarray, frame: int = synth.SR // 10) -> np.ndarray:
    """RMS per 100 ms: compares songs without caring about the MP3 encoder's delay."""
    n = len(samples) // frame
    return np.sqrt((samples[: n * frame].reshape(n, frame) ** 2).mean(axis=1))
