"""``sonic-studio-cli``: the services without a window, for scripts and for checking the core.

Every command runs over the same ``Studio`` the GUI uses, so a session here (upload,
extend with --wait, persona, generate with it, list clips with lineage) exercises
exactly what the app does.  Ids on the command line are the provider's own
(``clip_id``/``audioId``, ``persona_id``/``personaId``, task ids) as the commands print
them.  ``--json`` prints one machine-readable document on stdout; errors go to stderr
as the taxonomy's sentence (no tracebacks for expected failures) with a non-zero exit
code: 1 provider/service error, 2 invalid input, 3 task did not succeed, 4 partial.
The key comes from SONIC_STUDIO_API_KEY or the keyring and is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from .core.errors import SonicError, ValidationError
from .core.models import GenerationParams, ProviderId
from .core.validation import check_api_base_url, ensure, fmt_time
from .logs import setup_logging
from .services import Settings, Studio
from .services.cadence import usable_interval
from .services.events import TaskChanged
from .services.redact import RedactingFilter, scrub
from .store import ClipQuery, DatabaseError, TaskState, storage_problem

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_TASK_FAILED, EXIT_PARTIAL = 0, 1, 2, 3, 4


# ---------------------------------------------------------------------------- arguments
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sonic-studio-cli",
        description="Sonic Studio from the command line: upload, extend, cover, personas, library.",
        epilog="The API key comes from SONIC_STUDIO_API_KEY or the system keyring. "
        "Exit codes: 0 ok, 1 error, 2 invalid input, 3 task did not succeed, 4 partial success.",
    )
    parser.add_argument("--provider", choices=[p.value for p in ProviderId],
                        help="sonic (AI Music API) or sunoapi (sunoapi.org)")
    parser.add_argument("--base-url", help="API base URL (default: the provider's; http only for 127.0.0.1)")
    parser.add_argument("--upload-base-url", help="file upload host (sunoapi.org)")
    parser.add_argument("--data-dir", type=Path, help="library, settings and logs folder (default: the user data dir)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    parser.add_argument("--poll-interval", type=_positive, metavar="SECONDS",
                        help="poll every SECONDS instead of the provider's cadence")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("credits", help="show the account's credits")
    upload = commands.add_parser("upload", help="register audio (public URL, or a local file on sunoapi.org)")
    upload.add_argument("source", metavar="SOURCE")

    extend = commands.add_parser("extend", help="continue a clip from a point in time")
    extend.add_argument("clip", metavar="CLIP")
    extend.add_argument("--at", type=_finite, required=True, metavar="SECONDS", help="where the extension starts")
    _generation_options(extend)

    cover = commands.add_parser("cover", help="a new version of a clip in another style")
    cover.add_argument("clip", metavar="CLIP")
    cover.add_argument("--audio-weight", type=_finite, required=True, metavar="W",
                       help="0..1, how much of the source to keep")
    _generation_options(cover)

    up_extend = commands.add_parser("upload-extend", help="upload audio and extend it in one step")
    up_extend.add_argument("source", metavar="SOURCE")
    up_extend.add_argument("--at", type=_finite, required=True, metavar="SECONDS")
    up_extend.add_argument("--auto-concat", action="store_true", help="also make the full song (sonic)")
    _generation_options(up_extend)

    up_cover = commands.add_parser("upload-cover", help="upload audio and cover it in one step")
    up_cover.add_argument("source", metavar="SOURCE")
    up_cover.add_argument("--audio-weight", type=_finite, required=True, metavar="W")
    _generation_options(up_cover)

    persona = commands.add_parser("persona", help="create or list personas")
    persona_commands = persona.add_subparsers(dest="persona_command", required=True, metavar="ACTION")
    create = persona_commands.add_parser("create", help="make a persona from a clip")
    create.add_argument("clip", metavar="CLIP")
    create.add_argument("--name", required=True)
    create.add_argument("--description", required=True)
    create.add_argument("--styles", default="")
    create.add_argument("--vocal-start", type=_finite, metavar="S")
    create.add_argument("--vocal-end", type=_finite, metavar="E")
    persona_list = persona_commands.add_parser("list", help="personas in the local library")
    persona_list.add_argument("--search", default="")

    generate = commands.add_parser("generate", help="a new song (optionally with a persona)")
    generate.add_argument("--persona", metavar="ID", help="persona id as printed by 'persona create/list'")
    _generation_options(generate)

    tasks = commands.add_parser("tasks", help="list tasks; 'tasks resume' finishes unfinished ones")
    tasks.add_argument("action", nargs="?", choices=["resume"], help="poll unfinished tasks to the end")
    tasks.add_argument("task_ids", nargs="*", metavar="TASK", help="with resume: also check these tasks again")
    tasks.add_argument("--active", action="store_true", help="only tasks still in progress")

    clips = commands.add_parser("clips", help="clips in the library, with lineage")
    clips.add_argument("--search", default="")
    clips.add_argument("--limit", type=int, default=200)

    export = commands.add_parser("export", help="save a clip as a tagged MP3 or WAV file")
    export.add_argument("clip", metavar="CLIP")
    export.add_argument("file", metavar="FILE", type=Path)
    export.add_argument("--format", choices=["mp3", "wav"], help="default: from FILE's extension")

    demo = commands.add_parser("demo-server", help="run the local emulator of both APIs (demo mode)")
    demo.add_argument("--port", type=int, default=8787)
    demo.add_argument("--speed", choices=["demo", "fast", "instant"], default="demo")
    demo.add_argument("--key", action="append", help="accept only this API key (repeatable)")
    demo.add_argument("--credits", type=float, default=500.0)
    demo.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)  # the app's demo mode
    return parser


def _generation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", default="", help="lyrics (custom mode)")
    parser.add_argument("--description", default="", help="describe the song instead of giving lyrics")
    parser.add_argument("--tags", default="", help="style tags")
    parser.add_argument("--title", default="")
    parser.add_argument("--model", help="provider model name, e.g. sonic-v4-5 or V4_5")
    parser.add_argument("--instrumental", action="store_true")
    parser.add_argument("--wait", action="store_true", help="poll to the end, download, print the clips")


def _positive(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _finite(text: str) -> float:
    """A float flag that refuses nan and inf (float() accepts both, and both then break arithmetic)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds")
    return value


