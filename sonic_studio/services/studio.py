"""``Studio``: the services wired together - one HTTP client, one store, one adapter per provider.

The GUI and the CLI build exactly one of these.  It owns the only ``httpx.AsyncClient``
(so many tasks share connections), opens the store off the loop, reads keys off the
loop, resumes unfinished tasks on ``start()``, and on ``aclose()`` cancels polling and
closes the client within a bounded time (the qasync shutdown trap: this must finish
while the loop still runs).  The settings dialog calls ``configure()``; adapters are
rebuilt lazily, so running pollers simply use the new one on their next poll.

Against a loopback API (the emulator: demo mode, tests) the real key from the keyring
is never sent: the environment key or a fixed demo key is used instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx

from .. import __version__
from ..core.capabilities import ProviderCapabilities, capabilities
from ..core.errors import AuthError, ValidationError
from ..core.models import Credits, ProviderId
from ..core.validation import check_api_base_url, ensure
from ..providers import make_provider
from ..providers.base import DEFAULT_TIMEOUT, Provider
from ..store import Store
from ..store.records import TaskRecord
from .audition import AuditionService
from .autofetch import AutoFetch
from .cadence import DEFAULT_MAX_WAIT, Cadence, cadence_for, usable_interval
from .create import CreateService
from .credits import CreditsService
from .deliverables import DeliverableService
from .downloads import Downloader, sweep_partials
from .edits import EditService
from .events import EventHub, KeyStatusChanged, ProviderChanged
from .keys import KEY_ENV, KeyStatus, KeyStore
from .library import LibraryService
from .personas import PersonaService
from .redact import register_secret
from .settings import Settings, default_data_dir, poll_interval_from_env
from .tasks import TaskService

log = logging.getLogger(__name__)

DEMO_KEY = "sonic-studio-demo-key"
ProviderFactory = Callable[..., Provider]


class Studio:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        data_dir: Path | str | None = None,
        keys: KeyStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        provider_factory: ProviderFactory = make_provider,
        poll_interval: float | None = None,
        max_wait: float = DEFAULT_MAX_WAIT,
        poll_timeout: float = 45.0,
        download_retry_delay: float = 1.0,
        auto_fetch: bool = False,
    ) -> None:
        """``poll_interval`` (the CLI's --poll-interval) beats the env var, which beats the setting.

        ``auto_fetch``: fetch what Settings › After a result arrives asks for (the window
        turns it on; the CLI does what its flags say)."""
        self.data_dir = Path(data_dir).expanduser() if data_dir else default_data_dir()
        self.settings = settings if settings is not None else Settings.load(Path(data_dir) if data_dir else None)
        self.events = EventHub()
        self.keys = keys or KeyStore()
        self.poll_timeout = poll_timeout
        self._poll_interval = poll_interval
        self._max_wait = max_wait
        self._factory = provider_factory
        # No default headers and no auth on the client: adapters add the key per request
        # to their own hosts only, so downloads from CDNs never carry it.
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=DEFAULT_TIMEOUT,
            headers={"User-Agent": f"SonicStudio/{__version__}"},
        )
        self._downloader = Downloader(self._client, retry_delay=download_retry_delay)
        self._store: Store | None = None
        self._adapters: dict[ProviderId, Provider] = {}
        self._key_cache: dict[ProviderId, str | None] = {}
        self._background: set[asyncio.Task] = set()
        self._closed = False
        self.tasks = TaskService(self)
        self.library = LibraryService(self)
        self.deliverables = DeliverableService(self, self.tasks)
        self.personas = PersonaService(self, self.deliverables)  # some providers need a vocal extraction first
        self.edits = EditService(self, self.tasks)  # replace section, add vocals, remaster, mashup, sample
        self.credits = CreditsService(self)
        self.auto_fetch = auto_fetch
        self.autofetch = AutoFetch(self, self.deliverables)
        self.create = CreateService(self, self.tasks)  # new songs (Create tab) and the writing helpers
        self.audition = AuditionService(self)

    # ------------------------------------------------------------------ lifecycle
    async def start(self, *, resume: bool = True) -> None:
        """Open the library (raises ``store.DatabaseError``), read the key, resume tasks.

        ``resume=False`` (one-shot CLI commands) still marks orphaned submits UNKNOWN but
        leaves polling to whoever asks for it.
        """
        if self._store is not None:
            return
        loop = asyncio.get_running_loop()
        self._store = await loop.run_in_executor(None, Store.open, self.data_dir)
        await self._key_for(self.provider_id)
        if self._store.db.read_only:
            return  # browsing only: nothing can be resumed, swept or recorded here
        self.library_dir.mkdir(parents=True, exist_ok=True)
        swept = await loop.run_in_executor(None, sweep_partials, self.library_dir)
        if swept:
            log.info("removed %d half-written file(s) left by an interrupted run", swept)
        # Before orphans are judged: a journaled id turns a would-be UNKNOWN row into a followed task.
        self.tasks.adopt_journal()
        self.tasks.recover_orphans()
        if self.settings.demo and self.settings.demo_base_url:
            self.tasks.move_to_demo_server(self.settings.base_url(self.provider_id))
        if resume:
            self.tasks.resume_all()

    async def aclose(self, timeout: float = 5.0) -> None:
        """Stop polling and downloads, close the client and the store; bounded by ``timeout``."""
        if self._closed:
            return
        self._closed = True
        await self.tasks.shutdown(timeout)
        leftovers = [t for t in self._background if not t.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.wait(leftovers, timeout=timeout)
        try:
            await asyncio.wait_for(self._client.aclose(), timeout)
        except asyncio.TimeoutError:
            log.warning("HTTP client did not close within %.1f s", timeout)
        if self._store is not None:
            self._store.close()

    # ------------------------------------------------------------------ configuration
    async def configure(
        self,
        *,
        provider: ProviderId | str | None = None,
        base_url: str | None = None,
        upload_base_url: str | None = None,
        api_key: str | None = None,
        demo: bool | None = None,
        demo_base_url: str | None = None,
    ) -> KeyStatus | None:
        """Apply the settings dialog: "" resets a URL to the default; the key goes to ``keys``."""
        pid = ProviderId(provider) if provider else self.provider_id
        for field, value, target in (
            ("base_url", base_url, self.settings.base_urls),
            ("upload_base_url", upload_base_url, self.settings.upload_base_urls),
        ):
            if value is None:
                continue
            if value.strip():
                ensure(check_api_base_url(value.strip(), field))
                target[pid.value] = value.strip().rstrip("/")
            else:
                target.pop(pid.value, None)
        if demo_base_url is not None:
            if demo_base_url:
                ensure(check_api_base_url(demo_base_url, "demo_base_url"))
            self.settings.demo_base_url = demo_base_url or None
        if demo is not None:
            self.settings.demo = demo
        self.settings.provider = pid.value
        status = None
        if api_key is not None:
            status = await (self.keys.set(pid, api_key) if api_key.strip() else self.keys.delete(pid))
            self.events.emit(KeyStatusChanged(status))
        self._adapters.clear()
        self._key_cache.clear()
        self.credits.forget()
        await asyncio.get_running_loop().run_in_executor(None, self.settings.save)
        await self._key_for(self.provider_id)
        self.events.emit(ProviderChanged(self.provider_id, self.demo))
        self.tasks.wake_all()
        return status

    async def test_key(
        self,
        provider: ProviderId | str,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        upload_base_url: str | None = None,
    ) -> Credits:
        """Ask the provider for the credit balance with ``api_key`` (or the stored key).

        For the settings dialog's "Test key": nothing is saved, and the adapter is a
        throw-away one on the shared client, so a wrong key never replaces a good one.
        """
        pid = ProviderId(provider)
        base = (base_url or "").strip() or self.settings.base_url(pid)
        upload = (upload_base_url or "").strip() or self.settings.upload_base_url(pid)
        key = (api_key or "").strip() or await self.keys.get(pid)
        if not key:
            raise AuthError("There is no key to test yet: paste your API key first.", provider=pid.value)
        register_secret(key)
        adapter = make_provider(pid, self._client, key, base_url=base, upload_base_url=upload)
        return await adapter.credits()

    async def key_status(self, provider: ProviderId | str | None = None) -> KeyStatus:
        pid = ProviderId(provider) if provider else self.provider_id
        if self.settings.is_local(pid):
            backend = await self.keys.backend()
            return KeyStatus(pid, True, "demo", backend.name, backend.usable,
                             "Demo mode: the local emulator gets a demo key; your real key is not used.")
        return await self.keys.status(pid)

    def has_key(self, provider: ProviderId | str | None = None) -> bool:
        """From the cache filled by ``start()``/``configure()``; no keyring call."""
        pid = ProviderId(provider) if provider else self.provider_id
        return bool(self._key_cache.get(pid))

    # ------------------------------------------------------------------ what services use
    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("Studio.start() has not been awaited")
        return self._store

    @property
    def provider_id(self) -> ProviderId:
        return self.settings.provider_id

    @property
    def capabilities(self) -> ProviderCapabilities:
        return capabilities(self.provider_id)

    @property
    def demo(self) -> bool:
        return self.settings.is_local(self.provider_id)

    @property
    def library_dir(self) -> Path:
        return self.settings.library_path(self.data_dir)

    @property
    def downloader(self) -> Downloader:
        return self._downloader

    async def active_provider(self) -> Provider:
        return await self.provider_for(self.provider_id)

    async def provider_for(self, provider: ProviderId) -> Provider:
        """The adapter for ``provider`` with the current settings; AuthError when no key."""
        pid = ProviderId(provider)
        adapter = self._adapters.get(pid)
        if adapter is not None:
            return adapter
        key = await self._key_for(pid)
        if not key:
            raise AuthError(
                f"No API key for {capabilities(pid).display_name}. Enter it in Settings "
                f"(or set {KEY_ENV} for scripts).",
                provider=pid.value,
            )
        for url in (self.settings.base_url(pid), self.settings.upload_base_url(pid)):
            if url and key in url:
                # It would be stored with every task and sent in every request line.
                raise ValidationError(
                    "The API address contains your API key. Remove it from the address in Settings "
                    "(or --base-url): the key is sent in a header, never in the address.",
                    field="base_url",
                )
        adapter = self._factory(
            pid, self._client, key,
            base_url=self.settings.base_url(pid),
            upload_base_url=self.settings.upload_base_url(pid),
        )
        self._adapters[pid] = adapter
        return adapter

    def cadence(self, provider: ProviderId, base_url: str) -> Cadence:
        """``poll_interval`` given in code is used as is; the env var and the setting are people's
        input, so they are floored at the provider's minimum (``1e-9`` once meant 180 polls a second)."""
        interval = self._poll_interval or usable_interval(
            poll_interval_from_env() or self.settings.poll_interval, base_url)
        return cadence_for(provider, base_url, interval=interval, max_wait=self._max_wait)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def task_finished(self, task: TaskRecord) -> None:
        if task.provider is self.provider_id and not self._closed:
            self.spawn(self.credits.refresh_quietly(), name="credits-after-task")
            wanted = self.autofetch.claim(task) if self.auto_fetch else []
            if wanted:
                self.spawn(self.autofetch.fetch(wanted), name=f"auto-fetch-after-{task.id}")

    async def _key_for(self, pid: ProviderId) -> str | None:
        if pid not in self._key_cache:
            if self.settings.is_local(pid):
                self._key_cache[pid] = self.keys.env_key() or DEMO_KEY
            else:
                self._key_cache[pid] = await self.keys.get(pid)
        return self._key_cache[pid]
