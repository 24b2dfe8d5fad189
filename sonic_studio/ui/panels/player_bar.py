"""The player bar at the bottom of the window: plays the selected clip's local file.

It follows the app-wide selection (``bridge.clipSelected``) and loads the clip's file in
the library - never a provider URL, which expires.  A clip without a local file says
"Not downloaded yet" instead of failing later.  The waveform (PREVIEW mode) seeks on
click and its playhead follows the player; when playback is impossible (QtMultimedia
could not load) or silent (no audio output device) the bar says so in words, and the
rest of the app keeps working.  ``toggle()`` is the Space / Ctrl+P slot.

Auditioning: A/B switches to the task's other take (or the other of two selected clips)
at the same position and loudness-matched (:class:`~..components.ab_compare.ABCompare`),
with a blind mode and the keeper star; the waveform zooms (Ctrl+1/Ctrl+3, Ctrl+2 fits),
loops a Shift+dragged region and carries markers (M adds one at the playhead).  The
window's menus call the public slots below; every key is in ``ui/shortcuts.py``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QStyle, QToolButton, QWidget

from ...audio.loader import PeakLoader
from ...audio.player import MediaStatus, PlayState
from ...audio.tempo import beat_times
from ...core.models import ClipState
from .. import theme
from ..components.ab_compare import ABCompare
from ..format import LINK_ONLY, duration_text, playable_text
from ..icons import icon
from ..widgets.waveform import PAD_X, WaveformMode, WaveformView

log = logging.getLogger(__name__)

BAR_HEIGHT = 44


class _CompactWaveform(WaveformView):
    """The PREVIEW waveform without its label strip and ruler, to fit one toolbar row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, mode=WaveformMode.PREVIEW)
        self.setMinimumHeight(32)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(BAR_HEIGHT - 6)

    def wave_rect(self) -> QRectF:  # noqa: D102 - geometry of the parent, minus strip and ruler
        return QRectF(PAD_X, 4, max(1.0, self.width() - 2 * PAD_X), max(1.0, self.height() - 8))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt
        return QSize(420, BAR_HEIGHT - 6)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt
        return QSize(160, 32)


