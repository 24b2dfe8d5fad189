"""Emulated writing helpers of both providers: lyrics from a description, and a richer style.

Kept apart from ``sonic.py``/``sunoapi.py`` (which own the routes' key checks and
credits) because it is one concern across both contracts and produces text, not audio:

* AI Music API ``POST /api/v1/sonic/lyrics`` ``{description}`` answers at once with
  ``{code, message, results: [{title, lyrics}, …]}`` (docs.musicapi.ai "Make Lyrics");
  ``POST /api/v1/sonic/upsample-tags`` ``{tags}`` answers ``{upsampled_tags}``.
* sunoapi.org ``POST /api/v1/lyrics`` ``{prompt (≤200 words), callBackUrl}`` answers a
  ``taskId``; ``GET /api/v1/lyrics/record-info`` reports PENDING, then SUCCESS with
  ``response.data[{text, title, status, errorMessage}]`` (docs.sunoapi.org "Get Lyrics
  Generation Details").  ``POST /api/v1/style/generate`` ``{content}`` answers at once with
  ``data.result`` (contract 1.3, M).

The words are made up here, deterministically from the request, and always carry
section tags as the real writers' do.  Prices come from the emulator's own data.
Readings: docs/contract-readings-*.md, "Create tab".
"""

from __future__ import annotations

import time
import uuid
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .docs_data import provider_data
from .http import Request, Response, json_response

if TYPE_CHECKING:  # app imports this module to register its routes
    from .app import Emulator

SONIC_WRITING = provider_data("sonic")["writing"]
SUNO_WRITING = provider_data("sunoapi")["writing"]
# sunoapi.org lyrics outcomes, from the music outcome a test asks for (SunoState.next_outcome).
_LYRICS_OUTCOMES = {
    "SUCCESS": ("SUCCESS", None, None),
    "CALLBACK_EXCEPTION": ("CALLBACK_EXCEPTION", None, "Callback to callBackUrl failed."),
    "SENSITIVE_WORD_ERROR": ("SENSITIVE_WORD_ERROR", 400, "The prompt contains sensitive words."),
}
_FAILED_LYRICS = ("GENERATE_LYRICS_FAILED", 500, "Lyrics generation failed.")
_IMAGES = ("city lights", "an open road", "the morning tide", "a paper moon", "the last train", "a quiet room")
_STYLE_EXTRAS = ("warm analog synths", "punchy drums", "wide stereo pads", "intimate lead vocal",
                 "driving bassline", "polished modern mix")


def lyrics_drafts(description: str, count: int = 2) -> list[tuple[str, str]]:
    """(title, lyrics) pairs with [Verse]/[Chorus]/[Bridge] tags, the same for the same description."""
    words = description.split()
    theme = " ".join(words[:8]) or "a song"
    drafts = []
    seed = zlib.crc32(description.encode())
    for index in range(count):
        image = _IMAGES[(seed + index) % len(_IMAGES)]  # each draft its own image: drafts differ
        title = " ".join(words[:3]).title() if index == 0 else f"{image.title()}"
        title = title or "Untitled"
        text = (
            f"[Verse]\nI keep thinking of {theme}\nUnder {image}, the night is young\n"
            f"Every step a little closer\nTo the words I've never sung\n\n"
            f"[Chorus]\nOh, {theme}\nCarry me home\nOh, {image}\nI'm not alone\n\n"
            f"[Bridge]\nHold on, hold on\n\n[Chorus]\nOh, {theme}\nCarry me home"
        )
        drafts.append((title, text))
    return drafts


def boosted_style(tags: str) -> str:
    """The typed style plus three production words, as a style booster would add."""
    base = ", ".join(part.strip() for part in tags.split(",") if part.strip())
    seed = zlib.crc32(base.encode())
    extras = [_STYLE_EXTRAS[(seed + k) % len(_STYLE_EXTRAS)] for k in range(3)]
    return f"{base}, {', '.join(extras)}"


# ----------------------------------------------------------------------------- AI Music API


