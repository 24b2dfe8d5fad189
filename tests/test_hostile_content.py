"""Hostile content from a server: stored and shown as plain text, never trusted as a path or a link.

A compromised or buggy provider controls every string we get back - titles, tags, lyrics,
error messages, clip ids and download links.  These tests serve such strings from the
emulator (HTML and rich text, control characters, 100 kB strings, path separators,
``..``, overlong multi-byte names, non-http links, oversize and non-audio downloads) and
check what reaches the disk and the screen:

* text is stored verbatim (it is data) and the error lines we build from it stay short
  single-line sentences;
* downloaded files land inside ``<library>/<provider>/`` under a sanitised name, whatever
  the title or clip id says;
* only http(s) links are downloaded, under a size cap, and only decodable audio enters
  the library (nothing half-written is left behind);
* every Qt label showing such text is forced to plain text, and tooltips carrying it are
  not rich text (Qt auto-detects rich text in both).
"""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.services import Settings, Studio, downloads
from sonic_studio.store import TaskState

BASE = "http://127.0.0.1:8787"
SAMPLE = f"{BASE}/samples/night-drive.mp3"  # real, decodable audio the emulator serves
POLL = {"sonic": "/api/v1/sonic/task/", "sunoapi": "/api/v1/generate/record-info"}
MODEL = {"sonic": "sonic-v5-5", "sunoapi": "V5"}
CONTROL = {"Cc", "Cf", "Cs", "Zl", "Zp"}

HOSTILE_TEXTS = {
    "dotdot": "../../../../etc/passwd",
    "backslash": "..\\..\\Windows\\System32\\evil.dll",
    "absolute": "/etc/cron.d/evil",
    "just-dots": "..",
    "html": "<b>bold</b><img src='file:///etc/passwd'><a href='https://evil.example'>click</a>",
    "rich-table": "<table><tr><td style='font-size:400px'>HUGE</td></tr></table>",
    "control": "\x00\x01\x07\x1b[2J\x1b]0;pwned\x07\x7f\u202eevil\u2028line",
    "newlines": "one\ntwo\r\nthree\tfour",
    "reserved": "CON",
    "home": "~/.bashrc",
    "shell": "$(rm -rf ~); `reboot`",
    "encoded": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "huge": "Ω" * 50_000 + "x" * 50_000,
    "multibyte-long": "名" * 300,
    "emoji": "🎵" * 200,
}


def plain_line(text: str, limit: int = 500) -> bool:
    return bool(text) and len(text) <= limit and not any(unicodedata.category(ch) in CONTROL for ch in text)


def assert_safe_file(path_text: str | None, library: Path, provider: str) -> Path:
    assert path_text, "no file saved"
    path = Path(path_text)
    resolved = path.resolve()
    assert resolved.is_relative_to(library.resolve()), f"{path} is outside the library {library}"
    assert resolved.parent == (library / provider).resolve(), f"{path} is not in the provider's folder"
    name = path.name
    assert not name.startswith("."), f"hidden or dot file name: {name!r}"
    assert "/" not in name and "\\" not in name and ".." not in name.replace("...", "")
    assert not any(unicodedata.category(ch) in CONTROL for ch in name), repr(name)
    assert len(name.encode("utf-8")) <= 255, f"file name is {len(name.encode())} bytes"
    assert path.is_file() and path.stat().st_size > 0
    return path


def other_files(root: Path, library: Path) -> list[Path]:
    """Files outside the library and the app's own bookkeeping (DB, settings, logs)."""
    allowed = ("library.sqlite3", "settings.json")
    return [p for p in root.rglob("*") if p.is_file() and not p.resolve().is_relative_to(library.resolve())
            and not p.name.startswith(allowed) and "logs" not in p.parts]


@pytest.fixture
async def make_studio(emulator, sandbox, monkeypatch):
    """A Studio for one provider, talking to the emulator in-process (no sockets)."""
    monkeypatch.setenv("SONIC_STUDIO_API_KEY", FAKE_KEY)
    emulator.timing = Timing.instant()
    made: list[Studio] = []

    async def make(provider: str, transport: httpx.AsyncBaseTransport | None = None) -> Studio:
        settings = Settings(path=sandbox / "settings.json", provider=provider, base_urls={provider: BASE})
        studio = Studio(settings, data_dir=sandbox, transport=transport or httpx.ASGITransport(app=emulator),
                        poll_interval=0.02, download_retry_delay=0.01, poll_timeout=5.0)
        made.append(studio)
        await studio.start()
        return studio

    yield make
    for studio in made:
        await studio.aclose()


