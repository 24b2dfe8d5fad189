"""The Upload tab driven like a person would, against the real emulator.

Files are dropped on the drop zone with real drag-and-drop events, links are typed, the
Upload button is clicked; the tests then check what the emulator received (the
multipart body on sunoapi.org's upload host, ``{"url": ...}`` on sonic), that the clip
is in the library panel and selected, and - for every kind of bad input - that a
message sits next to the field, nothing reached the emulator and nothing typed is lost.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest
from conftest import wait_until
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Fault

# ---------------------------------------------------------------------------- helpers


def upload_tab(window):
    """The Upload tab, brought to the front (the window restores the last tab)."""
    window.tabs.setCurrentWidget(window.upload_tab)
    return window.upload_tab


def song(tmp_path: Path, seconds: float = 30.0, name: str = "my-song.mp3") -> Path:
    path = tmp_path / name
    path.write_bytes(synth.song_mp3(seed=7, seconds=seconds))
    return path


def long_file(tmp_path: Path, seconds: float = 545.0) -> Path:
    """A real, decodable 9-minute MP3 (a quiet tone; ffmpeg makes it in about a second)."""
    path = tmp_path / "nine-minutes.mp3"
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}",
         "-ac", "1", "-ar", "8000", "-b:a", "16k", "-y", str(path)],
        check=True,
    )
    return path


def drop_file(widget, path: Path) -> None:
    """A real drag-enter + drop of a local file, as the file manager sends it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPointF(widget.width() / 2, widget.height() / 2)
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the drop zone must accept a local file"
    drop = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


def type_url(qtbot, tab, url: str) -> None:
    qtbot.mouseClick(tab.source_switch.button("url"), Qt.MouseButton.LeftButton)
    tab.url_edit.setFocus()
    tab.url_edit.selectAll()
    qtbot.keyClicks(tab.url_edit, url)


def sent(emulator) -> int:
    """How many requests reached the emulator (anything at all)."""
    return len(emulator.requests)


# ---------------------------------------------------------------------------- uploads that work


async def test_local_file_upload_on_sunoapi_goes_through_the_upload_host(suno_window, suno_ctx, ui_emulator, qtbot, tmp_path):
    tab = upload_tab(suno_window)
    path = song(tmp_path, 30.0)

    drop_file(tab.drop_zone, path)
    await wait_until(lambda: tab.file_info() is not None, 15)
    assert tab.file_facts.text().startswith("0:30") and "MP3" in tab.file_facts.text()
    await wait_until(lambda: tab.waveform.status() == "ready", 15)
    assert tab.waveform.duration() == pytest.approx(30.0, abs=0.1)
    assert "sunoapi.org accepts files" in tab.note_title.text()
    assert tab.upload_button.isEnabled(), tab.reason.text()

    progress: list[int] = []
    tab.progress.valueChanged.connect(progress.append)
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not tab.busy(), 20)

    assert tab.error.text() == ""
    uploads = ui_emulator.submissions("/api/file-stream-upload")
    assert len(uploads) == 1
    assert uploads[0].files == {"file": ("my-song.mp3", path.stat().st_size)}
    # A unique prefix: the upload host overwrites a same-named file (two "take.wav" would clash).
    assert uploads[0].form["uploadPath"] == "sonic-studio/uploads"
    assert re.fullmatch(r"[0-9a-f]{12}-my-song\.mp3", uploads[0].form["fileName"]), uploads[0].form
    assert progress and progress[-1] == tab.progress.maximum()  # the bar reached the end

    selected = suno_ctx.selected_clip
    assert selected is not None
    clip = suno_ctx.studio.library.get(selected)
    assert clip.origin.value == "uploaded"
    assert clip.audio_url and clip.audio_url.startswith(ui_emulator.base_url)
    await wait_until(lambda: suno_window.library.model.row_of(selected) is not None, 10)
    assert "in the library" in tab.status.text()


async def test_url_upload_on_sonic_sends_the_url(window, ctx, ui_emulator, qtbot):
    tab = upload_tab(window)
    url = f"{ui_emulator.base_url}/samples/night-drive.mp3"
    type_url(qtbot, tab, url)
    assert tab.upload_button.isEnabled(), tab.reason.text()

    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    assert tab.progress.isVisible()
    await wait_until(lambda: not tab.busy(), 20)

    assert [r.json for r in ui_emulator.submissions("/api/v1/sonic/upload")] == [{"url": url}]
    clip = ctx.studio.library.get(ctx.selected_clip)
    assert clip.origin.value == "uploaded" and clip.title
    await wait_until(lambda: window.library.model.row_of(clip.id) is not None, 10)
    assert tab.open_result.isVisible()


