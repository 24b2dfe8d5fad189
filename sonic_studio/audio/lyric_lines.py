"""Timed lyrics as lines, and the files other programs read them from.

Providers time single words; people (and karaoke views, DAWs) want lines.  Words are
grouped by the clip's own lyric lines when the words follow them, else by pauses.
Exports: ``.lrc`` (players), an Audacity label track (``start<TAB>end<TAB>text``,
seconds) and a REAPER region list CSV (``#,Name,Start,End,Length`` with ``R1``.. ids
and times as M:SS.mmm, the Region/Marker Manager's import format).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.models import LyricWord

_MARKER = re.compile(r"^\s*\[[^\]]*\]\s*$")
_PAUSE = 1.2  # seconds of silence that end a line when the lyric text does not help
_MAX_WORDS = 10


@dataclass(frozen=True)
class LyricLine:
    text: str
    start: float
    end: float


def lines_from_words(words: list[LyricWord], lyrics: str = "") -> list[LyricLine]:
    words = sorted(words, key=lambda w: w.start)
    if not words:
        return []
    sizes = [len(line.split()) for line in lyrics.splitlines() if line.strip() and not _MARKER.match(line)]
    groups: list[list[LyricWord]] = []
    if sizes and sum(sizes) >= len(words) and _follows(words, lyrics):
        at = 0
        for size in sizes:
            if at >= len(words):
                break
            groups.append(words[at : at + size])
            at += size
    else:
        for word in words:
            if not groups or word.start - groups[-1][-1].end > _PAUSE or len(groups[-1]) >= _MAX_WORDS:
                groups.append([])
            groups[-1].append(word)
    return [LyricLine(" ".join(w.word for w in g), g[0].start, g[-1].end) for g in groups if g]


def _follows(words: list[LyricWord], lyrics: str) -> bool:
    said = [_bare(w) for line in lyrics.splitlines() if not _MARKER.match(line) for w in line.split()]
    return [_bare(w.word) for w in words] == said[: len(words)]


def _bare(word: str) -> str:
    return re.sub(r"\W", "", word.lower())


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:06.3f}"


def to_lrc(lines: list[LyricLine], title: str = "", length: float | None = None) -> str:
    head = [f"[ti:{title}]"] if title else []
    if length:
        head.append(f"[length:{_clock(length)[:-1]}]")
    body = []
    for line in lines:
        minutes, rest = divmod(line.start, 60)
        body.append(f"[{int(minutes):02d}:{rest:05.2f}]{line.text}")
    return "\n".join(head + body) + "\n"


def to_audacity_labels(lines: list[LyricLine]) -> str:
    return "".join(f"{line.start:.6f}\t{line.end:.6f}\t{line.text}\n" for line in lines)


def to_reaper_regions(lines: list[LyricLine]) -> str:
    rows = ["#,Name,Start,End,Length"]
    for index, line in enumerate(lines, 1):
        name = '"' + line.text.replace('"', '""') + '"'
        rows.append(f"R{index},{name},{_clock(line.start)},{_clock(line.end)},{_clock(line.end - line.start)}")
    return "\n".join(rows) + "\n"
