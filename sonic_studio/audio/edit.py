"""Small audio edits with pydub: cut an excerpt, export a clip as MP3 or WAV (tagged).

pydub is imported lazily (it costs start-up time and warns at import when ffmpeg is
not on PATH) and always pointed at the bundled ffmpeg.  pydub sniffs input with
*ffprobe*, which imageio-ffmpeg does not ship (field-notes C.3), unless ``codec=`` is
given - so inputs are probed with our own :func:`~sonic_studio.audio.probe.probe` and
pydub is told the codec.  Peaks never go through pydub (it holds the whole song in
memory); see :mod:`sonic_studio.audio.decode`.

Files are written (and tagged, :mod:`sonic_studio.audio.tags`) under a temporary name
and renamed, so an export that fails half way never leaves a truncated or untagged
file where the user asked for one.  The temporary file is created with mode
``0o666`` minus the umask, like any program's output (``mkstemp`` would make every
export owner-only, 0600, which a shared folder or a DAW on another account cannot read).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .ffmpeg import ffmpeg_exe
from .probe import probe
from .tags import ClipTags, write_tags

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


def new_file_beside(dest: Path, suffix: str) -> Path:
    """A new empty temp file in ``dest``'s folder, with the umask's permissions (not 0600)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = dest.parent / f".{dest.stem}-{secrets.token_hex(6)}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return path


def _write(segment: AudioSegment | None, src: str | os.PathLike[str], dest: Path, fmt: str, bitrate: str,
           tags: ClipTags | None) -> Path:
    """Encode ``segment`` (None: copy ``src`` byte for byte), tag it, then rename it into place."""
    tmp = new_file_beside(dest, f".{fmt}.part")
    try:
        if segment is None:
            shutil.copyfile(src, tmp)
        else:
            options = {"format": fmt, "codec": _CODECS[fmt]}
            if fmt == "mp3":
                options["bitrate"] = bitrate
            segment.export(os.fspath(tmp), **options).close()
        if tags is not None:
            write_tags(tmp, tags, fmt)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def export(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    bitrate: str = "192k",
    tags: ClipTags | None = None,
) -> Path:
    """Export ``src`` to ``dest`` as MP3 or WAV (format from ``fmt`` or the suffix), tagged with ``tags``.

    An MP3 exported as MP3 is copied byte for byte and only its tag is rewritten:
    re-encoding would only lose quality.
    """
    dest = Path(dest)
    fmt = _format_for(dest, fmt)
    if fmt == "mp3" and probe(src).codec == "mp3":
        return _write(None, src, dest, fmt, bitrate, tags)
    return _write(load_segment(src), src, dest, fmt, bitrate, tags)


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
    private = dest is None
    if private:
        fd, name = tempfile.mkstemp(prefix="sonic-excerpt-", suffix=f".{fmt}")
        os.close(fd)
        dest = name
    dest = Path(dest)
    path = _write(load_segment(src, start, end), src, dest, _format_for(dest, fmt), bitrate, None)
    if private:
        os.chmod(path, 0o600)  # a scratch file in the shared temp folder stays owner-only
    return path
