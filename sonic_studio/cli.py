"""``sonic-studio-cli``: the services without a window, for scripts and for checking the core.

Every command runs over the same ``Studio`` the GUI uses, so a session here (upload,
extend with --wait, persona, generate with it, list clips with lineage) exercises
exactly what the app does.  Ids on the command line are the provider's own
(``clip_id``/``audioId``, ``persona_id``/``personaId``, task ids) as the commands print
them.  ``--json`` prints one machine-readable document on stdout; errors go to stderr
as the taxonomy's sentence (no tracebacks for expected failures) with a non-zero exit
code: 1 provider/service error, 2 invalid input, 3 task did not succeed, 4 partial.
The key comes from SONIC_STUDIO_API_KEY or the keyring and is never printed.

Building the parser imports nothing heavy (``--help`` is what scripts and shell
completion pay on every call): the services, the store, the logging setup and asyncio
are imported once a command runs (``tests/test_cli_startup.py`` holds this).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cli_create, cli_deliverables, cli_edit
from .cli_output import (
    EXIT_ERROR,
    EXIT_OK,
    clip_json,
    clip_line,
    clips_text,
    emit,
    error,
    fail,
    library_gone,
    persona_json,
    plain,
    progress_printer,
    resolve_clip,
    task_exit,
    task_json,
    task_line,
)
from .core.errors import StudioError, ValidationError
from .core.models import GenerationParams, ProviderId

if TYPE_CHECKING:
    from .services import Studio


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
    extend.add_argument("--no-whole-song", action="store_true",
                        help="with --wait on sonic: do not also fetch the whole song (concat, 2 credits each)")
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

    generate = commands.add_parser("generate", help="a new song from a description or lyrics (optionally with a persona)")
    generate.add_argument("--persona", metavar="ID", help="persona id as printed by 'persona create/list'")
    _generation_options(generate)
    cli_create.add_generate_options(generate)  # voice, exclusions, weights (the Create tab's options)

    tasks = commands.add_parser("tasks", help="list tasks; 'tasks resume' finishes unfinished ones")
    tasks.add_argument("action", nargs="?", choices=["resume"], help="poll unfinished tasks to the end")
    tasks.add_argument("task_ids", nargs="*", metavar="TASK", help="with resume: also check these tasks again")
    tasks.add_argument("--active", action="store_true", help="only tasks still in progress")

    clips = commands.add_parser("clips", help="clips in the library, with lineage")
    clips.add_argument("--search", default="")
    clips.add_argument("--limit", type=int, default=200)

    export = commands.add_parser("export", help="save a clip as a tagged MP3 or WAV file, or a folder for a DAW")
    export.add_argument("clip", metavar="CLIP")
    export.add_argument("file", metavar="FILE|DIR", type=Path)
    export.add_argument("--format", choices=["mp3", "wav", "daw"],
                        help="default: from FILE's extension; daw: DIR gets song, stems, .mid, lyrics, sidecar")

    cli_deliverables.add_parsers(commands)  # finishing a song: whole-song, wav, stems, midi, ...
    cli_create.add_parsers(commands)  # the Create tab's helpers: lyrics, boost-style
    cli_edit.add_parsers(commands)  # edits: replace-section, add-vocals, remaster, mashup, sample, ...

    demo = commands.add_parser("demo-server", help="run the local emulator of both APIs (demo mode)")
    demo.add_argument("--port", type=int, default=8787)
    demo.add_argument("--speed", choices=["demo", "fast", "instant"], default="demo")
    demo.add_argument("--key", action="append", help="accept only this API key (repeatable)")
    demo.add_argument("--credits", type=float, default=500.0)
    demo.add_argument("--state-dir", type=Path, help="remember clips, tasks, personas, uploads and credits here")
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
        if args.state_dir:
            extra += ["--state-dir", str(args.state_dir)]
        return emulator_main(extra)
    import asyncio
    import signal

    _setup_logging(args)
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        error(args, "Interrupted. Submitted tasks keep their ids; 'tasks resume' finishes them.", "interrupted")
        return 130
    except asyncio.CancelledError:  # SIGTERM (see _run)
        error(args, "Stopped. Submitted tasks keep their ids; 'tasks resume' finishes them.", "interrupted")
        return 128 + signal.SIGTERM


def _setup_logging(args: argparse.Namespace) -> None:
    import logging

    from .logs import setup_logging
    from .services.redact import RedactingFilter

    try:
        setup_logging(args.data_dir)
    except OSError as exc:  # a read-only or full data dir: reading the library must still work
        print(plain(f"note: no log file this run ({exc.strerror or exc})."), file=sys.stderr, flush=True)
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        logging.getLogger().addHandler(handler)


async def _run(args: argparse.Namespace) -> int:
    import asyncio
    import contextlib
    import signal
    import sqlite3

    from .services import Settings, Studio
    from .store import DatabaseError, storage_problem

    try:
        settings = Settings.load(args.data_dir)
        _apply_overrides(settings, args)
    except StudioError as exc:
        return fail(args, exc)
    resume = args.command == "tasks" and args.action == "resume"
    with contextlib.suppress(NotImplementedError, AttributeError):  # not on Windows
        # SIGTERM stops like Ctrl+C: a submit on the wire still gets to learn its task id.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    interval = _poll_interval(args, settings)
    studio = Studio(settings, data_dir=args.data_dir, poll_interval=interval)
    try:
        await studio.start(resume=resume)
        command = COMMANDS.get(args.command) or cli_create.COMMANDS.get(args.command) \
            or cli_deliverables.COMMANDS.get(args.command) or cli_edit.COMMANDS[args.command]
        return await command(studio, args)
    except (StudioError, DatabaseError) as exc:
        return fail(args, exc)
    except (sqlite3.Error, OSError) as exc:
        problem = storage_problem(exc, studio.data_dir)
        if problem is None:
            raise
        error(args, f"The library in {studio.data_dir} cannot be written because {problem}.", "storage")
        return EXIT_ERROR
    finally:
        await studio.aclose()


def _poll_interval(args: argparse.Namespace, settings) -> float | None:
    """--poll-interval, raised to the provider's floor (with a note) so a typo cannot hammer the API."""
    if args.poll_interval is None:
        return None
    from .services.cadence import usable_interval

    base = settings.base_url(settings.provider_id)
    interval = usable_interval(args.poll_interval, base)
    if interval is not None and interval > args.poll_interval:
        print(f"note: polling every {interval:g} s, the shortest interval allowed for {base}.",
              file=sys.stderr, flush=True)
    return interval


