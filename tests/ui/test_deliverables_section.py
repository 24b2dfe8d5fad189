"""The Deliverables section of a clip's details, driven from the real window against the emulator.

Each row's "Get it" button is clicked like a person would; the tests assert the exact
bodies each provider received, exactly one paid request per deliverable, the files on
disk (a .mid that mido reads back with notes, .lrc lines inside the clip, decodable
audio), the words each row shows (costs before sending, "estimated" BPM, "stems first"
for MIDI on sunoapi.org), the expiry line, and that "Show stems"/"Show lyrics" ask
the window for those views.
"""

from __future__ import annotations

import re
from pathlib import Path

import mido
import pytest
from conftest import wait_until
from PySide6.QtCore import Qt

from sonic_studio.audio.pcm import read_mono
from sonic_studio.core.models import AssetKind, GenerationParams
from sonic_studio.services.deliverable_status import RowState
from sonic_studio.store.records import TaskState
from sonic_studio.ui.components import deliverables_section

LYRICS = "[Verse]\nNeon lights on the river\nWe drive until the morning\n[Chorus]\nNight drive night drive"
MODEL = {"sonic": "sonic-v5-5", "sunoapi": "V5"}


async def new_song(ctx, provider: str) -> int:
    params = GenerationParams(model=MODEL[provider], lyrics=LYRICS, tags="synthwave", title="Night Drive")
    record = await ctx.studio.tasks.submit_generate(params)
    record = await ctx.studio.tasks.wait(record.id, timeout=30)
    assert record.state is TaskState.SUCCEEDED
    return record.clip_ids[0]


async def section_for(window, ctx, clip: int):
    window.library_dock.show()
    ctx.select_clip(clip)
    section = window.library.details.deliverables
    await wait_until(lambda: section.clip == clip and section.overview is not None and section.overview.ready, 10)
    return section


async def get(qtbot, section, kind: AssetKind, timeout: float = 30) -> None:
    """Click the row's button and wait until the row says it is saved."""
    button = section.rows[kind].get
    assert button.isVisible() and button.isEnabled(), section.row_text(kind)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: section.overview.row(kind).state in (RowState.SAVED, RowState.FAILED)
                     and not section.runner.running(f"get-{kind.value}"), timeout)
    assert section.overview.row(kind).state is RowState.SAVED, section.row_text(kind)


def posts(emulator, path: str) -> list[dict]:
    return [r.json for r in emulator.submissions(path)]


def midi_notes(path: str) -> int:
    return sum(1 for t in mido.MidiFile(path).tracks for m in t if m.type == "note_on" and m.velocity)


def lrc_times(path: str) -> list[float]:
    times = []
    for line in Path(path).read_text("utf-8").splitlines():
        found = re.match(r"\[(\d+):(\d+(?:\.\d+)?)\]", line)
        if found:
            times.append(int(found[1]) * 60 + float(found[2]))
    return times


def decodes(path: str) -> bool:
    return len(read_mono(path, 8000)) > 8000


