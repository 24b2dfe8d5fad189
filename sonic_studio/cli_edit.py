"""The CLI's edit commands: replace-section, add-vocals, add-instrumental, remaster, mashup, sample.

Kept out of ``cli.py`` (which registers these) because they share one shape: resolve
the clip(s), say the cost on stderr from the same preflight the Edit tab shows (and
refuse with its words), submit through ``studio.edits``, then print the task or, with
``--wait``, the clips it made with their lineage.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from . import cli_output as out
from .core.edits import STRENGTHS, EditOp
from .core.errors import ValidationError
from .core.models import GenerationParams

if TYPE_CHECKING:  # the services load when a command runs, not to build --help
    from .services import Studio


def add_parsers(commands: argparse._SubParsersAction) -> None:
    def command(name: str, help_text: str, *clips: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        for clip in clips or ("clip",):
            parser.add_argument(clip, metavar=clip.upper())
        parser.add_argument("--wait", action="store_true", help="poll to the end, download, print the clips")
        return parser

    def span(parser: argparse.ArgumentParser, required: bool = True) -> None:
        parser.add_argument("--from", dest="start", type=_seconds, required=required, metavar="S",
                            help="range start, seconds")
        parser.add_argument("--to", dest="end", type=_seconds, required=required, metavar="S", help="range end, seconds")

    def style(parser: argparse.ArgumentParser, *, tags_required: bool = False) -> None:
        parser.add_argument("--tags", default="", required=tags_required, help="style tags")
        parser.add_argument("--title", default="")
        parser.add_argument("--exclude", default="", help="styles to leave out")
        parser.add_argument("--model", help="provider model name (default: one that takes this operation)")

    replace = command("replace-section", "new lyrics over a range of a song (the whole song comes back)")
    span(replace)
    replace.add_argument("--lyrics", required=True, help="the words for the replaced part")
    replace.add_argument("--full-lyrics", default="", help="the whole song's words with the new part in place")
    style(replace)
    vocals = command("add-vocals", "sing lyrics over an uploaded instrumental")
    vocals.add_argument("--prompt", required=True, help="the lyrics to sing")
    style(vocals, tags_required=True)
    span(vocals, required=False)
    backing = command("add-instrumental", "an accompaniment under uploaded vocals")
    style(backing, tags_required=True)
    span(backing, required=False)
    remaster = command("remaster", "a remastered take of a song (AI Music API)")
    remaster.add_argument("--strength", choices=STRENGTHS, default="normal", help="how far it may move (default normal)")
    remaster.add_argument("--model", help="provider model name (default: one that remasters)")
    mashup = command("mashup", "two library clips into one song", "clip_a", "clip_b")
    mashup.add_argument("--prompt", default="", help="lyrics (else an instrumental blend)")
    style(mashup, tags_required=True)
    sample = command("sample", "a new song built on a range of a clip (AI Music API)")
    span(sample)
    sample.add_argument("--prompt", default="", help="lyrics (else instrumental)")
    style(sample, tags_required=True)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds")
    return value


def _params(studio: Studio, args: argparse.Namespace, op: EditOp, lyrics: str = "") -> GenerationParams:
    return GenerationParams(
        model=args.model or studio.edits.default_model(op),
        custom_mode=True,
        lyrics=lyrics,
        tags=args.tags,
        title=args.title,
        negative_tags=args.exclude,
        instrumental=not lyrics and op in (EditOp.MASHUP, EditOp.SAMPLE),
    )


async def cmd_edit(studio: Studio, args: argparse.Namespace) -> int:
    from .services.edits import quote_text

    op = EditOp(args.command.replace("-", "_"))
    edits = studio.edits
    if op is EditOp.MASHUP:
        first, second = out.resolve_clip(studio, args.clip_a), out.resolve_clip(studio, args.clip_b)
    else:
        first, second = out.resolve_clip(studio, args.clip), None
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    model = None if op is EditOp.REPLACE_SECTION else (args.model or edits.default_model(op))
    preflight = edits.preflight(op, first, start=start, end=end, model=model, second=second)
    if not preflight.ok:
        raise ValidationError(" ".join(p.message for p in preflight.problems), field=preflight.problems[0].field)
    _say(args, quote_text(op, preflight, studio.capabilities.display_name))
    if op is EditOp.REPLACE_SECTION:
        task = await edits.replace_section(first, start, end, args.lyrics, tags=args.tags, title=args.title,
                                           negative_tags=args.exclude, full_lyrics=args.full_lyrics)
    elif op is EditOp.ADD_VOCALS:
        task = await edits.add_vocals(first, _params(studio, args, op, args.prompt), start, end)
    elif op is EditOp.ADD_INSTRUMENTAL:
        task = await edits.add_instrumental(first, _params(studio, args, op), start, end)
    elif op is EditOp.REMASTER:
        task = await edits.remaster(first, model, args.strength)
    elif op is EditOp.MASHUP:
        task = await edits.mashup(first, second, _params(studio, args, op, args.prompt))
    else:
        task = await edits.sample(first, start, end, _params(studio, args, op, args.prompt))
    return await _finish(studio, args, task)


async def _finish(studio: Studio, args: argparse.Namespace, task) -> int:
    if not args.wait:
        out.emit(args, out.task_json(studio, task),
                 f"Submitted task {task.provider_task_id} ({task.title}). "
                 "Run 'sonic-studio-cli tasks resume' to finish and download it.")
        return out.EXIT_OK
    out.progress_printer(studio, args, {task.id})
    task = await studio.tasks.wait(task.id)
    if studio.store.missing():
        return out.library_gone(studio, args, [task])
    data = {"task": out.task_json(studio, task), "clips": [out.clip_json(studio, c) for c in task.clip_ids]}
    out.emit(args, data, out.task_line(task) + "\n" + out.clips_text(studio, task.clip_ids))
    if task.error is not None and out.task_exit(task) != out.EXIT_OK:
        _say(args, out.plain(f"{task.state.value}: {task.error}"), always=True)
    return out.task_exit(task)


def _say(args, text: str, *, always: bool = False) -> None:
    from .services.redact import scrub

    if always or not args.json:
        print(scrub(text), file=sys.stderr, flush=True)


COMMANDS = dict.fromkeys(
    ("replace-section", "add-vocals", "add-instrumental", "remaster", "mashup", "sample"), cmd_edit)