def _apply_overrides(settings, args: argparse.Namespace) -> None:
    """Global options change this run only; the settings file is not rewritten."""
    from .core.validation import check_api_base_url, ensure

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
    emit(args, data, f"{studio.capabilities.display_name}: {credits.credits:g} credits{extra}")
    return EXIT_OK


async def cmd_upload(studio: Studio, args: argparse.Namespace) -> int:
    row = await studio.tasks.upload(args.source)
    data = clip_json(studio, row.id)
    emit(args, data, f"Uploaded: {row.clip_id}  {clip_line(data)}")
    return EXIT_OK


async def cmd_extend(studio: Studio, args: argparse.Namespace) -> int:
    clip = resolve_clip(studio, args.clip)
    task = await studio.tasks.submit_extend(clip, args.at, _params(studio, args))
    return await _after_submit(studio, args, task, then=cli_deliverables.whole_songs_after_extend)


async def cmd_cover(studio: Studio, args: argparse.Namespace) -> int:
    clip = resolve_clip(studio, args.clip)
    task = await studio.tasks.submit_cover(clip, _params(studio, args, audio_weight=args.audio_weight))
    return await _after_submit(studio, args, task)


async def cmd_upload_extend(studio: Studio, args: argparse.Namespace) -> int:
    task = await studio.tasks.submit_upload_extend(args.source, args.at, _params(studio, args), args.auto_concat)
    return await _after_submit(studio, args, task)


async def cmd_upload_cover(studio: Studio, args: argparse.Namespace) -> int:
    task = await studio.tasks.submit_upload_cover(args.source, _params(studio, args, audio_weight=args.audio_weight))
    return await _after_submit(studio, args, task)


async def cmd_generate(studio: Studio, args: argparse.Namespace) -> int:
    params = cli_create.generate_params(studio, args, _params(studio, args))
    task = await studio.create.submit(params)  # the Create tab's preflight, then the task lifecycle
    return await _after_submit(studio, args, task)


