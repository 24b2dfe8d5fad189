"""``sonic-studio-cli export``: a real subprocess writes a tagged file with the user's umask.

The clips come from the emulator through the CLI itself (upload, persona, generate
with the persona, extend), so the tags are checked against what the library knows:
take labels, the persona as artist, the root of the lineage as album, lyrics, cover.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAKE_KEY
from mutagen.id3 import ID3
from mutagen.wave import WAVE

from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.store import DB_FILENAME

pytestmark = pytest.mark.slow


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05),
                    valid_keys={FAKE_KEY})


@pytest.fixture
def cli(emulator_server, sandbox):
    env = {**os.environ, "SONIC_STUDIO_API_KEY": FAKE_KEY, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def run(*args: str, umask: int = 0o022, expect: int = 0) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "sonic_studio.cli", "--provider", "sonic", "--base-url",
                emulator_server.base_url, "--data-dir", str(sandbox), "--poll-interval", "0.05", *args]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, check=False,
                                preexec_fn=lambda: os.umask(umask))
        assert result.returncode == expect, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    run.json = lambda *args, **kw: json.loads(run("--json", *args, **kw).stdout)
    run.base_url = emulator_server.base_url
    run.data_dir = sandbox
    return run


def test_export_writes_every_tag_with_the_umask_mode(cli, tmp_path):
    upload = cli.json("upload", f"{cli.base_url}/samples/night-drive.mp3")
    persona = cli.json("persona", "create", upload["clip_id"], "--name", "Nova", "--description", "warm alto",
                       "--styles", "synth-pop", "--vocal-start", "5", "--vocal-end", "25")
    lyrics = "[Verse]\nHeadlights on the water\n[Chorus]\nNeon in the rain"
    song = cli.json("generate", "--persona", persona["persona_id"], "--prompt", lyrics, "--tags", "synthwave, pop",
                    "--title", "With Nova", "--model", "sonic-v4-5", "--wait")
    take1, take2 = song["clips"]
    assert song["task"]["state"] == "succeeded" and take2["image_path"]

    out = tmp_path / "exports" / "with-nova.mp3"
    printed = cli.json("export", take2["clip_id"], str(out), umask=0o027)
    assert printed == {"clip_id": take2["clip_id"], "file": str(out)}
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    id3 = ID3(out)
    assert str(id3["TIT2"]) == "With Nova (take 2)"
    assert str(id3["TPE1"]) == "Nova"
    assert str(id3["TALB"]) == "With Nova"
    assert id3.getall("USLT")[0].text == stored_lyrics(cli.data_dir, take2["clip_id"])
    assert id3.getall("APIC")[0].data == Path(take2["image_path"]).read_bytes()
    comment = id3.getall("COMM")[0].text[0]
    for expected in ("Style: synthwave, pop", f"Model: {take2['model']}", f"clip {take2['clip_id']}",
                     f"task {song['task']['task_id']}", f"Persona: {persona['persona_id']}", "AI Music API"):
        assert expected in comment, comment
    assert str(id3["TDRC"])[:4].isdigit()

    # An extension of take 1 belongs to the same "album" and, made without a persona, to Sonic Studio.
    extended = cli.json("extend", take1["clip_id"], "--at", "10", "--prompt", "[Bridge] more", "--tags", "pop",
                        "--title", "With Nova II", "--model", "sonic-v4-5", "--wait")
    part = next(c for c in extended["clips"] if not c["full_song_of"])
    wav = tmp_path / "exports" / "part"
    cli("export", part["clip_id"], str(wav), "--format", "wav", umask=0o022)
    assert stat.S_IMODE(wav.stat().st_mode) == 0o644
    tags = WAVE(wav).tags
    assert str(tags["TALB"]) == "With Nova" and str(tags["TPE1"]) == "Sonic Studio"
    assert str(tags["TIT2"]).startswith("With Nova II (take ")
    assert not list(wav.parent.glob(".*part"))


def stored_lyrics(data_dir: Path, clip_id: str) -> str:
    """The lyrics the library stored for the clip (the provider may add to what was sent)."""
    with sqlite3.connect(data_dir / DB_FILENAME) as db:
        return db.execute("SELECT lyrics FROM clips WHERE clip_id = ?", (clip_id,)).fetchone()[0]


def test_export_refuses_bad_requests_with_a_sentence(cli, tmp_path):
    upload = cli.json("upload", f"{cli.base_url}/samples/night-drive.mp3")
    result = cli("export", upload["clip_id"], str(tmp_path / "x.ogg"), expect=2)
    assert "choose one of mp3, wav" in result.stderr
    result = cli("export", "no-such-clip", str(tmp_path / "x.mp3"), expect=2)
    assert "No sonic clip no-such-clip" in result.stderr
    not_a_folder = tmp_path / "notes.txt"  # (permissions would not stop root, which CI may be)
    not_a_folder.write_text("a file, not a folder")
    result = cli("export", upload["clip_id"], str(not_a_folder / "x.mp3"), expect=2)
    assert f"Cannot write {not_a_folder / 'x.mp3'}" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".mp3", ".ogg", ".part")]
