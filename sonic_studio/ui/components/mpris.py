"""MPRIS over QtDBus: media keys and the desktop's media controls drive the player.

Why: on Linux desktops (GNOME, KDE, ...) the play/pause/next keys and the media widget
in the panel talk to players through MPRIS (``org.mpris.MediaPlayer2`` and its
``.Player`` interface on the session bus).  Sonic Studio publishes itself as
``org.mpris.MediaPlayer2.sonic_studio``: PlayPause/Play/Pause/Stop go to the player bar,
Next/Previous move the library's selection (the player follows it), Raise brings the
window forward; PlaybackStatus and Metadata (title with the take, artist, album,
length, cover) are read by the desktop, and changes are announced with
``PropertiesChanged``.  Without a session bus (Windows, macOS, a bare container) the
service is simply not published.

The actions are given as callables by the main window, so this part knows the player
and the library only through them and the context.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import ClassInfo, Property, QObject, QUrl, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusConnection, QDBusMessage

from ...audio.player import PlayState

log = logging.getLogger(__name__)

SERVICE = "org.mpris.MediaPlayer2.sonic_studio"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_IFACE = "org.mpris.MediaPlayer2"
PLAYER_IFACE = "org.mpris.MediaPlayer2.Player"
_STATUS = {PlayState.PLAYING: "Playing", PlayState.PAUSED: "Paused"}


@dataclass(frozen=True)
class MediaActions:
    """What the desktop's controls do (the main window wires them)."""

    play_pause: Callable[[], None]
    play: Callable[[], None]
    pause: Callable[[], None]
    stop: Callable[[], None]
    next: Callable[[], None]
    previous: Callable[[], None]
    raise_window: Callable[[], None]
    clip: Callable[[], int | None]  # the clip the player shows


@ClassInfo({"D-Bus Interface": ROOT_IFACE})
class _RootAdaptor(QDBusAbstractAdaptor):
    def __init__(self, service: MprisService) -> None:
        super().__init__(service)
        self._service = service

    @Slot()
    def Raise(self) -> None:  # noqa: N802 (D-Bus naming)
        self._service.actions.raise_window()

    @Slot()
    def Quit(self) -> None:  # noqa: N802 - CanQuit is false; the method must still exist
        return

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _identity(self) -> str:
        return "Sonic Studio"

    def _desktop(self) -> str:
        return "sonic-studio"

    def _none(self) -> list[str]:
        return []

    CanQuit = Property(bool, _false)
    CanRaise = Property(bool, _true)
    HasTrackList = Property(bool, _false)
    Identity = Property(str, _identity)
    DesktopEntry = Property(str, _desktop)
    SupportedUriSchemes = Property("QStringList", _none)
    SupportedMimeTypes = Property("QStringList", _none)


@ClassInfo({"D-Bus Interface": PLAYER_IFACE})
class _PlayerAdaptor(QDBusAbstractAdaptor):
    def __init__(self, service: MprisService) -> None:
        super().__init__(service)
        self._service = service

    @Slot()
    def PlayPause(self) -> None:  # noqa: N802 (D-Bus naming)
        self._service.actions.play_pause()

    @Slot()
    def Play(self) -> None:  # noqa: N802
        self._service.actions.play()

    @Slot()
    def Pause(self) -> None:  # noqa: N802
        self._service.actions.pause()

    @Slot()
    def Stop(self) -> None:  # noqa: N802
        self._service.actions.stop()

    @Slot()
    def Next(self) -> None:  # noqa: N802
        self._service.actions.next()

    @Slot()
    def Previous(self) -> None:  # noqa: N802
        self._service.actions.previous()

    def _status(self) -> str:
        return self._service.playback_status()

    def _metadata(self) -> dict:
        return self._service.metadata()

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _volume(self) -> float:
        return 1.0

    def _rate(self) -> float:
        return 1.0

    PlaybackStatus = Property(str, _status)
    Metadata = Property("QVariantMap", _metadata)
    CanControl = Property(bool, _true)
    CanPlay = Property(bool, _true)
    CanPause = Property(bool, _true)
    CanGoNext = Property(bool, _true)
    CanGoPrevious = Property(bool, _true)
    CanSeek = Property(bool, _false)
    Volume = Property(float, _volume)
    Rate = Property(float, _rate)


class MprisService(QObject):
    """The MPRIS object on ``bus`` (the session bus unless given), for the player in ``ctx``."""

    def __init__(self, ctx, actions: MediaActions, parent: QObject | None = None,
                 bus: QDBusConnection | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actions = actions
        self._bus = bus if bus is not None else QDBusConnection.sessionBus()
        self._root = _RootAdaptor(self)
        self._player = _PlayerAdaptor(self)
        self.name: str | None = None
        self._last_status = self.playback_status()
        ctx.player.stateChanged.connect(self._on_state)

    def publish(self) -> bool:
        """Register on the bus; False (and nothing published) without one."""
        bus = self._bus
        if not bus.isConnected():
            log.info("no D-Bus session bus: media keys are not connected")
            return False
        if not bus.registerObject(OBJECT_PATH, self, QDBusConnection.RegisterOption.ExportAdaptors):
            log.info("MPRIS object not registered: %s", bus.lastError().message())
            return False
        # A second running copy takes its own name, as MPRIS asks of multiple instances.
        for name in (SERVICE, f"{SERVICE}.instance{os.getpid()}"):
            if bus.registerService(name):
                self.name = name
                return True
        bus.unregisterObject(OBJECT_PATH)
        return False

    def unpublish(self) -> None:
        if self.name is not None:
            self._bus.unregisterService(self.name)
            self._bus.unregisterObject(OBJECT_PATH)
            self.name = None

    # ------------------------------------------------------------------ state
    def playback_status(self) -> str:
        player = self.ctx.player
        if player.source is None:
            return "Stopped"
        return _STATUS.get(player.state(), "Stopped")

    def metadata(self) -> dict:
        clip = self.actions.clip()
        detail = self.ctx.studio.library.get_or_none(clip) if clip is not None else None
        if detail is None:
            return {}
        tags = self.ctx.studio.library.tags_for(detail.id)
        meta = {"xesam:title": tags.title, "xesam:artist": [tags.artist], "xesam:album": tags.album}
        seconds = self.ctx.player.duration() or detail.duration or 0.0
        if seconds:
            meta["mpris:length"] = int(seconds * 1_000_000)
        if detail.image_path and Path(detail.image_path).is_file():
            meta["mpris:artUrl"] = QUrl.fromLocalFile(detail.image_path).toString()
        return meta

    def announce(self) -> None:
        """Tell the desktop the status and metadata changed (PropertiesChanged)."""
        if self.name is None:
            return
        message = QDBusMessage.createSignal(OBJECT_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged")
        message.setArguments([PLAYER_IFACE, {"PlaybackStatus": self.playback_status(),
                                             "Metadata": self.metadata()}, []])
        self._bus.send(message)

    def _on_state(self, _state: PlayState) -> None:
        status = self.playback_status()
        if status != self._last_status:
            self._last_status = status
            self.announce()
