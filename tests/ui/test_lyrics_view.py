"""Karaoke lyrics in the real window, from the emulator's word timings: the line being sung
lights up as the player plays or seeks, and clicking a line plays the clip from there."""

from __future__ import annotations

from pathlib import Path

from conftest import wait_until
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from test_stems_view import finished_clip, open_view

from sonic_studio.audio.player import PLAYING
from sonic_studio.core.models import AssetKind
from sonic_studio.ui.components.lyrics_view import line_at


async def test_the_sung_line_follows_the_player_and_a_click_plays_from_a_line(window, ctx, qtbot):
    clip = await finished_clip(ctx, AssetKind.LYRICS_TIMELINE)
    dialog, view = await open_view(window, clip, "lyrics")
    lines = view.lines
    assert [line.text for line in lines] == ["Neon lights on the river", "We drive until the morning",
                                             "Night drive night drive"]
    assert view.current == -1  # nothing plays yet

    # A click on the third line loads the clip into the player and plays from that line.
    rect = view.list.visualItemRect(view.list.item(2))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    await wait_until(lambda: ctx.player.state() == PLAYING, timeout=10)
    assert ctx.player.source == Path(ctx.studio.library.get(clip).audio_path).resolve()
    await wait_until(lambda: ctx.player.position() > lines[2].start + 0.2, timeout=10)
    assert ctx.player.position() < lines[2].start + 5  # from the line, not from the top
    assert view.current == 2
    assert view.list.item(2).font().weight() == QFont.Weight.Bold
    assert view.list.item(0).font().weight() != QFont.Weight.Bold

    # Seeking elsewhere (the player bar's waveform, say) moves the light with it.
    ctx.player.seek(lines[1].start + 0.3)
    await wait_until(lambda: view.current == 1, timeout=5)
    assert view.list.currentRow() == 1
    if lines[0].start > 0.5:
        ctx.player.seek(lines[0].start - 0.5)
        await wait_until(lambda: view.current == -1, timeout=5)
    ctx.player.pause()
    dialog.reject()


def test_line_at_picks_the_last_line_started():
    from sonic_studio.audio.lyric_lines import LyricLine

    lines = [LyricLine("a", 1.0, 2.0), LyricLine("b", 3.0, 4.0)]
    assert [line_at(lines, t) for t in (0.0, 1.0, 2.5, 3.0, 99.0)] == [-1, 0, 0, 1, 1]


async def test_a_clip_without_timed_lyrics_says_what_to_do(window, ctx):
    clip = await finished_clip(ctx)
    _, view = await open_view(window, clip, "lyrics")
    assert view.list.count() == 0
    assert "No timed lyrics are saved for this clip yet" in view.hint.text()
