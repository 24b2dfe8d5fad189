"""Emulated "finishing" endpoints of both providers: WAV, stems, MIDI, timed lyrics, BPM, VOX.

Kept apart from ``sonic.py``/``sunoapi.py`` (which register these routes) because it is
one concern across both contracts: everything here derives from a clip the emulator
already made.  The results are real: stems are the synthesised layers rendered
separately (vocals, drums, bass, keyboard - they sum to the song), MIDI is a real
Standard MIDI File of the notes the synthesiser played, word timings are the sung
syllables' times, and the tempo is the one the song was rendered at.  Clips that are
not plain renders (covers, joined songs, uploads) are split by frequency band, and
their words are spread over the loud parts of the vocal band.

Shapes and the readings chosen where the contract is unsure ("?"):
docs/contract-readings-sonic.md and docs/contract-readings-sunoapi.md, "Deliverables".
Prices are the emulator's own table (it never reads the client catalog).
"""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mido
import numpy as np

from . import synth
from .http import Request, Response, json_response

if TYPE_CHECKING:  # app imports this module to register its routes
    from .app import Emulator

SONIC_PRICES = {"stems_basic": 30, "stems_full": 75, "midi": 1, "aligned_lyrics": 1, "bpm": 1, "vox": 1}
SUNO_PRICES = {"wav": 0.4, "separate_vocal": 10, "split_stem": 50, "midi": 5, "timestamped_lyrics": 0}
VOX_MAX_SECONDS = 30.0
BASIC_STEMS = ("vocals", "instrumental")
FULL_STEMS = ("vocals", "drums", "bass", "keyboard")
_SUNO_STEM_KEYS = {"vocals": "vocalUrl", "instrumental": "instrumentalUrl", "drums": "drumsUrl",
                   "bass": "bassUrl", "keyboard": "keyboardUrl"}
_SUNO_ALL_KEYS = ("originUrl", "instrumentalUrl", "vocalUrl", "backingVocalsUrl", "drumsUrl", "bassUrl", "guitarUrl",
                  "keyboardUrl", "percussionUrl", "stringsUrl", "synthUrl", "fxUrl", "brassUrl", "woodwindsUrl")


# ----------------------------------------------------------------------------- analysis


@dataclass
class Analysis:
    """What the emulator "knows" about a clip's audio."""

    stems: dict[str, np.ndarray]
    notes: dict[str, list[tuple[int, float, float]]]
    syllables: list[tuple[float, float]]
    bpm: float


