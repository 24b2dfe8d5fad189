"""The API key never lands in the data dir, the logs, settings, errors or CLI output.

The key is used for real (the emulator checks it), a server that echoes the key back
in an error is part of the session, and then every byte written or printed is searched.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY
from fakes import FakeWorld
from test_cli import Cli

from sonic_studio.core.errors import AuthError
from sonic_studio.core.models import GenerationParams, ProviderId
from sonic_studio.emulator.app import Emulator, Fault, Timing
from sonic_studio.services import Settings, Studio
from sonic_studio.services.keys import KEY_ENV, SERVICE
from sonic_studio.store import TaskState

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)
ECHO = Fault("status", status=401, body={"code": 401, "msg": f"invalid key {FAKE_KEY}",
                                         "message": f"invalid key {FAKE_KEY}"})


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=FAST, valid_keys={FAKE_KEY})


def files_containing(root: Path, secret: str) -> list[Path]:
    needle = secret.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.slow
def test_cli_session_leaves_no_key_in_data_dir_logs_or_output(emulator_server, emulator, sandbox):
    cli = Cli(emulator_server, sandbox)
    sample = f"{emulator_server.base_url}/samples/night-drive.mp3"
    cli.run("-v", "credits")
    upload = cli.json("-v", "upload", sample)
    emulator.faults.inject(ECHO, "/api/v1/sonic/task/", times=1)
    failed = cli.json("-v", "extend", upload["clip_id"], "--at", "10", "--prompt", "la", "--tags", "pop",
                      "--title", "T", "--model", "sonic-v4-5", "--wait", expect=3)
    assert failed["task"]["state"] == "failed"
    cli.run("-v", "tasks", "resume", failed["task"]["task_id"])
    cli.run("-v", "--json", "clips")
    cli.run("-v", "tasks")
    cli.run("-v", "credits", env={**cli.env, "SONIC_STUDIO_API_KEY": FAKE_KEY + "-wrong"}, expect=1)

    assert any(r.authorization == f"Bearer {FAKE_KEY}" for r in emulator.requests)  # the key was really used
    assert (sandbox / "logs" / "sonic-studio.log").stat().st_size > 0
    assert files_containing(sandbox, FAKE_KEY) == []
    assert not [out for out in cli.outputs if FAKE_KEY in out]


async def test_services_never_log_store_or_save_the_key(sandbox, emulator, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    settings = Settings(provider="sunoapi", path=sandbox / "settings.json")
    settings.base_urls["sunoapi"] = emulator.public_base
    studio = Studio(settings, data_dir=sandbox, transport=httpx.ASGITransport(app=emulator), poll_interval=0.05,
                    download_retry_delay=0.01)
    await studio.start()
    try:
        await studio.configure(base_url=emulator.public_base, api_key=FAKE_KEY)
        emulator.faults.inject(ECHO, "/api/v1/generate/record-info", times=1)
        params = GenerationParams(model="V4_5", lyrics="la", tags="pop", title="T")
        task = await studio.tasks.submit_generate(params)
        failed = await studio.tasks.wait(task.id, timeout=30)
        assert failed.state is TaskState.FAILED and FAKE_KEY not in failed.error.details()
        await studio.tasks.check_again(task.id)
        assert (await studio.tasks.wait(task.id, timeout=30)).state is TaskState.SUCCEEDED
        assert FAKE_KEY not in repr(await studio.provider_for(ProviderId.SUNOAPI))
    finally:
        await studio.aclose()
    assert any(r.authorization == f"Bearer {FAKE_KEY}" for r in emulator.requests)
    assert files_containing(sandbox, FAKE_KEY) == []
    assert FAKE_KEY not in caplog.text


async def test_a_provider_echoing_the_key_in_an_error_is_scrubbed_before_storage(sandbox, memory_keyring):
    memory_keyring.store[(SERVICE, "sonic")] = FAKE_KEY
    world = FakeWorld()
    world.poll_errors.append(AuthError(provider="sonic", provider_message=f"bad key {FAKE_KEY}"))
    studio = Studio(Settings(path=sandbox / "settings.json"), data_dir=sandbox, transport=world.transport(),
                    provider_factory=world.factory, poll_interval=0.01)
    await studio.start()
    try:
        task = await studio.tasks.submit_generate(GenerationParams(model="sonic-v5-5", lyrics="la", title="T"))
        failed = await studio.tasks.wait(task.id, timeout=20)
        assert failed.state is TaskState.FAILED
        assert failed.error.provider_message == "bad key [redacted]"
    finally:
        await studio.aclose()
    assert files_containing(sandbox, FAKE_KEY) == []
