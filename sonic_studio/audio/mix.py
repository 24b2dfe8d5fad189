"""Render a mix of stems: per-stem gain, mute and solo, as the stems view plays it.

Solo wins over mute (any soloed stem silences the others, as on a mixing desk).
:func:`render_mix` mixes whole float arrays and only scales the sum down when it would
clip, so one soloed stem comes out unchanged.

:class:`MixRender` is the stems view's player feed: it writes the mix of a
:class:`~sonic_studio.audio.stem_deck.StemDeck` into a WAV file that the app's player
plays while it is still being written.  The file is created at its full length (a
valid header, silence after it) and filled in blocks as the stems decode, starting at
the play position: the first second is there within a few hundred milliseconds and
the player is started then, reading the file far behind the writer.  A mute or solo
while playing writes the new mix over the same file from the play position on, so
playback simply continues and the change is heard as soon as the player reads past
what it had already buffered.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from .decode import DecodeError
from .stem_deck import StemDeck


def render_mix(
    stems: dict[str, np.ndarray],
    *,
    gains: dict[str, float] | None = None,
    muted: set[str] | frozenset[str] = frozenset(),
    soloed: set[str] | frozenset[str] = frozenset(),
) -> np.ndarray:
    """The mix of ``stems`` (all the same rate; shorter ones are padded with silence)."""
    if not stems:
        return np.zeros(0, dtype=np.float32)
    length = max(len(s) for s in stems.values())
    out = np.zeros(length, dtype=np.float32)
    for name, samples in stems.items():
        audible = name in soloed if soloed else name not in muted
        if audible:
            out[: len(samples)] += samples * np.float32((gains or {}).get(name, 1.0))
    peak = float(np.max(np.abs(out))) if length else 0.0
    return out / np.float32(peak) if peak > 1.0 else out


def weights(names: Iterable[str], *, muted: Iterable[str] = (), soloed: Iterable[str] = (),
            gains: dict[str, float] | None = None) -> np.ndarray:
    """One gain per stem (in ``names`` order): 0 for what is not heard."""
    muted, soloed = set(muted), set(soloed)
    return np.array([(gains or {}).get(name, 1.0) * ((name in soloed) if soloed else (name not in muted))
                     for name in names], dtype=np.float32)


def mix_block(pcm: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """int16 frames x stems -> the int16 mono mix (hard-limited: stems of one song sum back
    to the song, which the provider mastered below full scale, so only boosts can clip)."""
    mixed = pcm.astype(np.float32) @ gains
    return np.clip(mixed, -32768, 32767, out=mixed).astype(np.int16)


class PreviewFile:
    """A mono 16-bit WAV of a known length, written in any order (unwritten parts are silent)."""

    HEADER = 44

    def __init__(self, path: str | os.PathLike[str], frames: int, rate: int) -> None:
        self.path = Path(path)
        self.frames, self.rate = frames, rate
        data = frames * 2
        header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data, b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2,
                             2, 16, b"data", data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "w+b", buffering=0)  # noqa: SIM115 - lives as long as the preview
        self._file.write(header)
        self._file.truncate(self.HEADER + data)  # the whole length now: the player never sees an early end
        self._lock = threading.Lock()

    def write(self, frame: int, samples: np.ndarray) -> None:
        with self._lock:
            self._file.seek(self.HEADER + 2 * frame)
            self._file.write(samples.astype("<i2", copy=False).tobytes())

    def read(self) -> np.ndarray:
        """The whole mix as float32 (tests, export)."""
        with self._lock:
            self._file.seek(self.HEADER)
            raw = self._file.read(self.frames * 2)
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0

    def close(self) -> None:
        self._file.close()


class MixRender:
    """Writes ``deck``'s mix with ``gains`` into ``file``, from ``start`` seconds on (then the
    part before it), on a worker thread.  ``first_second`` resolves once the second after
    ``start`` is written, ``finished`` when all of it is (both carry the deck's error, if any)."""

    FIRST = 1.0  # seconds written before anything else, so playback can start
    BLOCK = 4.0  # at most this much per later write: a cancel is seen between blocks

    def __init__(self, deck: StemDeck, file: PreviewFile, gains: np.ndarray, start: float = 0.0) -> None:
        self.deck, self.file, self.gains = deck, file, gains
        self.start_frame = min(max(0, int(start * deck.rate)), file.frames)
        self.first_second: Future[None] = Future()
        self.finished: Future[None] = Future()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stem-mix", daemon=True)

    def start(self) -> MixRender:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop after the current block (returns once the thread has ended)."""
        self._cancelled.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()
        for future in (self.first_second, self.finished):
            if not future.done():
                future.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _run(self) -> None:
        deck, rate = self.deck, self.deck.rate
        first_end = min(self.start_frame + int(self.FIRST * rate), self.file.frames)
        try:
            for begin, end in ((self.start_frame, self.file.frames), (0, self.start_frame)):
                at = begin
                while at < end and not self._cancelled.is_set():
                    wanted = min(end, at + int(self.BLOCK * rate))
                    goal = first_end if at < first_end else min(wanted, at + rate // 4)
                    deck.wait_frames(goal)
                    if deck.error:
                        raise DecodeError(deck.error)
                    upto = min(wanted, deck.frames_decoded)
                    if upto <= at:
                        if deck.complete:
                            break  # shorter than its banner said: the rest stays silent
                        continue
                    self.file.write(at, mix_block(deck.pcm[at:upto], self.gains))
                    at = upto
                    if at >= first_end and not self.first_second.done():
                        self.first_second.set_result(None)
            if not self._cancelled.is_set():
                if not self.first_second.done():
                    self.first_second.set_result(None)
                self.finished.set_result(None)
        except Exception as exc:  # noqa: BLE001 - handed to whoever awaits the render
            for future in (self.first_second, self.finished):
                if not future.done():
                    future.set_exception(exc)
