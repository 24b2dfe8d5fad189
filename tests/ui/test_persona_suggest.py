"""Suggest in the Persona tab: the vocal curve under the waveform and a window inside the singing.

Against the emulator's songs, whose sung sections are known from its synthesiser
(``synth.sung_sections`` of the seed the emulator rendered the clip with).  The curve is
computed by the tab itself off the UI thread; the test clicks Suggest like a person and
reads the range the picker shows and the sentence under it (and saves
docs/screenshots/persona-suggest.png with SONIC_STUDIO_SCREENSHOT_DIR set).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import _make_ctx, wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sonic_studio.audio.lyric_lines import LyricLine
from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator import synth
from sonic_studio.emulator.sunoapi import _song_seconds as sunoapi_seconds
from sonic_studio.store import TaskState
from sonic_studio.ui import theme
from sonic_studio.ui.tabs.persona import PersonaTab


async def make_song(ctx) -> int:
    params = GenerationParams(model=ctx.studio.capabilities.default_model, lyrics="[Verse]\nneon on the water",
                              tags="synthwave", title="Night Drive")
    task = await ctx.studio.tasks.submit_generate(params)
    done = await ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    return done.clip_ids[0]


def rendered(emulator, ctx, clip: int) -> tuple[int, float]:
    """(seed, seconds) the emulator synthesised this clip from."""
    detail = ctx.studio.library.get(clip)
    state = emulator.state[ctx.studio.capabilities.id]
    if hasattr(state, "find_track"):  # sunoapi.org: tracks inside tasks
        task, index = state.find_track(detail.clip_id)
        track = task.tracks[index]
        return track.seed, sunoapi_seconds(track.seed)
    record = state.clips[detail.clip_id]
    return record.art_seed, record.audio.result().duration


async def show(ctx, qtbot, clip: int) -> SimpleNamespace:
    tab = PersonaTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1100, 700)
    tab.show()
    ctx.select_clip(clip)
    await wait_until(lambda: tab.waveform.range() is not None and tab.suggest_button.isEnabled(), timeout=30)
    return SimpleNamespace(tab=tab, view=tab.waveform)


def clock(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + float(seconds)


@pytest.fixture(params=["sonic", "sunoapi"])
async def either_ctx(request, ui_emulator, tmp_path, qapp):
    """A started studio at each provider (their windows differ: up to 30 s, and 10-30 s)."""
    context = await _make_ctx(ui_emulator, tmp_path, request.param)
    yield context
    context.player.stop()
    context.bridge.detach()
    await context.studio.aclose()


async def test_suggest_sets_a_range_inside_the_singing_and_says_why(either_ctx, ui_emulator, qtbot, tmp_path):
    ctx = either_ctx
    clip = await make_song(ctx)
    seed, seconds = rendered(ui_emulator, ctx, clip)
    ui = await show(ctx, qtbot, clip)
    assert ui.tab.vocal_strip.has_curve() and len(ui.tab.vocal_strip.points()) > 100

    qtbot.mouseClick(ui.tab.suggest_button, Qt.MouseButton.LeftButton)
    start, end = ui.view.range()
    sung = synth.sung_sections(seed, seconds)
    assert any(a <= start and end <= b for a, b in sung), (start, end, sung)
    window = ctx.studio.capabilities.persona_window
    assert window.min_len <= end - start <= window.max_len
    match = re.fullmatch(r"Most sustained singing: (\d+:\d\d(?:\.\d)?)–(\d+:\d\d(?:\.\d)?)", ui.tab.suggest_label.text())
    assert match, ui.tab.suggest_label.text()
    assert clock(match[1]) == pytest.approx(start, abs=0.06) and clock(match[2]) == pytest.approx(end, abs=0.06)
    # The spin boxes follow, and the form accepts the window.
    assert ui.tab.start_spin.value() == pytest.approx(start) and ui.tab.end_spin.value() == pytest.approx(end)
    assert not ui.tab.range_error.isVisible()
    if ctx.studio.capabilities.id == "sonic":  # docs/screenshots/persona-suggest.png
        theme.apply(QApplication.instance())
        ui.tab.resize(1100, 560)
        out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "persona-suggest.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        assert ui.tab.grab().save(str(out))


async def test_on_an_instrumental_it_says_so_and_leaves_the_range(ctx, ui_emulator, qtbot):
    clip = await make_song(ctx)
    seed, seconds = rendered(ui_emulator, ctx, clip)
    # The library's copy becomes the same song without its voice.
    path = ctx.studio.library.get(clip).audio_path
    with open(path, "wb") as out:
        out.write(synth.song_mp3(seed, seconds, vocal=False))
    ui = await show(ctx, qtbot, clip)
    before = ui.view.range()
    ui.tab.setFocus()
    qtbot.keyClick(ui.tab, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # the shortcut, not the button
    await wait_until(lambda: ui.tab.suggest_label.text() != "")
    assert ui.tab.suggest_label.text().startswith("No clear singing")
    assert ui.view.range() == before


async def test_timed_lyrics_steer_the_window_to_sung_lines(ctx, ui_emulator, qtbot, monkeypatch):
    clip = await make_song(ctx)
    seed, seconds = rendered(ui_emulator, ctx, clip)
    ui = await show(ctx, qtbot, clip)
    first = ui.tab.suggest()
    sung = synth.sung_sections(seed, seconds)
    # Timed lyrics whose lines are all in a sung section the audio alone did not pick.
    other = next((a, b) for a, b in sung if not (a <= first.start and first.end <= b) and b - a >= 12)
    lines = [LyricLine("la la", t, min(t + 3.5, other[1])) for t in range(int(other[0]) + 1, int(other[1]) - 1, 4)]
    monkeypatch.setattr(ctx.studio.deliverables, "lyric_lines", lambda _clip: lines)
    chosen = ui.tab.suggest()
    start, end = ui.view.range()
    assert (start, end) == (chosen.start, chosen.end)
    assert other[0] <= start and end <= other[1], (start, end, other)
