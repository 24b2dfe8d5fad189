"""The whole persona story in the real main window against the emulated sunoapi.org.

Make a song -> pick it in the library -> select 42.50–61.25 s on its waveform -> hear it
-> create the persona -> find it in Library › Personas -> generate a new song with it
-> the result is in the library, linked to the persona.  Plus the refusals a person
can run into: a second persona from the same clip (409) and an uploaded clip.
The polished screenshot of the Persona tab (docs/screenshots/persona.png) is taken
here, mid-flow, with the selection and the form filled in.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from conftest import wait_until
from PySide6.QtCore import QPoint, QSettings, Qt

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator import synth
from sonic_studio.store import ClipQuery, TaskState
from sonic_studio.ui import theme

SUNO_PERSONA = "/api/v1/generate/generate-persona"
# Screenshots go to a temp dir unless SONIC_STUDIO_SCREENSHOT_DIR asks for them
# (scripts/screenshots.sh sets it to docs/screenshots), so test runs leave the tree clean.
SCREENSHOT_DIR = os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR")


@pytest.fixture
async def suno_window(suno_ctx, qapp):
    """The real main window on sunoapi.org, 1280x800, with a clean window state.

    Not handed to ``qtbot.addWidget``: pytest-qt calls ``deleteLater`` on its widgets
    before fixture teardown runs, and this async teardown's event loop may process that
    deletion before the code below can close the window.
    """
    from sonic_studio.ui.main_window import MainWindow

    QSettings().clear()
    theme.apply(qapp)
    win = MainWindow()
    win.attach(suno_ctx)
    win.set_demo(True)
    win.resize(1280, 800)
    win.show()
    yield win
    suno_ctx.bridge.detach()  # no service events into a window that is going away
    win.quit(ask=False)  # no "tasks still running" question at teardown
    win.deleteLater()
    QSettings().clear()


async def make_song(ctx, title: str = "Night Drive") -> int:
    params = GenerationParams(model="V5", lyrics="[Verse]\nneon on the water\n[Chorus]\ndrive all night",
                              tags="synthwave, female vocals", title=title)
    task = await ctx.studio.tasks.submit_generate(params)
    done = await ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    return done.clip_ids[0]


def point(view, seconds: float) -> QPoint:
    return QPoint(round(view.x_for_time(seconds)), round(view.wave_rect().center().y()))


def drag(qtbot, view, t_from: float, t_to: float, steps: int = 10) -> None:
    a, b = point(view, t_from), point(view, t_to)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=a)
    for i in range(1, steps + 1):
        qtbot.mouseMove(view, a + (b - a) * (i / steps))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)


def type_into(qtbot, widget, text: str, enter: bool = False) -> None:
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    qtbot.keyClicks(widget, text)
    if enter:
        qtbot.keyClick(widget, Qt.Key.Key_Return)


async def open_persona_tab(window, ctx, clip: int):
    window.library.select_clip(clip)
    window.tabs.setCurrentWidget(window.persona_tab)
    tab = window.persona_tab
    await wait_until(lambda: tab.clip is not None and tab.clip.id == clip)
    await wait_until(lambda: tab.waveform.status() == "ready" and tab.waveform.range() is not None)
    return tab


def fill_form(qtbot, tab) -> None:
    type_into(qtbot, tab.name_edit, "Midnight Alto")
    type_into(qtbot, tab.styles_edit, "synthwave, dream pop")
    type_into(qtbot, tab.description_edit,
              "Breathy female alto, intimate and close-miked, over warm analog synth pads; "
              "melancholic synthwave at 90 bpm")


async def test_pick_select_audition_create_and_generate_with_the_persona(
    suno_ctx, suno_window, ui_emulator, qtbot, monkeypatch, tmp_path
):
    window, studio = suno_window, suno_ctx.studio
    clip = await make_song(suno_ctx)
    tab = await open_persona_tab(window, suno_ctx, clip)
    view = tab.waveform
    assert view.range() == (0.0, 30.0)

    # Select 42.50–61.25: move the whole range with the mouse, pull in its end edge,
    # then settle the exact hundredths in the spin boxes.
    drag(qtbot, view, 15.0, 57.5)
    drag(qtbot, view, view.range()[1], 61.25)
    start, end = view.range()
    assert abs(start - 42.5) < 0.5 and abs(end - 61.25) < 0.5
    type_into(qtbot, tab.start_spin, "42.50", enter=True)
    type_into(qtbot, tab.end_spin, "1:01.25", enter=True)
    assert view.range() == (42.5, 61.25)
    assert tab.length_label.text() == "Length 18.75 s"

    # Audition exactly that range; the playhead runs over the waveform.
    player = suno_ctx.player
    calls = []
    original = player.play_range
    monkeypatch.setattr(player, "play_range", lambda s, e, loop=False: (calls.append((s, e, loop)), original(s, e, loop)))
    qtbot.mouseClick(tab.play_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: calls)
    assert calls == [(42.5, 61.25, False)]
    if player.available:
        await wait_until(lambda: (view.playhead() or 0) > 43.0, timeout=8)
        assert 42.5 <= view.playhead() <= 61.25

    fill_form(qtbot, tab)
    assert tab.submit_button.isEnabled(), tab.reason_label.text()
    await asyncio.sleep(0.2)
    shot = Path(SCREENSHOT_DIR or tmp_path) / "persona.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(shot))
    qtbot.keyClick(tab.play_button, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)  # stop

    # Create: the provider gets exactly the window; the persona shows up, selected.
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    panel = window.personas
    await wait_until(lambda: panel.model.rowCount() == 1 and not tab.bar.busy())
    detail = studio.library.get(clip)
    assert ui_emulator.last(SUNO_PERSONA).json == {
        "taskId": detail.source_task_id,
        "audioId": detail.clip_id,
        "name": "Midnight Alto",
        "description": "Breathy female alto, intimate and close-miked, over warm analog synth pads; "
                       "melancholic synthwave at 90 bpm",
        "vocalStart": 42.5,
        "vocalEnd": 61.25,
        "style": "synthwave, dream pop",
    }
    persona = panel.current()
    assert persona.name == "Midnight Alto" and (persona.vocal_start, persona.vocal_end) == (42.5, 61.25)
    assert window.library_tabs.currentWidget() is panel
    assert "Persona “Midnight Alto” created" in window.statusBar().currentMessage()
    assert panel.source_label.text() == "From “Night Drive” · 0:42.50–1:01.25"

    # Generate with it through the dialog.
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    dialog = panel._dialog
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()  # as the window manager would; keys then go to the dialog
    await wait_until(dialog.isActiveWindow)
    type_into(qtbot, dialog.form.lyrics, "[Verse]")
    qtbot.keyClick(dialog.form.lyrics, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.form.lyrics, "harbour lights are calling")
    type_into(qtbot, dialog.form.title, "Harbour Lights")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not dialog.isVisible())
    body = ui_emulator.last("/api/v1/generate").json
    assert (body["personaId"], body["personaModel"]) == (persona.persona_id, "style_persona")
    assert body["title"] == "Harbour Lights"

    done = await studio.tasks.wait(dialog.task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    made = await studio.library.query(ClipQuery(persona_id=persona.persona_id))
    assert {c.id for c in made} == set(done.clip_ids) and len(made) == 2
    for row in made:
        assert row.persona_id == persona.persona_id and row.title == "Harbour Lights"
        assert studio.library.get(row.id).lineage.persona_id == persona.persona_id
    await wait_until(lambda: all(window.library.model.row_of(c.id) is not None for c in made))


async def test_a_second_persona_from_the_same_clip_is_explained_and_the_first_is_shown(
    suno_ctx, suno_window, ui_emulator, qtbot
):
    window, studio = suno_window, suno_ctx.studio
    clip = await make_song(suno_ctx)
    other = await make_song(suno_ctx, "Rain on Glass")
    first = await studio.personas.create(clip, "Midnight Alto", "Breathy alto", "synthwave", 42.5, 61.25)
    await studio.personas.create(other, "Glass Tenor", "Bright tenor", "", 10.0, 30.0)
    panel = window.personas
    window.library_tabs.setCurrentIndex(0)
    panel.show_persona(panel.model.items()[0].record.id)
    assert panel.current().name == "Glass Tenor"

    tab = await open_persona_tab(window, suno_ctx, clip)
    # Known up front: a warning, with a way to the persona it made.
    assert tab.banner.isVisible() and "already made the persona “Midnight Alto”" in tab.banner_text.text()
    assert tab.show_existing_button.isVisible()
    assert tab.waveform.range() == (42.5, 61.25)  # the window that persona was made from
    window.library_tabs.setCurrentIndex(0)

    # Submitted anyway: the provider refuses (409), the tab explains and shows the first.
    fill_form(qtbot, tab)
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: tab.submit_error.isVisible())
    assert len(ui_emulator.submissions(SUNO_PERSONA)) == 3
    text = tab.submit_error.text()
    assert text.startswith("Each clip can make one persona, and this clip already made “Midnight Alto”.")
    assert "409" in tab.submit_error.toolTip()
    assert window.library_tabs.currentWidget() is panel
    assert panel.current().id == first.id
    assert len(studio.personas.list()) == 2

    # Forgotten locally, the provider still has it: the explanation says so.
    studio.personas.delete_local(first.id)
    await wait_until(lambda: tab.banner.isHidden())
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: len(ui_emulator.submissions(SUNO_PERSONA)) == 4 and not tab.bar.busy())
    assert "sunoapi.org already has one for this clip" in tab.submit_error.text()
    assert "made outside this library" in tab.submit_error.text()


async def test_an_uploaded_clip_is_refused_on_sunoapi_with_the_reason(suno_ctx, suno_window, ui_emulator, tmp_path):
    song = tmp_path / "my-demo.mp3"
    song.write_bytes(synth.song_mp3(7, 40.0))
    upload = await suno_ctx.studio.tasks.upload(song)
    window = suno_window
    window.library.select_clip(upload.id)
    window.tabs.setCurrentWidget(window.persona_tab)
    tab = window.persona_tab
    await wait_until(lambda: tab.clip is not None and tab.clip.id == upload.id)
    assert tab.banner.isVisible()
    assert tab.banner_text.text().startswith(
        "sunoapi.org makes personas only from songs it generated, not from uploads."
    )
    assert not tab.submit_button.isEnabled() and not tab.waveform.isEnabled()
    assert tab.reason_label.text() == "Pick a clip that can make a persona (see above)."
    tab.submit()  # even forced, nothing is sent
    await asyncio.sleep(0.1)
    assert ui_emulator.submissions(SUNO_PERSONA) == []
