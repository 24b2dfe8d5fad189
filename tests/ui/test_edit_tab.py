"""The Edit tab driven like a person would, in the real window against the emulator, on
both providers: the range dragged with the mouse stops at the provider's limit and says
why; each operation sends the exact fields the tab shows and its result lands in the
library with lineage; refusals are sentences next to the button and nothing is sent;
the library's "Edit ›" entries open the tab on that operation; range edges snap to the
lyric-line ends and bar lines of a clip with known timings and BPM (Alt: free)."""

from __future__ import annotations

import pytest
from conftest import wait_until
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu

from sonic_studio.core.edits import EditOp
from sonic_studio.core.models import AssetKind, GenerationParams
from sonic_studio.store.assets import AssetState
from sonic_studio.store.records import TaskState
from sonic_studio.ui.components.clip_model import CLIP_MIME
from sonic_studio.ui.format import lineage_short

MODEL = {"sonic": "sonic-v5", "sunoapi": "V5"}


# ---------------------------------------------------------------------------- helpers


def edit_tab(window):
    window.tabs.setCurrentWidget(window.edit_tab)
    return window.edit_tab


async def song(ctx, title: str = "Night Drive") -> int:
    provider = ctx.studio.provider_id.value
    params = GenerationParams(model=MODEL[provider], lyrics="[Verse]\nCity lights\n[Chorus]\nNight drive",
                              tags="synthwave", title=title)
    record = await ctx.studio.tasks.wait((await ctx.studio.tasks.submit_generate(params)).id, timeout=60)
    assert record.state is TaskState.SUCCEEDED
    return record.clip_ids[0]


async def upload(ctx, emulator) -> int:
    return (await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/night-drive.mp3")).id


async def select(ctx, tab, clip: int) -> None:
    ctx.select_clip(clip)
    await wait_until(lambda: tab.waveform.status() == "ready" and tab.waveform.duration() > 0, 30)


def choose(qtbot, tab, op: EditOp) -> None:
    qtbot.mouseClick(tab.op_switch.button(op.value), Qt.MouseButton.LeftButton)
    assert tab.op() is op


def point(view, seconds: float) -> QPoint:
    return QPoint(round(view.x_for_time(seconds)), round(view.wave_rect().center().y()))


def drag(qtbot, view, t_from: float, t_to: float, steps: int = 12) -> None:
    a, b = point(view, t_from), point(view, t_to)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=a)
    for i in range(1, steps + 1):
        qtbot.mouseMove(view, a + (b - a) * (i / steps))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)


def type_lines(qtbot, editor, text: str) -> None:
    editor.setFocus()
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


async def send(qtbot, tab, emulator, path: str) -> dict:
    before = len(emulator.submissions(path))
    assert tab.submit_button.isEnabled(), tab.reason.text()
    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: len(emulator.submissions(path)) > before, 20)
    await wait_until(lambda: tab.bar.confirmation.isVisible(), 20)
    return emulator.submissions(path)[-1].json


async def results(ctx) -> list:
    record = ctx.studio.tasks.list(limit=1)[0]
    record = await ctx.studio.tasks.wait(record.id, timeout=60)
    assert record.state is TaskState.SUCCEEDED, record.error
    return [ctx.studio.library.get(c) for c in record.clip_ids]


