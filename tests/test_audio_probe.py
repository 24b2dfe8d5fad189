"""probe(): duration and format without ffprobe, and readable refusals."""

from __future__ import annotations

import subprocess

import pytest

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.probe import parse_input_info, probe
from sonic_studio.core.errors import ValidationError
from sonic_studio.emulator.synth import song_mp3


@pytest.fixture
def mp3(tmp_path):
    path = tmp_path / "song.mp3"
    path.write_bytes(song_mp3(21, 12.0))
    return path


def test_real_mp3(mp3):
    info = probe(mp3, max_seconds=480)
    assert info.codec == "mp3" and info.container == "mp3"
    assert info.duration == pytest.approx(12.0, abs=0.15)
    assert info.sample_rate == 22050 and info.channels == 1
    assert info.size == mp3.stat().st_size


def test_stereo_wav(mp3, tmp_path):
    wav = tmp_path / "stereo.wav"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(mp3), "-ac", "2", "-ar", "44100", str(wav)],
                   check=True)
    info = probe(wav)
    assert (info.codec, info.container, info.sample_rate, info.channels) == ("pcm_s16le", "wav", 44100, 2)
    assert info.duration == pytest.approx(12.0, abs=0.15)


def test_text_file_renamed_mp3_is_rejected(tmp_path):
    fake = tmp_path / "lyrics.mp3"
    fake.write_text("Verse 1\nThis is not a song, only words.\n" * 20)
    with pytest.raises(ValidationError) as err:
        probe(fake)
    assert err.value.field == "file"
    assert str(err.value) == "lyrics.mp3 is not an audio file (ffmpeg cannot read it as audio)."


def test_too_long_file_is_rejected(mp3):
    with pytest.raises(ValidationError) as err:
        probe(mp3, max_seconds=8)
    assert err.value.field == "file"
    assert str(err.value) == "song.mp3 is 0:12 long; the limit is 0:08."
    assert probe(mp3, max_seconds=13).duration == pytest.approx(12.0, abs=0.15)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p, "gone.mp3 does not exist (was it moved or deleted?)."),
        (lambda p: (p.write_bytes(b""), p)[1], "gone.mp3 is empty."),
        (lambda p: (p.mkdir(), p)[1], "gone.mp3 is a folder, not an audio file."),
    ],
)
def test_unusable_paths(tmp_path, make, message):
    path = make(tmp_path / "gone.mp3")
    with pytest.raises(ValidationError) as err:
        probe(path)
    assert str(err.value) == message and err.value.field == "file"


def test_truncated_mp3_header_only_is_rejected(mp3, tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(mp3.read_bytes()[:300])
    with pytest.raises(ValidationError):
        probe(broken)


def test_parse_input_banner():
    banner = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.m4a':
  Duration: 01:02:03.45, start: 0.000000, bitrate: 256 kb/s
  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1(side), fltp, 255 kb/s (default)
"""
    info = parse_input_info(banner)
    assert info.duration == pytest.approx(3723.45)
    assert (info.codec, info.sample_rate, info.channels) == ("aac", 48000, 6)
    assert info.container == "mov,mp4,m4a,3gp,3g2,mj2"
    assert parse_input_info("nothing useful").codec is None
