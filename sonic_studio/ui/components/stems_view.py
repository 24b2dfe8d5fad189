"""The stems view: hear a clip's stems alone or together, and export the ones you want.

One row per stem (export tick, name, mute, solo, level meter) under the clip's
waveform.  The stems are decoded once, all together, when the view opens
(:class:`~sonic_studio.audio.stem_deck.StemDeck`); Play writes the chosen mix into a
preview file from the play position on (:class:`~sonic_studio.audio.mix.MixRender`)
and hands it to the app's one player as soon as its first second is there, so the
waveform, the player bar and this view all follow the same position.  Mute or solo
while playing re-renders from where the player is and playback goes on.  All decoding
and mixing runs off the UI thread; the view only awaits it through its TaskRunner.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...audio.loader import PeakLoader
from ...audio.mix import MixRender, PreviewFile, weights
from ...audio.player import PLAYING
from ...audio.stem_deck import StemDeck
from ...audio.tempo import beat_times
from ...core.errors import StudioError
from .. import theme
from ..format import clip_name, duration_text
from ..icons import icon
from ..tasks_runner import TaskRunner
from ..widgets.level_meter import LevelMeter
from ..widgets.waveform import WaveformMode, WaveformView

# A provider's full separation may add the instrumental (everything but the vocals) next to
# the single instruments; played together it would double the band, so it starts muted.
_DOUBLES = "instrumental"


def stem_label(name: str) -> str:
    """"backing_vocals" -> "Backing vocals"."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


class _StemRow:
    def __init__(self, name: str, path: str, parent: QWidget) -> None:
        label = stem_label(name)
        self.name, self.path = name, path
        self.export = QCheckBox(parent)
        self.export.setChecked(True)
        self.export.setToolTip(f"Include {label} in “Export selected”")
        self.label = QLabel(label, parent)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setToolTip(Path(path).name)
        self.mute = _toggle("M", f"Mute {label}", parent)
        self.solo = _toggle("S", f"Solo {label}: hear only the soloed stems", parent)
        self.meter = LevelMeter(parent)