def drop_clip(tab, clip: int) -> None:
    mime = QMimeData()
    mime.setData(CLIP_MIME, str(clip).encode("ascii"))
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(tab, QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


# ---------------------------------------------------------------------------- replace a section


async def test_dragging_the_replace_range_past_the_limit_stops_there_and_says_why_sonic(window, qtbot):
    await range_drag_stops_at_the_limit(window, qtbot, sonic=True)


async def test_dragging_the_replace_range_past_the_limit_stops_there_and_says_why_sunoapi(suno_window, qtbot):
    await range_drag_stops_at_the_limit(suno_window, qtbot, sonic=False)


async def range_drag_stops_at_the_limit(window, qtbot, *, sonic: bool) -> None:
    ctx = window.ctx
    tab = edit_tab(window)
    clip = await song(ctx)
    await select(ctx, tab, clip)
    duration = tab.waveform.duration()
    longest = 60.0 if sonic else min(60.0, duration / 2)
    start, end = tab.range()
    drag(qtbot, tab.waveform, end, duration)  # the end handle, dragged to the clip's end
    start, end = tab.range()
    assert end - start == pytest.approx(longest, abs=0.02)  # stopped at the limit
    assert end < duration - 1
    why = "at most 60 s" if longest == 60.0 else "at most 50% of the song"
    assert tab.limit_note.isVisible()
    assert why in tab.limit_note.text() and f"stops at {longest:.1f} s" in tab.limit_note.text()

    drag(qtbot, tab.waveform, end, start + 1.0)  # and the other way: the minimum
    start, end = tab.range()
    assert end - start == pytest.approx(6.0, abs=0.02)
    assert "needs at least 6 s" in tab.limit_note.text()


async def test_replace_a_chorus_on_sonic_and_audition_it_at_the_same_position(window, ctx, ui_emulator, qtbot):
    tab = edit_tab(window)
    clip = await song(ctx)
    await select(ctx, tab, clip)
    tab.set_range(30.0, 45.0)
    assert tab.waveform.range() == (30.0, 45.0)
    type_lines(qtbot, tab.lyrics, "[Chorus]\nBrand new chorus")
    left = ctx.studio.credits.last.total
    assert tab.cost.text() == f"Estimated 15 credits · {left:,.0f} left"
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/replace-section")
    source = ctx.studio.library.get(clip)
    assert body == {"clip_id": source.clip_id, "infill_start_s": 30.0, "infill_end_s": 45.0,
                    "prompt": source.lyrics, "infill_lyrics": "[Chorus]\nBrand new chorus", "auto_concat": True}
    rows = await results(ctx)
    assert "replaced 0:30–0:45 of Night Drive" in [lineage_short(r) for r in rows]
    await wait_until(lambda: tab.results.currentData() is not None, 10)
    tab.play_result()
    result = ctx.studio.library.get(tab.results.currentData())
    await wait_until(lambda: str(ctx.player.source) == str(result.audio_path), 10)
    tab.play_original()
    await wait_until(lambda: str(ctx.player.source) == str(source.audio_path), 10)


async def test_replace_a_section_on_sunoapi(suno_window, suno_ctx, ui_emulator, qtbot):
    tab = edit_tab(suno_window)
    clip = await song(suno_ctx)
    await select(suno_ctx, tab, clip)
    tab.set_range(20.0, 32.5)
    type_lines(qtbot, tab.lyrics, "[Chorus]\nNew words")
    body = await send(qtbot, tab, ui_emulator, "/api/v1/generate/replace-section")
    source = suno_ctx.studio.library.get(clip)
    assert (body["infillStartS"], body["infillEndS"], body["prompt"]) == (20.0, 32.5, "[Chorus]\nNew words")
    assert (body["audioId"], body["taskId"]) == (source.clip_id, source.source_task_id)
    assert lineage_short((await results(suno_ctx))[0]) == "replaced 0:20–0:32 of Night Drive"


# ---------------------------------------------------------------------------- the other operations


async def test_sonic_add_vocals_instrumental_remaster_mashup_and_sample(window, ctx, ui_emulator, qtbot):
    tab = edit_tab(window)
    up = await upload(ctx, ui_emulator)
    await select(ctx, tab, up)
    choose(qtbot, tab, EditOp.ADD_VOCALS)
    type_lines(qtbot, tab.lyrics, "[Verse]\nla la")
    qtbot.keyClicks(tab.tags, "pop")
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/create")
    assert (body["task_type"], body["prompt"], body["tags"]) == ("add_vocals", "[Verse]\nla la", "pop")
    assert "overpainting_start_s" not in body  # the whole upload unless "Only over part" is ticked
    assert lineage_short((await results(ctx))[0]).startswith("vocals added to night-drive")

    choose(qtbot, tab, EditOp.ADD_INSTRUMENTAL)
    assert not tab.lyrics.isVisible()
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/create")
    assert (body["task_type"], body["tags"]) == ("add_instrumental", "pop")
    assert lineage_short((await results(ctx))[0]).startswith("instrumental added to night-drive")

    first, second = await song(ctx), await song(ctx, "Sunrise")
    await select(ctx, tab, first)
    choose(qtbot, tab, EditOp.REMASTER)
    assert tab.model.currentData() == "sonic-v5"
    qtbot.mouseClick(tab.strength.button("high"), Qt.MouseButton.LeftButton)
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/create")
    assert (body["task_type"], body["mv"], body["variation_category"]) == ("remaster", "sonic-v5", "high")
    assert lineage_short((await results(ctx))[0]) == "remaster of Night Drive (high)"

    choose(qtbot, tab, EditOp.MASHUP)
    assert tab.reason.text() == "Pick the second clip of the mashup."
    drop_clip(tab, second)  # dropping a library clip onto the tab makes it the second clip
    assert tab.second.currentData() == second
    tab.lyrics.clear()  # no words: an instrumental blend
    tab.tags.clear()
    qtbot.keyClicks(tab.tags, "synthwave")
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/mashup")
    ids = [ctx.studio.library.get(c).clip_id for c in (first, second)]
    assert body["mashup_clip_ids"] == ids and body["make_instrumental"] is True
    assert lineage_short((await results(ctx))[0]) == "mashup of Night Drive and Sunrise"

    choose(qtbot, tab, EditOp.SAMPLE)
    tab.set_range(10.0, 18.0)
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/sample")
    assert (body["chop_sample_start_s"], body["chop_sample_end_s"]) == (10.0, 18.0)
    assert lineage_short((await results(ctx))[0]) == "sampled 0:10–0:18 of Night Drive"


async def test_sonic_add_vocals_over_part_of_an_upload_sends_the_dragged_range(window, ctx, ui_emulator, qtbot):
    tab = edit_tab(window)
    await select(ctx, tab, await upload(ctx, ui_emulator))
    choose(qtbot, tab, EditOp.ADD_VOCALS)
    assert tab.part_only.isVisible() and not tab.range_row.isVisible()
    tick = QPoint(8, tab.part_only.height() // 2)  # on the box, not the empty row beside its words
    qtbot.mouseClick(tab.part_only, Qt.MouseButton.LeftButton, pos=tick)
    assert tab.range_row.isVisible() and tab.ranged()
    drag(qtbot, tab.waveform, 10.0, 25.0)
    await wait_until(lambda: abs(tab.range()[0] - 10.0) < 0.6 and abs(tab.range()[1] - 25.0) < 0.6)
    start, end = tab.range()
    type_lines(qtbot, tab.lyrics, "[Chorus]\nonly here")
    qtbot.keyClicks(tab.tags, "soul")
    body = await send(qtbot, tab, ui_emulator, "/api/v1/sonic/create")
    assert body["task_type"] == "add_vocals"
    assert (body["overpainting_start_s"], body["overpainting_end_s"]) == (start, end)
    assert "over 0:10–0:25" in lineage_short((await results(ctx))[0])

    tab.set_range(30.0, 20.0)  # inverted: a sentence, nothing sent
    sent = len(ui_emulator.requests)
    assert not tab.submit_button.isEnabled() and tab.reason.text()
    qtbot.mouseClick(tab.part_only, Qt.MouseButton.LeftButton, pos=tick)  # the whole upload again
    assert not tab.range_row.isVisible() and tab.submit_button.isEnabled(), tab.reason.text()
    assert len(ui_emulator.requests) == sent


async def test_sunoapi_add_vocals_instrumental_and_mashup_and_what_it_cannot(suno_window, suno_ctx, ui_emulator, qtbot):
    ctx, tab = suno_ctx, edit_tab(suno_window)
    up = await upload(ctx, ui_emulator)
    await select(ctx, tab, up)
    choose(qtbot, tab, EditOp.ADD_VOCALS)
    assert tab.model.currentData() == "V4_5PLUS"
    assert not tab.part_only.isVisible()  # sunoapi.org takes no range for added vocals, and says so
    assert tab.op_note.text() == ("sunoapi.org: vocals sung over the whole instrumental, sent by its link "
                                  "(its add-vocals takes no range).")
    type_lines(qtbot, tab.lyrics, "[Verse]\nla la")
    qtbot.keyClicks(tab.tags, "pop")
    body = await send(qtbot, tab, ui_emulator, "/api/v1/generate/add-vocals")
    assert (body["prompt"], body["style"], body["model"], body["negativeTags"]) == ("[Verse]\nla la", "pop",
                                                                                     "V4_5PLUS", "")
    assert lineage_short((await results(ctx))[0]).startswith("vocals added to")
    choose(qtbot, tab, EditOp.ADD_INSTRUMENTAL)
    body = await send(qtbot, tab, ui_emulator, "/api/v1/generate/add-instrumental")
    assert body["tags"] == "pop" and "style" not in body
    assert lineage_short((await results(ctx))[0]).startswith("instrumental added to")

    first = await song(ctx)
    await select(ctx, tab, first)
    sent = len(ui_emulator.requests)
    for op, words in ((EditOp.REMASTER, "sunoapi.org cannot remaster"),
                      (EditOp.SAMPLE, "sunoapi.org cannot sample a range")):
        choose(qtbot, tab, op)
        assert not tab.submit_button.isEnabled() and tab.reason.text().startswith(words)
        assert not tab.cost.isVisible()
    choose(qtbot, tab, EditOp.MASHUP)
    tab.set_second(up)
    tab.title.setText("x" * 81)
    qtbot.keyClicks(tab.tags, "synthwave")
    tab.title.setText("Both")
    body = await send(qtbot, tab, ui_emulator, "/api/v1/generate/mashup")
    assert body["uploadUrlList"] == [ctx.studio.library.get(c).audio_url for c in (first, up)]
    assert body["title"] == "Both" and body["model"] == "V5"
    assert lineage_short((await results(ctx))[0]).startswith("mashup of Night Drive and ")
    assert not [r for r in ui_emulator.requests[sent:] if r.method == "POST" and "remaster" in r.path]


async def test_refusals_are_sentences_next_to_the_button_and_nothing_is_sent(window, ctx, ui_emulator, qtbot):
    tab = edit_tab(window)
    clip = await song(ctx)
    await select(ctx, tab, clip)
    sent = len(ui_emulator.requests)
    choose(qtbot, tab, EditOp.ADD_VOCALS)
    assert not tab.submit_button.isEnabled()
    assert tab.reason.text().startswith("AI Music API (sonic) can add vocals only on clips you uploaded")
    choose(qtbot, tab, EditOp.MASHUP)
    tab.set_second(clip)
    assert tab.reason.text().startswith("A mashup needs two different clips; this is the same clip twice.")
    choose(qtbot, tab, EditOp.REMASTER)
    tab.model.setCurrentIndex(tab.model.findData("sonic-v5"))
    assert tab.submit_button.isEnabled()
    choose(qtbot, tab, EditOp.REPLACE_SECTION)
    tab.set_range(40.0, 30.0)  # typed inverted
    assert "swap the two times" in tab.reason.text()
    qtbot.keyClick(tab, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the shortcut does nothing
    assert [r for r in ui_emulator.requests[sent:] if r.method == "POST"] == []


async def test_the_library_edit_menu_opens_the_tab_on_that_operation(window, ctx, ui_emulator):
    clip = await song(ctx)
    row = ctx.studio.library.get(clip)
    window.tabs.setCurrentIndex(0)
    menu = QMenu()
    window.library._edit_menu(menu, row)
    [edit] = [a.menu() for a in menu.actions() if a.menu() is not None]
    actions = {a.text(): a for a in edit.actions()}
    assert list(actions) == [op.label + "…" for op in EditOp]
    actions["Remaster…"].trigger()
    assert window.tabs.currentWidget() is window.edit_tab
    assert window.edit_tab.op() is EditOp.REMASTER
    assert window.edit_tab.source_title.text() == "Night Drive"


async def test_the_sunoapi_edit_menu_greys_what_it_does_not_offer(suno_window, suno_ctx, ui_emulator):
    clip = await song(suno_ctx)
    menu = QMenu()
    suno_window.library._edit_menu(menu, suno_ctx.studio.library.get(clip))
    [edit] = [a.menu() for a in menu.actions() if a.menu() is not None]
    offered = {a.text(): a.isEnabled() for a in edit.actions()}
    assert offered == {"Replace a section…": True, "Add vocals…": True, "Add an instrumental…": True,
                       "Remaster…": False, "Mashup…": True, "Sample a range…": False}
    tips = {a.text(): a.toolTip() for a in edit.actions()}
    assert tips["Remaster…"] == "sunoapi.org cannot do this: sunoapi.org offers no remastering."


# ---------------------------------------------------------------------------- snapping


async def test_range_edges_snap_to_lyric_line_ends_and_bar_lines_alt_is_free(window, ctx, ui_emulator, qtbot):
    tab = edit_tab(window)
    clip = await song(ctx)  # lyrics: "City lights" / "Night drive"
    words = [dict(word="City", start=20.0, end=20.6), dict(word="lights", start=20.7, end=21.37),
             dict(word="Night", start=40.0, end=40.5), dict(word="drive", start=40.6, end=41.0)]
    provider = ctx.studio.provider_id
    ctx.studio.store.assets.create(clip, AssetKind.LYRICS_TIMELINE, provider, how="provider",
                                   data={"words": words}, state=AssetState.READY)
    ctx.studio.store.assets.create(clip, AssetKind.BPM, provider, how="provider", data={"avg": 120.0},
                                   state=AssetState.READY)
    await select(ctx, tab, clip)
    bars = [round(k * 2.0, 2) for k in range(1, int(tab.waveform.duration() / 2.0) + 1)]  # 4/4 at 120 BPM
    assert tab.waveform.snap_points() == sorted({21.37, 41.0, *bars})
    assert tab.snap_note.text() == "Snaps to the ends of 2 lyric lines and bar lines at 120 BPM; hold Alt to move freely."
    tab.set_range(10.0, 30.0)
    px = (tab.waveform.visible_range()[1] - tab.waveform.visible_range()[0]) / tab.waveform.wave_rect().width()
    drag(qtbot, tab.waveform, 30.0, 41.0 + 1.5 * px)  # let go just past the line's end
    assert tab.range()[1] == pytest.approx(41.0, abs=0.001)  # on the lyric line's end exactly
    drag(qtbot, tab.waveform, 10.0, 14.0 + 1.5 * px)
    assert tab.range()[0] == pytest.approx(14.0, abs=0.001)  # on a bar line

    a, b = point(tab.waveform, tab.range()[1]), point(tab.waveform, 40.5)  # Alt: free
    qtbot.mousePress(tab.waveform, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, pos=a)
    for i in range(1, 9):
        qtbot.mouseMove(tab.waveform, a + (b - a) * (i / 8))
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(b), tab.waveform.mapToGlobal(QPointF(b)),
                       Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier)
    QApplication.sendEvent(tab.waveform, move)
    qtbot.mouseRelease(tab.waveform, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, pos=b)
    assert tab.range()[1] == pytest.approx(40.5, abs=1.5 * px)  # where the mouse let go
    assert min(abs(tab.range()[1] - t) for t in tab.waveform.snap_points()) > 0.05  # not pulled onto a line

    tab.play_seam()  # 3 s either side of the start
    source = ctx.studio.library.get(clip)
    await wait_until(lambda: str(ctx.player.source) == str(source.audio_path), 10)


async def test_edit_tab_screenshot_replace_a_chorus(window, ctx, ui_emulator, qtbot, qapp, tmp_path):
    """docs/screenshots/edit.png (scripts/screenshots.sh): a chorus chosen, new words typed."""
    import os
    from pathlib import Path

    from sonic_studio.ui import theme

    theme.apply(qapp)
    window.resize(1280, 800)
    tab = edit_tab(window)
    clip = await song(ctx)
    await select(ctx, tab, clip)
    tab.set_range(30.0, 45.0)
    type_lines(qtbot, tab.lyrics, "[Chorus]\nHeadlights in the rain\nWe never looked back")
    await wait_until(lambda: tab.submit_button.isEnabled() and tab.waveform.range() == (30.0, 45.0), 10)
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "edit.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out))


async def test_each_problem_is_said_under_its_own_field_on_submit(window, ctx, ui_emulator, qtbot):
    tab = edit_tab(window)
    clip = await song(ctx)
    await select(ctx, tab, clip)
    sent = len(ui_emulator.requests)
    choose(qtbot, tab, EditOp.REPLACE_SECTION)
    tab.lyrics.clear()
    tab.set_range(40.0, 30.0)  # inverted
    assert tab.field_error("range") == "" and tab.field_error("lyrics") == ""  # not touched yet: no messages
    qtbot.keyClick(tab, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "swap the two times" in tab.field_error("range")
    assert tab.field_error("lyrics") == "Type the lyrics for the new part."
    assert tab.lyrics.property("invalid") and tab.start_spin.property("invalid") and tab.end_spin.property("invalid")
    assert tab.reason.text().endswith("(+1 more)")
    assert [r for r in ui_emulator.requests[sent:] if r.method == "POST"] == []

    tab.lyrics.setFocus()
    qtbot.keyClicks(tab.lyrics, "New words")
    assert tab.field_error("lyrics") == "" and not tab.lyrics.property("invalid")
    tab.set_range(30.0, 40.0)
    assert tab.field_error("range") == "" and not tab.start_spin.property("invalid")
