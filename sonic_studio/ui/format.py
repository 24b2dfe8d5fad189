"""Clip, time and lineage facts in the words every part of the window shares.

One module so a clip is described the same way in the library list, the details pane,
the player bar, the tasks list and the forms ("extend of Night Drive @ 1:23", "3:12",
"0:42.50–1:01.25").  Plain Python, no Qt: it can be used (and tested) anywhere.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..core.capabilities import capabilities, task_type_text
from ..core.models import ClipState, Origin, TaskKind

if TYPE_CHECKING:  # only their attributes are read here
    from ..store.records import ClipDetail, ClipRow, PersonaRecord


def format_time(seconds: float, decimals: int = 2) -> str:
    """``m:ss.cc`` (``h:mm:ss.cc`` from an hour)."""
    scale = 10**decimals
    total = int(round(max(0.0, seconds) * scale))
    whole, frac = divmod(total, scale)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    tail = f".{frac:0{decimals}d}" if decimals else ""
    return f"{h}:{m:02d}:{s:02d}{tail}" if h else f"{m}:{s:02d}{tail}"


def duration_text(seconds: float | None) -> str:
    """m:ss (h:mm:ss past an hour); an en dash when unknown."""
    if seconds is None:
        return "–"
    total = int(round(max(0.0, seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def precise_time(seconds: float) -> str:
    """1:23.00 - the exact point an extension continues from."""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:05.2f}"


def created_text(epoch: float, now: float | None = None) -> str:
    """Short, scannable dates: 14:02 today, 3 Mar this year, 3 Mar 2025 before."""
    then = time.localtime(epoch)
    today = time.localtime(now if now is not None else time.time())
    if then[:3] == today[:3]:
        return time.strftime("%H:%M", then)
    if then.tm_year == today.tm_year:
        return f"{then.tm_mday} {time.strftime('%b', then)}"
    return f"{then.tm_mday} {time.strftime('%b %Y', then)}"


def full_date_text(epoch: float) -> str:
    return time.strftime("%A %d %B %Y, %H:%M", time.localtime(epoch))


def file_name_of(url: str | None) -> str | None:
    """The file name at the end of a URL or path ("night-drive.mp3"), for people."""
    if not url:
        return None
    path = urlsplit(url).path if "://" in url else url
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return name or url


def clip_name(clip: ClipRow) -> str:
    return clip.title or clip.clip_id


KEEPER_STAR = "★"


def clip_label(clip: ClipRow) -> str:
    """The name with its take and keeper star, "★ Night Drive · take 2": what tells a task's
    two clips apart wherever a clip is listed or played."""
    name = f"{clip_name(clip)} · {clip.take}" if clip.take else clip_name(clip)
    return f"{KEEPER_STAR} {name}" if clip.keeper else name


def _parent_words(detail: ClipDetail) -> str:
    lin = detail.lineage
    if lin is None:
        return "another clip"
    if lin.parent_title:
        return f"“{lin.parent_title}”"
    upload = upload_file_name(lin)
    if upload:
        return f"upload {upload}"
    return f"clip {lin.parent_clip_id}" if lin.parent_clip_id else "another clip"


def upload_file_name(lin) -> str | None:
    """The file an upload came from: the person's own file name when it was a local file
    (the upload host renames it), else the link's last part."""
    if lin is None:
        return None
    return lin.params.get("local_file") or file_name_of(lin.source_url)


def _upload_words(detail: ClipDetail) -> str:
    """An upload source: its file name when the URL has one, else the parent clip."""
    lin = detail.lineage
    name = upload_file_name(lin)
    if name:
        return f"upload {name}"
    return _parent_words(detail)


