"""The emulated edit operations of both providers: replace section, add vocals or an
instrumental, remaster, mashup and sample.

Kept apart from ``sonic.py``/``sunoapi.py`` (whose state and task machinery these reuse)
so the edit routes and their documented rules read in one place.  Rules and prices come
from ``provider_data.json`` "edits" (the providers' pages), never from the client's
catalog.  Where a page is silent the reading in docs/contract-readings-*.md is applied.
The audio is real: a replaced section is spliced into the source, a mashup mixes both
songs, so a person auditioning a demo hears what the operation did.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import synth
from .docs_data import provider_data
from .http import Request, Response, json_response

if TYPE_CHECKING:
    from .app import Emulator

SONIC_EDITS = provider_data("sonic")["edits"]
SUNO_EDITS = provider_data("sunoapi")["edits"]
# How far a remaster moves from the source (the share of the source kept).
_REMASTER_KEEP = {"subtle": 0.9, "normal": 0.75, "high": 0.55}
_FADE = 0.05  # seconds of cross-fade at each seam


def splice(base: np.ndarray, middle: np.ndarray, start: float, end: float) -> np.ndarray:
    """``base`` with ``start``..``end`` replaced by ``middle`` (cross-faded at both seams)."""
    a, b = int(start * synth.SR), int(end * synth.SR)
    head, tail = base[:a], base[b:]
    fade = int(_FADE * synth.SR)
    middle = np.resize(middle, max(b - a, 1)).astype(np.float32)
    for edge, part in ((0, head), (1, tail)):
        n = min(fade, len(part), len(middle))
        if not n:
            continue
        ramp = np.linspace(0, 1, n, dtype=np.float32)
        if edge == 0:
            middle[:n] = head[len(head) - n:] * (1 - ramp) + middle[:n] * ramp
        else:
            middle[len(middle) - n:] = middle[len(middle) - n:] * (1 - ramp) + tail[:n] * ramp
    return np.concatenate([head, middle, tail])


def _mix(a: np.ndarray, b: np.ndarray, keep: float) -> bytes:
    return synth.mix_mp3(a, b, keep)


def _seconds(samples: np.ndarray) -> float:
    return round(len(samples) / synth.SR, 2)


# ----------------------------------------------------------------------------- sonic


def register_sonic(emu: Emulator, api: Any) -> None:
    """``/sonic/replace-section``, ``/sonic/mashup``, ``/sonic/sample`` and the remaster /
    add_vocals / add_instrumental task types of ``/sonic/create``."""
    from .sonic import (
        _ACCEPTED_MV,
        API,
        SONG_BANK,
        Audio,
        ClipRecord,
        TaskRecord,
        _body,
        _check_generation,
        _clip_meta,
        _guarded,
        _now_iso,
        _number,
        _Reject,
        _samples,
        _text,
    )

    state, prices = api.state, SONIC_EDITS["prices"]
    window = SONIC_EDITS["replace_window"]

    def source(clip_id: Any, field: str) -> ClipRecord:
        if not isinstance(clip_id, str) or not clip_id:
            raise _Reject(400, f"{field} is required.")
        clip = state.clips.get(clip_id)
        if clip is None:
            raise _Reject(400, f"{field} not found.")
        if api._clip_state(clip) != "succeeded":
            raise _Reject(400, f"{field} is not ready yet; wait until it has succeeded.")
        return clip

    def span(body: dict, start_key: str, end_key: str, duration: float, *, required: bool) -> tuple | None:
        start, end = _number(body, start_key), _number(body, end_key)
        if start is None and end is None and not required:
            return None
        if start is None or end is None:
            raise _Reject(400, f"{start_key} and {end_key} are required.")
        if not 0 <= start < end <= duration + 0.005:
            raise _Reject(400, f"{start_key} must be at least 0 and less than {end_key}, "
                          f"which must not pass the clip's end ({duration:.2f} s).")
        return start, end

    def meta(task_type: str, body: dict, src: ClipRecord) -> dict:
        if "mv" in body:
            return _clip_meta(task_type, body, src)
        lyrics = _text(body, "prompt") or _text(body, "infill_lyrics")
        return {**src.meta, "title": _text(body, "title") or src.meta.get("title", ""),
                "tags": _text(body, "tags") or src.meta.get("tags", ""), "lyrics": lyrics}

    def start(task_type: str, body: dict, src: ClipRecord, render: Callable[..., Audio],
              *, full: Callable[[ClipRecord], Audio] | None = None) -> TaskRecord:
        """Two clips rendered by ``render(seed, seconds)``; ``full``: auto_concat pairs."""
        now, timing = emu.clock(), emu.timing
        clips = []
        for finish in (timing.first_clip, timing.second_clip):
            ready = now + max(finish, timing.queue)
            with emu.lock:
                seed, seconds = SONG_BANK[emu.rng.randrange(len(SONG_BANK))]
            clip_id = str(uuid.uuid4())
            clips.append(ClipRecord(
                id=clip_id, uploaded=False, audio=api._render(clip_id, seed, render, seed, seconds),
                created_at=_now_iso(), meta=meta(task_type, body, src), art_seed=seed,
                start_at=(now + timing.queue + ready) / 2, ready_at=ready,
            ))
        fulls = []
        if full is not None:
            for clip in clips:
                full_id = str(uuid.uuid4())
                fulls.append(ClipRecord(
                    id=full_id, uploaded=False, audio=api._render(full_id, clip.art_seed, full, clip),
                    created_at=_now_iso(), meta=dict(clip.meta), art_seed=clip.art_seed,
                    start_at=now, ready_at=clip.ready_at + timing.concat,
                ))
        task = TaskRecord(str(uuid.uuid4()), task_type, now + timing.queue, [c.id for c in clips])
        task.fulls = [f.id for f in fulls] or None
        api._remember(task, clips + fulls)
        return task

    def accepted(task: TaskRecord) -> Response:
        return json_response({"message": "success", "task_id": task.id})

    async def create_edit(body: dict) -> Response:
        task_type = body["task_type"]
        src = source(body.get("continue_clip_id"), "continue_clip_id")
        duration = src.audio.result().duration
        if task_type == "remaster":
            mv = body.get("mv")
            if not isinstance(mv, str) or mv not in _ACCEPTED_MV:
                raise _Reject(400, f"invalid mv: {mv!r}.")
            if _ACCEPTED_MV[mv] not in SONIC_EDITS["remaster_models"]:
                raise _Reject(400, f"remaster supports only {', '.join(SONIC_EDITS['remaster_models'])}.")
            variation = body.get("variation_category")
            if variation is not None and variation not in SONIC_EDITS["variation_categories"]:
                raise _Reject(400, "variation_category must be subtle, normal or high.")
            keep = _REMASTER_KEEP[variation or "normal"]
            over = None
        else:
            if not src.uploaded:
                raise _Reject(400, f"{task_type} works only on uploaded clips (continue_clip_id from /sonic/upload).")
            # add_instrumental brings no lyrics: its body is checked like an instrumental one.
            checked = body if task_type == "add_vocals" else {**body, "make_instrumental": True}
            _check_generation(checked, task_type)
            if task_type == "add_instrumental" and not _text(body, "tags").strip():
                raise _Reject(400, "tags is required for add_instrumental.")
            over = span(body, "overpainting_start_s", "overpainting_end_s", duration, required=False)
            keep = 0.5
        api._charge(prices[task_type])

        def render(seed: int, seconds: float) -> Audio:
            base = _samples(src)
            fresh = synth.render(seed, max(_seconds(base), 1.0))
            if over is not None:  # only the range is painted over
                a, b = int(over[0] * synth.SR), int(over[1] * synth.SR)
                fresh = np.concatenate([base[:a], fresh[a:b], base[b:]]).astype(np.float32)
            return Audio(_mix(base, fresh, keep), _seconds(base))

        return accepted(start(task_type, body, src, render))

    api.edit_types.update(dict.fromkeys(("remaster", "add_vocals", "add_instrumental"), create_edit))

    async def replace_section(request: Request) -> Response:
        body = _body(request)
        src = source(body.get("clip_id"), "clip_id")
        duration = src.audio.result().duration
        begin, end = span(body, "infill_start_s", "infill_end_s", duration, required=True)
        if not window["min"] - 0.005 <= end - begin <= window["max"] + 0.005:
            raise _Reject(400, f"the replaced section must be {window['min']}-{window['max']} seconds long.")
        if not _text(body, "infill_lyrics").strip():
            raise _Reject(400, "infill_lyrics is required.")
        for name in ("prompt", "tags", "title", "negative_tags"):
            _text(body, name)
        auto = body.get("auto_concat", False)
        if not isinstance(auto, bool):
            raise _Reject(400, "auto_concat must be a boolean.")
        api._charge(prices["replace_section"])

        def section(seed: int, seconds: float) -> Audio:
            fresh = synth.render(seed, end - begin)
            return Audio(synth.encode_mp3(fresh), _seconds(fresh))

        def whole(part: ClipRecord) -> Audio:
            joined = splice(_samples(src), _samples(part), begin, end)
            return Audio(synth.encode_mp3(joined), _seconds(joined))

        return accepted(start("replace_section", body, src, section, full=whole if auto else None))

    async def mashup(request: Request) -> Response:
        body = _body(request)
        ids = body.get("mashup_clip_ids")
        if not isinstance(ids, list) or len(ids) != 2:
            raise _Reject(400, "mashup_clip_ids must list exactly 2 clip ids.")
        if ids[0] == ids[1]:
            raise _Reject(400, "mashup_clip_ids must name two different clips.")
        first, second = (source(i, "mashup_clip_ids") for i in ids)
        _check_generation(body, "mashup")
        api._charge(prices["mashup"])

        def render(seed: int, seconds: float) -> Audio:
            a, b = _samples(first), _samples(second)
            n = max(len(a), len(b))
            return Audio(_mix(np.resize(a, n), np.resize(b, n), 0.5), round(n / synth.SR, 2))

        return accepted(start("mashup", body, first, render))

    async def sample(request: Request) -> Response:
        body = _body(request)
        if body.get("sample_clip_id") is None and body.get("url") is not None:
            raise _Reject(400, "this emulator samples library clips only (sample_clip_id).")
        src = source(body.get("sample_clip_id"), "sample_clip_id")
        begin, end = span(body, "chop_sample_start_s", "chop_sample_end_s", src.audio.result().duration, required=True)
        _check_generation(body, "sample")
        api._charge(prices["sample"])

        def render(seed: int, seconds: float) -> Audio:
            chop = _samples(src)[int(begin * synth.SR):int(end * synth.SR)]
            fresh = synth.render(seed, seconds)
            looped = np.resize(chop, len(fresh)) if len(chop) else fresh
            return Audio(_mix(looped, fresh, 0.4), _seconds(fresh))

        return accepted(start("sample", body, src, render))

    for path, handler in (("replace-section", replace_section), ("mashup", mashup), ("sample", sample)):
        emu.route("POST", f"{API}/sonic/{path}", _guarded(emu, handler))


# ----------------------------------------------------------------------------- sunoapi.org


def register_sunoapi(emu: Emulator, svc: Any) -> None:
    """``/generate/replace-section``, ``/generate/add-vocals``, ``/generate/add-instrumental``
    and ``/generate/mashup`` (the generate family: same envelope, same record-info)."""
    from .sunoapi import ApiError, _check_common, _decoded, _flag, _is_number, _model, _text, _url_field

    state, window = svc.state, SUNO_EDITS["replace_window"]

    def required(body: dict, *names: str) -> dict[str, str]:
        values = {name: _text(body, name) for name in names}
        for name, value in values.items():
            if not value.strip():
                raise ApiError(400, f"{name} is required")
        return values

    async def replace_section(request: Request) -> Response:
        body = svc.body(request)
        fields = required(body, "callBackUrl", "taskId", "audioId", "prompt", "tags", "title", "fullLyrics")
        _text(body, "negativeTags")
        task = state.tasks.get(fields["taskId"])
        if task is None:
            raise ApiError(400, "taskId not found")
        index = next((i for i, t in enumerate(task.tracks) if t.id == fields["audioId"]), None)
        if index is None:
            raise ApiError(400, "audioId not found in this task")
        if svc.stage(task)[1] <= index:
            raise ApiError(400, "The source music is not finished yet")
        track = task.tracks[index]
        duration = track.duration or 0.0
        begin, end = body.get("infillStartS"), body.get("infillEndS")
        if not (_is_number(begin) and _is_number(end)):
            raise ApiError(400, "infillStartS and infillEndS are required numbers")
        if not 0 <= begin < end <= duration + 0.005:
            raise ApiError(400, f"infillStartS must be less than infillEndS, both within the audio ({duration} s)")
        length = end - begin
        if not window["min"] - 0.005 <= length <= window["max"] + 0.005:
            raise ApiError(400, f"The replaced section must be {window['min']}-{window['max']} seconds long")
        if length > window["max_fraction"] * duration + 0.005:
            raise ApiError(400, "The replaced section can be at most half of the song")
        data = emu.media.get(track.audio_path or "")
        if data is None:
            raise ApiError(404, "audioId not found (expired)")

        async def render(seed: int) -> tuple[bytes, float]:
            def job() -> tuple[bytes, float]:
                joined = splice(_decoded(data.data), synth.render(seed, length), begin, end)
                return synth.encode_mp3(joined), _seconds(joined)
            return await asyncio.to_thread(job)

        def describe(index: int) -> tuple[str, str, str]:
            return fields["title"], fields["tags"], fields["fullLyrics"]

        return await svc.start(body, "replace_section", task.model, task.instrumental, render, describe,
                               parent=fields["audioId"])

    def add_model(body: dict) -> str:
        model = body.get("model", "V4_5PLUS")  # the pages' default
        if model not in SUNO_EDITS["add_models"]:
            raise ApiError(400, f"model must be one of {', '.join(SUNO_EDITS['add_models'])}")
        return model

    def negative_tags(body: dict) -> None:
        if not isinstance(body.get("negativeTags"), str):
            raise ApiError(400, "negativeTags is required")

    async def add_layer(request: Request, vocals: bool) -> Response:
        body = svc.body(request)
        style_field = "style" if vocals else "tags"
        names = ("callBackUrl", "title", style_field) + (("prompt",) if vocals else ())
        fields = required(body, *names)
        negative_tags(body)
        url = _url_field(body, "uploadUrl")
        model = add_model(body)
        info = _model({"model": model})[1]
        if vocals and len(fields["prompt"]) > info.lyrics_max:
            raise ApiError(413, f"prompt is too long ({len(fields['prompt'])} > {info.lyrics_max} characters)")
        if len(fields[style_field]) > info.tags_max or len(fields["title"]) > info.title_max:
            raise ApiError(400, f"{style_field} or title is too long")
        _check_weights_and_gender(body)
        source: dict[str, bytes] = {}

        async def prepare() -> None:
            source["audio"] = await svc._fetch_upload(url, model, info)

        async def render(seed: int) -> tuple[bytes, float]:
            def job() -> tuple[bytes, float]:
                base = _decoded(source["audio"])
                fresh = synth.render(seed, max(_seconds(base), 1.0), vocals)
                return synth.mix_mp3(base, fresh, 0.5), _seconds(base)
            return await asyncio.to_thread(job)

        def describe(index: int) -> tuple[str, str, str]:
            return fields["title"], fields[style_field], fields.get("prompt", "")

        operation = "add_vocals" if vocals else "add_instrumental"
        return await svc.start(body, operation, model, not vocals, render, describe, prepare=prepare)

    async def add_vocals(request: Request) -> Response:
        return await add_layer(request, True)

    async def add_instrumental(request: Request) -> Response:
        return await add_layer(request, False)

    async def mashup(request: Request) -> Response:
        body = svc.body(request)
        urls = body.get("uploadUrlList")
        if not isinstance(urls, list) or len(urls) != 2 or not all(isinstance(u, str) for u in urls):
            raise ApiError(400, "uploadUrlList must hold exactly 2 audio URLs")
        for url in urls:
            _url_field({"uploadUrl": url}, "uploadUrl")
        if body.get("model") not in SUNO_EDITS["mashup_models"]:
            raise ApiError(400, f"model must be one of {', '.join(SUNO_EDITS['mashup_models'])}")
        model, info = _model(body, "mashup")
        custom, instrumental = _flag(body, "customMode"), _flag(body, "instrumental", required=False)
        _check_common(body, info, custom=custom, instrumental=instrumental)
        audio: list[bytes] = []

        async def prepare() -> None:
            for url in urls:
                audio.append(await svc._fetch_upload(url, model, info))

        async def render(seed: int) -> tuple[bytes, float]:
            def job() -> tuple[bytes, float]:
                a, b = _decoded(audio[0]), _decoded(audio[1])
                n = max(len(a), len(b))
                return synth.mix_mp3(np.resize(a, n), np.resize(b, n), 0.5), round(n / synth.SR, 2)
            return await asyncio.to_thread(job)

        describe = svc.describer(body, custom=custom, instrumental=instrumental)
        return await svc.start(body, "mashup", model, instrumental, render, describe, prepare=prepare)

    for path, handler in (
        ("/api/v1/generate/replace-section", replace_section),
        ("/api/v1/generate/add-vocals", add_vocals),
        ("/api/v1/generate/add-instrumental", add_instrumental),
        ("/api/v1/generate/mashup", mashup),
    ):
        emu.route("POST", path, svc.api(handler))


def _check_weights_and_gender(body: dict) -> None:
    from .sunoapi import ApiError, _is_number

    if body.get("vocalGender") not in (None, "m", "f"):
        raise ApiError(400, "vocalGender must be m or f")
    for name in ("styleWeight", "weirdnessConstraint", "audioWeight"):
        value = body.get(name)
        if value is not None and not (_is_number(value) and 0 <= value <= 1):
            raise ApiError(400, f"{name} must be a number between 0 and 1")
