"""Library › Personas against the real emulator: listing, search, audition, rename, notes,
forgetting (the provider keeps it), and "Generate with this persona" - checking the exact
generate bodies each provider received and the persona in the results' lineage."""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from sonic_studio.core.models import GenerationParams, ProviderId
from sonic_studio.store import ClipQuery, TaskState
from sonic_studio.ui.components.generate_persona import GeneratePersonaDialog
from sonic_studio.ui.panels.personas import EMPTY_TEXT, PersonaListModel, PersonasPanel


async def make_song(ctx, title: str) -> int:
    params = GenerationParams(model=ctx.studio.capabilities.default_model, lyrics="[Verse]\nneon on the water",
                              tags="synthwave", title=title)
    task = await ctx.studio.tasks.submit_generate(params)
    done = await ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    return done.clip_ids[0]


async def make_persona(ctx, title: str, name: str, styles: str = "synthwave", window=(42.5, 61.25)):
    clip = await make_song(ctx, title)
    return await ctx.studio.personas.create(clip, name, f"{name}: breathy alto, warm pads", styles, *window)


def build_panel(ctx, qtbot) -> PersonasPanel:
    panel = PersonasPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(380, 640)
    panel.show()
    return panel


def names(panel) -> list[str]:
    return [panel.model.index(r).data() for r in range(panel.model.rowCount())]


async def test_empty_state_says_what_to_do(suno_ctx, qtbot):
    panel = build_panel(suno_ctx, qtbot)
    assert panel.stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == EMPTY_TEXT
    assert EMPTY_TEXT == "No personas yet — pick a clip, select 10–30 s of clean vocals in the Persona tab"
    assert panel.details.isHidden()


async def test_list_shows_source_window_styles_provider_and_date_and_searches(suno_ctx, qtbot):
    panel = build_panel(suno_ctx, qtbot)
    first = await make_persona(suno_ctx, "Night Drive", "Midnight Alto", "synthwave")
    await make_persona(suno_ctx, "Rain on Glass", "Glass Tenor", "dream pop", window=(10.0, 25.5))
    await wait_until(lambda: panel.model.rowCount() == 2)
    assert panel.stack.currentWidget() is panel.view
    assert names(panel) == ["Glass Tenor", "Midnight Alto"]  # newest first

    item = panel.model.index(1).data(PersonaListModel.ItemRole)
    assert (item.clip_title, item.provider_name) == ("Night Drive", "sunoapi.org")
    tip = panel.model.index(1).data(Qt.ItemDataRole.ToolTipRole)
    assert "From “Night Drive”, 0:42.50–1:01.25" in tip and "breathy alto" in tip

    panel.view.setCurrentIndex(panel.model.index(1))
    assert panel.current().id == first.id
    assert panel.source_label.text() == "From “Night Drive” · 0:42.50–1:01.25"
    assert panel.name_edit.text() == "Midnight Alto"
    assert panel.generate_button.isEnabled()

    qtbot.keyClicks(panel.search, "dream")
    await wait_until(lambda: names(panel) == ["Glass Tenor"])
    assert panel.count_label.text() == "1 of 2"
    panel.search.clear()
    qtbot.keyClicks(panel.search, "zzz")
    await wait_until(lambda: panel.stack.currentWidget() is panel.empty_label)
    assert panel.empty_label.text() == "No persona matches “zzz”."
    panel.search.clear()
    await wait_until(lambda: panel.model.rowCount() == 2)
    assert panel.current() is not None and panel.current().id == first.id  # the selection survived


async def test_rename_and_notes_are_local_and_saved(suno_ctx, ui_emulator, qtbot):
    panel = build_panel(suno_ctx, qtbot)
    record = await make_persona(suno_ctx, "Night Drive", "Midnight Alto")
    other = await make_persona(suno_ctx, "Rain on Glass", "Glass Tenor")
    await wait_until(lambda: panel.model.rowCount() == 2)
    panel.show_persona(record.id)
    requests = len(ui_emulator.requests)

    panel.name_edit.setFocus()
    panel.name_edit.selectAll()
    qtbot.keyClicks(panel.name_edit, "Velvet Alto")
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert suno_ctx.studio.personas.get(record.id).name == "Velvet Alto"
    assert "Velvet Alto" in names(panel)

    qtbot.keyClicks(panel.notes_edit, "Best on slow ballads")
    await wait_until(lambda: suno_ctx.studio.personas.get(record.id).notes == "Best on slow ballads")
    # Switching to another persona shows its own (empty) notes, and back again.
    panel.show_persona(other.id)
    assert panel.notes_edit.toPlainText() == ""
    panel.show_persona(record.id)
    assert panel.notes_edit.toPlainText() == "Best on slow ballads"
    # An empty name is not accepted: it goes back to the old one.
    panel.name_edit.setFocus()
    panel.name_edit.clear()
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert panel.name_edit.text() == "Velvet Alto"
    assert len(ui_emulator.requests) == requests  # nothing of this went to the provider