# ---------------------------------------------------------------------------- entry
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo-server":
        from .emulator.__main__ import main as emulator_main

        extra = ["--port", str(args.port), "--speed", args.speed, "--credits", str(args.credits)]
        for key in args.key or []:
            extra += ["--key", key]
        if args.parent_pid:
            extra += ["--parent-pid", str(args.parent_pid)]
        return emulator_main(extra)
    _setup_logging(args)
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        _error(args, "Interrupted. Submitted tasks keep their ids; 'tasks resume' finishes them.", "interrupted")
        return 130
    except asyncio.CancelledError:  # SIGTERM (see _run)
        _error(args, "Stopped. Submitted tasks keep their ids; 'tasks resume' finishes them.", "interrupted")
        return 128 + signal.SIGTERM


def _setup_logging(args: argparse.Namespace) -> None:
    try:
        setup_logging(args.data_dir)
    except OSError as exc:  # a read-only or full data dir: reading the library must still work
        print(_plain(f"note: no log file this run ({exc.strerror or exc})."), file=sys.stderr, flush=True)
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        logging.getLogger().addHandler(handler)


async def _run(args: argparse.Namespace) -> int:
    try:
        settings = Settings.load(args.data_dir)
        _apply_overrides(settings, args)
    except SonicError as exc:
        return _fail(args, exc)
    resume = args.command == "tasks" and args.action == "resume"
    with contextlib.suppress(NotImplementedError, AttributeError):  # not on Windows
        # SIGTERM stops like Ctrl+C: a submit on the wire still gets to learn its task id.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    interval = _poll_interval(args, settings)
    studio = Studio(settings, data_dir=args.data_dir, poll_interval=interval)
    try:
        await studio.start(resume=resume)
        return await COMMANDS[args.command](studio, args)
    except (SonicError, DatabaseError) as exc:
        return _fail(args, exc)
    except (sqlite3.Error, OSError) as exc:
        problem = storage_problem(exc, studio.data_dir)
        if problem is None:
            raise
        _error(args, f"The library in {studio.data_dir} cannot be written because {problem}.", "storage")
        return EXIT_ERROR
    finally:
        await studio.aclose()


