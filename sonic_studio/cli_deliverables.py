"""The CLI's "finish the song" commands: whole-song, wav, stems, midi, lyrics-timeline, bpm, vox, export --format daw.

Kept out of ``out.py`` (which registers these) because they share one shape: quote
the cost on stderr, ask ``studio.deliverables``, optionally wait, print the local file
paths (or one JSON document).  Exit codes are the CLI's: 3 when the task did not
succeed, 4 when only part of it did (e.g. one stem failed).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cli_output as out
from .core.errors import ValidationError
from .core.models import AssetKind

if TYPE_CHECKING:  # the services load when a command runs, not to build --help
    from .services import Studio
    from .services.deliverables import Outcome

_KINDS = {
    "wav": AssetKind.WAV,
    "midi": AssetKind.MIDI,
    "lyrics-timeline": AssetKind.LYRICS_TIMELINE,
    "bpm": AssetKind.BPM,
    "vox": AssetKind.VOX,
}
# Answered at once by the provider (or made here): always waited for.
_QUICK = {AssetKind.LYRICS_TIMELINE, AssetKind.BPM, AssetKind.VOX}


def add_parsers(commands: argparse._SubParsersAction) -> None:
    def clip_command(name: str, help_text: str, *, wait: bool = True) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        parser.add_argument("clip", metavar="CLIP")
        if wait:
            parser.add_argument("--wait", action="store_true", help="wait until the files are saved, print them")
        return parser

    clip_command("whole-song", "the whole song of an extension (sonic: concat, 2 credits; sunoapi.org: joined here)")
    clip_command("wav", "a WAV rendering of a clip")
    stems = clip_command("stems", "vocals and instrumental (--full: one stem per instrument)")
    stems.add_argument("--full", action="store_true", help="full stems (more credits)")
    clip_command("midi", "a .mid of the clip's notes (sunoapi.org: makes the stems first if needed)")
    lyrics = clip_command("lyrics-timeline", "word timings of the lyrics, saved as .lrc", wait=False)
    lyrics.add_argument("--lrc", type=Path, metavar="FILE", help="also copy the .lrc here")
    clip_command("bpm", "tempo (sunoapi.org: estimated here from the audio)", wait=False)
    vox = clip_command("vox", "isolated vocals of a window of at most 30 s (sonic; for personas)", wait=False)
    vox.add_argument("--from", dest="start", type=float, required=True, metavar="S")
    vox.add_argument("--to", dest="end", type=float, required=True, metavar="S")


async def cmd_asset(studio: Studio, args: argparse.Namespace) -> int:
    clip = out.resolve_clip(studio, args.clip)
    if args.command == "whole-song":
        kind = AssetKind.WHOLE_SONG
    elif args.command == "stems":
        kind = AssetKind.STEMS_FULL if args.full else AssetKind.STEMS_BASIC
    else:
        kind = _KINDS[args.command]
    _say(args, studio.deliverables.quote(clip, kind).sentence)
    window = {"vocal_start": args.start, "vocal_end": args.end} if kind is AssetKind.VOX else {}
    outcome = await studio.deliverables.request(clip, kind, **window)
    if outcome.message:
        _say(args, outcome.message)
    return await finish(studio, args, clip, kind, outcome, wait=kind in _QUICK or getattr(args, "wait", False))


async def finish(studio: Studio, args, clip: int, kind: AssetKind, outcome: Outcome, *, wait: bool) -> int:
    task = outcome.task
    if task is not None and not wait:
        out.emit(args, {"task": out.task_json(studio, task), "quote": outcome.quote.sentence},
                  f"Submitted task {task.provider_task_id} ({task.title}). "
                  "Run 'sonic-studio-cli tasks resume' to finish and download it.")
        return out.EXIT_OK
    if task is not None:
        out.progress_printer(studio, args, {task.id})
        task = await studio.tasks.wait(task.id)
    data = result_json(studio, clip, kind, task)
    if kind is AssetKind.LYRICS_TIMELINE and getattr(args, "lrc", None) and data["files"].get("lrc"):
        args.lrc.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data["files"]["lrc"], args.lrc)
        data["files"]["lrc_copy"] = str(args.lrc)
    out.emit(args, data, result_text(data))
    if task is None:
        return out.EXIT_OK
    if task.error is not None and out.task_exit(task) != out.EXIT_OK:
        _say(args, f"{task.state.value}: {task.error}", always=True)
    return out.task_exit(task)


def result_json(studio: Studio, clip: int, kind: AssetKind, task=None) -> dict[str, Any]:
    """The asset (or whole-song clips) of ``clip``, with every local file path."""
    data: dict[str, Any] = {"kind": kind.value, "clip_id": studio.library.get(clip).clip_id,
                            "task": out.task_json(studio, task) if task is not None else None,
                            "files": {}, "data": {}, "lineage": None}
    if kind is AssetKind.WHOLE_SONG:
        songs = [c for c in studio.deliverables.whole_songs(clip) if c.audio_path]
        if task is not None and task.clip_ids:
            songs = [studio.library.get(c) for c in task.clip_ids]
        songs = songs or ([studio.library.get(clip)] if task is None else [])
        data["clips"] = [out.clip_json(studio, c.id) for c in songs]
        data["files"] = {f"song{i + 1}" if i else "song": c.audio_path for i, c in enumerate(songs) if c.audio_path}
        data["lineage"] = f"whole song of {studio.library.get(clip).title or data['clip_id']} (extended)"
        return data
    assets = [a for a in studio.deliverables.assets(clip) if a.kind is kind]
    if task is not None:
        assets = [a for a in studio.store.assets.for_clip(clip, kind) if a.task == task.id] or assets
    if assets:
        asset = assets[0]
        data.update(files=dict(asset.files), data=dict(asset.data), state=asset.state.value, error=asset.error,
                    lineage=studio.deliverables.lineage_label(asset))
        data["data"].pop("words", None)
        data["data"].pop("instruments", None)
    return data


def result_text(data: dict[str, Any]) -> str:
    lines = [data["lineage"] or f"{data['kind']} of {data['clip_id']}"]
    if data["task"]:
        lines[0] += f"  ({data['task']['state']}: {data['task']['detail']})"
    values = data["data"]
    if "avg" in values:
        estimated = " (estimated here)" if values.get("estimated") else ""
        span = f", {values['min']:g}-{values['max']:g}" if values.get("min") and values.get("max") else ""
        lines.append(f"  BPM {values['avg']:g}{span}{estimated}")
    if "vox_audio_id" in values:
        lines.append(f"  vox_audio_id {values['vox_audio_id']}  ({values.get('vocal_start_s')}-"
                     f"{values.get('vocal_end_s')} s)")
    lines += [f"  {name}: {path}" for name, path in data["files"].items()]
    return "\n".join(lines)


def task_files(studio: Studio, task) -> dict[str, str]:
    """Local files an asset task saved (for 'tasks resume')."""
    if task.source_clip is None:
        return {}
    for asset in studio.store.assets.for_clip(task.source_clip):
        if asset.task == task.id:
            return dict(asset.files)
    return {}


async def whole_songs_after_extend(studio: Studio, args, task) -> list[dict[str, Any]]:
    """`extend --wait` on sonic: the whole song of each extension too (2 credits each)."""
    from .store import TaskState

    if task.state not in (TaskState.SUCCEEDED, TaskState.PARTIAL) or getattr(args, "no_whole_song", False):
        return []
    caps = studio.capabilities
    if caps.deliverable(AssetKind.WHOLE_SONG).local:
        return []  # sunoapi.org: joined on request ('whole-song'), never automatically
    results = []
    for clip in task.clip_ids:
        if not studio.library.get(clip).audio_path:
            continue
        _say(args, f"Fetching the whole song of {studio.library.get(clip).clip_id}: "
                   f"{studio.deliverables.quote(clip, AssetKind.WHOLE_SONG).sentence}")
        outcome = await studio.deliverables.whole_song(clip)
        done = await studio.tasks.wait(outcome.task.id) if outcome.task else None
        results.append(result_json(studio, clip, AssetKind.WHOLE_SONG, done))
    return results


async def export_daw_command(studio: Studio, args: argparse.Namespace) -> int:
    """``export CLIP DIR --format daw`` (the export command's DAW format)."""
    from .services.daw_export import export_daw

    clip = out.resolve_clip(studio, args.clip)
    dest = args.file
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ValidationError(f"{dest} is not an empty folder; choose a new folder for the export.", field="dest")

    def progress(done: int, total: int) -> None:
        if not args.json:
            print(f"export: {done}/{total}", file=sys.stderr, flush=True)

    result = await export_daw(studio, clip, dest, progress=progress)
    out.emit(args, {"folder": str(result.folder), "files": result.files, "missing": result.missing},
              "\n".join([f"Exported to {result.folder}"] + [f"  {name}: {path}" for name, path in result.files.items()]
                        + [f"  (not included: {m})" for m in result.missing]))
    return out.EXIT_OK


def _say(args, text: str, *, always: bool = False) -> None:
    from .services.redact import scrub

    if always or not args.json:
        print(scrub(text), file=sys.stderr, flush=True)


COMMANDS = {name: cmd_asset for name in ("whole-song", "wav", "stems", "midi", "lyrics-timeline", "bpm", "vox")}
