"""``sonic-studio-cli generate`` with the Create tab's options, ``lyrics`` and ``boost-style``: real
subprocesses against the emulator on a socket, exact request bodies per provider, and a kill -9
in the middle of ``generate --wait`` that ``tasks resume`` finishes with exactly one paid request.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

import pytest
from conftest import FAKE_KEY

from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.store import DB_FILENAME
from tests.test_cli import Cli, decodes

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)
SUBMIT = {"sonic": "/api/v1/sonic/create", "sunoapi": "/api/v1/generate"}

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=FAST, valid_keys={FAKE_KEY})


@pytest.fixture
def cli(emulator_server, sandbox) -> Cli:
    return Cli(emulator_server, sandbox)


def test_generate_from_a_description_with_the_create_options(cli, emulator):
    result = cli.json("generate", "--description", "a calm song about rain", "--exclude", "metal",
                      "--vocal-gender", "f", "--style-weight", "0.6", "--weirdness", "0.2", "--model", "sonic-v5",
                      "--wait")
    assert emulator.submissions(SUBMIT["sonic"])[0].json == {
        "task_type": "create_music", "mv": "sonic-v5", "custom_mode": False,
        "gpt_description_prompt": "a calm song about rain", "negative_tags": "metal", "make_instrumental": False,
        "vocal_gender": "f", "style_weight": 0.6, "weirdness_constraint": 0.2, "use_suno_cdn": False}
    assert result["task"]["state"] == "succeeded" and len(result["clips"]) == 2
    assert all(decodes(c["audio_path"]) for c in result["clips"])


def test_generate_custom_instrumental_on_sunoapi(cli, emulator):
    cli.json("generate", "--tags", "ambient, piano", "--title", "Fog", "--instrumental", "--exclude", "drums",
             "--model", "V5", provider="sunoapi")
    body = emulator.submissions(SUBMIT["sunoapi"])[0].json
    assert {k: v for k, v in body.items() if k != "callBackUrl"} == {
        "customMode": True, "instrumental": True, "model": "V5", "style": "ambient, piano", "title": "Fog",
        "negativeTags": "drums"}


@pytest.mark.parametrize("provider, args, words", [
    ("sonic", ("--description", "rain", "--vocal-gender", "m", "--model", "sonic-v5-5"), "vocal"),
    ("sunoapi", ("--prompt", "la", "--tags", "pop", "--title", "t" * 81, "--model", "V5"), "80"),
    ("sunoapi", ("--description", "rain", "--persona", "p1", "--model", "V5"), "own lyrics and style"),
])
def test_refused_before_anything_is_sent(cli, emulator, provider, args, words):
    result = cli.run("generate", *args, provider=provider, expect=2)
    assert words in result.stderr
    assert emulator.submissions(SUBMIT[provider]) == []


def test_a_weight_outside_0_to_1_is_refused_by_the_parser(cli, emulator):
    result = cli.run("generate", "--description", "rain", "--weirdness", "1.5", expect=2)
    assert "between 0 and 1" in result.stderr and emulator.requests == []


@pytest.mark.parametrize("provider, path, body", [
    ("sonic", "/api/v1/sonic/lyrics", {"description": "a road trip at dawn"}),
    ("sunoapi", "/api/v1/lyrics", {"prompt": "a road trip at dawn"}),
])
def test_lyrics_prints_the_drafts(cli, emulator, provider, path, body):
    result = cli.run("lyrics", "a road trip at dawn", provider=provider)
    sent = emulator.submissions(path)[0].json
    assert {k: v for k, v in sent.items() if k != "callBackUrl"} == body
    assert "[Verse]" in result.stdout and "[Chorus]" in result.stdout
    assert "note:" in result.stderr  # the cost (or that none is published) before it is spent
    drafts = cli.json("lyrics", "a road trip at dawn", provider=provider)
    assert len(drafts) == 2 and all(d["lyrics"] and d["title"] for d in drafts)


@pytest.mark.parametrize("provider, path, body", [
    ("sonic", "/api/v1/sonic/upsample-tags", {"tags": "synthwave"}),
    ("sunoapi", "/api/v1/style/generate", {"content": "synthwave"}),
])
def test_boost_style_prints_the_richer_style(cli, emulator, provider, path, body):
    result = cli.json("boost-style", "synthwave", provider=provider)
    assert emulator.submissions(path)[0].json == body
    assert result["boosted"].startswith("synthwave, ")


def test_empty_helpers_are_refused_locally(cli, emulator):
    assert "Describe what the lyrics" in cli.run("lyrics", " ", expect=2).stderr
    assert "Type a style first" in cli.run("boost-style", "", expect=2).stderr
    assert emulator.requests == []


@pytest.mark.parametrize("provider", ["sonic", "sunoapi"])
def test_kill_9_mid_generate_wait_then_resume_pays_once(cli, emulator, sandbox, provider):
    emulator.timing = Timing(queue=1.5, first_clip=3.0, second_clip=3.5, concat=0.3)
    poll = "/api/v1/sonic/task/" if provider == "sonic" else "/api/v1/generate/record-info"
    model = "sonic-v5" if provider == "sonic" else "V5"
    process = subprocess.Popen(
        cli.argv("generate", "--description", "rain on a tin roof", "--model", model, "--wait", provider=provider),
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    db = sandbox / DB_FILENAME
    deadline = time.monotonic() + 30
    row = None
    while time.monotonic() < deadline:
        if db.exists():
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                row = conn.execute("SELECT provider_task_id FROM tasks").fetchone()
                conn.close()
            except sqlite3.OperationalError:
                row = None
            polls = [r for r in emulator.requests if r.path.startswith(poll)]
            if row and row[0] and len(polls) >= 2:  # the id is stored and polling is under way
                break
        time.sleep(0.02)
    assert row and row[0], "the task id never reached the database"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db)
    [state] = conn.execute("SELECT state FROM tasks").fetchone()
    conn.close()
    assert state in ("pending", "running")  # killed before the result arrived
    assert len(emulator.submissions(SUBMIT[provider])) == 1

    [entry] = cli.json("tasks", "resume", provider=provider)
    assert entry["task"]["task_id"] == row[0] and entry["task"]["state"] == "succeeded"
    assert len(entry["clips"]) == 2 and all(decodes(c["audio_path"]) for c in entry["clips"])
    assert len(emulator.submissions(SUBMIT[provider])) == 1  # one paid request, never resent
