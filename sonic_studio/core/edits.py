"""The edit operations on a library clip, and the domain requests they send.

Replace a section, add vocals or an instrumental to an upload, remaster, mash two clips
up, sample a range into a new song: each is its own request here, in plain domain terms
(seconds, clips, lyrics), so the adapters alone know that sonic calls a range
``infill_start_s`` and sunoapi.org ``infillStartS``.  What each provider offers, its
limits and prices come from ``catalog.json`` (``capabilities.EditInfo``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .models import Clip, GenerationParams, TaskKind


class EditOp(str, Enum):
    """One edit; the value doubles as the TaskKind value and the catalog key."""

    REPLACE_SECTION = "replace_section"
    ADD_VOCALS = "add_vocals"
    ADD_INSTRUMENTAL = "add_instrumental"
    REMASTER = "remaster"
    MASHUP = "mashup"
    SAMPLE = "sample"

    @property
    def label(self) -> str:
        """Words for people: "Replace a section"."""
        return _LABELS[self]

    @property
    def task_kind(self) -> TaskKind:
        return TaskKind(self.value)

    @property
    def ranged(self) -> bool:
        """Whether the operation works on a range of the clip chosen on the waveform."""
        return self in (EditOp.REPLACE_SECTION, EditOp.SAMPLE)


_LABELS = {
    EditOp.REPLACE_SECTION: "Replace a section",
    EditOp.ADD_VOCALS: "Add vocals",
    EditOp.ADD_INSTRUMENTAL: "Add an instrumental",
    EditOp.REMASTER: "Remaster",
    EditOp.MASHUP: "Mashup",
    EditOp.SAMPLE: "Sample a range",
}

# Remaster strength, as the sonic docs name it (variation_category).
STRENGTHS = ("subtle", "normal", "high")


@dataclass
class ReplaceSectionRequest:
    """Sing ``lyrics`` over ``start``..``end`` (seconds) of ``source``.

    ``full_lyrics``: the whole song's words with the new part in place (sunoapi.org's
    ``fullLyrics``, sonic's context ``prompt``).  ``auto_concat`` (sonic): also return the
    whole song with the section replaced, not only the new part.
    """

    source: Clip
    start: float
    end: float
    lyrics: str
    tags: str = ""
    title: str = ""
    negative_tags: str = ""
    full_lyrics: str = ""
    auto_concat: bool = True


@dataclass
class AddLayerRequest:
    """Add vocals (``params.lyrics`` sung, in ``params.tags``' style) or an instrumental
    (``vocals`` False) to an uploaded clip; ``start``/``end``: sonic's optional range."""

    source: Clip
    params: GenerationParams
    vocals: bool
    start: float | None = None
    end: float | None = None


@dataclass
class RemasterRequest:
    source: Clip
    model: str
    strength: str | None = None  # one of STRENGTHS; None = the provider's default


@dataclass
class MashupRequest:
    """Two clips into one song.  ``urls``: sunoapi.org takes audio links, not clip ids;
    the service fills them (a link the provider still serves, or a fresh upload)."""

    first: Clip
    second: Clip
    params: GenerationParams
    urls: tuple[str, str] | None = None


@dataclass
class SampleRequest:
    """A new song built on ``start``..``end`` of ``source``."""

    source: Clip
    start: float
    end: float
    params: GenerationParams
