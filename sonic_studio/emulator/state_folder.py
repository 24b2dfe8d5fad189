"""The demo emulator's memory on disk, so a demo survives closing and reopening the app.

Without it the emulator forgot everything on restart: the README's persona "expired",
extending yesterday's clip failed and credits jumped back to 500.  A state folder
holds ``state.json`` (clips, tasks, personas, uploads, credits, the port last used)
and ``media/`` (every file the emulator's CDN serves, written as it is made).

Writes are atomic (a temp file, then ``os.replace``), so a crash leaves the previous
state.  A folder that cannot be read, or was written by a newer Sonic Studio, is set
aside (renamed) with a message and the demo starts fresh: it never stops the app.

Times on the emulator's clock (monotonic, per process) are stored as wall-clock times
and turned back on load, so a task that was half-way when the app closed continues
where it was.  A clip whose render had not finished is rendered again from its recipe.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Emulator

log = logging.getLogger(__name__)

VERSION = 1
STATE_FILE = "state.json"
MEDIA_DIR = "media"
UPLOADS_DIR = "uploads"
SAVE_INTERVAL = 0.5  # seconds between checks for changes to write


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def prepare(folder: Path) -> str | None:
    """Make ``folder`` usable; set an unreadable or newer one aside.  Returns what to tell the person.

    The app calls this before starting the emulator (so it can show the message) and the
    emulator calls it again (for the CLI); the second call finds nothing to do.
    """
    state = folder / STATE_FILE
    problem = None
    if state.exists():
        try:
            data = json.loads(state.read_text("utf-8"))
            version = data.get("version") if isinstance(data, dict) else None
            if not isinstance(version, int):
                problem = "it has no version number"
            elif version > VERSION:
                problem = f"it was written by a newer Sonic Studio (format {version}; this one reads {VERSION})"
        except (OSError, ValueError) as exc:
            problem = f"it could not be read ({type(exc).__name__})"
    if problem is None:
        folder.mkdir(parents=True, exist_ok=True)
        return None
    aside = folder.with_name(f"{folder.name}.set-aside-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while aside.exists():
        n += 1
        aside = aside.with_name(f"{aside.name.split('~')[0]}~{n}")
    os.replace(folder, aside)
    folder.mkdir(parents=True, exist_ok=True)
    message = (f"The demo's saved state could not be used because {problem}. It was kept as {aside} "
               "and the demo starts fresh.")
    log.warning("%s", message)
    return message


def clear(folder: Path) -> None:
    """Forget the saved state (renamed first, so an interrupted removal never leaves half a state)."""
    if folder.exists():
        doomed = folder.with_name(f"{folder.name}.removing-{os.getpid()}")
        os.replace(folder, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def last_port(folder: Path) -> int | None:
    """The port the emulator used last time (reusing it keeps the library's demo links working)."""
    try:
        port = json.loads((folder / STATE_FILE).read_text("utf-8")).get("port")
    except (OSError, ValueError, AttributeError):
        return None
    return port if isinstance(port, int) and 0 < port < 65536 else None


class StateKeeper:
    """Loads an emulator's state from a folder and writes it back whenever it changes."""

    def __init__(self, emu: Emulator, folder: Path) -> None:
        self.emu = emu
        self.folder = Path(folder)
        self.message = prepare(self.folder)
        emu.media.keep_in(self.folder / MEDIA_DIR)
        self.port: int | None = None
        self._saving: asyncio.Task | None = None
        initial_credits = dict(emu.credits)
        try:
            self._load()
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            # Valid JSON but not a state we understand: set it aside too, start fresh.
            log.warning("demo state in %s not loadable: %r", self.folder, exc)
            self._reset_emulator()
            emu.credits.update(initial_credits)
            (self.folder / STATE_FILE).rename(self.folder / f"{STATE_FILE}.unreadable-{int(time.time())}")
            self.message = ("The demo's saved state could not be loaded; it was kept beside the new one "
                            "and the demo starts fresh.")

    # ------------------------------------------------------------------ saving
    def start(self, port: int) -> None:
        """Save now (with the port) and then whenever the emulator reports a change."""
        self.port = port
        self.save()
        self._saving = asyncio.ensure_future(self._save_changes())

    async def stop(self) -> None:
        if self._saving is not None:
            self._saving.cancel()
            await asyncio.gather(self._saving, return_exceptions=True)
            self._saving = None
        self.save()

    async def _save_changes(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            if self.emu.dirty:
                try:
                    self.save()
                except Exception:  # a bug here must not stop the demo; the next change tries again
                    log.exception("demo state not saved")
                    self.emu.dirty = True

    def save(self) -> None:
        with self.emu.lock:
            self.emu.dirty = False
            snapshot = self._snapshot()
        try:
            write_atomic(self.folder / STATE_FILE, json.dumps(snapshot, indent=1).encode())
        except OSError as exc:  # a full disk must not stop the demo; the next change tries again
            log.warning("demo state not saved: %s", exc)
            self.emu.dirty = True

    # ------------------------------------------------------------------ snapshot
    def _wall(self, t: float) -> float:
        return t - self.emu.clock() + time.time()

    def _clock(self, wall: float) -> float:
        return wall - time.time() + self.emu.clock()

    def _snapshot(self) -> dict[str, Any]:
        emu = self.emu
        sonic, suno = emu.state["sonic"], emu.state["sunoapi"]
        clips = {}
        for clip in list(sonic.clips.values()):  # lists: render threads may add while we read
            audio = clip.audio.result() if clip.audio.done() and clip.audio.exception() is None else None
            if clip.uploaded and audio is not None:
                upload = self.folder / UPLOADS_DIR / clip.id
                if not upload.exists():
                    write_atomic(upload, audio.data)
            clips[clip.id] = {
                "uploaded": clip.uploaded, "created_at": clip.created_at, "task_id": clip.task_id,
                "meta": clip.meta, "art_seed": clip.art_seed, "start_at": self._wall(clip.start_at),
                "ready_at": self._wall(clip.ready_at), "error": clip.error, "extends": clip.extends,
                "wav_path": clip.wav_path, "recipe": clip.recipe,
                "duration": audio.duration if audio is not None else None,
            }
        sonic_doc = {
            "clips": clips,
            "tasks": {t.id: {"task_type": t.task_type, "ready_from": self._wall(t.ready_from), "clips": t.clips,
                             "fulls": t.fulls} for t in list(sonic.tasks.values())},
            "personas": {p.id: vars(p).copy() for p in list(sonic.personas.values())},
            "voxes": dict(sonic.voxes), "extra_credits": sonic.extra_credits,
        }
        derived = {}
        for job in list(getattr(suno, "derived", {}).values()):
            if job.result.done() and job.result.exception() is None:
                derived[job.id] = {"kind": job.kind, "music_task": job.music_task, "audio_id": job.audio_id,
                                   "created": self._wall(job.created), "result": job.result.result()}
        suno_doc = {
            "tasks": {t.id: {**{k: v for k, v in vars(t).items() if k != "tracks"},
                             "created": self._wall(t.created), "tracks": [vars(tr).copy() for tr in t.tracks]}
                      for t in list(suno.tasks.values())},
            "personas": {p.id: vars(p).copy() for p in list(suno.personas.values())},
            "derived": derived,
            "wav_by_audio": {a: d for a, d in list(getattr(suno, "wav_by_audio", {}).items()) if d in derived},
        }
        return {"version": VERSION, "port": self.port, "saved_at": time.time(), "credits": dict(emu.credits),
                "sonic": sonic_doc, "sunoapi": suno_doc}

    # ------------------------------------------------------------------ loading
    def _reset_emulator(self) -> None:
        sonic, suno = self.emu.state["sonic"], self.emu.state["sunoapi"]
        for mapping in (sonic.clips, sonic.tasks, sonic.personas, sonic.persona_by_clip, sonic.voxes,
                        suno.tasks, suno.personas, suno.persona_by_audio,
                        getattr(suno, "derived", {}), getattr(suno, "wav_by_audio", {})):
            mapping.clear()

    def _load(self) -> None:
        path = self.folder / STATE_FILE
        if not path.exists():
            return
        doc = json.loads(path.read_text("utf-8"))
        self.port = doc.get("port")
        self.emu.credits.update({k: float(v) for k, v in doc["credits"].items()})
        self._load_sonic(doc["sonic"])
        self._load_suno(doc["sunoapi"])
        log.info("demo state loaded from %s", self.folder)

    def _load_sonic(self, doc: dict) -> None:
        from . import sonic as mod

        state, api = self.emu.state["sonic"], self.emu.state["sonic_api"]
        for clip_id, c in doc["clips"].items():  # in creation order: sources before what uses them
            clip = mod.ClipRecord(
                id=clip_id, uploaded=c["uploaded"], audio=Future(), created_at=c["created_at"], task_id=c["task_id"],
                meta=c["meta"], art_seed=c["art_seed"], start_at=self._clock(c["start_at"]),
                ready_at=self._clock(c["ready_at"]), error=c["error"],
                extends=tuple(c["extends"]) if c["extends"] else None, wav_path=c["wav_path"],
                recipe=list(c["recipe"]) if c["recipe"] else None,
            )
            clip.audio = self._audio_of(clip, c["duration"], state, api)
            state.clips[clip_id] = clip
        for task_id, t in doc["tasks"].items():
            state.tasks[task_id] = mod.TaskRecord(task_id, t["task_type"], self._clock(t["ready_from"]),
                                                  list(t["clips"]), list(t["fulls"]) if t["fulls"] else None)
        for persona_id, p in doc["personas"].items():
            state.personas[persona_id] = mod.PersonaRecord(**p)
            state.persona_by_clip[p["clip_id"]] = persona_id
        state.voxes.update({k: tuple(v) for k, v in doc["voxes"].items()})
        state.extra_credits = float(doc["extra_credits"])

    def _audio_of(self, clip: Any, duration: float | None, state: Any, api: Any) -> Future:
        """The clip's audio: read from disk when it was made, else rendered again from its recipe."""
        from . import sonic as mod

        if duration is not None:
            file = (self.folder / UPLOADS_DIR / clip.id) if clip.uploaded else None
            media = self.emu.media
            path = f"/cdn/{clip.id}.mp3"
            if file is not None and file.exists() or file is None and media.get(path) is not None:
                return mod._RENDER.submit(lambda: mod.Audio(file.read_bytes() if file else media.get(path).data,
                                                            duration))
        recipe = clip.recipe or []
        if recipe[:1] == ["song"]:
            return api._render(clip.id, clip.art_seed, mod._render_song, *recipe[1:])
        if recipe[:1] == ["cover"]:
            _, source, seed, length, weight = recipe
            return api._render(clip.id, clip.art_seed, mod._render_cover, state.clips[source], seed, length, weight)
        if recipe[:1] == ["concat"]:
            _, source, extension, at = recipe
            return api._render(clip.id, clip.art_seed, mod._render_concat, state.clips[source],
                               state.clips[extension], at)
        if clip.error is None:
            clip.error = "The demo server stopped before this clip was finished."
        failed: Future = Future()
        failed.set_exception(RuntimeError(clip.error))
        return failed

    def _load_suno(self, doc: dict) -> None:
        from .deliverables import DerivedTask
        from .sunoapi import PersonaRecord, Task, Track

        state = self.emu.state["sunoapi"]
        for task_id, t in doc["tasks"].items():
            tracks = [Track(**tr) for tr in t["tracks"]]
            fields = {k: v for k, v in t.items() if k not in ("tracks", "created")}
            state.tasks[task_id] = Task(**fields, created=self._clock(t["created"]), tracks=tracks)
        for persona_id, p in doc["personas"].items():
            state.personas[persona_id] = PersonaRecord(**p)
            state.persona_by_audio[p["audio_id"]] = persona_id
        for job_id, j in doc["derived"].items():
            result: Future = Future()
            result.set_result(j["result"])
            state.derived[job_id] = DerivedTask(job_id, j["kind"], j["music_task"], j["audio_id"],
                                                self._clock(j["created"]), result)
        state.wav_by_audio.update(doc["wav_by_audio"])
