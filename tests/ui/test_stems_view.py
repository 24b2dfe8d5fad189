"""The stems view in the real window, against stems the emulator made: solo plays exactly that
stem, mute everything and the mix is silent, a change while playing carries on at the same
position through the app's player, levels move, and export writes files that decode."""

from __future__ import annotations

import subprocess

import numpy as np
from conftest import wait_until

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.pcm import read_mono
from sonic_studio.audio.player import PLAYING
from sonic_studio.core.models import AssetKind, GenerationParams
from sonic_studio.ui.dialogs.deliverable_window import DeliverableWindow
from sonic_studio.ui.widgets.level_meter import FLOOR_DB

LYRICS = "[Verse]\nNeon lights on the river\nWe drive until the morning\n[Chorus]\nNight drive night drive"


async def finished_clip(ctx, *kinds: AssetKind, model: str = "sonic-v4-5") -> int:
    """A generated song with the given deliverables saved (through the real services)."""
    studio = ctx.studio
    params = GenerationParams(model=model, lyrics=LYRICS, tags="synthwave", title="Night Drive")
    task = await studio.tasks.submit_generate(params)
    done = await studio.tasks.wait(task.id, timeout=60)
    clip = done.clip_ids[0]
    for kind in kinds:
        outcome = await studio.deliverables.request(clip, kind)
        if outcome.task is not None:
            finished = await studio.tasks.wait(outcome.task.id, timeout=60)
            assert finished.state.value == "succeeded", finished.detail
    return clip


def mixed(view) -> bool:
    """The current mix is written all through (no change still on its way)."""
    return (not view.runner.running("remix") and not view.runner.running("play")
            and view.render is not None and view.render.finished.done())


async def open_view(window, clip: int, kind: str):
    window.ctx.bridge.deliverableViewRequested.emit(clip, kind)
    [dialog] = [w for w in window.findChildren(DeliverableWindow) if w.clip_id == clip and w.kind == kind]
    await wait_until(dialog.isVisible)
    return dialog, dialog.view


async def test_solo_mute_and_a_change_while_playing(window, ctx, qtbot):
    clip = await finished_clip(ctx, AssetKind.STEMS_FULL)
    dialog, view = await open_view(window, clip, "stems")
    assert {"vocals", "drums", "bass"} <= set(view.rows)
    assert dialog.width() <= 1280 and dialog.height() <= 800
    await wait_until(lambda: view.deck is not None and view.deck.complete, timeout=30)
    assert view.deck.error is None

    # Solo the drums and play: the player plays the preview, which is the drums alone.
    view.set_soloed("drums", True)
    view.play()
    await wait_until(lambda: view.mix_loaded and ctx.player.state() == PLAYING, timeout=15)
    await wait_until(lambda: mixed(view), timeout=15)
    drums = read_mono(view.rows["drums"].path, view.deck.rate)
    mix = view.preview.read()
    n = min(len(drums), len(mix))
    assert n > view.deck.rate * 10
    assert np.max(np.abs(mix[:n] - drums[:n])) < 2e-3  # the same samples, up to 16-bit rounding
    assert np.sqrt(np.mean(drums ** 2)) > 0.01  # and not two silences agreeing

    # The meters follow the play position; the muted-by-solo stems are dimmed, not emptied.
    await wait_until(lambda: view.rows["drums"].meter.db() > FLOOR_DB, timeout=10)
    assert view.rows["bass"].meter._dimmed and not view.rows["drums"].meter._dimmed

    # Un-solo and mute everything while playing: the render restarts from the play position,
    # the player keeps the same file and carries on from where it was.
    source = ctx.player.source
    before = ctx.player.position()
    view.set_soloed("drums", False)
    for name in view.rows:
        view.set_muted(name, True)
    await wait_until(lambda: mixed(view), timeout=15)
    assert ctx.player.source == source and ctx.player.state() == PLAYING
    assert ctx.player.position() >= before
    assert not np.any(view.preview.read())  # silence, all of it

    # Back to everything: the song again (the stems sum to it).
    for name in view.rows:
        view.set_muted(name, False)
    await wait_until(lambda: mixed(view), timeout=15)
    whole = sum(read_mono(row.path, view.deck.rate)[:n] for row in view.rows.values())
    assert np.max(np.abs(view.preview.read()[:n] - np.clip(whole, -1, 1))) < 5e-3

    # Pause from the view; closing it stops the mix and lets go of the player.
    view.toggle()
    await wait_until(lambda: ctx.player.state() != PLAYING)
    preview = view.preview.path
    dialog.reject()
    await wait_until(lambda: ctx.player.source is None)
    assert not preview.exists()


async def test_export_selected_stems_writes_files_that_decode(window, ctx, tmp_path):
    clip = await finished_clip(ctx, AssetKind.STEMS_BASIC)
    _, view = await open_view(window, clip, "stems")
    assert set(view.rows) == {"vocals", "instrumental"}
    assert not view.rows["instrumental"].mute.isChecked()  # only doubles the band next to single instruments
    view.rows["instrumental"].export.setChecked(False)
    written = await view.export_to(tmp_path / "out")
    assert [p.name for p in written] == ["Night Drive - Vocals.mp3"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Night Drive - Vocals.mp3"]
    check = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", str(written[0]), "-f", "null", "-"],
                           capture_output=True)
    assert check.returncode == 0
    assert "Exported 1 stem to" in view.status.text()


async def test_a_clip_without_stems_says_what_to_do(window, ctx):
    clip = await finished_clip(ctx)
    _, view = await open_view(window, clip, "stems")
    assert not view.rows and not view.play_button.isEnabled()
    assert "No stems are saved for this clip yet" in view.status.text()
