"""Settings › Reset demo: asks first, then the demo emulator forgets everything and starts at 500 credits."""

from __future__ import annotations

import json

from conftest import wait_until
from restart_kit import open_app, shut

from sonic_studio.ui.bootstrap import DemoServer, demo_state_dir
from sonic_studio.ui.dialogs.settings import SettingsDialog


async def test_reset_demo_asks_then_forgets_everything(tmp_path, qapp, qtbot):
    qapp.setQuitOnLastWindowClosed(False)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    state = demo_state_dir(data_dir)
    server = DemoServer(state)
    try:
        ctx, window = await open_app(data_dir, server.base_url, qtbot)
        ctx.demo_server, ctx.demo_state_dir = server, state
        studio = ctx.studio
        await studio.tasks.upload(f"{server.base_url}/samples/night-drive.mp3")  # 2 credits
        assert (await studio.credits.refresh()).total < 500

        window.open_settings()
        dialog = window.findChild(SettingsDialog)
        assert dialog.reset_demo_button.isEnabled()
        dialog.reset_demo_button.click()  # Cancel: nothing happens
        box = dialog.reset_question
        assert "forgets every clip, task, persona and upload" in box.text()
        next(b for b in box.buttons() if b.text() == "Cancel").click()
        assert (await studio.credits.refresh()).total < 500

        dialog.reset_demo_button.click()
        next(b for b in dialog.reset_question.buttons() if b.text() == "Reset demo").click()
        await wait_until(lambda: "was reset" in dialog.demo_result.text(), 30)
        assert (await studio.credits.refresh()).total == 500
        assert studio.settings.demo_base_url == server.base_url
        await wait_until(lambda: (state / "state.json").exists(), 10)
        assert json.loads((state / "state.json").read_text())["sonic"]["clips"] == {}
        # The library keeps its copy of the upload.
        [row] = await studio.library.query()
        assert row.audio_path
        dialog.close()
        window.quit(ask=False)
        await shut(ctx, window)
    finally:
        server.stop()
