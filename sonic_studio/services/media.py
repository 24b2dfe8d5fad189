"""Two ffmpeg questions the services ask about local files: is it playable, how long is it.

Decoding and playback are the audio layer's job; here we only need a yes/no before a
download is accepted into the library, and a duration before a local file is sent
for upload (validate before spending).  Both block, so callers use an executor.
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


def decode_check(path: Path) -> None:
    """Decode the whole first audio stream; raise NotPlayable if ffmpeg reports an error."""
    result = _run(["-v", "error", "-xerror", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"], 180)
    if result is not None and result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NotPlayable(lines[-1][:120] if lines else "unknown decoder error")


def probe_duration(path: Path) -> float | None:
    """Seconds of audio, or None when ffmpeg cannot read the file as audio (audio.probe does the work)."""
    try:
        return probe(path).duration
    except ValidationError:
        return None
