"""Auto-fetch, from the window: Settings › After a result arrives, and what then happens by itself.

On the AI Music API an extend returns only the new part; with the default setting the
whole song of each extension lands in the library (one concat each, exact bodies) with
its lineage, and WAV/timed lyrics - when turned on in the dialog, costs shown there -
follow the whole song, each asked for exactly once.
"""

from __future__ import annotations

import json

from conftest import wait_until
from PySide6.QtCore import QPoint, Qt
from test_deliverables_section import LYRICS, MODEL, decodes, new_song, section_for

from sonic_studio.core.models import AssetKind, GenerationParams, ProviderId, TaskKind
from sonic_studio.services.deliverable_status import RowState
from sonic_studio.store.assets import AssetState
from sonic_studio.ui.dialogs.settings import SettingsDialog


async def extend(ctx, provider: str, clip: int) -> list[int]:
    params = GenerationParams(model=MODEL[provider], lyrics=LYRICS, tags="synthwave", title="Night Drive")
    task = await ctx.studio.tasks.submit_extend(clip, 30.0, params)
    return list((await ctx.studio.tasks.wait(task.id, timeout=30)).clip_ids)


def concat_bodies(emulator) -> list[dict]:
    return [r.json for r in emulator.submissions("/api/v1/sonic/create") if r.json["task_type"] == "concat_music"]


def tick(qtbot, box) -> None:
    """Click the check box's indicator, as a person does."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


async def open_settings(window, qtbot) -> SettingsDialog:
    window.open_settings()
    await wait_until(lambda: window.findChild(SettingsDialog) is not None and window.findChild(SettingsDialog).isVisible())
    return window.findChild(SettingsDialog)


async def test_settings_show_each_auto_fetch_with_its_cost_and_save_the_choice(window, ctx, qtbot):
    dialog = await open_settings(window, qtbot)
    boxes = dialog.auto_boxes
    assert [(b.text(), b.isChecked()) for b in boxes.values()] == [
        ("Whole song after an extend — 2 credits per clip", True),
        ("WAV — 2 credits per clip", False),
        ("Timed lyrics — 1 credit per clip", False),
    ]
    dialog.provider.setCurrentIndex(list(ProviderId).index(ProviderId.SUNOAPI))
    assert [(b.text(), b.isChecked()) for b in boxes.values()] == [
        ("Whole song after an extend — free, made here", False),
        ("WAV — about 0.4 credits per clip", False),
        ("Timed lyrics — free", False),
    ]
    assert "nothing is lost by waiting" in dialog.auto_hint.text()
    tick(qtbot, boxes[AssetKind.LYRICS_TIMELINE])
    dialog.provider.setCurrentIndex(list(ProviderId).index(ProviderId.SONIC))
    assert not boxes[AssetKind.LYRICS_TIMELINE].isChecked()  # the sunoapi.org choice stays with sunoapi.org
    tick(qtbot, boxes[AssetKind.WAV])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not dialog.isVisible(), 10)
    saved = json.loads(ctx.studio.settings.path.read_text())["auto_fetch"]
    assert saved == {"sonic": {"wav": True}, "sunoapi": {"lyrics_timeline": True}}
    settings = ctx.studio.settings
    assert settings.auto_fetch_on("sonic", AssetKind.WHOLE_SONG) and settings.auto_fetch_on("sonic", AssetKind.WAV)


async def test_sonic_extend_brings_the_whole_song_and_its_wav_by_itself(window, ctx, ui_emulator, qtbot):
    ctx.studio.auto_fetch = True  # as the app starts it
    ctx.studio.settings.set_auto_fetch("sonic", AssetKind.WAV, True)
    clip = await new_song(ctx, "sonic")
    [generation] = [t for t in ctx.studio.tasks.list() if t.kind is TaskKind.GENERATE]
    songs = list(generation.clip_ids)  # a generation makes two clips
    # Fresh songs get their WAV (once each), and no whole song: they are no extensions.
    await wait_until(lambda: all(a.state is AssetState.READY for c in songs
                                 for a in ctx.studio.store.assets.for_clip(c, AssetKind.WAV))
                     and len(ui_emulator.submissions("/api/v1/sonic/wav")) == 2, 30)
    extensions = await extend(ctx, "sonic", clip)
    assert len(extensions) == 2
    await wait_until(lambda: all(ctx.studio.deliverables.whole_songs(e) and ctx.studio.deliverables.whole_songs(e)[0].audio_path
                                 for e in extensions), 30)
    clip_ids = sorted(ctx.studio.library.get(e).clip_id for e in extensions)
    assert sorted(b["continue_clip_id"] for b in concat_bodies(ui_emulator)) == clip_ids, (concat_bodies(ui_emulator), [(t.id, t.kind, t.source_clip, t.clip_ids) for t in ctx.studio.tasks.list()], extensions)
    assert all(b == {"task_type": "concat_music", "continue_clip_id": b["continue_clip_id"], "use_suno_cdn": False}
               for b in concat_bodies(ui_emulator))
    wholes = [ctx.studio.deliverables.whole_songs(e)[0] for e in extensions]
    for whole, extension in zip(wholes, extensions):
        detail = ctx.studio.library.get(whole.id)
        assert detail.lineage.task_kind is TaskKind.CONCAT and detail.lineage.parent_clip == extension
        assert decodes(detail.audio_path)
    # WAV follows the whole songs (not the bare extensions), each asked for once.
    await wait_until(lambda: all(a.state is AssetState.READY for w in wholes
                                 for a in ctx.studio.store.assets.for_clip(w.id, AssetKind.WAV))
                     and len(ui_emulator.submissions("/api/v1/sonic/wav")) == 4, 30)
    wav_clips = sorted(r.json["clip_id"] for r in ui_emulator.submissions("/api/v1/sonic/wav"))
    assert wav_clips == sorted([ctx.studio.library.get(c).clip_id for c in songs] + [w.clip_id for w in wholes])
    section = await section_for(window, ctx, extensions[0])
    assert section.overview.row(AssetKind.WHOLE_SONG).state is RowState.SAVED
    assert section.row_text(AssetKind.WHOLE_SONG) == "Saved as “Night Drive” in the library."
    # Checking the extend task again finishes it a second time: nothing is asked for again.
    [task] = [t for t in ctx.studio.tasks.list() if t.kind is TaskKind.EXTEND]
    await ctx.studio.tasks.check_again(task.id)
    await ctx.studio.tasks.wait(task.id, timeout=30)
    assert len(concat_bodies(ui_emulator)) == 2 and len(ui_emulator.submissions("/api/v1/sonic/wav")) == 4


async def test_sunoapi_auto_whole_song_is_off_and_when_on_recognises_a_whole_extension(suno_window, suno_ctx, qtbot):
    ctx = suno_ctx
    ctx.studio.auto_fetch = True
    clip = await new_song(ctx, "sunoapi")
    [first, *_] = await extend(ctx, "sunoapi", clip)
    section = await section_for(suno_window, ctx, first)
    assert section.overview.row(AssetKind.WHOLE_SONG).state is RowState.NONE  # off by default: free, any time
    ctx.studio.settings.set_auto_fetch("sunoapi", AssetKind.WHOLE_SONG, True)
    [second, *_] = await extend(ctx, "sunoapi", clip)
    await wait_until(lambda: ctx.studio.deliverables.already_whole(second), 30)
    section = await section_for(suno_window, ctx, second)
    assert section.row_text(AssetKind.WHOLE_SONG) == "This extension already is the whole song."
