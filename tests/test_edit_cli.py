"""The edit commands as a user runs them: real CLI subprocesses against the emulator on a
socket, on both providers; the cost is said before sending, bad input is refused with
the preflight's words, and a kill -9 mid ``--wait`` plus ``tasks resume`` pays once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

import pytest
from conftest import FAKE_KEY
from test_cli import Cli, decodes

from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.store import DB_FILENAME

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=FAST, valid_keys={FAKE_KEY})


@pytest.fixture
def cli(emulator_server, sandbox) -> Cli:
    return Cli(emulator_server, sandbox)


def song(cli: Cli, provider: str, title: str, model: str) -> dict:
    made = cli.json("generate", "--prompt", "[Verse]\nneon lights\n[Chorus]\nnight drive", "--tags", "synthwave",
                    "--title", title, "--model", model, "--wait", provider=provider)
    assert made["task"]["state"] == "succeeded"
    return made["clips"][0]


def test_sonic_edits_from_the_command_line(cli, emulator):
    first = song(cli, "sonic", "Night Drive", "sonic-v5")
    second = song(cli, "sonic", "Sunrise", "sonic-v5")
    replaced = cli.run("replace-section", first["clip_id"], "--from", "30", "--to", "45",
                       "--lyrics", "[Chorus]\nnew words", "--wait")
    assert "Replace a section at AI Music API (sonic): about 15 credits." in replaced.stderr  # before sending
    assert "replaced 0:30–0:45 of “Night Drive”" in replaced.stdout
    assert "replaced 0:30–0:45 of Night Drive" in replaced.stdout  # the whole song's lineage
    assert emulator.last("/api/v1/sonic/replace-section").json["infill_lyrics"] == "[Chorus]\nnew words"

    remastered = cli.json("remaster", first["clip_id"], "--strength", "subtle", "--wait")
    assert remastered["clips"][0]["lineage_text"] == "remaster of Night Drive (subtle)"
    mashed = cli.json("mashup", first["clip_id"], second["clip_id"], "--tags", "synthwave", "--wait")
    assert mashed["clips"][0]["lineage_text"] == "mashup of Night Drive and Sunrise"
    sampled = cli.json("sample", second["clip_id"], "--from", "5", "--to", "12", "--tags", "lofi", "--wait")
    assert sampled["clips"][0]["lineage_text"] == "sampled 0:05–0:12 of Sunrise"

    upload = cli.json("upload", f"{cli.server.base_url}/samples/night-drive.mp3")
    voiced = cli.json("add-vocals", upload["clip_id"], "--prompt", "[Verse]\nla la", "--tags", "pop", "--wait")
    assert voiced["clips"][0]["lineage_text"].startswith("vocals added to ")
    backed = cli.json("add-instrumental", upload["clip_id"], "--tags", "piano", "--wait")
    assert backed["task"]["state"] == "succeeded"


def test_sunoapi_edits_and_what_it_does_not_offer(cli, emulator):
    first = song(cli, "sunoapi", "Night Drive", "V5")
    second = song(cli, "sunoapi", "Sunrise", "V5")
    replaced = cli.json("replace-section", first["clip_id"], "--from", "20", "--to", "32.5", "--lyrics", "[Chorus] new",
                        "--wait", provider="sunoapi")
    assert replaced["clips"][0]["lineage_text"] == "replaced 0:20–0:32 of Night Drive"
    mashed = cli.json("mashup", first["clip_id"], second["clip_id"], "--tags", "synthwave", "--title", "Both",
                      "--wait", provider="sunoapi")
    assert mashed["clips"][0]["lineage_text"] == "mashup of Night Drive and Sunrise"
    # Add vocals / an instrumental over a whole clip, sent by its link (sunoapi.org takes no range).
    voiced = cli.json("add-vocals", first["clip_id"], "--prompt", "[Verse]\nla la", "--tags", "pop", "--wait",
                      provider="sunoapi")
    assert voiced["task"]["state"] == "succeeded"
    assert voiced["clips"][0]["lineage_text"] == "vocals added to Night Drive"
    body = emulator.last("/api/v1/generate/add-vocals").json
    assert body["prompt"] == "[Verse]\nla la" and body["style"] == "pop" and body["uploadUrl"].startswith("http")
    backed = cli.json("add-instrumental", second["clip_id"], "--tags", "piano", "--wait", provider="sunoapi")
    assert backed["task"]["state"] == "succeeded"
    assert backed["clips"][0]["lineage_text"] == "instrumental added to Sunrise"
    assert emulator.last("/api/v1/generate/add-instrumental").json["tags"] == "piano"
    with_range = cli.run("add-vocals", first["clip_id"], "--prompt", "la", "--tags", "pop", "--from", "5", "--to", "20",
                         provider="sunoapi", expect=2)
    assert "sunoapi.org" in with_range.stderr and "Traceback" not in with_range.stderr
    sent = len(emulator.requests)
    refused = cli.run("sample", first["clip_id"], "--from", "1", "--to", "9", "--tags", "x", provider="sunoapi",
                      expect=2)
    assert "sunoapi.org cannot sample a range: sunoapi.org offers no way to build a new song" in refused.stderr
    refused = cli.run("replace-section", first["clip_id"], "--from", "10", "--to", "12", "--lyrics", "x",
                      provider="sunoapi", expect=2)
    assert "needs at least 6 s" in refused.stderr
    assert [r for r in emulator.requests[sent:] if r.method == "POST"] == []


def test_bad_ranges_are_refused_before_anything_is_sent(cli, emulator):
    first = song(cli, "sonic", "Night Drive", "sonic-v5")
    sent = len(emulator.requests)
    inverted = cli.run("replace-section", first["clip_id"], "--from", "40", "--to", "30", "--lyrics", "x", expect=2)
    assert "swap the two times" in inverted.stderr
    outside = cli.run("sample", first["clip_id"], "--from", "10", "--to", "900", "--tags", "x", expect=2)
    assert "outside the clip" in outside.stderr
    itself = cli.run("mashup", first["clip_id"], first["clip_id"], "--tags", "x", expect=2)
    assert "the same clip twice" in itself.stderr
    generated = cli.run("add-vocals", first["clip_id"], "--prompt", "la", "--tags", "pop", expect=2)
    assert "only on clips you uploaded" in generated.stderr
    assert [r for r in emulator.requests[sent:] if r.method == "POST"] == []


@pytest.mark.parametrize("provider, model, command, path, kind", [
    ("sonic", "sonic-v5", ["replace-section", "--from", "30", "--to", "45", "--lyrics", "[Chorus] again"],
     "/api/v1/sonic/replace-section", "replace_section"),
    ("sunoapi", "V5", ["add-vocals", "--prompt", "[Verse] again", "--tags", "pop"],
     "/api/v1/generate/add-vocals", "add_vocals"),
])
def test_sigkill_mid_wait_then_resume_pays_once(cli, emulator, sandbox, provider, model, command, path, kind):
    first = song(cli, provider, "Night Drive", model)
    emulator.timing = Timing(queue=1.5, first_clip=3.0, second_clip=3.5, concat=0.3)
    process = subprocess.Popen(
        cli.argv(command[0], first["clip_id"], *command[1:], "--wait", provider=provider),
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    db = sandbox / DB_FILENAME
    deadline, row = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            row = conn.execute("SELECT provider_task_id FROM tasks WHERE kind = ?", (kind,)).fetchone()
            conn.close()
        except sqlite3.OperationalError:
            row = None
        polls = [r for r in emulator.requests if row and row[0] and (r.path.endswith(row[0])
                                                                     or row[0] in r.query.values())]
        if row and row[0] and len(polls) >= 2:
            break
        time.sleep(0.02)
    assert row and row[0], "the task id never reached the library"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert len(emulator.submissions(path)) == 1

    resumed = cli.json("tasks", "resume", provider=provider)
    [entry] = resumed
    assert entry["task"]["task_id"] == row[0] and entry["task"]["state"] == "succeeded"
    assert all(decodes(c["audio_path"]) for c in entry["clips"])
    assert len(emulator.submissions(path)) == 1
    assert cli.json("tasks", "resume", provider=provider) == []
