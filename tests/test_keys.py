"""Key storage: the OS keyring (memory stand-in), no keyring at all, a refusing keyring, env."""

from __future__ import annotations

import threading

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from conftest import FAKE_KEY

from sonic_studio.core.models import ProviderId
from sonic_studio.services.keys import KEY_ENV, SERVICE, KeyStore

SONIC, SUNO = ProviderId.SONIC, ProviderId.SUNOAPI


class RecordingKeyring(keyring.backend.KeyringBackend):
    """Remembers which thread each call ran on, and can refuse writes like a locked keyring."""

    priority = 1

    def __init__(self, refuse: bool = False) -> None:
        super().__init__()
        self.refuse = refuse
        self.threads: list[threading.Thread] = []
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        self.threads.append(threading.current_thread())
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.threads.append(threading.current_thread())
        if self.refuse:
            raise keyring.errors.PasswordSetError("Prompt dismissed")
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.threads.append(threading.current_thread())
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


async def test_memory_keyring_stores_per_provider_and_says_where(memory_keyring):
    keys = KeyStore()
    status = await keys.set(SONIC, f"  {FAKE_KEY}  ")
    assert status.source == "keyring" and status.has_key and status.keyring_usable
    assert status.backend in status.message
    assert memory_keyring.store[(SERVICE, "sonic")] == FAKE_KEY
    assert await keys.get(SONIC) == FAKE_KEY
    assert await keys.get(SUNO) is None
    assert (await keys.status(SUNO)).has_key is False
    deleted = await keys.delete(SONIC)
    assert not deleted.has_key and await keys.get(SONIC) is None
    assert FAKE_KEY not in repr(status)  # the status never carries the key


async def test_keyring_calls_run_off_the_event_loop_thread():
    backend = RecordingKeyring()
    keyring.set_keyring(backend)
    keys = KeyStore()
    await keys.set(SONIC, FAKE_KEY)
    await keys.get(SONIC)
    await keys.delete(SONIC)
    await keys.delete(SONIC)  # nothing stored: not an error
    assert backend.threads and all(t is not threading.main_thread() for t in backend.threads)


async def test_no_system_keyring_falls_back_to_this_session_with_a_clear_message():
    keyring.set_keyring(keyring.backends.fail.Keyring())
    keys = KeyStore()
    before = await keys.status(SONIC)
    assert not before.keyring_usable and "No system keyring" in before.message
    status = await keys.set(SONIC, FAKE_KEY)
    assert status.source == "session" and "this session only" in status.message
    assert await keys.get(SONIC) == FAKE_KEY
    assert FAKE_KEY not in status.message
    assert await KeyStore().get(SONIC) is None  # a new session does not have it


async def test_a_refusing_keyring_keeps_the_key_for_the_session():
    keyring.set_keyring(RecordingKeyring(refuse=True))
    keys = KeyStore()
    status = await keys.set(SONIC, FAKE_KEY)
    assert status.source == "session" and "refused" in status.message and "Prompt dismissed" in status.message
    assert await keys.get(SONIC) == FAKE_KEY


async def test_environment_key_wins_for_scripts(monkeypatch, memory_keyring):
    keys = KeyStore()
    await keys.set(SONIC, "sk-stored-in-keyring-000")
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    assert await keys.get(SONIC) == FAKE_KEY
    assert await keys.get(SUNO) == FAKE_KEY
    status = await keys.status(SONIC)
    assert status.source == "env" and KEY_ENV in status.message


@pytest.mark.parametrize("value", ["", "   "])
async def test_setting_an_empty_key_deletes_it(memory_keyring, value):
    keys = KeyStore()
    await keys.set(SONIC, FAKE_KEY)
    status = await keys.set(SONIC, value)
    assert not status.has_key and (SERVICE, "sonic") not in memory_keyring.store