def lineage_short(detail: ClipRow) -> str:
    """The dim second line in the list: "extend of Night Drive @ 1:23"."""
    lin = detail.lineage
    if detail.origin is Origin.UPLOADED:
        name = upload_file_name(lin)
        return f"uploaded · {name}" if name else "uploaded"
    edited = edit_lineage(detail, parent_words=False)
    if edited:
        return edited
    if detail.full_song_of:
        if lin is not None and lin.params.get("joined_here"):
            return "full song (joined here, free)"
        return "full song (extension joined to its source)"
    kind = lin.task_kind if lin else detail.task_kind
    if kind is None or lin is None:
        return "generated"
    parent = (lin.parent_title or upload_file_name(lin) or lin.parent_clip_id or "?")
    if kind is TaskKind.EXTEND or kind is TaskKind.UPLOAD_EXTEND:
        at = f" @ {duration_text(lin.continue_at)}" if lin.continue_at is not None else ""
        return f"extend of {parent}{at}"
    if kind is TaskKind.COVER or kind is TaskKind.UPLOAD_COVER:
        weight = f" · weight {lin.audio_weight:.2f}" if lin.audio_weight is not None else ""
        return f"cover of {parent}{weight}"
    if kind is TaskKind.CONCAT:
        return f"full song of {parent}"
    if lin.persona_id:
        return "new song with a persona"
    return "new song from a description" if lin.params.get("custom_mode") is False else "new song"


def lineage_sentence(detail: ClipDetail, persona_name: str | None = None) -> str:
    """Where the clip came from, in a sentence for the details pane (in words: the provider's
    name for the request is ``lineage_route``, for a tooltip)."""
    lin = detail.lineage
    if detail.origin is Origin.UPLOADED:
        name = upload_file_name(lin)
        return f"Uploaded from {name}." if name else "Uploaded by you."
    if lin is None or lin.task_kind is None:
        return "Generated by the provider (made outside this app, or before it kept lineage)."
    kind = lin.task_kind
    edited = edit_lineage(detail, parent_words=True)
    if edited:
        return f"{edited[0].upper()}{edited[1:]}."
    if kind is TaskKind.EXTEND:
        text = f"Extended from {_parent_words(detail)}"
    elif kind is TaskKind.UPLOAD_EXTEND:
        text = f"Extended from {_upload_words(detail)}"
    elif kind is TaskKind.COVER:
        text = f"Cover of {_parent_words(detail)}"
    elif kind is TaskKind.UPLOAD_COVER:
        text = f"Cover of {_upload_words(detail)}"
    elif kind is TaskKind.CONCAT:
        text = f"Full song joined from {_parent_words(detail)}"
    elif lin.params.get("custom_mode") is False:
        text = "A new song created from a description"
    else:
        text = "A new song"
    if kind in (TaskKind.EXTEND, TaskKind.UPLOAD_EXTEND) and lin.continue_at is not None:
        text += f" at {precise_time(lin.continue_at)}"
    if kind in (TaskKind.COVER, TaskKind.UPLOAD_COVER) and lin.audio_weight is not None:
        text += f" at audio weight {lin.audio_weight:.2f}"
    if lin.params.get("auto_concat"):
        text += ", joined to the source song"
    text += "."
    if lin.persona_id:
        text += f" Sung by persona “{persona_name}”." if persona_name else f" Made with persona {lin.persona_id}."
    if detail.full_song_of and lin.params.get("joined_here"):
        text += (" This is the full song: the extension joined to its source on this computer, free "
                 "(the provider has no join of its own).")
    elif detail.full_song_of:
        text += " This is the full song: the extension joined to its source."
    return text


def lineage_route(detail: ClipDetail, *, source_uploaded: bool = False) -> str | None:
    """What the request was called at the provider ("sonic, extend_upload_music"), for tooltips
    only; None when the clip has no recorded task.  ``source_uploaded``: the parent clip is an
    upload (sonic then uses another task type)."""
    lin = detail.lineage
    if lin is None or lin.task_kind is None or detail.origin is Origin.UPLOADED:
        return None
    wire = task_type_text(detail.provider, lin.task_kind, persona=bool(lin.persona_id),
                          uploaded_source=source_uploaded)
    return f"{detail.provider.value}, {wire}"


