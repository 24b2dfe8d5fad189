"""The player bar: loads the selected clip's local file, shows its length, Space toggles play,
seeks on the waveform, and says so plainly when a clip is not downloaded or playback is off."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import wait_until
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication

from sonic_studio.audio import player as player_module
from sonic_studio.audio.player import PAUSED, PLAYING, Player
from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault
from sonic_studio.ui.components.clip_details import ClipDetailsPane
from sonic_studio.ui.format import duration_text
from sonic_studio.ui.panels.player_bar import PlayerBar


async def downloaded_clip(ctx, emulator) -> int:
    """A generated clip with its audio in the library (upload, extend, wait)."""
    studio = ctx.studio
    upload = await studio.tasks.upload(f"{emulator.base_url}/samples/night-drive.mp3")
    params = GenerationParams(model="sonic-v5", lyrics="[Verse]\nCity lights", tags="synthwave", title="Night Drive")
    task = await studio.tasks.submit_extend(upload.id, 40.0, params)
    done = await studio.tasks.wait(task.id, timeout=30)
    clip_id = done.clip_ids[0]
    assert studio.library.get(clip_id).audio_path
    return clip_id


def make_bar(ctx, qtbot) -> PlayerBar:
    QSettings().remove("player")
    bar = PlayerBar(ctx)
    qtbot.addWidget(bar)
    bar.resize(1100, 48)
    bar.show()
    return bar


async def test_selected_clip_loads_its_local_file(ctx, ui_emulator, qtbot):
    clip_id = await downloaded_clip(ctx, ui_emulator)
    bar = make_bar(ctx, qtbot)
    assert bar.wave.status() == "empty" and not bar.play_button.isEnabled()

    ctx.select_clip(clip_id)
    detail = ctx.studio.library.get(clip_id)
    assert ctx.player.source == Path(detail.audio_path).resolve()  # the local copy, never the URL
    assert bar.title.toolTip() == "Night Drive · take 1"  # the first of the two takes
    assert bar.time_label.text() == f"0:00 / {duration_text(detail.duration)}"
    # The player's own reading of the file replaces the provider's number.
    await wait_until(lambda: ctx.player.duration() > 0)
    await wait_until(lambda: bar.time_label.text() == f"0:00 / {duration_text(ctx.player.duration())}")
    assert abs(ctx.player.duration() - detail.duration) < 1.0
    await wait_until(lambda: bar.wave.status() == "ready", timeout=20)  # peaks decoded from the file
    assert bar.play_button.isEnabled()

    # Clicking the waveform seeks; the playhead and the position label follow the player.
    bar.toggle()
    await wait_until(lambda: ctx.player.state() == PLAYING)
    rect = bar.wave.wave_rect()
    qtbot.mouseClick(bar.wave, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(rect.left() + rect.width() / 2), int(rect.center().y())))
    middle = ctx.player.duration() / 2
    await wait_until(lambda: abs(ctx.player.position() - middle) < 2.0)
    await wait_until(lambda: bar.time_label.text().startswith(duration_text(ctx.player.position())[:3]))
    assert abs(bar.wave.playhead() - ctx.player.position()) < 2.0
    bar.toggle()
    await wait_until(lambda: ctx.player.state() == PAUSED)
    assert bar.play_button.toolTip().startswith("Play")


async def test_space_toggles_play_in_the_window(window, ctx, ui_emulator, qtbot):
    clip_id = await downloaded_clip(ctx, ui_emulator)
    window.library.select_clip(clip_id)
    window.activateWindow()
    window.library.table.setFocus()
    await wait_until(window.isActiveWindow, timeout=5)
    qtbot.keyClick(window.library.table, Qt.Key.Key_Space)
    if ctx.player.available:
        await wait_until(lambda: ctx.player.state() == PLAYING)
        assert window.player_bar.play_button.toolTip().startswith("Pause")
        qtbot.keyClick(window.library.table, Qt.Key.Key_Space)
        await wait_until(lambda: ctx.player.state() == PAUSED)
    else:  # no QtMultimedia on this machine: the bar says why
        assert window.player_bar.notice.isVisible()
    # Enter on the selected clip in the library plays it too.
    if ctx.player.available:
        qtbot.keyClick(window.library.table, Qt.Key.Key_Return)
        await wait_until(lambda: ctx.player.state() == PLAYING)
        ctx.player.pause()
        await wait_until(lambda: ctx.player.state() == PAUSED)
    # Space typed into the search field is text, not a play command.
    state = ctx.player.state()
    window.library.search.setFocus()
    qtbot.keyClick(window.library.search, Qt.Key.Key_Space)
    await asyncio.sleep(0.1)
    assert ctx.player.state() == state and window.library.search.text() == " "
    # Stop while the window lives: the persona tab reacts to player signals after its widgets go.
    ctx.player.stop()


async def test_clip_without_local_file_says_not_downloaded(ctx, ui_emulator, qtbot):
    """A generated clip whose download failed: the bar says so; "Check again" in the
    details pane fetches it, and the bar loads the file as soon as it arrives."""
    studio = ctx.studio
    upload = await studio.tasks.upload(f"{ui_emulator.base_url}/samples/rain-on-glass.mp3")
    ui_emulator.faults.inject(Fault("status", status=404), "/cdn/", times=100)  # files "expired"
    task = await studio.tasks.submit_extend(upload.id, 30.0, GenerationParams(
        model="sonic-v5", lyrics="[Verse]\nDrops", tags="lofi", title="Rain (extended)"))
    done = await studio.tasks.wait(task.id, timeout=30)
    clip_id = done.clip_ids[0]
    assert studio.library.get(clip_id).audio_path is None
    bar = make_bar(ctx, qtbot)
    details = ClipDetailsPane(ctx)
    qtbot.addWidget(details)
    details.show()
    notices: list[str] = []
    ctx.bridge.notify.connect(notices.append)

    ctx.select_clip(clip_id)
    assert bar.notice.isVisible() and bar.notice.full_text() == "Not downloaded yet"
    assert "HTTP 404" in bar.notice.toolTip()  # the reason, in words, on hover
    assert not bar.play_button.isEnabled() and ctx.player.source is None
    bar.toggle()
    assert "Not downloaded" in notices[-1] and ctx.player.state() != PLAYING
    assert details.problem_box.isVisible() and "HTTP 404" in details.problem.text()

    ui_emulator.faults.clear()
    submits = len(ui_emulator.submissions("/api/v1/sonic/create"))
    qtbot.mouseClick(details.check_again, Qt.MouseButton.LeftButton)
    await wait_until(lambda: studio.library.get(clip_id).audio_path is not None, timeout=20)
    await wait_until(lambda: ctx.player.source is not None)
    assert ctx.player.source == Path(studio.library.get(clip_id).audio_path).resolve()
    assert bar.play_button.isEnabled() and not details.problem_box.isVisible()
    assert len(ui_emulator.submissions("/api/v1/sonic/create")) == submits  # asked again, never resubmitted

    # An upload plays from the library's own copy, never from the URL it came from.
    ctx.select_clip(upload.id)
    assert ctx.player.source == Path(studio.library.get(upload.id).audio_path).resolve()
    assert bar.play_button.isEnabled()


async def test_unavailable_playback_is_explained(ctx, ui_emulator, qtbot, monkeypatch):
    reason = ("Playback is off: the system library libpulse0 (PulseAudio client) is missing. "
              "Install it, e.g. 'sudo apt install libpulse0'.")
    monkeypatch.setattr(player_module, "_multimedia", lambda: (None, reason))
    ctx.player.stop()
    ctx.player = Player()
    assert not ctx.player.available
    clip_id = await downloaded_clip(ctx, ui_emulator)
    bar = make_bar(ctx, qtbot)
    notices: list[str] = []
    ctx.bridge.notify.connect(notices.append)

    ctx.select_clip(clip_id)
    assert bar.notice.isVisible() and bar.notice.toolTip() == reason
    assert bar.notice.property("role") == "error"
    assert not bar.play_button.isEnabled() and bar.play_button.toolTip() == reason
    bar.toggle()  # Space / Ctrl+P: nothing breaks, the reason is repeated
    assert notices[-1] == reason
    assert bar.title.toolTip() == "Night Drive · take 1"  # the rest of the bar still works


async def test_silent_output_is_announced(ctx, qtbot):
    bar = make_bar(ctx, qtbot)
    if ctx.player.available and ctx.player.no_output_device:
        assert bar.notice.isVisible() and "No audio output device" in bar.notice.toolTip()
    else:
        assert bar.notice.isHidden() or bar.notice.toolTip() == (ctx.player.notice or "")


# ---------------------------------------------------------------------------- auditioning tools


def wave_point(bar, fraction: float) -> QPoint:
    rect = bar.wave.wave_rect()
    return QPoint(int(rect.left() + rect.width() * fraction), int(rect.center().y()))


async def ready_in_window(window, ctx, ui_emulator):
    clip_id = await downloaded_clip(ctx, ui_emulator)
    window.library.select_clip(clip_id)
    window.activateWindow()
    window.library.table.setFocus()
    await wait_until(window.isActiveWindow, timeout=5)
    bar = window.player_bar
    await wait_until(lambda: bar.wave.status() == "ready" and ctx.player.duration() > 0, timeout=20)
    return bar


async def test_zoom_keys_and_ctrl_wheel_zoom_the_player_waveform(window, ctx, ui_emulator, qtbot):
    bar = await ready_in_window(window, ctx, ui_emulator)
    wave = bar.wave
    assert wave.zoom_factor() == 1.0
    qtbot.keyClick(window.library.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # zoom in
    qtbot.keyClick(window.library.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert wave.zoom_factor() == pytest.approx(1.25 ** 2)
    qtbot.keyClick(window.library.table, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # zoom out
    assert wave.zoom_factor() == pytest.approx(1.25)
    qtbot.keyClick(window.library.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # fit
    assert wave.zoom_factor() == 1.0
    # Ctrl+wheel zooms around the cursor: the time under it stays put; the wheel then scrolls.
    pos = QPointF(wave_point(bar, 0.75))
    under = wave.time_at(pos.x())
    wheel = QWheelEvent(pos, wave.mapToGlobal(pos), QPoint(), QPoint(0, 360), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(wave, wheel)
    assert wave.zoom_factor() == pytest.approx(1.25 ** 3)
    assert wave.time_at(pos.x()) == pytest.approx(under, abs=0.05)
    start = wave.visible_range()[0]
    QApplication.sendEvent(wave, QWheelEvent(pos, wave.mapToGlobal(pos), QPoint(), QPoint(0, -120),
                                             Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                             Qt.ScrollPhase.NoScrollPhase, False))
    assert wave.visible_range()[0] > start
    # The tab shortcuts moved to Alt+digit.
    qtbot.keyClick(window.library.table, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 2


async def test_click_plays_from_there_and_loop_region_loops(window, ctx, ui_emulator, qtbot):
    bar = await ready_in_window(window, ctx, ui_emulator)
    player = ctx.player
    if not player.available:
        pytest.skip(player.unavailable_reason)
    assert player.state() != PLAYING
    qtbot.mouseClick(bar.wave, Qt.MouseButton.LeftButton, pos=wave_point(bar, 0.5))  # paused: a click plays
    await wait_until(lambda: player.state() == PLAYING)
    assert abs(player.media_position() - player.duration() / 2) < 1.5

    # Shift+drag draws a loop region; drawing it turns looping on.
    was = bar.loop_button.isChecked()  # a setting kept from earlier runs
    qtbot.keyClick(window.library.table, Qt.Key.Key_L)
    assert bar.loop_button.isChecked() != was and window.actions["loop"].isChecked() != was
    if bar.loop_button.isChecked():
        qtbot.keyClick(window.library.table, Qt.Key.Key_L)
    assert not bar.loop_button.isChecked()
    duration = player.duration()
    a, b = wave_point(bar, 0.30), wave_point(bar, 0.30 + 2.5 / duration)  # about 2.5 s
    qtbot.mousePress(bar.wave, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, a)
    qtbot.mouseMove(bar.wave, b)
    qtbot.mouseRelease(bar.wave, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, b)
    region = bar.wave.loop_region()
    assert region is not None and region[1] - region[0] == pytest.approx(2.5, abs=0.3)
    assert bar.loop_button.isChecked() and window.actions["loop"].isChecked()
    assert player.loop_region() == region
    # Playing inside it comes back to its start at its end, by the media player's position.
    player.seek(region[0] + 0.5)
    await wait_until(lambda: player.media_position() > region[1] - 0.4, timeout=10)
    await wait_until(lambda: player.media_position() < region[0] + 0.6, timeout=5)
    assert player.state() == PLAYING
    # Dragging its end edge moves the end.
    end_x = bar.wave.x_for_time(region[1])
    qtbot.mousePress(bar.wave, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(int(end_x), int(bar.wave.wave_rect().center().y())))
    qtbot.mouseMove(bar.wave, QPoint(int(end_x + 30), int(bar.wave.wave_rect().center().y())))
    qtbot.mouseRelease(bar.wave, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(int(end_x + 30), int(bar.wave.wave_rect().center().y())))
    assert bar.wave.loop_region()[1] > region[1] + 1.0 and player.loop_region() == bar.wave.loop_region()
    qtbot.keyClick(window.library.table, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)  # clear it
    assert bar.wave.loop_region() is None and player.loop_region() is None
    player.pause()


async def test_markers_are_added_at_the_playhead_and_jumped_between(window, ctx, ui_emulator, qtbot):
    bar = await ready_in_window(window, ctx, ui_emulator)
    player = ctx.player
    if not player.available:
        pytest.skip(player.unavailable_reason)
    table = window.library.table
    for at in (20.0, 35.5):
        player.seek(at)
        await wait_until(lambda at=at: abs(player.position() - at) < 0.01)
        qtbot.keyClick(table, Qt.Key.Key_M)
    assert bar.wave.markers() == [20.0, 35.5]
    player.seek(5.0)
    qtbot.keyClick(table, Qt.Key.Key_Period)
    await wait_until(lambda: abs(player.media_position() - 20.0) < 0.05)
    qtbot.keyClick(table, Qt.Key.Key_Period)
    await wait_until(lambda: abs(player.media_position() - 35.5) < 0.05)
    qtbot.keyClick(table, Qt.Key.Key_Comma)
    await wait_until(lambda: abs(player.media_position() - 20.0) < 0.05)
    assert bar.wave.playhead() == pytest.approx(20.0)


async def test_hover_time_is_drawn_on_an_opaque_chip(ctx, ui_emulator, qtbot):
    clip_id = await downloaded_clip(ctx, ui_emulator)
    bar = make_bar(ctx, qtbot)
    ctx.select_clip(clip_id)
    await wait_until(lambda: bar.wave.status() == "ready", timeout=20)
    point = wave_point(bar, 0.4)
    qtbot.mouseMove(bar.wave, point)
    await wait_until(lambda: bar.wave._hover_x is not None)
    after = bar.wave.grab().toImage()
    dpr = after.devicePixelRatio()
    # Just right of the cursor, near the top: the chip's dark, opaque fill over the waveform.
    x, y = int((point.x() + 9) * dpr), int((bar.wave.wave_rect().top() + 3) * dpr)
    chip = after.pixelColor(x, y)
    assert chip.red() < 40 and chip.green() < 40 and chip.blue() < 45, chip.name()
    light = sum(after.pixelColor(x + dx, y + dy).lightness() > 150
                for dx in range(0, int(40 * dpr)) for dy in range(0, int(10 * dpr)))
    assert light > 5  # the digits


async def test_volume_jumps_to_the_click_and_mute_shows_its_state(ctx, qtbot):
    bar = make_bar(ctx, qtbot)
    slider = bar.volume
    slider.setValue(80)
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(int(slider.width() * 0.25), slider.height() // 2))
    assert abs(slider.value() - 25) <= 6  # not one page step down from 80
    assert ctx.player.volume() == pytest.approx(slider.value() / 100)
    assert bar.volume_button.accessibleName() == "Volume on" and bar.volume_button.toolTip() == "Mute (Ctrl+M)"
    qtbot.mouseClick(bar.volume_button, Qt.MouseButton.LeftButton)
    assert ctx.player.volume() == 0.0
    assert bar.volume_button.accessibleName() == "Muted" and bar.volume_button.toolTip() == "Unmute (Ctrl+M)"
    qtbot.mouseClick(bar.volume_button, Qt.MouseButton.LeftButton)
    assert ctx.player.volume() > 0 and bar.volume_button.accessibleName() == "Volume on"
    # Raising the volume while muted unmutes.
    qtbot.mouseClick(bar.volume_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(int(slider.width() * 0.6), slider.height() // 2))
    assert not bar.volume_button.isChecked() and slider.value() > 40
    assert ctx.player.volume() == pytest.approx(slider.value() / 100)


async def test_every_menu_shortcut_is_in_the_shortcuts_dialog(window, qtbot):
    from sonic_studio.ui.dialogs.shortcuts import ShortcutsDialog
    from sonic_studio.ui.shortcuts import SHORTCUTS

    in_menus = {}
    for menu in window.menus.values():
        for action in menu.actions():
            if not action.shortcut().isEmpty():
                in_menus[action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)] = \
                    action.text().replace("&", "")
    assert {"A", "K", "M", "L", "Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+B", "Ctrl+M", ",", ".", "F1"} <= set(in_menus)
    assert len(in_menus) == sum(1 for s in SHORTCUTS if s.menu)  # no two actions share keys
    window.actions["shortcuts"].trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    listed = set(dialog.listed())
    assert set(in_menus.items()) <= listed
    assert ("Shift+Drag", "Draw a loop region (drag its edges to change it)") in listed
    dialog.close()
