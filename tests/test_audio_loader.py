"""Streaming decode and the progressive, cancellable PeakLoader."""

from __future__ import annotations

import subprocess
import threading
import time

import numpy as np
import pytest

from sonic_studio.audio.decode import DecodeCancelled, DecodeError, PcmStream, decode_peaks
from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.loader import PeakLoader
from sonic_studio.audio.peak_cache import PeakCache
from sonic_studio.audio.peaks import build_pyramid
from sonic_studio.emulator.synth import song_mp3


@pytest.fixture
def song(tmp_path):
    path = tmp_path / "song.mp3"
    path.write_bytes(song_mp3(31, 40.0))
    return path


@pytest.fixture
def long_song(tmp_path):
    path = tmp_path / "long.mp3"
    path.write_bytes(song_mp3(32, 240.0))
    return path


def bare_pcm(path) -> np.ndarray:
    out = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "8000",
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<i2")


def assert_same_pyramid(a, b):
    assert a.n_samples == b.n_samples and len(a.levels) == len(b.levels)
    for (a_min, a_max), (b_min, b_max) in zip(a.levels, b.levels):
        np.testing.assert_array_equal(a_min, b_min)
        np.testing.assert_array_equal(a_max, b_max)


def test_streamed_peaks_equal_peaks_of_the_whole_decode(song):
    partials = []
    pyr = decode_peaks(PcmStream(song), on_partial=partials.append, partial_interval=0.0)
    assert pyr.complete and pyr.duration == pytest.approx(40.0, abs=0.1)
    assert_same_pyramid(pyr, build_pyramid(bare_pcm(song)))
    assert partials, "no partial snapshot"
    assert all(not p.complete for p in partials)
    assert [p.n_samples for p in partials] == sorted(p.n_samples for p in partials)
    assert partials[0].duration_hint == pytest.approx(40.0, abs=0.2)  # known before decoding ends


def test_decode_error_is_readable(tmp_path):
    fake = tmp_path / "notes.mp3"
    fake.write_text("not audio at all\n" * 50)
    with pytest.raises(DecodeError, match=r"^notes.mp3 is not an audio file ffmpeg can read.$"):
        decode_peaks(PcmStream(fake))
    with pytest.raises(DecodeError, match="does not exist"):
        decode_peaks(PcmStream(tmp_path / "missing.mp3"))


def test_cancel_kills_ffmpeg(long_song):
    stream = PcmStream(long_song)
    chunks = iter(stream)
    next(chunks)
    stream.cancel()
    with pytest.raises(DecodeCancelled):
        for _ in chunks:
            pass
    assert stream._proc.poll() is not None  # reaped, not orphaned


def test_loader_progressive_then_finished_then_cached(qtbot, song, tmp_path):
    loader = PeakLoader(PeakCache(tmp_path / "cache"), partial_interval=0.0)
    seen = {"started": [], "partial": [], "finished": [], "failed": []}
    for name in seen:
        getattr(loader, name).connect(seen[name].append)
    with qtbot.waitSignal(loader.finished, timeout=20_000):
        loader.load(song)
    assert seen["started"] == [str(song)] and not seen["failed"]
    assert seen["partial"] and all(not p.complete for p in seen["partial"])
    (pyr,) = seen["finished"]
    assert_same_pyramid(pyr, build_pyramid(bare_pcm(song)))
    assert not loader.is_loading()
    loader.shutdown()  # joins the worker, which writes the cache after emitting

    # Opened again: answered synchronously from the disk cache, no decode.
    again = PeakLoader(PeakCache(tmp_path / "cache"))
    got, starts = [], []
    again.finished.connect(got.append)
    again.started.connect(starts.append)
    t0 = time.perf_counter()
    again.load(song)
    assert got and time.perf_counter() - t0 < 0.5
    assert not starts, "decoded a cached clip"
    assert_same_pyramid(got[0], pyr)

    # Changing the file invalidates the entry.
    song.write_bytes(song_mp3(33, 20.0))
    with qtbot.waitSignal(again.started, timeout=5_000):
        again.load(song)
    with qtbot.waitSignal(again.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0].duration == pytest.approx(20.0, abs=0.1)
    again.shutdown()


