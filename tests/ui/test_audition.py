"""Auditioning takes like a producer: "take 1 / take 2" labels, A/B at the same position and
loudness-matched, blind A/B with the pick revealing the take, the keeper star and its filter.

These drive the real window against the emulator's synthesised songs; QtMultimedia plays
them offscreen (silently, with a real advancing position), so positions and the output
volume asserted here are the media player's own.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from conftest import wait_until
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.loudness import measure
from sonic_studio.audio.player import PAUSED, PLAYING
from sonic_studio.core.models import GenerationParams
from sonic_studio.ui.components.clip_model import COL_TITLE
from sonic_studio.ui.panels.library import export_file_name

AT = 83.4  # 1:23.4
TOLERANCE = 0.05  # seconds
LU = 0.5


async def two_takes(ctx, emulator) -> tuple[int, int]:
    """An extend task's two downloaded takes (songs of 95-150 s)."""
    studio = ctx.studio
    upload = await studio.tasks.upload(f"{emulator.base_url}/samples/night-drive.mp3")
    params = GenerationParams(model="sonic-v5", lyrics="[Verse]\nCity lights", tags="synthwave", title="Night Drive")
    task = await studio.tasks.submit_extend(upload.id, 40.0, params)
    done = await studio.tasks.wait(task.id, timeout=60)
    one, two = done.clip_ids[:2]
    for clip in (one, two):
        assert studio.library.get(clip).audio_path
    return one, two


def turn_down(path: str, db: float) -> None:
    """Rewrite a take quieter, as a provider's second take often is."""
    tmp = Path(path).with_suffix(".quiet.mp3")
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", path, "-af", f"volume={db}dB",
                    "-c:a", "libmp3lame", "-b:a", "128k", str(tmp)], check=True)
    tmp.replace(path)


async def focus_window(window):
    window.activateWindow()
    window.library.table.setFocus()
    await wait_until(window.isActiveWindow, timeout=5)


async def test_takes_are_labelled_in_the_library_player_and_export_names(window, ctx, ui_emulator):
    one, two = await two_takes(ctx, ui_emulator)
    library = window.library
    await wait_until(lambda: library.model.row_of(two) is not None)
    title = library.model.index(library.model.row_of(two), COL_TITLE).data()
    assert title == "Night Drive · take 2"
    library.select_clip(two)
    assert window.player_bar.title.toolTip() == "Night Drive · take 2"
    assert export_file_name(ctx.studio.library.get(one)) == "Night Drive (take 1)"


async def test_ab_key_switches_take_at_the_same_position_and_matched_loudness(window, ctx, ui_emulator, qtbot):
    if not ctx.player.available:
        pytest.skip(ctx.player.unavailable_reason)
    one, two = await two_takes(ctx, ui_emulator)
    turn_down(ctx.studio.library.get(one).audio_path, -6.0)  # take 1 is much quieter than take 2
    bar, player = window.player_bar, ctx.player
    window.library.select_clip(one)
    await focus_window(window)
    # The loudness of both takes is measured once, off the UI thread, and shown.
    await wait_until(lambda: "LUFS" in bar.level_label.text(), timeout=30)
    take1, take2 = bar.ab.matched[one], bar.ab.matched[two]
    assert take1.gain_db == 0.0 and take2.gain_db < -3.0  # the louder take is turned down
    assert bar.level_label.isVisible() and bar.ab_button.isVisible()

    # Take 1 plays at 1:23.4 ...
    bar.toggle()
    await wait_until(lambda: player.state() == PLAYING)
    player.seek(AT)
    await wait_until(lambda: abs(player.media_position() - AT) < 0.2)
    # QMediaPlayer's own positions, once the new file has loaded (before that it still
    # reports take 1's).
    loaded: list[str] = []
    reports: list[tuple[float, float]] = []
    player.mediaStatusChanged.connect(lambda status: loaded.append(status) if status in ("loaded", "buffered") else None)
    player.positionChanged.connect(lambda _s: reports.append((time.monotonic(), player.media_position()))
                                   if loaded else None)
    at, pressed = player.position(), time.monotonic()
    qtbot.keyClick(window.library.table, Qt.Key.Key_A)  # ... the A/B key
    assert player.source == Path(ctx.studio.library.get(two).audio_path).resolve()
    # ... and take 2 plays from where take 1 was.
    await wait_until(lambda: player.state() == PLAYING and any(p > 1.0 for _t, p in reports))
    when, first = next((t, p) for t, p in reports if p > 1.0)
    assert at - TOLERANCE <= first <= at + (when - pressed) + TOLERANCE, (at, first, when - pressed)
    # ... at the gain that matches the two takes' measured loudness.
    assert player.gain_db() == pytest.approx(take2.gain_db)
    await wait_until(lambda: abs(player.applied_volume() - player.output_volume()) < 1e-3)
    assert player.output_volume() == pytest.approx(bar.volume.value() / 100 * 10 ** (take2.gain_db / 20), abs=1e-3)
    l1 = measure(ctx.studio.library.get(one).audio_path).lufs  # fresh measurements, not the cache
    l2 = measure(ctx.studio.library.get(two).audio_path).lufs
    assert abs((l2 + player.gain_db()) - (l1 + take1.gain_db)) <= LU
    assert bar.title.toolTip() == "Night Drive · take 2"
    assert bar.level_label.text() == f"{l2:.1f} LUFS · {take2.gain_db:+.1f} dB".replace("-", "−")

    # Paused, the switch back lands on the same position too (no playback clock involved).
    player.pause()
    await wait_until(lambda: player.state() == PAUSED)
    player.seek(AT)
    await wait_until(lambda: abs(player.media_position() - AT) < 0.01)
    loaded.clear()
    window.actions["ab"].trigger()
    assert player.source == Path(ctx.studio.library.get(one).audio_path).resolve()
    await wait_until(lambda: loaded and player.media_position() > 1.0)  # loaded, then moved to the position
    assert abs(player.media_position() - AT) <= TOLERANCE, player.media_position()
    assert player.intended_state() != PLAYING  # it stays paused
    assert player.gain_db() == pytest.approx(take1.gain_db)
    assert ctx.selected_clip == one  # A/B does not move the library's selection


