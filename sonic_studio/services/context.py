"""What the services need from their composition root (``Studio``), as a narrow protocol.

Services reach the store, the event hub and the provider adapters through this, so
they can be built before the store is open and keep working when the settings
dialog swaps the adapter underneath them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Protocol

from ..core.models import ProviderId
from ..providers.base import Provider
from ..store import Store
from ..store.records import TaskRecord
from .cadence import Cadence
from .downloads import Downloader
from .events import EventHub


class ServiceContext(Protocol):
    events: EventHub
    poll_timeout: float

    @property
    def store(self) -> Store: ...

    @property
    def provider_id(self) -> ProviderId: ...

    @property
    def library_dir(self) -> Path: ...

    @property
    def downloader(self) -> Downloader: ...

    async def provider_for(self, provider: ProviderId) -> Provider: ...

    async def active_provider(self) -> Provider: ...

    def cadence(self, provider: ProviderId, base_url: str) -> Cadence: ...

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task: ...

    def task_finished(self, task: TaskRecord) -> None: ...
