"""The ffmpeg questions the services ask about local files: is it playable, how long is it.

Decoding and playback are the audio layer's job; here we only need a yes/no (and how
long it really plays) before a download is accepted into the library, and a duration
before a local file is sent for upload (validate before spending).  All block, so
callers use an executor.  ffmpeg runs in its own process at low priority: in-process
decoding (PyAV) was tried for download checks and its Python loops held the GIL
against the UI loop (docs/performance.md).
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

from ..audio.ffmpeg import ffmpeg_exe
from ..audio.probe import probe
from ..core.errors import ValidationError

log = logging.getLogger(__name__)

class NotPlayable(Exception):
    """ffmpeg could not decode the file; ``str()`` is ffmpeg's last error line."""


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess | None:
    try:
        with subprocess.Popen([ffmpeg_exe(), "-nostdin", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as proc:
            _background_priority(proc.pid)
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    except Exception as exc:  # no ffmpeg binary, or it hung: say so, do not lose the file
        log.warning("ffmpeg could not run (%s); skipping the check", type(exc).__name__)
        return None


def _background_priority(pid: int) -> None:
    """Checks of downloads are background work: on 2 cores they must not starve the UI."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 10)
    except (AttributeError, OSError):  # not POSIX, or the process already ended
        pass


def structure_check(path: Path, decode_seconds: float) -> float | None:
    """How long the file plays by its packets; raise NotPlayable if it is not decodable audio.

    One ffmpeg run with two outputs: every packet of the first audio stream is copied
    to nowhere (demuxed, not decoded: the timestamps say how long it really plays, so a
    body cut off on the way is caught even when its header announces the whole song),
    and the first ``decode_seconds`` are decoded (the whole of a short clip; the start
    of a long one proves its codec).  An 8-minute MP3 costs ~0.1 s of CPU instead of
    the ~1 s of a full decode.  None when ffmpeg could not run at all.
    """
    result = _run(["-hide_banner", "-v", "error", "-xerror", "-nostats", "-i", str(path),
                   "-map", "0:a:0", "-c", "copy", "-f", "framecrc", "pipe:1",
                   "-map", "0:a:0", "-t", f"{decode_seconds:g}", "-f", "null", "-"], 180)
    if result is None:
        return None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NotPlayable(lines[-1][:120] if lines else "unknown decoder error")
    return packet_span(result.stdout.decode("ascii", "replace"))


def packet_span(listing: str) -> float:
    """Seconds from the first packet's start to the last packet's end, read from ffmpeg's
    ``framecrc`` listing of the copied packets (``#tb 0: num/den``, then one line per
    packet: stream, dts, pts, duration, size, checksum).

    The packets themselves, not ffmpeg's ``-progress`` line: with two outputs FFmpeg 7
    reports the shorter one's time there (the 30 s decoded), FFmpeg 9 the longer one's.
    """
    base = None
    first = last = None
    for line in listing.splitlines():
        if line.startswith("#tb 0:"):
            num, _, den = line.split(":", 1)[1].strip().partition("/")
            base = int(num) / int(den)
            continue
        fields = line.split(",")
        if line.startswith("#") or len(fields) < 4:
            continue
        try:
            pts, duration = int(fields[2]), int(fields[3])
        except ValueError:
            continue
        if pts < -(1 << 62):  # AV_NOPTS_VALUE: a packet without a time
            continue
        first = pts if first is None else min(first, pts)
        last = pts + duration if last is None else max(last, pts + duration)
    if base is None or first is None or last is None or last <= first:
        raise NotPlayable("no audio frames in the file")
    return (last - first) * base


def probe_duration(path: Path) -> float | None:
    """Seconds of audio, or None when ffmpeg cannot read the file as audio (audio.probe does the work)."""
    try:
        return probe(path).duration
    except ValidationError:
        return None
