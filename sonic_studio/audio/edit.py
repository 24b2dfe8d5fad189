"""Small audio edits with pydub: cut an excerpt, export a clip as MP3 or WAV.

pydub is imported lazily (it costs start-up time and warns at import when ffmpeg is
not on PATH) and always pointed at the bundled ffmpeg.  pydub sniffs input with
*ffprobe*, which imageio-ffmpeg does not ship (field-notes C.3), unless ``codec=`` is
given - so inputs are probed with our own :func:`~sonic_studio.audio.probe.probe` and
pydub is told the codec.  Peaks never go through pydub (it holds the whole song in
memory); see :mod:`sonic_studio.audio.decode`.

Files are written under a temporary name and renamed, so an export that fails half
way never leaves a truncated file where the user asked for one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .ffmpeg import ffmpeg_exe
from .probe import probe

if TYPE_CHECKING:
    from pydub import AudioSegment

FORMATS = ("mp3", "wav")
_CODECS = {"mp3": "libmp3lame", "wav": "pcm_s16le"}


def _pydub() -> type[AudioSegment]:
    with warnings.catch_warnings():
        # "Couldn't find ffmpeg or avconv" is about PATH, irrelevant to us; "'audioop'
        # is deprecated" is pydub's to fix (Python 3.13 gets audioop-lts).
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment


def load_segment(src: str | os.PathLike[str], start: float | None = None, end: float | None = None) -> AudioSegment:
    """The audio of ``src`` (optionally only ``[start, end)`` seconds) as a pydub segment."""
    info = probe(src)
    kwargs = {}
    if start is not None:
        kwargs["start_second"] = max(0.0, start)
    if end is not None:
        kwargs["duration"] = max(0.0, end - (start or 0.0))
    # format=None lets ffmpeg detect the container; codec= is what keeps ffprobe out.
    return _pydub().from_file(os.fspath(src), codec=info.codec, **kwargs)


def _format_for(dest: Path, fmt: str | None) -> str:
    fmt = (fmt or dest.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"Cannot export as '{fmt}': choose one of {', '.join(FORMATS)}.")
    return fmt


def _write(segment: AudioSegment, dest: Path, fmt: str, bitrate: str, tags: dict[str, str] | None) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.stem}-", suffix=f".{fmt}.part")
    os.close(fd)
    try:
        options = {"format": fmt, "codec": _CODECS[fmt]}
        if fmt == "mp3":
            options.update(bitrate=bitrate, tags=tags or None)
        segment.export(tmp, **options).close()
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def export(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    bitrate: str = "192k",
    tags: dict[str, str] | None = None,
) -> Path:
    """Export ``src`` to ``dest`` as MP3 or WAV (format from ``fmt`` or the suffix).

    An MP3 exported as MP3 without new tags is copied byte for byte: re-encoding
    would only lose quality.
    """
    dest = Path(dest)
    fmt = _format_for(dest, fmt)
    if fmt == "mp3" and not tags and probe(src).codec == "mp3":
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.stem}-", suffix=".mp3.part")
        os.close(fd)
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        return dest
    return _write(load_segment(src), dest, fmt, bitrate, tags)


def excerpt(
    src: str | os.PathLike[str],
    start: float,
    end: float,
    dest: str | os.PathLike[str] | None = None,
    fmt: str = "wav",
    *,
    bitrate: str = "192k",
) -> Path:
    """``[start, end)`` seconds of ``src`` as a new file (a temp file if no ``dest``).

    The caller owns a temp file and deletes it when done.
    """
    if end <= start:
        raise ValueError("The excerpt must end after it starts.")
    if dest is None:
        fd, name = tempfile.mkstemp(prefix="sonic-excerpt-", suffix=f".{fmt}")
        os.close(fd)
        dest = name
    dest = Path(dest)
    return _write(load_segment(src, start, end), dest, _format_for(dest, fmt), bitrate, None)
