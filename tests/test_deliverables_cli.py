"""Finishing a song from ``sonic-studio-cli`` (real subprocesses, emulator on a socket):
every command prints local file paths, ``export --format daw`` writes files Audacity and
REAPER read, and a kill -9 in the middle is finished by ``tasks resume`` with exactly one
paid request."""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import mido
import pytest
from test_cli import FAST, MODEL, Cli, decodes  # noqa: F401  (fixtures below reuse the same runner)

from sonic_studio.emulator.app import Fault
from sonic_studio.store import DB_FILENAME

pytestmark = pytest.mark.slow
LYRICS = "[Verse]\nNeon lights on the river\nWe drive until the morning\n[Chorus]\nNight drive night drive"


@pytest.fixture
def emulator():
    from conftest import FAKE_KEY

    from sonic_studio.emulator.app import Emulator

    return Emulator(timing=FAST, valid_keys={FAKE_KEY})


@pytest.fixture
def cli(emulator_server, sandbox) -> Cli:
    return Cli(emulator_server, sandbox)


def new_song(cli: Cli, provider: str) -> str:
    song = cli.json("generate", "--prompt", LYRICS, "--tags", "synthwave", "--title", "Night Drive",
                    "--model", MODEL[provider], "--wait", provider=provider)
    return song["clips"][0]["clip_id"]


def test_sonic_finishing_commands_print_files_and_export_for_a_daw(cli, emulator, tmp_path):
    clip = new_song(cli, "sonic")
    wav = cli.json("wav", clip, "--wait")
    assert wav["task"]["state"] == "succeeded" and Path(wav["files"]["wav"]).read_bytes()[:4] == b"RIFF"
    text = cli.run("stems", clip, "--full", "--wait").stdout
    assert text.startswith("full stems of Night Drive") and "vocals: " in text
    stems = cli.json("stems", clip, "--full", "--wait")
    assert all(decodes(path) for path in stems["files"].values())
    midi = cli.json("midi", clip, "--wait")
    assert any(m.type == "note_on" for t in mido.MidiFile(midi["files"]["midi"]).tracks for m in t)
    lrc = tmp_path / "song.lrc"
    lyrics = cli.json("lyrics-timeline", clip, "--lrc", str(lrc))
    assert lrc.read_text() == Path(lyrics["files"]["lrc"]).read_text() and "]Neon lights on the river" in lrc.read_text()
    assert 84 <= cli.json("bpm", clip)["data"]["avg"] <= 124
    vox = cli.json("vox", clip, "--from", "5", "--to", "25")
    assert vox["data"]["vox_audio_id"] and emulator.last("/api/v1/sonic/vox").json == {
        "clip_id": clip, "vocal_start_s": 5.0, "vocal_end_s": 25.0}
    failed = cli.run("vox", clip, "--from", "0", "--to", "45", expect=2)
    assert "at most 30 s" in failed.stderr

    folder = tmp_path / "daw"
    export = cli.json("export", clip, str(folder), "--format", "daw")
    assert export["missing"] == []
    assert decodes(str(folder / "song.wav")) and {p.name for p in (folder / "stems").iterdir()} == {
        "vocals.wav", "drums.wav", "bass.wav", "keyboard.wav"}
    assert all(decodes(str(p)) for p in (folder / "stems").iterdir())
    labels = [line.split("\t") for line in (folder / "lyrics-audacity.txt").read_text().splitlines()]
    assert [label[2] for label in labels] == ["Neon lights on the river", "We drive until the morning",
                                             "Night drive night drive"]
    assert all(0 <= float(a) < float(b) for a, b, _ in labels)
    rows = list(csv.DictReader((folder / "lyrics-reaper.csv").open()))
    assert [r["#"] for r in rows] == ["R1", "R2", "R3"] and rows[0]["Name"] == "Neon lights on the river"
    minutes, seconds = rows[0]["Start"].split(":")
    assert abs(int(minutes) * 60 + float(seconds) - float(labels[0][0])) < 0.001
    sidecar = json.loads((folder / "sonic-studio.json").read_text())
    assert sidecar["clip_id"] == clip and sidecar["tags"] == "synthwave" and sidecar["bpm"]["avg"] > 0
    assert (folder / "Night-Drive.mid").exists()