async def test_blind_mode_hides_the_takes_until_the_pick(window, ctx, ui_emulator, qtbot, monkeypatch):
    from sonic_studio.ui.components import ab_compare

    one, two = await two_takes(ctx, ui_emulator)
    monkeypatch.setattr(ab_compare.random, "random", lambda: 0.2)  # the coin says: switch
    bar = window.player_bar
    notices: list[str] = []
    ctx.bridge.notify.connect(notices.append)
    window.library.select_clip(one)
    await focus_window(window)
    await wait_until(lambda: "LUFS" in bar.level_label.text(), timeout=30)
    qtbot.keyClick(window.library.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert bar.blind_button.isChecked() and window.actions["blind"].isChecked()
    if ctx.player.available:  # the selected take 1 is not necessarily what plays now
        assert bar.clip_id == two
    title = bar.title.toolTip()
    assert title in ("Night Drive · A", "Night Drive · B") and "take" not in title
    assert bar.level_label.text() == "Level matched"  # no LUFS to tell them apart
    if ctx.player.available:
        window.actions["ab"].trigger()
        other = bar.title.toolTip()
        assert {title, other} == {"Night Drive · A", "Night Drive · B"}
    picked, shown = bar.clip_id, bar.title.toolTip()[-1]
    qtbot.keyClick(window.library.table, Qt.Key.Key_K)  # the pick
    take = ctx.studio.library.get(picked).take
    assert notices[-1] == f"You picked {shown}: it is {take} ★ (marked as the keeper)."
    assert ctx.studio.library.get(picked).keeper and not ctx.studio.library.get(({one, two} - {picked}).pop()).keeper
    assert not bar.blind_button.isChecked()  # revealed
    assert bar.title.toolTip() == f"★ Night Drive · {take}" and bar.keeper_button.text() == "★"


async def test_keepers_filter_and_two_selected_clips_compare(window, ctx, ui_emulator):
    one, two = await two_takes(ctx, ui_emulator)
    library = window.library
    ctx.studio.library.set_keeper(two, True)
    await wait_until(lambda: library.model.row_of(two) is not None)
    await wait_until(lambda: library.model.index(library.model.row_of(two), COL_TITLE).data()
                     == "★ Night Drive · take 2")
    library.keepers_button.click()
    await wait_until(lambda: library.model.loaded and library.model.clip_ids() == [two])
    library.toggle_keeper([two])  # the context menu's "Unmark keeper": it leaves the keepers list
    await wait_until(lambda: library.model.clip_ids() == [])
    assert not ctx.studio.library.get(two).keeper
    library.toggle_keeper([one, two])  # neither is a keeper: both are marked
    assert ctx.studio.library.get(one).keeper and ctx.studio.library.get(two).keeper
    library.keepers_button.click()
    await wait_until(lambda: library.model.loaded and len(library.model.clip_ids()) >= 3)

    # Any two selected clips: the upload and take 1 (different tasks) become the A/B pair.
    upload = next(c for c in library.model.clip_ids() if c not in (one, two))
    library.select_clip(upload)
    selection = QItemSelection()
    for clip in (upload, one):
        index = library.model.index(library.model.row_of(clip), COL_TITLE)
        selection.select(index, index)
    library.table.selectionModel().select(
        selection, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    bar = window.player_bar
    await wait_until(lambda: {c.id for c in bar.ab.clips} == {upload, one})
    if ctx.player.available:
        window.actions["ab"].trigger()
        assert bar.clip_id == one
        window.actions["ab"].trigger()
        assert bar.clip_id == upload


async def test_screenshot_of_ab_in_the_player(window, ctx, ui_emulator, qapp, tmp_path):
    """The window while comparing two takes: saved to docs/screenshots/ab.png by scripts/screenshots.sh."""
    import os

    from sonic_studio.ui import theme

    theme.apply(qapp)
    window.resize(1280, 800)
    one, two = await two_takes(ctx, ui_emulator)
    turn_down(ctx.studio.library.get(one).audio_path, -4.0)
    ctx.studio.library.set_keeper(two, True)
    bar = window.player_bar
    window.library.select_clip(one)
    await wait_until(lambda: "LUFS" in bar.level_label.text() and bar.wave.status() == "ready", timeout=30)
    bar.wave.set_zoom(1.6, 60.0)
    bar.wave.set_loop_region(52.0, 61.5)
    bar.wave.set_markers([47.0, 66.0])
    if ctx.player.available:
        ctx.player.seek(AT - 25)
        window.actions["ab"].trigger()
        await wait_until(lambda: bar.wave.status() == "ready" and bar.clip_id == two, timeout=20)
        bar.wave.set_playhead(AT - 25)
    await wait_until(lambda: all(window.library.model.thumbs.get(c.image_path) is not None
                                 for c in map(window.library.model.clip_at, range(window.library.model.rowCount()))
                                 if c.image_path), timeout=10)
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "ab.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out))
