"""The Create tab on the command line: ``generate``'s extra options, ``lyrics`` and ``boost-style``.

Kept beside ``cli.py`` (which owns the shared options and the task commands) so the
Create tab's additions sit in one place: the voice, exclusions and weights that
``generate`` gains, and the two writing helpers.  They run over the same services as the
window (``studio.create``): the same preflight refuses the same input with the same
sentence before anything is sent, and the helpers say their cost first.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .cli_output import EXIT_OK, emit, plain
from .core.models import GenerationParams, ProviderId

if TYPE_CHECKING:  # the services load when a command runs, not to build --help
    from .services import Studio

# sunoapi.org: personas made with generate-persona are "style" personas (voice clones are not made here).
SUNO_PERSONA_MODEL = "style_persona"


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def add_generate_options(parser: argparse.ArgumentParser) -> None:
    """What a new song takes beyond the shared lyrics/description/style/title/model options."""
    parser.add_argument("--vocal-gender", choices=["m", "f"],
                        help="preferred voice (only for models that take it; others refuse it before sending)")
    parser.add_argument("--exclude", default="", metavar="STYLES", help="styles to avoid, e.g. 'metal, autotune'")
    parser.add_argument("--style-weight", type=_weight, metavar="W", help="0..1, how strictly the style is followed")
    parser.add_argument("--weirdness", type=_weight, metavar="W", help="0..1, how far the song may wander")


def generate_params(studio: Studio, args: argparse.Namespace, base: GenerationParams) -> GenerationParams:
    """``base`` (the shared options) with the Create options and the persona filled in."""
    base.vocal_gender = args.vocal_gender
    base.negative_tags = args.exclude
    base.style_weight = args.style_weight
    base.weirdness = args.weirdness
    if args.persona:
        base.persona_id = args.persona
        if studio.provider_id is ProviderId.SUNOAPI:
            base.persona_model = SUNO_PERSONA_MODEL
    return base


def add_parsers(commands) -> None:
    lyrics = commands.add_parser("lyrics", help="lyrics written by the provider from a description (paid)")
    lyrics.add_argument("description", metavar="DESCRIPTION", help="what the song is about")
    boost = commands.add_parser("boost-style", help="a richer style from a few style words (paid)")
    boost.add_argument("tags", metavar="TAGS")
    boost.add_argument("--model", help="the model the style is for (its style length limit applies)")


async def cmd_lyrics(studio: Studio, args: argparse.Namespace) -> int:
    _say_cost(studio, args, await studio.create.helper_terms("lyrics"))
    drafts = await studio.create.write_lyrics(args.description)
    data = [{"title": d.title, "lyrics": d.text} for d in drafts]
    text = "\n\n".join(f"# {d.title or f'Draft {i + 1}'}\n{d.text}" for i, d in enumerate(drafts))
    emit(args, data, text)
    return EXIT_OK


async def cmd_boost_style(studio: Studio, args: argparse.Namespace) -> int:
    _say_cost(studio, args, await studio.create.helper_terms("boost_style"))
    boosted = await studio.create.boost_style(args.tags, args.model)
    emit(args, {"tags": args.tags, "boosted": boosted}, boosted)
    return EXIT_OK


def _say_cost(studio: Studio, args: argparse.Namespace, terms: str) -> None:
    if not args.json:  # the cost before it is spent, as the Create tab shows it
        print(plain(f"note: {studio.capabilities.display_name}: {terms}"), file=sys.stderr, flush=True)


COMMANDS = {"lyrics": cmd_lyrics, "boost-style": cmd_boost_style}