def test_extend_wait_on_sonic_also_fetches_the_whole_song(cli, emulator):
    clip = new_song(cli, "sonic")
    extended = cli.json("extend", clip, "--at", "30", "--prompt", "[Verse] more", "--tags", "synthwave",
                        "--title", "Night Drive", "--model", MODEL["sonic"], "--wait")
    wholes = extended["whole_songs"]
    assert len(wholes) == 2 and all(w["lineage"] == "whole song of Night Drive (extended)" for w in wholes)
    assert all(decodes(w["files"]["song"]) for w in wholes)
    concats = [r.json for r in emulator.submissions("/api/v1/sonic/create") if r.json["task_type"] == "concat_music"]
    assert sorted(c["continue_clip_id"] for c in concats) == sorted(c["clip_id"] for c in extended["clips"])
    plain = cli.json("extend", clip, "--at", "20", "--prompt", "[Verse] more", "--tags", "synthwave",
                     "--title", "Night Drive", "--model", MODEL["sonic"], "--wait", "--no-whole-song")
    assert "whole_songs" not in plain and len(emulator.submissions("/api/v1/sonic/create")) == 5


def _kill_when(cli: Cli, process: subprocess.Popen, sandbox: Path, ready) -> None:
    db = sandbox / DB_FILENAME
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            if ready(conn):
                conn.close()
                break
            conn.close()
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)
    else:
        raise AssertionError("the moment to kill never came")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL


