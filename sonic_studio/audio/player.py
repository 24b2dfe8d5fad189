"""Playback of local files: a small wrapper over QMediaPlayer + QAudioOutput.

Modelled on MusicBrainz Picard's player: QtMultimedia is imported *guarded and late*
(it costs start-up time, and on Linux it fails outright without ``libpulse0``), so
the app keeps working with playback disabled and ``unavailable_reason`` saying why.
With no audio output device (headless boxes, CI) QtMultimedia still plays - silently,
with a real advancing position - and ``no_output_device`` lets the UI say so.

On top of QMediaPlayer it adds what the studio needs:

- seconds (float) instead of milliseconds, states as plain strings;
- a smooth ``positionChanged`` (~60 Hz while playing) for the waveform playhead.
  QMediaPlayer only reports its position every ~50 ms (and ``position()`` only
  changes then), so between reports the position is extrapolated from the wall
  clock, capped so a stalled stream cannot run away;
- :meth:`Player.play_range` for the persona audition: plays ``[start, end)`` and stops
  (or loops) at ``end`` within one tick (~8 ms) of the extrapolated position;
- a loop region (:meth:`Player.set_loop`): while playing inside it, playback jumps back
  to its start at its end, and the rest of the clip stays reachable by seeking;
- ``load(path, start=…)``: QMediaPlayer drops a seek made before the new file is
  loaded, so the start position (and a play) are kept and applied once it is - what
  A/B needs to continue another take at the same position;
- a gain in dB on top of the volume (:meth:`Player.set_gain_db`), for loudness-matched A/B.

Every command to QMediaPlayer/QAudioOutput (play, pause, stop, seek, source, volume)
is *queued* through the Qt event loop instead of called from Python.  A direct call
holds the GIL while the FFmpeg backend takes its internal locks; its audio thread
meanwhile holds such a lock and waits for the GIL to ask PySide whether a virtual
method is overridden in Python - a deadlock we caught with gdb in ``stop()``
(intermittent, about one in fifty stops).  Dispatched by the event loop, the call runs
in C++ with the GIL released.  Commands therefore take effect on the next event loop
turn; readouts here account for that (the position of a pending seek, the intended
play/pause state for :meth:`Player.toggle`).

Only local files are played: provider URLs expire, the library keeps a copy.
"""

from __future__ import annotations

import os
import time
from functools import cache
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QTimer, QUrl, Signal, Slot

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"
_TICK_MS = 8
_EMIT_INTERVAL = 0.016  # seconds between playhead signals while playing (~60 Hz)
_MAX_EXTRAPOLATION = 0.25  # seconds past the last report we trust the wall clock
_END_SLACK = 0.004  # seconds: a position this close to the range end counts as the end
_SEEK_SETTLE = 0.3  # seconds after a seek in which reports far from its target are stale


@cache
def _multimedia() -> tuple[ModuleType | None, str | None]:
    """(QtMultimedia module, None) or (None, reason it cannot load)."""
    try:
        from PySide6 import QtMultimedia
    except ImportError as exc:
        reason = str(exc)
        if "libpulse" in reason:
            reason = ("Playback is off: the system library libpulse0 (PulseAudio client) is missing. "
                      "Install it, e.g. 'sudo apt install libpulse0'.")
        else:
            reason = f"Playback is off: Qt Multimedia could not load ({reason})."
        return None, reason
    return QtMultimedia, None


