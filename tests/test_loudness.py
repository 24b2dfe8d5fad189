"""EBU R128 loudness: measured right on signals of known level, cached per file version, matched gain."""

from __future__ import annotations

import os
import wave

import numpy as np
import pytest

from sonic_studio.audio import loudness
from sonic_studio.audio.loudness import Loudness, LoudnessCache, match_gain_db
from sonic_studio.emulator import synth

SR = 48000


def _wav(path, left: np.ndarray, right: np.ndarray | None = None):
    channels = np.stack([left, left if right is None else right], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(channels, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _sine(dbfs: float, seconds: float = 8.0, hz: float = 1000.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * hz * t)


@pytest.mark.parametrize("dbfs", [-23.0, -14.0, -30.0])
def test_stereo_1khz_sine_measures_its_level(tmp_path, dbfs):
    # EBU Tech 3341 case 1/2: a stereo 1 kHz sine at X dBFS per channel is X LUFS.
    result = loudness.measure(_wav(tmp_path / "sine.wav", _sine(dbfs)))
    assert result.lufs == pytest.approx(dbfs, abs=0.5)
    assert result.peak_dbfs == pytest.approx(dbfs, abs=0.2)
    assert result.label() == f"{result.lufs:.1f} LUFS"


def test_gain_matches_a_quieter_song_to_a_louder_one(tmp_path):
    song = synth.render(3, 20.0)  # peak 0.9: music, not a test tone
    loud = _wav(tmp_path / "a.wav", song * 0.8)
    quiet = _wav(tmp_path / "b.wav", song * 0.8 * 10 ** (-7.5 / 20))
    a, b = loudness.measure(loud), loudness.measure(quiet)
    assert a.lufs - b.lufs == pytest.approx(7.5, abs=0.5)
    gain = match_gain_db(a, b)
    assert gain == pytest.approx(7.5, abs=0.5)
    matched = _wav(tmp_path / "b-matched.wav", song * 0.8 * 10 ** (-7.5 / 20) * loudness.db_to_linear(gain))
    assert loudness.measure(matched).lufs == pytest.approx(a.lufs, abs=0.5)
    assert match_gain_db(b, a) == pytest.approx(-7.5, abs=0.5)


def test_a_boost_stops_short_of_clipping():
    reference = Loudness(lufs=-9.0, peak_dbfs=-0.5)
    other = Loudness(lufs=-15.0, peak_dbfs=-3.0)  # +6 dB would put its peak at +3 dBFS
    assert match_gain_db(reference, other) == pytest.approx(2.0)
    assert match_gain_db(reference, Loudness(None, None)) == 0.0


def test_silence_is_silent_not_a_number(tmp_path):
    result = loudness.measure(_wav(tmp_path / "silence.wav", np.zeros(SR * 3)))
    assert result.lufs is None and result.label() == "silent"


def test_unreadable_file_gives_a_sentence(tmp_path):
    bad = tmp_path / "not-audio.mp3"
    bad.write_bytes(b"hello, not audio" * 100)
    with pytest.raises(loudness.LoudnessError, match="Could not measure the loudness of not-audio.mp3"):
        loudness.measure(bad)


def test_cache_measures_each_file_version_once(tmp_path, monkeypatch):
    path = _wav(tmp_path / "clip.wav", _sine(-20.0, 4.0))
    calls = []
    real = loudness.measure
    monkeypatch.setattr(loudness, "measure", lambda p: calls.append(p) or real(p))
    cache = LoudnessCache(tmp_path / "cache")
    first = cache.loudness(path)
    assert LoudnessCache(tmp_path / "cache").loudness(path) == first  # a new session reads the entry
    assert len(calls) == 1 and first.lufs == pytest.approx(-20.0, abs=0.5)
    _wav(path, _sine(-26.0, 4.0))  # the file is rewritten: measure again
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert cache.loudness(path).lufs == pytest.approx(-26.0, abs=0.5)
    assert len(calls) == 2


def test_damaged_cache_entry_is_measured_again(tmp_path):
    path = _wav(tmp_path / "clip.wav", _sine(-18.0, 4.0))
    cache = LoudnessCache(tmp_path / "cache")
    cache.loudness(path)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_text('{"v": 1, "lufs": "loud", "peak": null}')
    assert cache.loudness(path).lufs == pytest.approx(-18.0, abs=0.5)