def test_kill_during_sunoapi_stems_then_resume_pays_once_and_saves_them(cli, emulator, sandbox):
    clip = new_song(cli, "sunoapi")
    emulator.faults.inject(Fault("latency", seconds=10), "/api/v1/vocal-removal/record-info", times=1)
    process = subprocess.Popen(cli.argv("stems", clip, "--wait", provider="sunoapi"), env=cli.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    polls = lambda: [r for r in emulator.requests if r.path == "/api/v1/vocal-removal/record-info"]  # noqa: E731
    _kill_when(cli, process, sandbox, lambda conn: conn.execute(
        "SELECT provider_task_id FROM tasks WHERE kind = 'stems_basic'").fetchone() and len(polls()) >= 1)
    assert len(emulator.submissions("/api/v1/vocal-removal/generate")) == 1
    [entry] = cli.json("tasks", "resume", provider="sunoapi")
    assert entry["task"]["state"] == "succeeded" and entry["task"]["kind"] == "stems_basic"
    assert set(entry["files"]) == {"vocal", "instrumental"} and all(decodes(p) for p in entry["files"].values())
    assert len(emulator.submissions("/api/v1/vocal-removal/generate")) == 1
    assert cli.json("tasks", "resume", provider="sunoapi") == []


def test_kill_after_sonic_wav_answered_then_resume_downloads_without_paying_again(cli, emulator, sandbox):
    clip = new_song(cli, "sonic")
    emulator.faults.inject(Fault("latency", seconds=8), "/cdn/", times=1)  # the WAV download hangs
    process = subprocess.Popen(cli.argv("wav", clip, "--wait"), env=cli.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    _kill_when(cli, process, sandbox, lambda conn: conn.execute(
        "SELECT count(*) FROM assets WHERE kind = 'wav' AND urls_json LIKE '%wav%'").fetchone()[0])
    credits = emulator.credits["sonic"]
    emulator.faults.clear()
    [entry] = cli.json("tasks", "resume")
    assert entry["task"]["state"] == "succeeded" and Path(entry["files"]["wav"]).read_bytes()[:4] == b"RIFF"
    assert len(emulator.submissions("/api/v1/sonic/wav")) == 1 and emulator.credits["sonic"] == credits


def test_sunoapi_whole_song_bpm_and_what_it_cannot(cli, emulator):
    clip = new_song(cli, "sunoapi")
    extended = cli.json("extend", clip, "--at", "30", "--prompt", "[Verse] more", "--tags", "synthwave",
                        "--title", "Night Drive", "--model", MODEL["sunoapi"], "--wait", provider="sunoapi")
    assert "whole_songs" not in extended  # joined on request only, never automatically
    extension = extended["clips"][0]["clip_id"]
    whole = cli.run("whole-song", extension, "--wait", provider="sunoapi")
    assert "made here, free" in whole.stderr and "already returned the whole song" in whole.stderr
    assert whole.stdout.startswith("whole song of Night Drive (extended)") and "song: " in whole.stdout
    bpm = cli.run("bpm", clip, provider="sunoapi").stdout
    assert "(estimated here)" in bpm
    vox = cli.run("vox", clip, "--from", "0", "--to", "20", provider="sunoapi", expect=2)
    assert "sunoapi.org cannot make VOX" in vox.stderr
    assert not [r for r in emulator.requests if r.method == "POST" and r.path != "/api/v1/generate"
                and "extend" not in r.path]  # nothing paid for any of it


def _submitted(kind: str):
    """The moment a paid request of ``kind`` has its provider id (or answer) stored."""
    return lambda conn: conn.execute(
        "SELECT provider_task_id FROM tasks WHERE kind = ? AND provider_task_id IS NOT NULL", (kind,)).fetchone()


# (provider, command, task kind, paid path, path made slow so the kill lands after the id is stored)
KILL_AFTER_ID = [
    ("sonic", ("stems", "--full"), "stems_full", "/api/v1/sonic/stems/full", "/api/v1/sonic/task/"),
    ("sonic", ("midi",), "midi", "/api/v1/sonic/midi", "/cdn/"),
    ("sunoapi", ("wav",), "wav", "/api/v1/wav/generate", "/api/v1/wav/record-info"),
    ("sunoapi", ("stems", "--full"), "stems_full", "/api/v1/vocal-removal/generate", "/api/v1/vocal-removal/record-info"),
    ("sunoapi", ("midi",), "midi", "/api/v1/midi/generate", "/api/v1/midi/record-info"),
]


@pytest.mark.parametrize("provider, command, kind, paid, slow", KILL_AFTER_ID, ids=lambda v: v if isinstance(v, str) else None)
def test_kill_after_the_id_is_stored_then_resume_pays_once_and_saves_the_files(cli, emulator, sandbox, provider,
                                                                                command, kind, paid, slow):
    clip = new_song(cli, provider)
    if provider == "sunoapi" and kind == "midi":
        cli.run("stems", clip, "--wait", provider=provider)  # MIDI is made from a finished separation
    before = len(emulator.submissions(paid))
    emulator.faults.inject(Fault("latency", seconds=10), slow, times=1)
    process = subprocess.Popen(cli.argv(*command, clip, "--wait", provider=provider), env=cli.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _kill_when(cli, process, sandbox, _submitted(kind))
    emulator.faults.clear()
    [entry] = cli.json("tasks", "resume", provider=provider)
    assert entry["task"]["kind"] == kind and entry["task"]["state"] == "succeeded"
    assert entry["files"], entry
    for name, path in entry["files"].items():
        if name == "midi":
            assert any(m.type == "note_on" for t in mido.MidiFile(path).tracks for m in t)
        else:
            assert decodes(path), name
    assert len(emulator.submissions(paid)) == before + 1
    assert cli.json("tasks", "resume", provider=provider) == []


# Answered at once with data only (no file to fetch): the one moment a kill can cut is the answer itself.
KILL_DURING_ANSWER = [
    ("sonic", ("lyrics-timeline",), "lyrics_timeline", "/api/v1/sonic/aligned-lyrics"),
    ("sonic", ("bpm",), "bpm", "/api/v1/sonic/bpm"),
    ("sunoapi", ("lyrics-timeline",), "lyrics_timeline", "/api/v1/generate/get-timestamped-lyrics"),
]


@pytest.mark.parametrize("provider, command, kind, paid", KILL_DURING_ANSWER, ids=lambda v: v if isinstance(v, str) else None)
def test_kill_while_the_provider_answers_is_never_sent_again(cli, emulator, sandbox, provider, command, kind, paid):
    clip = new_song(cli, provider)
    emulator.faults.inject(Fault("latency", seconds=10), paid, times=1)
    process = subprocess.Popen(cli.argv(*command, clip, provider=provider), env=cli.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _kill_when(cli, process, sandbox, lambda conn: conn.execute(
        "SELECT id FROM tasks WHERE kind = ?", (kind,)).fetchone() and emulator.submissions(paid))
    emulator.faults.clear()
    assert cli.json("tasks", "resume", provider=provider) == []  # never resubmitted...
    [task] = [t for t in cli.json("tasks", provider=provider) if t["kind"] == kind]
    assert task["state"] == "unknown"  # ...and said: it may have been charged; check the account
    assert len(emulator.submissions(paid)) == 1
    # Asking again is a person's choice, and it is one more request, not a silent retry.
    cli.run(*command, clip, provider=provider)
    assert len(emulator.submissions(paid)) == 2


def test_kill_during_the_sonic_whole_song_then_resume_pays_once_and_saves_it(cli, emulator, sandbox):
    clip = new_song(cli, "sonic")
    extended = cli.json("extend", clip, "--at", "30", "--prompt", "[Verse] more", "--tags", "synthwave",
                        "--title", "Night Drive", "--model", MODEL["sonic"], "--wait", "--no-whole-song")
    extension = extended["clips"][0]["clip_id"]
    concats = lambda: [r for r in emulator.submissions("/api/v1/sonic/create")  # noqa: E731
                       if r.json["task_type"] == "concat_music"]
    emulator.faults.inject(Fault("latency", seconds=10), "/api/v1/sonic/task/", times=1)
    process = subprocess.Popen(cli.argv("whole-song", extension, "--wait"), env=cli.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _kill_when(cli, process, sandbox, _submitted("concat"))
    emulator.faults.clear()
    [entry] = cli.json("tasks", "resume")
    assert entry["task"]["kind"] == "concat" and entry["task"]["state"] == "succeeded"
    [whole] = entry["clips"]
    assert decodes(whole["audio_path"]) and [c.json["continue_clip_id"] for c in concats()] == [extension]
    assert cli.json("tasks", "resume") == []
