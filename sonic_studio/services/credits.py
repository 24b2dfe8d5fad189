"""Credits: asked for on demand and after every finished task, announced when they change."""

from __future__ import annotations

import logging

from ..core.errors import StudioError
from ..core.models import Credits
from .context import ServiceContext
from .events import CreditsChanged

log = logging.getLogger(__name__)


class CreditsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.last: Credits | None = None

    async def refresh(self) -> Credits:
        provider = await self._ctx.active_provider()
        credits = await provider.credits()
        if credits != self.last:
            self.last = credits
            self._ctx.events.emit(CreditsChanged(provider.id, credits))
        return credits

    async def refresh_quietly(self) -> None:
        """After a task: a failure here must not disturb anything, so it is only logged."""
        try:
            await self.refresh()
        except StudioError as exc:
            log.info("credits not refreshed: %s", exc.kind.value)

    def forget(self) -> None:
        """The provider or key changed: the old number no longer applies."""
        self.last = None
