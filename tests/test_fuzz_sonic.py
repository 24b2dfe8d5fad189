"""Parser fuzzing for the AI Music API adapter: whatever a server sends, only results or taxonomy errors.

Every endpoint of ``SonicProvider`` is fed hypothesis-generated replies through an
``httpx.MockTransport``: valid reply shapes with keys dropped, added, nulled, turned into
strings, replaced by nested garbage, 100 kB strings, numbers too big for a float, random
HTTP statuses, non-JSON and truncated bodies, deeply nested JSON, bodies cut mid-stream and
transport failures.  The adapter must return a well-formed domain result or raise a
``core.errors.StudioError`` subclass - never ``KeyError``/``TypeError``/anything else - and
the error's text must be a short, printable sentence that never contains the API key
(the fuzzed server echoes the key back in its bodies on purpose).

The shared strategies and checks live here; ``test_fuzz_sunoapi.py`` imports them.
Runs are derandomised (same examples every run) so CI is stable.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import os
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from conftest import FAKE_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonic_studio.core.errors import StudioError
from sonic_studio.core.models import (
    Clip,
    ClipState,
    CoverRequest,
    Credits,
    ExtendRequest,
    GenerateRequest,
    GenerationParams,
    Origin,
    Persona,
    PersonaRequest,
    ProviderId,
    RemoteTaskState,
    SubmitResult,
    TaskStatus,
    UploadCoverRequest,
    UploadExtendRequest,
)
from sonic_studio.providers.sonic import SonicProvider

BASE = "http://127.0.0.1:8787"
# SONIC_FUZZ_EXAMPLES=2000 SONIC_FUZZ_SEED=random digs deeper on demand; CI uses the fixed default.
EXAMPLES = int(os.environ.get("SONIC_FUZZ_EXAMPLES", "150"))
DERANDOMIZE = os.environ.get("SONIC_FUZZ_SEED", "fixed") == "fixed"

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# ============================================================================ shared strategies
# (also used by test_fuzz_sunoapi.py)

HUGE = "Ω" * 50_000 + "x" * 50_000  # 100 kB-ish, multi-byte
HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "line1\nline2\r\nline3\ttab",
    "<b>bold</b><img src=x onerror=alert(1)>",
    "../../../../etc/passwd",
    "..\\..\\windows\\system32",
    "C:\\evil",
    "/abs/path",
    "null",
    "None",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "1e999",
    "104.88",
    " 12 ",
    "²",  # isdigit() but not int()
    "٣",  # Arabic-Indic digit
    "\ud7ff\ufffd\u202e",  # right-to-left override
    "succeeded",
    "SUCCESS",
    "failed",
    "not_ready",
    "http://127.0.0.1:8787/cdn/x.mp3",
    "file:///etc/passwd",
    "javascript:alert(1)",
    FAKE_KEY,
    f"Bearer {FAKE_KEY}",
    f"invalid key {FAKE_KEY} rejected",
    HUGE,
]
KNOWN_KEYS = [
    "code", "msg", "message", "detail", "error", "data", "type", "task_id", "taskId", "clip_id", "id",
    "state", "status", "audio_url", "audioUrl", "duration", "credits", "extra_credits", "steps", "upload",
    "extended", "full", "replaced", "persona_id", "personaId", "response", "sunoData", "errorCode",
    "errorMessage", "success", "downloadUrl", "title", "tags", "lyrics", "prompt",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([0, 1, -1, 200, 400, 404, 429, 455, 500, 2**63, 10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=24),
    st.sampled_from(HOSTILE_STRINGS),
    st.from_regex(r"-?\d{1,6}(\.\d{1,3})?", fullmatch=True),  # numbers as strings
)

garbage = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)), children, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw, value: Any) -> Any:
    """``value`` (a valid reply fragment) with some parts kept, some broken."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return draw(garbage)  # replace the whole thing
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            action = draw(st.sampled_from(["keep", "keep", "keep", "mutate", "mutate", "drop", "null", "text"]))
            if action == "keep":
                out[key] = item
            elif action == "mutate":
                out[key] = draw(mutated(item))
            elif action == "null":
                out[key] = None
            elif action == "text":
                out[key] = json.dumps(item) if not isinstance(item, str) else item
        for key, extra in draw(st.lists(st.tuples(st.sampled_from(KNOWN_KEYS), garbage), max_size=2)):
            out.setdefault(key, extra)
        return out
    if isinstance(value, list):
        items = [draw(mutated(item)) if draw(st.booleans()) else item for item in value]
        if items and draw(st.integers(0, 5)) == 0:
            items.pop(draw(st.integers(0, len(items) - 1)))
        if draw(st.integers(0, 5)) == 0:
            items.append(draw(garbage))
        if draw(st.integers(0, 8)) == 0:
            return items[0] if items else {}  # one object instead of a list
        return items
    if roll < 10:
        return value
    if roll < 13 and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # numbers as strings
    if roll < 14 and isinstance(value, str):
        return value * draw(st.sampled_from([2, 1000]))
    return draw(scalars)


