"""New songs from scratch (the Create tab, ``sonic-studio-cli generate``) and the writing helpers.

A new song goes through the same lifecycle as every paid request (``TaskService``:
persisted before sending, resumed after a crash, never resubmitted, downloaded at once)
after the preflight here has found nothing wrong - so the window and the CLI refuse the
same request with the same words before a credit is spent.

"Write lyrics for me" and "Boost style" return text for the form, not audio: they cost
little, finish in seconds and are asked again by a person if they fail, so they are not
task rows.  A lyrics request that the provider answers with a task id (sunoapi.org) is
polled here, free, until its drafts arrive.
"""

from __future__ import annotations

import asyncio
import logging

from ..core.errors import NetworkError
from ..core.models import GenerationParams, LyricsDraft, LyricsResult
from ..core.validation import check_lyrics_prompt, check_style_boost, ensure
from ..store.records import PersonaRecord, TaskRecord
from .context import ServiceContext
from .eligibility import Preflight, create_request, helper_terms
from .tasks import TaskService

log = logging.getLogger(__name__)

# Lyrics take seconds; poll at most this often, and give up (free) after the timeout.
LYRICS_POLL_CEILING = 3.0
LYRICS_TIMEOUT = 180.0


class CreateService:
    def __init__(self, ctx: ServiceContext, tasks: TaskService) -> None:
        self._ctx = ctx
        self._tasks = tasks

    # ------------------------------------------------------------------ new songs
    def persona(self, persona_id: str | None) -> PersonaRecord | None:
        """The saved persona with this provider id at the active provider, if any."""
        if not persona_id:
            return None
        return self._ctx.store.personas.find(self._ctx.provider_id, persona_id)

    def preflight(self, params: GenerationParams, caps) -> Preflight:
        """What stops this new song at ``caps``' provider, its task type and estimated cost."""
        return create_request(caps, params, self.persona(params.persona_id))

    async def submit(self, params: GenerationParams) -> TaskRecord:
        """Check, then send through the task lifecycle; returns once the provider has the request."""
        provider = await self._ctx.active_provider()
        ensure(list(self.preflight(params, provider.capabilities).problems))
        return await self._tasks.submit_generate(params)

    # ------------------------------------------------------------------ writing helpers
    async def helper_terms(self, helper: str) -> str:
        provider = await self._ctx.active_provider()
        return helper_terms(provider.capabilities, helper)

    async def write_lyrics(self, description: str, *, timeout: float = LYRICS_TIMEOUT) -> list[LyricsDraft]:
        """Drafts of lyrics about ``description`` (paid); waits for them when the provider queues the request."""
        provider = await self._ctx.active_provider()
        ensure(check_lyrics_prompt(description, provider.capabilities))
        result = await provider.write_lyrics(description)
        if not result.finished:
            result = await self._follow_lyrics(result, timeout)
        if result.error is not None:
            raise result.error
        log.info("lyrics written (%d draft(s))", len(result.drafts))
        return result.drafts

    async def _follow_lyrics(self, result: LyricsResult, timeout: float) -> LyricsResult:
        provider = await self._ctx.active_provider()
        cadence = self._ctx.cadence(provider.id, provider.base_url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        polls = 0
        while not result.finished:
            if loop.time() > deadline:
                raise NetworkError(
                    f"{provider.capabilities.display_name} has not sent the lyrics after {timeout:.0f} s. "
                    "They may still arrive at the provider; ask again in a moment.",
                    provider=provider.id.value,
                )
            await asyncio.sleep(min(cadence.delay(polls), LYRICS_POLL_CEILING))
            polls += 1
            try:
                result = await provider.lyrics_status(result.task_id or "")
            except NetworkError:
                continue  # a dropped poll is free to repeat; the request itself is not resent
        return result

    async def boost_style(self, tags: str, model: str | None = None) -> str:
        """A richer style from ``tags`` (paid)."""
        provider = await self._ctx.active_provider()
        ensure(check_style_boost(tags, provider.capabilities, model))
        return await provider.boost_style(tags)


__all__ = ["CreateService"]
