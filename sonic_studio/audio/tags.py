"""Tags on saved and exported audio, with mutagen: what a file manager, a player or a DAW shows.

A byte copy of a provider's MP3 arrives with no title, and two takes look identical
in any other program.  :func:`write_tags` puts title, artist, album, lyrics, cover
art, a comment naming how the clip was made, and the creation date into the file:

- MP3: an ID3v2.3 tag (v2.3 rather than v2.4 because Windows and several DAWs still
  read only v2.3; mutagen writes the date as TYER/TDAT/TIME there).
- WAV: the same ID3 tag in an ``id3 `` RIFF chunk, which mutagen reads and writes
  and most taggers and players read.  mutagen does not write RIFF ``INFO`` lists.

Tags are written in place; callers tag a temporary file before renaming it into
place, so a user never sees a half-tagged file.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import APIC, COMM, ID3, TALB, TDRC, TIT2, TPE1, USLT, ID3NoHeaderError
from mutagen.wave import WAVE

from .ffmpeg import ffmpeg_exe

DEFAULT_ARTIST = "Sonic Studio"
_LANG = "eng"  # ISO 639-2 is required by USLT/COMM; the text itself may be any language


class TagError(Exception):
    """The file could not be tagged; ``str()`` is readable."""


@dataclass(frozen=True)
class ClipTags:
    title: str
    artist: str = DEFAULT_ARTIST
    album: str = ""
    lyrics: str = ""
    comment: str = ""
    created: float | None = None  # epoch seconds
    cover: bytes | None = None  # JPEG or PNG bytes


def write_tags(path: str | os.PathLike[str], tags: ClipTags, fmt: str) -> None:
    """Replace the tags of the ``fmt`` ("mp3" or "wav") file at ``path`` with ``tags``."""
    frames = _frames(tags)
    try:
        if fmt == "wav":
            wave = WAVE(os.fspath(path))
            if wave.tags is None:
                wave.add_tags()
            wave.tags.clear()
            for frame in frames:
                wave.tags.add(frame)
            wave.save(v2_version=3)
        elif fmt == "mp3":
            try:
                id3 = ID3(os.fspath(path))
                id3.clear()
            except ID3NoHeaderError:
                id3 = ID3()
            for frame in frames:
                id3.add(frame)
            id3.save(os.fspath(path), v2_version=3)
        else:
            raise TagError(f"Cannot tag a '{fmt}' file; only mp3 and wav.")
    except (OSError, MutagenError) as exc:
        raise TagError(f"Could not write tags to {Path(path).name}: {exc}") from None


def untagged_mp3(data: bytes) -> bytes:
    """An MP3's bytes without leading ID3v2 tags: what the provider served, before
    ``write_tags`` tagged the library's copy (soak and download checks compare these)."""
    while data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]  # synchsafe
        footer = 10 if data[5] & 0x10 else 0
        data = data[10 + size + footer:]
    return data.lstrip(b"\0")  # padding some writers leave after the tag


def _frames(tags: ClipTags) -> list:
    frames = [TIT2(encoding=3, text=tags.title), TPE1(encoding=3, text=tags.artist or DEFAULT_ARTIST)]
    if tags.album:
        frames.append(TALB(encoding=3, text=tags.album))
    if tags.lyrics:
        frames.append(USLT(encoding=3, lang=_LANG, desc="", text=tags.lyrics))
    if tags.comment:
        frames.append(COMM(encoding=3, lang=_LANG, desc="", text=tags.comment))
    if tags.created is not None:
        frames.append(TDRC(encoding=3, text=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(tags.created))))
    mime = image_mime(tags.cover)
    if mime:
        frames.append(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=tags.cover))
    return frames


def image_mime(data: bytes | None) -> str | None:
    """The MIME type of cover bytes by their signature; None for anything ID3 players cannot show."""
    if not data:
        return None
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def cover_bytes(path: str | os.PathLike[str] | None) -> bytes | None:
    """A clip's image as JPEG or PNG bytes for APIC; WebP/GIF are converted with ffmpeg.

    None when there is no image or it cannot be read: a missing cover never stops an export.
    """
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if image_mime(data):
        return data
    proc = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", "-", "-frames:v", "1",
                           "-f", "image2pipe", "-c:v", "mjpeg", "-"],
                          input=data, capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 and image_mime(proc.stdout) else None
