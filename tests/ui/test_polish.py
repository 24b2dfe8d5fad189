"""The small things a person notices (issue 17, item 6), each driven through the real window
against the emulator: the clip context menu's shortcuts to other tabs, the Tasks panel's
Retry / Clear finished / Check again, clickable lineage, upload titles, words instead of API
jargon, and the Edit / File menu entries."""

from __future__ import annotations

import asyncio

import pytest
from conftest import wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMenu

from sonic_studio.core.capabilities import model_label
from sonic_studio.core.errors import InsufficientCreditsError, StudioError
from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault
from sonic_studio.store import TaskState
from sonic_studio.ui.format import created_text, lineage_sentence
from sonic_studio.ui.panels.tasks import TasksPanel


async def uploaded(ctx, emulator, sample: str = "night-drive.mp3", title: str | None = None) -> int:
    clip = await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/{sample}")
    if title:
        ctx.studio.library.rename(clip.id, title)
    return clip.id


async def shown_in_library(window, clip: int) -> None:
    library = window.library
    window.library_dock.show()
    await wait_until(lambda: library.model.row_of(clip) is not None, 10)
    await asyncio.sleep(0)


def open_context_menu(window, clip: int) -> QMenu:
    library = window.library
    pos = library.table.visualRect(library.model.index(library.model.row_of(clip), 0)).center()
    library._context_menu(pos)
    return next(m for m in library.findChildren(QMenu) if m.isVisible())