def params(provider: str, title: str = "Plain title") -> GenerationParams:
    return GenerationParams(model=MODEL[provider], lyrics="[Verse]\nla la", tags="pop", title=title)


def sonic_reply(clips: list[dict]) -> dict:
    return {"code": 200, "data": clips}


def sonic_clip(clip_id: str, audio_url: str | None = SAMPLE, state: str = "succeeded", **extra) -> dict:
    return {"clip_id": clip_id, "state": state, "title": "t", "tags": "x", "lyrics": "", "duration": "96.00",
            "audio_url": audio_url, "image_url": None, "mv": "chirp-v5-5", **extra}


def suno_reply(tracks: list[dict], status: str = "SUCCESS", **extra) -> dict:
    return {"code": 200, "msg": "success",
            "data": {"taskId": "x", "status": status, "response": {"sunoData": tracks}, **extra}}


def suno_track(track_id: str, audio_url: str | None = SAMPLE, **extra) -> dict:
    return {"id": track_id, "title": "t", "tags": "x", "prompt": "", "duration": 96.0,
            "audioUrl": audio_url or "", "imageUrl": "", "streamAudioUrl": "", **extra}


async def run(studio: Studio, emulator, provider: str, *, reply: dict | None = None, title: str = "Plain title",
              mutate=None):
    """Submit one generation; ``reply`` replaces every poll answer, ``mutate`` edits the emulator's clips."""
    if reply is not None:
        emulator.faults.inject(Fault("status", status=200, body=reply), POLL[provider], times=10_000)
    rec = await studio.tasks.submit_generate(params(provider, title))
    if mutate is not None:
        mutate(rec.provider_task_id)  # synchronous: before the first poll can run
    done = await studio.tasks.wait(rec.id, timeout=60)
    assert not done.state.active, done.detail
    return done


def set_texts(emulator, provider: str, task_id: str, title: str, tags: str, lyrics: str) -> None:
    if provider == "sonic":
        state = emulator.state["sonic"]
        for clip_id in state.tasks[task_id].clips:
            state.clips[clip_id].meta.update(title=title, tags=tags, lyrics=lyrics)
    else:
        for track in emulator.state["sunoapi"].tasks[task_id].tracks:
            track.title, track.tags, track.prompt = title, tags, lyrics


# ---------------------------------------------------------------------------- texts and file names

@pytest.mark.parametrize("provider", ["sonic", "sunoapi"])
@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
async def test_hostile_titles_tags_and_lyrics_are_kept_verbatim_and_never_become_paths(
        make_studio, emulator, sandbox, provider, name):
    text = HOSTILE_TEXTS[name]
    studio = await make_studio(provider)
    done = await run(studio, emulator, provider,
                     mutate=lambda tid: set_texts(emulator, provider, tid, text, f"tags {text}", f"lyrics {text}"))
    assert done.state is TaskState.SUCCEEDED, done.detail
    assert plain_line(done.detail)
    for clip_id in done.clip_ids:
        clip = studio.library.get(clip_id)
        assert clip.title == text and clip.tags == f"tags {text}" and clip.lyrics == f"lyrics {text}"
        assert_safe_file(clip.audio_path, studio.library_dir, provider)
    assert other_files(sandbox, studio.library_dir) == []


HOSTILE_IDS = {
    "dotdot": "../../../../tmp/evil",
    "separators": "a/b\\c/../d",
    "dots": "..",
    "control": "id\x00\x1b[2J\n",
    "long-ascii": "x" * 1000,
    "multibyte-long": "名" * 100,  # 300 bytes of UTF-8: longer than a file name may be
}


@pytest.mark.parametrize("provider", ["sonic", "sunoapi"])
@pytest.mark.parametrize("name", list(HOSTILE_IDS))
async def test_hostile_clip_ids_never_escape_the_library(make_studio, emulator, sandbox, provider, name):
    clip_id = HOSTILE_IDS[name]
    title = "名" * 60 if name == "multibyte-long" else "Title"
    reply = (sonic_reply([sonic_clip(clip_id, title=title)]) if provider == "sonic"
             else suno_reply([suno_track(clip_id, title=title)]))
    studio = await make_studio(provider)
    done = await run(studio, emulator, provider, reply=reply)
    assert done.state is TaskState.SUCCEEDED, done.detail
    clip = studio.library.get(done.clip_ids[0])
    assert clip.clip_id == clip_id  # kept verbatim: it is the provider's id
    assert_safe_file(clip.audio_path, studio.library_dir, provider)
    assert other_files(sandbox, studio.library_dir) == []


