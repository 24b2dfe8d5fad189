"""The player bar at the bottom of the window: plays the selected clip's local file.

It follows the app-wide selection (``bridge.clipSelected``) and loads the clip's file in
the library - never a provider URL, which expires.  A clip without a local file says
"Not downloaded yet" instead of failing later.  The waveform (PREVIEW mode) seeks on
click and its playhead follows the player; when playback is impossible (QtMultimedia
could not load) or silent (no audio output device) the bar says so in words, and the
rest of the app keeps working.  ``toggle()`` is the Space / Ctrl+P slot.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QRectF, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QWidget

from ...audio.loader import PeakLoader
from ...audio.player import MediaStatus, PlayState
from ...core.models import ClipState
from .. import theme
from ..format import LINK_ONLY, clip_name, duration_text, playable_text
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
        self.play_button.clicked.connect(self.toggle)
        row.addWidget(self.play_button)

        self.title = QLabel("")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setFixedWidth(180)
        font = QFont(self.title.font())
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        row.addWidget(self.title)

        self.wave = _CompactWaveform()
        self.wave.clear("Select a clip in the library")
        self.wave.seekRequested.connect(self._seek)
        row.addWidget(self.wave, 1)

        self.time_label = QLabel("0:00 / 0:00")
        mono = QFont(self.time_label.font())
        mono.setFeature(QFont.Tag("tnum"), 1)
        self.time_label.setFont(mono)
        self.time_label.setMinimumWidth(QFontMetrics(mono).horizontalAdvance("00:00 / 00:00") + 4)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label.setToolTip("Position / length")
        row.addWidget(self.time_label)

        self.loop_button = QToolButton()
        self.loop_button.setIcon(icon("loop"))
        self.loop_button.setCheckable(True)
        self.loop_button.setToolTip("Loop: start again at the end")
        self.loop_button.setChecked(QSettings().value("player/loop", False) in (True, "true"))
        self.loop_button.toggled.connect(lambda on: QSettings().setValue("player/loop", on))
        row.addWidget(self.loop_button)

        self.volume_button = QToolButton()
        self.volume_button.setIcon(icon("volume"))
        self.volume_button.setToolTip("Mute / unmute")
        self.volume_button.setCheckable(True)
        self.volume_button.toggled.connect(self._on_mute)
        row.addWidget(self.volume_button)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(self._set_volume)
        row.addWidget(self.volume)

        self.notice = _ElidedLabel()
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
        self._set_title(clip_name(detail))
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
            return  # already loaded (e.g. re-selected): keep the position
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
        self._show_transport()
        self._show_notice()

    def _unload(self, placeholder: str) -> None:
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
            self.volume_button.blockSignals(True)
            self.volume_button.setChecked(False)
            self.volume_button.blockSignals(False)
            self._muted_volume = None
        self.volume_button.setIcon(icon("volume", theme.TEXT if value else theme.TEXT_DIM))

    def _on_mute(self, muted: bool) -> None:
        if muted:
            self._muted_volume = self.volume.value()
            self.volume.blockSignals(True)
            self.volume.setValue(0)
            self.volume.blockSignals(False)
            if self.player is not None:
                self.player.set_volume(0.0)
            self.volume_button.setIcon(icon("volume", theme.TEXT_DIM))
        else:
            self.volume.setValue(self._muted_volume or 80)
            self._muted_volume = None

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
        self._set_title(clip_name(clip))
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

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, max(10, self.width())))


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
