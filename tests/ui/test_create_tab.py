"""The Create tab driven like a person would, against the real emulator, on both providers.

Text is typed key by key, buttons are clicked and shortcuts pressed; the tests assert the
exact bodies the emulator received, watch the song land in the library with its lineage,
and check the helpers: "Write lyrics for me" replaces the lyrics as one step that Ctrl+Z
takes back, "Boost style" replaces the style (also undoable).  An over-long lyrics field
shows a sentence and sends nothing; a model without a voice choice says so.
"""

from __future__ import annotations

import pytest
from conftest import wait_until
from PySide6.QtCore import Qt

from sonic_studio.core.models import Persona, ProviderId
from sonic_studio.emulator.sunoapi import PersonaRecord as EmulatedPersona
from sonic_studio.store.records import TaskState
from sonic_studio.ui.format import lineage_sentence

SUBMIT = {ProviderId.SONIC: "/api/v1/sonic/create", ProviderId.SUNOAPI: "/api/v1/generate"}
MODEL = {ProviderId.SONIC: "sonic-v5", ProviderId.SUNOAPI: "V5"}
LYRICS = "[Verse]\nNeon rain on the windshield\n[Chorus]\nDrive until the morning"


@pytest.fixture(params=[ProviderId.SONIC, ProviderId.SUNOAPI], ids=["sonic", "sunoapi"])
async def setup(request, ui_emulator, tmp_path, qapp, qtbot):
    """(window, ctx, provider) on each provider, Create tab showing."""
    from tests.ui.conftest import _close_window, _make_ctx, _open_window

    ctx = await _make_ctx(ui_emulator, tmp_path, request.param.value)
    win = await _open_window(ctx, qtbot)
    win.tabs.setCurrentWidget(win.create_tab)
    yield win, ctx, request.param
    _close_window(win)
    ctx.player.stop()
    ctx.bridge.detach()
    await ctx.studio.aclose()


def panel_of(window):
    return window.create_tab.panel


def choose_model(panel, model: str) -> None:
    combo = panel.form.model
    combo.setCurrentIndex(combo.findData(model))


def type_lines(qtbot, editor, text: str) -> None:
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


async def finished(ctx):
    await wait_until(lambda: ctx.studio.tasks.list(limit=1) and
                     ctx.studio.tasks.list(limit=1)[0].provider_task_id is not None, 30)
    record = await ctx.studio.tasks.wait(ctx.studio.tasks.list(limit=1)[0].id, timeout=60)
    assert record.state is TaskState.SUCCEEDED, record.error
    clips = [ctx.studio.library.get(c) for c in record.clip_ids]
    await wait_until(lambda: all(ctx.studio.library.get(c.id).audio_path for c in clips), 30)
    return record, [ctx.studio.library.get(c.id) for c in clips]


# ---------------------------------------------------------------------------- the tab


async def test_create_is_the_first_tab(setup):
    window, _ctx, _provider = setup
    assert window.tabs.indexOf(window.create_tab) == 0 and window.tabs.tabText(0) == "Create"


async def test_a_song_from_a_description_lands_in_the_library(setup, ui_emulator, qtbot):
    window, ctx, provider = setup
    panel = panel_of(window)
    choose_model(panel, MODEL[provider])
    assert panel.form.mode.current() == "description"
    panel.form.description.setFocus()
    qtbot.keyClicks(panel.form.description, "a calm song about rain on a tin roof")
    qtbot.keyClicks(panel.form.negative_tags, "metal")
    assert panel.submit_button.isEnabled(), panel.reason.text()
    assert panel.cost.text().startswith("Estimated ")
    qtbot.mouseClick(panel.submit_button, Qt.MouseButton.LeftButton)

    await wait_until(lambda: ui_emulator.submissions(SUBMIT[provider]), 20)
    body = ui_emulator.submissions(SUBMIT[provider])[0].json
    if provider is ProviderId.SONIC:
        assert body == {"task_type": "create_music", "mv": "sonic-v5", "custom_mode": False,
                        "gpt_description_prompt": "a calm song about rain on a tin roof", "negative_tags": "metal",
                        "make_instrumental": False, "use_suno_cdn": False}
    else:
        assert {k: v for k, v in body.items() if k != "callBackUrl"} == {
            "customMode": False, "instrumental": False, "model": "V5",
            "prompt": "a calm song about rain on a tin roof", "negativeTags": "metal"}
    record, clips = await finished(ctx)
    assert len(clips) == 2 and all(c.audio_path for c in clips)
    assert lineage_sentence(ctx.studio.library.get(clips[0].id)).startswith("A new song created from a description")
    await wait_until(lambda: panel.confirmation.isVisible(), 10)
    assert len(ui_emulator.submissions(SUBMIT[provider])) == 1


