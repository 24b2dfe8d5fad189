"""The settings dialog: test a key before saving, refuse plain http to remote hosts, switch provider."""

from __future__ import annotations

import asyncio

from conftest import wait_until
from PySide6.QtCore import Qt

from sonic_studio.core.models import ProviderId
from sonic_studio.ui.dialogs.settings import SettingsDialog

KEY = "sk-live-TEST-abcdef0123456789"


async def test_test_key_asks_the_provider_and_shows_credits(ctx, ui_emulator, qtbot):
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.demo.setChecked(False)
    dialog.advanced.setChecked(True)
    dialog.base_url.setText(ui_emulator.base_url)  # loopback http is allowed
    qtbot.keyClicks(dialog.key, KEY)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: dialog.test_result.text().startswith("✓"), 10)
    assert "credits left" in dialog.test_result.text()
    credits_call = [r for r in ui_emulator.requests if r.path == "/api/v1/get-credits"][-1]
    assert credits_call.authorization == f"Bearer {KEY}"
    assert KEY not in dialog.test_result.text() and KEY not in dialog.key_status.text()


async def test_plain_http_to_a_remote_host_is_refused_next_to_the_field(ctx, qtbot):
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.demo.setChecked(False)
    dialog.advanced.setChecked(True)
    dialog.base_url.setText("http://api.example.com")
    assert "unencrypted" in dialog.base_url_error.text()
    dialog.save_button.click()
    await asyncio.sleep(0.2)
    assert dialog.isVisible() and "Fix the server address" in dialog.error.text()
    assert ctx.studio.settings.base_urls.get("sonic") is None


async def test_saving_switches_the_provider_and_the_status_bar_follows(window, ctx, qtbot):
    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    dialog.provider.setCurrentIndex(list(ProviderId).index(ProviderId.SUNOAPI))
    dialog.save_button.click()
    await wait_until(lambda: ctx.studio.provider_id is ProviderId.SUNOAPI, 5)
    await wait_until(lambda: window.provider_label.text() == "sunoapi.org", 5)
    assert window.demo_badge.isVisible()  # still demo mode: the emulator serves both APIs


async def test_what_happened_shows_the_log_without_the_key(window, ctx, qtbot, tmp_path):
    import logging

    from sonic_studio.logs import setup_logging
    from sonic_studio.services.redact import register_secret
    from sonic_studio.ui.dialogs.log_view import LogViewDialog

    log_file = setup_logging(tmp_path / "logdata")
    register_secret(KEY)
    logging.getLogger("sonic_studio.test").warning("task 7 failed while using key %s", KEY)
    ctx.log_file = log_file
    window.open_log()
    dialog = window.findChild(LogViewDialog)
    await wait_until(lambda: "task 7 failed" in dialog.text.toPlainText(), 5)
    assert KEY not in dialog.text.toPlainText() and "[redacted]" in dialog.text.toPlainText()
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_sonic_studio", False):
            logging.getLogger().removeHandler(handler)
            handler.close()
