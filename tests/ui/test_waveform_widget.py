"""WaveformView driven with real mouse, wheel and key events on a shown widget.

The widget is 624 px wide, so the waveform spans x = 12..612 (600 px) and a 60 s clip
maps 0.1 s to each pixel: x(t) = 12 + 10 t.  Every expected value below follows from
that mapping, the 0.01 s snap and the 10-30 s rules.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPixmap, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sonic_studio.audio.peaks import PeakBuilder, build_pyramid
from sonic_studio.emulator.synth import SR, render
from sonic_studio.ui.widgets.waveform import WaveformMode, WaveformView

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
Y = 80  # inside the waveform area vertically


def X(t: float) -> int:  # noqa: N802 (reads like the maths in the docstring)
    return round(12 + 10 * t)


@pytest.fixture(scope="module")
def peaks():
    """60 s of the emulator's synthesised song, as the app would decode it (8 kHz)."""
    mono = render(51, 60.0)
    pcm8k = (np.interp(np.arange(0, len(mono), SR / 8000), np.arange(len(mono)), mono) * 32767).astype(np.int16)
    return build_pyramid(pcm8k[: 60 * 8000])


@pytest.fixture
def view(qtbot, peaks):
    w = WaveformView()
    qtbot.addWidget(w)
    w.resize(624, 160)
    w.set_peaks(peaks)
    w.show()
    qtbot.waitExposed(w)
    assert w.duration() == 60.0
    return w


@pytest.fixture
def picker(view):
    view.set_mode(WaveformMode.RANGE)
    view.set_range_rules(10, 30)
    view.set_range(20, 40)
    return view


def press(w, x, y=Y):
    QTest.mousePress(w, LEFT, NOMOD, QPoint(x, y))


def move(w, x, y=Y):
    QTest.mouseMove(w, QPoint(x, y))


def release(w, x, y=Y):
    QTest.mouseRelease(w, LEFT, NOMOD, QPoint(x, y))


def test_mapping_is_linear_and_known(view):
    rect = view.wave_rect()
    assert (rect.left(), rect.width()) == (12, 600)
    assert view.x_for_time(0) == 12 and view.x_for_time(60) == 612 and view.x_for_time(42.5) == 437
    assert view.time_at(312) == 30.0 and view.time_at(-50) == 0.0 and view.time_at(700) == 60.0


def test_drag_start_edge_clamped_to_10_and_30_seconds(picker, qtbot):
    changes = []
    picker.rangeChanged.connect(lambda a, b: changes.append((a, b)))
    press(picker, X(20))
    move(picker, X(15))
    assert picker.range() == (15.0, 40.0)
    move(picker, X(5))  # 35 s long: clamped while dragging
    assert picker.range() == (10.0, 40.0)
    move(picker, X(35))  # 5 s long: clamped to the 10 s minimum
    assert picker.range() == (30.0, 40.0)
    move(picker, X(22.3))
    assert picker.range() == (22.3, 40.0)
    release(picker, X(22.3))
    assert picker.range() == (22.3, 40.0)
    assert changes == [(15.0, 40.0), (10.0, 40.0), (30.0, 40.0), (22.3, 40.0)]
    assert picker.active_part() == "start"


def test_drag_end_edge_clamped_and_kept_inside_the_clip(picker):
    press(picker, X(40))
    move(picker, X(55))
    assert picker.range() == (20.0, 50.0)  # exactly 30 s is allowed
    move(picker, X(58))
    assert picker.range() == (20.0, 50.0)
    move(picker, X(25))
    assert picker.range() == (20.0, 30.0)
    release(picker, X(25))
    picker.set_range(45, 55)
    press(picker, X(55))
    move(picker, 700)  # far past the widget and the clip's end
    assert picker.range() == (45.0, 60.0)
    release(picker, 700)


def test_edge_grab_zone_is_8_px_each_side(picker):
    press(picker, X(20) - 8)  # 8 px left of the start line still grabs it
    move(picker, X(18) - 8)
    release(picker, X(18) - 8)
    assert picker.range() == (18.0, 40.0)
    press(picker, X(40) + 8)
    move(picker, X(41) + 8)
    release(picker, X(41) + 8)
    assert picker.range() == (18.0, 41.0)
    assert picker.active_part() == "end"


