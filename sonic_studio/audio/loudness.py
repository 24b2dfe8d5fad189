"""Integrated loudness (EBU R128) per clip, measured once and cached, and the gain that matches two clips.

A/B between two takes is only fair at equal loudness: the louder take always sounds
"better".  Loudness is measured with ffmpeg's ``ebur128`` filter through the app's
bundled ffmpeg rather than ``pyloudnorm``: no new dependency (pyloudnorm pulls in
SciPy, ~40 MB), any format ffmpeg reads, and ffmpeg streams the file instead of
holding the whole song in memory.  ffmpeg prints integrated loudness with one decimal,
well inside the 0.5 LU that matters for matching.

Results are cached like peak pyramids (:mod:`sonic_studio.audio.peak_cache`): one tiny
file per clip version, keyed by the file's path, size and mtime, so a rewritten file
is measured again without bookkeeping.  Entries are a few dozen bytes; the folder is
not pruned.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .ffmpeg import ffmpeg_exe
from .peak_cache import FileStamp

_VERSION = 1
_SUFFIX = ".loudness"
_SILENT_LUFS = -70.0  # the R128 absolute gate: anything quieter is silence
_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.DOTALL)
_PEAK = re.compile(r"Sample peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.DOTALL)


class LoudnessError(Exception):
    """ffmpeg could not measure the file; ``str()`` is readable."""


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness in LUFS (None: silent) and the sample peak in dBFS (None: silent)."""

    lufs: float | None
    peak_dbfs: float | None

    def label(self) -> str:
        return "silent" if self.lufs is None else f"{self.lufs:.1f} LUFS"


def measure(path: str | os.PathLike[str]) -> Loudness:
    """Run ffmpeg's ``ebur128`` over the first audio stream of ``path`` (seconds per song)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "info", "-i", os.fspath(path),
           "-map", "0:a:0", "-af", "ebur128=framelog=quiet:peak=sample", "-f", "null", "-"]
    kwargs = {"creationflags": subprocess.CREATE_NO_WINDOW} if os.name == "nt" else {}
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False, **kwargs)
    except OSError as exc:
        raise LoudnessError(f"Cannot run ffmpeg: {exc}") from None
    text = proc.stderr.decode("utf-8", "replace")
    found = _INTEGRATED.search(text)
    if proc.returncode != 0 or not found:
        last = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip()), "no output")
        raise LoudnessError(f"Could not measure the loudness of {Path(path).name}: {last}")
    peak = _PEAK.search(text)
    return Loudness(_level(found[1], _SILENT_LUFS), _level(peak[1], -200.0) if peak else None)


def _level(text: str, floor: float) -> float | None:
    value = float(text)  # "-inf" parses to -inf
    return None if not math.isfinite(value) or value <= floor else value


def match_gain_db(reference: Loudness, other: Loudness, *, headroom_dbfs: float = -1.0) -> float:
    """Gain in dB to play ``other`` at the loudness of ``reference``.

    Turning down is always allowed; turning up stops where ``other``'s peak would pass
    ``headroom_dbfs`` (a boost that clips would make that take sound worse, not equal).
    Silent clips get no gain.
    """
    if reference.lufs is None or other.lufs is None:
        return 0.0
    gain = reference.lufs - other.lufs
    if gain > 0 and other.peak_dbfs is not None:
        gain = min(gain, max(0.0, headroom_dbfs - other.peak_dbfs))
    return gain


def db_to_linear(gain_db: float) -> float:
    """The amplitude factor a player's volume needs for ``gain_db``."""
    return 10 ** (gain_db / 20)


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("sonic-studio")) / "loudness"


class LoudnessCache:
    """Measures each clip version once: ``<key>.loudness`` JSON files in a folder."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def loudness(self, path: str | os.PathLike[str]) -> Loudness:
        """The cached measurement of the file as it is now, measuring it on a miss.

        Blocking (ffmpeg reads the whole file): call it off the UI thread.
        """
        stamp = FileStamp(path)  # taken before measuring: a change meanwhile makes the entry stale
        entry = self.directory / (_key(stamp) + _SUFFIX)
        cached = _read(entry)
        if cached is not None:
            return cached
        result = measure(stamp.path)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"v": _VERSION, "lufs": result.lufs, "peak": result.peak_dbfs}, fh)
            os.replace(tmp, entry)
        except OSError:
            pass  # no cache only costs time
        return result


def _key(stamp: FileStamp) -> str:
    raw = f"loudness|{_VERSION}|{stamp.path}|{stamp.size}|{stamp.mtime_ns}"
    return hashlib.sha1(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _read(entry: Path) -> Loudness | None:
    try:
        data = json.loads(entry.read_text("utf-8"))
        if data.get("v") != _VERSION:
            return None
        lufs, peak = data["lufs"], data["peak"]
        if not all(v is None or isinstance(v, (int, float)) for v in (lufs, peak)):
            return None
        return Loudness(lufs, peak)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: measure again