def parent_label(title: str, take: str | None, created_at: float, *, ambiguous: bool) -> str:
    """How a lineage line names its parent: "“Night Drive”", or with take and date when other
    clips share the title ("“Night Drive” (take 2, 3 Mar)") so the right one is recognisable."""
    if not ambiguous:
        return f"“{title}”"
    return f"“{title}” ({', '.join(p for p in (take, created_text(created_at)) if p)})"


# ---- edit operations (issue 13): "replaced 1:02–1:21 of Night Drive"
_EDIT_KINDS = (TaskKind.REPLACE_SECTION, TaskKind.ADD_VOCALS, TaskKind.ADD_INSTRUMENTAL, TaskKind.REMASTER,
               TaskKind.MASHUP, TaskKind.SAMPLE)


def edit_lineage(detail: ClipRow, *, parent_words: bool) -> str | None:
    """What an edit made this clip from, in words; None for any other clip."""
    lin = detail.lineage
    if lin is None or lin.task_kind not in _EDIT_KINDS:
        return None
    if parent_words:
        parent = _parent_words(detail)
    else:
        parent = lin.parent_title or lin.parent_clip_id or "?"
    params, kind = lin.params, lin.task_kind
    start, end = params.get("range_start"), params.get("range_end")
    span = f"{duration_text(start)}–{duration_text(end)}" if start is not None and end is not None else ""
    if kind is TaskKind.REPLACE_SECTION:
        if detail.full_song_of or not params.get("auto_concat"):
            return f"replaced {span} of {parent}"
        return f"new part for {span} of {parent} (the section alone)"
    if kind is TaskKind.ADD_VOCALS:
        return f"vocals added to {parent}" + (f" over {span}" if span else "")
    if kind is TaskKind.ADD_INSTRUMENTAL:
        return f"instrumental added to {parent}" + (f" over {span}" if span else "")
    if kind is TaskKind.REMASTER:
        strength = params.get("strength")
        return f"remaster of {parent}" + (f" ({strength})" if strength else "")
    if kind is TaskKind.MASHUP:
        other = params.get("second_title") or "another clip"
        return f"mashup of {parent} and " + (f"“{other}”" if parent_words else other)
    return f"sampled {span} of {parent}"


LINK_ONLY = "There is no local copy of this upload (the provider has the file)."


def problem_text(clip: ClipRow) -> str | None:
    """Why a clip cannot be played (yet), or None when it is fine.

    An upload without a local copy (older libraries, or the copy is still being made)
    is not a problem of the clip; ``playable_text`` covers it for the player.
    """
    if clip.state is ClipState.FAILED:
        return "The provider could not make this clip."
    if clip.state in (ClipState.PENDING, ClipState.RUNNING):
        return "Still being made at the provider."
    if clip.download_error:
        if clip.origin is Origin.UPLOADED:
            return clip.download_error  # the service says "No local copy of the upload: …"
        return f"Not downloaded: {clip.download_error}"
    if not clip.audio_path and clip.origin is not Origin.UPLOADED:
        return "Not downloaded yet."
    return None


def playable_text(clip: ClipRow) -> str | None:
    """Why the player cannot play this clip, in a few words (None: it has a local file)."""
    if clip.audio_path:
        return None
    if clip.origin is Origin.UPLOADED and not clip.download_error:
        return LINK_ONLY
    return problem_text(clip)


def fmt_window(record: PersonaRecord) -> str:
    """``0:42.50–1:01.25``; the provider's default (catalog) when the persona was made without one."""
    if record.vocal_start is None or record.vocal_end is None:
        start, end = capabilities(record.provider).persona_window.default
        return f"{format_time(start)}–{format_time(end)} (default)"
    return f"{format_time(record.vocal_start)}–{format_time(record.vocal_end)}"


def source_name(source: str | Path) -> str:
    """The file name of a path or link, for messages."""
    if isinstance(source, Path):
        return source.name
    return str(source).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or str(source)