class Player(QObject):
    """One media player for the app; every method is safe to call when unavailable."""

    positionChanged = Signal(float)  # seconds
    durationChanged = Signal(float)  # seconds
    stateChanged = Signal(str)  # "stopped" | "playing" | "paused"
    mediaStatusChanged = Signal(str)  # "none", "loading", "loaded", "buffering", "buffered", "end", "invalid", "stalled"
    outputChanged = Signal()  # audio devices appeared or vanished: re-read no_output_device
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: Path | None = None
        self._range: tuple[float, float, bool] | None = None
        self._last_position = -1.0
        self._last_emit = 0.0
        self._reported = (0.0, time.monotonic())  # last position QMediaPlayer told us, and when
        self._pending_seek: tuple[float, float] | None = None  # (target, when asked)
        self._intent: str | None = None  # a queued play/pause/stop not yet reflected by state()
        self._volume = 1.0
        self._gain_db = 0.0
        self._loop: tuple[float, float] | None = None
        self._loop_prev = -1.0  # position at the last tick: the loop fires when it crosses the end
        self._loading: QUrl | None = None  # a source set but not loaded yet
        self._start_at: float | None = None  # where to start once it is loaded
        self._play_when_loaded = False
        self._player = self._output = self._devices = None
        mm, reason = _multimedia()
        self.unavailable_reason: str | None = reason
        if mm is None:
            return
        self._mm = mm
        self._player = mm.QMediaPlayer(self)
        if not self._player.isAvailable():
            self.unavailable_reason = "Playback is off: no Qt Multimedia backend is available."
            self._player = None
            return
        self._output = mm.QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        self._devices = mm.QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        self._ticker = QTimer(self)
        self._ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._player.positionChanged.connect(self._on_position)
        self._player.durationChanged.connect(lambda ms: self.durationChanged.emit(ms / 1000.0))
        self._player.playbackStateChanged.connect(self._on_state)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(self._on_error)

    # -- availability --------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._player is not None

    @property
    def no_output_device(self) -> bool:
        """True when playback can only be silent (QtMultimedia sees no audio output)."""
        return self.available and not self._mm.QMediaDevices.audioOutputs()

    @property
    def notice(self) -> str | None:
        """A sentence for the player bar when playback is off or silent, else None."""
        if not self.available:
            return self.unavailable_reason
        if self.no_output_device:
            return "No audio output device found: playback runs silently."
        return None

    def _on_outputs_changed(self) -> None:
        # Follow the system default, e.g. when headphones are plugged in.
        _queue(self._output, "setDevice", Q_ARG("QAudioDevice", self._mm.QMediaDevices.defaultAudioOutput()))
        self.outputChanged.emit()

    # -- source ---------------------------------------------------------------------

    @property
    def source(self) -> Path | None:
        return self._source

    def load(self, path: str | os.PathLike[str], start: float = 0.0, play: bool = False) -> None:
        """Load a local audio file (raises ValueError for URLs or missing files), ready at
        ``start`` seconds and playing from there if ``play``."""
        text = os.fspath(path)
        if "://" in text:
            raise ValueError("Only local files can be played; download the clip first.")
        file = Path(text).resolve()
        if not file.is_file():
            raise ValueError(f"{file.name} does not exist.")
        self._range = None
        self._source = file
        url = QUrl.fromLocalFile(str(file))
        self._command("stop", intent=STOPPED)
        self._command("setSource", Q_ARG("QUrl", url))
        if self._player is not None:
            self._loading, self._start_at, self._play_when_loaded = url, start if start > 0 else None, play
            self._reported = (max(0.0, start), time.monotonic())
            self._loop_prev = max(0.0, start)
            if play:
                self._intent = PLAYING
            self._update_position(force=True)

    def unload(self) -> None:
        self._range = None
        self._loading, self._start_at, self._play_when_loaded = None, None, False
        self._source = None
        self._command("stop", intent=STOPPED)
        self._command("setSource", Q_ARG("QUrl", QUrl()))

    def _command(self, name: str, *args, intent: str | None = None) -> None:
        if self._player is not None:
            _queue(self._player, name, *args)
            if intent is not None:
                self._intent = intent
                _queue(self, "_settle_intent")  # runs right after the command

    @Slot()
    def _settle_intent(self) -> None:
        self._intent = None

    # -- transport ------------------------------------------------------------------

    def play(self) -> None:
        if self._source is None:
            return
        if self._loading is not None:  # started with the position once the file is loaded
            self._play_when_loaded, self._intent = True, PLAYING
            return
        self._command("play", intent=PLAYING)

    def pause(self) -> None:
        if self._loading is not None:
            self._play_when_loaded, self._intent = False, PAUSED
            return
        self._command("pause", intent=PAUSED)

    def stop(self) -> None:
        self._range = None
        self._play_when_loaded = False
        self._command("stop", intent=STOPPED)

    def toggle(self) -> None:
        """Play/pause (the Space key); two quick presses cancel out."""
        if self.intended_state() == PLAYING:
            self.pause()
        else:
            self.play()

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds``; leaving the audition range ends the audition."""
        if self._range is not None and not (self._range[0] <= seconds < self._range[1]):
            self._range = None
        self._set_position(seconds)

    def _set_position(self, seconds: float) -> None:
        if self._player is not None:
            ms = max(0, int(round(seconds * 1000)))
            self._loop_prev = ms / 1000.0
            if self._loading is not None:
                self._start_at = ms / 1000.0  # QMediaPlayer would drop it before the file is loaded
            else:
                self._command("setPosition", Q_ARG("qint64", ms))
            now = time.monotonic()
            self._reported = (ms / 1000.0, now)
            self._pending_seek = (ms / 1000.0, now)
            self._update_position(force=True)

    def play_range(self, start: float, end: float, loop: bool = False) -> None:
        """Play exactly ``[start, end)``; then pause back at ``start`` or loop."""
        if end <= start:
            raise ValueError("end must be after start")
        self._range = (start, end, loop)
        self._set_position(start)
        self.play()

    def clear_range(self) -> None:
        """Keep playing past the audition range."""
        self._range = None

    @property
    def playing_range(self) -> tuple[float, float, bool] | None:
        """(start, end, loop) while auditioning a range."""
        return self._range

    def set_loop(self, start: float, end: float) -> None:
        """Loop ``[start, end)``: playback that reaches ``end`` from inside jumps to ``start``."""
        if end <= start:
            raise ValueError("end must be after start")
        self._loop = (start, end)

    def clear_loop(self) -> None:
        self._loop = None

    def loop_region(self) -> tuple[float, float] | None:
        return self._loop

    # -- readouts -------------------------------------------------------------------

    def position(self) -> float:
        """Seconds; while playing, extrapolated between QMediaPlayer's reports."""
        if self._player is None:
            return 0.0
        pos, at = self._reported
        if self.state() == PLAYING:
            pos += min(time.monotonic() - at, _MAX_EXTRAPOLATION) * self._player.playbackRate()
        return pos

    def media_position(self) -> float:
        """QMediaPlayer's own position (seconds), without extrapolation or pending seeks."""
        return self._player.position() / 1000.0 if self._player is not None else 0.0

    def intended_state(self) -> str:
        """The state a command just asked for (queued, or waiting for the file), else ``state()``."""
        return self._intent or self.state()

    def duration(self) -> float:
        return self._player.duration() / 1000.0 if self._player is not None else 0.0

    def state(self) -> str:
        if self._player is None:
            return STOPPED
        s = self._player.playbackState()
        pb = self._mm.QMediaPlayer.PlaybackState
        return PLAYING if s == pb.PlayingState else PAUSED if s == pb.PausedState else STOPPED

    def volume(self) -> float:
        return self._volume

    def set_volume(self, volume: float) -> None:
        """0.0 (silent) .. 1.0 (full), linear."""
        self._volume = min(1.0, max(0.0, float(volume)))
        self._apply_volume()

    def gain_db(self) -> float:
        return self._gain_db

    def set_gain_db(self, gain_db: float) -> None:
        """A gain on top of the volume (loudness matching); the output never exceeds full scale."""
        self._gain_db = float(gain_db)
        self._apply_volume()

    def output_volume(self) -> float:
        """What the audio output is set to: volume × gain (linear, 0..1)."""
        return min(1.0, self._volume * 10 ** (self._gain_db / 20))

    def applied_volume(self) -> float | None:
        """The volume the audio output really has now (None without playback)."""
        return self._output.volume() if self._output is not None else None

    def _apply_volume(self) -> None:
        if self._output is not None:
            _queue(self._output, "setVolume", Q_ARG("float", self.output_volume()))

    # -- QMediaPlayer events --------------------------------------------------------

    def _on_position(self, ms: int) -> None:
        pos, now = ms / 1000.0, time.monotonic()
        if self._pending_seek is not None:
            target, asked = self._pending_seek
            if abs(pos - target) > 0.25 and now - asked < _SEEK_SETTLE:
                return  # reported before the queued seek ran
            self._pending_seek = None
        self._reported = (pos, now)
        self._update_position(force=True)

    def _tick(self) -> None:
        self._update_position()

    def _update_position(self, force: bool = False) -> None:
        """Stop or loop at the range end, else tell the playhead (throttled)."""
        pos = self.position()
        if self._range is not None and self.state() == PLAYING:
            start, end, loop = self._range
            if pos >= end - _END_SLACK:
                self._finish_range(start, end, loop)
                return
        if self._loop is not None and self.state() == PLAYING and self._loading is None:
            start, end = self._loop
            crossed = start <= self._loop_prev < end - _END_SLACK and pos >= end - _END_SLACK
            self._loop_prev = pos
            if crossed:
                self._set_position(start)
                return
        now = time.monotonic()
        if pos != self._last_position and (force or now - self._last_emit >= _EMIT_INTERVAL):
            self._last_position, self._last_emit = pos, now
            self.positionChanged.emit(pos)

    def _finish_range(self, start: float, end: float, loop: bool) -> None:
        if loop:
            self._set_position(start)
            self.play()
            return
        self._range = None
        self.pause()
        self._last_position = end
        self.positionChanged.emit(end)  # show where it stopped, then rewind for a replay
        self._set_position(start)

    def _on_state(self, state) -> None:
        playing = state == self._mm.QMediaPlayer.PlaybackState.PlayingState
        if playing:
            self._ticker.start()
        else:
            self._ticker.stop()
        if self._pending_seek is None:
            self._reported = (self._player.position() / 1000.0, time.monotonic())
        self.stateChanged.emit(self.state())

    def _on_status(self, status) -> None:
        ms = self._mm.QMediaPlayer.MediaStatus
        if self._loading is not None and self._player.source() == self._loading and status in (
                ms.LoadedMedia, ms.BufferedMedia, ms.BufferingMedia, ms.EndOfMedia, ms.InvalidMedia):
            self._started_loading()
        names = {ms.NoMedia: "none", ms.LoadingMedia: "loading", ms.LoadedMedia: "loaded",
                 ms.StalledMedia: "stalled", ms.BufferingMedia: "buffering", ms.BufferedMedia: "buffered",
                 ms.EndOfMedia: "end", ms.InvalidMedia: "invalid"}
        if status == ms.EndOfMedia and self._range is not None:
            # The range ran into the end of the file before a tick saw its end.
            self._finish_range(*self._range)
        self.mediaStatusChanged.emit(names.get(status, "none"))

    def _started_loading(self) -> None:
        """The new file is loaded: go to the start position asked for, and play if asked."""
        start, play = self._start_at, self._play_when_loaded
        self._loading, self._start_at, self._play_when_loaded = None, None, False
        if start is not None:
            self._set_position(start)
        if play:
            self._command("play", intent=PLAYING)
        elif self._intent == PLAYING:
            self._intent = None

    def _on_error(self, _error, message: str) -> None:
        name = self._source.name if self._source else "the clip"
        self.error.emit(f"Cannot play {name}: {message or 'unknown error'}.")


def _queue(target: QObject, slot: str, *args) -> None:
    """Invoke a Qt slot from the event loop (GIL released) - see the module docstring."""
    QMetaObject.invokeMethod(target, slot, Qt.ConnectionType.QueuedConnection, *args)
