"""MIDI files: write one from provider note JSON, and check one is a real Standard MIDI File.

Providers answer MIDI either as a file link or as notes per instrument
(``[{name, notes: [{pitch, start, end, velocity}]}]``, times in seconds).  The user must
always end with a ``.mid`` a DAW opens, so note JSON is written here with ``mido``
(one track per instrument, type 1).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import mido

TICKS_PER_BEAT = 480


class MidiError(Exception):
    """Not a MIDI file we can read; ``str()`` is readable."""


def write_midi(instruments: list[dict[str, Any]], dest: Path, bpm: float = 120.0) -> Path:
    """Notes per instrument -> ``dest`` (atomic).  Malformed notes are skipped."""
    tempo = mido.bpm2tempo(bpm)
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    for channel, instrument in enumerate(instruments[:16]):
        events = []
        for note in instrument.get("notes") or []:
            try:
                pitch, start, end = int(note["pitch"]), float(note["start"]), float(note["end"])
                velocity = int(note.get("velocity") or 90)
            except (KeyError, TypeError, ValueError):
                continue
            if 0 <= pitch <= 127 and 0 <= start < end:
                events += [(start, 1, pitch, min(max(velocity, 1), 127)), (end, 0, pitch, 0)]
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=str(instrument.get("name") or f"track {channel + 1}")),
                                mido.MetaMessage("set_tempo", tempo=tempo)])
        now = 0
        for seconds, on, pitch, velocity in sorted(events):
            tick = int(round(mido.second2tick(seconds, TICKS_PER_BEAT, tempo)))
            track.append(mido.Message("note_on" if on else "note_off", note=pitch, velocity=velocity,
                                      channel=channel % 16, time=tick - now))
            now = tick
        midi.tracks.append(track)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.stem}-", suffix=".mid.part")
    os.close(fd)
    try:
        midi.save(tmp)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def count_notes(path: str | os.PathLike[str]) -> int:
    """How many notes the file plays; raises MidiError when it is not a readable MIDI file."""
    try:
        midi = mido.MidiFile(os.fspath(path))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise MidiError(f"{Path(path).name} is not a readable MIDI file ({exc}).") from None
    return sum(1 for track in midi.tracks for msg in track if msg.type == "note_on" and msg.velocity > 0)