def entry(menu: QMenu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


async def test_context_menu_sends_the_clip_to_extend_cover_and_persona(window, ctx, ui_emulator):
    clip = await uploaded(ctx, ui_emulator, title="Night Drive")
    other = await uploaded(ctx, ui_emulator, "rain-on-glass.mp3", title="Rain")
    await shown_in_library(window, other)
    menu = open_context_menu(window, clip)
    texts = [a.text() for a in menu.actions()]
    for wanted in ("Play", "Extend…", "Cover…", "Make persona…", "Export as MP3…", "Show in folder"):
        assert wanted in texts, texts
    entry(menu, "Cover…").trigger()
    menu.close()
    assert window.tabs.currentWidget() is window.extend_tab
    assert window.extend_tab.mode() == "cover" and window.extend_tab.source().id == clip

    menu = open_context_menu(window, other)
    entry(menu, "Extend…").trigger()
    menu.close()
    assert window.extend_tab.mode() == "extend" and window.extend_tab.source().id == other

    menu = open_context_menu(window, clip)
    entry(menu, "Make persona…").trigger()
    menu.close()
    assert window.tabs.currentWidget() is window.persona_tab
    assert window.persona_tab.clip.id == clip
    assert ctx.selected_clip == clip


# ---------------------------------------------------------------------------- Tasks panel

COVER = GenerationParams(model="sonic-v5", lyrics="[Verse]\nRain on the glass", tags="lofi", title="Rain cover",
                         audio_weight=0.73)
CREATE = "/api/v1/sonic/create"


def tasks_panel(ctx, qtbot) -> TasksPanel:
    panel = TasksPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    return panel


async def test_retry_resends_a_refused_request_with_its_cost_shown(ctx, ui_emulator, qtbot):
    source = await uploaded(ctx, ui_emulator)
    panel = tasks_panel(ctx, qtbot)
    ui_emulator.faults.inject(Fault("status", status=403, body={"code": 403, "message": "remaining credits are not enough"}),
                              CREATE)
    with pytest.raises(InsufficientCreditsError):
        await ctx.studio.tasks.submit_cover(source, COVER)
    refused = ctx.studio.tasks.list()[0]
    await wait_until(lambda: panel.model.row_of(refused.id) is not None)
    panel.select_task(refused.id)
    cost = ctx.studio.capabilities.estimated_cost(refused.kind)
    assert cost and panel.retry_button.isEnabled()
    assert panel.retry_button.text() == f"Retry ({cost:g} credits)"  # the price before anything is sent
    first_body = ui_emulator.submissions(CREATE)[-1].json

    qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: len(ctx.studio.tasks.list()) == 2)
    again = ctx.studio.tasks.list()[0]
    assert again.id != refused.id and again.source_clip == source
    assert ui_emulator.submissions(CREATE)[-1].json == first_body  # the same request, sent once more
    await wait_until(lambda: panel.current_task() is not None and panel.current_task().id == again.id)
    done = await ctx.studio.tasks.wait(again.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    assert ctx.studio.tasks.get(refused.id).state is TaskState.FAILED  # history kept


async def test_no_retry_when_the_request_may_have_been_accepted(ctx, ui_emulator, qtbot):
    source = await uploaded(ctx, ui_emulator)
    panel = tasks_panel(ctx, qtbot)
    ui_emulator.faults.inject(Fault("drop"), CREATE)
    with pytest.raises(StudioError):
        await ctx.studio.tasks.submit_cover(source, COVER)
    lost = ctx.studio.tasks.list()[0]
    assert lost.state is TaskState.UNKNOWN
    await wait_until(lambda: panel.model.row_of(lost.id) is not None)
    panel.select_task(lost.id)
    assert not panel.retry_button.isEnabled() and panel.retry_button.text() == "Retry"
    assert "check your account" in panel.retry_button.toolTip()
    with pytest.raises(StudioError):
        await ctx.studio.tasks.retry(lost.id)  # the service refuses too, not just the button
    assert len(ui_emulator.submissions(CREATE)) == 1


async def test_clear_finished_keeps_what_needs_attention_and_check_again_answers(ctx, ui_emulator, qtbot):
    source = await uploaded(ctx, ui_emulator)
    done = await ctx.studio.tasks.submit_cover(source, COVER)
    done = await ctx.studio.tasks.wait(done.id, timeout=30)
    ui_emulator.faults.inject(Fault("drop"), CREATE)
    with pytest.raises(StudioError):
        await ctx.studio.tasks.submit_cover(source, COVER)
    lost = ctx.studio.tasks.list()[0]
    panel = tasks_panel(ctx, qtbot)
    notices: list[str] = []
    ctx.bridge.notify.connect(notices.append)

    panel.select_task(done.id)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert panel.check_button.text() == "Checking…"  # something visibly happens at once
    await wait_until(lambda: any(n.startswith("Checked with the provider") for n in notices))
    assert next(n for n in notices if n.startswith("Checked")).endswith("is done.")
    await wait_until(lambda: panel.check_button.text() == "Check again")

    await wait_until(panel.clear_button.isEnabled)  # once the panel has (re)loaded its tasks
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert [panel.model.task_at(r).id for r in range(panel.model.rowCount())] == [lost.id]
    assert not panel.clear_button.isEnabled()
    # Remembered: a new panel (next start) lists only the task that may still need the person.
    again = tasks_panel(ctx, qtbot)
    assert [again.model.task_at(r).id for r in range(again.model.rowCount())] == [lost.id]


def test_tasks_dock_never_says_none_before_it_knows(qtbot):
    from sonic_studio.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    texts = [label.text() for label in win.tasks_dock.widget().findChildren(QLabel)]
    assert texts and not any("No tasks" in text for text in texts)


# ---------------------------------------------------------------------------- lineage


async def test_lineage_names_the_parent_unambiguously_and_jumps_to_it(window, ctx, ui_emulator):
    parent = await uploaded(ctx, ui_emulator, title="Night Drive")
    namesake = await uploaded(ctx, ui_emulator, "rain-on-glass.mp3", title="Night Drive")
    params = GenerationParams(model="sonic-v5", lyrics="[Verse]\nHeadlights", tags="synthwave", title="Longer drive")
    task = await ctx.studio.tasks.submit_extend(parent, 83.0, params)
    child = (await ctx.studio.tasks.wait(task.id, timeout=30)).clip_ids[0]
    details = window.library.details
    ctx.select_clip(child)
    await wait_until(lambda: details.clip is not None and details.clip.id == child)
    # Two clips are called "Night Drive": the line says which one, and names no task type.
    date = created_text(ctx.studio.library.get(parent).created_at)
    assert details.lineage_text == f"Extended from “Night Drive” ({date}) at 1:23.00."
    assert "extend_upload_music" in details.lineage.toolTip()
    assert f'href="clip:{parent}"' in details.lineage.text()

    # The list is filtered so the parent is not even shown; the link still finds it.
    await shown_in_library(window, namesake)
    window.library.set_search("Longer")
    await wait_until(lambda: window.library.model.row_of(parent) is None)
    details.lineage.linkActivated.emit(f"clip:{parent}")
    await wait_until(lambda: window.library._current_id() == parent)
    assert ctx.selected_clip == parent and window.library.search.text() == ""


# ---------------------------------------------------------------------------- upload titles


async def test_uploads_are_named_by_the_persons_own_file(suno_window, suno_ctx, ui_emulator, qtbot, tmp_path):
    from test_upload_tab import drop_file, song

    tab = suno_window.upload_tab
    suno_window.tabs.setCurrentWidget(tab)
    drop_file(tab.drop_zone, song(tmp_path, 20.0, name="Summer Demo.mp3"))
    await wait_until(lambda: tab.upload_button.isEnabled(), 15)
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: suno_ctx.selected_clip is not None and not tab.busy(), 20)
    clip = suno_ctx.studio.library.get(suno_ctx.selected_clip)
    hosted = ui_emulator.submissions("/api/file-stream-upload")[0].form["fileName"]
    assert hosted != "Summer Demo.mp3"  # the host's own name for it...
    assert clip.title == "Summer Demo"  # ...is not what the library shows: no extension either
    await wait_until(lambda: suno_window.library.details.clip is not None)
    assert suno_window.library.details.lineage_text == "Uploaded from Summer Demo.mp3."
    assert "“Summer Demo”" in tab.status.text()

    # A cover sent straight from the file names that file too, never the host's.
    params = GenerationParams(model="V5", lyrics="[Verse]\nSun", tags="pop", title="Summer cover")
    task = await suno_ctx.studio.tasks.submit_upload_cover(tmp_path / "Summer Demo.mp3", params)
    child = suno_ctx.studio.library.get((await suno_ctx.studio.tasks.wait(task.id, timeout=30)).clip_ids[0])
    assert lineage_sentence(child).startswith("Cover of upload Summer Demo.mp3")


