"""pydub edits: export and excerpt decode back with the right length, never via ffprobe."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mutagen.id3 import ID3

from sonic_studio.audio import edit
from sonic_studio.audio.probe import probe
from sonic_studio.audio.tags import ClipTags
from sonic_studio.emulator.synth import song_mp3


@pytest.fixture
def mp3(tmp_path):
    path = tmp_path / "song.mp3"
    path.write_bytes(song_mp3(22, 9.0))
    return path


@pytest.fixture(autouse=True)
def no_ffprobe(monkeypatch):
    """Fail loudly if pydub ever tries to sniff a file with ffprobe."""
    edit._pydub()  # the app's own lazy import, with its warnings handled
    import pydub.audio_segment

    def forbidden(*_a, **_k):
        raise AssertionError("pydub called ffprobe")

    monkeypatch.setattr(pydub.audio_segment, "mediainfo_json", forbidden)


def test_export_wav_and_mp3(mp3, tmp_path):
    source = probe(mp3).duration
    wav = edit.export(mp3, tmp_path / "out" / "song.wav")
    info = probe(wav)
    assert info.codec == "pcm_s16le" and info.duration == pytest.approx(source, abs=0.06)
    again = edit.export(wav, tmp_path / "out" / "again.mp3", tags=ClipTags(title="Night Drive"))
    info = probe(again)
    assert info.codec == "mp3" and info.duration == pytest.approx(source, abs=0.1)
    assert str(ID3(again)["TIT2"]) == "Night Drive"
    assert not list((tmp_path / "out").glob("*.part"))


def test_mp3_to_mp3_is_a_lossless_copy(mp3, tmp_path):
    out = edit.export(mp3, tmp_path / "copy.mp3")
    assert out.read_bytes() == mp3.read_bytes()


def test_excerpt(mp3, tmp_path):
    piece = edit.excerpt(mp3, 2.0, 5.5, tmp_path / "piece.wav")
    assert probe(piece).duration == pytest.approx(3.5, abs=0.02)
    temp = edit.excerpt(mp3, 1.0, 2.0, fmt="mp3")
    try:
        assert probe(temp).duration == pytest.approx(1.0, abs=0.1)
    finally:
        temp.unlink()


def test_bad_requests(mp3, tmp_path):
    with pytest.raises(ValueError, match="choose one of mp3, wav"):
        edit.export(mp3, tmp_path / "x.ogg")
    with pytest.raises(ValueError):
        edit.excerpt(mp3, 3.0, 3.0)


def test_pydub_and_qtmultimedia_are_not_imported_eagerly():
    code = ("import sys, sonic_studio.audio.edit, sonic_studio.audio.player, sonic_studio.audio.loader;"
            "bad = [m for m in ('pydub', 'PySide6.QtMultimedia') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
