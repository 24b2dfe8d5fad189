"""The emulated sunoapi.org on the wire, without the adapter: shapes, rules and codes.

These pin the readings in docs/contract-readings-sunoapi.md from the server side, so a
change in the emulator cannot silently follow a change in the adapter.
"""

from __future__ import annotations

import base64
import json

import pytest

from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Timing
from tests.conftest import FAKE_KEY

BASE = "http://127.0.0.1:8787"
AUTH = {"Authorization": f"Bearer {FAKE_KEY}"}
SAMPLE = BASE + "/samples/night-drive.mp3"


def generate_body(**changes) -> dict:
    body = {
        "customMode": True, "instrumental": False, "model": "V4_5", "callBackUrl": "https://cb.invalid/x",
        "prompt": "la la la", "style": "pop", "title": "Song",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def instant(emulator):
    emulator.timing = Timing.instant()
    return emulator


async def post(client, path: str, body: dict, headers=AUTH) -> tuple[int, dict]:
    response = await client.post(BASE + path, json=body, headers=headers)
    return response.status_code, response.json()


async def record(client, task_id: str) -> dict:
    response = await client.get(BASE + "/api/v1/generate/record-info", params={"taskId": task_id}, headers=AUTH)
    assert response.status_code == 200
    return response.json()


async def new_task(client, **changes) -> str:
    status, body = await post(client, "/api/v1/generate", generate_body(**changes))
    assert (status, body["code"], body["msg"]) == (200, 200, "success"), body
    return body["data"]["taskId"]


async def test_record_info_shape(asgi_client, instant):
    request = generate_body(model="V4_5PLUS")
    task_id = await new_task(asgi_client, model="V4_5PLUS")
    reply = await record(asgi_client, task_id)
    assert (reply["code"], reply["msg"]) == (200, "success")
    data = reply["data"]
    assert data["taskId"] == task_id and json.loads(data["param"]) == request
    assert (data["status"], data["type"], data["operationType"]) == ("SUCCESS", "GENERATE", "generate")
    assert data["errorCode"] is None and data["errorMessage"] is None
    tracks = data["response"]["sunoData"]
    assert data["response"]["taskId"] == task_id and len(tracks) == 2
    for track in tracks:
        assert set(track) == {
            "id", "audioUrl", "streamAudioUrl", "imageUrl", "prompt", "modelName", "title", "tags", "createTime", "duration",
            "sourceAudioUrl", "sourceStreamAudioUrl",
        }
        assert track["modelName"] == "chirp-v4-5-plus" and isinstance(track["duration"], float)
        assert 95 <= track["duration"] <= 150 and len(track["createTime"]) == 19
        assert track["streamAudioUrl"] != track["audioUrl"]
        audio = await asgi_client.get(track["audioUrl"])
        assert abs(len(synth.decode(audio.content)) / synth.SR - track["duration"]) < 0.5
    assert tracks[0]["duration"] != tracks[1]["duration"]


async def test_pending_has_no_response_and_tasks_advance_on_the_clock(asgi_client, emulator):
    now = [0.0]
    emulator.clock = lambda: now[0]
    emulator.timing = Timing(queue=1, first_clip=2, second_clip=3)
    task_id = await new_task(asgi_client)
    seen = []
    for _ in range(4):
        data = (await record(asgi_client, task_id))["data"]
        seen.append((data["status"], [bool(t["audioUrl"]) for t in (data["response"] or {}).get("sunoData", [])]))
        now[0] += 1
    assert seen == [
        ("PENDING", []),
        ("TEXT_SUCCESS", [False, False]),
        ("FIRST_SUCCESS", [True, False]),
        ("SUCCESS", [True, True]),
    ]


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"callBackUrl": None}, 400),
        ({"model": "V3_5"}, 400),
        ({"customMode": "yes"}, 400),
        ({"instrumental": None}, 400),
        ({"title": None}, 400),
        ({"style": None}, 400),
        ({"prompt": None}, 400),
        ({"model": "V4", "prompt": "x" * 3001}, 413),
        ({"customMode": False, "prompt": "x" * 501}, 413),
        ({"customMode": False, "prompt": None}, 400),
        ({"model": "V4", "style": "x" * 201}, 400),
        ({"model": "V4_5ALL", "title": "x" * 81}, 400),
        ({"styleWeight": 1.5}, 400),
        ({"audioWeight": "0.5"}, 400),
        ({"vocalGender": "x"}, 400),
        ({"personaId": "nope"}, 400),
    ],
)
async def test_generate_rejections_are_http_200_with_a_body_code(asgi_client, instant, changes, code):
    status, body = await post(asgi_client, "/api/v1/generate", generate_body(**changes))
    assert (status, body["code"], body["data"]) == (200, code, None) and body["msg"]
    assert instant.state["sunoapi"].tasks == {}