async def test_link_uploads_drop_the_extension(ctx, ui_emulator):
    clip = await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/night-drive.mp3")
    assert clip.title == "night-drive"


async def test_models_are_named_as_the_app_names_them_not_by_the_code_read_back(window, ctx, ui_emulator):
    """Providers read the model back as "chirp-v5-5"; every place a clip is described says "Sonic v5.5"."""
    params = GenerationParams(model="sonic-v5-5", lyrics="[Verse]\nCity lights", tags="synthwave", title="City Lights")
    record = await ctx.studio.tasks.wait((await ctx.studio.tasks.submit_generate(params)).id, timeout=30)
    assert record.state is TaskState.SUCCEEDED
    clip = record.clip_ids[0]
    assert ctx.studio.library.get(clip).model.startswith("chirp-")  # what the provider answered
    await shown_in_library(window, clip)
    ctx.select_clip(clip)
    library = window.library
    row = library.model.row_of(clip)
    texts = {
        "details": library.details.meta.text(),
        "tooltip": library.model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole),
        "extend": window.extend_tab.source_meta.text(),
        "persona": window.persona_tab.clip_meta.text(),
        "edit": window.edit_tab.source_meta.text(),
    }
    for where, text in texts.items():
        assert "Sonic v5.5" in text and "chirp" not in text, (where, text)


def test_model_codes_become_the_catalog_names_or_tidy_words():
    assert model_label("sunoapi", "chirp-v4-5-all") == "V4.5 All"
    assert model_label("sunoapi", "V5_5") == "V5.5"
    assert model_label("sonic", "chirp-v4-5-plus") == "Sonic v4.5+"
    assert model_label("sunoapi", "chirp-v3-5") == "v3.5"  # a retired model the catalog no longer lists
    assert model_label("sonic", None) == ""


