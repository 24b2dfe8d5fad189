"""The Extend / Cover tab driven like a person would, against the real emulator.

The continue-at marker is dragged with real mouse events, the audio weight is typed,
the submit button is clicked; the tests assert the exact bodies the emulator received
(task type from the clip's origin, continue_at equal to the marker, audio_weight 0.73),
watch the task finish and find the result in the library with its lineage.  Bad input
gets a message next to its field, nothing reaches the emulator and nothing typed is lost.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from conftest import wait_until
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator import synth
from sonic_studio.store.records import TaskState

CREATE = "/api/v1/sonic/create"
LYRICS = "[Verse]\nNeon rain on the windshield\n[Chorus]\nDrive until the morning"


# ---------------------------------------------------------------------------- helpers


def extend_tab(window):
    window.tabs.setCurrentWidget(window.extend_tab)
    return window.extend_tab


async def uploaded_clip(ctx, emulator, name: str = "night-drive.mp3") -> int:
    row = await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/{name}")
    return row.id


async def generated_clip(ctx) -> int:
    params = GenerationParams(model="sonic-v5-5", lyrics="[Verse]\nCity lights", tags="synthwave", title="City Lights")
    record = await ctx.studio.tasks.submit_generate(params)
    record = await ctx.studio.tasks.wait(record.id, timeout=30)
    assert record.state is TaskState.SUCCEEDED
    return record.clip_ids[0]


async def select_source(ctx, tab, clip: int) -> None:
    ctx.select_clip(clip)
    await wait_until(lambda: tab.waveform.status() == "ready" and tab.waveform.duration() > 0, 20)


async def drag_marker(qtbot, waveform, to_seconds: float) -> float:
    """Grab the marker with the mouse and drag it to ``to_seconds``; returns where it ended."""
    y = int(waveform.wave_rect().center().y())
    start = int(round(waveform.x_for_time(waveform.marker())))
    end = int(round(waveform.x_for_time(to_seconds)))
    qtbot.mousePress(waveform, Qt.MouseButton.LeftButton, pos=QPoint(start, y))
    step = 1 if end >= start else -1
    for x in range(start, end + step, step * 7):
        qtbot.mouseMove(waveform, QPoint(x, y))
        await asyncio.sleep(0)
    qtbot.mouseMove(waveform, QPoint(end, y))
    qtbot.mouseRelease(waveform, Qt.MouseButton.LeftButton, pos=QPoint(end, y))
    return waveform.marker()


def type_lines(qtbot, editor, text: str) -> None:
    """Type multi-line text key by key (QTest cannot type a newline character itself)."""
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def fill_form(qtbot, tab, lyrics: str = LYRICS, tags: str = "synthwave, night", title: str = "Night Drive II") -> None:
    form = tab.form
    form.lyrics.setFocus()
    type_lines(qtbot, form.lyrics, lyrics)
    qtbot.keyClicks(form.tags, tags)
    qtbot.keyClicks(form.title, title)


def type_weight(qtbot, slider, text: str) -> None:
    slider.edit.setFocus()
    slider.edit.selectAll()
    qtbot.keyClicks(slider.edit, text)


async def submitted(emulator, path: str, count: int = 1) -> dict:
    await wait_until(lambda: len(emulator.submissions(path)) >= count, 20)
    return emulator.submissions(path)[count - 1].json


async def finished_result(ctx) -> tuple:
    """The newest task, once the provider has acknowledged it and it has finished."""
    await wait_until(lambda: ctx.studio.tasks.list(limit=1)[0].provider_task_id is not None, 30)
    record = ctx.studio.tasks.list(limit=1)[0]
    record = await ctx.studio.tasks.wait(record.id, timeout=30)
    assert record.state is TaskState.SUCCEEDED, record.error
    return record, [ctx.studio.library.get(c) for c in record.clip_ids]


# ---------------------------------------------------------------------------- extend


async def test_extend_uploaded_clip_from_a_dragged_marker(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    source = await uploaded_clip(ctx, ui_emulator)
    await select_source(ctx, tab, source)
    assert tab.source_title.text() == "night-drive"
    assert tab.source_meta.text().startswith("Uploaded · 1:36")
    assert tab.route_hint.text() == "Extends your uploaded clip"
    assert "Sent to the provider as: extend_upload_music" in tab.route_hint.toolTip()

    marker = await drag_marker(qtbot, tab.waveform, 41.3)
    assert marker == pytest.approx(41.3, abs=0.5)  # within a pixel or two of where the mouse let go
    assert tab.continue_at() == pytest.approx(marker, abs=0.005)  # the spin box followed the marker
    assert tab.continue_text.text() == f"(0:{marker:05.2f})"

    fill_form(qtbot, tab)
    assert tab.submit_button.isEnabled(), tab.reason.text()
    left = ctx.studio.credits.last.total
    assert tab.cost.text() == f"Estimated 15 credits · {left:,.0f} left"
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    body = await submitted(ui_emulator, CREATE)

    clip = ctx.studio.library.get(source)
    assert body["task_type"] == "extend_upload_music"
    assert body["continue_clip_id"] == clip.clip_id
    assert body["continue_at"] == pytest.approx(marker, abs=0.005)
    assert body["prompt"] == LYRICS and body["tags"] == "synthwave, night" and body["title"] == "Night Drive II"
    assert body["custom_mode"] is True and body["mv"] == "sonic-v5-5"
    assert "audio_weight" not in body  # left unset in extend: the provider's default
    await wait_until(lambda: tab.confirmation.isVisible(), 5)
    assert tab.confirmation.text() == "Extend submitted — follow it in Tasks."
    assert tab.form.lyrics.toPlainText() == LYRICS  # the form keeps its content

    record, results = await finished_result(ctx)
    assert results and all(r.lineage.parent_clip == source for r in results)
    assert results[0].lineage.task_kind.value == "extend"
    assert results[0].lineage.continue_at == pytest.approx(marker, abs=0.005)
    await wait_until(lambda: all(window.library.model.row_of(r.id) is not None for r in results), 10)


async def test_extend_generated_clip_uses_extend_music(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    source = await generated_clip(ctx)
    await select_source(ctx, tab, source)
    assert tab.route_hint.text() == "Extends a generated clip"
    assert "Sent to the provider as: extend_music" in tab.route_hint.toolTip()

    marker = await drag_marker(qtbot, tab.waveform, tab.waveform.duration() / 3)
    fill_form(qtbot, tab)
    weight = tab.form.audio_weight  # optional in extend: tick it, then type the value
    qtbot.mouseClick(weight.enable_box, Qt.MouseButton.LeftButton, pos=QPoint(4, weight.enable_box.height() // 2))
    type_weight(qtbot, weight, "0.4")
    qtbot.keyClick(tab.form.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter submits
    body = await submitted(ui_emulator, CREATE, count=2)  # the first create made the source

    assert body["task_type"] == "extend_music"
    assert body["continue_clip_id"] == ctx.studio.library.get(source).clip_id
    assert body["continue_at"] == pytest.approx(marker, abs=0.005)
    assert body["audio_weight"] == 0.4
    _record, results = await finished_result(ctx)
    assert results[0].lineage.parent_clip == source


async def test_one_stop_upload_extend_with_auto_concat(window, ctx, ui_emulator, qtbot):
    url = f"{ui_emulator.base_url}/samples/rain-on-glass.mp3"
    upload = window.upload_tab
    window.tabs.setCurrentWidget(upload)
    upload.set_url(url)
    qtbot.mouseClick(upload.extend_button, Qt.MouseButton.LeftButton)
    tab = window.extend_tab
    assert window.tabs.currentWidget() is tab

    tab.continue_spin.setFocus()
    tab.continue_spin.selectAll()
    qtbot.keyClicks(tab.continue_spin, "30.25")
    fill_form(qtbot, tab)
    assert tab.cost.text().startswith("Estimated 17 credits")
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    body = await submitted(ui_emulator, "/api/v1/sonic/upload-extend")

    assert body["url"] == url
    assert body["continue_at"] == 30.25
    assert body["auto_concat"] is True
    assert body["prompt"] == LYRICS
    assert ui_emulator.submissions(CREATE) == []
    record, results = await finished_result(ctx)
    assert any(r.full_song_of for r in results)  # auto-concat delivered the full song too


async def test_clip_dragged_from_the_library_becomes_the_source(window, ctx, ui_emulator):
    tab = extend_tab(window)
    from sonic_studio.ui.components.clip_model import CLIP_MIME

    source = await uploaded_clip(ctx, ui_emulator, "rain-on-glass.mp3")
    ctx.select_clip(None)
    assert tab.source_title.text() == "No source clip"
    mime = QMimeData()
    mime.setData(CLIP_MIME, str(source).encode("ascii"))
    point = QPointF(50, 50)
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    drop = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, drop)
    assert ctx.selected_clip == source
    assert tab.source_title.text() == "rain-on-glass"


# ---------------------------------------------------------------------------- cover


async def test_cover_generated_clip_at_audio_weight_073(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    source = await generated_clip(ctx)
    await select_source(ctx, tab, source)
    qtbot.mouseClick(tab.mode_switch.button("cover"), Qt.MouseButton.LeftButton)
    assert tab.mode() == "cover" and not tab.continue_spin.isVisible()
    assert tab.route_hint.text() == "Covers a generated clip"
    assert "Sent to the provider as: cover_music" in tab.route_hint.toolTip()
    assert tab.submit_button.text() == "Cover ▶"

    fill_form(qtbot, tab, tags="jazz, brushed drums", title="City Lights (jazz)")
    type_weight(qtbot, tab.form.audio_weight, "0.73")
    assert tab.form.audio_weight.slider.value() == 73
    assert tab.form.audio_weight.zone_text() == "0.7–1 closer to the original"
    assert tab.cost.text() == "Estimated 15 credits · " + tab.cost.text().split(" · ")[1]
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    body = await submitted(ui_emulator, CREATE, count=2)

    assert body["task_type"] == "cover_music"
    assert body["audio_weight"] == 0.73
    assert body["tags"] == "jazz, brushed drums"
    assert "continue_at" not in body
    _record, results = await finished_result(ctx)
    assert results[0].lineage.task_kind.value == "cover"
    assert results[0].lineage.audio_weight == 0.73


async def test_cover_uploaded_clip_slider_by_keyboard(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    source = await uploaded_clip(ctx, ui_emulator, "rain-on-glass.mp3")
    await select_source(ctx, tab, source)
    tab.set_mode("cover")
    assert tab.route_hint.text() == "Covers your uploaded clip"
    assert "Sent to the provider as: cover_upload_music" in tab.route_hint.toolTip()
    fill_form(qtbot, tab)
    slider = tab.form.audio_weight.slider  # starts at 0.50; 23 presses of → make 0.73
    slider.setFocus()
    for _ in range(23):
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert tab.form.audio_weight.text() == "0.73"
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    body = await submitted(ui_emulator, CREATE)
    assert body["task_type"] == "cover_upload_music"
    assert body["audio_weight"] == 0.73
    assert body["continue_clip_id"] == ctx.studio.library.get(source).clip_id


async def test_one_stop_cover_of_a_local_file_on_sunoapi(suno_window, suno_ctx, ui_emulator, qtbot, tmp_path):
    path = tmp_path / "garage-take.mp3"
    path.write_bytes(synth.song_mp3(seed=3, seconds=25.0))
    tab = extend_tab(suno_window)
    tab.use_one_stop_source(path, "cover")
    await wait_until(lambda: tab.waveform.status() == "ready", 15)
    assert tab.route_hint.text() == "Uploads and covers in one step"
    assert "Sent to the provider as: /generate/upload-cover" in tab.route_hint.toolTip()
    assert tab.source_meta.text().startswith("Local file · uploaded when you submit · 0:25")
    assert not tab.auto_concat.isVisible()  # sunoapi.org cannot join
    fill_form(qtbot, tab, tags="lofi, tape hiss", title="Garage Take (lofi)")
    type_weight(qtbot, tab.form.audio_weight, "0.73")
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    body = await submitted(ui_emulator, "/api/v1/generate/upload-cover")

    hosted = ui_emulator.submissions("/api/file-stream-upload")
    assert len(hosted) == 1 and hosted[0].files["file"] == ("garage-take.mp3", path.stat().st_size)
    assert body["uploadUrl"].startswith(ui_emulator.base_url)
    assert body["audioWeight"] == 0.73
    assert body["customMode"] is True and body["model"] == "V5"
    assert body["style"] == "lofi, tape hiss" and body["title"] == "Garage Take (lofi)"
    assert body["prompt"] == LYRICS
    _record, results = await finished_result(suno_ctx)
    assert results[0].lineage.task_kind.value == "upload_cover"
    assert results[0].lineage.audio_weight == 0.73


# ---------------------------------------------------------------------------- bad input


async def test_missing_lyrics_in_custom_mode(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    await select_source(ctx, tab, await uploaded_clip(ctx, ui_emulator))
    fill_form(qtbot, tab, lyrics="la")
    tab.form.lyrics.selectAll()
    qtbot.keyClick(tab.form.lyrics, Qt.Key.Key_Delete)

    assert tab.form.error_text("lyrics") == "Lyrics are needed in custom mode (or tick Instrumental)."
    assert not tab.submit_button.isEnabled()
    assert "Lyrics are needed" in tab.reason.text() and "Lyrics are needed" in tab.submit_button.toolTip()
    qtbot.keyClick(tab.form.tags, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    tab.submit()
    await asyncio.sleep(0.2)
    assert ui_emulator.submissions(CREATE) == []
    assert tab.form.tags.text() == "synthwave, night" and tab.form.title.text() == "Night Drive II"

    qtbot.mouseClick(tab.form.instrumental, Qt.MouseButton.LeftButton)  # the way out the message names
    assert tab.form.error_text("lyrics") == ""
    assert tab.submit_button.isEnabled()


async def test_weight_typed_as_1_5(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    await select_source(ctx, tab, await uploaded_clip(ctx, ui_emulator))
    tab.set_mode("cover")
    fill_form(qtbot, tab)
    type_weight(qtbot, tab.form.audio_weight, "1.5")

    assert tab.form.error_text("audio_weight") == "Audio weight must be between 0.00 and 1.00 (got 1.5)."
    assert not tab.submit_button.isEnabled()
    tab.submit()
    qtbot.keyClick(tab.form.audio_weight.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await asyncio.sleep(0.2)
    assert ui_emulator.submissions(CREATE) == []
    assert tab.form.audio_weight.text() == "1.5"  # kept as typed, not silently clamped

    type_weight(qtbot, tab.form.style_weight, "")  # an optional weight left at "auto" is fine
    type_weight(qtbot, tab.form.audio_weight, "abc")
    assert "not a number" in tab.form.error_text("audio_weight")


async def test_continue_at_beyond_the_end(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    await select_source(ctx, tab, await uploaded_clip(ctx, ui_emulator))
    fill_form(qtbot, tab)
    tab.continue_spin.setFocus()
    tab.continue_spin.selectAll()
    qtbot.keyClicks(tab.continue_spin, "120")

    assert tab.continue_error.isVisible()
    assert tab.continue_error.text() == "Extend from 2:00 is past the end of the clip (1:36.05)."
    assert tab.continue_spin.value() == 120.0  # what was typed stays
    assert not tab.submit_button.isEnabled()
    tab.submit()
    await asyncio.sleep(0.2)
    assert ui_emulator.submissions(CREATE) == []


async def test_network_down_on_submit_keeps_the_form(window, ctx, ui_emulator, qtbot, unused_tcp_port):
    tab = extend_tab(window)
    await select_source(ctx, tab, await generated_clip(ctx))
    fill_form(qtbot, tab)
    await ctx.studio.configure(demo_base_url=f"http://127.0.0.1:{unused_tcp_port}")  # nobody listens there
    before = len(ui_emulator.requests)
    assert tab.submit_button.isEnabled(), tab.reason.text()
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: tab.submit_error.isVisible(), 30)

    assert "Could not reach" in tab.submit_error.text()
    assert len(ui_emulator.requests) == before
    assert tab.form.lyrics.toPlainText() == LYRICS and tab.form.title.text() == "Night Drive II"
    record = ctx.studio.tasks.list(limit=1)[0]  # the task list says what happened, too
    assert record.kind.value == "extend" and record.error is not None


async def test_not_enough_credits_disables_submit(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    await select_source(ctx, tab, await uploaded_clip(ctx, ui_emulator))
    fill_form(qtbot, tab)
    ui_emulator.credits["sonic"] = 4
    await ctx.studio.credits.refresh()

    assert tab.reason.text().startswith("Not enough credits: 4 left, this needs 15")
    assert not tab.submit_button.isEnabled()
    tab.submit()
    await asyncio.sleep(0.2)
    assert ui_emulator.submissions(CREATE) == []


async def test_provider_change_rechecks_models_and_routes(window, ctx, ui_emulator, qtbot):
    tab = extend_tab(window)
    source = await uploaded_clip(ctx, ui_emulator)
    await select_source(ctx, tab, source)
    assert tab.form.model.currentData() == "sonic-v5-5"

    await ctx.studio.configure(provider="sunoapi")
    models = [tab.form.model.itemData(i) for i in range(tab.form.model.count())]
    assert models == ctx.studio.capabilities.model_names() and "V5" in models
    assert "lives at AI Music API (sonic)" in tab.reason.text()  # a sonic clip cannot be sent to sunoapi.org
    assert not tab.submit_button.isEnabled()


async def test_extend_tab_screenshot_of_an_uploaded_source(window, ctx, ui_emulator, qtbot, qapp, tmp_path):
    """The uploaded clip has its own local copy now: waveform, length and marker at once."""
    from sonic_studio.ui import theme

    theme.apply(qapp)
    window.resize(1280, 800)
    clip = await uploaded_clip(ctx, ui_emulator)
    tab = extend_tab(window)
    await select_source(ctx, tab, clip)
    assert abs(tab.waveform.duration() - 96.0) < 0.5
    await drag_marker(qtbot, tab.waveform, 83.45)
    tab.continue_spin.setValue(83.45)
    fill_form(qtbot, tab, title="Night Drive (part II)")
    type_weight(qtbot, tab.form.audio_weight, "0.73")
    await asyncio.sleep(0.5)
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "extend-cover.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out))


async def test_the_continue_at_marker_snaps_to_lyric_lines_and_bars_and_alt_s_plays_the_seam(window, ctx, ui_emulator, qtbot):
    """With timed lyrics and a BPM the marker lands on a line's end; Alt+S plays 3 s either side of it."""
    from sonic_studio.core.models import AssetKind
    from sonic_studio.store.assets import AssetState

    tab = window.extend_tab
    window.tabs.setCurrentWidget(tab)
    clip = await generated_clip(ctx)
    words = [dict(word="City", start=20.0, end=20.6), dict(word="lights", start=20.7, end=21.37)]
    ctx.studio.store.assets.create(clip, AssetKind.LYRICS_TIMELINE, ctx.studio.provider_id, how="provider",
                                   data={"words": words}, state=AssetState.READY)
    ctx.studio.store.assets.create(clip, AssetKind.BPM, ctx.studio.provider_id, how="provider", data={"avg": 60.0},
                                   state=AssetState.READY)
    await select_source(ctx, tab, clip)
    assert tab.snap_note.isVisible()
    assert tab.snap_note.text() == "Snaps to the end of 1 lyric line and bar lines at 60 BPM; hold Alt to move freely."
    # 60 BPM: bar lines every 4 s, so the line's end (21.37) and the nearest bar (20.0) are pixels apart.
    first, last = tab.waveform.visible_range()
    px = (last - first) / tab.waveform.wave_rect().width()
    assert await drag_marker(qtbot, tab.waveform, 21.37 + 1.5 * px) == pytest.approx(21.37, abs=0.001)
    assert tab.continue_at() == pytest.approx(21.37, abs=0.001)
    assert await drag_marker(qtbot, tab.waveform, 28.0 - 1.5 * px) == pytest.approx(28.0, abs=0.001)  # a bar line

    window.activateWindow()
    tab.seam_button.setFocus()
    qtbot.keyClick(tab.seam_button, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    audio = ctx.studio.library.get(clip).audio_path
    await wait_until(lambda: str(ctx.player.source) == str(audio) and ctx.player.playing_range is not None
                     and ctx.player.playing_range[:2] == pytest.approx((25.0, 31.0), abs=0.01), 10)
