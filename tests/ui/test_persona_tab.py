"""The Persona tab's range picker, driven like a person drives it, against the real emulator.

Real mouse presses/moves/releases on the waveform, real key presses and typed spin-box
values; then the persona is created and the test reads the exact body the emulated
provider received (sunoapi.org ``vocalStart``/``vocalEnd``, sonic
``vocal_start_s``/``vocal_end_s``).
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from conftest import wait_until
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from sonic_studio.core.capabilities import PersonaWindow
from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault
from sonic_studio.providers.sonic import SonicProvider
from sonic_studio.services.studio import Studio
from sonic_studio.store import TaskState
from sonic_studio.ui.panels.personas import PersonasPanel
from sonic_studio.ui.tabs.persona import PersonaTab
from sonic_studio.ui.widgets.time_spin import parse_time

SUNO_PERSONA = "/api/v1/generate/generate-persona"
SONIC_PERSONA = "/api/v1/sonic/persona"
SONIC_VOX = "/api/v1/sonic/vox"


async def make_song(ctx, title: str = "Night Drive") -> int:
    """A real generation through studio.tasks, waited to the end; the first clip's local id."""
    params = GenerationParams(model=ctx.studio.capabilities.default_model, lyrics="[Verse]\nneon on the water",
                              tags="synthwave", title=title)
    task = await ctx.studio.tasks.submit_generate(params)
    done = await ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    return done.clip_ids[0]


def build_ui(ctx, qtbot) -> SimpleNamespace:
    host = QWidget()
    layout = QHBoxLayout(host)
    panel, tab = PersonasPanel(ctx), PersonaTab(ctx)
    layout.addWidget(panel, 3)
    layout.addWidget(tab, 8)
    qtbot.addWidget(host)
    host.resize(1280, 760)
    host.show()
    return SimpleNamespace(host=host, panel=panel, tab=tab, view=tab.waveform)


async def pick(ctx, ui, clip: int) -> None:
    ctx.select_clip(clip)
    await wait_until(lambda: ui.view.status() == "ready" and ui.view.range() is not None)


def point(view, seconds: float) -> QPoint:
    return QPoint(round(view.x_for_time(seconds)), round(view.wave_rect().center().y()))


def drag(qtbot, view, t_from: float, t_to: float, steps: int = 8) -> None:
    """Press at one time, move there in steps (as a hand does), release."""
    a, b = point(view, t_from), point(view, t_to)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=a)
    for i in range(1, steps + 1):
        qtbot.mouseMove(view, a + (b - a) * (i / steps))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)


def px(view) -> float:
    """Seconds per pixel: how exactly a mouse can place an edge."""
    start, end = view.visible_range()
    return (end - start) / view.wave_rect().width()


