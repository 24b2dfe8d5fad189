"""Parser fuzzing for the sunoapi.org adapter: whatever a server sends, only results or taxonomy errors.

Same method as ``test_fuzz_sonic.py`` (whose strategies and checks are reused): each
endpoint of ``SunoApiProvider`` - credits (with its legacy fallback), the file upload
host, generate, extend, cover, upload-extend, upload-cover, generate-persona and
record-info - is served hypothesis-mutated replies over an ``httpx.MockTransport``.
Results must be well-formed, errors must be ``StudioError`` subclasses with a short,
printable, key-free sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from conftest import FAKE_KEY
from hypothesis import given
from test_fuzz_sonic import (
    FUZZ,
    NASTY,
    Reply,
    _dumps,
    assert_readable_error,
    check_outcome,
    reply_lists,
    run_against,
)

from sonic_studio.core.models import (
    Clip,
    CoverRequest,
    ExtendRequest,
    GenerateRequest,
    GenerationParams,
    Origin,
    PersonaRequest,
    ProviderId,
    UploadCoverRequest,
    UploadExtendRequest,
)
from sonic_studio.providers.sunoapi import SunoApiProvider

BASE = "http://127.0.0.1:8787"
UPLOAD_BASE = "http://localhost:8787"
SAMPLE = f"{BASE}/samples/night-drive.mp3"
PARAMS = GenerationParams(model="V4_5", lyrics="[Verse]\nla la", tags="pop", title="Song")
GENERATED = Clip(id="audio-1", provider=ProviderId.SUNOAPI, origin=Origin.GENERATED, duration=120.0,
                 source_task_id="task-0", audio_url=f"{BASE}/cdn/audio-1.mp3", model="chirp-v4-5", title="Source")
FOREIGN = Clip(id="clip-x", provider=ProviderId.SONIC, origin=Origin.GENERATED, duration=100.0,
               audio_url=f"{BASE}/cdn/clip-x.mp3")


def _track(track_id: str, done: bool = True, **extra: Any) -> dict:
    return {
        "id": track_id, "title": "Night Drive", "tags": "synth-pop", "prompt": "[Verse]\nla",
        "duration": 104.88 if done else None, "modelName": "chirp-v4-5", "createTime": "2026-01-01 00:00:00",
        "audioUrl": f"{BASE}/cdn/{track_id}.mp3" if done else "",
        "streamAudioUrl": f"{BASE}/stream/{track_id}", "imageUrl": f"{BASE}/cdn/{track_id}.png" if done else "",
        **extra,
    }


def _record(status: str, tracks: list | None, **extra: Any) -> dict:
    response = None if tracks is None else {"taskId": "t-1", "sunoData": tracks}
    return {"code": 200, "msg": "success",
            "data": {"taskId": "t-1", "status": status, "response": response, "errorCode": None,
                     "errorMessage": None, "type": "GENERATE", "operationType": "generate", **extra}}


ERRORS = [
    {"code": 429, "msg": "credits insufficient", "data": None},
    {"code": 430, "msg": "too frequent", "data": None},
    {"code": 455, "msg": "maintenance", "data": None},
    {"code": 404, "msg": "not found", "data": None},
    {"code": 401, "msg": f"invalid key {FAKE_KEY}", "data": None},
]
SUBMIT = [{"code": 200, "msg": "success", "data": {"taskId": "t-1"}}, *ERRORS]
RECORDS = [
    _record("SUCCESS", [_track("a1"), _track("a2")]),
    _record("PENDING", None),
    _record("TEXT_SUCCESS", [_track("a1", False), _track("a2", False)]),
    _record("FIRST_SUCCESS", [_track("a1"), _track("a2", False)]),
    _record("GENERATE_AUDIO_FAILED", [_track("a1"), _track("a2", False)], errorCode=500, errorMessage="upstream"),
    _record("CREATE_TASK_FAILED", None, errorCode="451", errorMessage="cannot fetch"),
    _record("SENSITIVE_WORD_ERROR", None, errorCode=400, errorMessage="bad words"),
    _record("CALLBACK_EXCEPTION", [_track("a1"), _track("a2")], errorMessage="callback failed"),
    {"code": 200, "msg": "success", "data": None},
    *ERRORS,
]

ENDPOINTS: dict[str, tuple[Callable[[SunoApiProvider], Awaitable[Any]], list[Any]]] = {
    "credits": (lambda p: p.credits(),
                [{"code": 200, "msg": "success", "data": 100}, {"code": 200, "data": {"credits": "5"}},
                 {"code": 404, "msg": "not found", "data": None}, *ERRORS]),
    "generate": (lambda p: p.generate(GenerateRequest(PARAMS)), SUBMIT),
    "generate_persona": (lambda p: p.generate(GenerateRequest(GenerationParams(**{**PARAMS.__dict__,
                                                                                   "persona_id": "p-1"}))), SUBMIT),
    "extend": (lambda p: p.extend(ExtendRequest(GENERATED, 30.0, PARAMS)), SUBMIT),
    "extend_foreign": (lambda p: p.extend(ExtendRequest(FOREIGN, 30.0, PARAMS)), SUBMIT),
    "cover": (lambda p: p.cover(CoverRequest(GENERATED, GenerationParams(**{**PARAMS.__dict__,
                                                                          "audio_weight": 0.7}))), SUBMIT),
    "upload_extend": (lambda p: p.upload_extend(UploadExtendRequest(SAMPLE, 30.0, PARAMS)), SUBMIT),
    "upload_cover": (lambda p: p.upload_cover(UploadCoverRequest(SAMPLE, PARAMS)), SUBMIT),
    "create_persona": (lambda p: p.create_persona(PersonaRequest(GENERATED, "Nova", "warm alto", "pop", 10.0, 30.0)),
                       [{"code": 200, "msg": "success", "data": {"personaId": "p-1", "name": "Nova",
                                                                 "description": "warm alto"}},
                        {"code": 409, "msg": "exists", "data": None},
                        {"code": 422, "msg": "not finished", "data": None}, *ERRORS]),
    "get_task": (lambda p: p.get_task("t-1"), RECORDS),
}
UPLOAD_REPLIES = [
    {"success": True, "code": 200, "msg": "ok",
     "data": {"fileName": "song.mp3", "downloadUrl": f"{BASE}/cdn/up.mp3", "uploadedAt": "2026-01-01T00:00:00Z",
              "fileSize": 1234, "mimeType": "audio/mpeg"}},
    {"success": False, "code": 413, "msg": "too large", "data": None},
    *ERRORS,
]


def make_suno(client: httpx.AsyncClient) -> SunoApiProvider:
    return SunoApiProvider(client, FAKE_KEY, base_url=BASE, upload_base_url=UPLOAD_BASE)


def _check(result: Any, error: BaseException | None) -> None:
    check_outcome(result, error, ProviderId.SUNOAPI)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_valid_replies_parse(endpoint):
    call, templates = ENDPOINTS[endpoint]
    result, error, served = run_against(make_suno, call, [Reply(200, _dumps(templates[0]))])
    assert error is None, error
    assert served.requests, "nothing was sent: the request did not pass local validation"
    _check(result, error)
    for request in served.requests:
        assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
        assert request.url.host == "127.0.0.1"


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_any_reply_gives_a_result_or_a_taxonomy_error(endpoint):
    call, templates = ENDPOINTS[endpoint]

    @FUZZ
    @given(script=reply_lists(templates))
    def fuzz(script):
        result, error, _ = run_against(make_suno, call, script)
        _check(result, error)

    fuzz()


@pytest.mark.parametrize("case", list(NASTY))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_named_nasty_replies(endpoint, case):
    call, _ = ENDPOINTS[endpoint]
    result, error, _ = run_against(make_suno, call, [NASTY[case]])
    _check(result, error)


@pytest.fixture
def song(tmp_path):
    path = tmp_path / "song.mp3"
    path.write_bytes(b"ID3" + b"\x00" * 2048)
    return path


def test_upload_file_valid_reply_goes_to_the_upload_host_only(song):
    result, error, served = run_against(make_suno, lambda p: p.upload_file(song),
                                        [Reply(200, _dumps(UPLOAD_REPLIES[0]))])
    assert error is None, error
    _check(result, error)
    assert [r.url.host for r in served.requests] == ["localhost"]
    assert served.requests[0].url.path == "/api/file-stream-upload"


def test_upload_file_any_reply(song):
    @FUZZ
    @given(script=reply_lists(UPLOAD_REPLIES))
    def fuzz(script):
        result, error, _ = run_against(make_suno, lambda p: p.upload_file(song), script)
        _check(result, error)

    fuzz()


def test_upload_url_sends_nothing():
    result, error, served = run_against(make_suno, lambda p: p.upload_url(SAMPLE, duration=96.0), [Reply(500)])
    assert error is None and served.requests == []
    _check(result, error)


@pytest.mark.parametrize("error_code", ["²", "٣", "1" * 5000, "-1", "4 51", 451.0, True, [451], {"a": 1}])
def test_odd_error_codes_in_a_failed_task(error_code):
    """``errorCode`` arrives as text in some replies; odd digits must not crash the mapping."""
    body = _dumps(_record("CREATE_TASK_FAILED", None, errorCode=error_code, errorMessage="x"))
    result, error, _ = run_against(make_suno, lambda p: p.get_task("t-1"), [Reply(200, body)])
    _check(result, error)


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"code": 200, "data": ' + b"1" + b"0" * 400 + b"}",
    b'{"code": 200, "data": 1e999}',
    b'{"code": 200, "data": "Infinity"}',
])
def test_pathological_json_in_credits(body):
    for status in (200, 500):
        result, error, _ = run_against(make_suno, lambda p: p.credits(), [Reply(status, body)])
        _check(result, error)


def test_error_text_echoing_the_key_is_hidden():
    for status in (200, 400, 401, 500):
        body = _dumps({"code": 400, "msg": f"Invalid key {FAKE_KEY}", "data": None})
        result, error, _ = run_against(make_suno, lambda p: p.generate(GenerateRequest(PARAMS)),
                                       [Reply(status, body)])
        assert error is not None
        assert_readable_error(error)
    body = _dumps(_record("GENERATE_AUDIO_FAILED", None, errorCode=500, errorMessage=f"key {FAKE_KEY} bad"))
    result, error, _ = run_against(make_suno, lambda p: p.get_task("t-1"), [Reply(200, body)])
    assert error is None and result.error is not None
    assert_readable_error(result.error)