# ---------------------------------------------------------------------------- error messages

@pytest.mark.parametrize("name", ["html", "control", "huge", "newlines"])
async def test_hostile_task_error_messages_are_ours_with_theirs_kept_for_details(make_studio, emulator, name):
    text = HOSTILE_TEXTS[name]
    studio = await make_studio("sunoapi")
    done = await run(studio, emulator, "sunoapi",
                     reply=suno_reply([], status="GENERATE_AUDIO_FAILED", errorCode=500, errorMessage=text))
    assert done.state is TaskState.FAILED
    assert plain_line(str(done.error)) and "<b>" not in str(done.error), str(done.error)[:200]
    assert plain_line(done.detail), done.detail[:200]
    assert done.error.provider_message == text  # verbatim for the details pane (shown as plain text)

    studio2 = await make_studio("sonic")
    failed = sonic_clip("c-1", audio_url=None, state="failed", error_message=text)
    done = await run(studio2, emulator, "sonic", reply=sonic_reply([failed]))
    assert done.state is TaskState.FAILED
    assert plain_line(str(done.error)) and plain_line(done.detail), done.detail[:200]


@pytest.mark.parametrize("provider,status", [("sonic", 400), ("sonic", 403), ("sonic", 500), ("sunoapi", 400),
                                             ("sunoapi", 500)])
@pytest.mark.parametrize("name", ["html", "control", "huge"])
async def test_hostile_submit_refusals_give_a_short_plain_line(make_studio, emulator, provider, status, name):
    text = HOSTILE_TEXTS[name]
    studio = await make_studio(provider)
    submit = "/api/v1/sonic/create" if provider == "sonic" else "/api/v1/generate"
    emulator.faults.inject(Fault("status", status=status, body={"code": status, "message": text, "msg": text}),
                           submit)
    with pytest.raises(Exception) as info:
        await studio.tasks.submit_generate(params(provider))
    rec = studio.tasks.list()[0]
    assert rec.state in (TaskState.FAILED, TaskState.UNKNOWN)
    assert plain_line(str(info.value)), str(info.value)[:200]
    assert plain_line(rec.detail), rec.detail[:200]
    assert plain_line(str(rec.error), limit=800), str(rec.error)[:200]


# ---------------------------------------------------------------------------- what gets downloaded

@pytest.mark.parametrize("link", [
    "file:///etc/passwd",
    "ftp://127.0.0.1/song.mp3",
    "javascript:alert(1)",
    "data:audio/mpeg;base64,SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4LjI5LjEwMAAAAAAAAAAAAAAA",
    "//127.0.0.1:8787/samples/night-drive.mp3",
    "/samples/night-drive.mp3",
])
@pytest.mark.parametrize("provider", ["sonic", "sunoapi"])
async def test_only_http_links_are_downloaded(make_studio, emulator, sandbox, provider, link):
    reply = (sonic_reply([sonic_clip("c-1", audio_url=link)]) if provider == "sonic"
             else suno_reply([suno_track("c-1", audio_url=link)]))
    studio = await make_studio(provider)
    done = await run(studio, emulator, provider, reply=reply)
    assert done.state in (TaskState.PARTIAL, TaskState.FAILED), done.state
    for clip_id in done.clip_ids:
        clip = studio.library.get(clip_id)
        assert clip.audio_path is None
        assert clip.download_error and plain_line(clip.download_error)
    assert list(studio.library_dir.rglob("*.*")) == []
    assert not [r for r in emulator.requests if r.path.startswith("/samples/")], "a relative link was fetched"


async def test_downloads_over_the_size_cap_are_refused_and_leave_nothing(make_studio, emulator, monkeypatch):
    monkeypatch.setattr(downloads, "MAX_AUDIO_BYTES", 64 * 1024)  # the sample is ~1 MB
    studio = await make_studio("sonic")
    done = await run(studio, emulator, "sonic", reply=sonic_reply([sonic_clip("c-1")]))
    clip = studio.library.get(done.clip_ids[0])
    assert done.state is TaskState.PARTIAL and clip.audio_path is None
    assert "too large" in clip.download_error or "larger" in clip.download_error
    assert list(studio.library_dir.rglob("*.*")) == []