def register_sonic(emu: Emulator, api: Any) -> None:
    """``POST /sonic/lyrics`` and ``/sonic/upsample-tags``; ``api`` is the ``_SonicApi`` instance."""
    from .sonic import API, _body, _guarded, _Reject

    prices = SONIC_WRITING["prices"]

    def text_field(body: dict, name: str) -> str:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise _Reject(400, f"{name} is required.")
        return value.strip()

    async def lyrics(request: Request) -> Response:
        description = text_field(_body(request), "description")
        api._charge(prices["lyrics"])
        results = [{"title": title, "lyrics": text} for title, text in lyrics_drafts(description)]
        return json_response({"code": 200, "results": results, "message": "success"})

    async def upsample(request: Request) -> Response:
        tags = text_field(_body(request), "tags")
        api._charge(prices["boost_style"])
        return json_response({"code": 200, "message": "success", "upsampled_tags": boosted_style(tags)})

    emu.route("POST", f"{API}/sonic/lyrics", _guarded(emu, lyrics))
    emu.route("POST", f"{API}/sonic/upsample-tags", _guarded(emu, upsample))


# ----------------------------------------------------------------------------- sunoapi.org


@dataclass
class LyricsTask:
    id: str
    param: str
    prompt: str
    created: float
    status: str
    error_code: int | None
    error_message: str | None


def register_sunoapi(emu: Emulator, svc: Any) -> None:
    """``/api/v1/lyrics``, ``/api/v1/lyrics/record-info`` and ``/api/v1/style/generate``."""
    import json

    from .sunoapi import PROVIDER, ApiError, _text

    tasks: dict[str, LyricsTask] = {}
    svc.state.lyrics = tasks  # tests read it
    max_words = SUNO_WRITING["lyrics_prompt_max_words"]
    prices = SUNO_WRITING["prices"]

    def charge(kind: str) -> None:
        if not emu.charge(PROVIDER, prices.get(kind, 0)):
            raise ApiError(429, "The current credits are insufficient. Please top up.")

    async def lyrics(request: Request) -> Response:
        body = svc.body(request)
        prompt = _text(body, "prompt").strip()
        if not prompt:
            raise ApiError(400, "prompt is required")
        if not _text(body, "callBackUrl").strip():
            raise ApiError(400, "callBackUrl is required")
        if len(prompt.split()) > max_words:
            raise ApiError(413, f"Theme or prompt too long (max {max_words} words)")
        charge("lyrics")
        status, code, message = _LYRICS_OUTCOMES.get(svc._take_outcome(), _FAILED_LYRICS)
        task = LyricsTask(uuid.uuid4().hex, json.dumps({"prompt": prompt}), prompt, emu.clock(), status, code, message)
        with emu.lock:
            tasks[task.id] = task
        return json_response({"code": 200, "msg": "success", "data": {"taskId": task.id}})

    async def record_info(request: Request) -> Response:
        task = tasks.get(request.query.get("taskId", ""))
        if task is None:
            raise ApiError(404, "Task not found")
        status = task.status if emu.clock() - task.created >= emu.timing.queue else "PENDING"
        done = status in ("SUCCESS", "CALLBACK_EXCEPTION")
        items = [{"text": text, "title": title, "status": "complete", "errorMessage": ""}
                 for title, text in lyrics_drafts(task.prompt)] if done else None
        failed = status not in ("PENDING", "SUCCESS")
        data = {
            "taskId": task.id,
            "param": task.param,
            "response": None if items is None else {"taskId": task.id, "data": items},
            "status": status,
            "type": "LYRICS",
            "errorCode": task.error_code if failed else None,
            "errorMessage": task.error_message if failed else None,
        }
        return json_response({"code": 200, "msg": "success", "data": data})

    async def style(request: Request) -> Response:
        body = svc.body(request)
        content = _text(body, "content").strip()
        if not content:
            raise ApiError(400, "content is required")
        charge("boost_style")
        data = {
            "taskId": uuid.uuid4().hex,
            "param": json.dumps({"content": content}),
            "result": boosted_style(content),
            "creditsConsumed": prices.get("boost_style", 0),
            "creditsRemaining": emu.credits[PROVIDER],
            "successFlag": "1",
            "errorCode": None,
            "errorMessage": None,
            "createTime": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        }
        return json_response({"code": 200, "msg": "success", "data": data})

    emu.route("POST", "/api/v1/lyrics", svc.api(lyrics))
    emu.route("GET", "/api/v1/lyrics/record-info", svc.api(record_info))
    emu.route("POST", "/api/v1/style/generate", svc.api(style))