def _toggle(text: str, tip: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    on = theme.WARNING if text == "M" else theme.ACCENT  # as on a desk: mute amber, solo lit
    button.setStyleSheet(f"QToolButton {{ border: 1px solid {theme.BORDER}; font-weight: 600; }}"
                         f" QToolButton:checked {{ background: {on}; color: #0b0d12; border-color: {on}; }}")
    button.setCheckable(True)
    button.setFixedSize(QSize(28, 24))
    button.setToolTip(tip)
    return button


class StemsView(QWidget):
    """Public: ``play()``, ``pause()``, ``toggle()``, ``set_muted``/``set_soloed``, ``export_to(folder)``,
    ``shutdown()``; ``rows`` by stem name, ``preview`` (the file being played)."""

    def __init__(self, ctx, clip_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.player = ctx.player
        self.clip_id = clip_id
        self.runner = TaskRunner(self, report=self._say)
        self.detail = ctx.studio.library.get_or_none(clip_id)
        self.files = ctx.studio.deliverables.stem_files(clip_id) if self.detail else {}
        self.tempo = ctx.studio.deliverables.tempo(clip_id) if self.detail else None
        self.deck: StemDeck | None = None
        self.preview: PreviewFile | None = None
        self.render: MixRender | None = None
        self._folder: Path | None = None  # the preview file's temporary folder, made when decoding starts
        self._ready: asyncio.Future | None = None
        self._position = 0.0  # where Play starts when the mix is not in the player
        self.rows: dict[str, _StemRow] = {}
        self._build()
        self.loader = PeakLoader(ctx.peak_cache, parent=self)
        self.wave.attach_loader(self.loader)
        if self.detail is not None and self.detail.audio_path and Path(self.detail.audio_path).is_file():
            self.wave.set_duration(self.detail.duration or 0.0)
            self.loader.load(self.detail.audio_path)
        self._show_grid()
        if self.player is not None:
            self.player.positionChanged.connect(self._on_position)
            self.player.stateChanged.connect(self._show_transport)
            self.player.mediaStatusChanged.connect(self._show_transport)
        if self.files:
            self._ready = self.runner.run("decode", self._decode(), what="Reading the stems",
                                          on_error=self._say)
        self._show_transport()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        s = theme.SPACING
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2 * s, 2 * s, 2 * s, 2 * s)
        outer.setSpacing(s)
        name = clip_name(self.detail) if self.detail else "this clip"
        head = QHBoxLayout()
        self.title = theme.label(f"Stems of “{name}”", "title", wrap=False)
        head.addWidget(self.title, 1)
        self.tempo_label = theme.label(self.tempo.text if self.tempo else "", "badge", wrap=False)
        self.tempo_label.setVisible(self.tempo is not None)
        self.tempo_label.setToolTip("Tempo of the song" + (": worked out here from the audio, because "
                                                           "sunoapi.org does not tell it" if self.tempo
                                                           and self.tempo.estimated else ""))
        head.addWidget(self.tempo_label)
        outer.addLayout(head)

        self.wave = WaveformView(mode=WaveformMode.PREVIEW)
        self.wave.clear("No audio saved for this clip")
        self.wave.seekRequested.connect(self.seek)
        outer.addWidget(self.wave)

        transport = QHBoxLayout()
        self.play_button = QToolButton()
        self.play_button.setIconSize(QSize(22, 22))
        self.play_button.setFixedSize(QSize(36, 36))
        self.play_button.clicked.connect(self.toggle)
        transport.addWidget(self.play_button)
        self.time_label = QLabel("0:00")
        self.time_label.setMinimumWidth(90)
        transport.addWidget(self.time_label)
        self.status = theme.label("", "hint", wrap=False)
        transport.addWidget(self.status, 1)
        self.grid_button = QToolButton()
        self.grid_button.setText("Beat grid")
        self.grid_button.setCheckable(True)
        self.grid_button.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.grid_button.setToolTip("Show the bars and beats on the waveform (Ctrl+Shift+G)" if self.tempo else
                                    "The beat grid needs the clip's BPM: ask for it in the clip's details")
        self.grid_button.setEnabled(self.tempo is not None)
        self.grid_button.toggled.connect(self.wave.set_beat_grid_visible)
        transport.addWidget(self.grid_button)
        self.export_button = QPushButton(icon("export"), "Export selected…")
        self.export_button.setShortcut(QKeySequence("Ctrl+E"))
        self.export_button.setToolTip("Copy the ticked stems into a folder you choose (Ctrl+E)")
        self.export_button.clicked.connect(self._ask_export)
        transport.addWidget(self.export_button)
        outer.addLayout(transport)

        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(s)
        grid.setVerticalSpacing(s // 2)
        for column, text in enumerate(("Export", "Stem", "", "", "Level")):
            if text:
                grid.addWidget(theme.label(text, "hint", wrap=False), 0, column)
        names = list(self.files)
        for index, (stem, path) in enumerate(self.files.items(), 1):
            row = _StemRow(stem, path, body)
            self.rows[stem] = row
            grid.addWidget(row.export, index, 0, Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(row.label, index, 1)
            grid.addWidget(row.mute, index, 2)
            grid.addWidget(row.solo, index, 3)
            grid.addWidget(row.meter, index, 4)
            row.mute.toggled.connect(self._mix_changed)
            row.solo.toggled.connect(self._mix_changed)
            row.export.toggled.connect(self._show_transport)
        if _DOUBLES in self.rows and len(names) > 2:
            row = self.rows[_DOUBLES]
            row.mute.setChecked(True)
            row.mute.setToolTip(f"{row.mute.toolTip()}. Starts muted: it is the other instruments together, "
                                "so playing it with them would double them")
        grid.setColumnStretch(4, 1)
        grid.setRowStretch(len(self.files) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        if not self.files:
            self.status.setText("No stems are saved for this clip yet: ask for them in the clip's details.")

        for keys in ("Space", "Ctrl+P"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.toggle)

    # ------------------------------------------------------------------ decoding
    async def _decode(self) -> None:
        """Start the one decode of every stem and create the preview file at its full length."""
        loop = asyncio.get_running_loop()
        deck = StemDeck(self.files)
        self.deck = deck
        self.status.setText("Reading the stems…")
        await loop.run_in_executor(None, deck.start)
        duration = await loop.run_in_executor(None, deck.wait_duration)
        if duration is None:
            raise StudioError(deck.error or "The stems could not be read.")
        self._folder = Path(tempfile.mkdtemp(prefix="sonic-studio-stems-"))
        self.preview = await loop.run_in_executor(
            None, PreviewFile, self._folder / f"mix-{self.clip_id}.wav", deck.frames, deck.rate)
        if self.wave.duration() <= 0:
            self.wave.set_duration(duration)
            self._show_grid()
        self.status.setText("")

    def current_gains(self):
        muted = [n for n, r in self.rows.items() if r.mute.isChecked()]
        soloed = [n for n, r in self.rows.items() if r.solo.isChecked()]
        return weights(self.rows, muted=muted, soloed=soloed)

    async def _render_from(self, position: float) -> MixRender:
        """Replace the running render with one of the current mix starting at ``position``."""
        loop = asyncio.get_running_loop()
        old, self.render = self.render, None
        if old is not None:
            await loop.run_in_executor(None, old.cancel)  # waits for its block: never on the UI thread
        render = MixRender(self.deck, self.preview, self.current_gains(), position).start()
        self.render = render
        return render

    # ------------------------------------------------------------------ transport
    @property
    def mix_loaded(self) -> bool:
        """True while the player holds this view's mix."""
        return (self.player is not None and self.preview is not None
                and self.player.source == self.preview.path.resolve())

    def toggle(self) -> None:
        if self.mix_loaded and self.player.state() == PLAYING:
            self.pause()
        else:
            self.play()

    def play(self) -> asyncio.Task:
        return self.runner.run("play", self._play(), what="Playing the stems", on_error=self._say)

    def pause(self) -> None:
        if self.mix_loaded:
            self.player.pause()

    async def _play(self) -> None:
        if self.player is None or not self.player.available:
            raise StudioError((self.player.notice if self.player is not None else None) or "Playback is not available.")
        if self._ready is None:
            raise StudioError("No stems are saved for this clip yet: ask for them in the clip's details.")
        await asyncio.shield(self._ready)
        position = self.player.position() if self.mix_loaded else self._position
        render = await self._render_from(position)
        self.status.setText("Mixing…")
        await asyncio.wrap_future(render.first_second)
        self.status.setText("")
        if not self.mix_loaded:
            self.player.load(self.preview.path)
        self.player.seek(position)
        self.player.play()

    def seek(self, seconds: float) -> None:
        self._position = seconds
        self.wave.set_playhead(seconds)
        self._show_time(seconds)
        if self.mix_loaded:
            self.player.seek(seconds)
            self._show_levels(seconds)

    # ------------------------------------------------------------------ mute / solo
    def set_muted(self, stem: str, muted: bool) -> None:
        self.rows[stem].mute.setChecked(muted)

    def set_soloed(self, stem: str, soloed: bool) -> None:
        self.rows[stem].solo.setChecked(soloed)

    def _mix_changed(self) -> None:
        gains = self.current_gains()
        for row, gain in zip(self.rows.values(), gains):
            row.meter.set_dimmed(gain == 0)
        if self.mix_loaded and self.deck is not None:
            self.runner.run("remix", self._remix(), what="Changing the mix", on_error=self._say)

    async def _remix(self) -> None:
        """Write the new mix from where the player is; playback just carries on."""
        await self._render_from(self.player.position())

    # ------------------------------------------------------------------ export
    def _ask_export(self) -> None:
        chosen = [r for r in self.rows.values() if r.export.isChecked()]
        if not chosen:
            self._say("Tick the stems to export first.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Export the ticked stems to")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> asyncio.Task:
        """Copy the ticked stems' files into ``folder`` (named after the clip and the stem)."""
        chosen = {r.name: Path(r.path) for r in self.rows.values() if r.export.isChecked()}
        title = clip_name(self.detail) if self.detail else "clip"
        safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in title).strip() or "clip"
        return self.runner.run("export", self._export(chosen, folder, safe), what="Exporting the stems",
                               on_error=self._say)

    async def _export(self, chosen: dict[str, Path], folder: Path, title: str) -> list[Path]:
        def copy() -> list[Path]:
            folder.mkdir(parents=True, exist_ok=True)
            return [Path(shutil.copyfile(src, folder / f"{title} - {stem_label(name)}{src.suffix}"))
                    for name, src in chosen.items()]

        self.export_button.setEnabled(False)
        try:
            done = await asyncio.get_running_loop().run_in_executor(None, copy)
        finally:
            self.export_button.setEnabled(True)
        self._say(f"Exported {len(done)} stem{'s' if len(done) != 1 else ''} to {folder}.")
        return done

    # ------------------------------------------------------------------ following the player
    def _on_position(self, seconds: float) -> None:
        if not self.mix_loaded:
            return
        self._position = seconds
        self.wave.set_playhead(seconds)
        self._show_time(seconds)
        self._show_levels(seconds)

    def _show_levels(self, seconds: float) -> None:
        if self.deck is None:
            return
        levels = self.deck.levels(seconds)
        for name, row in self.rows.items():
            row.meter.set_level(levels.get(name, 0.0))

    def _show_time(self, seconds: float) -> None:
        self.time_label.setText(f"{duration_text(seconds)} / {duration_text(self.wave.duration())}")

    def _show_transport(self, *_args) -> None:
        playing = self.mix_loaded and self.player.state() == PLAYING
        self.play_button.setIcon(icon("pause" if playing else "play"))
        self.play_button.setToolTip("Pause (Space)" if playing else "Play the mix of the stems you hear (Space)")
        self.play_button.setEnabled(bool(self.files))
        self.export_button.setEnabled(any(r.export.isChecked() for r in self.rows.values()))
        if not playing:
            for row in self.rows.values():
                row.meter.reset()
        self._show_time(self._position)

    def _show_grid(self) -> None:
        duration = self.wave.duration()
        if self.tempo is not None and duration > 0:
            self.wave.set_beat_grid(beat_times(self.tempo.bpm, duration))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)
        self.ctx.bridge.notify.emit(text)

    # ------------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Stop playing the mix, end decoding and rendering, delete the preview file."""
        self.runner.cancel_all()
        if self.mix_loaded:
            self.player.unload()
        if self.render is not None:
            self.render.cancel()
        if self.deck is not None:
            self.deck.close()
        if self.preview is not None:
            self.preview.close()
        self.loader.shutdown()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