class NoContentLength(httpx.AsyncBaseTransport):
    """The emulator's replies, but CDN bodies arrive chunked with no Content-Length."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.startswith(("/samples/", "/cdn/")):
            return response
        body = await response.aread()

        async def chunks():
            for start in range(0, len(body), 16_384):
                yield body[start:start + 16_384]

        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, stream=_Stream(chunks()))


class _Stream(httpx.AsyncByteStream):
    def __init__(self, agen) -> None:
        self.agen = agen

    async def __aiter__(self):
        async for chunk in self.agen:
            yield chunk


async def test_size_cap_holds_without_a_content_length(make_studio, emulator, monkeypatch):
    monkeypatch.setattr(downloads, "MAX_AUDIO_BYTES", 64 * 1024)
    studio = await make_studio("sonic", transport=NoContentLength(httpx.ASGITransport(app=emulator)))
    done = await run(studio, emulator, "sonic", reply=sonic_reply([sonic_clip("c-1")]))
    clip = studio.library.get(done.clip_ids[0])
    assert clip.audio_path is None and clip.download_error
    assert list(studio.library_dir.rglob("*.*")) == []


@pytest.mark.parametrize("body", [
    b"<html><body>Your download will start shortly</body></html>",
    b"MZ\x90\x00" + b"\x00" * 4096,  # an executable
    b"PK\x03\x04" + b"\x00" * 4096,  # a zip
    b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff" * 2048,  # an MP3 header and garbage
])
async def test_only_decodable_audio_enters_the_library(make_studio, emulator, body):
    path = emulator.media.put(body, "audio/mpeg", "mp3", name="not-audio")
    studio = await make_studio("sunoapi")
    done = await run(studio, emulator, "sunoapi", reply=suno_reply([suno_track("c-1", audio_url=BASE + path)]))
    clip = studio.library.get(done.clip_ids[0])
    assert clip.audio_path is None
    assert "not playable" in clip.download_error
    assert list(studio.library_dir.rglob("*.*")) == []


@pytest.mark.parametrize("content", [b"this is a text file, not a song\n", b"<html><body>login page</body></html>",
                                     b"\x00" * 10_000])
async def test_a_local_file_that_is_not_audio_is_refused_before_anything_is_sent(make_studio, emulator, tmp_path,
                                                                                 content):
    """Validate before spending: a non-audio file is not hosted, and no paid task is built on it."""
    fake = tmp_path / "my song.mp3"
    fake.write_bytes(content)
    studio = await make_studio("sunoapi")
    with pytest.raises(Exception) as info:
        await studio.tasks.upload(fake)
    assert type(info.value).__name__ == "ValidationError", info.value
    with pytest.raises(Exception) as info:
        await studio.tasks.submit_upload_cover(fake, GenerationParams(model="V5", lyrics="la", tags="pop", title="x",
                                                                      audio_weight=0.5))
    assert type(info.value).__name__ == "ValidationError", info.value
    assert [r.path for r in emulator.requests] == [], "a non-audio file was sent"
    assert studio.tasks.list() == []


# ---------------------------------------------------------------------------- on screen

MARKER = "<b>HOSTILE</b><img src='file:///etc/passwd'>"


@pytest.fixture
async def window_ctx(emulator_server, emulator, tmp_path, qapp):
    """A started demo-mode studio on the loopback emulator, wrapped for the UI (like tests/ui)."""
    from sonic_studio.audio.player import Player
    from sonic_studio.ui.bridge import StudioBridge, UiContext

    emulator.timing = Timing(queue=0.05, first_clip=0.1, second_clip=0.15, concat=0.05)
    emulator.valid_keys = None
    data = tmp_path / "studio"
    data.mkdir()
    settings = Settings.load(data)
    settings.provider = "sunoapi"
    settings.demo = True
    settings.demo_base_url = emulator_server.base_url
    settings.poll_interval = 0.05
    studio = Studio(settings, data_dir=data)
    await studio.start()
    ctx = UiContext(studio=studio, bridge=StudioBridge(studio), player=Player())
    yield ctx
    ctx.player.stop()
    ctx.bridge.detach()
    await studio.aclose()


@pytest.fixture
async def hostile_window(window_ctx, qtbot):
    from sonic_studio.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.attach(window_ctx)
    win.show()
    yield win
    import shiboken6

    if shiboken6.isValid(win):  # pytest-qt may already have closed and deleted it
        win.quit(ask=False)


def renders_as_markup(tip: str) -> bool:
    """True when Qt would interpret server markup in ``tip`` instead of showing it literally.

    Escaped rich text (``<qt>&lt;b&gt;…</qt>``) is fine: rendered, it reads exactly as
    the server's text.
    """
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtGui import QTextDocument

    if not GuiQt.mightBeRichText(tip):
        return False
    doc = QTextDocument()
    doc.setHtml(tip)
    return MARKER not in doc.toPlainText()


def rich_text_problems(win) -> list[str]:
    """Every place in the window where server text could be rendered as rich text."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

    problems = []
    for label in win.findChildren(QLabel):
        if "HOSTILE" in label.text() and label.textFormat() != Qt.TextFormat.PlainText:
            where = label.objectName() or type(label.parentWidget()).__name__
            problems.append(f"QLabel in {where} uses {label.textFormat().name}")
    for widget in [win, *win.findChildren(QWidget)]:
        tip = widget.toolTip()
        if "HOSTILE" in tip and renders_as_markup(tip):
            owner = widget.parentWidget()
            while owner is not None and owner.parentWidget() is not None and not type(owner).__module__.startswith("sonic"):
                owner = owner.parentWidget()
            problems.append(f"tooltip of a {type(widget).__name__} in {type(owner).__name__} is rich text")
    for view in win.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for row in range(min(model.rowCount(), 50)):
            for column in range(model.columnCount()):
                tip = model.data(model.index(row, column, QModelIndex()), Qt.ItemDataRole.ToolTipRole)
                if isinstance(tip, str) and "HOSTILE" in tip and renders_as_markup(tip):
                    problems.append(f"{type(model).__name__} tooltip (column {column}) is rich text")
    return sorted(set(problems))