def _poll_interval(args: argparse.Namespace, settings) -> float | None:
    """--poll-interval, raised to the provider's floor (with a note) so a typo cannot hammer the API."""
    if args.poll_interval is None:
        return None
    base = settings.base_url(settings.provider_id)
    interval = usable_interval(args.poll_interval, base)
    if interval is not None and interval > args.poll_interval:
        print(f"note: polling every {interval:g} s, the shortest interval allowed for {base}.",
              file=sys.stderr, flush=True)
    return interval


def _apply_overrides(settings, args: argparse.Namespace) -> None:
    """Global options change this run only; the settings file is not rewritten."""
    if args.provider:
        settings.provider = args.provider
    pid = settings.provider_id
    if args.base_url:
        ensure(check_api_base_url(args.base_url, "base_url"))
        settings.base_urls[pid.value] = args.base_url.rstrip("/")
        settings.demo = False
    if args.upload_base_url:
        ensure(check_api_base_url(args.upload_base_url, "upload_base_url"))
        settings.upload_base_urls[pid.value] = args.upload_base_url.rstrip("/")


# ---------------------------------------------------------------------------- commands
async def cmd_credits(studio: Studio, args: argparse.Namespace) -> int:
    credits = await studio.credits.refresh()
    data = {"provider": studio.provider_id.value, "credits": credits.credits,
            "extra_credits": credits.extra_credits, "total": credits.total}
    extra = f" (+{credits.extra_credits:g} extra)" if credits.extra_credits else ""
    _emit(args, data, f"{studio.capabilities.display_name}: {credits.credits:g} credits{extra}")
    return EXIT_OK


async def cmd_upload(studio: Studio, args: argparse.Namespace) -> int:
    row = await studio.tasks.upload(args.source)
    data = _clip_json(studio, row.id)
    _emit(args, data, f"Uploaded: {row.clip_id}  {_clip_line(data)}")
    return EXIT_OK


async def cmd_extend(studio: Studio, args: argparse.Namespace) -> int:
    clip = _resolve_clip(studio, args.clip)
    task = await studio.tasks.submit_extend(clip, args.at, _params(studio, args))
    return await _after_submit(studio, args, task)


async def cmd_cover(studio: Studio, args: argparse.Namespace) -> int:
    clip = _resolve_clip(studio, args.clip)
    task = await studio.tasks.submit_cover(clip, _params(studio, args, audio_weight=args.audio_weight))
    return await _after_submit(studio, args, task)


async def cmd_upload_extend(studio: Studio, args: argparse.Namespace) -> int:
    task = await studio.tasks.submit_upload_extend(args.source, args.at, _params(studio, args), args.auto_concat)
    return await _after_submit(studio, args, task)


async def cmd_upload_cover(studio: Studio, args: argparse.Namespace) -> int:
    task = await studio.tasks.submit_upload_cover(args.source, _params(studio, args, audio_weight=args.audio_weight))
    return await _after_submit(studio, args, task)


async def cmd_generate(studio: Studio, args: argparse.Namespace) -> int:
    task = await studio.tasks.submit_generate(_params(studio, args, persona_id=args.persona))
    return await _after_submit(studio, args, task)


async def cmd_persona(studio: Studio, args: argparse.Namespace) -> int:
    if args.persona_command == "list":
        personas = studio.personas.list(args.search)
        data = [_persona_json(p) for p in personas]
        lines = [f"{p.persona_id}  “{p.name}”  from {p.source_clip_id or '-'}  {p.description[:50]}"
                 for p in personas]
        _emit(args, data, "\n".join(lines) or "No personas yet.")
        return EXIT_OK
    clip = _resolve_clip(studio, args.clip)
    persona = await studio.personas.create(clip, args.name, args.description, args.styles,
                                           args.vocal_start, args.vocal_end)
    _emit(args, _persona_json(persona),
          f"Persona {persona.persona_id} “{persona.name}” created from {persona.source_clip_id}")
    return EXIT_OK


