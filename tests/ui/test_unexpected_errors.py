"""Every submit path survives an exception nobody planned for (not a StudioError).

A bug or a broken library below the window raises something like ``RuntimeError``: the
button must come back (not stay on "Creating…"), the form keeps what was typed, and a
sentence next to the button says what happened.  Each test breaks exactly one service
call and drives the real widgets against the emulator.
"""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtCore import Qt
from test_extend_cover_tab import extend_tab, select_source, uploaded_clip
from test_extend_cover_tab import fill_form as fill_generation_form
from test_persona_library import build_panel, fill_dialog, make_persona
from test_persona_tab import build_ui, make_song, pick
from test_persona_tab import fill_form as fill_persona_form
from test_upload_tab import type_url, upload_tab

from sonic_studio.ui.dialogs.settings import SettingsDialog

SAYS = "did not finish: an unexpected error (RuntimeError: disk on fire)"


def broken(*_args, **_kwargs):
    async def fail(*_a, **_k):
        raise RuntimeError("disk on fire")

    return fail(*_args, **_kwargs)


async def test_upload(window, ctx, ui_emulator, qtbot, monkeypatch):
    tab = upload_tab(window)
    type_url(qtbot, tab, f"{ui_emulator.base_url}/samples/night-drive.mp3")
    monkeypatch.setattr(ctx.studio.tasks, "upload", broken)
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: tab.error.isVisible(), 10)
    assert tab.error.text() == f"The upload {SAYS}. Details are in Help › What happened."
    assert tab.upload_button.isEnabled() and not tab.busy()
    assert not tab.progress.isVisible() and not tab.cancel_button.isVisible()
    assert tab.source() == f"{ui_emulator.base_url}/samples/night-drive.mp3"  # nothing typed is lost


async def _submit_broken(window, ctx, ui_emulator, qtbot, monkeypatch, mode: str, service: str):
    tab = extend_tab(window)
    await select_source(ctx, tab, await uploaded_clip(ctx, ui_emulator))
    tab.set_mode(mode)
    fill_generation_form(qtbot, tab)
    monkeypatch.setattr(ctx.studio.tasks, service, broken)
    assert tab.submit_button.isEnabled(), tab.reason.text()
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: tab.submit_error.isVisible(), 10)
    assert SAYS in tab.submit_error.text()
    verb = "Extend" if mode == "extend" else "Cover"
    assert tab.submit_button.isEnabled() and tab.submit_button.text() == f"{verb} ▶"
    assert tab.form.title.text() == "Night Drive II"


async def test_extend(window, ctx, ui_emulator, qtbot, monkeypatch):
    await _submit_broken(window, ctx, ui_emulator, qtbot, monkeypatch, "extend", "submit_extend")
    assert window.extend_tab.submit_error.text().startswith("Submitting the extend did not finish")


async def test_cover(window, ctx, ui_emulator, qtbot, monkeypatch):
    await _submit_broken(window, ctx, ui_emulator, qtbot, monkeypatch, "cover", "submit_cover")
    assert window.extend_tab.submit_error.text().startswith("Submitting the cover did not finish")


async def test_persona_create(suno_ctx, ui_emulator, qtbot, monkeypatch):
    ui = build_ui(suno_ctx, qtbot)
    await pick(suno_ctx, ui, await make_song(suno_ctx))
    fill_persona_form(ui)
    monkeypatch.setattr(suno_ctx.studio.personas, "create", broken)
    assert ui.tab.submit_button.isEnabled(), ui.tab.reason_label.text()
    qtbot.mouseClick(ui.tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ui.tab.submit_error.isVisible(), 10)
    assert ui.tab.submit_error.text().startswith(f"Creating the persona {SAYS}")
    assert ui.tab.submit_button.text() == "Create persona" and ui.tab.submit_button.isEnabled()
    assert ui.tab.name_edit.text() == "Midnight Alto"
    assert suno_ctx.studio.personas.list() == []


async def test_generate_with_persona(suno_ctx, ui_emulator, qtbot, monkeypatch):
    panel = build_panel(suno_ctx, qtbot)
    record = await make_persona(suno_ctx, "Night Drive", "Midnight Alto")
    await wait_until(lambda: panel.model.rowCount() == 1)
    panel.show_persona(record.id)
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    dialog = panel._dialog
    fill_dialog(qtbot, dialog)
    monkeypatch.setattr(suno_ctx.studio.tasks, "submit_generate", broken)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: dialog.error_label.isVisible(), 10)
    assert dialog.error_label.text().startswith(f"Generating the song {SAYS}")
    assert dialog.isVisible() and dialog.submit_button.text() == "Generate" and dialog.submit_button.isEnabled()
    assert dialog.form.title.text() == "Harbour Lights"


async def test_settings_test_key_and_save(ctx, qtbot, monkeypatch):
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.demo.setChecked(False)
    qtbot.keyClicks(dialog.key, "sk-live-TEST-0123456789")
    monkeypatch.setattr(ctx.studio, "test_key", broken)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: dialog.test_result.text().startswith("✗"), 10)
    assert f"Testing the key {SAYS}" in dialog.test_result.text()
    assert dialog.test_button.isEnabled()

    monkeypatch.setattr(ctx.studio, "configure", broken)
    dialog.save_button.click()
    await wait_until(lambda: SAYS in dialog.error.text(), 10)
    assert dialog.error.text().startswith("Saving the settings")
    assert dialog.isVisible() and dialog.save_button.isEnabled()
