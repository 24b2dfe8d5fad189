"""Typed events from the services, and a tiny hub to subscribe to them.

The services know nothing of Qt; the GUI subscribes here and re-emits Qt signals, the
CLI subscribes to print progress.  Emission is synchronous on the caller's thread,
which is always the event loop thread, so subscribers may touch widgets directly
under qasync.  A failing subscriber is logged and never breaks the task that emitted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..core.models import Credits, ProviderId
from ..store.records import ClipRow, PersonaRecord, TaskRecord

log = logging.getLogger(__name__)


class Event:
    """Base class of everything emitted."""


@dataclass(frozen=True)
class TaskChanged(Event):
    task: TaskRecord


@dataclass(frozen=True)
class Notice(Event):
    """Something done in the background that a person should hear about (the window's status bar)."""

    text: str


@dataclass(frozen=True)
class ClipAdded(Event):
    clip: ClipRow


@dataclass(frozen=True)
class ClipUpdated(Event):
    clip: ClipRow


@dataclass(frozen=True)
class ClipRemoved(Event):
    clip_id: int


@dataclass(frozen=True)
class PersonaAdded(Event):
    persona: PersonaRecord


@dataclass(frozen=True)
class PersonaUpdated(Event):
    persona: PersonaRecord


@dataclass(frozen=True)
class PersonaRemoved(Event):
    persona_id: int


@dataclass(frozen=True)
class CreditsChanged(Event):
    provider: ProviderId
    credits: Credits


@dataclass(frozen=True)
class ProviderChanged(Event):
    provider: ProviderId
    demo: bool


@dataclass(frozen=True)
class KeyStatusChanged(Event):
    status: KeyStatus  # noqa: F821 - services.keys imports this module


E = TypeVar("E", bound=Event)
Callback = Callable[[Event], None]


class EventHub:
    def __init__(self) -> None:
        self._subscribers: list[tuple[type[Event] | None, Callback]] = []

    def subscribe(self, event_type: type[E] | None, callback: Callable[[E], None]) -> Callable[[], None]:
        """Call ``callback`` for every event of ``event_type`` (None: all); returns an unsubscriber."""
        entry = (event_type, callback)
        self._subscribers.append(entry)

        def unsubscribe() -> None:
            if entry in self._subscribers:
                self._subscribers.remove(entry)

        return unsubscribe

    def emit(self, event: Event) -> None:
        for event_type, callback in list(self._subscribers):
            if event_type is None or isinstance(event, event_type):
                try:
                    callback(event)
                except Exception:
                    log.exception("event subscriber failed on %s", type(event).__name__)
