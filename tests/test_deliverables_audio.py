"""The audio helpers behind the deliverables: stem mixer, tempo estimate, MIDI writer,
lyric lines and their exports, the whole-song join."""

from __future__ import annotations

import numpy as np
import pytest

from sonic_studio.audio import join, midi, tempo
from sonic_studio.audio.lyric_lines import (
    LyricLine,
    lines_from_words,
    to_audacity_labels,
    to_lrc,
    to_reaper_regions,
)
from sonic_studio.audio.mix import MixRender, PreviewFile, render_mix, weights
from sonic_studio.audio.pcm import read_mono
from sonic_studio.audio.stem_deck import StemDeck
from sonic_studio.core.models import LyricWord
from sonic_studio.emulator import synth


@pytest.fixture(scope="module")
def parts():
    return synth.song_parts(103, 40.0)


def test_solo_one_stem_renders_exactly_that_stem(parts):
    stems = parts.stems
    for name in stems:
        mix = render_mix(stems, soloed={name}, muted={name})  # solo wins over mute
        assert np.allclose(mix, stems[name], atol=1e-6)


def test_full_mix_is_the_song_and_mute_removes_a_stem(parts):
    assert np.allclose(render_mix(parts.stems), synth.render(103, 40.0), atol=1e-5)
    without = render_mix(parts.stems, muted={"vocals"})
    assert np.allclose(without + parts.stems["vocals"], parts.mix, atol=1e-5)
    loud = render_mix(parts.stems, gains={name: 4.0 for name in parts.stems})
    assert np.max(np.abs(loud)) <= 1.0 + 1e-6  # scaled, never clipped


@pytest.mark.parametrize("seed", [101, 104, 107, 110])
def test_tempo_estimate_finds_the_rendered_tempo(seed):
    parts = synth.song_parts(seed, 40.0)
    estimate = tempo.estimate_bpm(parts.mix, synth.SR)
    assert abs(estimate - parts.bpm) <= 2.0, (estimate, parts.bpm)


def test_tempo_estimate_of_silence_or_too_little_is_none():
    assert tempo.estimate_bpm(np.zeros(synth.SR * 10, np.float32), synth.SR) is None
    assert tempo.estimate_bpm(np.ones(synth.SR, np.float32), synth.SR) is None


def test_midi_from_note_json_reads_back_and_garbage_is_refused(tmp_path):
    notes = [{"name": "vocals", "notes": [{"pitch": 64, "start": 0.5, "end": 1.0, "velocity": 100},
                                         {"pitch": 200, "start": 0, "end": 1},  # out of range: skipped
                                         {"pitch": 67, "start": 1.0, "end": 1.5}]},
             {"name": "bass", "notes": [{"pitch": 40, "start": 0.0, "end": 2.0}]}]
    path = midi.write_midi(notes, tmp_path / "song.mid", bpm=100)
    assert midi.count_notes(path) == 3
    (tmp_path / "bad.mid").write_bytes(b"not midi at all")
    with pytest.raises(midi.MidiError, match="not a readable MIDI file"):
        midi.count_notes(tmp_path / "bad.mid")


def _words(text: str, start: float = 1.0, gap: float = 0.0) -> list[LyricWord]:
    return [LyricWord(w, start + i * 0.5 + gap * (i >= 3), start + i * 0.5 + 0.4 + gap * (i >= 3))
            for i, w in enumerate(text.split())]


def test_words_grouped_by_the_lyric_lines_or_by_pauses():
    lyrics = "[Verse]\nNeon lights\non the river\n[Chorus]\nNight"
    lines = lines_from_words(_words("Neon lights on the river Night"), lyrics)
    assert [line.text for line in lines] == ["Neon lights", "on the river", "Night"]
    assert lines[1].start == pytest.approx(2.0) and lines[1].end == pytest.approx(3.4)
    # Words that do not follow the text (ad-libs): lines break at a pause instead.
    lines = lines_from_words(_words("oh oh oh yeah yeah", gap=3.0), lyrics)
    assert [line.text for line in lines] == ["oh oh oh", "yeah yeah"]


