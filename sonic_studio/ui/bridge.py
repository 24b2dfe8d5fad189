"""Qt signals for the services' events, and the context every panel is built with.

The services are Qt-free and emit plain events on the loop thread (which, under qasync,
is the GUI thread).  ``StudioBridge`` re-emits them as signals so widgets connect the
Qt way and never subscribe to services directly.  ``UiContext`` is what a panel or tab
receives: the started studio, the bridge, the shared player and the selected clip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # heavy modules stay out of start-up
    from ..audio.peak_cache import PeakCache
    from ..audio.player import Player
    from ..services.studio import Studio


class DemoServer(Protocol):
    """The running demo emulator (``bootstrap.DemoServer``), as the pages see it."""

    base_url: str

    def stop(self) -> None: ...

    def reset(self) -> None: ...


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
    # The library's selection when it is exactly two clips (A/B compares them); [] otherwise.
    comparePairChanged = Signal(list)
    # Ask the window to show a short, non-modal notice in the status bar.
    notify = Signal(str)
    # Cross-page requests (a page never imports another page; the window routes these).
    personaShowRequested = Signal(int)  # select this local persona in Library › Personas
    settingsRequested = Signal()  # open the settings dialog
    clipShowRequested = Signal(int)  # select this local clip in the library (lineage links, notifications)
    deliverableViewRequested = Signal(int, str)  # local clip id, "stems" | "lyrics": open that view
    editRequested = Signal(int, str)  # local clip id, edit operation ("replace_section", "mashup", ...)
    sourceRequested = Signal(int, str)  # local clip id, "extend" | "cover" | "persona": that tab, this clip

    def __init__(self, studio: Studio, parent: QObject | None = None) -> None:
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
            ev.Notice: lambda e: self.notify.emit(e.text),
        }
        self._unsubscribe = [studio.events.subscribe(kind, fn) for kind, fn in routes.items()]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []


@dataclass
class UiContext:
    """Everything a panel needs; built once the studio has started."""

    studio: Studio
    bridge: StudioBridge
    player: Player
    selected_clip: int | None = None
    log_file: Path | None = None  # what Help › What happened shows
    demo_server: DemoServer | None = None  # the running demo emulator, if any
    start_demo_server: Callable[[], Awaitable[DemoServer]] | None = None
    demo_state_dir: Path | None = None  # where the demo emulator keeps what it made
    _peak_cache: PeakCache | None = field(default=None, repr=False)

    def select_clip(self, clip: int | None) -> None:
        self.selected_clip = clip
        self.bridge.clipSelected.emit(-1 if clip is None else clip)

    @property
    def peak_cache(self) -> PeakCache:
        """The app's one peak cache, shared by every waveform (made on first use)."""
        if self._peak_cache is None:
            from ..audio.peak_cache import PeakCache

            self._peak_cache = PeakCache()
        return self._peak_cache

    async def reset_demo(self) -> None:
        """Forget every clip, task, persona and credit the demo emulator remembers (Settings › Reset demo).

        The library keeps its own files; the emulator restarts empty with fresh credits.
        """
        loop = asyncio.get_running_loop()
        if self.demo_server is not None:
            await loop.run_in_executor(None, self.demo_server.reset)
            if self.studio.demo:
                await self.studio.configure(demo_base_url=self.demo_server.base_url)
        elif self.demo_state_dir is not None:
            from ..emulator.state_folder import clear

            await loop.run_in_executor(None, clear, self.demo_state_dir)

    async def demo_base_url(self) -> str:
        """The demo emulator's address, starting it first when it is not running yet."""
        if self.demo_server is None:
            if self.start_demo_server is None:
                raise RuntimeError("demo mode is not available here")
            self.demo_server = await self.start_demo_server()
        return self.demo_server.base_url