def type_time(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def fill_form(ui, name: str = "Midnight Alto", description: str = "Breathy female alto, warm synth pads",
              styles: str = "synthwave") -> None:
    ui.tab.name_edit.setText(name)
    ui.tab.name_edit.textEdited.emit(name)
    ui.tab.description_edit.setPlainText(description)
    ui.tab.styles_edit.setText(styles)
    ui.tab.styles_edit.textEdited.emit(styles)


async def create(qtbot, ui) -> None:
    before = ui.panel.model.rowCount()
    assert ui.tab.submit_button.isEnabled(), ui.tab.reason_label.text()
    qtbot.mouseClick(ui.tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ui.panel.model.rowCount() > before and not ui.tab.bar.busy())


# ---------------------------------------------------------------------- sunoapi.org


async def test_default_window_rules_and_field_mapping(suno_ctx, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    assert ui.tab.stack.currentWidget() is ui.tab.empty_page
    assert "10–30 s" in ui.tab.empty_text.text()
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)

    assert ui.view.range() == (0.0, 30.0)
    assert ui.tab.start_spin.text() == "0:00.00" and ui.tab.end_spin.text() == "0:30.00"
    assert ui.tab.length_label.text() == "Length 30.00 s"
    assert ui.view.range_rules() == (10.0, 30.0)
    assert "sunoapi.org analyses 10–30 s" in ui.tab.rules_label.text()
    mapping = ui.tab.rules_label.toolTip().splitlines()[-1]
    assert mapping == ("Sent to sunoapi.org as name · description · style · vocalStart/vocalEnd, with taskId + "
                       "audioId naming the source clip.")
    assert ui.tab.banner.isHidden()
    # Nothing typed yet: the button says why it is off.
    assert not ui.tab.submit_button.isEnabled()
    assert ui.tab.reason_label.text() == "Give the persona a name."
    assert ui.tab.submit_button.toolTip() == "Give the persona a name."


async def test_mouse_drags_edges_body_and_new_range_with_clamping(suno_ctx, ui_emulator, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    view, tab = ui.view, ui.tab
    duration = view.duration()
    tol = 1.5 * px(view)
    view.set_range(40.0, 60.0)

    # Start edge left by 5 s: the end stays.
    drag(qtbot, view, 40.0, 35.0)
    start, end = view.range()
    assert abs(start - 35.0) <= tol and end == 60.0
    assert tab.start_spin.value() == start and tab.end_spin.value() == end

    # End edge far right: stops at 30 s of length, exactly.
    drag(qtbot, view, 60.0, start + 45.0)
    assert view.range() == (start, round(start + 30.0, 2))
    assert tab.length_label.text() == "Length 30.00 s"

    # End edge far left: stops at 10 s of length, exactly.
    drag(qtbot, view, view.range()[1], start + 2.0)
    assert view.range() == (start, round(start + 10.0, 2))
    assert tab.end_spin.value() == round(start + 10.0, 2)

    # Start edge right, past the end: stops 10 s before the end.
    end = view.range()[1]
    drag(qtbot, view, start, end - 1.0)
    assert view.range() == (round(end - 10.0, 2), end)

    # The whole range by +15 s: both edges move together, the length stays.
    start, end = view.range()
    drag(qtbot, view, (start + end) / 2, (start + end) / 2 + 15.0)
    moved = view.range()
    assert abs(moved[0] - (start + 15.0)) <= tol
    assert round(moved[1] - moved[0], 2) == round(end - start, 2)

    # Past the clip's end: it stops at the end, length unchanged.
    start, end = view.range()
    drag(qtbot, view, (start + end) / 2, duration + 20.0)
    assert abs(view.range()[1] - duration) < 0.011
    assert round(view.range()[1] - view.range()[0], 2) == round(end - start, 2)

    # Click-drag on empty space draws a new range anchored at the press...
    drag(qtbot, view, 5.0, 20.0)
    new = view.range()
    assert abs(new[0] - 5.0) <= tol and abs(new[1] - 20.0) <= tol
    # ...and a new range can never be longer than 30 s.
    drag(qtbot, view, 2.0, 60.0)
    new = view.range()
    assert abs(new[0] - 2.0) <= tol and new[1] == round(new[0] + 30.0, 2)

    # What was dragged is exactly what the provider gets.
    fill_form(ui)
    await create(qtbot, ui)
    body = ui_emulator.last(SUNO_PERSONA).json
    assert (body["vocalStart"], body["vocalEnd"]) == new
    assert round(body["vocalEnd"] - body["vocalStart"], 2) == 30.0


async def test_keyboard_nudges_move_what_was_grabbed(suno_ctx, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    view = ui.view
    view.set_range(40.0, 60.0)

    # Grab the start edge (a click without moving), then nudge it.
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, 40.0))
    assert view.active_part() == "start" and view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.range() == (40.1, 60.0)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.range() == (41.1, 60.0)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.range() == (41.0, 60.0)
    assert ui.tab.start_spin.text() == "0:41.00"

    # The end edge: Shift+Right until the 30 s rule stops it.
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, 60.0))
    assert view.active_part() == "end"
    for _ in range(15):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.range() == (41.0, 71.0)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.range() == (41.0, 70.9)

    # The body: both edges move.
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, 55.0))
    assert view.active_part() == "body"
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert view.range() == (40.0, 69.9)
    assert ui.tab.end_spin.text() == "1:09.90"
    assert ui.tab.length_label.text() == "Length 29.90 s"


