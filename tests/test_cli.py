"""``sonic-studio-cli`` as a user runs it: real subprocesses against the emulator on a socket.

Includes the acceptance test for "never lose a paid result": the CLI is SIGKILLed
mid-poll, and ``tasks resume`` finishes and downloads the task without submitting it
again (the emulator counts submissions).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAKE_KEY

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.store import DB_FILENAME

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)
MODEL = {"sonic": "sonic-v4-5", "sunoapi": "V4_5"}

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=FAST, valid_keys={FAKE_KEY})


class Cli:
    """Runs the CLI in a subprocess with a sandboxed data dir, and keeps every output."""

    def __init__(self, server, data_dir: Path) -> None:
        self.server = server
        self.data_dir = data_dir
        self.outputs: list[str] = []
        self.env = {**os.environ, "SONIC_STUDIO_API_KEY": FAKE_KEY,
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def argv(self, *args: str, provider: str = "sonic", base_url: str | None = None) -> list[str]:
        return [sys.executable, "-m", "sonic_studio.cli", "--provider", provider,
                "--base-url", base_url or self.server.base_url, "--data-dir", str(self.data_dir),
                "--poll-interval", "0.05", *args]

    def run(self, *args: str, provider: str = "sonic", expect: int = 0, env: dict | None = None,
            base_url: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(self.argv(*args, provider=provider, base_url=base_url), capture_output=True,
                                text=True, timeout=120, env=env or self.env)
        self.outputs += [result.stdout, result.stderr]
        assert result.returncode == expect, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    def json(self, *args: str, **kw):
        return json.loads(self.run("--json", *args, **kw).stdout)


@pytest.fixture
def cli(emulator_server, sandbox) -> Cli:
    return Cli(emulator_server, sandbox)


def decodes(path: str) -> bool:
    return subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", path, "-f", "null", "-"],
                          capture_output=True).returncode == 0


def test_whole_session_upload_extend_persona_generate_clips(cli, emulator):
    provider = "sonic"  # sunoapi.org's whole session runs in test_tasks_emulator; its file upload below
    sample = f"{cli.server.base_url}/samples/night-drive.mp3"
    model = MODEL[provider]
    assert cli.json("credits", provider=provider)["credits"] == 500

    upload = cli.json("upload", sample, provider=provider)
    assert upload["origin"] == "uploaded" and upload["clip_id"]

    # --no-whole-song: this session is about extend/persona; whole songs are tested in test_deliverables_cli.
    extended = cli.json("extend", upload["clip_id"], "--at", "30", "--no-whole-song", "--prompt", "[Verse] more",
                        "--tags", "synthwave",
                        "--title", "Night Drive II", "--model", model, "--wait", provider=provider)
    assert extended["task"]["state"] == "succeeded"
    assert len(extended["clips"]) == 2
    for clip in extended["clips"]:
        assert clip["lineage"]["parent_clip_id"] == upload["clip_id"]
        assert clip["lineage"]["params"]["continue_at"] == 30
        assert decodes(clip["audio_path"])

    source = extended["clips"][0]["clip_id"]
    # Plain "create persona" is Unavailable there: the vocals of the default range are extracted
    # first (1 credit), then the persona is made from that extraction (1 credit).
    before = cli.json("credits", provider=provider)["credits"]
    persona = cli.json("persona", "create", source, "--name", "Neon", "--description", "airy synth-pop voice",
                       "--styles", "synthwave", provider=provider)
    [vox] = emulator.submissions("/api/v1/sonic/vox")
    duration = extended["clips"][0]["duration"]
    assert vox.json == {"clip_id": source, "vocal_start_s": 0.0, "vocal_end_s": min(30.0, duration)}
    [vox_id] = emulator.state["sonic"].voxes
    [made] = emulator.submissions("/api/v1/sonic/persona")
    assert made.json == {"name": "Neon", "clip_id": source, "describe": "airy synth-pop voice", "styles": "synthwave",
                         "vox_audio_id": vox_id, "vocal_start_s": 0.0, "vocal_end_s": min(30.0, duration)}
    assert cli.json("credits", provider=provider)["credits"] == before - 2
    assert [p["persona_id"] for p in cli.json("persona", "list", provider=provider)] == [persona["persona_id"]]
    # Said in words, with the cost, when not asked for JSON (a second persona of the clip is refused: 409).
    again = cli.run("persona", "create", source, "--name", "Neon 2", "--description", "airy", provider=provider,
                    expect=1)
    assert "already" in again.stderr and "persona" in again.stderr
    assert "first extracts the vocals of the chosen range (vocal extraction, 1 credit)" in again.stderr
    assert len(emulator.submissions("/api/v1/sonic/vox")) == 1  # the saved extraction of that range is reused

    song = cli.json("generate", "--persona", persona["persona_id"], "--prompt", "[Chorus] neon", "--tags", "pop",
                    "--title", "With Neon", "--model", model, "--wait", provider=provider)
    assert song["task"]["state"] == "succeeded"
    assert emulator.last("/api/v1/sonic/create").json["persona_id"] == persona["persona_id"]

    clips = cli.json("clips", provider=provider)
    by_id = {c["clip_id"]: c for c in clips}
    assert upload["clip_id"] in by_id and len(clips) == 5
    assert by_id[source]["lineage"]["task_kind"] == "extend"
    text = cli.run("clips", provider=provider).stdout
    # The same words as the window's library list: the parent by its title, the marker time.
    assert f"extend of {by_id[upload['clip_id']]['title']} @ 0:30" in text

    tasks = cli.json("tasks", provider=provider)
    assert [t["state"] for t in tasks] == ["succeeded", "succeeded", "succeeded"]  # extend, vocal extraction, song
    assert cli.json("tasks", "resume", provider=provider) == []


def test_sunoapi_takes_local_files(cli, emulator, tmp_path):
    from sonic_studio.emulator import synth

    song = tmp_path / "my demo.mp3"
    song.write_bytes(synth.song_mp3(seed=7, seconds=20.0, vocal=True))
    upload = cli.json("upload", str(song), provider="sunoapi")
    assert upload["origin"] == "uploaded" and upload["lineage"]["source_url"].startswith(cli.server.base_url)
    cover = cli.json("upload-cover", str(song), "--audio-weight", "0.5", "--prompt", "[Verse] hi", "--tags", "lofi",
                     "--title", "Mine", "--model", "V4_5", "--wait", provider="sunoapi")
    assert cover["task"]["state"] == "succeeded" and len(cover["clips"]) == 2
    assert all(decodes(c["audio_path"]) for c in cover["clips"])
    assert len(emulator.submissions("/api/file-stream-upload")) == 2


def test_sigkill_mid_poll_then_resume_finishes_without_resubmitting(cli, emulator, sandbox):
    emulator.timing = Timing(queue=1.5, first_clip=3.0, second_clip=3.5, concat=0.3)
    sample = f"{cli.server.base_url}/samples/rain-on-glass.mp3"
    process = subprocess.Popen(
        cli.argv("upload-extend", sample, "--at", "20", "--prompt", "[Verse] rain", "--tags", "ambient",
                 "--title", "Rain", "--model", "sonic-v4-5", "--wait"),
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    db = sandbox / DB_FILENAME
    deadline = time.monotonic() + 30
    row = None
    while time.monotonic() < deadline:
        if db.exists():
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                row = conn.execute("SELECT provider_task_id, state FROM tasks").fetchone()
                conn.close()
            except sqlite3.OperationalError:
                row = None
            polls = [r for r in emulator.requests if r.path.startswith("/api/v1/sonic/task/")]
            if row and row[0] and len(polls) >= 2:  # the id is stored and polling is under way
                break
        time.sleep(0.02)
    assert row and row[0], "the task id never reached the database"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db)
    state, clips = conn.execute(
        "SELECT state, (SELECT count(*) FROM clips WHERE audio_path IS NOT NULL) FROM tasks").fetchone()
    conn.close()
    assert state in ("pending", "running") and clips < 2  # killed before the whole result arrived
    assert len(emulator.submissions("/api/v1/sonic/upload-extend")) == 1

    resumed = cli.json("tasks", "resume")
    [entry] = resumed
    assert entry["task"]["task_id"] == row[0] and entry["task"]["state"] == "succeeded"
    assert len(entry["clips"]) == 2
    for clip in entry["clips"]:
        assert clip["audio_path"] and decodes(clip["audio_path"])
    assert len(emulator.submissions("/api/v1/sonic/upload-extend")) == 1
    assert all(not r.path.startswith("/api/v1/sonic/create") for r in emulator.requests)
    assert cli.json("tasks", "resume") == []  # nothing left, nothing sent


def test_submit_without_wait_then_resume(cli, emulator):
    sample = f"{cli.server.base_url}/samples/night-drive.mp3"
    task = cli.json("upload-cover", sample, "--audio-weight", "0.6", "--prompt", "x", "--tags", "lofi",
                    "--title", "Cover", "--model", "sonic-v4-5")
    assert task["state"] == "pending" and task["task_id"]
    assert cli.json("tasks", "--active")[0]["task_id"] == task["task_id"]
    text = cli.run("tasks", "resume", task["task_id"]).stdout
    assert "succeeded" in text and "upload_cover" in text
    assert len(emulator.submissions("/api/v1/sonic/upload-cover")) == 1


def test_expected_errors_are_one_line_with_exit_codes(cli, tmp_path):
    bad_key = {**cli.env, "SONIC_STUDIO_API_KEY": "sk-wrong-key-for-the-emulator"}
    result = cli.run("credits", expect=1, env=bad_key)
    assert result.stderr.startswith("error: ") and "key" in result.stderr.lower()
    as_json = json.loads(cli.run("--json", "credits", expect=1, env=bad_key).stdout)
    assert as_json["error"]["kind"] == "auth"

    local = tmp_path / "song.mp3"
    local.write_bytes(b"ID3")
    result = cli.run("upload", str(local), expect=2)
    assert "public URL" in result.stderr
    assert "past the end" not in cli.run("extend", "no-such-clip", "--at", "5", expect=2).stderr
    assert "unencrypted" in cli.run("credits", base_url="http://example.com", expect=2).stderr
    result = cli.run("generate", "--model", "sonic-v4-5", "--tags", "pop", expect=2)
    assert "Lyrics are needed" in result.stderr

    no_key = {k: v for k, v in cli.env.items() if k != "SONIC_STUDIO_API_KEY"}
    result = cli.run("credits", base_url="https://api.aimusicapi.ai", env=no_key, expect=1)
    assert "No API key" in result.stderr and "SONIC_STUDIO_API_KEY" in result.stderr

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / DB_FILENAME).write_bytes(b"not a database" * 200)
    assert "damaged" in Cli(cli.server, broken).run("tasks", expect=1).stderr
    assert (broken / DB_FILENAME).read_bytes().startswith(b"not a database")

    usage = subprocess.run([sys.executable, "-m", "sonic_studio.cli", "extend"], capture_output=True, text=True)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_demo_server_command_serves_both_apis(sandbox):
    process = subprocess.Popen([sys.executable, "-m", "sonic_studio.cli", "demo-server", "--port", "0",
                                "--speed", "instant"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        env = {k: v for k, v in os.environ.items() if k != "SONIC_STUDIO_API_KEY"}
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        for provider in ("sonic", "sunoapi"):
            result = subprocess.run([sys.executable, "-m", "sonic_studio.cli", "--provider", provider, "--base-url",
                                     url, "--data-dir", str(sandbox), "credits"], capture_output=True, text=True,
                                    env=env, timeout=60)
            assert result.returncode == 0 and "500 credits" in result.stdout, result.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_deleting_the_data_dir_during_wait_never_says_succeeded(cli, emulator, sandbox):
    emulator.timing = Timing(queue=0.5, first_clip=2.0, second_clip=2.5, concat=0.3)
    process = subprocess.Popen(
        cli.argv("generate", "--prompt", "[Verse] gone", "--tags", "pop", "--title", "Gone",
                 "--model", "sonic-v4-5", "--wait"),
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    db = sandbox / DB_FILENAME
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not emulator.submissions("/api/v1/sonic/create"):
        time.sleep(0.02)
    assert emulator.submissions("/api/v1/sonic/create"), "the task was never submitted"
    assert db.exists()
    shutil.rmtree(sandbox)  # the person deletes the library folder while --wait is running
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, (out, err)
    assert "succeeded" not in out + err and "Traceback" not in err
    assert "was deleted while this command waited" in err and "no longer recorded" in err, err
    strays = list(sandbox.rglob("*.mp3"))  # downloads that finished after the deletion recreated folders
    assert ("recorded in no library" in err) == bool(strays) and ("files are gone" in err) == (not strays)