async def test_forget_asks_says_the_provider_keeps_it_and_removes_locally(suno_ctx, ui_emulator, qtbot):
    panel = build_panel(suno_ctx, qtbot)
    record = await make_persona(suno_ctx, "Night Drive", "Midnight Alto")
    await wait_until(lambda: panel.model.rowCount() == 1)
    panel.show_persona(record.id)

    box = panel.confirm_delete()
    assert box.text() == "Forget “Midnight Alto” on this computer?"
    assert "sunoapi.org keeps the persona" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    await wait_until(lambda: not box.isVisible())
    assert panel.model.rowCount() == 1

    box = panel.confirm_delete()
    forget = next(b for b in box.buttons() if b.text() == "Forget")
    forget.click()
    await wait_until(lambda: panel.model.rowCount() == 0)
    assert suno_ctx.studio.personas.list() == []
    assert panel.stack.currentWidget() is panel.empty_label and panel.details.isHidden()
    assert record.persona_id in ui_emulator.state["sunoapi"].personas  # still at the provider


async def test_audition_plays_the_segment_that_made_it(suno_ctx, qtbot, monkeypatch):
    panel = build_panel(suno_ctx, qtbot)
    record = await make_persona(suno_ctx, "Night Drive", "Midnight Alto")
    await wait_until(lambda: panel.model.rowCount() == 1)
    player = suno_ctx.player
    calls = []
    original = player.play_range
    monkeypatch.setattr(player, "play_range", lambda s, e, loop=False: (calls.append((s, e, loop)), original(s, e, loop)))

    rect = panel.view.visualRect(panel.model.index(0))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    await wait_until(lambda: calls)
    assert calls == [(42.5, 61.25, False)]
    clip = suno_ctx.studio.library.get(record.source_clip)
    assert str(player.source) == str(clip.audio_path)
    qtbot.mouseClick(panel.audition_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: len(calls) == 2)
    assert calls[1] == (42.5, 61.25, False)


def fill_dialog(qtbot, dialog: GeneratePersonaDialog, title: str = "Harbour Lights") -> None:
    dialog.form.lyrics.setFocus()
    qtbot.keyClicks(dialog.form.lyrics, "[Verse]")  # (QTest cannot type "\n" itself)
    qtbot.keyClick(dialog.form.lyrics, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.form.lyrics, "harbour lights are calling")
    qtbot.keyClicks(dialog.form.title, title)


async def test_generate_with_persona_on_sunoapi(suno_ctx, ui_emulator, qtbot):
    panel = build_panel(suno_ctx, qtbot)
    record = await make_persona(suno_ctx, "Night Drive", "Midnight Alto", "synthwave, dream pop")
    await wait_until(lambda: panel.model.rowCount() == 1)
    panel.show_persona(record.id)

    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    dialog = panel._dialog
    assert isinstance(dialog, GeneratePersonaDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Generate with “Midnight Alto”"
    assert dialog.form.tags.text() == "synthwave, dream pop"  # the persona's styles, editable
    assert not dialog.form.mode.button("description").isEnabled()  # sunoapi.org: custom mode only
    assert "personaId + personaModel “style_persona”" in dialog.mapping_label.text()
    assert not dialog.submit_button.isEnabled() and dialog.reason_label.text()

    fill_dialog(qtbot, dialog)
    assert dialog.submit_button.isEnabled(), dialog.reason_label.text()
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not dialog.isVisible())
    body = ui_emulator.last("/api/v1/generate").json
    assert body["personaId"] == record.persona_id
    assert body["personaModel"] == "style_persona"
    assert body["customMode"] is True
    assert body["prompt"] == "[Verse]\nharbour lights are calling"
    assert body["title"] == "Harbour Lights" and body["style"] == "synthwave, dream pop"

    done = await suno_ctx.studio.tasks.wait(dialog.task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    made = await suno_ctx.studio.library.query(ClipQuery(persona_id=record.persona_id))
    assert sorted(c.id for c in made) == sorted(done.clip_ids) and len(made) == 2
    assert all(c.persona_id == record.persona_id for c in made)
    assert suno_ctx.studio.library.get(made[0].id).lineage.persona_id == record.persona_id


async def test_generate_with_persona_on_sonic_uses_persona_music(ctx, ui_emulator, qtbot):
    panel = build_panel(ctx, qtbot)
    record = await make_persona(ctx, "Night Drive", "Midnight Alto")
    await wait_until(lambda: panel.model.rowCount() == 1)
    panel.show_persona(record.id)
    dialog = panel.open_generate()
    assert dialog.form.mode.button("description").isEnabled()
    assert "task_type “persona_music” with persona_id" in dialog.mapping_label.text()
    fill_dialog(qtbot, dialog)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not dialog.isVisible())
    body = ui_emulator.last("/api/v1/sonic/create").json
    assert body["task_type"] == "persona_music" and body["persona_id"] == record.persona_id
    assert "persona_model" not in body and "personaModel" not in body
    done = await ctx.studio.tasks.wait(dialog.task.id, timeout=30)
    made = await ctx.studio.library.query(ClipQuery(persona_id=record.persona_id))
    assert made and {c.id for c in made} == set(done.clip_ids)


async def test_a_persona_of_the_other_provider_says_where_it_lives(suno_ctx, qtbot):
    panel = build_panel(suno_ctx, qtbot)
    record = await make_persona(suno_ctx, "Night Drive", "Midnight Alto")
    await wait_until(lambda: panel.model.rowCount() == 1)
    panel.show_persona(record.id)
    await suno_ctx.studio.configure(provider=ProviderId.SONIC)
    await wait_until(lambda: not panel.generate_button.isEnabled())
    assert panel.notice_label.isVisible()
    assert panel.notice_label.text() == (
        "This persona lives at sunoapi.org; switch to sunoapi.org in Settings to generate with it."
    )
    assert panel.generate_button.toolTip() == panel.notice_label.text()
    assert panel.open_generate() is None