async def test_custom_mode_with_lyrics_style_and_title(setup, ui_emulator, qtbot):
    window, ctx, provider = setup
    panel = panel_of(window)
    choose_model(panel, MODEL[provider])
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    panel.form.lyrics.setFocus()
    type_lines(qtbot, panel.form.lyrics, LYRICS)
    qtbot.keyClicks(panel.form.tags, "synthwave, night")
    qtbot.keyClicks(panel.form.title, "Night Drive")
    panel.form.vocal_gender.setCurrentIndex(panel.form.vocal_gender.findData("f"))
    qtbot.keyClick(panel.form.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter

    await wait_until(lambda: ui_emulator.submissions(SUBMIT[provider]), 20)
    body = ui_emulator.submissions(SUBMIT[provider])[0].json
    if provider is ProviderId.SONIC:
        assert body == {"task_type": "create_music", "mv": "sonic-v5", "custom_mode": True, "prompt": LYRICS,
                        "tags": "synthwave, night", "title": "Night Drive", "make_instrumental": False,
                        "vocal_gender": "f", "use_suno_cdn": False}
    else:
        assert {k: v for k, v in body.items() if k != "callBackUrl"} == {
            "customMode": True, "instrumental": False, "model": "V5", "prompt": LYRICS,
            "style": "synthwave, night", "title": "Night Drive", "vocalGender": "f"}
    _record, clips = await finished(ctx)
    assert {c.title for c in clips} == {"Night Drive"}


async def test_write_lyrics_inserts_a_draft_and_ctrl_z_brings_mine_back(setup, ui_emulator, qtbot):
    window, _ctx, provider = setup
    panel = panel_of(window)
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    editor = panel.form.lyrics
    editor.setFocus()
    type_lines(qtbot, editor, "my own words\nsecond line")
    qtbot.keyClicks(panel.lyrics_about, "a road trip at dawn")
    assert panel.write_cost.text() in ("2 credits", "price not published")
    qtbot.mouseClick(panel.write_button, Qt.MouseButton.LeftButton)

    await wait_until(lambda: "[Verse]" in editor.toPlainText(), 30)
    written = editor.toPlainText()
    assert "a road trip at dawn" in written and "[Chorus]" in written
    assert panel.form.title.text()  # the draft's title filled the empty title
    path = "/api/v1/sonic/lyrics" if provider is ProviderId.SONIC else "/api/v1/lyrics"
    sent = ui_emulator.submissions(path)
    assert len(sent) == 1
    assert sent[0].json == ({"description": "a road trip at dawn"} if provider is ProviderId.SONIC
                            else {"prompt": "a road trip at dawn", "callBackUrl": sent[0].json["callBackUrl"]})
    assert panel.other_draft_button.isVisible()

    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "my own words\nsecond line"
    assert ui_emulator.submissions(SUBMIT[provider]) == []  # helpers never send the song


async def test_write_lyrics_needs_a_line_about_the_song(setup, ui_emulator, qtbot):
    window, _ctx, provider = setup
    panel = panel_of(window)
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    qtbot.keyClick(panel.form.lyrics, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Ctrl+L
    assert panel.helper_error.isVisible() and "what the lyrics should be about" in panel.helper_error.text()
    assert [r for r in ui_emulator.requests if "lyrics" in r.path] == []


async def test_write_lyrics_from_description_mode_uses_the_description(window, ui_emulator, qtbot):
    window.tabs.setCurrentWidget(window.create_tab)
    panel = panel_of(window)
    qtbot.keyClicks(panel.form.description, "lighthouse keeper")
    assert not panel.write_button.isVisible()  # the writer row belongs to Lyrics & style; Ctrl+L works anyway
    qtbot.keyClick(panel.form.description, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: "[Verse]" in panel.form.lyrics.toPlainText(), 20)
    assert panel.form.custom_mode() and panel.lyrics_about.text() == "lighthouse keeper"
    assert ui_emulator.submissions("/api/v1/sonic/lyrics")[0].json == {"description": "lighthouse keeper"}


async def test_boost_style_replaces_the_style_undoably(setup, ui_emulator, qtbot):
    window, _ctx, provider = setup
    panel = panel_of(window)
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.form.tags, "synthwave")
    qtbot.keyClick(panel.form.tags, Qt.Key.Key_B,
                  Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # Ctrl+Shift+B
    await wait_until(lambda: panel.form.tags.text().startswith("synthwave, "), 20)
    path = "/api/v1/sonic/upsample-tags" if provider is ProviderId.SONIC else "/api/v1/style/generate"
    assert ui_emulator.last(path).json == ({"tags": "synthwave"} if provider is ProviderId.SONIC
                                           else {"content": "synthwave"})
    qtbot.keyClick(panel.form.tags, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.form.tags.text() == "synthwave"


async def test_over_limit_lyrics_show_a_sentence_and_send_nothing(setup, ui_emulator, qtbot):
    window, _ctx, provider = setup
    panel = panel_of(window)
    choose_model(panel, MODEL[provider])
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.form.tags, "pop")
    qtbot.keyClicks(panel.form.title, "Too Long")
    panel.form.lyrics.setPlainText("[Verse]\n" + "la " * 1700)  # 5108 characters, over 5000
    panel.form.mark_edited("lyrics")
    assert "more than the 5,000 this model takes" in panel.form.count_label.text()
    assert "allows 5000" in panel.form.error_text("lyrics")
    assert not panel.submit_button.isEnabled()
    qtbot.keyClick(panel.form.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel.submit()
    assert ui_emulator.submissions(SUBMIT[provider]) == []


async def test_vocal_gender_is_off_with_a_sentence_for_models_without_it(window, ui_emulator, qtbot):
    window.tabs.setCurrentWidget(window.create_tab)
    panel = panel_of(window)
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    choose_model(panel, "sonic-v5")
    panel.form.vocal_gender.setCurrentIndex(panel.form.vocal_gender.findData("m"))
    assert panel.form.vocal_gender.isEnabled() and not panel.form.vocal_note.isVisible()
    choose_model(panel, "sonic-v5-5")
    assert not panel.form.vocal_gender.isEnabled()
    assert panel.form.vocal_gender.currentData() is None  # never sent to a model that refuses it
    assert panel.form.vocal_note.isVisible()
    assert panel.form.vocal_note.text() == ("Sonic v5.5 does not take a voice choice; "
                                            "Sonic v5, Sonic v4.5+, Sonic v4.5 do.")


async def test_persona_is_sent_and_needs_lyrics_mode_on_sunoapi(suno_window, suno_ctx, ui_emulator, qtbot):
    ui_emulator.state["sunoapi"].personas["p-nova"] = EmulatedPersona(
        "p-nova", "Nova", "airy alto", "t-1", "a-1", "dream pop", 10.0, 30.0)
    suno_ctx.studio.store.personas.add(Persona("p-nova", ProviderId.SUNOAPI, "Nova", "airy alto"),
                                         source_clip=None)
    suno_ctx.bridge.personaAdded.emit(None)
    suno_window.tabs.setCurrentWidget(suno_window.create_tab)
    panel = panel_of(suno_window)
    choose_model(panel, "V5")
    assert panel.choose_persona("p-nova")
    qtbot.keyClicks(panel.form.description, "rain")
    assert not panel.submit_button.isEnabled()
    assert "only from your own lyrics and style" in panel.persona_error.text()

    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    panel.form.lyrics.setFocus()
    type_lines(qtbot, panel.form.lyrics, LYRICS)
    qtbot.keyClicks(panel.form.tags, "dream pop")
    qtbot.keyClicks(panel.form.title, "Nova Sings")
    assert not panel.persona_error.isVisible()
    qtbot.mouseClick(panel.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ui_emulator.submissions("/api/v1/generate"), 20)
    body = ui_emulator.submissions("/api/v1/generate")[0].json
    assert (body["personaId"], body["personaModel"], body["customMode"]) == ("p-nova", "style_persona", True)
    record, _clips = await finished(suno_ctx)
    assert "with persona “Nova”" in record.title


async def test_create_tab_screenshot_with_written_lyrics_and_a_boosted_style(window, ctx, ui_emulator, qtbot, qapp,
                                                                              tmp_path):
    """The Create tab at 1280x800 after both helpers ran.  Saved to docs/screenshots/create.png
    when SONIC_STUDIO_SCREENSHOT_DIR points there."""
    import asyncio
    import os
    from pathlib import Path

    from sonic_studio.ui import theme

    theme.apply(qapp)
    window.resize(1280, 800)
    window.tabs.setCurrentWidget(window.create_tab)
    panel = panel_of(window)
    choose_model(panel, "sonic-v5")
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.lyrics_about, "a night drive through a rainy city")
    qtbot.mouseClick(panel.write_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: "[Verse]" in panel.form.lyrics.toPlainText(), 20)
    qtbot.keyClicks(panel.form.tags, "synthwave, night")
    qtbot.mouseClick(panel.boost_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: panel.form.tags.text().startswith("synthwave, night, "), 20)
    qtbot.keyClicks(panel.form.negative_tags, "metal")
    panel.form.vocal_gender.setCurrentIndex(panel.form.vocal_gender.findData("f"))
    await wait_until(lambda: panel.submit_button.isEnabled(), 10)
    await asyncio.sleep(0.3)
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "create.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out))
    assert ui_emulator.submissions("/api/v1/sonic/create") == []


async def test_readme_first_song_steps_other_draft_and_section_tags(window, ui_emulator, qtbot):
    """The README's "your first song" step 3 beyond the other tests: Alt+1, Other draft, a tag from the menu."""
    window.tabs.setCurrentWidget(window.upload_tab)
    window.view_menu.actions()[0].trigger()  # View › Create (Alt+1)
    assert window.tabs.currentWidget() is window.create_tab
    panel = panel_of(window)
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.lyrics_about, "harbour lights")
    qtbot.mouseClick(panel.write_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: "[Verse]" in panel.form.lyrics.toPlainText(), 20)
    first = panel.form.lyrics.toPlainText()
    qtbot.mouseClick(panel.other_draft_button, Qt.MouseButton.LeftButton)
    second = panel.form.lyrics.toPlainText()
    assert second != first and "[Chorus]" in second
    editor = panel.form.lyrics
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    next(a for a in editor.section_menu.actions() if a.text() == "[Outro]").trigger()
    assert editor.toPlainText().endswith("\n[Outro]\n")
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the tag, as one step
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the typed new line
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the other draft
    assert editor.toPlainText() == first


async def test_ctrl_enter_with_several_problems_marks_every_field_and_sends_nothing(setup, ui_emulator, qtbot):
    """Issue 17: "(+2 more)" on the bar used to hide problems; now each one is under its own
    field, in words, with the field outlined, the moment the person tries to send."""
    window, _ctx, provider = setup
    panel = panel_of(window)
    choose_model(panel, MODEL[provider])
    qtbot.mouseClick(panel.form.mode.button("custom"), Qt.MouseButton.LeftButton)
    panel.form.lyrics.setFocus()
    qtbot.keyClicks(panel.form.title, "Night Drive " * 20)  # far over any model's title limit
    # Lyrics and style left empty.
    qtbot.keyClick(panel.form.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: panel.form.error_text("lyrics") != "", 5)
    problems = panel.problems()
    fields = {p.field for p in problems}
    assert {"lyrics", "title"} <= fields, problems
    for problem in problems:
        first = next(p.message for p in problems if p.field == problem.field)
        assert panel.form.error_text(problem.field) == first and first.endswith("."), problem
        assert panel.form._errors[problem.field].isVisible(), problem.field
        assert panel.form._inputs[problem.field].property("invalid") is True, problem.field
    assert panel.bar.reason.text().endswith(f"(+{len(problems) - 1} more)")
    assert ui_emulator.submissions(SUBMIT[provider]) == []