def test_drag_body_moves_the_whole_region_inside_the_clip(picker):
    press(picker, X(30))
    move(picker, X(35.5))
    assert picker.range() == (25.5, 45.5)
    move(picker, 680)
    assert picker.range() == (40.0, 60.0)  # stops at the clip's end, length kept
    move(picker, -100)
    assert picker.range() == (0.0, 20.0)
    move(picker, X(31.2))
    release(picker, X(31.2))
    assert picker.range() == (21.2, 41.2)
    assert picker.active_part() == "body"


def test_click_drag_on_empty_space_draws_a_new_region(picker):
    picker.set_range(2, 14)
    press(picker, X(30))
    move(picker, X(30) + 2)  # below the drag threshold: nothing yet
    assert picker.range() == (2.0, 14.0)
    move(picker, X(31))
    assert picker.range() == (30.0, 40.0)  # at least the 10 s minimum
    move(picker, X(50))
    assert picker.range() == (30.0, 50.0)
    move(picker, 650)  # past the clip's end
    assert picker.range() == (30.0, 60.0)
    move(picker, X(12))  # across the anchor: now the start follows the cursor
    assert picker.range() == (12.0, 30.0)
    move(picker, -40)
    assert picker.range() == (0.0, 30.0)
    release(picker, -40)
    assert picker.active_part() == "start"


def test_new_region_near_the_end_pushes_the_anchor(picker):
    press(picker, X(55))
    move(picker, X(57))
    release(picker, X(57))
    assert picker.range() == (50.0, 60.0)


def test_click_on_empty_space_seeks_and_keeps_the_region(picker, qtbot):
    with qtbot.waitSignal(picker.seekRequested) as sig:
        press(picker, X(50.7))
        release(picker, X(50.7))
    assert sig.args == [50.7]
    assert picker.range() == (20.0, 40.0) and picker.playhead() == 50.7


def test_keyboard_nudges_move_what_was_grabbed_last(picker):
    assert picker.active_part() == "body"  # before any grab: the whole region
    picker.setFocus()
    QTest.keyClick(picker, Qt.Key.Key_Right)
    assert picker.range() == (20.1, 40.1)
    QTest.keyClick(picker, Qt.Key.Key_Right, SHIFT)
    assert picker.range() == (21.1, 41.1)
    press(picker, X(21.1))  # grab the start edge (a click without moving)
    release(picker, X(21.1))
    QTest.keyClick(picker, Qt.Key.Key_Left)
    assert picker.range() == (21.0, 41.1)
    QTest.keyClick(picker, Qt.Key.Key_Left, SHIFT)
    assert picker.range() == (20.0, 41.1)
    for _ in range(12):  # 30 s maximum: the start stops at 11.1
        QTest.keyClick(picker, Qt.Key.Key_Left, SHIFT)
    assert picker.range() == (11.1, 41.1)
    press(picker, X(41.1))  # now the end edge
    release(picker, X(41.1))
    for _ in range(3):
        QTest.keyClick(picker, Qt.Key.Key_Left, SHIFT)
    assert picker.range() == (11.1, 38.1)
    QTest.keyClick(picker, Qt.Key.Key_Right)
    assert picker.range() == (11.1, 38.2)


def test_rules_apply_to_programmatic_ranges(picker):
    picker.set_range(0, 45)
    assert picker.range() == (0.0, 30.0)
    picker.set_range(55, 58)
    assert picker.range() == (50.0, 60.0)
    picker.set_range(12.346, 30.0)
    assert picker.range() == (12.35, 30.0)  # snapped to 0.01 s
    picker.set_range_rules(None, None)
    picker.set_range(10, 11)
    assert picker.range() == (10.0, 11.0)
    assert picker.range_rules() == (None, None)


def test_marker_drag_click_and_keys(view, qtbot):
    view.set_mode(WaveformMode.MARKER)
    view.set_marker(10)
    got = []
    view.markerChanged.connect(got.append)
    press(view, X(10))
    move(view, X(25))
    release(view, X(25))
    assert view.marker() == 25.0 and got[-1] == 25.0
    press(view, X(40))  # a click elsewhere places it
    release(view, X(40))
    assert view.marker() == 40.0
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.marker() == 40.1
    QTest.keyClick(view, Qt.Key.Key_Right, SHIFT)
    assert view.marker() == 41.1
    QTest.keyClick(view, Qt.Key.Key_Left, SHIFT)
    assert view.marker() == 40.1
    press(view, X(40.1))
    move(view, 800)
    release(view, 800)
    assert view.marker() == 60.0
    QTest.keyClick(view, Qt.Key.Key_Home)
    assert view.marker() == 0.0