def analyse(samples: np.ndarray, spec: tuple[int, float, bool] | None) -> Analysis:
    """Exact layers for a plain render (``spec`` = seed, seconds, vocal), else a band split."""
    if spec is not None:
        parts = synth.song_parts(*spec)
        return Analysis(dict(parts.stems), parts.notes, parts.syllables, parts.bpm)
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(len(samples), 1 / synth.SR)
    band = (freqs > 250) & (freqs < 4000)
    vocals = np.fft.irfft(np.where(band, spectrum, 0), len(samples)).astype(np.float32)
    rest = (samples - vocals).astype(np.float32)
    frame = synth.SR // 10
    energy = np.sqrt(np.mean(vocals[: len(vocals) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    loud = energy > max(0.05, float(np.percentile(energy, 60))) if len(energy) else np.zeros(0, bool)
    syllables = [(round(i * 0.1, 3), round(i * 0.1 + 0.3, 3)) for i in range(0, len(loud), 4) if loud[i]]
    return Analysis({"vocals": vocals, "drums": rest * 0.5, "bass": rest * 0.3, "keyboard": rest * 0.2},
                    {"bass": []}, syllables, 100.0)


def basic(analysis: Analysis) -> dict[str, np.ndarray]:
    stems = analysis.stems
    band = sum(v for k, v in stems.items() if k != "vocals")
    return {"vocals": stems.get("vocals", np.zeros_like(band)), "instrumental": band}


def aligned_words(lyrics: str, syllables: list[tuple[float, float]]) -> list[tuple[str, float, float]]:
    """The lyric words (section markers dropped) on the sung syllables, in order."""
    words = [w for w in re.sub(r"\[[^\]]*\]", " ", lyrics or "").split() if w.strip()]
    return [(word, start, end) for word, (start, end) in zip(words, syllables)]


def instruments_json(notes: dict[str, list[tuple[int, float, float]]]) -> list[dict[str, Any]]:
    return [{"name": name, "notes": [{"pitch": p, "start": round(a, 3), "end": round(b, 3), "velocity": 90}
                                     for p, a, b in items]}
            for name, items in notes.items() if items]


def midi_file(notes: dict[str, list[tuple[int, float, float]]], bpm: float) -> bytes:
    """A type-1 Standard MIDI File, one track per instrument."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    tempo = mido.bpm2tempo(bpm)
    for channel, (name, items) in enumerate(notes.items()):
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=name), mido.MetaMessage("set_tempo", tempo=tempo)])
        events = sorted([(a, 1, p) for p, a, _ in items] + [(b, 0, p) for p, _, b in items])
        now = 0
        for seconds, on, pitch in events:
            tick = int(round(mido.second2tick(seconds, 480, tempo)))
            kind = "note_on" if on else "note_off"
            track.append(mido.Message(kind, note=pitch, velocity=90 if on else 0, channel=channel, time=tick - now))
            now = tick
        midi.tracks.append(track)
    out = io.BytesIO()
    midi.save(file=out)
    return out.getvalue()


# ----------------------------------------------------------------------------- shared state


@dataclass
class DerivedTask:
    """An asynchronous derived-asset job of sunoapi.org (WAV, separation, MIDI)."""

    id: str
    kind: str  # wav | separate_vocal | split_stem | midi
    music_task: str
    audio_id: str
    created: float
    result: Future  # -> dict with "files" (response key -> CDN path) and/or "instruments"


def _run(job: Callable[[], Any]) -> Future:
    from .sonic import _RENDER  # one render pool for the whole emulator

    return _RENDER.submit(job)


# ----------------------------------------------------------------------------- sonic


def register_sonic(emu: Emulator, api: Any) -> None:
    """Routes of the AI Music API's utilities; ``api`` is the ``_SonicApi`` instance."""
    from .sonic import API, Audio, ClipRecord, TaskRecord, _body, _guarded, _number, _Reject, _samples

    state = api.state

    def clip_of(body: dict) -> ClipRecord:
        clip_id = body.get("clip_id")
        clip = state.clips.get(clip_id) if isinstance(clip_id, str) else None
        if clip is None:
            raise _Reject(400, "clip not found.")
        if api._clip_state(clip) != "succeeded":
            raise _Reject(400, "the clip is not ready yet.")
        return clip

    def spec(clip: ClipRecord) -> tuple[int, float, bool] | None:
        task = state.tasks.get(clip.task_id or "")
        if clip.uploaded or task is None or "cover" in task.task_type or task.task_type == "concat_music":
            return None
        if clip.id in (task.fulls or []):
            return None
        return clip.art_seed, clip.audio.result().duration, True

    async def analysis(clip: ClipRecord) -> Analysis:
        return await asyncio.wrap_future(_run(lambda: analyse(_samples(clip), spec(clip))))

    def charge(kind: str) -> None:
        api._charge(SONIC_PRICES[kind])

    def stems(full: bool):
        async def handler(request: Request) -> Response:
            clip = clip_of(_body(request))
            charge("stems_full" if full else "stems_basic")
            now, timing = emu.clock(), emu.timing
            shared = _run(lambda: analyse(_samples(clip), spec(clip)))
            names = FULL_STEMS if full else BASIC_STEMS
            records = []
            for index, name in enumerate(names):
                def render(name=name) -> Audio:
                    layers = shared.result()
                    samples = (layers.stems if full else basic(layers)).get(name)
                    samples = np.zeros(synth.SR, np.float32) if samples is None else samples
                    return Audio(synth.encode_mp3(samples), round(len(samples) / synth.SR, 2))

                stem_id = str(uuid.uuid4())
                title = f"{clip.meta.get('title') or 'Untitled'} ({name.title()})"
                ready = now + max(timing.first_clip, timing.queue) + index * 0.001
                records.append(ClipRecord(id=stem_id, uploaded=False, audio=api._render(stem_id, clip.art_seed, render),
                                          created_at=clip.created_at, meta={**clip.meta, "title": title, "lyrics": ""},
                                          art_seed=clip.art_seed, start_at=now, ready_at=ready))
            task = TaskRecord(str(uuid.uuid4()), "stems_full" if full else "stems_basic", now + timing.queue,
                              [r.id for r in records])
            api._remember(task, records)
            return json_response({"code": 200, "message": "success", "task_id": task.id})

        return handler

    async def midi(request: Request) -> Response:
        clip = clip_of(_body(request))
        charge("midi")
        layers = await analysis(clip)
        data = await asyncio.wrap_future(_run(lambda: midi_file(layers.notes, layers.bpm)))
        path = emu.media.put(data, "audio/midi", "mid", name=f"{clip.id}-midi")
        return json_response({"code": 200, "message": "success",
                              "data": {"midi_url": emu.url(path), "instruments": instruments_json(layers.notes)}})

    async def aligned(request: Request) -> Response:
        clip = clip_of(_body(request))
        charge("aligned_lyrics")
        layers = await analysis(clip)
        words = aligned_words(clip.meta.get("lyrics", ""), layers.syllables)
        alignment = [{"word": w, "start_s": a, "end_s": b, "p_align": 0.93, "success": True} for w, a, b in words]
        return json_response({"code": 200, "message": "success", "data": {"alignment": alignment}})

    async def bpm(request: Request) -> Response:
        clip = clip_of(_body(request))
        charge("bpm")
        tempo = (await analysis(clip)).bpm
        return json_response({"code": 200, "message": "success",
                              "data": {"avg_bpm": tempo, "min_bpm": round(tempo - 1.5, 1), "max_bpm": round(tempo + 1.5, 1)}})

    async def vox(request: Request) -> Response:
        body = _body(request)
        clip = clip_of(body)
        duration = clip.audio.result().duration
        start, end = _number(body, "vocal_start_s"), _number(body, "vocal_end_s")
        start = 0.0 if start is None else start
        end = min(duration, start + VOX_MAX_SECONDS) if end is None else end
        if not 0 <= start < end <= duration + 0.005:
            raise _Reject(400, f"the vocal range must lie inside the clip (0 - {duration:.2f} s).")
        if end - start > VOX_MAX_SECONDS + 1e-6:
            raise _Reject(400, f"the vocal range can be at most {VOX_MAX_SECONDS:g} seconds.")
        charge("vox")
        vox_id = f"vox-{uuid.uuid4()}"
        state.voxes[vox_id] = (clip.id, start, end)
        return json_response({"code": 200, "message": "success", "data": {
            "vox_audio_id": vox_id, "status": "succeeded", "source_clip_id": clip.id,
            "vocal_start_s": start, "vocal_end_s": end, "wave_response": None}})

    for path, handler in (
        ("stems/basic", stems(False)), ("stems/full", stems(True)), ("midi", midi),
        ("aligned-lyrics", aligned), ("bpm", bpm), ("vox", vox),
    ):
        emu.route("POST", f"{API}/sonic/{path}", _guarded(emu, handler))


# ----------------------------------------------------------------------------- sunoapi.org


def register_sunoapi(emu: Emulator, svc: Any) -> None:
    """Routes of sunoapi.org's WAV, separation, MIDI and timestamped-lyrics endpoints."""
    from .sunoapi import PROVIDER, ApiError, _text

    state = svc.state
    jobs: dict[str, DerivedTask] = {}
    wav_by_audio: dict[str, str] = {}
    state.derived = jobs
    state.wav_by_audio = wav_by_audio  # a state folder saves and restores both

    def track_of(body: dict) -> tuple[Any, Any]:
        task_id, audio_id = _text(body, "taskId"), _text(body, "audioId")
        if not task_id:
            raise ApiError(400, "taskId is required")
        task = state.tasks.get(task_id)
        if task is None:
            raise ApiError(400, "taskId not found")
        stage, done, _ = svc.stage(task)
        if stage not in ("SUCCESS", "CALLBACK_EXCEPTION") and done < len(task.tracks):
            raise ApiError(400, "the music task has not finished yet")
        track = next((t for t in task.tracks if t.id == audio_id), None) if audio_id else task.tracks[0]
        if track is None or track.audio_path is None:
            raise ApiError(400, "audioId not found in this task")
        return task, track

    def layers_of(task: Any, track: Any) -> Future:
        plain = (track.seed, track.duration, not task.instrumental) if task.operation == "generate" else None
        data = emu.media.get(track.audio_path).data
        return _run(lambda: analyse(synth.decode(data), plain))

    def charge(kind: str) -> None:
        if not emu.charge(PROVIDER, SUNO_PRICES[kind]):
            raise ApiError(429, "The current credits are insufficient. Please top up.")

    def start(kind: str, task: Any, track: Any, job: Callable[[], dict]) -> Response:
        charge(kind)
        derived = DerivedTask(uuid.uuid4().hex, kind, task.id, track.id, emu.clock(), _run(job))
        jobs[derived.id] = derived
        if kind == "wav":
            wav_by_audio[track.id] = derived.id
        return json_response({"code": 200, "msg": "success", "data": {"taskId": derived.id}})

    def require_callback(body: dict) -> None:
        if not _text(body, "callBackUrl"):
            raise ApiError(400, "callBackUrl is required")

    async def wav(request: Request) -> Response:
        body = svc.body(request)
        require_callback(body)
        task, track = track_of(body)
        existing = wav_by_audio.get(track.id)
        if existing is not None:
            return json_response({"code": 409, "msg": "WAV record already exists for this audio",
                                  "data": {"taskId": existing}})
        data = emu.media.get(track.audio_path).data

        def job() -> dict:
            from .sonic import _to_wav

            return {"files": {"audioWavUrl": emu.media.put(_to_wav(data), "audio/wav", "wav", name=f"{track.id}-wav")}}

        return start("wav", task, track, job)

    async def separate(request: Request) -> Response:
        body = svc.body(request)
        require_callback(body)
        kind = body.get("type", "separate_vocal")
        if kind not in ("separate_vocal", "split_stem"):
            raise ApiError(400, "type must be separate_vocal or split_stem")
        task, track = track_of(body)
        layers = layers_of(task, track)

        def job() -> dict:
            parts = layers.result()
            stems = basic(parts) if kind == "separate_vocal" else {**parts.stems, **{"instrumental": basic(parts)["instrumental"]}}
            files = {_SUNO_STEM_KEYS[name]: emu.media.put(synth.encode_mp3(samples), "audio/mpeg", "mp3",
                                                          name=f"{track.id}-{kind}-{name}")
                     for name, samples in stems.items()}
            return {"files": files, "layers": parts}

        return start(kind, task, track, job)

    async def midi(request: Request) -> Response:
        body = svc.body(request)
        require_callback(body)
        separation = jobs.get(_text(body, "taskId"))
        if separation is None or separation.kind not in ("separate_vocal", "split_stem"):
            raise ApiError(400, "taskId must be a finished vocal separation task")
        if not separation.result.done() or emu.clock() - separation.created < emu.timing.first_clip:
            raise ApiError(400, "the vocal separation has not finished yet")
        music = state.tasks[separation.music_task]
        track = next(t for t in music.tracks if t.id == separation.audio_id)
        notes = separation.result.result()["layers"].notes
        return start("midi", music, track, lambda: {"instruments": instruments_json(notes)})

    async def lyrics(request: Request) -> Response:
        body = svc.body(request)
        task, track = track_of(body)
        charge("timestamped_lyrics")
        layers = await asyncio.wrap_future(layers_of(task, track))
        words = aligned_words(track.prompt, layers.syllables)
        aligned = [{"word": w, "success": True, "startS": a, "endS": b, "palign": 0} for w, a, b in words]
        return json_response({"code": 200, "msg": "success", "data": {
            "alignedWords": aligned, "waveformData": [], "hootCer": 0.1, "isStreamed": False}})

    def record_info(kinds: tuple[str, ...]):
        async def handler(request: Request) -> Response:
            job = jobs.get(request.query.get("taskId", ""))
            if job is None or job.kind not in kinds:
                raise ApiError(400, "taskId not found")
            ready = emu.clock() - job.created >= emu.timing.first_clip and job.result.done()
            response: dict[str, Any] = {}
            if ready:
                result = job.result.result()
                files = {key: svc._public(path) for key, path in result.get("files", {}).items()}
                if job.kind in ("separate_vocal", "split_stem"):
                    response = {key: files.get(key) for key in _SUNO_ALL_KEYS}
                    response["originUrl"] = svc._public(state.tasks[job.music_task].tracks[0].audio_path)
                else:
                    response = {**files, **({"instruments": result["instruments"]} if "instruments" in result else {})}
            return json_response({"code": 200, "msg": "success", "data": {
                "taskId": job.id, "musicId": job.audio_id, "callbackUrl": "", "response": response if ready else None,
                "successFlag": "SUCCESS" if ready else "PENDING", "errorCode": None, "errorMessage": None}})

        return handler

    for method, path, handler in (
        ("POST", "/api/v1/wav/generate", wav),
        ("GET", "/api/v1/wav/record-info", record_info(("wav",))),
        ("POST", "/api/v1/vocal-removal/generate", separate),
        ("GET", "/api/v1/vocal-removal/record-info", record_info(("separate_vocal", "split_stem"))),
        ("POST", "/api/v1/midi/generate", midi),
        ("GET", "/api/v1/midi/record-info", record_info(("midi",))),
        ("POST", "/api/v1/generate/get-timestamped-lyrics", lyrics),
    ):
        emu.route(method, path, svc.api(handler))
