"""The library's "Clips" page against the real emulator: lineage, search, filters, sort,
rename, delete with undo, export, and a 1280x800 screenshot of the populated window."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

from conftest import wait_until
from mutagen.wave import WAVE
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog

from sonic_studio.audio.player import PlayState
from sonic_studio.core.models import GenerationParams, Origin
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.store import ClipQuery
from sonic_studio.ui.components.clip_model import COL_DURATION, COL_TITLE, LineageRole
from sonic_studio.ui.panels.library import DATE_RANGES, LibraryPanel


async def make_extension(ctx, emulator, *, continue_at: float = 30.0, title: str = "Night Drive"):
    """A real upload by URL, then an extend of it through studio.tasks, waited to the end."""
    studio = ctx.studio
    upload = await studio.tasks.upload(f"{emulator.base_url}/samples/night-drive.mp3")
    studio.library.rename(upload.id, title)
    params = GenerationParams(model="sonic-v5", lyrics="[Verse]\nHeadlights on the wet road", tags="synthwave",
                              title=f"{title} (extended)")
    task = await studio.tasks.submit_extend(upload.id, continue_at, params)
    done = await studio.tasks.wait(task.id, timeout=30)
    assert done.state.value == "succeeded", done
    return upload, done


def titles(panel: LibraryPanel) -> list[str]:
    return [panel.model.clip_at(row).title for row in range(panel.model.rowCount())]


async def settle(panel: LibraryPanel) -> None:
    await wait_until(lambda: panel.model.loaded and not panel.model.busy)
    await asyncio.sleep(0.02)


async def test_extend_result_shows_with_lineage(ctx, ui_emulator, qtbot):
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    await settle(panel)
    assert panel.list_stack.currentWidget() is panel.empty
    assert "No clips yet" in panel.empty_label.text()

    upload, task = await make_extension(ctx, ui_emulator, continue_at=83.0)
    await wait_until(lambda: panel.model.rowCount() == 3)  # the upload + two extensions
    assert panel.list_stack.currentWidget() is panel.table

    body = ui_emulator.last("/api/v1/sonic/create").json
    assert body["task_type"] == "extend_upload_music" and body["continue_at"] == 83.0

    result = task.clip_ids[0]
    row = panel.model.row_of(result)
    line = panel.model.index(row, COL_TITLE).data(LineageRole)
    assert line == "extend of Night Drive @ 1:23"
    upload_line = panel.model.index(panel.model.row_of(upload.id), COL_TITLE).data(LineageRole)
    assert upload_line == "uploaded · night-drive.mp3"

    # Selecting the row selects it app-wide; the details pane explains the lineage.
    selected = []
    ctx.bridge.clipSelected.connect(selected.append)
    panel.table.setCurrentIndex(panel.model.index(row, COL_TITLE))
    assert ctx.selected_clip == result and selected[-1] == result
    assert panel.details.lineage_text == "Extended from “Night Drive” at 1:23.00."
    assert "extend_upload_music" in panel.details.lineage.toolTip()  # the provider's word: tooltip only
    assert panel.details.clip_id.text() == ctx.studio.library.get(result).clip_id
    assert "Headlights on the wet road" in panel.details.lyrics.toPlainText()
    assert not panel.details.problem_box.isVisibleTo(panel.details)


async def test_painting_the_list_runs_no_sql(ctx, ui_emulator, qtbot):
    """Each row carries its lineage line from the page query; a repaint asks the database nothing."""
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    upload, task = await make_extension(ctx, ui_emulator, continue_at=83.0)
    await wait_until(lambda: panel.model.rowCount() == 3)
    statements: list[str] = []
    conn = ctx.studio.store.db._conn  # the one connection every read and write goes through
    conn.set_trace_callback(statements.append)
    try:
        panel.table.viewport().repaint()  # paints every visible row now, synchronously
        lines = [panel.model.index(r, COL_TITLE).data(LineageRole) for r in range(panel.model.rowCount())]
    finally:
        conn.set_trace_callback(None)
    assert statements == []
    assert "extend of Night Drive @ 1:23" in lines and "uploaded · night-drive.mp3" in lines


async def test_search_filter_and_sort_change_rows(ctx, ui_emulator, qtbot):
    await make_extension(ctx, ui_emulator)
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    await settle(panel)
    assert panel.model.rowCount() == 3

    # Typing filters as you type (one SQL query per keystroke, the last one wins).
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "exten")
    await settle(panel)
    assert sorted(titles(panel)) == ["Night Drive (extended)", "Night Drive (extended)"]
    assert panel.count_label.text() == "2 clips match"

    qtbot.keyClicks(panel.search, "zzz")
    await settle(panel)
    assert panel.model.rowCount() == 0
    assert panel.list_stack.currentWidget() is panel.empty
    assert "No clips match" in panel.empty_label.text()
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    await settle(panel)
    assert panel.model.rowCount() == 3 and panel.search.text() == ""

    # Origin filter: only the upload.
    panel.filter_button.setChecked(True)
    panel.origin_combo.setCurrentIndex(panel.origin_combo.findData(Origin.UPLOADED.value))
    await settle(panel)
    assert titles(panel) == ["Night Drive"]
    assert panel.filter_button.text() == "Filters · 1"
    panel.clear_filters()
    await settle(panel)

    # Date range: everything was made today; a custom range in the past shows nothing.
    panel.date_combo.setCurrentIndex(1)  # Today
    await settle(panel)
    assert panel.model.rowCount() == 3
    panel.date_combo.setCurrentIndex(len(DATE_RANGES) - 1)  # Custom range…
    assert panel.date_from.isVisible() and panel.date_to.isVisible()
    panel.date_from.setDate(QDate(2020, 1, 1))
    panel.date_to.setDate(QDate(2020, 12, 31))
    await settle(panel)
    assert panel.model.rowCount() == 0 and "No clips match" in panel.empty_label.text()
    panel.clear_filters()
    await settle(panel)
    assert panel.model.rowCount() == 3 and not panel.date_from.isVisible()

    # Sort by title A–Z, then by duration (longest first) via the header.
    panel.set_sort("title", False)
    await settle(panel)
    assert titles(panel) == sorted(titles(panel), key=str.lower)
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(COL_DURATION) + 10, header.height() // 2))
    await settle(panel)
    durations = [panel.model.clip_at(r).duration or 0.0 for r in range(panel.model.rowCount())]
    assert durations == sorted(durations, reverse=True) and len(set(durations)) > 1
    assert panel.sort_button.text() == "Longest first"
    assert panel.model.query.sort == "duration"


async def test_rename_with_f2_persists(ctx, ui_emulator, qtbot):
    upload = await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/rain-on-glass.mp3")
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    await settle(panel)
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, COL_TITLE))
    qtbot.keyClick(panel.table, Qt.Key.Key_F2)
    editor = panel.table.focusWidget()
    assert editor is not panel.table, "F2 opens an inline editor"
    editor.selectAll()
    qtbot.keyClicks(editor, "Rain, remastered")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    await wait_until(lambda: titles(panel) == ["Rain, remastered"])
    assert ctx.studio.library.get(upload.id).title == "Rain, remastered"  # stored, not just shown


async def test_delete_removes_row_and_undo_restores(ctx, ui_emulator, qtbot):
    first = await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/night-drive.mp3")
    second = await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/rain-on-glass.mp3")
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    await settle(panel)
    assert panel.model.rowCount() == 2

    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(panel.model.row_of(second.id), COL_TITLE))
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    await wait_until(lambda: panel.model.row_of(second.id) is None)
    assert panel.model.rowCount() == 1
    assert ctx.studio.library.count(ClipQuery()) == 1
    assert panel.notice.isVisible() and "Deleted" in panel.notice.label.text()
    undo = panel.notice.button("Undo")
    assert undo is not None

    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    await wait_until(lambda: panel.model.row_of(second.id) is not None)
    assert not ctx.studio.library.get(second.id).deleted
    assert not panel.notice.isVisible()
    assert ctx.selected_clip == second.id
    assert first.id in panel.model.clip_ids()


async def test_export_reveal_and_copy(ctx, ui_emulator, qtbot, tmp_path, monkeypatch):
    from sonic_studio.audio.probe import probe

    _, task = await make_extension(ctx, ui_emulator)
    clip_id = task.clip_ids[0]
    # A second extension whose files "expired" at the provider: nothing to export.
    ui_emulator.faults.inject(Fault("status", status=404), "/cdn/", times=100)
    lost = await ctx.studio.tasks.submit_extend(clip_id, 20.0, GenerationParams(model="sonic-v5", lyrics="la"))
    lost = await ctx.studio.tasks.wait(lost.id, timeout=30)
    ui_emulator.faults.clear()
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    await settle(panel)

    assert ctx.studio.library.get(lost.clip_ids[0]).audio_path is None
    panel.choose_export(lost.clip_ids[0], "wav")
    assert "not downloaded" in panel.notice.label.text()
    assert panel.findChild(QFileDialog) is None  # nothing asked, nothing written

    panel.choose_export(clip_id, "wav")
    dialog = panel.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()  # opened with open(), not exec()
    target = tmp_path / "out" / "night"
    (tmp_path / "out").mkdir()
    dialog.selectFile(str(target))
    dialog.accept()
    wav = tmp_path / "out" / "night.wav"
    await wait_until(lambda: "Exported" in panel.notice.label.text(), timeout=30)
    assert wav.is_file()
    info = probe(wav)
    source = ctx.studio.library.get(clip_id)
    assert info.codec.startswith("pcm") and abs(info.duration - source.duration) < 0.5
    # Tagged like the CLI's export (title with the take, artist, album, lyrics), with the umask's mode.
    tags = WAVE(wav).tags
    expected = ctx.studio.library.tags_for(clip_id)
    assert str(tags["TIT2"]) == expected.title and str(tags["TPE1"]) == expected.artist
    assert str(tags["TALB"]) == expected.album and tags.getall("USLT")[0].text == source.lyrics
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(wav.stat().st_mode) == 0o666 & ~mask
    assert panel.notice.button("Show in folder") is not None

    # Reveal opens the clip's folder in the file manager; Copy clip id fills the clipboard.
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    panel.reveal_clip(clip_id)
    assert opened == [str(Path(source.audio_path).parent)]
    panel.copy_clip_id(clip_id)
    assert QGuiApplication.clipboard().text() == source.clip_id

    # A failing export is reported in words.
    bad = await panel.export_clip(clip_id, Path("/proc/forbidden/x.wav"), "wav")
    assert bad is None and panel.notice.label.text().startswith("Export failed:")


async def test_window_screenshot_with_library_tasks_and_player(window, ctx, ui_emulator, qapp, qtbot, tmp_path):
    """The whole window at 1280x800: a populated library, a running and a finished task,
    the player showing a clip.  Saved to docs/screenshots/library.png."""
    from sonic_studio.ui import theme

    theme.apply(qapp)
    window.resize(1280, 800)
    studio = ctx.studio
    base = ui_emulator.base_url

    night, extend_task = await make_extension(ctx, ui_emulator, continue_at=83.0)
    rain = await studio.tasks.upload(f"{base}/samples/rain-on-glass.mp3")
    studio.library.rename(rain.id, "Rain on Glass")
    cover = await studio.tasks.submit_cover(rain.id, GenerationParams(
        model="sonic-v5", lyrics="[Verse]\nRain on the glass", tags="lofi, piano", title="Rain on Glass (cover)",
        audio_weight=0.73))
    await studio.tasks.wait(cover.id, timeout=30)
    # One task still running while the screenshot is taken.
    ui_emulator.timing = Timing(queue=20, first_clip=40, second_clip=60)
    first = extend_task.clip_ids[0]
    running = await studio.tasks.submit_extend(first, 95.0, GenerationParams(
        model="sonic-v5", lyrics="[Bridge]\nOne more mile", tags="synthwave", title="Night Drive (part 3)"))

    library = window.library
    await wait_until(lambda: library.model.rowCount() == 6)
    body = ui_emulator.last("/api/v1/sonic/create").json
    assert body["task_type"] == "extend_music"  # extending a generated clip
    library.select_clip(first)
    assert library.details.lineage_text.startswith("Extended from “Night Drive” at 1:23.00")
    await wait_until(lambda: window.player_bar.wave.status() == "ready", timeout=20)
    window.player_bar.toggle()
    if ctx.player.available:
        await wait_until(lambda: ctx.player.state() == PlayState.PLAYING)
        ctx.player.seek(ctx.player.duration() * 0.38)
        await asyncio.sleep(0.3)
        window.player_bar.toggle()
    window.tasks.select_task(running.id)
    # Let covers decode and the running task tick once.
    await wait_until(lambda: all(library.model.thumbs.get(c.image_path) is not None
                                 for c in map(library.model.clip_at, range(library.model.rowCount()))
                                 if c.image_path), timeout=10)
    await asyncio.sleep(1.2)
    assert window.tasks.model.row_of(running.id) is not None
    assert window.tasks.model.task_at(window.tasks.model.row_of(running.id)).state.active

    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "library.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out))
    ctx.player.stop()