async def cmd_persona(studio: Studio, args: argparse.Namespace) -> int:
    if args.persona_command == "list":
        personas = studio.personas.list(args.search)
        data = [persona_json(p) for p in personas]
        lines = [f"{p.persona_id}  “{p.name}”  from {p.source_clip_id or '-'}  {p.description[:50]}"
                 for p in personas]
        emit(args, data, "\n".join(lines) or "No personas yet.")
        return EXIT_OK
    clip = resolve_clip(studio, args.clip)
    terms = studio.personas.preflight(clip).terms
    if terms and not args.json:  # the cost before it is spent, as the Persona tab shows it
        print(plain(f"note: {terms}"), file=sys.stderr, flush=True)
    persona = await studio.personas.create(clip, args.name, args.description, args.styles,
                                           args.vocal_start, args.vocal_end)
    emit(args, persona_json(persona),
          f"Persona {persona.persona_id} “{persona.name}” created from {persona.source_clip_id}")
    return EXIT_OK


async def cmd_tasks(studio: Studio, args: argparse.Namespace) -> int:
    if args.action != "resume":
        if args.task_ids:
            raise ValidationError("Task ids are only taken by 'tasks resume'.", field="task")
        tasks = studio.tasks.list(active_only=args.active)
        emit(args, [task_json(studio, t) for t in tasks], "\n".join(task_line(t) for t in tasks) or "No tasks yet.")
        return EXIT_OK
    ids = set(studio.tasks.resume_all())
    for text in args.task_ids:
        task = studio.tasks.find(text)
        if task is None:
            raise ValidationError(f"No task {text} in this library (see 'tasks').", field="task")
        await studio.tasks.check_again(task.id)
        ids.add(task.id)
    if not ids:
        emit(args, [], "Nothing to resume: every task has finished.")
        return EXIT_OK
    progress_printer(studio, args, ids)
    results = [await studio.tasks.wait(task_id) for task_id in sorted(ids)]
    if studio.store.missing():
        return library_gone(studio, args, results)
    files = {t.id: cli_deliverables.task_files(studio, t) for t in results}  # derived assets (wav, stems...)
    data = [{"task": task_json(studio, t), "clips": [clip_json(studio, c) for c in t.clip_ids],
             **({"files": files[t.id]} if files[t.id] else {})} for t in results]
    text = "\n\n".join(task_line(t) + "\n" + clips_text(studio, t.clip_ids)
                        + "".join(f"\n  {name}: {path}" for name, path in files[t.id].items()) for t in results)
    emit(args, data, text)
    return max((task_exit(t) for t in results), default=EXIT_OK)


async def cmd_clips(studio: Studio, args: argparse.Namespace) -> int:
    from .store import ClipQuery

    rows = await studio.library.query(ClipQuery(text=args.search, limit=args.limit))
    data = [clip_json(studio, r.id) for r in rows]
    emit(args, data, "\n".join(f"{d['clip_id']}  {clip_line(d)}" for d in data) or "The library is empty.")
    return EXIT_OK


async def cmd_export(studio: Studio, args: argparse.Namespace) -> int:
    import asyncio

    if args.format == "daw":
        return await cli_deliverables.export_daw_command(studio, args)
    clip = resolve_clip(studio, args.clip)
    path = await asyncio.get_running_loop().run_in_executor(None, studio.library.export, clip, args.file,
                                                            args.format)
    emit(args, {"clip_id": args.clip, "file": str(path)}, f"Exported {args.clip} to {path}")
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


async def _after_submit(studio, args, task, then=None) -> int:
    """Print the submitted task, or with --wait its clips (and what ``then`` fetched after it)."""
    if not args.wait:
        emit(args, task_json(studio, task),
              f"Submitted task {task.provider_task_id} ({task.title}). "
              "Run 'sonic-studio-cli tasks resume' to finish and download it.")
        return EXIT_OK
    progress_printer(studio, args, {task.id})
    task = await studio.tasks.wait(task.id)
    if studio.store.missing():
        return library_gone(studio, args, [task])
    data = {"task": task_json(studio, task), "clips": [clip_json(studio, c) for c in task.clip_ids]}
    text = task_line(task) + "\n" + clips_text(studio, task.clip_ids)
    extra = await then(studio, args, task) if then is not None else []
    if extra:
        data["whole_songs"] = extra
        text += "\n" + "\n".join(cli_deliverables.result_text(item) for item in extra)
    emit(args, data, text)
    if task.error is not None and task_exit(task) != EXIT_OK:
        from .services.redact import scrub

        print(plain(scrub(f"{task.state.value}: {task.error}")), file=sys.stderr)
    return task_exit(task)


if __name__ == "__main__":
    sys.exit(main())
