"""The fault soak in its short CI form, plus the crash and fault cases it can only hit by chance.

``benchmarks/soak.py --tasks 30 --kills 1`` runs the real services in a worker process
against the emulator on 127.0.0.1 with random faults and one SIGKILL; its figures for
lost, submitted twice, stuck, crashed and corrupt files must all be 0.  The full run
(200 tasks, 2 kills) is on demand: ``python benchmarks/soak.py``; docs/reliability.md
holds the latest figures.

The other tests pin, deterministically, what a random soak may or may not hit in one
run: a kill in the middle of a download, and a rate-limit reply while polling.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY
from support import audio_payload

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.services import Settings, Studio
from sonic_studio.store import TaskState

ROOT = Path(__file__).resolve().parents[1]
SOAK = ROOT / "benchmarks" / "soak.py"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_short_soak_loses_nothing_and_submits_nothing_twice(tmp_path):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(SOAK), "--tasks", "30", "--kills", "1", "--seconds", "170", "--seed", "11",
         "--json", "--quiet", "--data-dir", str(tmp_path / "soak")],
        capture_output=True, text=True, timeout=230, cwd=str(ROOT),
    )
    assert result.stdout, result.stderr[-3000:]
    report = json.loads(result.stdout)
    summary = {k: report[k] for k in ("lost", "twice", "stuck", "crashed", "corrupt")}
    assert summary == {"lost": 0, "twice": 0, "stuck": 0, "crashed": 0, "corrupt": 0}, report["details"]
    assert not report["timed_out"]
    assert report["kills"] == 1
    assert report["tasks"] == 30 and report["submitted"] + report["never_tried"] == 30
    assert report["never_tried"] == 0, report["details"]["never_tried"]
    assert sum(report["faults_injected"].values()) > 10, "the soak did not misbehave enough to mean anything"
    assert report["key_leaks"] == 0, report["details"]["key_leaks"]
    assert result.returncode == 0
    assert time.monotonic() - started < 180


# ---------------------------------------------------------------------------- a kill mid-download

_WORKER = r"""
import asyncio, sys
from pathlib import Path
from sonic_studio.core.models import GenerationParams
from sonic_studio.services import Settings, Studio

async def main():
    data, base = Path(sys.argv[1]), sys.argv[2]
    settings = Settings.load(data)
    settings.provider = "sonic"
    settings.base_urls["sonic"] = base
    studio = Studio(settings, data_dir=data, poll_interval=0.2)
    await studio.start()
    rec = await studio.tasks.submit_generate(
        GenerationParams(model="sonic-v5-5", lyrics="[Verse]\nla la", tags="pop", title="Killed mid-download"))
    print(rec.provider_task_id, flush=True)
    await studio.tasks.wait(rec.id)

asyncio.run(main())
"""


def _part_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if ".part" in p.name] if folder.exists() else []


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_kill_during_a_download_leaves_no_half_file_and_a_restart_finishes(emulator, emulator_server, sandbox):
    emulator.timing = Timing.instant()
    # Every audio download hangs before its first byte: the temp file exists, nothing is in it.
    emulator.faults.inject(Fault("latency", seconds=60.0), "/cdn/", times=50)
    env = {**os.environ, "SONIC_STUDIO_API_KEY": FAKE_KEY, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(sandbox), emulator_server.base_url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(ROOT))
    try:
        deadline = time.monotonic() + 60
        while not _part_files(sandbox / "library") and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        assert _part_files(sandbox / "library"), "the download never started"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    emulator.faults.clear()
    assert len(emulator.submissions("/api/v1/sonic/create")) == 1

    os.environ["SONIC_STUDIO_API_KEY"] = FAKE_KEY
    try:
        settings = Settings.load(sandbox)
        settings.provider = "sonic"
        settings.base_urls["sonic"] = emulator_server.base_url
        studio = Studio(settings, data_dir=sandbox, poll_interval=0.1, download_retry_delay=0.05)
        await studio.start()  # resumes the task
        try:
            task = studio.tasks.list()[0]
            done = await studio.tasks.wait(task.id, timeout=60)
            assert done.state is TaskState.SUCCEEDED, done.detail
            for clip in done.clip_ids:
                path = Path(studio.library.get(clip).audio_path)
                served = emulator.media.get(f"/cdn/{studio.library.get(clip).clip_id}.mp3").data
                assert audio_payload(path.read_bytes()) == audio_payload(served)
        finally:
            await studio.aclose()
    finally:
        os.environ.pop("SONIC_STUDIO_API_KEY", None)
    assert len(emulator.submissions("/api/v1/sonic/create")) == 1, "the restart submitted again"
    leftovers = _part_files(sandbox / "library")
    assert leftovers == [], f"half-downloaded files left in the library after the restart: {leftovers}"


# ---------------------------------------------------------------------------- rate limits while polling

@pytest.mark.parametrize("provider,model,status", [
    ("sonic", "sonic-v5-5", 429),
    ("sonic", "sonic-v5-5", 430),
    ("sunoapi", "V5", 429),
    ("sunoapi", "V5", 430),
    ("sunoapi", "V5", 455),
])
async def test_a_rate_limit_while_polling_never_fails_a_paid_task(emulator, sandbox, provider, model, status):
    """Polling is free: a 429/430/455 on a poll is a reason to wait, never to give up on a paid result."""
    emulator.timing = Timing.instant()
    poll_path = "/api/v1/sonic/task/" if provider == "sonic" else "/api/v1/generate/record-info"
    os.environ["SONIC_STUDIO_API_KEY"] = FAKE_KEY
    settings = Settings(path=sandbox / "settings.json", provider=provider,
                        base_urls={provider: "http://127.0.0.1:8787"})
    studio = Studio(settings, data_dir=sandbox, transport=httpx.ASGITransport(app=emulator),
                    poll_interval=0.05, download_retry_delay=0.01)
    try:
        await studio.start()
        emulator.faults.inject(Fault("status", status=status, retry_after=0.1), poll_path, times=2)
        rec = await studio.tasks.submit_generate(
            GenerationParams(model=model, lyrics="[Verse]\nla", tags="pop", title="Polled through a 429"))
        done = await studio.tasks.wait(rec.id, timeout=60)
        assert done.state is TaskState.SUCCEEDED, f"{done.state.value}: {done.detail}"
        assert len(done.clip_ids) == 2
    finally:
        await studio.aclose()
        os.environ.pop("SONIC_STUDIO_API_KEY", None)
