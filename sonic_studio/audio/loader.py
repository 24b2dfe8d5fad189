"""Progressive, cancellable waveform loading for the UI.

:class:`PeakLoader` decodes one clip at a time on a worker thread (ffmpeg does the
work in its own process; the thread only reads the pipe and reduces chunks), and
reports on the UI thread through Qt signals: ``partial`` snapshots while decoding (the
first as soon as samples arrive, then at most every ``partial_interval``),
``finished`` with the complete pyramid, or ``failed`` with a readable message.

Loading another clip cancels the current one (ffmpeg is killed at once) - the
FeelUOwn rule "a new named task replaces the old one".  Every job carries a token;
signals from a superseded job that were already queued are dropped, so a slow old clip
can never paint over the new one.  A clip found in the :class:`PeakCache` is answered
synchronously from :meth:`PeakLoader.load`, so connect the signals before loading.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from .decode import DecodeCancelled, DecodeError, PcmStream, decode_peaks
from .peak_cache import FileStamp, PeakCache
from .peaks import DEFAULT_BUCKET, DEFAULT_SAMPLE_RATE, PeakPyramid


class _Relay(QObject):
    """Signals emitted from the worker thread; queued to the loader on the UI thread."""

    partial = Signal(object, object)  # token, PeakPyramid
    finished = Signal(object, object)  # token, PeakPyramid
    failed = Signal(object, str)  # token, message


class _Job:
    def __init__(self, token: int, path: Path) -> None:
        self.token = token
        self.path = path
        self.stream: PcmStream | None = None
        self.cancelled = False
        self.thread: threading.Thread | None = None

    def cancel(self) -> None:
        self.cancelled = True
        if self.stream is not None:
            self.stream.cancel()


class PeakLoader(QObject):
    """Loads peak pyramids for one view at a time; see the module docstring."""

    started = Signal(str)  # path, decoding begins (not emitted for cache hits)
    partial = Signal(object)  # PeakPyramid with complete=False
    finished = Signal(object)  # complete PeakPyramid
    failed = Signal(str)  # readable message

    def __init__(
        self,
        cache: PeakCache | None = None,
        *,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        bucket: int = DEFAULT_BUCKET,
        partial_interval: float = 0.1,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.sample_rate = sample_rate
        self.bucket = bucket
        self.partial_interval = partial_interval
        self._tokens = itertools.count(1)
        self._job: _Job | None = None
        self._threads: list[threading.Thread] = []
        self._relay = _Relay()
        self._relay.partial.connect(self._on_partial)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)

    @property
    def current_path(self) -> Path | None:
        return self._job.path if self._job is not None else None

    def is_loading(self) -> bool:
        return self._job is not None

    def load(self, path: str | os.PathLike[str]) -> None:
        """Show ``path``: from the cache at once, or decode it progressively.

        Loading the clip that is already loading is a no-op; any other clip cancels
        the current job.
        """
        path = Path(path)
        if self._job is not None and self._job.path == path:
            return
        self.cancel()
        if self.cache is not None:
            cached = self.cache.load(path, self.sample_rate, self.bucket)
            if cached is not None:
                self.finished.emit(cached)
                return
        job = _Job(next(self._tokens), path)
        self._job = job
        job.thread = threading.Thread(target=self._run, args=(job,), daemon=True, name="peak-loader")
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(job.thread)
        self.started.emit(str(path))
        job.thread.start()

    def cancel(self) -> None:
        """Stop the current job (kills ffmpeg); nothing more is emitted for it."""
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def shutdown(self, timeout: float = 2.0) -> None:
        """Cancel and wait for worker threads (call when the window closes)."""
        self.cancel()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    # -- worker thread ------------------------------------------------------------

    def _run(self, job: _Job) -> None:
        try:
            stamp = FileStamp(job.path)
        except OSError as exc:
            self._relay.failed.emit(job.token, f"Cannot open {job.path.name}: {exc.strerror or exc}.")
            return
        stream = PcmStream(job.path, self.sample_rate)
        job.stream = stream
        if job.cancelled:  # cancel() ran before the stream existed
            return
        try:
            pyramid = decode_peaks(
                stream,
                bucket=self.bucket,
                on_partial=lambda snap: self._relay.partial.emit(job.token, snap),
                partial_interval=self.partial_interval,
            )
        except DecodeCancelled:
            return
        except DecodeError as exc:
            self._relay.failed.emit(job.token, str(exc))
            return
        # Emit first: the cache write must not delay the picture.
        self._relay.finished.emit(job.token, pyramid)
        if self.cache is not None and pyramid.n_samples:
            self.cache.store(stamp, pyramid)

    # -- UI thread ----------------------------------------------------------------

    def _current(self, token: int) -> bool:
        return self._job is not None and self._job.token == token

    @Slot(object, object)
    def _on_partial(self, token: int, pyramid: PeakPyramid) -> None:
        if self._current(token):
            self.partial.emit(pyramid)

    @Slot(object, object)
    def _on_finished(self, token: int, pyramid: PeakPyramid) -> None:
        if self._current(token):
            self._job = None
            self.finished.emit(pyramid)

    @Slot(object, str)
    def _on_failed(self, token: int, message: str) -> None:
        if self._current(token):
            self._job = None
            self.failed.emit(message)