async def cmd_tasks(studio: Studio, args: argparse.Namespace) -> int:
    if args.action != "resume":
        if args.task_ids:
            raise ValidationError("Task ids are only taken by 'tasks resume'.", field="task")
        tasks = studio.tasks.list(active_only=args.active)
        _emit(args, [_task_json(studio, t) for t in tasks], "\n".join(_task_line(t) for t in tasks) or "No tasks yet.")
        return EXIT_OK
    ids = set(studio.tasks.resume_all())
    for text in args.task_ids:
        task = studio.tasks.find(text)
        if task is None:
            raise ValidationError(f"No task {text} in this library (see 'tasks').", field="task")
        await studio.tasks.check_again(task.id)
        ids.add(task.id)
    if not ids:
        _emit(args, [], "Nothing to resume: every task has finished.")
        return EXIT_OK
    _progress_printer(studio, args, ids)
    results = [await studio.tasks.wait(task_id) for task_id in sorted(ids)]
    if studio.store.missing():
        return _library_gone(studio, args, results)
    data = [{"task": _task_json(studio, t), "clips": [_clip_json(studio, c) for c in t.clip_ids]} for t in results]
    text = "\n\n".join(_task_line(t) + "\n" + _clips_text(studio, t.clip_ids) for t in results)
    _emit(args, data, text)
    return max((_task_exit(t) for t in results), default=EXIT_OK)


async def cmd_clips(studio: Studio, args: argparse.Namespace) -> int:
    rows = await studio.library.query(ClipQuery(text=args.search, limit=args.limit))
    data = [_clip_json(studio, r.id) for r in rows]
    _emit(args, data, "\n".join(f"{d['clip_id']}  {_clip_line(d)}" for d in data) or "The library is empty.")
    return EXIT_OK


async def cmd_export(studio: Studio, args: argparse.Namespace) -> int:
    clip = _resolve_clip(studio, args.clip)
    path = await asyncio.get_running_loop().run_in_executor(None, studio.library.export, clip, args.file,
                                                            args.format)
    _emit(args, {"clip_id": args.clip, "file": str(path)}, f"Exported {args.clip} to {path}")
    return EXIT_OK


COMMANDS = {
    "credits": cmd_credits,
    "upload": cmd_upload,
    "extend": cmd_extend,
    "cover": cmd_cover,
    "upload-extend": cmd_upload_extend,
    "upload-cover": cmd_upload_cover,
    "generate": cmd_generate,
    "persona": cmd_persona,
    "tasks": cmd_tasks,
    "clips": cmd_clips,
    "export": cmd_export,
}


# ---------------------------------------------------------------------------- helpers
def _params(studio, args, **extra: Any) -> GenerationParams:
    return GenerationParams(
        model=args.model or studio.settings.default_model(studio.provider_id),
        custom_mode=not (args.description and not args.prompt),
        lyrics=args.prompt,
        description=args.description,
        tags=args.tags,
        title=args.title,
        instrumental=args.instrumental,
        **extra,
    )


def _resolve_clip(studio, clip_id: str) -> int:
    row = studio.library.find(studio.provider_id, clip_id)
    if row is None:
        raise ValidationError(
            f"No {studio.provider_id.value} clip {clip_id} in this library; 'clips' lists the ids "
            "(for an outside file use upload, upload-extend or upload-cover).",
            field="clip",
        )
    return row.id


async def _after_submit(studio, args, task) -> int:
    if not args.wait:
        _emit(args, _task_json(studio, task),
              f"Submitted task {task.provider_task_id} ({task.title}). "
              "Run 'sonic-studio-cli tasks resume' to finish and download it.")
        return EXIT_OK
    _progress_printer(studio, args, {task.id})
    task = await studio.tasks.wait(task.id)
    if studio.store.missing():
        return _library_gone(studio, args, [task])
    data = {"task": _task_json(studio, task), "clips": [_clip_json(studio, c) for c in task.clip_ids]}
    _emit(args, data, _task_line(task) + "\n" + _clips_text(studio, task.clip_ids))
    if task.error is not None and _task_exit(task) != EXIT_OK:
        print(_plain(scrub(f"{task.state.value}: {task.error}")), file=sys.stderr)
    return _task_exit(task)


def _progress_printer(studio, args, ids: set[int]) -> None:
    """State changes on stderr, so stdout stays clean for the result (and for --json)."""
    seen: dict[int, tuple[str, str]] = {}

    def show(event: TaskChanged) -> None:
        task = event.task
        key = (task.state.value, task.detail)
        if task.id in ids and seen.get(task.id) != key and not args.json and not studio.store.missing():
            seen[task.id] = key
            print(_plain(scrub(f"[{task.provider_task_id or task.id}] {task.state.value}: {task.detail}")),
                  file=sys.stderr, flush=True)

    studio.events.subscribe(TaskChanged, show)