def test_exports_are_in_each_programs_format():
    lines = [LyricLine("Neon lights", 1.0, 2.25), LyricLine('Say "go"', 65.5, 70.0)]
    assert to_lrc(lines, "Night Drive") == "[ti:Night Drive]\n[00:01.00]Neon lights\n[01:05.50]Say \"go\"\n"
    assert to_audacity_labels(lines) == "1.000000\t2.250000\tNeon lights\n65.500000\t70.000000\tSay \"go\"\n"
    assert to_reaper_regions(lines).splitlines() == [
        "#,Name,Start,End,Length",
        'R1,"Neon lights",0:01.000,0:02.250,0:01.250',
        'R2,"Say ""go""",1:05.500,1:10.000,0:04.500',
    ]


def test_join_only_when_the_extension_is_just_the_new_part(tmp_path):
    parent, new_part = tmp_path / "parent.mp3", tmp_path / "new.mp3"
    parent.write_bytes(synth.song_mp3(105, 30.0))
    new_part.write_bytes(synth.song_mp3(106, 12.0))
    whole = tmp_path / "whole-from-provider.mp3"
    head = synth.decode(parent.read_bytes())
    whole.write_bytes(synth.concat_mp3(head, synth.decode(new_part.read_bytes()), 20.0))
    assert join.join_extension(parent, whole, 20.0, tmp_path / "x.mp3").joined is False
    result = join.join_extension(parent, new_part, 20.0, tmp_path / "joined.mp3")
    assert result.joined and len(read_mono(result.path, 8000)) / 8000 == pytest.approx(32.0, abs=0.2)


def test_stem_deck_decodes_all_stems_at_once_and_the_preview_renders_the_chosen_mix(tmp_path, parts):
    paths = {}
    for name, samples in parts.stems.items():
        paths[name] = tmp_path / f"{name}.mp3"
        paths[name].write_bytes(synth.encode_mp3(samples))
    short = tmp_path / "short.mp3"  # a stem that ends early is padded with silence, not cut
    short.write_bytes(synth.encode_mp3(parts.stems["drums"][: synth.SR * 10]))
    deck = StemDeck({**paths, "short": short}, rate=synth.SR)
    deck.start()
    try:
        assert deck.wait_duration(10) == pytest.approx(40.0, abs=0.1)
        assert deck.wait_frames(deck.frames, 20) and deck.error is None
        for name, path in paths.items():  # each channel is that stem, as a decode of it alone
            alone = read_mono(path, synth.SR)
            n = min(len(alone), deck.frames)
            assert np.max(np.abs(deck.stem(name)[:n] - alone[:n])) < 2e-3
        assert not np.any(deck.stem("short")[synth.SR * 11:])

        preview = PreviewFile(tmp_path / "mix.wav", deck.frames, deck.rate)
        vocals = MixRender(deck, preview, weights(deck.names, soloed={"vocals"}, muted={"vocals"}), 20.0).start()
        vocals.finished.result(10)
        assert np.max(np.abs(preview.read() - deck.stem("vocals"))) < 1e-4  # solo wins over mute
        silent = MixRender(deck, preview, weights(deck.names, muted=set(deck.names))).start()
        silent.finished.result(10)
        assert not np.any(preview.read())
        everything = MixRender(deck, preview, weights(deck.names, muted={"short"})).start()
        everything.finished.result(10)
        song = sum(deck.stem(name) for name in paths)
        assert np.max(np.abs(preview.read() - np.clip(song, -1, 1))) < 1e-3
        preview.close()
        assert read_mono(tmp_path / "mix.wav", synth.SR).shape == (deck.frames,)  # a valid WAV, whole length
    finally:
        deck.close()


def test_stem_deck_says_which_file_is_missing(tmp_path):
    deck = StemDeck({"vocals": tmp_path / "gone.mp3"})
    deck.start()
    deck.wait_frames(1, 10)
    assert deck.complete and deck.error == "The stem file gone.mp3 is missing (was it moved or deleted?)."
