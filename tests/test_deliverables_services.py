"""Finishing a song through the services against the emulator, on both providers: every
derived asset is paid once, stored before it is downloaded, saved as checked files next
to the clip and linked to it; what a provider lacks is made here or refused in words."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import mido
import pytest
from conftest import FAKE_KEY

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.core.errors import ValidationError
from sonic_studio.core.models import AssetKind, GenerationParams, ProviderId, TaskKind
from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.services import Settings, Studio
from sonic_studio.services.keys import KEY_ENV
from sonic_studio.store import TaskState
from sonic_studio.store.assets import AssetState
from sonic_studio.ui.format import lineage_sentence, lineage_short

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)
MODEL = {ProviderId.SONIC: "sonic-v4-5", ProviderId.SUNOAPI: "V4_5"}
LYRICS = "[Verse]\nNeon lights on the river\nWe drive until the morning\n[Chorus]\nNight drive night drive"
PAID = {
    ProviderId.SONIC: {AssetKind.WAV: "/api/v1/sonic/wav", AssetKind.STEMS_BASIC: "/api/v1/sonic/stems/basic",
                       AssetKind.STEMS_FULL: "/api/v1/sonic/stems/full", AssetKind.MIDI: "/api/v1/sonic/midi",
                       AssetKind.LYRICS_TIMELINE: "/api/v1/sonic/aligned-lyrics", AssetKind.BPM: "/api/v1/sonic/bpm",
                       AssetKind.VOX: "/api/v1/sonic/vox"},
    ProviderId.SUNOAPI: {AssetKind.WAV: "/api/v1/wav/generate", AssetKind.STEMS_BASIC: "/api/v1/vocal-removal/generate",
                         AssetKind.STEMS_FULL: "/api/v1/vocal-removal/generate", AssetKind.MIDI: "/api/v1/midi/generate",
                         AssetKind.LYRICS_TIMELINE: "/api/v1/generate/get-timestamped-lyrics"},
}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(timing=FAST, valid_keys={FAKE_KEY}, public_base="http://127.0.0.1:8787")


@pytest.fixture
async def studio_for(sandbox, emulator, monkeypatch):
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    made: list[Studio] = []

    async def make(provider: ProviderId) -> Studio:
        settings = Settings(provider=provider.value, path=sandbox / "settings.json")
        settings.base_urls[provider.value] = emulator.public_base
        studio = Studio(settings, data_dir=sandbox, transport=httpx.ASGITransport(app=emulator), poll_interval=0.05,
                        poll_timeout=5.0, download_retry_delay=0.01)
        made.append(studio)
        await studio.start()
        return studio

    yield make
    for studio in made:
        await studio.aclose()


def params(provider: ProviderId, **kw) -> GenerationParams:
    return GenerationParams(**{**dict(model=MODEL[provider], lyrics=LYRICS, tags="synthwave", title="Night Drive"), **kw})


async def song(studio: Studio, provider: ProviderId) -> int:
    task = await studio.tasks.submit_generate(params(provider))
    done = await studio.tasks.wait(task.id, timeout=60)
    assert done.state is TaskState.SUCCEEDED, done.detail
    return done.clip_ids[0]


async def finish(studio: Studio, clip: int, kind: AssetKind, **kw):
    outcome = await studio.deliverables.request(clip, kind, **kw)
    if outcome.task is not None:
        done = await studio.tasks.wait(outcome.task.id, timeout=60)
        assert done.state is TaskState.SUCCEEDED, done.detail
    [asset] = [a for a in studio.deliverables.assets(clip) if a.kind is kind]
    assert asset.state is AssetState.READY, asset.error
    return outcome, asset


def decodes(path: str) -> bool:
    result = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", path, "-f", "null", "-"],
                            capture_output=True)
    return result.returncode == 0


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_every_deliverable_is_paid_once_and_saved_as_checked_files(studio_for, emulator, provider):
    studio = await studio_for(provider)
    clip = await song(studio, provider)
    detail = studio.library.get(clip)

    _, wav = await finish(studio, clip, AssetKind.WAV)
    assert Path(wav.files["wav"]).read_bytes()[:4] == b"RIFF" and decodes(wav.files["wav"])
    assert ".deliverables" in wav.files["wav"] and studio.deliverables.lineage_label(wav) == "WAV of Night Drive"

    _, stems = await finish(studio, clip, AssetKind.STEMS_FULL)
    assert {"vocals" if provider is ProviderId.SONIC else "vocal", "drums", "bass"} <= set(stems.files)
    assert all(decodes(path) for path in stems.files.values())
    assert studio.deliverables.lineage_label(stems) == "full stems of Night Drive"

    _, midi = await finish(studio, clip, AssetKind.MIDI)
    notes = sum(1 for t in mido.MidiFile(midi.files["midi"]).tracks for m in t if m.type == "note_on" and m.velocity)
    assert notes > 10

    _, lyrics = await finish(studio, clip, AssetKind.LYRICS_TIMELINE)
    lrc = Path(lyrics.files["lrc"]).read_text().splitlines()
    assert "[ti:Night Drive]" in lrc
    timed = [line for line in lrc if line[1:3].isdigit()]
    assert [line[10:] for line in timed] == ["Neon lights on the river", "We drive until the morning",
                                            "Night drive night drive"]
    assert all(0 <= int(line[1:3]) * 60 + float(line[4:9]) < detail.duration for line in timed)

    _, bpm = await finish(studio, clip, AssetKind.BPM)
    assert 84 <= bpm.data["avg"] <= 124
    assert bpm.data.get("estimated", False) is (provider is ProviderId.SUNOAPI)

    asked = (AssetKind.WAV, AssetKind.STEMS_FULL, AssetKind.MIDI, AssetKind.LYRICS_TIMELINE, AssetKind.BPM)
    paths = {PAID[provider][kind] for kind in asked if kind in PAID[provider]}  # MIDI reuses the stems
    assert {path: len(emulator.submissions(path)) for path in paths} == dict.fromkeys(paths, 1)
    # Checking every task again downloads nothing new and pays nothing.
    before = len(emulator.requests)
    for task in studio.tasks.list():
        await studio.tasks.check_again(task.id)
        await studio.tasks.wait(task.id, timeout=30)
    assert not [r for r in emulator.requests[before:] if r.method == "POST"]


async def test_sonic_vox_keeps_its_window_and_id(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    clip = await song(studio, ProviderId.SONIC)
    _, vox = await finish(studio, clip, AssetKind.VOX, vocal_start=10.0, vocal_end=35.0)
    assert vox.data["vox_audio_id"] == vox.provider_task_id and vox.data["vocal_end_s"] == 35.0
    with pytest.raises(ValidationError, match="at most 30 s"):
        await studio.deliverables.request(clip, AssetKind.VOX, vocal_start=0.0, vocal_end=31.0)
    assert len(emulator.submissions("/api/v1/sonic/vox")) == 1


async def test_sunoapi_says_what_it_cannot_and_midi_gets_stems_first(studio_for, emulator):
    studio = await studio_for(ProviderId.SUNOAPI)
    clip = await song(studio, ProviderId.SUNOAPI)
    with pytest.raises(ValidationError, match="sunoapi.org cannot make VOX"):
        await studio.deliverables.request(clip, AssetKind.VOX, vocal_start=0, vocal_end=20)
    quote = studio.deliverables.quote(clip, AssetKind.MIDI)
    assert quote.steps == (AssetKind.STEMS_BASIC, AssetKind.MIDI) and quote.credits == 15
    assert "stems first" in quote.sentence and "15 credits in all" in quote.sentence
    outcome, midi = await finish(studio, clip, AssetKind.MIDI)
    assert outcome.message == quote.sentence
    separation = emulator.last("/api/v1/vocal-removal/generate").json
    assert separation["type"] == "separate_vocal"
    [task] = [t for t in studio.tasks.list() if t.kind is TaskKind.STEMS_BASIC]
    assert emulator.last("/api/v1/midi/generate").json["taskId"] == task.provider_task_id
    assert len(emulator.submissions("/api/v1/vocal-removal/generate")) == 1
    assert len(emulator.submissions("/api/v1/midi/generate")) == 1
    assert Path(midi.files["midi"]).suffix == ".mid"  # written here from the note JSON


async def test_refusals_are_sentences_and_send_nothing(studio_for, emulator):
    studio = await studio_for(ProviderId.SUNOAPI)
    clip = await song(studio, ProviderId.SUNOAPI)
    upload = await studio.tasks.upload("http://127.0.0.1:8787/samples/night-drive.mp3")
    with pytest.raises(ValidationError, match="only from songs it generated; this clip is an upload"):
        await studio.deliverables.request(upload.id, AssetKind.WAV)
    old = time.time() - 15 * 86400
    studio.store.db.execute("UPDATE clips SET created_at = ? WHERE id = ?", (old, clip))
    with pytest.raises(ValidationError, match="made 15 days ago .* keeps its files for 14 days"):
        await studio.deliverables.request(clip, AssetKind.STEMS_BASIC)
    studio.store.db.execute("UPDATE clips SET created_at = ? WHERE id = ?", (time.time(), clip))
    emulator.credits["sunoapi"] = 0
    with pytest.raises(Exception, match="credits"):
        await studio.deliverables.request(clip, AssetKind.WAV)
    [failed] = [t for t in studio.tasks.list() if t.kind is TaskKind.WAV]
    assert failed.state is TaskState.FAILED and "credit" in str(failed.error).lower()
    assert not emulator.submissions("/api/v1/vocal-removal/generate")
    other = await studio_for(ProviderId.SONIC)
    with pytest.raises(ValidationError, match="lives at sunoapi.org; switch to that provider"):
        await other.deliverables.request(clip, AssetKind.WAV)


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_whole_song_of_an_extension_lands_in_the_library(studio_for, emulator, provider):
    studio = await studio_for(provider)
    clip = await song(studio, provider)
    with pytest.raises(ValidationError, match="made from an extension"):
        await studio.deliverables.whole_song(clip)
    extend = await studio.tasks.submit_extend(clip, 30.0, params(provider, title="Night Drive"))
    done = await studio.tasks.wait(extend.id, timeout=60)
    extension = done.clip_ids[0]
    outcome = await studio.deliverables.whole_song(extension)
    if provider is ProviderId.SONIC:
        whole = await studio.tasks.wait(outcome.task.id, timeout=60)
        assert whole.state is TaskState.SUCCEEDED and outcome.task.title == "whole song of “Night Drive” (extended)"
        [full] = studio.deliverables.whole_songs(extension)
        assert emulator.last("/api/v1/sonic/create").json == {
            "task_type": "concat_music", "continue_clip_id": studio.library.get(extension).clip_id,
            "use_suno_cdn": False}
        assert decodes(full.audio_path) and full.task_kind is TaskKind.CONCAT
    else:
        # The emulated sunoapi.org extension already holds the whole song: recognised, not doubled.
        assert outcome.clip.id == extension and "already returned the whole song" in outcome.message
    again = await studio.deliverables.whole_song(extension)
    assert again.task is None  # never asked for twice
    # generate + extend + one concat on sonic; sunoapi.org has no concat to ask for
    assert len(emulator.submissions("/api/v1/sonic/create")) == (3 if provider is ProviderId.SONIC else 0)


async def test_sunoapi_join_here_when_the_extension_is_only_the_new_part(studio_for, emulator, sandbox):
    studio = await studio_for(ProviderId.SUNOAPI)
    clip = await song(studio, ProviderId.SUNOAPI)
    extend = await studio.tasks.submit_extend(clip, 30.0, params(ProviderId.SUNOAPI))
    extension = (await studio.tasks.wait(extend.id, timeout=60)).clip_ids[0]
    # Make the saved extension only the new part (the other reading of contract §5.1).
    new_part = sandbox / "new-part.mp3"
    new_part.write_bytes(synth.song_mp3(777, 20.0))
    studio.store.clips.set_files(extension, audio_path=str(new_part))
    outcome = await studio.deliverables.whole_song(extension)
    assert "Joined here (free)" in outcome.message
    whole = studio.library.get(outcome.clip.id)
    assert whole.lineage.parent_clip == extension and whole.lineage.params["joined_here"] is True
    # The library says where it was joined (and that it cost nothing), not only the one-time notice.
    assert lineage_short(whole) == "full song (joined here, free)"
    assert "joined to its source on this computer, free" in lineage_sentence(whole)
    assert decodes(whole.audio_path) and abs(whole.duration - 50.0) < 0.5


async def test_a_stem_that_fails_leaves_the_others_saved_and_says_which(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    clip = await song(studio, ProviderId.SONIC)
    emulator.timing = Timing(queue=0.05, first_clip=2.0, second_clip=2.0, concat=0.05)  # stems take a while
    outcome = await studio.deliverables.request(clip, AssetKind.STEMS_BASIC)
    sonic = emulator.state["sonic"]
    vocals, _ = sonic.tasks[outcome.task.provider_task_id].clips
    sonic.fail_clip(vocals, "Separation failed upstream.")
    done = await studio.tasks.wait(outcome.task.id, timeout=60)
    assert done.state is TaskState.PARTIAL and "could not make vocals" in str(done.error)
    [asset] = studio.deliverables.assets(clip)
    assert set(asset.files) == {"instrumental"} and decodes(asset.files["instrumental"])
    assert len(emulator.submissions("/api/v1/sonic/stems/basic")) == 1


async def test_poll_faults_on_an_asset_task_delay_it_but_never_pay_twice(studio_for, emulator):
    from sonic_studio.emulator.app import Fault

    studio = await studio_for(ProviderId.SUNOAPI)
    clip = await song(studio, ProviderId.SUNOAPI)
    for fault in (Fault("status", status=500), Fault("malformed"), Fault("status", status=430)):
        emulator.faults.inject(fault, "/api/v1/wav/record-info")
    _, wav = await finish(studio, clip, AssetKind.WAV)
    assert decodes(wav.files["wav"])
    assert len(emulator.submissions("/api/v1/wav/generate")) == 1
    assert len([r for r in emulator.requests if r.path == "/api/v1/wav/record-info"]) >= 4


async def test_asking_again_follows_or_shows_what_exists_instead_of_paying(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    clip = await song(studio, ProviderId.SONIC)
    emulator.timing = Timing(queue=0.05, first_clip=1.0, second_clip=1.0, concat=0.05)
    first = await studio.deliverables.request(clip, AssetKind.STEMS_BASIC)
    second = await studio.deliverables.request(clip, AssetKind.STEMS_BASIC)
    assert second.task.id == first.task.id and "already being made" in second.message
    await studio.tasks.wait(first.task.id, timeout=60)
    third = await studio.deliverables.request(clip, AssetKind.STEMS_BASIC)
    assert third.task is None and third.asset.files and "already saved" in third.message
    assert len(emulator.submissions("/api/v1/sonic/stems/basic")) == 1