class PlayerBar(QWidget):
    """Transport for the selected clip.  Public: ``toggle()``, ``load_clip(id)``, ``shutdown()``."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.player = ctx.player
        self.clip_id: int | None = None
        self._title = ""
        self._duration = 0.0
        self._clip_notice: str | None = None  # a few words for the bar
        self._clip_notice_tip: str | None = None  # the whole story for its tooltip
        self._muted_volume: float | None = None
        self.ab = ABCompare(ctx, self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(BAR_HEIGHT)
        self._build()

        self.loader = PeakLoader(ctx.peak_cache, parent=self)
        self.wave.attach_loader(self.loader)

        player = self.player
        if player is not None:
            player.positionChanged.connect(self._on_position)
            player.durationChanged.connect(self._on_duration)
            player.stateChanged.connect(self._on_state)
            player.mediaStatusChanged.connect(self._on_media_status)
            player.error.connect(self._on_player_error)
            player.outputChanged.connect(self._show_notice)
        self.ab.changed.connect(self._show_ab)
        self.ab.switched.connect(self._on_ab_switched)
        bridge = ctx.bridge
        bridge.clipSelected.connect(self._on_selected)
        bridge.clipUpdated.connect(self._on_clip_updated)
        bridge.clipRemoved.connect(self._on_clip_removed)

        volume = QSettings().value("player/volume", 80)
        try:
            self.volume.setValue(int(volume))
        except (TypeError, ValueError):
            self.volume.setValue(80)
        self._set_volume(self.volume.value())
        self._show_transport()
        self._show_notice()
        self._show_ab()
        if ctx.selected_clip is not None:
            self.load_clip(ctx.selected_clip)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        s = theme.SPACING
        row = QHBoxLayout(self)
        row.setContentsMargins(s, 3, s, 3)
        row.setSpacing(s)

        self.play_button = QToolButton()
        self.play_button.setIconSize(QSize(22, 22))
        self.play_button.setFixedSize(QSize(36, 36))
        self.play_button.setIcon(icon("play"))
        self.play_button.setAccessibleName("Play")  # icon-only: screen readers say this
        self.play_button.clicked.connect(self.toggle)
        row.addWidget(self.play_button)

        self.title = QLabel("")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setFixedWidth(170)
        font = QFont(self.title.font())
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        row.addWidget(self.title)

        self.wave = _CompactWaveform()
        self.wave.clear("Select a clip in the library")
        self.wave.seekRequested.connect(self._seek)
        self.wave.playFromRequested.connect(self._play_from)
        self.wave.loopChanged.connect(self._on_loop_region)
        row.addWidget(self.wave, 1)

        self.time_label = QLabel("0:00 / 0:00")
        mono = QFont(self.time_label.font())
        mono.setFeature(QFont.Tag("tnum"), 1)
        self.time_label.setFont(mono)
        self.time_label.setMinimumWidth(QFontMetrics(mono).horizontalAdvance("00:00 / 00:00") + 4)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label.setToolTip("Position / length")
        row.addWidget(self.time_label)
        self._build_tempo(row)

        self.ab_button = QToolButton()
        self.ab_button.setText("A/B")
        self.ab_button.clicked.connect(self.ab_switch)
        row.addWidget(self.ab_button)
        self.blind_button = QToolButton()
        self.blind_button.setText("Blind")
        self.blind_button.setCheckable(True)
        self.blind_button.setToolTip("Blind A/B: call the takes A and B in a random order until you pick "
                                     "a keeper (Ctrl+B)")
        self.blind_button.toggled.connect(self.ab.set_blind)
        row.addWidget(self.blind_button)
        self.keeper_button = QToolButton()
        self.keeper_button.setText("☆")
        self.keeper_button.clicked.connect(self.toggle_keeper)
        row.addWidget(self.keeper_button)
        self.level_label = QLabel("")
        theme.set_role(self.level_label, "hint")
        self.level_label.setFont(mono)
        self.level_label.setToolTip("Integrated loudness of the clip playing (EBU R128) and the gain that plays "
                                    "it at the level of the quietest take")
        row.addWidget(self.level_label)

        self.loop_button = QToolButton()
        self.loop_button.setIcon(icon("loop"))
        self.loop_button.setCheckable(True)
        self.loop_button.setAccessibleName("Loop")
        self.loop_button.setToolTip("Loop: start again at the end, or inside the loop region "
                                    "(Shift+drag on the waveform draws one) (L)")
        self.loop_button.setChecked(QSettings().value("player/loop", False) in (True, "true"))
        self.loop_button.toggled.connect(self._on_loop_toggled)
        row.addWidget(self.loop_button)

        self.volume_button = QToolButton()
        self.volume_button.setIcon(icon("volume"))
        self.volume_button.setToolTip("Mute / unmute (Ctrl+M)")
        self.volume_button.setCheckable(True)
        self.volume_button.toggled.connect(self._on_mute)
        row.addWidget(self.volume_button)
        self.volume = _JumpSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(80)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(self._set_volume)
        row.addWidget(self.volume)

        self.notice = _ElidedLabel()
        self.notice.setMaximumWidth(230)  # the waveform needs the room more; the tooltip has it all
        theme.set_role(self.notice, "warning")
        row.addWidget(self.notice)

    # ------------------------------------------------------------------ loading
    def load_clip(self, clip_id: int | None) -> None:
        """Show ``clip_id`` in the bar and load its local file (None: nothing loaded)."""
        detail = self.ctx.studio.library.get_or_none(clip_id)
        if detail is None:
            self._unload("Select a clip in the library")
            self.clip_id = None
            self._set_title("")
            self._show_transport()
            return
        self.clip_id = detail.id
        self._set_title(self.ab.label(detail))
        path = Path(detail.audio_path) if detail.audio_path else None
        if path is None or not path.is_file():
            short, full = _not_playable(detail, path)
            self._unload(short)
            self._clip_notice, self._clip_notice_tip = short, full
            self._duration = detail.duration or 0.0
            self._show_transport()
            self._show_notice()
            return
        self._clip_notice = self._clip_notice_tip = None
        if self.player is not None and self.player.source == path.resolve():
            self._show_transport()
            self._show_notice()
            return  # already loaded (e.g. re-selected, or the take A/B switched to): keep the position
        self._duration = detail.duration or 0.0
        if self.player is not None:
            try:
                self.player.load(path)
            except ValueError as exc:
                self._clip_notice = self._clip_notice_tip = str(exc)
        self.wave.clear()
        self.wave.set_duration(self._duration)
        self.wave.set_playhead(0.0)
        self.loader.load(path)
        self.ab.follow(detail.id)
        self._show_transport()
        self._show_notice()

    def _unload(self, placeholder: str) -> None:
        self.ab.follow(None)
        self.loader.cancel()
        if self.player is not None:
            self.player.unload()
        self._duration = 0.0
        self.wave.clear(placeholder)

    def shutdown(self) -> None:
        """Stop decoding (call when the window closes)."""
        self.loader.shutdown()

    # ------------------------------------------------------------------ transport
    @Slot()
    def toggle(self) -> None:
        """Play or pause the loaded clip (Space, Ctrl+P)."""
        player = self.player
        if player is None or not player.available:
            self._show_notice()
            self.ctx.bridge.notify.emit((player.notice if player is not None else None)
                                        or "Playback is not available.")
            return
        if player.source is None and self.ctx.selected_clip is not None:
            self.load_clip(self.ctx.selected_clip)  # its file may have arrived since
        if player.source is None:
            if self._clip_notice:
                self.ctx.bridge.notify.emit(f"“{self._title}”: {self._clip_notice_tip or self._clip_notice}")
            else:
                self.ctx.bridge.notify.emit("Select a downloaded clip in the library to play it.")
            return
        player.toggle()

    def _seek(self, seconds: float) -> None:
        if self.player is not None and self.player.source is not None:
            self.player.seek(seconds)
        self._show_time(seconds)

    def _set_volume(self, value: int) -> None:
        if self.player is not None:
            self.player.set_volume(value / 100)
        QSettings().setValue("player/volume", value)
        if value > 0 and self.volume_button.isChecked():
            # Unmute to this volume; not blocked, so the Playback › Mute item follows.
            self._muted_volume = value
            self.volume_button.setChecked(False)
        self._show_mute(value == 0)

    def _on_mute(self, muted: bool) -> None:
        if muted:
            self._muted_volume = self.volume.value()
            self.volume.blockSignals(True)
            self.volume.setValue(0)
            self.volume.blockSignals(False)
            if self.player is not None:
                self.player.set_volume(0.0)
            self._show_mute(True)
        else:
            self.volume.setValue(self._muted_volume or 80)
            self._muted_volume = None

    def _play_from(self, seconds: float) -> None:
        """A click on the waveform plays from there (it has already seeked)."""
        player = self.player
        if player is not None and player.source is not None and player.intended_state() != PlayState.PLAYING:
            player.play()

    def toggle_mute(self) -> None:
        self.volume_button.toggle()

    # ------------------------------------------------------------------ A/B
    @Slot()
    def ab_switch(self) -> None:
        """A: the other take (or the other selected clip) from the same position, level-matched."""
        if self.ab.switch() is None:
            self.ctx.bridge.notify.emit("A/B needs two downloaded takes of a task, or two clips selected "
                                        "in the library.")

    def toggle_blind(self) -> None:
        self.blind_button.toggle()

    @Slot()
    def toggle_keeper(self) -> None:
        """K: mark what plays as the keeper ★ (while blind: pick it, and see which it was)."""
        notice = self.ab.toggle_keeper()
        if notice:
            self.blind_button.setChecked(self.ab.blind)
            self.ctx.bridge.notify.emit(notice)

    def _on_ab_switched(self, clip_id: int) -> None:
        detail = self.ctx.studio.library.get_or_none(clip_id)
        if detail is None:
            return
        self.clip_id = detail.id
        self._set_title(self.ab.label(detail))
        # Same position, zoom, loop region and markers: only the take changes.
        self.wave.set_loading()
        self.loader.load(Path(detail.audio_path))
        self._show_transport()

    def _show_ab(self) -> None:
        ab = self.ab
        comparing = ab.comparing
        for widget in (self.ab_button, self.blind_button, self.level_label):
            widget.setVisible(comparing)
        nxt = ab.next_clip()
        self.ab_button.setToolTip(theme.plain_tip(
            f"Switch to {ab.short_name(nxt)} at the same position, at matched loudness (A)" if nxt is not None
            else "A/B compares the takes of a task, or two clips selected in the library (A)"))
        self.level_label.setText(ab.level_text())
        row = next((c for c in ab.clips if c.id == ab.current), None)
        if row is not None:
            self._set_title(ab.label(row))
        keeper = row is not None and row.keeper and not (ab.blind and comparing)
        self.keeper_button.setText("★" if keeper else "☆")
        self.keeper_button.setEnabled(self.clip_id is not None)
        self.keeper_button.setToolTip("Pick this one: reveals which take it is and marks it as the keeper (K)"
                                      if ab.blind and comparing else
                                      "Unmark the keeper (K)" if keeper else "Mark as the keeper ★ (K)")

    # ------------------------------------------------------------------ waveform view, loop, markers
    def zoom_in(self) -> None:
        self.wave.zoom_in(self.wave.playhead())

    def zoom_out(self) -> None:
        self.wave.zoom_out(self.wave.playhead())

    def zoom_fit(self) -> None:
        self.wave.reset_zoom()

    def add_marker(self) -> None:
        """M: a marker at the playhead."""
        if self.player is not None and self.player.source is not None:
            here = self.player.position()
            self.wave.add_marker(here)
            self.ctx.bridge.notify.emit(f"Marker at {duration_text(here)} (, and . jump between markers).")

    def next_marker(self) -> None:
        self._jump(self.wave.next_marker(self._position()))

    def previous_marker(self) -> None:
        self._jump(self.wave.previous_marker(self._position()))

    def _position(self) -> float:
        return self.player.position() if self.player is not None else 0.0

    def _jump(self, seconds: float | None) -> None:
        if seconds is None:
            self.ctx.bridge.notify.emit("No marker there: M adds one at the playhead.")
        else:
            self._seek(seconds)
            self.wave.set_playhead(seconds)

    def toggle_loop(self) -> None:
        self.loop_button.toggle()

    def clear_loop(self) -> None:
        self.wave.set_loop_region(None)

    def _on_loop_toggled(self, on: bool) -> None:
        QSettings().setValue("player/loop", on)
        self._apply_loop()

    def _on_loop_region(self, region) -> None:
        if region is not None and not self.loop_button.isChecked():
            self.loop_button.setChecked(True)  # drawing a loop means: loop it
        self._apply_loop()

    def _apply_loop(self) -> None:
        if self.player is None:
            return
        region = self.wave.loop_region()
        if region is not None and self.loop_button.isChecked():
            self.player.set_loop(*region)
        else:
            self.player.clear_loop()

    def _show_mute(self, silent: bool) -> None:
        """A struck-out speaker while muted (or at volume 0), the speaker otherwise."""
        self.volume_button.setIcon(icon("volume-off", theme.WARNING) if silent else icon("volume"))
        self.volume_button.setToolTip("Unmute (Ctrl+M)" if silent else "Mute (Ctrl+M)")
        self.volume_button.setAccessibleName("Muted" if silent else "Volume on")

    # ------------------------------------------------------------------ player events
    def _on_position(self, seconds: float) -> None:
        self.wave.set_playhead(seconds)
        self._show_time(seconds)

    def _on_duration(self, seconds: float) -> None:
        if seconds > 0:
            self._duration = seconds
            self.wave.set_duration(seconds)
            self._show_time(self.player.position())

    def _on_state(self, _state: PlayState) -> None:
        self._show_transport()

    def _on_media_status(self, status: MediaStatus) -> None:
        if status is MediaStatus.END and self.loop_button.isChecked() and self.player.playing_range is None:
            self.player.seek(0.0)
            self.player.play()
        elif status is MediaStatus.INVALID:
            self._clip_notice = self._clip_notice_tip = "This file cannot be played."
            self._show_notice()

    def _on_player_error(self, message: str) -> None:
        self._clip_notice = self._clip_notice_tip = message
        self._show_notice()

    # ------------------------------------------------------------------ library events
    def _on_selected(self, clip_id: int) -> None:
        self.load_clip(None if clip_id < 0 else clip_id)

    def _on_clip_updated(self, clip) -> None:
        if clip.id != self.clip_id:
            return
        self._set_title(self.ab.label(clip))
        self._show_ab()
        waiting = self.player is None or self.player.source is None
        if waiting and clip.audio_path:
            self.load_clip(clip.id)  # its file just arrived

    def _on_clip_removed(self, clip_id: int) -> None:
        if clip_id == self.clip_id:
            self.load_clip(None)

    # ------------------------------------------------------------------ showing
    def _set_title(self, title: str) -> None:
        self._title = title
        metrics = QFontMetrics(self.title.font())
        self.title.setText(metrics.elidedText(title, Qt.TextElideMode.ElideRight, self.title.width()))
        self.title.setToolTip(theme.plain_tip(title))

    def _show_time(self, position: float) -> None:
        self.time_label.setText(f"{duration_text(position)} / {duration_text(self._duration)}")

    def _show_transport(self) -> None:
        player = self.player
        available = player is not None and player.available
        loaded = available and player.source is not None
        playing = loaded and player.state() is PlayState.PLAYING
        self.play_button.setIcon(icon("pause" if playing else "play"))
        self.play_button.setAccessibleName("Pause" if playing else "Play")
        self.play_button.setEnabled(loaded)
        if not available:
            tip = (player.notice if player is not None else None) or "Playback is not available"
        elif not loaded:
            tip = self._clip_notice_tip or "Select a downloaded clip in the library to play it"
        else:
            tip = "Pause (Space, Ctrl+P)" if playing else "Play (Space, Ctrl+P)"
        self.play_button.setToolTip(theme.plain_tip(tip))
        self.wave.setEnabled(loaded)
        position = player.position() if loaded else 0.0
        self._show_time(position)

    def _show_notice(self) -> None:
        """Say why nothing can be heard: the clip's problem first, then the audio system's."""
        player = self.player
        if player is None:
            system = system_tip = "Playback is off: the audio player is missing."
        elif not player.available:
            system, system_tip = player.notice, player.notice
        elif player.no_output_device:
            system, system_tip = "No audio output device — playing silently", player.notice
        else:
            system = system_tip = None
        text = self._clip_notice or system or ""
        tips = [t for t in (self._clip_notice_tip, system_tip) if t]
        self.notice.set_full_text(text)
        self.notice.setToolTip(theme.plain_tip("\n".join(dict.fromkeys(tips))))
        self.notice.setVisible(bool(text))
        unavailable = player is None or not player.available
        theme.set_role(self.notice, "error" if unavailable and not self._clip_notice else "warning")
        self._show_transport()


    # ------------------------------------------------------------------ tempo
    def _build_tempo(self, row: QHBoxLayout) -> None:
        """The clip's BPM next to the time, and the beat grid it draws on the waveform."""
        self.tempo_label = QLabel("")
        self.tempo_label.setTextFormat(Qt.TextFormat.PlainText)
        theme.set_role(self.tempo_label, "hint")
        self.tempo_label.hide()
        row.addWidget(self.tempo_label)
        self.ctx.bridge.clipSelected.connect(self._show_tempo)
        self.ctx.bridge.taskChanged.connect(self._on_task_for_tempo)
        self.ctx.bridge.clipUpdated.connect(self._on_clip_for_tempo)
        self._show_tempo(-1 if self.ctx.selected_clip is None else self.ctx.selected_clip)

    def set_beat_grid_visible(self, visible: bool) -> None:
        """Bar and beat lines on the waveform (View › Beat grid); drawn when the clip's BPM is known."""
        self.wave.set_beat_grid_visible(visible)

    def _show_tempo(self, clip_id: int) -> None:
        tempo = self.ctx.studio.deliverables.tempo(clip_id) if clip_id >= 0 else None
        self._tempo_clip = clip_id
        self.tempo_label.setVisible(tempo is not None)
        if tempo is None:
            self.wave.set_beat_grid([])
            return
        self.tempo_label.setText(tempo.short)
        self.tempo_label.setToolTip(f"Tempo of the song: {tempo.text}" + (", worked out here from the audio "
                                    "because sunoapi.org does not tell it" if tempo.estimated else ""))
        detail = self.ctx.studio.library.get_or_none(clip_id)
        length = max(detail.duration or 0.0, 0.0) if detail else 0.0
        self.wave.set_beat_grid(beat_times(tempo.bpm, length + 60.0))  # lines past the end are not drawn

    def _on_clip_for_tempo(self, clip) -> None:
        if clip.id == self._tempo_clip:
            self._show_tempo(clip.id)

    def _on_task_for_tempo(self, task) -> None:
        if task.kind.value == "bpm" and task.source_clip == self._tempo_clip and task.state.finished:
            self._show_tempo(self._tempo_clip)


