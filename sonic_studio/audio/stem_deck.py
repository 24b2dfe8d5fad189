"""Every stem of a clip decoded once, side by side, into one PCM cache the stems view mixes from.

One ffmpeg process reads all stem files and merges them into a single multi-channel
stream (channel *k* = stem *k*, mono, ``PREVIEW_RATE``), read straight into a
preallocated int16 array (``readinto``: no copies, the GIL released while it waits).
One process instead of one per stem because starting a dozen ffmpegs costs more than
the first second of audio is allowed to take (measured: 378 ms for twelve separate
decodes of the first second against ~100 ms for one merged decode), and a merged
stream keeps every stem aligned frame by frame as it arrives.

ffmpeg writes to a temporary file that is read as it grows, not to a pipe: twelve
stems are twelve times the bytes of one mix, and through a pipe ffmpeg stops every
pipe-full until this reader is scheduled again - on a busy machine that alone made the
decode half as slow again as a bare ``amix``.  A file never makes ffmpeg wait.  The
file is unlinked as soon as both sides have it open (POSIX), so nothing is left behind.

``amerge`` stops at the shortest input, so each input is padded with silence
(``apad``) and the read stops at the longest input's duration, which ffmpeg prints in
its input banner before the first sample.  Mixing, levels and the rendered preview
all read this cache, so a mute or solo never decodes anything again.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .decode import DecodeError
from .ffmpeg import ffmpeg_exe

PREVIEW_RATE = 32000  # Hz: a clear preview at 2/3 of the memory of 44.1 kHz (12 x 4 min = 184 MB)
_DURATION = re.compile(r"^\s*Duration:\s*(N/A|(\d+):(\d\d):(\d\d(?:\.\d+)?))", re.M)
_READ = 1 << 20  # bytes asked per read; the file hands over what ffmpeg has written
_POLL = 0.005  # seconds between looks at a file that has not grown


class StemDeck:
    """The decoded stems of one clip: ``pcm[frame, stem]`` int16, filled in as ffmpeg goes.

    ``start()`` begins decoding on a worker thread; ``wait_frames`` blocks until enough
    has arrived (any thread); ``close()`` kills ffmpeg.  Readers only look below
    ``frames_decoded``, which only grows, so no lock is needed to read samples.
    """

    def __init__(self, paths: Mapping[str, str | os.PathLike[str]], rate: int = PREVIEW_RATE) -> None:
        if not paths:
            raise ValueError("no stems")
        self.names = list(paths)
        self.paths = [Path(p) for p in paths.values()]
        self.rate = rate
        self.pcm = np.zeros((0, len(self.names)), dtype=np.int16)
        self.frames_decoded = 0
        self.duration: float | None = None  # seconds; the longest stem, known once ffmpeg has read the inputs
        self.complete = False
        self.error: str | None = None
        self._changed = threading.Condition()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._drainer: threading.Thread | None = None
        self._raw: Path | None = None  # the file ffmpeg writes, while it has a name
        self._reader = None
        self._closed = False

    @property
    def frames(self) -> int:
        """Total frames once the duration is known (0 before)."""
        return len(self.pcm)

    def command(self) -> list[str]:
        n = len(self.paths)
        command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "info"]
        for path in self.paths:
            command += ["-i", str(path)]
        pads = "".join(f"[{i}:a:0]aformat=sample_fmts=s16:channel_layouts=mono:sample_rates={self.rate},apad[s{i}];"
                       for i in range(n))
        merge = "".join(f"[s{i}]" for i in range(n)) + (f"amerge=inputs={n}" if n > 1 else "anull")
        return command + ["-filter_complex", pads + merge, "-f", "s16le", "-y", str(self._raw)]

    # ------------------------------------------------------------------ decoding
    def start(self) -> None:
        """Start decoding (returns at once)."""
        kwargs = {"creationflags": subprocess.CREATE_NO_WINDOW} if os.name == "nt" else {}
        handle, name = tempfile.mkstemp(prefix="sonic-studio-stems-", suffix=".pcm")
        os.close(handle)
        self._raw = Path(name)
        self._reader = open(self._raw, "rb", buffering=0)  # noqa: SIM115 - closed by the decode thread
        try:
            self._proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, bufsize=0, **kwargs)
        except OSError as exc:
            self._forget_raw()
            raise DecodeError(f"Cannot run ffmpeg: {exc}") from None
        thread = threading.Thread(target=self._run, name="stem-deck", daemon=True)
        thread.start()
        self._thread = thread  # only once started: close() on the UI thread may join it at any moment

    def _run(self) -> None:
        proc, reader = self._proc, self._reader
        assert proc is not None and proc.stderr is not None and reader is not None
        banner: list[str] = []
        try:
            durations = self._read_banner(proc, banner)
            known = [d for d in durations if d is not None]
            if len(durations) != len(self.paths) or not known:
                raise DecodeError(_banner_problem(banner, self.paths))
            frames = math.ceil(max(known) * self.rate)
            pcm = np.zeros((frames, len(self.names)), dtype=np.int16)
            with self._changed:
                self.duration, self.pcm = frames / self.rate, pcm
                self._changed.notify_all()
            view = memoryview(pcm.reshape(-1).view(np.uint8))
            frame_bytes = 2 * len(self.names)
            have = 0
            while have < len(view) and not self._closed:
                got = reader.readinto(view[have: have + _READ])
                if not got:
                    if proc.poll() is not None and not reader.readinto(view[have: have + 1]):
                        break  # ffmpeg ended before the longest stem did: an error
                    time.sleep(_POLL)
                    continue
                if have == 0 and os.name != "nt":
                    self._forget_raw()  # ffmpeg has it open now: the name is no longer needed
                have += got
                with self._changed:
                    self.frames_decoded = have // frame_bytes
                    self._changed.notify_all()
            if have < len(view) and not self._closed:
                proc.wait()
                if self._drainer is not None:
                    self._drainer.join(timeout=2)
                raise DecodeError(_decode_problem("".join(banner)))
        except DecodeError as exc:
            self.error = str(exc)
        finally:
            if proc.poll() is None:
                proc.kill()  # the padded inputs never end by themselves
            proc.wait()
            reader.close()
            self._forget_raw()
            with self._changed:
                self.complete = True
                self._changed.notify_all()

    def _read_banner(self, proc: subprocess.Popen[bytes], banner: list[str]) -> list[float | None]:
        """Each input's duration, read from ffmpeg's banner; then stderr is drained on a thread
        so a chatty file can never fill the pipe and stall the decoder."""
        durations: list[float | None] = []
        for raw in proc.stderr:  # type: ignore[union-attr]
            line = raw.decode("utf-8", "replace")
            banner.append(line)
            if m := _DURATION.match(line):
                durations.append(None if m[1] == "N/A" else int(m[2]) * 3600 + int(m[3]) * 60 + float(m[4]))
            if line.startswith(("Stream mapping", "Output #")):
                break
        self._drainer = threading.Thread(target=_drain, args=(proc, banner), daemon=True, name="stem-deck-stderr")
        self._drainer.start()
        return durations

    # ------------------------------------------------------------------ reading
    def wait_frames(self, frames: int, timeout: float | None = None) -> bool:
        """Block until ``frames`` frames are decoded (or decoding ended); True if they are."""
        with self._changed:
            self._changed.wait_for(lambda: self.complete or (self.duration is not None
                                                             and self.frames_decoded >= min(frames, self.frames)),
                                   timeout)
            return self.duration is not None and self.frames_decoded >= min(frames, self.frames)

    def wait_duration(self, timeout: float | None = None) -> float | None:
        with self._changed:
            self._changed.wait_for(lambda: self.complete or self.duration is not None, timeout)
            return self.duration

    def levels(self, seconds: float, window: float = 0.05) -> dict[str, float]:
        """Each stem's RMS level (0..1 of full scale) over ``window`` seconds ending at ``seconds``."""
        end = min(int(seconds * self.rate), self.frames_decoded)
        start = max(0, end - int(window * self.rate))
        if end <= start:
            return dict.fromkeys(self.names, 0.0)
        block = self.pcm[start:end].astype(np.float32) / 32768.0
        rms = np.sqrt(np.mean(block * block, axis=0))
        return {name: float(level) for name, level in zip(self.names, rms)}

    def stem(self, name: str) -> np.ndarray:
        """One stem's decoded samples so far, float32 in [-1, 1)."""
        return self.pcm[: self.frames_decoded, self.names.index(name)].astype(np.float32) / 32768.0

    def _forget_raw(self) -> None:
        if self._raw is not None:
            self._raw.unlink(missing_ok=True)
            self._raw = None

    def close(self) -> None:
        self._closed = True
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def _drain(proc: subprocess.Popen[bytes], lines: list[str]) -> None:
    for raw in proc.stderr:  # type: ignore[union-attr]
        lines.append(raw.decode("utf-8", "replace"))
        if len(lines) > 400:
            del lines[100:200]


def _banner_problem(banner: list[str], paths: list[Path]) -> str:
    text = "".join(banner)
    for path in paths:
        if f"{path}: No such file" in text or (not path.exists()):
            return f"The stem file {path.name} is missing (was it moved or deleted?)."
    if "Invalid data found" in text:
        return "One of the stem files is not audio ffmpeg can read."
    return "The stems' length could not be read from their files."


def _decode_problem(stderr: str) -> str:
    last = next((ln.strip() for ln in reversed(stderr.splitlines()) if ln.strip()), "unknown error")
    return f"The stems could not be decoded: {last}"