def test_preview_click_and_drag_seek(view, qtbot):
    seeks = []
    view.seekRequested.connect(seeks.append)
    press(view, X(12.3))
    move(view, X(20))
    release(view, X(20))
    assert seeks == [12.3, 20.0] and view.playhead() == 20.0


def send_wheel(w, x, notches, modifiers):
    pos = QPointF(x, Y)
    event = QWheelEvent(pos, w.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(w, event)
    return event


def test_ctrl_wheel_zooms_around_the_cursor(view):
    zoomed = []
    view.viewChanged.connect(lambda a, b: zoomed.append((a, b)))
    under = view.time_at(400)
    assert under == 38.8
    send_wheel(view, 400, 1, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom_factor() == pytest.approx(1.25)
    assert view.time_at(400) == pytest.approx(under, abs=1e-9)
    send_wheel(view, 400, 3, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom_factor() == pytest.approx(1.25**4)
    assert view.time_at(400) == pytest.approx(under, abs=1e-9)
    start, end = view.visible_range()
    assert end - start == pytest.approx(60 / 1.25**4)
    assert zoomed and zoomed[-1] == (start, end)
    # Dragging still maps pixels through the zoomed view.
    view.set_mode(WaveformMode.MARKER)
    press(view, 312)
    release(view, 312)
    assert view.marker() == round(view.time_at(312), 2)
    # A plain wheel scrolls the zoomed view; zooming out fully restores the whole clip.
    send_wheel(view, 400, -2, NOMOD)
    assert view.visible_range()[0] > start
    send_wheel(view, 400, -20, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom_factor() == 1.0 and view.visible_range() == (0.0, 60.0)
    event = send_wheel(view, 400, 1, NOMOD)
    assert not event.isAccepted()  # not zoomed: a surrounding scroll area gets the wheel


def test_progressive_fill_and_states(qtbot, peaks):
    w = WaveformView()
    qtbot.addWidget(w)
    w.resize(624, 160)
    w.show()
    assert w.status() == "empty"
    w.set_loading()
    assert w.status() == "loading"
    builder = PeakBuilder()
    builder.duration_hint = 60.0
    mins, maxs = peaks.base
    samples = np.repeat(np.stack([mins, maxs], axis=1), 32, axis=0).ravel()  # any data with these peaks
    builder.feed(samples[: len(samples) // 3])
    w.set_peaks(builder.snapshot())
    assert w.status() == "loading" and w.duration() == 60.0
    img = w.grab().toImage()
    assert img.pixelColor(X(5), int(w.wave_rect().center().y())) != img.pixelColor(X(50), int(w.wave_rect().center().y()))
    builder.feed(samples[len(samples) // 3 :])
    w.set_peaks(builder.finish())
    assert w.status() == "ready"
    w.set_error("notes.mp3 is not an audio file ffmpeg can read.")
    assert w.status() == "error"
    w.clear()
    assert w.status() == "empty" and w.duration() == 0.0


@pytest.mark.parametrize("mode", list(WaveformMode))
def test_renders_crisply_at_200_percent(view, mode):
    view.set_mode(mode)
    view.set_marker(25)
    view.set_range(20, 40)
    view.set_playhead(30)
    pix = QPixmap(view.width() * 2, view.height() * 2)
    pix.setDevicePixelRatio(2)
    pix.fill(Qt.GlobalColor.black)
    view.render(pix)
    img = pix.toImage()
    # The panel is drawn at device resolution: a non-background pixel exists at odd device coordinates.
    assert any(img.pixelColor(2 * X(t) + 1, 2 * Y + 1).value() > 40 for t in np.arange(0, 60, 0.5))


def test_range_and_marker_set_before_the_duration_is_known(qtbot, peaks):
    w = WaveformView(mode=WaveformMode.RANGE)
    qtbot.addWidget(w)
    w.set_range_rules(10, 30)
    w.set_range(0, 30)  # the persona tab's default, before the clip has loaded
    w.set_marker(75)
    assert w.range() == (0.0, 30.0)
    short = build_pyramid(np.zeros(8000 * 25, dtype=np.int16))  # a 25 s clip
    w.set_peaks(short)
    assert w.range() == (0.0, 25.0) and w.marker() == 25.0
