"""Edit › Undo / Redo over the library (rename, delete, keeper ★), and File › Open audio… / Export…,
driven through the real window's menus against the emulator; what the library stores is checked."""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtWidgets import QFileDialog

from sonic_studio.ui.components.clip_model import COL_TITLE


async def uploaded(ctx, emulator, sample: str, title: str) -> int:
    clip = await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/{sample}")
    ctx.studio.library.rename(clip.id, title)
    return clip.id


def stored(ctx, clip: int):
    return ctx.studio.library.get_or_none(clip)


async def test_undo_and_redo_walk_back_rename_keeper_and_delete(window, ctx, ui_emulator):
    first = await uploaded(ctx, ui_emulator, "night-drive.mp3", "Night Drive")
    second = await uploaded(ctx, ui_emulator, "rain-on-glass.mp3", "Rain")
    library, undo, redo = window.library, window.actions["undo"], window.actions["redo"]
    window.library_dock.show()
    await wait_until(lambda: library.model.row_of(second) is not None and library.model.row_of(first) is not None)
    assert not undo.isEnabled() and undo.text() == "&Undo"

    # Rename in place (what F2 + Enter does), mark a keeper, delete the other clip.
    assert library.model.setData(library.model.index(library.model.row_of(first), COL_TITLE), "Night Drive (final)")
    assert stored(ctx, first).title == "Night Drive (final)"
    assert undo.isEnabled() and undo.text() == "&Undo rename “Night Drive (final)”"
    library.toggle_keeper([first])
    assert stored(ctx, first).keeper
    library.delete_clips([second])
    assert stored(ctx, second).deleted
    assert undo.text() == "&Undo delete “Rain”"

    undo.trigger()  # the delete
    assert not stored(ctx, second).deleted
    await wait_until(lambda: library.model.row_of(second) is not None)
    undo.trigger()  # the keeper
    assert not stored(ctx, first).keeper
    undo.trigger()  # the rename
    assert stored(ctx, first).title == "Night Drive"
    assert not undo.isEnabled() and redo.isEnabled()
    assert redo.text() == "&Redo rename “Night Drive (final)”"

    redo.trigger()
    redo.trigger()
    assert stored(ctx, first).title == "Night Drive (final)" and stored(ctx, first).keeper
    redo.trigger()
    assert stored(ctx, second).deleted
    await wait_until(lambda: library.model.row_of(second) is None)
    assert not redo.isEnabled()


async def test_the_delete_notices_undo_is_the_same_step_as_the_menus(window, ctx, ui_emulator):
    clip = await uploaded(ctx, ui_emulator, "night-drive.mp3", "Night Drive")
    library = window.library
    window.library_dock.show()
    await wait_until(lambda: library.model.row_of(clip) is not None)
    library.delete_clips([clip])
    library.undo_delete()  # the notice's Undo button
    assert not stored(ctx, clip).deleted
    assert not window.actions["undo"].isEnabled()  # nothing left to undo: the step was taken back once
    assert window.actions["redo"].text() == "&Redo delete “Night Drive”"


async def test_file_open_audio_opens_the_chooser_on_the_upload_tab(window, ctx):
    window.tabs.setCurrentWidget(window.persona_tab)
    window.actions["open_audio"].trigger()
    assert window.tabs.currentWidget() is window.upload_tab
    assert window.upload_tab.source_switch.current() == "file"
    dialogs = [d for d in window.upload_tab.findChildren(QFileDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].windowTitle() == "Choose an audio file"
    dialogs[0].reject()


async def test_file_export_asks_where_to_save_the_selected_clip(window, ctx, ui_emulator):
    clip = await uploaded(ctx, ui_emulator, "night-drive.mp3", "Night Drive")
    library = window.library
    window.library_dock.show()
    await wait_until(lambda: library.model.row_of(clip) is not None)
    library.select_clip(clip)
    await wait_until(lambda: library._current_id() == clip)
    window.actions["export"].trigger()
    dialogs = [d for d in library.findChildren(QFileDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].windowTitle() == "Export “Night Drive” as MP3"
    dialogs[0].reject()
