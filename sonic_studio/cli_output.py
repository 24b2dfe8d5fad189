"""What every CLI command prints and how it exits: clip, task and persona records as
text or JSON, progress lines, errors, exit codes, and terminal-safe text.

Its own module so the command modules (``cli`` and ``cli_deliverables``) share it
without importing each other.  Light at import (``cli`` imports it to build ``--help``):
what needs the services, the store or the catalog is imported inside the function,
which only runs once a command has started the services anyway.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from .core.errors import StudioError, ValidationError

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_TASK_FAILED, EXIT_PARTIAL = 0, 1, 2, 3, 4


def resolve_clip(studio, clip_id: str) -> int:
    row = studio.library.find(studio.provider_id, clip_id)
    if row is None:
        raise ValidationError(
            f"No {studio.provider_id.value} clip {clip_id} in this library; 'clips' lists the ids "
            "(for an outside file use upload, upload-extend or upload-cover).",
            field="clip",
        )
    return row.id


def progress_printer(studio, args, ids: set[int]) -> None:
    """State changes on stderr, so stdout stays clean for the result (and for --json)."""
    from .services.events import TaskChanged
    from .services.redact import scrub

    seen: dict[int, tuple[str, str]] = {}

    def show(event: TaskChanged) -> None:
        task = event.task
        key = (task.state.value, task.detail)
        if task.id in ids and seen.get(task.id) != key and not args.json and not studio.store.missing():
            seen[task.id] = key
            print(plain(scrub(f"[{task.provider_task_id or task.id}] {task.state.value}: {task.detail}")),
                  file=sys.stderr, flush=True)

    studio.events.subscribe(TaskChanged, show)


def task_exit(task) -> int:
    from .store import TaskState

    if task.state is TaskState.SUCCEEDED:
        return EXIT_OK
    if task.state is TaskState.PARTIAL:
        return EXIT_PARTIAL
    return EXIT_TASK_FAILED


def task_json(studio, task) -> dict[str, Any]:
    return {
        "task_id": task.provider_task_id,
        "local_id": task.id,
        "provider": task.provider.value,
        "kind": task.kind.value,
        "state": task.state.value,
        "title": task.title,
        "detail": task.detail,
        "error": str(task.error) if task.error else None,
        "created_at": task.created_at,
        "elapsed": round(task.elapsed, 1),
        "clip_ids": [studio.library.get(c).clip_id for c in task.clip_ids],
    }


def task_line(task) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(task.created_at))
    ident = task.provider_task_id or f"(no id, local #{task.id})"
    return f"{ident}  {task.kind.value:<13} {task.state.value:<11} {when}  {task.title} — {task.detail}"


def clip_json(studio, clip: int) -> dict[str, Any]:
    from .ui.format import lineage_short

    detail = studio.library.get(clip)
    lineage = None
    if detail.lineage is not None:
        lin = detail.lineage
        lineage = {
            "task_kind": lin.task_kind.value if lin.task_kind else None,
            "parent_clip_id": lin.parent_clip_id,
            "parent_title": lin.parent_title,
            "source_url": lin.source_url,
            "persona_id": lin.persona_id,
            "params": lin.params,
        }
    return {
        "clip_id": detail.clip_id,
        "provider": detail.provider.value,
        "origin": detail.origin.value,
        "title": detail.title,
        "tags": detail.tags,
        "duration": detail.duration,
        "model": detail.model,
        "state": detail.state.value,
        "source_task_id": detail.source_task_id,
        "audio_path": detail.audio_path,
        "image_path": detail.image_path,
        "download_error": detail.download_error,
        "full_song_of": detail.full_song_of,
        "lineage": lineage,
        "lineage_text": lineage_short(detail),  # the same words as the window's library list
    }


def clip_line(data: dict[str, Any]) -> str:
    from .core.validation import fmt_time

    length = fmt_time(data["duration"]) if data["duration"] else "?:??"
    parts = [f"“{data['title'] or 'untitled'}”", length, data["origin"], data["lineage_text"]]
    if data["audio_path"]:
        parts.append(data["audio_path"])
    elif data["download_error"]:
        parts.append(f"NOT SAVED: {data['download_error']}")
    return "  ".join(parts)


def clips_text(studio, clip_ids) -> str:
    return "\n".join(f"  {d['clip_id']}  {clip_line(d)}" for d in (clip_json(studio, c) for c in clip_ids))


def persona_json(persona) -> dict[str, Any]:
    return {
        "persona_id": persona.persona_id,
        "provider": persona.provider.value,
        "name": persona.name,
        "description": persona.description,
        "styles": persona.styles,
        "source_clip_id": persona.source_clip_id,
        "vocal_start": persona.vocal_start,
        "vocal_end": persona.vocal_end,
        "notes": persona.notes,
    }


def emit(args, data: Any, text: str) -> None:
    from .services.redact import scrub

    out = json_safe(json.dumps(data, indent=2, ensure_ascii=False)) if args.json else plain(text)
    print(scrub(out), flush=True)


def fail(args, exc: Exception) -> int:
    code = EXIT_INPUT if isinstance(exc, ValidationError) else EXIT_ERROR
    kind = exc.kind.value if isinstance(exc, StudioError) else "database"
    error(args, str(exc), kind, getattr(exc, "field", None))
    return code


def error(args, message: str, kind: str, field: str | None = None) -> None:
    from .services.redact import scrub

    print(plain(scrub(f"error: {message}")), file=sys.stderr, flush=True)
    if getattr(args, "json", False):
        print(scrub(json.dumps({"error": {"kind": kind, "message": message, "field": field}})), flush=True)


# Terminal escape sequences (CSI "ESC [ ... letter", OSC "ESC ] ... BEL/ST", two-byte ESC x),
# then any other control character but newline and tab.  A server's title must not be
# able to recolour, retitle or clear the terminal, or plant a clickable OSC-8 link.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """Text from servers made harmless for a terminal (see _ESCAPES)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def json_safe(text: str) -> str:
    """JSON escapes C0 controls itself; C1 (a one-byte CSI on some terminals) and DEL are escaped here."""
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def library_gone(studio, args, tasks) -> int:
    """The data dir was deleted while we waited: the records of what was "saved" went with it."""
    ids = ", ".join(t.provider_task_id or str(t.id) for t in tasks)
    paths = [studio.library.get(c).audio_path for t in tasks for c in t.clip_ids]
    strays = [p for p in paths if p and Path(p).exists()]
    kept = (f"{len(strays)} audio file(s) downloaded after the deletion are in {Path(strays[0]).parent}, "
            "recorded in no library" if strays else "its files are gone")
    error(args, f"The library at {studio.store.path} was deleted while this command waited, so task "
                f"{ids} is no longer recorded and {kept}. The provider may still offer the songs for a "
                "while: check your account there.", "database")
    return EXIT_ERROR
