"""Send to DAW from the window: the library's context menu and the Deliverables button.

The folder picker is answered like a person would (a folder is chosen); the test then
reads what landed on disk: every audio file decodes, the .mid has notes, the Audacity
label file and the REAPER region CSV parse with their lines inside the song, and the
JSON sidecar names the clip.  The progress bar counts the files of the whole export.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import wait_until
from PySide6.QtWidgets import QFileDialog
from test_deliverables_section import decodes, midi_notes, new_song, section_for

from sonic_studio.core.models import AssetKind


async def finish(ctx, clip: int, kind: AssetKind) -> None:
    outcome = await ctx.studio.deliverables.request(clip, kind)
    if outcome.task is not None:
        await ctx.studio.tasks.wait(outcome.task.id, timeout=30)


def clock(text: str) -> float:
    """REAPER's m:ss.fff (or h:mm:ss.fff) -> seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


async def test_send_to_daw_writes_a_folder_a_daw_can_open(window, ctx, qtbot, tmp_path, monkeypatch):
    clip = await new_song(ctx, "sonic")
    for kind in (AssetKind.STEMS_BASIC, AssetKind.MIDI, AssetKind.LYRICS_TIMELINE, AssetKind.BPM):
        await finish(ctx, clip, kind)
    section = await section_for(window, ctx, clip)
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda *args: asked.append(args[1]) or str(tmp_path))
    steps = []
    section.daw_progress.valueChanged.connect(lambda value: steps.append((value, section.daw_progress.maximum())))

    menu_action = section.action_daw
    assert menu_action.shortcut().toString() == "Ctrl+Shift+D"
    menu_action.trigger()
    await wait_until(lambda: section.daw_result_text().startswith("Sent to"), 30)
    folder = tmp_path / "Night-Drive DAW"
    assert asked == ["Send to DAW: where should the folder go?"]
    assert str(folder) in section.daw_result_text() and section.daw_open.isVisible()
    assert "Not included" not in section.daw_result_text()
    assert steps and steps[-1][0] == steps[-1][1]  # the bar reached the end of the whole export

    audio = [folder / "song.wav", *sorted((folder / "stems").glob("*.wav"))]
    assert len(audio) >= 3 and all(decodes(str(p)) for p in audio)
    assert midi_notes(str(folder / "Night-Drive.mid")) > 10
    duration = ctx.studio.library.get(clip).duration
    labels = [line.split("\t") for line in (folder / "lyrics-audacity.txt").read_text("utf-8").splitlines()]
    assert [text for _, _, text in labels] == ["Neon lights on the river", "We drive until the morning",
                                              "Night drive night drive"]
    assert all(0 <= float(start) < float(end) <= duration for start, end, _ in labels)
    with (folder / "lyrics-reaper.csv").open(newline="", encoding="utf-8") as handle:
        regions = list(csv.DictReader(handle))
    assert [r["#"] for r in regions] == ["R1", "R2", "R3"]
    assert [r["Name"] for r in regions] == [text for _, _, text in labels]
    for region, (start, end, _) in zip(regions, labels):
        assert abs(clock(region["Start"]) - float(start)) < 0.01 and abs(clock(region["End"]) - float(end)) < 0.01
    assert (folder / "lyrics.lrc").read_text("utf-8").startswith("[ti:Night Drive]")
    sidecar = json.loads((folder / "sonic-studio.json").read_text("utf-8"))
    assert sidecar["clip_id"] == ctx.studio.library.get(clip).clip_id and sidecar["bpm"]["avg"] > 0
    assert set(sidecar["files"]) >= {"song", "midi", "lyrics.lrc", "lyrics-audacity.txt", "lyrics-reaper.csv"}

    # A second export never mixes with the first: it gets its own folder.
    section.send_to_daw(tmp_path)
    await wait_until(lambda: "Night-Drive DAW 2" in section.daw_result_text(), 30)
    assert Path(tmp_path / "Night-Drive DAW 2" / "song.wav").exists()


async def test_library_context_menu_offers_send_to_daw(window, ctx, qtbot):
    clip = await new_song(ctx, "sonic")
    await section_for(window, ctx, clip)
    library = window.library
    await wait_until(lambda: library.model.rowCount() >= 1, 10)
    row = next(r for r in range(library.model.rowCount()) if library.model.clip_at(r).id == clip)
    pos = library.table.visualRect(library.model.index(row, 0)).center()
    library._context_menu(pos)
    menu = next(m for m in library.findChildren(type(window.file_menu)) if m.isVisible())
    assert "Send to DAW…" in [a.text() for a in menu.actions()]
    daw = next(a for a in menu.actions() if a.text() == "Send to DAW…")
    assert daw.isEnabled()
    menu.close()