class _JumpSlider(QSlider):
    """A slider that jumps to where it is clicked (not a page step) and can be dragged from there."""

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt
        if event.button() == Qt.MouseButton.LeftButton:
            handle = self.style().pixelMetric(QStyle.PixelMetric.PM_SliderLength, None, self)
            span = max(1, self.width() - handle)
            x = int(event.position().x()) - handle // 2
            self.setValue(QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), x, span, False))
        super().mousePressEvent(event)


class _ElidedLabel(QLabel):
    """A one-line plain-text label that elides to whatever width the layout gives it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt
        hint = super().sizeHint()
        return QSize(min(QFontMetrics(self.font()).horizontalAdvance(self._full) + 4, 340), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()  # a theme applied later changes the font the text was elided for

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        # The contents rect: a style's padding would otherwise cut the text before its "…".
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, max(10, self.contentsRect().width())))


def _not_playable(clip, path: Path | None) -> tuple[str, str]:
    """(a few words for the bar, the full reason) for a clip without a playable local file."""
    if path is not None:
        return "File missing", f"The clip's file is no longer at {path}. Use “Check again” to download it again."
    full = playable_text(clip) or "Not downloaded yet."
    if full == LINK_ONLY:
        return "No local copy", full
    if clip.state in (ClipState.PENDING, ClipState.RUNNING):
        return "Still being made", full
    if clip.state is ClipState.FAILED:
        return "The provider could not make this clip", full
    return "Not downloaded yet", full