async def test_escape_clears_the_search_then_goes_back_to_the_list(window, ctx, ui_emulator, qtbot):
    clip = await uploaded(ctx, ui_emulator, title="Night Drive")
    await shown_in_library(window, clip)
    library = window.library
    window.activateWindow()
    library.search.setFocus()
    qtbot.keyClicks(library.search, "zzz")
    await wait_until(lambda: library.model.row_of(clip) is None)  # filtered out
    qtbot.keyClick(library.search, Qt.Key.Key_Escape)
    assert library.search.text() == ""
    await wait_until(lambda: library.model.row_of(clip) is not None)
    qtbot.keyClick(library.search, Qt.Key.Key_Escape)
    await wait_until(lambda: library.table.hasFocus())


async def test_a_link_without_https_says_how_to_write_it(window, qtbot):
    window.tabs.setCurrentWidget(window.upload_tab)
    tab = window.upload_tab
    qtbot.mouseClick(tab.source_switch.button("url"), Qt.MouseButton.LeftButton)
    tab.url_edit.setFocus()
    qtbot.keyClicks(tab.url_edit, "example.com/song.mp3")
    await wait_until(lambda: tab.url_error.isVisible())
    assert tab.url_error.text() == ("Enter the whole link, starting with https:// "
                                    "(for example https://example.com/song.mp3).")
    assert not tab.upload_button.isEnabled()
    assert tab.url_edit.text() == "example.com/song.mp3"  # kept, to be fixed rather than retyped


async def test_the_file_chooser_starts_in_a_real_folder_with_an_empty_name(window, qtbot):
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    music = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation))
    Path.home().mkdir(parents=True, exist_ok=True)
    assert not music.is_dir()  # a home without a Music folder: the case that pre-filled "Music"
    window.tabs.setCurrentWidget(window.upload_tab)
    window.upload_tab.choose_file()
    await wait_until(lambda: any(d.isVisible() for d in window.upload_tab.findChildren(QFileDialog)))
    dialog = next(d for d in window.upload_tab.findChildren(QFileDialog) if d.isVisible())
    try:
        assert Path(dialog.directory().absolutePath()) == Path.home()
        name_box = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name_box is not None and name_box.text() == ""
    finally:
        dialog.reject()


async def test_the_provider_chip_on_upload_opens_settings(window, qtbot):
    from sonic_studio.ui.dialogs.settings import SettingsDialog

    window.tabs.setCurrentWidget(window.upload_tab)
    badge = window.upload_tab.provider_badge
    await wait_until(lambda: badge.isVisible() and "AI Music API" in badge.text())
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton, pos=badge.rect().center())
    await wait_until(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    for dialog in window.findChildren(SettingsDialog):
        dialog.reject()


async def test_the_tasks_dock_shows_more_than_two_tasks_at_1280x800_with_its_buttons_in_the_title_row(window, ctx, ui_emulator):
    for n in range(3):
        await ctx.studio.tasks.submit_generate(GenerationParams(model="sonic-v5-5", lyrics=f"[Verse]\nLine {n}",
                                                                tags="synthwave", title=f"Song {n}"))
    window.resize(1280, 800)
    await wait_until(lambda: (window.width(), window.height()) == (1280, 800))
    panel = window.tasks
    await wait_until(lambda: panel.model.rowCount() >= 3)
    await asyncio.sleep(0.05)  # let the dock take its height
    table = panel.table
    # Two rows whole and the third begun (it was one row before); the exact pixels depend on the
    # dock's final share of the height, which a loaded machine settles a few pixels differently.
    second, third = (table.visualRect(panel.model.index(row, 0)) for row in (1, 2))
    height = table.viewport().height()
    assert second.bottom() <= height and third.top() < height, (second, third, height)
    # The summary and the buttons share the dock's title row instead of taking a row of the list.
    title = window.tasks_dock.titleBarWidget()
    assert title is not None and panel.bar.parent() is title and panel.clear_button.isVisible()