class BrokenStream(httpx.AsyncByteStream):
    """A body that stops half way, as a reset connection does."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    async def __aiter__(self):
        yield self.head
        raise httpx.ReadError(f"connection reset ({FAKE_KEY})")


TRANSPORT_ERRORS = [
    httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout,
    httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.LocalProtocolError,
    httpx.ProxyError, httpx.UnsupportedProtocol,
]
STATUSES = [200] * 10 + [201, 202, 204, 301, 302, 304, 400, 401, 402, 403, 404, 405, 409, 410, 413, 422,
                          429, 430, 451, 455, 500, 502, 503, 504, 520]

retry_after = st.one_of(
    st.none(),
    st.sampled_from(["0", "5", "-3", "1e9", "inf", "nan", "soon", "", "Wed, 21 Oct 2015 07:28:00 GMT",
                     "Mon, 01 Jan 0001 00:00:00 +2359", "Fri, 31 Dec 9999 23:59:59 -2359", "Thu, 99 Foo 12345"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.builds(
        "{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} {}".format,
        st.sampled_from(["Mon", "Tue", "Sun"]), st.integers(0, 40),
        st.sampled_from(["Jan", "Feb", "Dec", "Foo"]), st.integers(0, 9999),
        st.integers(0, 30), st.integers(0, 70), st.integers(0, 70),
        st.sampled_from(["GMT", "+2359", "-2359", "+0000", "UTC", "-0800"]),
    ),
)


class Reply:
    """One scripted answer: an HTTP response, a body that breaks off, or a transport error."""

    def __init__(self, status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None, *,
                 broken: bool = False, error: type[Exception] | None = None) -> None:
        self.status, self.body, self.headers = status, body, dict(headers or {})
        self.broken, self.error = broken, error

    def to_response(self, request: httpx.Request) -> httpx.Response:
        if self.error is not None:
            raise self.error(f"transport failure with {FAKE_KEY}", request=request)
        if self.broken:
            return httpx.Response(self.status, headers=self.headers, stream=BrokenStream(self.body))
        return httpx.Response(self.status, headers=self.headers, content=self.body)

    def __repr__(self) -> str:  # keep hypothesis' falsifying examples short
        body = self.body if len(self.body) < 300 else self.body[:300] + b"...(%d bytes)" % len(self.body)
        return f"Reply({self.status}, {body!r}, {self.headers}, broken={self.broken}, error={self.error})"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def replies(draw, templates: list[Any]) -> Reply:
    """A reply built around one of ``templates`` (valid shapes for the endpoint)."""
    template = draw(st.sampled_from(templates))
    kind = draw(st.sampled_from(["valid"] + ["mutated"] * 8 + ["garbage", "raw", "raw", "transport", "broken"]))
    status = draw(st.sampled_from(STATUSES))
    headers: dict[str, str] = {}
    after = draw(retry_after)
    if after is not None:
        headers["Retry-After"] = after
    headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/html", "application/octet-stream"]))
    if kind == "valid":
        return Reply(200, _dumps(template), headers)
    if kind == "mutated":
        return Reply(status, _dumps(draw(mutated(template))), headers)
    if kind == "garbage":
        return Reply(status, _dumps(draw(garbage)), headers)
    if kind == "transport":
        return Reply(error=draw(st.sampled_from(TRANSPORT_ERRORS)))
    text = _dumps(template)
    if kind == "broken":
        return Reply(status, text[: draw(st.integers(0, len(text)))], headers, broken=True)
    raw = draw(st.sampled_from([
        b"",
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        text[: max(1, len(text) // 2)],  # truncated JSON
        b"\xff\xfe\x00garbage",  # not UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # nested deeper than the JSON parser's recursion limit
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        b"1" + b"0" * 400,  # an integer too large for a float
        b"NaN",
        b'"just a string"',
        f"error: invalid key {FAKE_KEY}".encode(),
        (f'{{"code": 401, "message": "bad key {FAKE_KEY}"}}').encode(),
        b"\x1b[2J\x00\x07 terminal garbage",
    ]) | st.binary(max_size=64))
    return Reply(status, raw, headers)


@dataclass
class Served:
    replies: list[Reply]
    requests: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]
        return reply.to_response(request)


def reply_lists(templates: list[Any]) -> st.SearchStrategy[list[Reply]]:
    """One to three replies (some operations retry once, e.g. a legacy credits path)."""
    return st.lists(replies(templates), min_size=1, max_size=3)


def run_against(make: Callable[[httpx.AsyncClient], Any], call: Callable[[Any], Awaitable[Any]],
                script: list[Reply]) -> tuple[Any, BaseException | None, Served]:
    """Build the adapter on a MockTransport serving ``script``; returns (result, error, served)."""
    served = Served(script)

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(served.handler)) as client:
            provider = make(client)
            try:
                return await call(provider), None
            except StudioError as exc:
                return None, exc

    result, error = asyncio.run(go())
    return result, error, served


# ============================================================================ shared checks

# Control, format (e.g. right-to-left override), surrogate, line/paragraph separators.
_CONTROL = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_BAD_WORDS = ("Traceback", "KeyError", "TypeError", "AttributeError", "object at 0x", "<class ")


def assert_readable_error(error: StudioError) -> None:
    """``str(error)`` is a short printable sentence; no form of the error holds the key."""
    assert isinstance(error, StudioError), type(error)
    text = str(error)
    assert text.strip(), "empty error message"
    assert len(text) <= 500, f"error message is {len(text)} characters long"
    assert text[0].isalnum(), f"message does not start like a sentence: {text[:60]!r}"
    assert not any(unicodedata.category(ch) in _CONTROL for ch in text), \
        f"control characters in the message: {text[:120]!r}"
    assert not any(word in text for word in _BAD_WORDS), text[:200]
    for form in (text, error.details(), json.dumps(error.to_dict(), ensure_ascii=False), repr(error)):
        assert FAKE_KEY not in form, "the API key leaked into the error"
    # The task store keeps errors as JSON and must get the same class back.
    again = StudioError.from_dict(json.loads(json.dumps(error.to_dict())))
    assert type(again) is type(error) and str(again) == text


def _finite(value: Any, allow_none: bool = True) -> bool:
    if value is None:
        return allow_none
    return isinstance(value, float) and math.isfinite(value) and value >= 0


def assert_valid_clip(clip: Clip, provider: ProviderId) -> None:
    assert isinstance(clip, Clip)
    assert isinstance(clip.id, str) and clip.id.strip()
    assert clip.provider is provider
    assert isinstance(clip.origin, Origin) and isinstance(clip.state, ClipState)
    for name in ("title", "tags", "lyrics"):
        assert isinstance(getattr(clip, name), str), name
    assert _finite(clip.duration), clip.duration
    for name in ("audio_url", "stream_url", "image_url", "model", "error", "created_at", "source_task_id",
                 "full_song_of"):
        assert getattr(clip, name) is None or isinstance(getattr(clip, name), str), name
    json.dumps(clip.to_dict())  # storable


def assert_valid_result(result: Any, provider: ProviderId) -> None:
    if isinstance(result, Credits):
        assert _finite(result.credits, allow_none=False), result
        assert _finite(result.extra_credits), result
    elif isinstance(result, SubmitResult):
        assert isinstance(result.task_id, str) and result.task_id.strip()
        if result.uploaded_clip is not None:
            assert_valid_clip(result.uploaded_clip, provider)
    elif isinstance(result, Clip):
        assert_valid_clip(result, provider)
    elif isinstance(result, Persona):
        assert isinstance(result.id, str) and result.id.strip()
        assert isinstance(result.name, str) and isinstance(result.description, str)
        assert result.provider is provider
    elif isinstance(result, TaskStatus):
        assert isinstance(result.state, RemoteTaskState)
        assert isinstance(result.clips, list)
        for clip in result.clips:
            assert_valid_clip(clip, provider)
        assert result.provider_status is None or isinstance(result.provider_status, str)
        if result.error is not None:
            assert_readable_error(result.error)
        if result.state is RemoteTaskState.FAILED:
            assert result.error is not None, "a failed task must say why"
    else:
        raise AssertionError(f"unexpected result type {type(result).__name__}")


def check_outcome(result: Any, error: BaseException | None, provider: ProviderId) -> None:
    if error is not None:
        assert_readable_error(error)
    else:
        assert_valid_result(result, provider)


# ============================================================================ sonic endpoints

MODEL = "sonic-v5-5"
PARAMS = GenerationParams(model=MODEL, lyrics="[Verse]\nla la", tags="pop", title="Song")
GENERATED = Clip(id="clip-gen-1", provider=ProviderId.SONIC, origin=Origin.GENERATED, duration=120.0,
                 source_task_id="task-0", audio_url=f"{BASE}/cdn/clip-gen-1.mp3", title="Source")
UPLOADED = Clip(id="clip-up-1", provider=ProviderId.SONIC, origin=Origin.UPLOADED, duration=96.0,
                audio_url=f"{BASE}/samples/night-drive.mp3")
SAMPLE = f"{BASE}/samples/night-drive.mp3"


def _clip_json(clip_id: str, state: str = "succeeded", **extra: Any) -> dict:
    return {
        "clip_id": clip_id, "state": state, "title": "Night Drive", "tags": "synth-pop",
        "lyrics": "[Verse]\nla", "duration": "104.88", "mv": "chirp-v5-5",
        "audio_url": f"{BASE}/cdn/{clip_id}.mp3" if state == "succeeded" else None,
        "image_url": f"{BASE}/cdn/{clip_id}.png", "created_at": "2026-01-01T00:00:00Z", **extra,
    }


ERRORS = [
    {"code": 400, "message": "task not found."},
    {"code": 403, "message": "remaining credits are not enough."},
    {"code": 409, "message": "a persona already exists for this clip.", "persona_id": "p-old"},
    {"detail": [{"msg": "field required", "loc": ["body", "mv"]}]},
    {"error": {"message": "source URL not accessible: x"}},
    {"code": 455, "message": "maintenance"},
]
TASK_TEMPLATES = [
    {"type": "not_ready", "message": "Task not ready yet"},
    {"code": 200, "data": [_clip_json("c1"), _clip_json("c2", "running")]},
    {"code": 200, "data": [_clip_json("c1"), _clip_json("c2")]},
    {"code": 200, "data": [_clip_json("c1", "failed", error_message="upstream"), _clip_json("c2")]},
    {"code": 200, "data": [{"extended": _clip_json("e1"), "full": _clip_json("f1")},
                           {"extended": _clip_json("e2"), "full": None}]},
    {"code": 200, "data": [{"replaced": _clip_json("r1", "failed", error={"message": "no"}), "full": None}]},
    *ERRORS,
]
ONE_STOP = {"code": 200, "message": "success", "task_id": "t-1",
            "steps": {"upload": {"clip_id": "up-1", "duration": 96.0},
                      "extend": {"task_id": "t-1", "task_type": "extend_upload_music", "auto_concat": True}}}
CREATE = [{"message": "success", "task_id": "t-1"}, {"code": 200, "data": {"task_id": "t-1"}}, *ERRORS]

# endpoint -> (call, reply templates)
ENDPOINTS: dict[str, tuple[Callable[[SonicProvider], Awaitable[Any]], list[Any]]] = {
    "credits": (lambda p: p.credits(),
                [{"credits": 100, "extra_credits": 5}, {"code": 200, "data": {"credits": "12.5"}}, *ERRORS]),
    "upload_url": (lambda p: p.upload_url(SAMPLE, duration=96.0),
                   [{"code": 200, "message": "success", "clip_id": "up-1"}, {"data": {"clip_id": "up-1"}}, *ERRORS]),
    "generate": (lambda p: p.generate(GenerateRequest(PARAMS)), CREATE),
    "generate_persona": (lambda p: p.generate(GenerateRequest(GenerationParams(**{**PARAMS.__dict__,
                                                                                   "persona_id": "p-1"}))), CREATE),
    "extend": (lambda p: p.extend(ExtendRequest(GENERATED, 30.0, PARAMS)), CREATE),
    "extend_upload": (lambda p: p.extend(ExtendRequest(UPLOADED, 30.0, PARAMS)), CREATE),
    "cover": (lambda p: p.cover(CoverRequest(GENERATED, GenerationParams(**{**PARAMS.__dict__,
                                                                          "audio_weight": 0.7}))), CREATE),
    "upload_extend": (lambda p: p.upload_extend(UploadExtendRequest(SAMPLE, 30.0, PARAMS, auto_concat=True)),
                      [ONE_STOP, {"code": 200, "task_id": "t-1"}, *ERRORS]),
    "upload_cover": (lambda p: p.upload_cover(UploadCoverRequest(SAMPLE, PARAMS)),
                     [{**ONE_STOP, "steps": {"upload": {"clip_id": "up-1"}, "cover": {"task_id": "t-1"}}}, *ERRORS]),
    "create_persona": (lambda p: p.create_persona(PersonaRequest(GENERATED, "Nova", "warm alto", "pop", 10.0, 30.0)),
                       [{"code": 200, "message": "success", "persona_id": "p-1"}, *ERRORS]),
    "get_task": (lambda p: p.get_task("t-1"), TASK_TEMPLATES),
    "concat": (lambda p: p.concat("e1"), CREATE),
    "wav": (lambda p: p.wav("c1"), [{"code": 200, "data": {"wav_url": f"{BASE}/cdn/c1.wav"}}, *ERRORS]),
}


def make_sonic(client: httpx.AsyncClient) -> SonicProvider:
    provider = SonicProvider(client, FAKE_KEY, base_url=BASE)
    # Creating personas is listed as Unavailable; its reply parser is still fuzzed for the day
    # it returns (with the window accepted as if a vox_audio_id came with it).
    caps = provider.capabilities
    window = dataclasses.replace(caps.persona_window, needs_vox=False)
    provider.capabilities = dataclasses.replace(caps, persona_create_available=True, persona_window=window)
    return provider


def _check_sonic(result: Any, error: BaseException | None) -> None:
    if isinstance(result, str):  # wav() returns the file's URL (downloads check the scheme later)
        assert result.strip()
        return
    check_outcome(result, error, ProviderId.SONIC)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_valid_replies_parse(endpoint):
    """The unmutated templates are understood: the fuzzing reaches the parsers, not just validation."""
    call, templates = ENDPOINTS[endpoint]
    result, error, served = run_against(make_sonic, call, [Reply(200, _dumps(templates[0]))])
    assert error is None, error
    assert served.requests, "nothing was sent: the request did not pass local validation"
    _check_sonic(result, error)
    for request in served.requests:
        assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
        assert request.url.host == "127.0.0.1"


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_any_reply_gives_a_result_or_a_taxonomy_error(endpoint):
    call, templates = ENDPOINTS[endpoint]

    @FUZZ
    @given(script=reply_lists(templates))
    def fuzz(script):
        result, error, _ = run_against(make_sonic, call, script)
        _check_sonic(result, error)

    fuzz()


def named_nasty_replies() -> dict[str, Reply]:
    """Fixed worst cases, run on every endpoint of both adapters so their outcome never depends on luck."""
    nested = b"[" * 100_000 + b"]" * 100_000
    cases: dict[str, Reply] = {
        "deep-nesting-200": Reply(200, nested),
        "deep-nesting-500": Reply(500, nested),
        "int-too-big-for-float": Reply(200, b'{"code": 200, "credits": 1' + b"0" * 400 + b', "data": 1' + b"0" * 400
                                       + b', "task_id": "t", "clip_id": "c", "persona_id": "p"}'),
        "html-200": Reply(200, b"<html><body>502 Bad Gateway</body></html>"),
        "key-echo-in-html-200": Reply(200, f"<html>invalid key {FAKE_KEY}</html>".encode()),
        "empty-500": Reply(500, b""),
        "not-utf8": Reply(200, b"\xff\xfe\xfd"),
    }
    for status in (200, 400, 403, 422, 429, 500, 520):
        for name, text in (("control", "bad\x00\x1b[2J\nline\u202e"), ("huge", HUGE),
                           ("key", f"no such key {FAKE_KEY}")):
            body = {"code": status, "message": text, "msg": text, "detail": text, "data": None}
            cases[f"{name}-message-{status}"] = Reply(status, _dumps(body))
    return cases


NASTY = named_nasty_replies()


@pytest.mark.parametrize("case", list(NASTY))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_named_nasty_replies(endpoint, case):
    call, _ = ENDPOINTS[endpoint]
    result, error, _ = run_against(make_sonic, call, [NASTY[case]])
    _check_sonic(result, error)


def test_upload_file_needs_a_public_url_without_sending(tmp_path):
    song = tmp_path / "song.mp3"
    song.write_bytes(b"ID3" + b"\x00" * 100)
    result, error, served = run_against(make_sonic, lambda p: p.upload_file(song), [Reply(500)])
    assert served.requests == [] and error is not None
    assert_readable_error(error)
    assert "public URL" in str(error)


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"credits": ' + b"1" + b"0" * 400 + b"}",
    b'{"credits": 1e999}',
    b'{"credits": Infinity}',
    b'{"credits": "1e999"}',
])
def test_pathological_json_in_credits(body):
    """Named cases the random search may miss: recursion depth, overflowing numbers, infinity."""
    for status in (200, 500):
        result, error, _ = run_against(make_sonic, lambda p: p.credits(), [Reply(status, body)])
        check_outcome(result, error, ProviderId.SONIC)


@pytest.mark.parametrize("duration", ["1" + "0" * 400, "1e999", "Infinity", "-5", '"-5"', "NaN"])
def test_pathological_durations_in_a_task(duration):
    clip = json.dumps(_clip_json("c1")).replace('"104.88"', duration)
    body = b'{"code": 200, "data": [' + clip.encode() + b"]}"
    result, error, _ = run_against(make_sonic, lambda p: p.get_task("t-1"), [Reply(200, body)])
    check_outcome(result, error, ProviderId.SONIC)


def test_error_text_echoing_the_key_is_hidden():
    for status in (400, 403, 422, 500, 520):
        body = _dumps({"code": status, "message": f"Invalid key {FAKE_KEY}: <b>nope</b>"})
        result, error, _ = run_against(make_sonic, lambda p: p.generate(GenerateRequest(PARAMS)),
                                       [Reply(status, body)])
        assert error is not None
        assert_readable_error(error)
    for raw in (f"<html>{FAKE_KEY}</html>".encode(), f"not json {FAKE_KEY}".encode()):
        result, error, _ = run_against(make_sonic, lambda p: p.credits(), [Reply(200, raw)])
        assert error is not None
        assert_readable_error(error)
