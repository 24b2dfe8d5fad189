"""Tags written with mutagen read back from MP3 and WAV; exports follow the umask and are never half-made."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from contextlib import contextmanager

import pytest
from mutagen.id3 import ID3
from mutagen.wave import WAVE

from sonic_studio.audio import edit, tags
from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.tags import ClipTags, TagError
from sonic_studio.emulator import synth

COVER = synth.cover_png(4)
FULL = ClipTags(
    title="Night Drive (take 2)",
    artist="Nova",
    album="Night Drive",
    lyrics="[Verse]\nHeadlights on the water\nNeon in the rain",
    comment="Style: synthwave\nModel: V4_5\nProvider: sunoapi.org, clip abc-123, task t-9",
    created=time.mktime((2026, 11, 30, 21, 15, 0, 0, 0, -1)),
    cover=COVER,
)


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "song.mp3"
    path.write_bytes(synth.song_mp3(31, 6.0))
    return path


@contextmanager
def umask(mask: int):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _assert_full_tags(id3: ID3) -> None:
    assert str(id3["TIT2"]) == "Night Drive (take 2)"
    assert str(id3["TPE1"]) == "Nova"
    assert str(id3["TALB"]) == "Night Drive"
    assert id3.getall("USLT")[0].text == FULL.lyrics
    assert id3.getall("COMM")[0].text[0] == FULL.comment
    assert str(id3["TDRC"]).startswith("2026-11-30")
    (cover,) = id3.getall("APIC")
    assert cover.data == COVER and cover.mime == "image/png" and cover.type == 3


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_every_tag_reads_back(song, tmp_path, fmt):
    out = edit.export(song, tmp_path / f"night-drive.{fmt}", tags=FULL)
    id3 = ID3(out) if fmt == "mp3" else WAVE(out).tags
    _assert_full_tags(id3)
    assert id3.version[:2] == (2, 3)  # the version Windows and older DAWs read


def test_retagging_an_mp3_keeps_its_audio_bytes(song, tmp_path):
    out = edit.export(song, tmp_path / "copy.mp3", tags=FULL)
    original = song.read_bytes()
    tagged = out.read_bytes()
    assert len(tagged) > len(original) + len(COVER)
    assert tagged.endswith(original[ID3(song).size if _has_id3(song) else 0:])


def _has_id3(path) -> bool:
    return path.read_bytes()[:3] == b"ID3"


def test_tagging_again_replaces_not_adds(song, tmp_path):
    out = edit.export(song, tmp_path / "again.mp3", tags=FULL)
    tags.write_tags(out, ClipTags(title="Renamed"), "mp3")
    id3 = ID3(out)
    assert str(id3["TIT2"]) == "Renamed" and str(id3["TPE1"]) == "Sonic Studio"
    assert not id3.getall("APIC") and not id3.getall("USLT")


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_exports_get_the_umask_permissions_not_owner_only(song, tmp_path, mask, mode, fmt):
    with umask(mask):
        out = edit.export(song, tmp_path / f"shared.{fmt}", tags=FULL)
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_a_scratch_excerpt_stays_owner_only(song):
    with umask(0o022):
        piece = edit.excerpt(song, 1.0, 2.0)
    try:
        assert stat.S_IMODE(piece.stat().st_mode) == 0o600
    finally:
        piece.unlink()


def test_a_failed_tag_leaves_nothing_behind(song, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    previous = tmp_path / "out" / "song.mp3"
    previous.write_bytes(b"the user's older export")

    def broken(*_a, **_k):
        raise TagError("Could not write tags to song.mp3: disk full")

    monkeypatch.setattr(edit, "write_tags", broken)
    with pytest.raises(TagError):
        edit.export(song, previous, tags=FULL)
    assert previous.read_bytes() == b"the user's older export"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["song.mp3"]


def test_cover_bytes_pass_png_through_and_convert_or_skip_the_rest(tmp_path):
    png = tmp_path / "cover.png"
    png.write_bytes(COVER)
    assert tags.cover_bytes(png) == COVER
    bmp = tmp_path / "cover.bmp"  # a format ID3 players do not show: converted to JPEG
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(png), "-y", str(bmp)], capture_output=True, check=True)
    assert tags.image_mime(tags.cover_bytes(bmp)) == "image/jpeg"
    junk = tmp_path / "cover.webp"
    junk.write_bytes(b"not an image")
    assert tags.cover_bytes(junk) is None
    assert tags.cover_bytes(tmp_path / "missing.jpg") is None and tags.cover_bytes(None) is None


def test_unknown_format_is_a_sentence(tmp_path, song):
    with pytest.raises(TagError, match="only mp3 and wav"):
        tags.write_tags(song, FULL, "ogg")


def test_a_library_copy_can_be_tagged_in_place_atomically(song, tmp_path):
    # What the download path can do once a clip and its cover are saved: export onto itself.
    copy = tmp_path / "library" / "night-drive.mp3"
    copy.parent.mkdir()
    copy.write_bytes(song.read_bytes())
    with umask(0o022):
        edit.export(copy, copy, tags=FULL)
    _assert_full_tags(ID3(copy))
    assert stat.S_IMODE(copy.stat().st_mode) == 0o644
    assert sorted(p.name for p in copy.parent.iterdir()) == ["night-drive.mp3"]
