"""Qt signals for the services' events, and the context every panel is built with.

The services are Qt-free and emit plain events on the loop thread (which, under qasync,
is the GUI thread).  ``StudioBridge`` re-emits them as signals so widgets connect the
Qt way and never subscribe to services directly.  ``UiContext`` is what a panel or tab
receives: the started studio, the bridge, the shared player and the selected clip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # heavy modules stay out of start-up
    from ..services.studio import Studio


class StudioBridge(QObject):
    taskChanged = Signal(object)  # TaskRecord
    clipAdded = Signal(object)  # ClipRow
    clipUpdated = Signal(object)  # ClipRow
    clipRemoved = Signal(int)  # local clip id
    personaAdded = Signal(object)  # PersonaRecord
    personaUpdated = Signal(object)
    personaRemoved = Signal(int)
    creditsChanged = Signal(object, object)  # ProviderId, Credits
    providerChanged = Signal(object, bool)  # ProviderId, demo
    keyStatusChanged = Signal(object)  # KeyStatus
    # UI-level: a clip was chosen in the library (local id; -1 = none).
    clipSelected = Signal(int)
    # Ask the window to show a short, non-modal notice in the status bar.
    notify = Signal(str)

    def __init__(self, studio: "Studio", parent: QObject | None = None) -> None:
        super().__init__(parent)
        from ..services import events as ev

        routes = {
            ev.TaskChanged: lambda e: self.taskChanged.emit(e.task),
            ev.ClipAdded: lambda e: self.clipAdded.emit(e.clip),
            ev.ClipUpdated: lambda e: self.clipUpdated.emit(e.clip),
            ev.ClipRemoved: lambda e: self.clipRemoved.emit(e.clip_id),
            ev.PersonaAdded: lambda e: self.personaAdded.emit(e.persona),
            ev.PersonaUpdated: lambda e: self.personaUpdated.emit(e.persona),
            ev.PersonaRemoved: lambda e: self.personaRemoved.emit(e.persona_id),
            ev.CreditsChanged: lambda e: self.creditsChanged.emit(e.provider, e.credits),
            ev.ProviderChanged: lambda e: self.providerChanged.emit(e.provider, e.demo),
            ev.KeyStatusChanged: lambda e: self.keyStatusChanged.emit(e.status),
        }
        self._unsubscribe = [studio.events.subscribe(kind, fn) for kind, fn in routes.items()]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []


@dataclass
class UiContext:
    """Everything a panel needs; built once the studio has started."""

    studio: "Studio"
    bridge: StudioBridge
    player: Any  # audio.player.Player
    selected_clip: int | None = None
    extras: dict = field(default_factory=dict)

    def select_clip(self, clip: int | None) -> None:
        self.selected_clip = clip
        self.bridge.clipSelected.emit(-1 if clip is None else clip)
