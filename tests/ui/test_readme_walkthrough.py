"""The README's "first persona in demo mode" walkthrough, click by click, on the default provider.

If this fails, the README promises something the app does not do.
"""

from __future__ import annotations

import pytest
from conftest import wait_until
from PySide6.QtCore import Qt

from sonic_studio.ui.components.generate_persona import GeneratePersonaDialog


async def test_readme_walkthrough_upload_sample_make_persona_generate(window, ctx, ui_emulator, qtbot):
    studio = ctx.studio
    # 2. Upload tab: click the demo sample night-drive.mp3, then Upload.
    window.tabs.setCurrentWidget(window.upload_tab)
    sample = next(b for b in window.upload_tab.sample_buttons if "night-drive" in b.text())
    qtbot.mouseClick(sample, Qt.MouseButton.LeftButton)
    await wait_until(lambda: window.upload_tab.upload_button.isEnabled(), 10)
    qtbot.mouseClick(window.upload_tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ctx.selected_clip is not None, 20)
    clip = studio.library.get(ctx.selected_clip)
    assert clip.audio_path and abs(clip.duration - 96.0) < 0.5

    # 3. Persona tab: the waveform, a range over a sung passage, play selection.
    window.tabs.setCurrentWidget(window.persona_tab)
    tab = window.persona_tab
    await wait_until(lambda: tab.waveform.status() == "ready", 20)
    tab.start_spin.setValue(42.50)
    tab.end_spin.setValue(61.25)
    assert tab.waveform.range() == (42.5, 61.25)
    qtbot.mouseClick(tab.play_button, Qt.MouseButton.LeftButton)

    # 4. Name, a specific description, Create persona: 2 credits, vocal extraction + persona, as the tab says.
    assert "2 credits in all" in tab.terms_label.text() and tab.terms_label.isVisible()
    before = ui_emulator.credits["sonic"]
    qtbot.keyClicks(tab.name_edit, "Night voice")
    tab.description_edit.setPlainText("Breathy alto over analog synth pads, melancholic synthwave at 90 bpm")
    qtbot.keyClicks(tab.styles_edit, "synthwave")
    await wait_until(lambda: tab.submit_button.isEnabled(), 5)
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: studio.personas.list(), 15)
    persona = studio.personas.list()[0]
    [vox] = ui_emulator.submissions("/api/v1/sonic/vox")
    assert vox.json == {"clip_id": clip.clip_id, "vocal_start_s": 42.5, "vocal_end_s": 61.25}
    [body] = [r.json for r in ui_emulator.submissions("/api/v1/sonic/persona")]
    assert body["clip_id"] == clip.clip_id and body["name"] == "Night voice"
    assert (body["vocal_start_s"], body["vocal_end_s"]) == (42.5, 61.25)
    assert body["vox_audio_id"] in ui_emulator.state["sonic"].voxes
    assert ui_emulator.credits["sonic"] == before - 2

    # 5. Library → Personas: select it, Generate with this persona, fill, submit.
    window.library_tabs.setCurrentWidget(window.personas)
    await wait_until(lambda: window.personas.model.rowCount() == 1, 5)
    window.personas.view.setCurrentIndex(window.personas.model.index(0))
    await wait_until(lambda: window.personas.generate_button.isEnabled(), 5)
    qtbot.mouseClick(window.personas.generate_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(GeneratePersonaDialog)
    form = dialog.form
    form.lyrics.setPlainText("[Verse]\nMorning comes in violet\n[Chorus]\nSing it back to me")
    form.tags.setText("synthwave, pop")
    form.title.setText("Violet Morning")
    await wait_until(lambda: dialog.submit_button.isEnabled(), 5)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: any(r.json and r.json.get("task_type") == "persona_music"
                                 for r in ui_emulator.submissions("/api/v1/sonic/create")), 10)
    create = [r.json for r in ui_emulator.submissions("/api/v1/sonic/create")][-1]
    assert create["persona_id"] == persona.persona_id
    # The emulator has the request; wait until our side has stored the provider's task id.
    await wait_until(lambda: studio.tasks.list(limit=1)[0].provider_task_id is not None, 10)
    task = studio.tasks.list(limit=1)[0]
    done = await studio.tasks.wait(task.id, timeout=30)
    assert done.state.value == "succeeded" and len(done.clip_ids) == 2
    for clip_id in done.clip_ids:
        detail = studio.library.get(clip_id)
        assert detail.persona_id == persona.persona_id and detail.audio_path


async def test_readme_walkthrough_replace_a_chorus(window, ctx, ui_emulator, qtbot):
    """Steps 6-9, "Replace a chorus (Edit tab)", with the keys and the mouse the README names."""
    from test_edit_tab import drag, song, type_lines

    from sonic_studio.core.edits import EditOp
    from sonic_studio.services.edits import span_text
    from sonic_studio.ui.format import lineage_short

    studio = ctx.studio
    clip = await song(ctx)
    source = studio.library.get(clip)
    # 6. Select the song in the library, then Alt+5 opens the Edit tab.
    library = window.library
    await wait_until(lambda: library.model.row_of(clip) is not None, 10)
    rect = library.table.visualRect(library.model.index(library.model.row_of(clip), 0))
    qtbot.mouseClick(library.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    tab = window.edit_tab
    assert window.tabs.currentWidget() is tab
    # 7. "Replace a section" is chosen; drag a new range over the chorus with the mouse.
    assert tab.op() is EditOp.REPLACE_SECTION
    await wait_until(lambda: tab.waveform.status() == "ready" and tab.waveform.duration() > 0, 30)
    view = tab.waveform
    drag(qtbot, view, 50.0, 65.0)  # outside the range it opened with (a quarter in): draws a new one
    got = tab.range()
    px = view.duration() / view.wave_rect().width()
    assert got == pytest.approx((50.0, 65.0), abs=2 * px), got
    # 8. New words, the cost shown before sending, Ctrl+Enter.
    type_lines(qtbot, tab.lyrics, "[Chorus]\nBrand new chorus")
    assert tab.cost.text().startswith("Estimated 15 credits")
    qtbot.keyClick(tab.lyrics, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: ui_emulator.submissions("/api/v1/sonic/replace-section"), 20)
    body = ui_emulator.submissions("/api/v1/sonic/replace-section")[-1].json
    assert body["clip_id"] == source.clip_id and body["infill_lyrics"] == "[Chorus]\nBrand new chorus"
    assert (body["infill_start_s"], body["infill_end_s"]) == got
    await wait_until(lambda: studio.tasks.list(limit=1)[0].provider_task_id is not None, 20)
    record = await studio.tasks.wait(studio.tasks.list(limit=1)[0].id, timeout=60)
    titles = [lineage_short(studio.library.get(c)) for c in record.clip_ids]
    assert f"replaced {span_text(*got)} of Night Drive" in titles, titles
    # 9. The result under "Hear the result"; Alt+O, Alt+R and Alt+S play the same place of each.
    await wait_until(lambda: tab.results.currentData() is not None, 10)
    result = studio.library.get(tab.results.currentData())
    # A button's shortcut clicks it after a short animation: wait for what is heard.
    for key, audio, wanted in ((Qt.Key.Key_O, source.audio_path, got),
                               (Qt.Key.Key_R, result.audio_path, got),
                               (Qt.Key.Key_S, result.audio_path, (got[0] - 3.0, got[0] + 3.0))):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.AltModifier)
        await wait_until(lambda a=audio, w=wanted: str(ctx.player.source) == str(a) and ctx.player.playing_range
                         is not None and ctx.player.playing_range[:2] == pytest.approx(w, abs=0.01), 10)
