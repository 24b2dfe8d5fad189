"""Where the API key lives: the OS keyring, the environment, or this session only.

Order of lookup: ``SONIC_STUDIO_API_KEY`` (scripts and CI), then the OS keyring, then
a key kept in memory for this session because the keyring could not take it.
Every keyring call runs in an executor: a Secret Service or Keychain unlock prompt
can block for as long as the user takes, and must never freeze the event loop.
``keyring.backends.fail.Keyring`` (what headless Linux gets without a Secret
Service) is detected up front so the settings dialog can say "no system keyring"
instead of failing on save.  We never fall back to a plaintext file silently.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass

import keyring
import keyring.backends.fail
import keyring.errors

from ..core.models import ProviderId
from .redact import register_secret, scrub

log = logging.getLogger(__name__)

KEY_ENV = "SONIC_STUDIO_API_KEY"
SERVICE = "sonic-studio"


@dataclass(frozen=True)
class KeyStatus:
    provider: ProviderId
    has_key: bool
    source: str | None  # "env" | "keyring" | "session" | "demo" | None
    backend: str  # keyring backend name, for "Stored in …"
    keyring_usable: bool
    message: str


@dataclass(frozen=True)
class BackendInfo:
    """Which keyring backend is in use, whether it can hold a key, and if not, why."""

    name: str
    usable: bool
    reason: str


class KeyStore:
    def __init__(self) -> None:
        self._session: dict[ProviderId, str] = {}
        self._backend: BackendInfo | None = None

    # ------------------------------------------------------------------ public
    def env_key(self) -> str | None:
        """The scripts' key from SONIC_STUDIO_API_KEY, if set."""
        env = os.environ.get(KEY_ENV, "").strip()
        if env:
            register_secret(env)
        return env or None

    async def get(self, provider: ProviderId | str) -> str | None:
        pid = ProviderId(provider)
        env = self.env_key()
        if env:
            return env
        if pid in self._session:
            return self._session[pid]
        value = await self._call(keyring.get_password, SERVICE, pid.value)
        if value:
            register_secret(value)
        return value or None

    async def set(self, provider: ProviderId | str, key: str) -> KeyStatus:
        pid = ProviderId(provider)
        key = key.strip()
        if not key:
            return await self.delete(pid)
        register_secret(key)
        backend = await self.backend()
        if backend.usable:
            try:
                await self._run(keyring.set_password, SERVICE, pid.value, key)
            except keyring.errors.KeyringError as exc:
                self._session[pid] = key
                log.warning("keyring %s refused the key (%s); keeping it for this session", backend.name,
                            type(exc).__name__)
                return self._status(pid, "session", backend,
                                    f"The system keyring ({backend.name}) refused the key "
                                    f"({_reason(exc)}); it is kept for this session only.")
            self._session.pop(pid, None)
            return self._status(pid, "keyring", backend, f"Stored in {backend.name}.")
        self._session[pid] = key
        return self._status(pid, "session", backend,
                            f"No system keyring is available ({backend.reason}); the key is kept for "
                            "this session only and must be entered again next time.")

    async def delete(self, provider: ProviderId | str) -> KeyStatus:
        pid = ProviderId(provider)
        self._session.pop(pid, None)
        backend = await self.backend()
        if backend.usable:
            try:
                await self._run(keyring.delete_password, SERVICE, pid.value)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored: already the state we want
            except keyring.errors.KeyringError as exc:
                log.warning("keyring delete failed: %s", type(exc).__name__)
        return await self.status(pid)

    async def status(self, provider: ProviderId | str) -> KeyStatus:
        pid = ProviderId(provider)
        backend = await self.backend()
        if os.environ.get(KEY_ENV, "").strip():
            return self._status(pid, "env", backend, f"Using the key from the {KEY_ENV} environment variable.")
        if pid in self._session:
            return self._status(pid, "session", backend, "Using a key kept for this session only.")
        if backend.usable and await self._call(keyring.get_password, SERVICE, pid.value):
            return self._status(pid, "keyring", backend, f"Stored in {backend.name}.")
        if not backend.usable:
            message = (f"No system keyring is available ({backend.reason}). A key entered now is kept "
                       f"for this session only; scripts can set {KEY_ENV}.")
        else:
            message = "No API key yet. Enter it in Settings."
        return self._status(pid, None, backend, message)

    async def backend(self) -> BackendInfo:
        if self._backend is None:
            self._backend = await self._run(_probe_backend)
        return self._backend

    # ------------------------------------------------------------------ helpers
    def _status(self, pid: ProviderId, source: str | None, backend: BackendInfo, message: str) -> KeyStatus:
        return KeyStatus(pid, source is not None, source, backend.name, backend.usable, message)

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def _call(self, fn, *args):
        """A keyring read that degrades to "nothing there" instead of raising."""
        try:
            return await self._run(fn, *args)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring read failed: %s", type(exc).__name__)
            return None


def _probe_backend() -> BackendInfo:
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken PYTHON_KEYRING_BACKEND raises anything at all
        return BackendInfo("none", False, f"keyring could not load a backend: {type(exc).__name__}")
    name = getattr(backend, "name", type(backend).__name__)
    if isinstance(backend, keyring.backends.fail.Keyring):
        return BackendInfo(name, False, "no Secret Service, KWallet, Keychain or Windows Credential Locker was found")
    if type(backend).__module__.startswith("keyring.backends.null"):
        return BackendInfo(name, False, "the keyring is disabled")
    return BackendInfo(name, True, "")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return scrub(text)[:160]
