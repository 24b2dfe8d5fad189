"""BPM and the beat grid: the waveform draws bar lines where a known tempo puts them, the player
bar shows the clip's BPM (marked estimated on sunoapi.org), and View › Beat grid toggles it."""

from __future__ import annotations

import pytest
from conftest import wait_until
from PySide6.QtGui import QColor, QImage
from test_stems_view import finished_clip

from sonic_studio.audio.tempo import beat_times
from sonic_studio.core.models import AssetKind
from sonic_studio.ui.widgets.waveform import WaveformView


@pytest.fixture
def wave(qtbot):
    view = WaveformView()
    qtbot.addWidget(view)
    view.resize(624, 160)  # the waveform spans x = 12..612: 60 s -> 10 px per second
    view.show()
    view.set_duration(60.0)
    return view


def test_bar_lines_fall_on_the_bars_of_a_known_tempo(wave):
    wave.set_beat_grid(beat_times(120.0, 60.0))  # 2 beats a second, a 4/4 bar every 2 s
    assert wave.beat_grid_lines() == []  # hidden until toggled
    wave.set_beat_grid_visible(True)
    lines = wave.beat_grid_lines()
    bars = [x for x, bar in lines if bar]
    assert bars == pytest.approx([12 + 10 * 2 * k for k in range(31)])
    # Beats are 5 px apart at this zoom, too close to read: only the bars are drawn.
    assert all(bar for _, bar in lines)
    wave.resize(124, 160)  # 100 px for 60 s: bars 3.3 px apart, so every fourth bar (8 s)
    assert [x for x, _ in wave.beat_grid_lines()] == pytest.approx([12 + 100 * 8 * k / 60 for k in range(8)])
    wave.resize(624, 160)
    wave.set_zoom(4.0, anchor=0.0)  # 40 px a second: every beat, every fourth a bar
    lines = wave.beat_grid_lines()
    assert [x for x, _ in lines[:5]] == pytest.approx([12, 32, 52, 72, 92])
    assert [bar for _, bar in lines[:5]] == [True, False, False, False, True]
    # Drawn where it says: the pixel on a bar line is lighter than the panel beside it.
    image: QImage = wave.grab().toImage()
    y = int(wave.wave_rect().top() + 3)
    assert QColor(image.pixel(92, y)).lightness() > QColor(image.pixel(97, y)).lightness()
    wave.set_beat_grid_visible(False)
    assert wave.beat_grid_lines() == []


def test_beat_times_are_evenly_spaced_to_the_end():
    assert beat_times(90.0, 4.0) == pytest.approx([0.0, 2 / 3, 4 / 3, 2.0, 8 / 3, 10 / 3, 4.0])
    assert beat_times(0, 10.0) == []


async def test_player_bar_shows_the_bpm_the_provider_tells(window):
    await bpm_in_the_player_bar(window, "sonic")


async def test_player_bar_marks_an_estimated_bpm(suno_window):
    await bpm_in_the_player_bar(suno_window, "sunoapi")


async def bpm_in_the_player_bar(window, provider: str) -> None:
    ctx = window.ctx
    clip = await finished_clip(ctx, model="sonic-v4-5" if provider == "sonic" else "V4_5")
    bar = window.player_bar
    ctx.select_clip(clip)
    assert not bar.tempo_label.isVisible()
    outcome = await ctx.studio.deliverables.request(clip, AssetKind.BPM)
    if outcome.task is not None:
        await ctx.studio.tasks.wait(outcome.task.id, timeout=30)
    await wait_until(bar.tempo_label.isVisible)  # told by the task, or by the clip when estimated here
    tempo = ctx.studio.deliverables.tempo(clip)
    if provider == "sunoapi":
        assert tempo.estimated and bar.tempo_label.text() == f"≈ {tempo.bpm:.0f} BPM"
        assert "estimated" in bar.tempo_label.toolTip()
    else:
        assert not tempo.estimated and bar.tempo_label.text() == f"{tempo.bpm:.0f} BPM"
    await wait_until(lambda: bar.wave.duration() > 0, timeout=10)
    window.action_beat_grid.trigger()
    bars = [x for x, is_bar in bar.wave.beat_grid_lines() if is_bar]
    assert len(bars) >= 2
    bar_px = bar.wave.x_for_time(4 * 60 / tempo.bpm) - bar.wave.x_for_time(0)
    phrase = 1 if bar_px >= 6 else 4  # a narrow bar shows every fourth bar line
    assert bars[1] - bars[0] == pytest.approx(phrase * bar_px, abs=0.01)
    window.action_beat_grid.trigger()
    assert bar.wave.beat_grid_lines() == []