def _library_gone(studio, args, tasks) -> int:
    """The data dir was deleted while we waited: the records of what was "saved" went with it."""
    ids = ", ".join(t.provider_task_id or str(t.id) for t in tasks)
    paths = [studio.library.get(c).audio_path for t in tasks for c in t.clip_ids]
    strays = [p for p in paths if p and Path(p).exists()]
    kept = (f"{len(strays)} audio file(s) downloaded after the deletion are in {Path(strays[0]).parent}, "
            "recorded in no library" if strays else "its files are gone")
    _error(args, f"The library at {studio.store.path} was deleted while this command waited, so task "
                 f"{ids} is no longer recorded and {kept}. The provider may still offer the songs for a "
                 "while: check your account there.", "database")
    return EXIT_ERROR


def _task_exit(task) -> int:
    if task.state is TaskState.SUCCEEDED:
        return EXIT_OK
    if task.state is TaskState.PARTIAL:
        return EXIT_PARTIAL
    return EXIT_TASK_FAILED


def _task_json(studio, task) -> dict[str, Any]:
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


def _task_line(task) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(task.created_at))
    ident = task.provider_task_id or f"(no id, local #{task.id})"
    return f"{ident}  {task.kind.value:<13} {task.state.value:<11} {when}  {task.title} — {task.detail}"


def _clip_json(studio, clip: int) -> dict[str, Any]:
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
    }


def _clip_line(data: dict[str, Any]) -> str:
    length = fmt_time(data["duration"]) if data["duration"] else "?:??"
    parts = [f"“{data['title'] or 'untitled'}”", length, data["origin"]]
    lin = data["lineage"]
    if lin:
        if lin["task_kind"]:
            source = lin["parent_clip_id"] or lin["source_url"] or ""
            how = lin["task_kind"] + (f" of {source}" if source else "")
            params = lin["params"]
            if "continue_at" in params:
                how += f" at {fmt_time(params['continue_at'])}"
            if "audio_weight" in params:
                how += f" audio_weight {params['audio_weight']:g}"
            if lin["persona_id"]:
                how += f" with persona {lin['persona_id']}"
            parts.append(how)
        elif lin["source_url"]:
            parts.append(f"from {lin['source_url']}")
    if data["audio_path"]:
        parts.append(data["audio_path"])
    elif data["download_error"]:
        parts.append(f"NOT SAVED: {data['download_error']}")
    return "  ".join(parts)


def _clips_text(studio, clip_ids) -> str:
    return "\n".join(f"  {d['clip_id']}  {_clip_line(d)}" for d in (_clip_json(studio, c) for c in clip_ids))


def _persona_json(persona) -> dict[str, Any]:
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


def _emit(args, data: Any, text: str) -> None:
    out = _json_safe(json.dumps(data, indent=2, ensure_ascii=False)) if args.json else _plain(text)
    print(scrub(out), flush=True)


def _fail(args, exc: Exception) -> int:
    code = EXIT_INPUT if isinstance(exc, ValidationError) else EXIT_ERROR
    kind = exc.kind.value if isinstance(exc, SonicError) else "database"
    _error(args, str(exc), kind, getattr(exc, "field", None))
    return code


def _error(args, message: str, kind: str, field: str | None = None) -> None:
    print(_plain(scrub(f"error: {message}")), file=sys.stderr, flush=True)
    if getattr(args, "json", False):
        print(scrub(json.dumps({"error": {"kind": kind, "message": message, "field": field}})), flush=True)


# Terminal escape sequences (CSI "ESC [ ... letter", OSC "ESC ] ... BEL/ST", two-byte ESC x),
# then any other control character but newline and tab.  A server's title must not be
# able to recolour, retitle or clear the terminal, or plant a clickable OSC-8 link.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _plain(text: str) -> str:
    """Text from servers made harmless for a terminal (see _ESCAPES)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def _json_safe(text: str) -> str:
    """JSON escapes C0 controls itself; C1 (a one-byte CSI on some terminals) and DEL are escaped here."""
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


if __name__ == "__main__":
    sys.exit(main())