async def test_sonic_explains_it_needs_a_public_url_and_offers_demo_samples(window, ui_emulator, qtbot, tmp_path):
    tab = upload_tab(window)
    before = sent(ui_emulator)
    drop_file(tab.drop_zone, song(tmp_path, 20.0))
    await wait_until(lambda: tab.file_info() is not None, 15)

    assert tab.note_title.text() == "Needs a public URL — the AI Music API downloads the file itself"
    assert "switch to sunoapi.org in Settings" in tab.note_body.text()
    assert not tab.upload_button.isEnabled()
    assert tab.reason.text() == "AI Music API (sonic) needs a public link (see the note)."
    assert "needs a public link" in tab.upload_button.toolTip()
    qtbot.keyClick(tab, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the shortcut too
    assert sent(ui_emulator) == before

    sample = tab.sample_buttons[0]
    assert sample.isVisible()
    qtbot.mouseClick(sample, Qt.MouseButton.LeftButton)
    assert tab.source() == f"{ui_emulator.base_url}/samples/night-drive.mp3"
    assert tab.upload_button.isEnabled()


async def test_upload_and_extend_hands_the_link_to_the_extend_tab(window, ui_emulator, qtbot):
    tab = upload_tab(window)
    url = f"{ui_emulator.base_url}/samples/rain-on-glass.mp3"
    type_url(qtbot, tab, url)
    qtbot.mouseClick(tab.extend_button, Qt.MouseButton.LeftButton)

    extend = window.extend_tab
    assert window.tabs.currentWidget() is extend
    assert extend.source() == url and extend.mode() == "extend"
    assert extend.route_hint.text() == "Uploads and extends in one step"
    assert "Sent to the provider as: /sonic/upload-extend" in extend.route_hint.toolTip()
    assert extend.auto_concat.isVisible() and extend.auto_concat.isChecked()
    assert ui_emulator.submissions("/api/v1/sonic/upload") == []  # uploaded only when submitted


# ---------------------------------------------------------------------------- bad input


async def test_nine_minute_file_is_refused_before_sending(suno_window, ui_emulator, qtbot, tmp_path):
    tab = upload_tab(suno_window)
    before = sent(ui_emulator)
    drop_file(tab.drop_zone, long_file(tmp_path))
    await wait_until(lambda: tab.file_info() is not None, 20)

    assert tab.file_error.isVisible()
    assert tab.file_error.text() == "This track is 9:05 long; sunoapi.org accepts at most 8:00."
    assert not tab.upload_button.isEnabled() and not tab.extend_button.isEnabled()
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(tab, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    tab.upload()
    assert sent(ui_emulator) == before


async def test_text_file_renamed_mp3_is_refused(suno_window, ui_emulator, qtbot, tmp_path):
    tab = upload_tab(suno_window)
    fake = tmp_path / "not-really.mp3"
    fake.write_text("Dear diary, this is not a song.\n" * 40)
    before = sent(ui_emulator)
    drop_file(tab.drop_zone, fake)
    await wait_until(lambda: not tab._probing, 15)

    assert tab.file_error.isVisible()
    assert "not-really.mp3 is not an audio file" in tab.file_error.text()
    assert tab.waveform.status() == "error"
    assert not tab.upload_button.isEnabled()
    tab.upload()
    assert sent(ui_emulator) == before


async def test_ftp_link_gets_a_message_and_is_kept(window, ui_emulator, qtbot):
    tab = upload_tab(window)
    before = sent(ui_emulator)
    type_url(qtbot, tab, "ftp://files.example.com/song.mp3")

    assert tab.url_error.isVisible()
    assert tab.url_error.text() == "Only web links (https:// or http://) can be used, not ftp:// links."
    assert not tab.upload_button.isEnabled()
    qtbot.keyClick(tab.url_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent(ui_emulator) == before
    assert tab.url_edit.text() == "ftp://files.example.com/song.mp3"


async def test_network_down_says_so_and_keeps_the_link(window, ctx, ui_emulator, qtbot, unused_tcp_port):
    tab = upload_tab(window)
    await ctx.studio.configure(demo_base_url=f"http://127.0.0.1:{unused_tcp_port}")  # nobody listens there
    before = [r for r in ui_emulator.requests if r.path.startswith("/api/")]
    url = f"{ui_emulator.base_url}/samples/night-drive.mp3"
    type_url(qtbot, tab, url)
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not tab.busy(), 30)

    assert tab.error.isVisible()
    assert "Could not reach" in tab.error.text()
    # The link itself was checked (its host still answers); the provider's API got nothing.
    assert [r for r in ui_emulator.requests if r.path.startswith("/api/")] == before
    assert tab.url_edit.text() == url
    assert tab.upload_button.isEnabled()  # a retry is one click away


async def test_dropped_connection_during_upload_is_reported(window, ui_emulator, qtbot):
    tab = upload_tab(window)
    ui_emulator.faults.inject(Fault("drop"), "/api/v1/sonic/upload")
    url = f"{ui_emulator.base_url}/samples/night-drive.mp3"
    type_url(qtbot, tab, url)
    qtbot.mouseClick(tab.upload_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: not tab.busy(), 30)

    assert tab.error.isVisible() and tab.error.text()
    assert "Traceback" not in tab.error.text()
    assert window.ctx.selected_clip is None
    assert tab.url_edit.text() == url


async def test_provider_change_rechecks_the_file(window, ctx, ui_emulator, tmp_path):
    tab = upload_tab(window)
    drop_file(tab.drop_zone, song(tmp_path, 20.0))
    await wait_until(lambda: tab.file_info() is not None, 15)
    assert not tab.upload_button.isEnabled()  # sonic: needs a link

    await ctx.studio.configure(provider="sunoapi")
    assert "sunoapi.org accepts files" in tab.note_title.text()
    assert not any(b.isVisible() for b in tab.sample_buttons)
    assert tab.upload_button.isEnabled()


async def test_upload_tab_screenshot_on_sunoapi(suno_window, suno_ctx, qapp, tmp_path):
    """A local file chosen on sunoapi.org: its waveform, length and format before anything is sent."""
    import os

    from sonic_studio.core.models import GenerationParams
    from sonic_studio.emulator import synth
    from sonic_studio.ui import theme

    theme.apply(qapp)
    suno_window.resize(1280, 800)
    made = await suno_ctx.studio.tasks.submit_generate(
        GenerationParams(model="V5", lyrics="[Verse]\nCity lights", tags="synthwave", title="City Lights"))
    await suno_ctx.studio.tasks.wait(made.id, timeout=30)
    tab = upload_tab(suno_window)
    path = tmp_path / "Summer Demo (voice memo).mp3"
    path.write_bytes(synth.song_mp3(12, 148.0))
    drop_file(tab.drop_zone, path)
    await wait_until(lambda: tab.waveform.status() == "ready", 15)
    await asyncio.sleep(0.5)
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / "upload.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert suno_window.grab().save(str(out))


async def test_a_file_replaced_while_it_is_read_never_shows_its_facts(suno_window, qtbot, tmp_path):
    """Choosing another file (or clearing) cancels the reading of the first: its length,
    format and waveform must not appear over the new choice when the slow read ends."""
    tab = upload_tab(suno_window)
    first = song(tmp_path, 30.0, "first.mp3")
    tab.set_file(first)
    reading = tab.runner.task("probe")
    tab.clear_file()
    await asyncio.wait({reading})
    assert reading.cancelled()
    assert tab.file_info() is None and tab.source() is None
    assert tab.waveform.status() == "empty" and not tab.file_facts.text().startswith("0:30")

    second = song(tmp_path, 12.0, "second.mp3")
    tab.set_file(first)
    reading = tab.runner.task("probe")
    tab.set_file(second)
    await asyncio.wait({reading})
    assert reading.cancelled()
    await wait_until(lambda: tab.file_info() is not None, 15)
    await tab.runner.wait("probe")
    assert tab.file_facts.text().startswith("0:12") and tab.file_name.text() == "second.mp3"


async def test_opens_on_what_the_provider_can_take(window, suno_window):
    """The AI Music API downloads the file itself, so its Upload tab opens on Link; sunoapi.org on File."""
    sonic, suno = window.upload_tab, suno_window.upload_tab
    assert sonic.source_switch.current() == "url" and sonic.pages.currentIndex() == 1
    assert suno.source_switch.current() == "file" and suno.pages.currentIndex() == 0
    assert sonic.demo_hint.text() == "In demo mode, try a sample link:"
    # Each note reads top to bottom: what the provider takes, where to change it, then the samples.
    layout = sonic.note.layout()
    order = [layout.indexOf(w) for w in (sonic.note_body, sonic.settings_button, sonic.demo_hint, sonic.sample_buttons[0])]
    assert order == sorted(order)