async def test_custom_instrumental_needs_no_prompt(asgi_client, instant):
    await new_task(asgi_client, instrumental=True, prompt=None)


async def test_missing_key_is_http_401_on_both_hosts(asgi_client, instant):
    status, body = await post(asgi_client, "/api/v1/generate", generate_body(), headers={})
    assert (status, body["code"]) == (401, 401)
    response = await asgi_client.post(BASE + "/api/file-base64-upload", json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["success"] is False


async def test_insufficient_credits_is_429_and_unknown_task_is_404(asgi_client, instant):
    instant.credits["sunoapi"] = 11
    status, body = await post(asgi_client, "/api/v1/generate", generate_body())
    assert (status, body["code"]) == (200, 429)
    assert (await record(asgi_client, "missing"))["code"] == 404


async def test_credit_endpoint_returns_an_integer(asgi_client, instant):
    response = await asgi_client.get(BASE + "/api/v1/generate/credit", headers=AUTH)
    assert response.json() == {"code": 200, "msg": "success", "data": 500}


async def test_extend_rules(asgi_client, emulator):
    now = [0.0]
    emulator.clock = lambda: now[0]
    emulator.timing = Timing(queue=1, first_clip=2, second_clip=3)
    task_id = await new_task(asgi_client)
    tracks = emulator.state["sunoapi"].tasks[task_id].tracks
    extend = {"defaultParamFlag": True, "audioId": tracks[0].id, "continueAt": 30, "model": "V4_5",
              "callBackUrl": "https://cb.invalid/x", "prompt": "more", "style": "pop", "title": "Song 2"}
    assert (await post(asgi_client, "/api/v1/generate/extend", extend))[1]["code"] == 400  # not finished
    now[0] = 10
    for changes, code in (
        ({"audioId": "nope"}, 404),
        ({"model": "V5"}, 400),  # must match the source
        ({"continueAt": 0}, 400),
        ({"continueAt": tracks[0].duration}, 400),
        ({"title": None}, 400),
    ):
        body = {k: v for k, v in {**extend, **changes}.items() if v is not None}
        assert (await post(asgi_client, "/api/v1/generate/extend", body))[1]["code"] == code, changes
    emulator.timing = Timing.instant()
    status, reply = await post(asgi_client, "/api/v1/generate/extend", extend)
    data = (await record(asgi_client, reply["data"]["taskId"]))["data"]
    assert (data["operationType"], data["parentMusicId"]) == ("extend", tracks[0].id)
    assert data["response"]["sunoData"][0]["duration"] > 30 + 59


@pytest.mark.parametrize(
    "url, model, error_code",
    [
        ("https://files.example.com/a.mp3", "V5", 451),  # never fetched from the internet
        (BASE + "/cdn/missing.mp3", "V5", 451),
        # 422, not 400: record-info's 400 means copyrighted lyrics, 413 a known recording.
        (BASE + "/samples/long-take.mp3", "V5", 422),  # 9 minutes
        (BASE + "/samples/rain-on-glass.mp3", "V4_5ALL", 422),  # 74 s > 60 s
    ],
)
async def test_upload_source_problems_fail_the_task_later(asgi_client, instant, url, model, error_code):
    body = {**generate_body(model=model), "uploadUrl": url}
    status, reply = await post(asgi_client, "/api/v1/generate/upload-cover", body)
    assert reply["code"] == 200
    data = (await record(asgi_client, reply["data"]["taskId"]))["data"]
    assert (data["status"], data["errorCode"], data["response"]) == ("CREATE_TASK_FAILED", error_code, None)
    assert data["errorMessage"]
    assert instant.credits["sunoapi"] == 500  # failed tasks are not charged


async def test_upload_extend_continue_at_past_the_end_fails_later(asgi_client, instant):
    body = {"uploadUrl": SAMPLE, "defaultParamFlag": True, "continueAt": 200, "model": "V5",
            "callBackUrl": "https://cb.invalid/x", "prompt": "more", "style": "pop", "title": "T"}
    reply = (await post(asgi_client, "/api/v1/generate/upload-extend", body))[1]
    data = (await record(asgi_client, reply["data"]["taskId"]))["data"]
    assert (data["status"], data["errorCode"]) == ("CREATE_TASK_FAILED", 422)


@pytest.mark.parametrize("outcome", ["CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "SENSITIVE_WORD_ERROR", "CALLBACK_EXCEPTION"])
async def test_next_outcome_switch(asgi_client, instant, outcome):
    instant.state["sunoapi"].next_outcome = outcome
    data = (await record(asgi_client, await new_task(asgi_client)))["data"]
    assert data["status"] == outcome and data["errorMessage"]
    assert instant.state["sunoapi"].next_outcome is None
    has_audio = outcome == "CALLBACK_EXCEPTION"
    tracks = (data["response"] or {}).get("sunoData", [])
    assert all(bool(t["audioUrl"]) is has_audio for t in tracks)
    assert (await record(asgi_client, await new_task(asgi_client)))["data"]["status"] == "SUCCESS"


async def test_persona_rules_use_the_persona_table(asgi_client, instant):
    task_id = await new_task(asgi_client)
    track = instant.state["sunoapi"].tasks[task_id].tracks[0]
    base = {"taskId": task_id, "audioId": track.id, "name": "Nova", "description": "airy"}
    for changes, code in (
        ({"name": ""}, 422),
        ({"vocalStart": 10, "vocalEnd": 15}, 422),  # 5 s
        ({"vocalStart": 0, "vocalEnd": 31}, 422),
        ({"vocalStart": 20, "vocalEnd": 10}, 422),
        ({"vocalStart": -1, "vocalEnd": 20}, 422),
        ({"vocalStart": track.duration - 15, "vocalEnd": track.duration + 1}, 422),
        ({"taskId": "nope"}, 404),
        ({"audioId": "nope"}, 404),
    ):
        status, reply = await post(asgi_client, "/api/v1/generate/generate-persona", {**base, **changes})
        assert (status, reply["code"]) == (200, code), changes
    status, reply = await post(asgi_client, "/api/v1/generate/generate-persona", {**base, "vocalStart": 42.5, "vocalEnd": 61.25})
    assert reply["code"] == 200 and set(reply["data"]) == {"personaId", "name", "description"}
    again = (await post(asgi_client, "/api/v1/generate/generate-persona", base))[1]
    assert again["code"] == 409
    # The persona can be used in custom mode only.
    persona_id = reply["data"]["personaId"]
    await new_task(asgi_client, model="V5", personaId=persona_id, personaModel="style_persona")
    # personaModel is documented for V5 / V5_5 only.
    older = (await post(asgi_client, "/api/v1/generate", generate_body(personaId=persona_id, personaModel="style_persona")))[1]
    assert older["code"] == 400 and "V5" in older["msg"]
    reject = (await post(asgi_client, "/api/v1/generate", generate_body(customMode=False, personaId=persona_id)))[1]
    assert reject["code"] == 400


async def test_persona_refuses_legacy_models(asgi_client, instant):
    task_id = await new_task(asgi_client)
    task = instant.state["sunoapi"].tasks[task_id]
    task.model = "V3_5"
    body = {"taskId": task_id, "audioId": task.tracks[0].id, "name": "Nova", "description": "airy"}
    assert (await post(asgi_client, "/api/v1/generate/generate-persona", body))[1]["code"] == 422


async def test_upload_host_base64_and_url(asgi_client, instant):
    payload = base64.b64encode(b"ID3fake").decode()
    status, reply = await post(asgi_client, "/api/file-base64-upload",
                               {"base64Data": f"data:audio/mpeg;base64,{payload}", "uploadPath": "/x/y/"})
    assert (status, reply["success"], reply["code"], reply["msg"]) == (200, True, 200, "File uploaded successfully")
    data = reply["data"]
    assert set(data) == {"fileName", "filePath", "downloadUrl", "fileSize", "mimeType", "uploadedAt"}
    assert data["filePath"].startswith("x/y/") and data["fileSize"] == 7 and data["mimeType"] == "audio/mpeg"
    assert (await asgi_client.get(data["downloadUrl"])).content == b"ID3fake"

    reply = (await post(asgi_client, "/api/file-url-upload", {"fileUrl": SAMPLE, "uploadPath": "x"}))[1]
    assert reply["data"]["fileName"] == "night-drive.mp3" and reply["data"]["fileSize"] > 100_000
    remote = (await post(asgi_client, "/api/file-url-upload", {"fileUrl": "https://example.com/a.mp3", "uploadPath": "x"}))[1]
    assert (remote["success"], remote["code"]) == (False, 451)
    bad = (await post(asgi_client, "/api/file-base64-upload", {"base64Data": "***", "uploadPath": "x"}))[1]
    assert (bad["success"], bad["code"]) == (False, 400)
    missing = (await post(asgi_client, "/api/file-base64-upload", {"base64Data": payload}))[1]
    assert missing["code"] == 400
