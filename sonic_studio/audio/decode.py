"""Streaming decode with ffmpeg: a file in, mono int16 chunks out, peaks as they come.

ffmpeg (the imageio-ffmpeg binary) decodes straight to mono s16le at a low rate over
a pipe; we read whatever it has written so far, so the first chunk arrives a few
milliseconds after start and memory stays flat (no whole-song buffer; pydub would
hold ~85 MB for an 8-minute stereo song, stack-notes §4).  :func:`decode_peaks` is the
whole pipeline, thread-agnostic: the Qt loader runs it on a worker thread, the
benchmark and CLI call it directly.

ffmpeg logs at level *info* so its input banner (with the container's duration)
arrives on stderr before the first samples; a small thread drains stderr so a
chatty damaged file can never fill the pipe and stall the decoder.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .ffmpeg import ffmpeg_exe
from .peaks import DEFAULT_BUCKET, DEFAULT_SAMPLE_RATE, PeakBuilder, PeakPyramid
from .probe import parse_input_info

_READ_SIZE = 1 << 16  # bytes per read; ffmpeg's pipe writes are 32 KB, so reads don't wait


class DecodeError(Exception):
    """ffmpeg could not decode the file; ``str()`` is readable."""


class DecodeCancelled(Exception):
    """The decode was cancelled (another clip was chosen, the window closed)."""


class PcmStream:
    """One ffmpeg process decoding ``path`` to mono int16 at ``sample_rate``.

    Iterate it for chunks (any length).  :meth:`cancel` may be called from any thread;
    it kills ffmpeg and makes the iteration end with :class:`DecodeCancelled`.
    """

    def __init__(self, path: str | os.PathLike[str], sample_rate: int = DEFAULT_SAMPLE_RATE) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.duration_hint: float | None = None
        self._stderr_lines: list[str] = []
        self._cancelled = threading.Event()
        self._banner_read = threading.Event()  # stderr got past the input description
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr_thread: threading.Thread | None = None

    def command(self) -> list[str]:
        return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-v", "info", "-i", str(self.path),
                "-map", "0:a:0", "-ac", "1", "-ar", str(self.sample_rate), "-f", "s16le", "-"]

    def _start(self) -> subprocess.Popen[bytes]:
        kwargs = {}
        if os.name == "nt":  # no console window flashing up for each decode
            kwargs["creationflags"] = subprocess.CREATE_NO_WINDOW
        try:
            proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, bufsize=0, **kwargs)
        except OSError as exc:
            raise DecodeError(f"Cannot run ffmpeg: {exc}") from None
        self._proc = proc
        self._stderr_thread = threading.Thread(target=self._drain_stderr, args=(proc,), daemon=True,
                                               name="ffmpeg-stderr")
        self._stderr_thread.start()
        if self._cancelled.is_set():  # cancel() raced with start
            proc.kill()
        return proc

    def _drain_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        try:
            for raw in proc.stderr:  # type: ignore[union-attr]
                line = raw.decode("utf-8", "replace")
                self._stderr_lines.append(line)
                if len(self._stderr_lines) > 200:  # keep the banner and the latest errors
                    del self._stderr_lines[50:100]
                if not self._banner_read.is_set():
                    stripped = line.lstrip()
                    if stripped.startswith("Duration:"):
                        self.duration_hint = parse_input_info(line).duration
                        self._banner_read.set()
                    elif stripped.startswith(("Stream mapping", "Output #")):
                        self._banner_read.set()  # a container without a duration
        finally:
            self._banner_read.set()

    def wait_for_duration_hint(self, timeout: float = 0.05) -> float | None:
        """The container's duration once ffmpeg has described the input.

        ffmpeg prints that description before it writes any samples, so after the
        first chunk this returns at once; the timeout only covers thread scheduling.
        """
        self._banner_read.wait(timeout)
        return self.duration_hint

    def __iter__(self) -> Iterator[np.ndarray]:
        proc = self._start()
        carry = b""
        eof = False
        try:
            while True:
                data = proc.stdout.read(_READ_SIZE)  # type: ignore[union-attr]
                if not data:
                    eof = True
                    break
                if carry:
                    data = carry + data
                even = len(data) & ~1
                carry = data[even:]
                if even:
                    yield np.frombuffer(data[:even], dtype="<i2")
        finally:
            if not eof and proc.poll() is None:  # the consumer stopped early
                proc.kill()
            returncode = proc.wait()
            if self._stderr_thread is not None:
                self._stderr_thread.join(timeout=2)
        if self._cancelled.is_set():
            raise DecodeCancelled(str(self.path))
        if returncode != 0:
            raise DecodeError(self._error_message())

    def _error_message(self) -> str:
        text = "".join(self._stderr_lines)
        name = self.path.name
        if "No such file or directory" in text:
            return f"{name} does not exist (was it moved or deleted?)."
        if "Permission denied" in text:
            return f"Cannot read {name}: permission denied."
        if "does not contain any stream" in text or "matches no streams" in text:
            return f"{name} has no audio track."
        if "Invalid data found" in text:
            return f"{name} is not an audio file ffmpeg can read."
        last = next((ln.strip() for ln in reversed(self._stderr_lines) if ln.strip()), "unknown error")
        return f"Could not decode {name}: {last}"

    def cancel(self) -> None:
        self._cancelled.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


def decode_peaks(
    stream: PcmStream,
    *,
    bucket: int = DEFAULT_BUCKET,
    on_partial: Callable[[PeakPyramid], None] | None = None,
    partial_interval: float = 0.1,
) -> PeakPyramid:
    """Run ``stream`` to the end and return its complete pyramid.

    ``on_partial`` gets a snapshot as soon as the first samples arrive and then at
    most every ``partial_interval`` seconds (called on this thread).  Raises
    :class:`DecodeError` or :class:`DecodeCancelled`.
    """
    builder = PeakBuilder(stream.sample_rate, bucket)
    next_partial = 0.0
    for chunk in stream:
        builder.feed(chunk)
        if on_partial is not None:
            now = time.monotonic()
            if now >= next_partial and builder.n_samples >= bucket:
                builder.duration_hint = stream.wait_for_duration_hint()
                on_partial(builder.snapshot())
                next_partial = now + partial_interval
    builder.duration_hint = stream.duration_hint
    return builder.finish()
