"""Issue 16: clicking a clip in the library starts ONE decode of its audio, shared by every
view that draws it (the player bar, the Persona tab, the Extend/Cover tab).

The window opens on its first tab (the UI conftest clears remembered settings): while the
Persona tab is the one shown, finding the singing is a second, 16 kHz decode by design.
"""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtCore import Qt
from test_player_bar import downloaded_clip

from sonic_studio.audio.decode import PcmStream


async def test_one_click_on_a_clip_decodes_its_audio_once(window, ctx, ui_emulator, qtbot, monkeypatch):
    clip_id = await downloaded_clip(ctx, ui_emulator)
    started = []
    real = PcmStream._start

    def counting(self):
        started.append(self.path)
        return real(self)

    monkeypatch.setattr(PcmStream, "_start", counting)
    panel = window.library
    await wait_until(lambda: panel.model.loaded and not panel.model.busy)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.clip_at(r).id == clip_id)
    rect = panel.table.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ctx.selected_clip == clip_id

    await wait_until(lambda: window.player_bar.wave.status() == "ready", timeout=30)
    await wait_until(lambda: window.persona_tab.loader._job is None and window.extend_tab.loader._job is None,
                     timeout=30)
    audio = ctx.studio.library.get(clip_id).audio_path
    assert [str(p) for p in started] == [audio], "more than one decode for one click"
