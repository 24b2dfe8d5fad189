"""The player bar: loads the selected clip's local file, shows its length, Space toggles play,
seeks on the waveform, and says so plainly when a clip is not downloaded or playback is off."""

from __future__ import annotations

import asyncio
from pathlib import Path

from conftest import wait_until
from PySide6.QtCore import QPoint, QSettings, Qt

from sonic_studio.audio import player as player_module
from sonic_studio.audio.player import Player, PlayState
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
    assert bar.title.toolTip() == "Night Drive"
    assert bar.time_label.text() == f"0:00 / {duration_text(detail.duration)}"
    # The player's own reading of the file replaces the provider's number.
    await wait_until(lambda: ctx.player.duration() > 0)
    await wait_until(lambda: bar.time_label.text() == f"0:00 / {duration_text(ctx.player.duration())}")
    assert abs(ctx.player.duration() - detail.duration) < 1.0
    await wait_until(lambda: bar.wave.status() == "ready", timeout=20)  # peaks decoded from the file
    assert bar.play_button.isEnabled()

    # Clicking the waveform seeks; the playhead and the position label follow the player.
    bar.toggle()
    await wait_until(lambda: ctx.player.state() == PlayState.PLAYING)
    rect = bar.wave.wave_rect()
    qtbot.mouseClick(bar.wave, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(rect.left() + rect.width() / 2), int(rect.center().y())))
    middle = ctx.player.duration() / 2
    await wait_until(lambda: abs(ctx.player.position() - middle) < 2.0)
    await wait_until(lambda: bar.time_label.text().startswith(duration_text(ctx.player.position())[:3]))
    assert abs(bar.wave.playhead() - ctx.player.position()) < 2.0
    bar.toggle()
    await wait_until(lambda: ctx.player.state() == PlayState.PAUSED)
    assert bar.play_button.toolTip().startswith("Play")


async def test_space_toggles_play_in_the_window(window, ctx, ui_emulator, qtbot):
    clip_id = await downloaded_clip(ctx, ui_emulator)
    window.library.select_clip(clip_id)
    window.activateWindow()
    window.library.table.setFocus()
    await wait_until(window.isActiveWindow, timeout=5)
    qtbot.keyClick(window.library.table, Qt.Key.Key_Space)
    if ctx.player.available:
        await wait_until(lambda: ctx.player.state() == PlayState.PLAYING)
        assert window.player_bar.play_button.toolTip().startswith("Pause")
        qtbot.keyClick(window.library.table, Qt.Key.Key_Space)
        await wait_until(lambda: ctx.player.state() == PlayState.PAUSED)
    else:  # no QtMultimedia on this machine: the bar says why
        assert window.player_bar.notice.isVisible()
    # Enter on the selected clip in the library plays it too.
    if ctx.player.available:
        qtbot.keyClick(window.library.table, Qt.Key.Key_Return)
        await wait_until(lambda: ctx.player.state() == PlayState.PLAYING)
        ctx.player.pause()
        await wait_until(lambda: ctx.player.state() == PlayState.PAUSED)
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
    assert "Not downloaded" in notices[-1] and ctx.player.state() != PlayState.PLAYING
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
    assert bar.title.toolTip() == "Night Drive"  # the rest of the bar still works


async def test_silent_output_is_announced(ctx, qtbot):
    bar = make_bar(ctx, qtbot)
    if ctx.player.available and ctx.player.no_output_device:
        assert bar.notice.isVisible() and "No audio output device" in bar.notice.toolTip()
    else:
        assert bar.notice.isHidden() or bar.notice.toolTip() == (ctx.player.notice or "")
