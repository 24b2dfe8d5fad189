"""Screenshots of the stems view and the karaoke lyrics, as a person sees them mid-song
(docs/screenshots/stems.png and lyrics.png with SONIC_STUDIO_SCREENSHOT_DIR set)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import wait_until
from test_stems_view import finished_clip, open_view

from sonic_studio.audio.player import PLAYING
from sonic_studio.core.models import AssetKind
from sonic_studio.ui import theme
from sonic_studio.ui.widgets.level_meter import FLOOR_DB


def _out(tmp_path: Path, name: str) -> Path:
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / name
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


async def test_stems_and_lyrics_screenshots(window, ctx, qapp, tmp_path):
    theme.apply(qapp)
    clip = await finished_clip(ctx, AssetKind.STEMS_FULL, AssetKind.LYRICS_TIMELINE, AssetKind.BPM)

    dialog, view = await open_view(window, clip, "stems")
    await wait_until(lambda: view.wave.status() == "ready" and view.deck is not None and view.deck.complete, 30)
    view.grid_button.setChecked(True)
    view.set_muted("drums", True)
    view.seek(12.0)
    view.play()
    await wait_until(lambda: view.mix_loaded and ctx.player.state() == PLAYING and ctx.player.position() > 13.0, 15)
    await wait_until(lambda: all(r.meter.db() > FLOOR_DB for n, r in view.rows.items() if n != "drums"), 10)
    view.pause()
    await wait_until(lambda: ctx.player.state() != PLAYING)
    for name, row in view.rows.items():  # the meters as they stood while playing (pausing empties them)
        row.meter.set_level(view.deck.levels(ctx.player.position()).get(name, 0.0))
    out = _out(tmp_path, "stems.png")
    assert dialog.grab().save(str(out))
    dialog.reject()

    dialog, view = await open_view(window, clip, "lyrics")
    view.seek_to_line(1)
    await wait_until(lambda: ctx.player.state() == PLAYING and view.current == 1, 10)
    ctx.player.pause()
    out = _out(tmp_path, "lyrics.png")
    assert dialog.grab().save(str(out))
    dialog.reject()
