"""The Upload tab: bring a track in from this computer or from a link, checked before anything is sent.

A local file is probed at once (off the UI thread): its waveform, length and format
appear, and a file the provider would refuse - longer than its limit, or not audio at
all (a text file renamed .mp3) - gets a message under the field while the Upload
button stays off and says why.  A link must be http(s).

The providers differ here more than anywhere, and the tab says so in words taken from
the capabilities, not from provider names: the AI Music API only fetches public URLs
(so a local file cannot go there; the tab offers a link, sunoapi.org in Settings, or
the demo samples), while sunoapi.org takes the file through its upload host.  Upload
shows progress; the new clip appears in the library and is selected.  "Upload and
extend…" / "Upload and cover…" hand the source to the Extend / Cover tab as a one-stop
source instead.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...audio.loader import PeakLoader
from ...audio.probe import AudioInfo, probe
from ...core.errors import StudioError, ValidationError
from ...core.validation import Problem, check_source_url, check_upload_duration, fmt_time
from .. import theme
from ..components.submit_bar import SubmitBar, cost_text
from ..format import source_name
from ..icons import icon
from ..tasks_runner import TaskRunner
from ..widgets.drop_zone import DropZone
from ..widgets.reflow import FitPage
from ..widgets.segmented import SegmentedButtons
from ..widgets.waveform import WaveformMode, WaveformView

log = logging.getLogger(__name__)

AUDIO_FILTER = "Audio files (*.mp3 *.wav *.m4a *.aac *.flac *.ogg *.opus);;All files (*)"
DEMO_SAMPLES = (("night-drive.mp3", 96.0), ("rain-on-glass.mp3", 74.0))
_CODECS = {"mp3": "MP3", "flac": "FLAC", "aac": "AAC", "vorbis": "Ogg Vorbis", "opus": "Opus", "alac": "ALAC"}


def describe_format(info: AudioInfo) -> str:
    """"3:12 · MP3 · 44.1 kHz stereo · 4.4 MB" - what a person wants to know about a file."""
    codec = "WAV" if info.codec.startswith("pcm_") else _CODECS.get(info.codec, info.codec.upper())
    parts = [fmt_time(round(info.duration, 2)), codec]
    if info.sample_rate:
        layout = {1: "mono", 2: "stereo"}.get(info.channels, f"{info.channels} ch" if info.channels else "")
        parts.append(f"{info.sample_rate / 1000:g} kHz {layout}".strip())
    parts.append(f"{info.size / 1_048_576:.1f} MB" if info.size >= 104_858 else f"{info.size / 1024:.0f} KB")
    return " · ".join(parts)


_label = theme.label


class UploadTab(QWidget):
    """See the module docstring.  ``set_file``/``set_url`` choose the source; ``upload()`` sends it."""

    def __init__(self, ctx) -> None:
        super().__init__()
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.ctx = ctx
        self.studio = ctx.studio
        self._caps = self.studio.capabilities
        self._file: Path | None = None
        self._info: AudioInfo | None = None
        self._file_problem: str | None = None
        self._probing = False
        self._uploaded_clip: int | None = None
        # What the provider (or the service) said about the last attempt, by field;
        # shown until the source changes, without blocking a retry.
        self._sent_problem: tuple[str, str, str] | None = None

        self.loader = PeakLoader(ctx.peak_cache, parent=self)
        self._build()
        self._wire()
        self._provider_changed()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        page = FitPage()  # shrinks before it scrolls
        outer = QVBoxLayout(page)
        outer.setContentsMargins(theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2)
        outer.setSpacing(theme.SPACING * 1.5)

        header = QHBoxLayout()
        title = _label("Bring in a track", "title", wrap=False)
        # The chip is a link: it looks like something to click, so clicking it opens Settings.
        self.provider_badge = _label("", "badge", wrap=False)
        self.provider_badge.setToolTip("The provider the track is uploaded to: click to change it in Settings (Ctrl+,)")
        self.provider_badge.setTextFormat(Qt.TextFormat.RichText)
        self.provider_badge.linkActivated.connect(self._open_settings)
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.provider_badge)
        outer.addLayout(header)

        self.source_switch = SegmentedButtons(
            [
                ("file", "File on this computer", "Choose or drop an audio file (Ctrl+O)"),
                ("url", "Link", "Paste a public http(s) link to an audio file"),
            ]
        )
        outer.addWidget(self.source_switch, 0, Qt.AlignmentFlag.AlignLeft)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_file_page())
        self.pages.addWidget(self._build_url_page())

        # What this provider can take, beside the source (the window is wider than tall).
        self.note = QFrame()
        theme.set_role(self.note, "card")
        self.note.setMinimumWidth(240)
        self.note.setMaximumWidth(330)
        note_layout = QVBoxLayout(self.note)
        note_layout.setContentsMargins(14, 12, 14, 12)
        note_layout.setSpacing(theme.SPACING)
        heading = QHBoxLayout()
        heading.setSpacing(theme.SPACING)
        self.note_icon = QLabel()
        self.note_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.note_title = _label()
        self.note_title.setStyleSheet("font-weight: 600;")
        heading.addWidget(self.note_icon, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.note_title, 1)
        self.note_body = _label("", "hint")
        note_layout.addLayout(heading)
        note_layout.addWidget(self.note_body)
        self.settings_button = QPushButton(icon("settings"), "Open Settings…")
        self.settings_button.setToolTip("Change the provider (Ctrl+,)")
        note_layout.addWidget(self.settings_button)
        self.demo_hint = _label("In demo mode, try a sample link:", "hint")
        note_layout.addWidget(self.demo_hint)
        self.sample_buttons: list[QPushButton] = []
        for name, seconds in DEMO_SAMPLES:
            button = QPushButton(icon("link"), f"{name} · {fmt_time(seconds)}")
            button.setToolTip("Use this demo sample's link (demo mode: the emulator serves it)")
            button.setStyleSheet("text-align: left; padding-left: 10px;")
            button.clicked.connect(lambda _=False, n=name: self.use_demo_sample(n))
            self.sample_buttons.append(button)
            note_layout.addWidget(button)
        note_layout.addStretch(1)

        body = QHBoxLayout()
        body.setSpacing(theme.SPACING * 2)
        body.addWidget(self.pages, 1)
        body.addWidget(self.note, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(body, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)

        # Progress, messages and the actions stay visible below the scrolling part.
        self.bar = SubmitBar(self.runner, "Upload", "Uploading…", button_icon=icon("upload", "#0b0d12"),
                             ready_tip="Upload (Ctrl+Enter)", name="upload")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress.hide()
        self.bar.add_above(self.progress)
        self.status = _label("", "hint")
        self.bar.add_note(self.status)
        self.extend_button = QPushButton(icon("extend"), "Upload and extend…")
        self.extend_button.setToolTip("Use this track as a one-stop source in Extend / Cover: it is uploaded when you submit")
        self.cover_button = QPushButton(icon("cover"), "Upload and cover…")
        self.cover_button.setToolTip("Use this track as a one-stop source for a cover: it is uploaded when you submit")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop waiting for this upload")
        self.cancel_button.hide()
        self.open_result = QPushButton(icon("extend"), "Extend or cover it…")
        self.open_result.setToolTip("Open the uploaded clip in Extend / Cover")
        self.open_result.hide()
        for button in (self.open_result, self.cancel_button, self.extend_button, self.cover_button):
            self.bar.add_action(button)
        # Short names for the bar's parts (tests use them).
        self.upload_button, self.reason, self.error = self.bar.button, self.bar.reason, self.bar.error

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.bar)

    def _build_file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.SPACING)
        self.drop_zone = DropZone(
            "Drop an audio file here",
            "or click to choose one (Ctrl+O) · MP3, WAV, M4A, FLAC, OGG · up to 8 minutes",
        )
        self.drop_zone.setToolTip("Drop an audio file (or a link) here, or click to choose a file (Ctrl+O)")
        self.file_name = _label("", None, wrap=False)
        self.file_name.setStyleSheet("font-weight: 600; font-size: 11pt;")
        # A long name must not widen the tab; the full path is in the tooltip.
        self.file_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.file_facts = _label("", "hint", wrap=False)
        self.file_facts.setToolTip("Length · format · sample rate · size, read from the file")
        self.waveform = WaveformView(mode=WaveformMode.PREVIEW)
        self.waveform.setMinimumHeight(110)
        self.waveform.attach_loader(self.loader)
        head = QVBoxLayout()
        head.setSpacing(2)
        head.addWidget(self.file_name)
        head.addWidget(self.file_facts)
        self.drop_zone.content_layout.addLayout(head)
        self.drop_zone.content_layout.addWidget(self.waveform, 1)
        layout.addWidget(self.drop_zone)

        self.file_error = _label("", "error")
        self.file_error.hide()
        layout.addWidget(self.file_error)

        row = QHBoxLayout()
        self.choose_button = QPushButton(icon("folder"), "Choose file…")
        self.choose_button.setToolTip("Choose an audio file on this computer (Ctrl+O)")
        self.clear_button = QPushButton(icon("close"), "Clear")
        self.clear_button.setToolTip("Forget the chosen file")
        row.addWidget(self.choose_button)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _build_url_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.SPACING // 2)
        caption = _label("Link to an audio file", None, wrap=False)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://example.com/my-track.mp3")
        self.url_edit.setClearButtonEnabled(True)
        theme.name_field_buttons(self.url_edit, "Link")
        self.url_edit.setToolTip("A public, direct http(s) link to an MP3/WAV file (the provider downloads it)")
        self.url_error = _label("", "error")
        self.url_error.hide()
        self.url_hint = _label(
            "The link must lead straight to the audio file and be reachable from the internet.", "hint"
        )
        layout.addWidget(caption)
        layout.addWidget(self.url_edit)
        layout.addWidget(self.url_error)
        layout.addWidget(self.url_hint)
        layout.addStretch(1)
        return page

    def _wire(self) -> None:
        bridge = self.ctx.bridge
        bridge.providerChanged.connect(self._on_provider_changed)  # bound: dropped with the tab
        self.source_switch.changed.connect(self._switch_source)
        self.drop_zone.fileDropped.connect(self.set_file)
        self.drop_zone.urlDropped.connect(self.set_url)
        self.drop_zone.clicked.connect(self.choose_file)
        self.choose_button.clicked.connect(self.choose_file)
        self.clear_button.clicked.connect(self.clear_file)
        self.url_edit.textEdited.connect(lambda _t: self._url_edited())
        self.bar.submitRequested.connect(self.upload)
        self.bar.busyChanged.connect(self._uploading)
        self.extend_button.clicked.connect(lambda: self._hand_over("extend"))
        self.cover_button.clicked.connect(lambda: self._hand_over("cover"))
        self.cancel_button.clicked.connect(self._cancel_upload)
        self.open_result.clicked.connect(self._open_result)
        self.settings_button.clicked.connect(self._open_settings)
        self.waveform.seekRequested.connect(self._preview_seek)
        self.ctx.player.positionChanged.connect(self._player_position)

    # ------------------------------------------------------------------ public API
    def source(self) -> str | Path | None:
        """What would be uploaded: the chosen file or the typed link (per the switch)."""
        if self.source_switch.current() == "file":
            return self._file
        text = self.url_edit.text().strip()
        return text or None

    def open_audio(self) -> None:
        """File › Open audio… (Ctrl+O, anywhere in the window): a file from this computer to upload."""
        self.source_switch.set_current("file")
        self.choose_file()

    def choose_file(self) -> None:
        """Open the file chooser (non-modal; the tab keeps working)."""
        # A start folder that does not exist makes Qt type its name into the file-name box
        # ("Music" on a machine without ~/Music), so only existing folders are offered.
        candidates = [self._file.parent] if self._file else []
        candidates += [Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)), Path.home()]
        start = str(next((folder for folder in candidates if str(folder) not in ("", ".") and folder.is_dir()), ""))
        dialog = QFileDialog(self, "Choose an audio file", start, AUDIO_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.set_file)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def set_file(self, path: str | Path) -> None:
        """Use this local file: probe it (length, format, decodable) and draw its waveform."""
        self.source_switch.set_current("file")
        self._file = Path(path).expanduser()
        self._info = None
        self._file_problem = None
        self._probing = True
        self.file_name.setText(self._file.name)
        self.file_name.setToolTip(theme.plain_tip(str(self._file)))
        self.file_facts.setText("Reading…")
        self.file_facts.show()
        self.waveform.set_loading("Reading the file…")
        self.drop_zone.show_content(True)
        self._clear_result()
        self._refresh()
        self.runner.run("probe", self._probe(self._file), what="Reading the file")

    def set_url(self, url: str) -> None:
        self.source_switch.set_current("url")
        self.url_edit.setText(url.strip())
        self._clear_result()
        self._refresh()

    def use_demo_sample(self, name: str) -> None:
        """Fill the link with one of the emulator's demo tracks (demo mode)."""
        base = self.studio.settings.demo_base_url or ""
        self.set_url(f"{base.rstrip('/')}/samples/{name}")

    def clear_file(self) -> None:
        self._file = None
        self._info = None
        self._file_problem = None
        self._probing = False
        self.runner.cancel("probe")
        self.loader.cancel()
        self.waveform.clear("No file chosen")
        self.drop_zone.show_content(False)
        self._refresh()

    def file_info(self) -> AudioInfo | None:
        return self._info

    def problems(self) -> list[Problem]:
        """What keeps Upload off; ``field`` is "file", "url" or "source" (the tab as a whole)."""
        source = self.source()
        if self.source_switch.current() == "file":
            if source is None:
                return [Problem("source", "Choose or drop an audio file first.")]
            if self._probing:
                return [Problem("source", "Reading the file…")]
            if self._file_problem:
                return [Problem("file", self._file_problem)]
            if self._caps.needs_public_url:
                return [Problem("source", f"{self._caps.display_name} needs a public link (see the note).")]
            return []
        if source is None:
            return [Problem("source", "Paste a link to an audio file.")]
        return check_source_url(str(source))

    def upload(self) -> None:
        """Send the source now (does nothing, and says why, when it cannot be sent)."""
        if self.busy() or self.problems():
            self._refresh()
            return
        source = self.source()
        self._begin_upload(source)
        self.bar.run(self._upload(source), what="The upload", on_error=self._upload_failed)

    def busy(self) -> bool:
        return self.bar.busy()

    def _uploading(self, busy: bool) -> None:
        if not busy:
            self.progress.hide()
            self.cancel_button.hide()
        self._refresh()

    def _upload_failed(self, text: str) -> None:
        self.status.setText("")
        self._set_error(text)

    # ------------------------------------------------------------------ probing
    async def _probe(self, path: Path) -> None:
        """Read the file off the UI thread; choosing another file (or none) cancels this task."""
        loop = asyncio.get_running_loop()
        try:
            info = await loop.run_in_executor(None, probe, path)
        except ValidationError as exc:
            info, problem = None, str(exc)
        except Exception as exc:  # ffmpeg missing or similar: say it, keep the app
            log.exception("probe failed")
            info, problem = None, f"Cannot read {path.name}: {exc}"
        else:
            problem = None
        self._probing = False
        self._info = info
        if info is None:
            self._file_problem = problem
            self.file_facts.hide()
            self.waveform.set_error("Not usable audio")
        else:
            self.file_facts.setText(describe_format(info))
            self.file_facts.show()
            self._file_problem = self._duration_problem()
            self.loader.load(path)
        self._refresh()

    def _duration_problem(self) -> str | None:
        if self._info is None:
            return None
        problems = check_upload_duration(self._info.duration, self._caps)
        return problems[0].message if problems else None

    # ------------------------------------------------------------------ uploading
    def _begin_upload(self, source: str | Path) -> None:
        """Show the upload as started at once (the click gets immediate feedback)."""
        name = source_name(source)
        self._set_error("")
        self._clear_result()
        self.progress.show()
        self.cancel_button.show()
        if isinstance(source, Path):
            self.progress.setRange(0, 100)
            self.progress.setValue(0)
            self.status.setText(f"Uploading {name} to {self._caps.display_name}…")
        else:
            self.progress.setRange(0, 0)  # the provider fetches the link itself: no byte count
            self.status.setText(f"{self._caps.display_name} is fetching {name}… (this can take about 20 s)")

    async def _upload(self, source: str | Path) -> None:
        name = source_name(source)
        try:
            row = await self.studio.tasks.upload(source, progress=self._on_progress)
        except ValidationError as error:
            self.status.setText("")
            self._show_validation(error)
            return
        except StudioError as error:
            self.status.setText("")
            self._set_error(str(error), error.details())
            return
        self._uploaded_clip = row.id
        self.status.setText(f"Uploaded “{row.title or name}” — it is in the library and selected.")
        self.open_result.show()
        self.ctx.select_clip(row.id)
        self.ctx.bridge.notify.emit(f"Uploaded “{row.title or name}”")
        # Uploads can cost credits (sonic: 2); the status bar and cost lines follow.
        self.runner.run("credits", self.studio.credits.refresh_quietly(), what="Asking for the credit balance")

    def _on_progress(self, sent: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(sent, total) / total))
            self.status.setText(f"Uploading… {sent / 1_048_576:.1f} of {total / 1_048_576:.1f} MB")

    def _cancel_upload(self) -> None:
        if self.busy():
            self.runner.cancel("upload")  # the task ends at once; the upload service keeps nothing
            self.status.setText("Upload cancelled. Nothing was added to the library.")

    def _show_validation(self, exc: ValidationError) -> None:
        if exc.field in ("file", "url"):
            self._sent_problem = (exc.field, str(exc), exc.details())
            self._refresh()  # at the field now, not only once the busy state has been cleared
        else:
            self._set_error(str(exc), exc.details())

    def _set_error(self, text: str, details: str = "") -> None:
        self.bar.show_error(text, details)

    def _clear_result(self) -> None:
        self._sent_problem = None
        self._uploaded_clip = None
        self.open_result.hide()
        self._set_error("")

    # ------------------------------------------------------------------ hand-over
    def _hand_over(self, mode: str) -> None:
        """Give the source to the Extend / Cover tab as a one-stop source and switch there."""
        if self.problems():
            return
        window = self.window()
        tab = getattr(window, "extend_tab", None)
        if tab is None:
            return
        tab.use_one_stop_source(self.source(), mode)
        window.tabs.setCurrentWidget(tab)

    def _open_result(self) -> None:
        window = self.window()
        tab = getattr(window, "extend_tab", None)
        if tab is not None and self._uploaded_clip is not None:
            self.ctx.select_clip(self._uploaded_clip)
            window.tabs.setCurrentWidget(tab)

    def _open_settings(self) -> None:
        action = getattr(self.window(), "action_settings", None)
        if action is not None:
            action.trigger()

    # ------------------------------------------------------------------ preview playback
    def _preview_seek(self, seconds: float) -> None:
        player = self.ctx.player
        if self._file is None or self._info is None or not player.available:
            return
        if player.source != self._file.resolve():
            player.load(self._file)
        player.seek(seconds)
        player.play()

    def _player_position(self, seconds: float) -> None:
        if self._file is not None and self.ctx.player.source == self._file.resolve():
            self.waveform.set_playhead(seconds)

    # ------------------------------------------------------------------ state
    def _url_edited(self) -> None:
        self._clear_result()
        self._refresh()

    def _switch_source(self, key: str) -> None:
        self.pages.setCurrentIndex(0 if key == "file" else 1)
        self._refresh()

    def _on_provider_changed(self, *_: object) -> None:
        self._provider_changed()

    def _provider_changed(self) -> None:
        self._caps = self.studio.capabilities
        caps = self._caps
        self.provider_badge.setText(f'<a href="settings" style="color: {theme.TEXT}; text-decoration: none;">'
                                    f"{escape(caps.display_name)}</a>")
        if self._info is not None:
            self._file_problem = self._duration_problem()
        demo = self.studio.demo
        if caps.needs_public_url:
            self.note_icon.setPixmap(icon("link", theme.WARNING).pixmap(22, 22))
            self.note_title.setText(f"Needs a public URL — the {caps.display_name.split(' (')[0]} downloads the file itself")
            body = ("A file on this computer cannot be sent to it. Put the file somewhere public and paste "
                    "its direct link, or switch to sunoapi.org in Settings, which accepts files.")
            self.note_body.setText(body)
        else:
            self.note_icon.setPixmap(icon("upload", theme.ACCENT).pixmap(22, 22))
            self.note_title.setText(f"{caps.display_name} accepts files")
            self.note_body.setText(
                f"A local file is uploaded to {caps.display_name}'s file host (the link it gets lasts 3 days), "
                f"then used like any link. Files up to {fmt_time(caps.max_upload_seconds)}."
            )
        self.settings_button.setVisible(caps.needs_public_url)
        self.demo_hint.setVisible(demo and caps.needs_public_url)
        # Open on what this provider can take (a link for the AI Music API), unless the person
        # has already chosen a file or typed a link.
        if caps.needs_public_url and self._file is None:
            self.source_switch.set_current("url")
        elif not caps.needs_public_url and not self.url_edit.text().strip():
            self.source_switch.set_current("file")
        for button in self.sample_buttons:
            button.setVisible(demo and caps.needs_public_url)
        # No-break spaces keep "up to 8:00" together when the line wraps.
        self.drop_zone.detail_label.setText(
            f"or click to choose one (Ctrl+O) · MP3, WAV, M4A, FLAC, OGG · up\u00a0to\u00a0{fmt_time(caps.max_upload_seconds)}"
        )
        self._refresh()

    def _refresh(self) -> None:
        """Field messages, button states and the line that says why Upload is off."""
        problems = self.problems()
        by_field = {p.field: p.message for p in reversed(problems)}
        details = {}
        if self._sent_problem is not None:
            field, message, detail = self._sent_problem
            by_field.setdefault(field, message)
            details[field] = detail
        file_message = by_field.get("file", "")
        self.file_error.setText(file_message)
        self.file_error.setToolTip(details.get("file", ""))
        self.file_error.setVisible(bool(file_message))
        url_text = self.url_edit.text().strip()
        url_message = by_field.get("url", "") if url_text else ""
        self.url_error.setText(url_message)
        self.url_error.setToolTip(details.get("url", ""))
        self.url_error.setVisible(bool(url_message))
        theme.set_invalid(self.url_edit, bool(url_message))

        busy = self.busy()
        ready = not problems and not busy
        self.extend_button.setEnabled(ready)
        self.cover_button.setEnabled(ready)
        self.choose_button.setEnabled(not busy)
        cost = self._caps.estimated_cost("upload")  # sonic charges for an upload; sunoapi.org lists no price
        self.bar.set_cost(cost_text(cost) if cost is not None else "")
        self.bar.set_problems(problems)