@pytest.mark.qasync
@pytest.mark.timeout(120)
async def test_the_window_shows_hostile_text_as_plain_text(hostile_window, window_ctx, emulator):
    from PySide6.QtWidgets import QAbstractItemView

    studio = window_ctx.studio
    ok = await studio.tasks.submit_generate(params("sunoapi"))
    set_texts(emulator, "sunoapi", ok.provider_task_id, MARKER, MARKER, MARKER)
    emulator.faults.inject(Fault("status", status=200, body={"code": 500, "msg": MARKER, "data": None}),
                           "/api/v1/generate", times=1)
    try:
        await studio.tasks.submit_generate(params("sunoapi", "second"))
    except Exception:  # noqa: BLE001 - the refusal is the point; its text is checked on screen
        pass
    done = await studio.tasks.wait(ok.id, timeout=60)
    assert done.state is TaskState.SUCCEEDED, done.detail
    await asyncio.sleep(0.5)  # let the panels catch up
    # Select the hostile clip so the details pane and the player bar show it too.
    for view in hostile_window.findChildren(QAbstractItemView):
        model = view.model()
        if model is not None and model.rowCount() and "Clip" in type(model).__name__:
            view.setCurrentIndex(model.index(0, 1))
    await asyncio.sleep(0.5)
    problems = rich_text_problems(hostile_window)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("announce", [False, True], ids=["no-length", "content-length"])
async def test_a_fifty_megabyte_reply_is_refused_without_buffering_it(announce):
    """A hostile or broken host answers a status check with 50 MB of JSON: we stop reading at the cap."""
    import tracemalloc

    from hostile_server import HostileServer, flood

    from sonic_studio.core.errors import MalformedResponseError
    from sonic_studio.providers.sonic import SonicProvider

    sent = [0]
    async with HostileServer(lifetime=60) as host:
        host.routes["/api/v1/sonic/task/t1"] = flood(50 * 1024 * 1024, announce=announce, sent=sent)
        async with httpx.AsyncClient() as client:
            provider = SonicProvider(client, FAKE_KEY, base_url=host.url(""))
            tracemalloc.start()
            try:
                with pytest.raises(MalformedResponseError, match="larger than 8 MB") as raised:
                    await provider.get_task("t1")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert FAKE_KEY not in str(raised.value)
    assert peak < 24 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB while refusing the reply"
    assert sent[0] < 30 * 1024 * 1024  # the client hung up long before the end of the 50 MB