async def test_spin_boxes_are_bound_both_ways(suno_ctx, ui_emulator, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    tab, view = ui.tab, ui.view

    type_time(qtbot, tab.start_spin, "42.5")  # seconds...
    assert view.range() == (42.5, 52.5)  # 0-30 s became too short: the end made room for 10 s
    type_time(qtbot, tab.end_spin, "1:01.25")  # ...or m:ss.cc
    assert view.range() == (42.5, 61.25)
    assert tab.start_spin.text() == "0:42.50" and tab.end_spin.text() == "1:01.25"

    # 0.01 s steps with the arrow keys.
    tab.end_spin.setFocus()
    qtbot.keyClick(tab.end_spin, Qt.Key.Key_Up)
    assert view.range() == (42.5, 61.26)
    qtbot.keyClick(tab.end_spin, Qt.Key.Key_Down)
    assert view.range() == (42.5, 61.25)

    # A typed end too far for 30 s: the start follows, the typed value wins.
    type_time(qtbot, tab.end_spin, "80")
    assert view.range() == (50.0, 80.0)
    # A typed start too close to the end: the end makes room for 10 s.
    type_time(qtbot, tab.start_spin, "75")
    assert view.range() == (75.0, 85.0)
    # The picker moves the spin boxes, too.
    view.set_range(42.5, 61.25)
    assert tab.start_spin.value() == 42.5 and tab.end_spin.value() == 61.25

    fill_form(ui)
    await create(qtbot, ui)
    assert ui_emulator.last(SUNO_PERSONA).json["vocalStart"] == 42.5
    assert ui_emulator.last(SUNO_PERSONA).json["vocalEnd"] == 61.25


def test_parse_time_reads_both_forms():
    assert parse_time("1:01.25") == 61.25
    assert parse_time("61.25") == 61.25
    assert parse_time("61,25 s") == 61.25
    assert parse_time("0:42.5") == 42.5
    assert parse_time("abc") is None


async def test_create_sends_exactly_the_selected_window(suno_ctx, ui_emulator, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    ui.view.set_range(42.5, 61.25)
    fill_form(ui, styles="synthwave, dream pop")
    await create(qtbot, ui)

    detail = suno_ctx.studio.library.get(clip)
    assert ui_emulator.last(SUNO_PERSONA).json == {
        "taskId": detail.source_task_id,
        "audioId": detail.clip_id,
        "name": "Midnight Alto",
        "description": "Breathy female alto, warm synth pads",
        "vocalStart": 42.5,
        "vocalEnd": 61.25,
        "style": "synthwave, dream pop",
    }
    (record,) = suno_ctx.studio.personas.list()
    assert (record.vocal_start, record.vocal_end, record.source_clip) == (42.5, 61.25, clip)
    # The new persona is selected in the panel; the form is ready for another clip.
    assert ui.panel.current().id == record.id
    assert ui.tab.name_edit.text() == "" and ui.tab.description_edit.toPlainText() == ""
    # The tab now knows this clip has made its one persona.
    assert ui.tab.banner.isVisible() and "already made the persona “Midnight Alto”" in ui.tab.banner_text.text()


async def test_description_limit_counter_and_errors_next_to_fields(suno_ctx, ui_emulator, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    tab = ui.tab
    limit = suno_ctx.studio.capabilities.persona_description_max
    assert tab.description_count.text() == f"0 / {limit:,}"
    assert tab.description_hint.text() == "Be specific: genre, mood, instruments, vocal qualities"

    qtbot.keyClicks(tab.name_edit, "X")
    tab.name_edit.clear()
    tab.name_edit.textEdited.emit("")
    assert tab.name_error.isVisible() and tab.name_error.text() == "Give the persona a name."

    tab.name_edit.setText("Alto")
    tab.name_edit.textEdited.emit("Alto")
    tab.description_edit.setPlainText("x" * (limit + 1))
    assert tab.description_count.text() == f"{limit + 1:,} / {limit:,}"
    assert tab.description_count.property("role") == "error"
    assert tab.description_error.isVisible() and f"at most {limit}" in tab.description_error.text()
    assert not tab.submit_button.isEnabled()
    assert f"at most {limit}" in tab.reason_label.text() and tab.submit_button.toolTip() == tab.reason_label.text()

    tab.description_edit.setPlainText("Warm alto")
    assert tab.submit_button.isEnabled() and not tab.description_error.isVisible()
    assert ui_emulator.submissions(SUNO_PERSONA) == []  # nothing was ever sent


async def test_play_selection_plays_exactly_the_range_and_moves_the_playhead(suno_ctx, qtbot, monkeypatch):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    player = suno_ctx.player
    calls = []
    original = player.play_range
    monkeypatch.setattr(player, "play_range", lambda s, e, loop=False: (calls.append((s, e, loop)), original(s, e, loop)))
    ui.view.set_range(42.5, 61.25)

    qtbot.mouseClick(ui.tab.play_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: calls)  # once the file has loaded
    assert calls == [(42.5, 61.25, False)]
    assert player.source == ui.tab.audio_path
    if player.available:
        await wait_until(lambda: (ui.view.playhead() or 0) > 42.6, timeout=8)
        assert ui.view.playhead() < 61.26
        assert ui.tab.play_button.text() == "Stop"
        # Shift+Space stops the audition, and starts it again (looping when asked).
        qtbot.keyClick(ui.view, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
        await wait_until(lambda: ui.tab.play_button.text() == "Play selection")
    ui.tab.loop_button.setChecked(True)
    qtbot.keyClick(ui.view, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert calls[-1] == (42.5, 61.25, True)


async def test_ctrl_wheel_zooms_around_the_cursor(suno_ctx, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    clip = await make_song(suno_ctx)
    await pick(suno_ctx, ui, clip)
    view = ui.view
    at = QPointF(point(view, 50.0))
    before, coarse = view.time_at(at.x()), px(view)
    wheel = QWheelEvent(at, view.mapToGlobal(at), QPoint(), QPoint(0, 480), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view, wheel)
    assert view.zoom_factor() > 2.0
    assert abs(view.time_at(at.x()) - before) < 0.05  # the time under the cursor stays put
    # Zoomed in, the mouse places edges more finely.
    view.set_range(45.0, 60.0)
    drag(qtbot, view, 45.0, 46.0)
    assert px(view) < coarse / 2
    assert abs(view.range()[0] - 46.0) <= 1.5 * px(view)


async def test_a_song_still_being_made_cannot_be_used_yet(suno_ctx, ui_emulator, qtbot):
    from sonic_studio.emulator.app import Timing

    ui = build_ui(suno_ctx, qtbot)
    ui_emulator.timing = Timing(queue=0.1, first_clip=0.3, second_clip=4.0)
    params = GenerationParams(model="V5", lyrics="[Verse]\nstill rendering", tags="pop", title="Half Done")
    task = await suno_ctx.studio.tasks.submit_generate(params)
    await wait_until(lambda: suno_ctx.studio.tasks.get(task.id).clip_ids, timeout=10)
    first = suno_ctx.studio.tasks.get(task.id).clip_ids[0]
    suno_ctx.select_clip(first)
    await wait_until(lambda: ui.tab.clip is not None)
    assert suno_ctx.studio.tasks.get(task.id).state.active
    assert ui.tab.banner.isVisible()
    assert "still being made" in ui.tab.banner_text.text()
    assert "needs its task finished" in ui.tab.banner_text.text()
    fill_form(ui)
    assert not ui.tab.submit_button.isEnabled()
    assert not ui.tab.name_edit.isEnabled()
    # When the task finishes, the tab lets go by itself.
    await suno_ctx.studio.tasks.wait(task.id, timeout=30)
    await wait_until(lambda: ui.tab.source_problem is None, timeout=10)
    await wait_until(lambda: ui.view.status() == "ready")
    assert ui.tab.banner.isHidden() and ui.tab.submit_button.isEnabled()


async def test_a_clip_older_than_v4_is_refused_with_the_reason(suno_ctx, ui_emulator, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    params = GenerationParams(model="V4", lyrics="[Verse]\nold times", tags="pop", title="Legacy")
    task = await suno_ctx.studio.tasks.submit_generate(params)
    # The emulator makes it a V3.5 task (what an older account's song looks like).
    ui_emulator.state["sunoapi"].tasks[task.provider_task_id].model = "V3_5"
    done = await suno_ctx.studio.tasks.wait(task.id, timeout=30)
    suno_ctx.select_clip(done.clip_ids[0])
    await wait_until(lambda: ui.tab.clip is not None and ui.tab.source_problem is not None)
    text = ui.tab.banner_text.text()
    assert "made with v3.5" in text and "chirp" not in text and "V4 or newer" in text
    assert not ui.tab.submit_button.isEnabled() and not ui.view.isEnabled()
    assert ui_emulator.submissions(SUNO_PERSONA) == []


# ---------------------------------------------------------------------- sonic


async def test_sonic_gets_vocal_start_s_and_vocal_end_s(ctx, ui_emulator, qtbot):
    ui = build_ui(ctx, qtbot)
    clip = await make_song(ctx)
    await pick(ctx, ui, clip)
    view = ui.view
    window = ctx.studio.capabilities.persona_window
    assert view.range_rules() == (window.min_len, window.max_len) == (1.0, 30.0)
    assert ui.tab.rules_label.toolTip().splitlines()[-1] == ("Sent to AI Music API (sonic) as name · describe · styles · "
                                            "vocal_start_s/vocal_end_s, with clip_id naming the source clip.")

    # Its own limit while dragging: at most 30 s.
    view.set_range(40.0, 50.0)
    drag(qtbot, view, 50.0, 95.0)
    assert view.range() == (40.0, 70.0)
    type_time(qtbot, ui.tab.start_spin, "42.50")
    type_time(qtbot, ui.tab.end_spin, "61.25")
    assert view.range() == (42.5, 61.25)
    fill_form(ui, styles="synthwave")
    # Plain persona creation is withdrawn there; the tab says what happens instead, and what it costs.
    terms = ui.tab.terms_label.text()
    assert ui.tab.terms_label.isVisible()
    assert "first extracts the vocals of the chosen range (vocal extraction, 1 credit)" in terms
    assert "then makes the persona (1 credit)" in terms and "2 credits in all" in terms
    assert "vox_audio_id" not in terms
    preflight = ctx.studio.personas.preflight(clip)
    assert preflight.ok and preflight.cost == 2 and preflight.terms == terms
    await create(qtbot, ui)

    clip_id = ctx.studio.library.get(clip).clip_id
    [vox] = ui_emulator.submissions(SONIC_VOX)
    assert vox.json == {"clip_id": clip_id, "vocal_start_s": 42.5, "vocal_end_s": 61.25}
    [persona] = ui_emulator.submissions(SONIC_PERSONA)
    [vox_id] = ui_emulator.state["sonic"].voxes
    assert persona.json == {
        "name": "Midnight Alto",
        "clip_id": clip_id,
        "describe": "Breathy female alto, warm synth pads",
        "styles": "synthwave",
        "vox_audio_id": vox_id,
        "vocal_start_s": 42.5,
        "vocal_end_s": 61.25,
    }
    # The extraction is a saved paid result of that window, so a second persona would not buy it again.
    [asset] = ctx.studio.deliverables.assets(clip)
    assert (asset.data["vox_audio_id"], asset.data["vocal_start_s"], asset.data["vocal_end_s"]) == (vox_id, 42.5, 61.25)


async def test_a_failed_vocal_extraction_says_so_and_makes_no_persona(ctx, ui_emulator, qtbot):
    ui = build_ui(ctx, qtbot)
    clip = await make_song(ctx)
    await pick(ctx, ui, clip)
    fill_form(ui)
    ui_emulator.faults.inject(
        Fault("status", status=403, body={"code": 403, "message": "remaining credits are not enough"}), SONIC_VOX)
    qtbot.mouseClick(ui.tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: ui.tab.submit_error.isVisible() and not ui.tab.bar.busy())
    words = ui.tab.submit_error.text()
    assert "credits" in words.lower() and "Traceback" not in words
    assert len(ui_emulator.submissions(SONIC_VOX)) == 1
    assert ui_emulator.submissions(SONIC_PERSONA) == [] and ctx.studio.personas.list() == []
    assert ui.tab.name_edit.text() == "Midnight Alto"  # nothing typed is lost


async def test_a_provider_without_a_window_disables_the_picker_with_the_reason(ctx, ui_emulator, qtbot, monkeypatch):
    # A provider that takes no vocal range (and so no vocal extraction): plain persona creation is its route.
    caps = ctx.studio.capabilities
    no_window = dataclasses.replace(caps, persona_window=PersonaWindow(False, False, 0.0, 0.0),
                                    persona_create_available=True)
    monkeypatch.setattr(Studio, "capabilities", property(lambda self: no_window))
    monkeypatch.setattr(SonicProvider, "capabilities", no_window)
    monkeypatch.setattr(ui_emulator.state["sonic"], "persona_available", True)
    ui = build_ui(ctx, qtbot)
    clip = await make_song(ctx)
    ctx.select_clip(clip)
    await wait_until(lambda: ui.view.status() == "ready")
    assert not ui.view.isEnabled() and not ui.tab.start_spin.isEnabled()
    assert "takes no vocal range" in ui.tab.rules_label.text()
    assert ui.tab.vocal_window() == (None, None)
    fill_form(ui)
    await create(qtbot, ui)
    body = ui_emulator.last(SONIC_PERSONA).json
    assert "vocal_start_s" not in body and "vocal_end_s" not in body and "vox_audio_id" not in body
    assert ui_emulator.submissions(SONIC_VOX) == []


async def test_no_clip_selected_shows_what_to_do(suno_ctx, qtbot):
    ui = build_ui(suno_ctx, qtbot)
    assert ui.tab.stack.currentWidget() is ui.tab.empty_page
    assert ui.tab.empty_title.text() == "Pick a clip in the library"
    assert ui.tab.problems()[0].message == "Pick a clip in the library first."