async def test_sonic_every_deliverable_from_the_window(window, ctx, ui_emulator, qtbot, monkeypatch):
    clip = await new_song(ctx, "sonic")
    detail = ctx.studio.library.get(clip)
    section = await section_for(window, ctx, clip)
    # Costs are on the buttons before anything is sent; nothing has been asked yet.
    assert section.rows[AssetKind.WAV].get.text() == "Get it (2 credits)"
    assert section.rows[AssetKind.STEMS_FULL].get.text() == "Get it (75 credits)"
    assert "does not say how long it keeps" in section.expiry.text()
    assert section.safe.text() == "Safe on this computer: the song."
    assert "Only an extension has a whole song" in section.row_text(AssetKind.WHOLE_SONG)
    assert not section.rows[AssetKind.WHOLE_SONG].get.isVisible()
    credits = ui_emulator.credits["sonic"]

    for kind in (AssetKind.WAV, AssetKind.STEMS_BASIC, AssetKind.STEMS_FULL, AssetKind.MIDI,
                 AssetKind.LYRICS_TIMELINE, AssetKind.BPM):
        await get(qtbot, section, kind)

    body = {"clip_id": detail.clip_id}
    for path in ("wav", "stems/basic", "stems/full", "midi", "aligned-lyrics", "bpm"):
        assert posts(ui_emulator, f"/api/v1/sonic/{path}") == [body], path
    assert ui_emulator.credits["sonic"] == credits - (2 + 30 + 75 + 1 + 1 + 1)

    ov = section.overview
    assert Path(ov.row(AssetKind.WAV).files["wav"]).read_bytes()[:4] == b"RIFF"
    assert {"vocals", "instrumental"} <= set(ov.row(AssetKind.STEMS_BASIC).files)
    assert all(decodes(p) for p in ov.row(AssetKind.STEMS_FULL).files.values())
    assert midi_notes(ov.row(AssetKind.MIDI).files["midi"]) > 10
    times = lrc_times(ov.row(AssetKind.LYRICS_TIMELINE).files["lrc"])
    assert len(times) == 3 and all(0 <= t < detail.duration for t in times)
    assert re.fullmatch(r"\d+(\.\d+)? BPM \(from \d+(\.\d+)? to \d+(\.\d+)?\)", section.row_text(AssetKind.BPM))
    assert section.safe.text() == "Safe on this computer: the song, WAV, stems, MIDI, timed lyrics, BPM."
    assert not section.rows[AssetKind.WAV].get.isVisible()  # saved: nothing to pay for again

    folders = []
    monkeypatch.setattr(deliverables_section, "open_folder", folders.append)
    qtbot.mouseClick(section.rows[AssetKind.WAV].open, Qt.MouseButton.LeftButton)
    assert folders == [Path(ov.row(AssetKind.WAV).files["wav"]).parent] and folders[0].name.endswith(".deliverables")

    opened = []
    section.ctx.bridge.deliverableViewRequested.connect(lambda c, view: opened.append((c, view)))
    qtbot.mouseClick(section.rows[AssetKind.STEMS_FULL].view, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(section.rows[AssetKind.LYRICS_TIMELINE].view, Qt.MouseButton.LeftButton)
    assert opened == [(clip, "stems"), (clip, "lyrics")]


async def test_sunoapi_every_deliverable_from_the_window(suno_window, suno_ctx, ui_emulator, qtbot):
    ctx, window = suno_ctx, suno_window
    clip = await new_song(ctx, "sunoapi")
    detail = ctx.studio.library.get(clip)
    section = await section_for(window, ctx, clip)
    assert "keeps this clip's files for about 14 more days (of 14)" in section.expiry.text()
    # MIDI is made from a separation: the row says so and shows both costs together.
    midi = section.rows[AssetKind.MIDI]
    assert midi.get.text() == "Get it (about 15 credits, stems first)"
    assert "MIDI needs stems first" in midi.get.toolTip() and "15 credits in all" in midi.get.toolTip()
    assert section.rows[AssetKind.BPM].get.text() == "Get it (free, made here)"
    assert section.row_text(AssetKind.BPM) == ("Not made yet (sunoapi.org has no tempo endpoint: "
                                               "estimated here from the audio).")

    await get(qtbot, section, AssetKind.MIDI, timeout=60)
    ov = section.overview
    assert ov.row(AssetKind.STEMS_BASIC).state is RowState.SAVED  # the stems came first
    stems_task = next(t for t in ctx.studio.tasks.list() if t.kind.value == "stems_basic")
    source = {"taskId": detail.source_task_id, "audioId": detail.clip_id,
              "callBackUrl": "https://callback.sonic-studio.invalid/sunoapi"}
    assert posts(ui_emulator, "/api/v1/vocal-removal/generate") == [{**source, "type": "separate_vocal"}]
    assert posts(ui_emulator, "/api/v1/midi/generate") == [{**source, "taskId": stems_task.provider_task_id}]
    assert midi_notes(ov.row(AssetKind.MIDI).files["midi"]) > 10

    for kind in (AssetKind.WAV, AssetKind.STEMS_FULL, AssetKind.LYRICS_TIMELINE, AssetKind.BPM):
        await get(qtbot, section, kind, timeout=60)
    assert posts(ui_emulator, "/api/v1/wav/generate") == [source]
    assert posts(ui_emulator, "/api/v1/vocal-removal/generate")[1:] == [{**source, "type": "split_stem"}]
    assert posts(ui_emulator, "/api/v1/generate/get-timestamped-lyrics") == [
        {"taskId": detail.source_task_id, "audioId": detail.clip_id}]
    ov = section.overview
    assert Path(ov.row(AssetKind.WAV).files["wav"]).read_bytes()[:4] == b"RIFF"
    assert all(decodes(p) for p in ov.row(AssetKind.STEMS_FULL).files.values())
    times = lrc_times(ov.row(AssetKind.LYRICS_TIMELINE).files["lrc"])
    assert len(times) == 3 and all(0 <= t < detail.duration for t in times)
    assert section.row_text(AssetKind.BPM).endswith("BPM — estimated here from the audio")


async def test_a_refusal_is_shown_in_its_row_and_sends_nothing(suno_window, suno_ctx, ui_emulator, qtbot):
    ctx = suno_ctx
    clip = await new_song(ctx, "sunoapi")
    section = await section_for(suno_window, ctx, clip)
    ui_emulator.credits["sunoapi"] = 0
    qtbot.mouseClick(section.rows[AssetKind.WAV].get, Qt.MouseButton.LeftButton)
    # What the row says once the refusal is in (the request's own error, then the failed task).
    await wait_until(lambda: section.rows[AssetKind.WAV].get.text().startswith("Get it again")
                     and "credits" in section.row_text(AssetKind.WAV).lower(), 20)
    text = section.row_text(AssetKind.WAV)
    assert text.startswith(("Failed:", "Not enough credits")) and "Traceback" not in text
    assert not ui_emulator.submissions("/api/v1/vocal-removal/generate")


@pytest.mark.parametrize("days_ago, expected", [(20, "files are gone there"), (13.5, "about 12 hours")])
async def test_expiry_says_how_long_the_provider_keeps_the_files(suno_window, suno_ctx, qtbot, days_ago, expected):
    import time

    ctx = suno_ctx
    clip = await new_song(ctx, "sunoapi")
    ctx.studio.store.db.execute("UPDATE clips SET created_at = ? WHERE id = ?", (time.time() - days_ago * 86400, clip))
    section = await section_for(suno_window, ctx, clip)
    section.refresh()
    assert expected in section.expiry.text()
    if days_ago > 14:
        assert section.overview.row(AssetKind.WAV).state is RowState.UNAVAILABLE
        assert "no longer keeps" in section.row_text(AssetKind.WAV)
        assert not section.rows[AssetKind.WAV].get.isVisible()


async def test_deliverables_screenshot(window, ctx, ui_emulator, qapp, qtbot, tmp_path):
    """Some saved, one working, the rest with their costs.  Saved to docs/screenshots/deliverables.png
    when SONIC_STUDIO_SCREENSHOT_DIR is set (scripts/screenshots.sh)."""
    import os

    from sonic_studio.emulator.app import Timing
    from sonic_studio.ui import theme

    theme.apply(qapp)
    clip = await new_song(ctx, "sonic")
    for kind in (AssetKind.WAV, AssetKind.LYRICS_TIMELINE, AssetKind.BPM):
        await ctx.studio.deliverables.request(clip, kind)
    section = await section_for(window, ctx, clip)
    ui_emulator.timing = Timing(queue=3, first_clip=5, second_clip=6)  # the stems stay "working" for the picture
    await get_started(qtbot, section, AssetKind.STEMS_BASIC)
    section.setFixedWidth(420)
    assert section.overview.row(AssetKind.BPM).state is RowState.SAVED
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "deliverables.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert section.grab().save(str(out))
    # Let the stems finish: a studio closed under a live poll is another test's subject.
    await wait_until(lambda: section.overview.row(AssetKind.STEMS_BASIC).state is RowState.SAVED, 30)


async def get_started(qtbot, section, kind: AssetKind) -> None:
    qtbot.mouseClick(section.rows[kind].get, Qt.MouseButton.LeftButton)
    await wait_until(lambda: section.overview.row(kind).state is RowState.WORKING
                     and not section.runner.running(f"get-{kind.value}"), 20)
