"""What a local audio file is, and whether we can use it - without ffprobe.

The bundled imageio-ffmpeg has no ffprobe, so :func:`probe` runs ``ffmpeg -i FILE``
once, reads the input description ffmpeg prints on stderr (duration, codec, sample
rate, channels) and, in the same run, decodes the first second to prove the file is
audio we can actually decode (a text file renamed ``.mp3`` fails here, not later in a
paid upload).  Every refusal is a :class:`~sonic_studio.core.errors.ValidationError`
with ``field="file"`` and a sentence a person understands.

It spawns a process (~20-40 ms): call it off the UI thread.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ValidationError
from .ffmpeg import ffmpeg_exe

_DURATION = re.compile(r"^\s*Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)", re.M)
_INPUT = re.compile(r"^Input #0, (.+?), from ", re.M)
_AUDIO = re.compile(r"Stream #0:\d+[^:]*: Audio: ([^,\s]+)[^,]*,\s*(\d+) Hz(?:,\s*([^,]+))?")
_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "4.0": 4, "5.0": 5, "5.1": 6, "6.1": 7, "7.1": 8}


@dataclass(frozen=True)
class AudioInfo:
    """What :func:`probe` found out about a file."""

    duration: float  # seconds
    codec: str  # ffmpeg codec name, e.g. "mp3", "pcm_s16le", "flac", "aac"
    sample_rate: int
    channels: int
    size: int  # bytes
    container: str  # ffmpeg demuxer name(s), e.g. "mp3", "wav", "mov,mp4,m4a,3gp,3g2,mj2"


@dataclass(frozen=True)
class StreamInfo:
    """The parts of ffmpeg's input description we use (any may be missing)."""

    duration: float | None
    codec: str | None
    sample_rate: int | None
    channels: int | None
    container: str | None


def parse_input_info(stderr: str) -> StreamInfo:
    """Read ffmpeg's ``Input #0`` banner (stderr at log level info)."""
    duration = None
    if m := _DURATION.search(stderr):
        duration = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    container = m[1] if (m := _INPUT.search(stderr)) else None
    codec = sample_rate = channels = None
    if m := _AUDIO.search(stderr):
        codec, sample_rate = m[1], int(m[2])
        layout = (m[3] or "").strip()
        channels = _CHANNELS.get(layout.split("(")[0])
        if channels is None and (cm := re.match(r"(\d+) channels", layout)):
            channels = int(cm[1])
    return StreamInfo(duration, codec, sample_rate, channels, container)


def format_duration(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour), for messages."""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _fail(message: str) -> ValidationError:
    return ValidationError(message, field="file")


def probe(path: str | os.PathLike[str], max_seconds: float | None = None, timeout: float = 30.0) -> AudioInfo:
    """Duration and format of a local audio file, checked to be decodable.

    Raises ``ValidationError(field="file")`` when the file is missing, unreadable,
    empty, not audio, undecodable, or longer than ``max_seconds``.
    """
    path = Path(path)
    name = path.name
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _fail(f"{name} does not exist (was it moved or deleted?).") from None
    except OSError as exc:
        raise _fail(f"Cannot read {name}: {exc.strerror or exc}.") from None
    if path.is_dir():
        raise _fail(f"{name} is a folder, not an audio file.")
    if not os.access(path, os.R_OK):
        raise _fail(f"Cannot read {name}: permission denied.")
    if st.st_size == 0:
        raise _fail(f"{name} is empty.")

    # Decode the first second to a pipe: proves the codec works, costs a few ms.
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
           "-map", "0:a:0", "-t", "1", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise _fail(f"Reading {name} took too long; the file may be damaged.") from None
    except OSError as exc:
        raise _fail(f"Cannot run ffmpeg to read {name}: {exc}.") from None
    stderr = proc.stderr.decode("utf-8", "replace")
    info = parse_input_info(stderr)
    if info.codec is None:
        if "Permission denied" in stderr:
            raise _fail(f"Cannot read {name}: permission denied.")
        if info.container is not None:
            raise _fail(f"{name} has no audio track.")
        raise _fail(f"{name} is not an audio file (ffmpeg cannot read it as audio).")
    if proc.returncode != 0 or not proc.stdout:
        raise _fail(f"{name} looks like {info.codec} audio but cannot be decoded; it may be damaged.")

    duration = info.duration
    if duration is None:
        duration = _measure_duration(path, timeout)
    if max_seconds is not None and duration > max_seconds + 0.05:
        raise _fail(
            f"{name} is {format_duration(duration)} long; the limit is {format_duration(max_seconds)}."
        )
    return AudioInfo(
        duration=duration,
        codec=info.codec,
        sample_rate=info.sample_rate or 0,
        channels=info.channels or 0,
        size=st.st_size,
        container=info.container or "",
    )


def _measure_duration(path: Path, timeout: float) -> float:
    """Some streams (raw ADTS, broken headers) carry no duration: decode and count."""
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0",
           "-ac", "1", "-ar", "8000", "-f", "s16le", "-"]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise _fail(f"Reading {path.name} took too long; the file may be damaged.") from None
    return len(proc.stdout) / 2 / 8000
