"""The Upload tab with a link that is not audio: refused at the link field, never "Uploaded".

A real HTTP server on 127.0.0.1 serves a web page, a 404 and real audio; the provider is
the emulator.
"""

from __future__ import annotations

import pytest
from conftest import wait_until
from hostile_server import HostileServer, respond
from PySide6.QtCore import Qt

from sonic_studio.emulator import synth

PAGE = b"<!doctype html><html><body>My song page</body></html>"


@pytest.fixture
async def host():
    async with HostileServer() as server:
        server.routes["/page.html"] = respond(PAGE, headers={"Content-Type": "text/html"})
        server.routes["/song.mp3"] = respond(synth.song_mp3(seed=9, seconds=12.0, vocal=False),
                                             headers={"Content-Type": "audio/mpeg"})
        yield server


async def upload_link(qtbot, window, url: str):
    tab = window.upload_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.source_switch.button("url"), Qt.MouseButton.LeftButton)
    tab.url_edit.setFocus()
    tab.url_edit.selectAll()
    qtbot.keyClicks(tab.url_edit, url)
    await wait_until(lambda: tab.upload_button.isEnabled(), 5)
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not tab.busy(), 20)
    return tab


@pytest.mark.parametrize("path, sentence", [("/page.html", "opens a web page"), ("/missing.mp3", "no file at that link")])
async def test_a_link_that_is_not_audio_is_refused_at_the_field(suno_window, suno_ctx, ui_emulator, host, qtbot,
                                                                path, sentence):
    tab = await upload_link(qtbot, suno_window, host.url(path))
    assert sentence in tab.url_error.text() and tab.url_error.isVisible()
    assert "Uploaded" not in tab.status.text() and not tab.open_result.isVisible()
    assert await suno_ctx.studio.library.query() == []
    assert [r for r in ui_emulator.requests if r.method == "POST"] == []


async def test_a_link_to_audio_uploads(suno_window, suno_ctx, host, qtbot):
    tab = await upload_link(qtbot, suno_window, host.url("/song.mp3"))
    assert "Uploaded" in tab.status.text() and not tab.url_error.isVisible()
    [row] = await suno_ctx.studio.library.query()
    assert row.audio_path