def test_new_load_cancels_the_previous_one(qtbot, song, long_song, tmp_path):
    loader = PeakLoader(None)
    finished, partial = [], []
    loader.finished.connect(finished.append)
    loader.partial.connect(partial.append)
    loader.load(long_song)
    first_job = loader._job
    qtbot.waitUntil(lambda: first_job.stream is not None and first_job.stream._proc is not None, timeout=5_000)
    with qtbot.waitSignal(loader.finished, timeout=20_000):
        loader.load(song)
    qtbot.waitUntil(lambda: first_job.stream._proc.poll() is not None, timeout=5_000)  # ffmpeg killed
    qtbot.wait(100)  # anything still queued from the old job would arrive now
    assert len(finished) == 1 and finished[0].duration == pytest.approx(40.0, abs=0.1)
    assert all(p.duration < 100 for p in partial[-1:])  # nothing from the 4-minute clip after the switch
    loader.shutdown()
    assert all(not t.is_alive() for t in loader._threads)


def test_loading_the_same_clip_twice_does_not_restart(qtbot, song):
    loader = PeakLoader(None)
    starts = []
    loader.started.connect(starts.append)
    with qtbot.waitSignal(loader.finished, timeout=20_000):
        loader.load(song)
        loader.load(song)
    assert len(starts) == 1
    loader.shutdown()


def test_loader_reports_failures(qtbot, tmp_path):
    fake = tmp_path / "readme.mp3"
    fake.write_text("# not audio\n" * 40)
    loader = PeakLoader(None)
    with qtbot.waitSignal(loader.failed, timeout=10_000) as blocker:
        loader.load(fake)
    assert blocker.args == ["readme.mp3 is not an audio file ffmpeg can read."]
    with qtbot.waitSignal(loader.failed, timeout=10_000) as blocker:
        loader.load(tmp_path / "nope.mp3")
    assert "nope.mp3" in blocker.args[0]
    loader.shutdown()


@pytest.fixture
def decodes(monkeypatch):
    """Every ffmpeg decode started, by path."""
    started = []
    real = PcmStream._start

    def counting(self):
        started.append(self.path)
        return real(self)

    monkeypatch.setattr(PcmStream, "_start", counting)
    return started


def test_views_showing_one_clip_share_one_decode(qtbot, long_song, tmp_path, decodes):
    cache = PeakCache(tmp_path / "cache")
    bar, persona, extend = (PeakLoader(cache, partial_interval=0.0) for _ in range(3))
    got = {name: [] for name in ("bar", "persona", "extend")}
    for name, loader in zip(got, (bar, persona, extend)):
        loader.finished.connect(got[name].append)
    bar.load(long_song)
    qtbot.waitUntil(lambda: bar._job.latest is not None, timeout=10_000)  # decoding, partly drawn
    late = []
    persona.partial.connect(late.append)
    persona.load(long_song)
    assert late, "a view joining a running decode got nothing to draw at once"
    extend.load(long_song)
    persona.cancel()  # one view moves on: the others keep their decode
    qtbot.waitUntil(lambda: bool(got["bar"] and got["extend"]), timeout=30_000)
    assert decodes == [long_song]
    assert not got["persona"]
    assert_same_pyramid(got["bar"][0], got["extend"][0])
    assert_same_pyramid(got["bar"][0], build_pyramid(bare_pcm(long_song)))
    for loader in (bar, persona, extend):
        loader.shutdown()
    # Afterwards every view is answered from the cache.
    again = PeakLoader(cache)
    hits = []
    again.finished.connect(hits.append)
    again.load(long_song)
    assert hits and decodes == [long_song]


def test_a_shared_decode_stops_when_the_last_view_leaves(qtbot, long_song, tmp_path, decodes, monkeypatch):
    # The reader holds after its first chunk until released, so ffmpeg is still running
    # (blocked on a full pipe) however fast this machine decodes the song.
    release = threading.Event()
    real_iter = PcmStream.__iter__

    def held(self):
        for index, chunk in enumerate(real_iter(self)):
            yield chunk
            if index == 0:
                release.wait(10)

    monkeypatch.setattr(PcmStream, "__iter__", held)
    first, second = PeakLoader(None), PeakLoader(None)
    first.load(long_song)
    second.load(long_song)
    job = first._job
    assert second._job is job
    qtbot.waitUntil(lambda: job.stream is not None and job.stream._proc is not None, timeout=5_000)
    first.cancel()
    qtbot.wait(200)
    assert not job.cancelled and job.stream._proc.poll() is None  # still decoding for the second view
    second.cancel()
    qtbot.waitUntil(lambda: job.stream._proc.poll() is not None, timeout=5_000)  # ffmpeg killed
    assert job.cancelled
    release.set()
    finished = []
    third = PeakLoader(None)
    third.finished.connect(finished.append)
    with qtbot.waitSignal(third.finished, timeout=30_000):
        third.load(long_song)  # a fresh decode, not the cancelled one
    assert len(decodes) == 2 and finished[0].complete
    for loader in (first, second, third):
        loader.shutdown()
