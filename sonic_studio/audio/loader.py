"""Progressive, cancellable waveform loading for the UI.

:class:`PeakLoader` decodes one clip at a time on a worker thread (ffmpeg does the
work in its own process; the thread only reads the pipe and reduces chunks), and
reports on the UI thread through Qt signals: ``partial`` snapshots while decoding (the
first as soon as samples arrive, then at most every ``partial_interval``),
``finished`` with the complete pyramid, or ``failed`` with a readable message.

Loading another clip cancels the current one (ffmpeg is killed at once, unless
another view still shows that clip) - the FeelUOwn rule "a new named task replaces
the old one".  Views showing the same clip share one decode (:class:`_Decode`).  Every job carries a token;
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


class _Decode:
    """One decode of one file, shared by every loader that shows that file meanwhile.

    Selecting a clip made the player bar and each tab that shows a waveform start a
    decode of the same file (three ffmpeg processes per click, issue 16).  Loaders now
    subscribe to the decode in flight for a path; a loader that joins late gets the
    latest snapshot at once.  The decode is cancelled (ffmpeg killed) when its last
    subscriber leaves, and stays findable until its result is in the cache.
    """

    def __init__(self, key: tuple, path: Path) -> None:
        self.key = key
        self.path = path
        self.stream: PcmStream | None = None
        self.thread: threading.Thread | None = None
        self.cancelled = False
        self.latest: PeakPyramid | None = None  # the last snapshot, for late subscribers
        self.result: PeakPyramid | None = None
        self.subscribers: dict[int, _Relay] = {}  # token -> the subscribing loader's relay

    def cancel(self) -> None:
        self.cancelled = True
        if self.stream is not None:
            self.stream.cancel()


# Decodes in flight in this process, by (path, sample rate, bucket); guarded by _LOCK.
_DECODES: dict[tuple, _Decode] = {}
_LOCK = threading.Lock()


def decodes_in_flight() -> int:
    """How many decodes run now (for tests and benchmarks: one per clip, not one per view)."""
    with _LOCK:
        return sum(1 for d in _DECODES.values() if d.result is None and not d.cancelled)


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
        self._job: _Decode | None = None  # the decode this loader follows now
        self._token = 0  # this loader's subscription to it
        self._threads: list[threading.Thread] = []  # decodes this loader started
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
        the current job.  A clip another loader is decoding already is not decoded
        again: this loader follows that decode.
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
        key = (os.path.abspath(path), self.sample_rate, self.bucket)
        token = next(_TOKENS)
        with _LOCK:
            job = _DECODES.get(key)
            joined = job is not None and not job.cancelled
            if not joined:
                job = _Decode(key, path)
                _DECODES[key] = job
            job.subscribers[token] = self._relay
            latest, result = job.latest, job.result
        self._job, self._token = job, token
        self.started.emit(str(path))
        if joined:
            # What the decode has so far, at once (like a cache hit); the rest as it comes.
            if result is not None:
                self._relay.finished.emit(token, result)
            elif latest is not None:
                self._relay.partial.emit(token, latest)
            return
        job.thread = threading.Thread(target=self._run, args=(job,), daemon=True, name="peak-loader")
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(job.thread)
        job.thread.start()

    def cancel(self) -> None:
        """Stop following the current job; nothing more is emitted for it.

        The decode itself stops (ffmpeg is killed) if no other loader follows it.
        """
        job, self._job = self._job, None
        if job is not None:
            _leave(job, self._token)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Cancel and wait for the worker threads nobody else needs (call when the window closes)."""
        self.cancel()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    # -- worker thread ------------------------------------------------------------

    def _run(self, job: _Decode) -> None:
        try:
            try:
                stamp = FileStamp(job.path)
            except OSError as exc:
                _emit(job, "failed", f"Cannot open {job.path.name}: {exc.strerror or exc}.")
                return
            stream = PcmStream(job.path, self.sample_rate)
            job.stream = stream
            if job.cancelled:  # the last subscriber left before the stream existed
                return
            try:
                pyramid = decode_peaks(
                    stream,
                    bucket=self.bucket,
                    on_partial=lambda snap: _emit(job, "partial", snap),
                    partial_interval=self.partial_interval,
                )
            except DecodeCancelled:
                return
            except DecodeError as exc:
                _emit(job, "failed", str(exc))
                return
            # Emit first: the cache write must not delay the picture.  Until the entry is
            # written, a loader that asks for this clip gets this result, not a new decode.
            _emit(job, "finished", pyramid)
            if self.cache is not None and pyramid.n_samples:
                self.cache.store(stamp, pyramid)
        finally:
            with _LOCK:
                if _DECODES.get(job.key) is job:
                    del _DECODES[job.key]

    # -- UI thread ----------------------------------------------------------------

    def _current(self, token: int) -> bool:
        return self._job is not None and self._token == token

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


_TOKENS = itertools.count(1)


def _emit(job: _Decode, signal: str, value) -> None:
    """Send ``value`` to every loader following ``job`` (from the worker thread)."""
    with _LOCK:
        if signal == "partial":
            job.latest = value
        elif signal == "finished":
            job.result = value
        elif signal == "failed" and _DECODES.get(job.key) is job:  # a later load tries again
            del _DECODES[job.key]
        subscribers = list(job.subscribers.items())
    for token, relay in subscribers:
        getattr(relay, signal).emit(token, value)


def _leave(job: _Decode, token: int) -> None:
    with _LOCK:
        job.subscribers.pop(token, None)
        if job.subscribers or job.result is not None:
            return
        if _DECODES.get(job.key) is job:
            del _DECODES[job.key]
    job.cancel()
