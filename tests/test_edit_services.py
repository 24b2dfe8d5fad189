"""Edit operations through the services against the emulator, on both providers: results
land in the library with lineage and files on disk, and every preflight refusal is a
sentence with a stable code while nothing is sent."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from conftest import FAKE_KEY

from sonic_studio.core.edits import EditOp
from sonic_studio.core.errors import ValidationError
from sonic_studio.core.models import Clip, GenerationParams, Origin, ProviderId
from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.services import Settings, Studio
from sonic_studio.services.keys import KEY_ENV
from sonic_studio.store import TaskState
from sonic_studio.ui.format import lineage_sentence, lineage_short

FAST = Timing(queue=0.05, first_clip=0.1, second_clip=0.15, concat=0.05)
SAMPLE = "http://127.0.0.1:8787/samples/night-drive.mp3"
MODEL = {ProviderId.SONIC: "sonic-v5", ProviderId.SUNOAPI: "V5"}


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
        studio = Studio(settings, data_dir=sandbox, transport=httpx.ASGITransport(app=emulator),
                        poll_interval=0.05, poll_timeout=30.0, download_retry_delay=0.01)
        made.append(studio)
        await studio.start()
        return studio

    yield make
    for studio in made:
        await studio.aclose()


def params(provider: ProviderId, **kw) -> GenerationParams:
    return GenerationParams(**{**dict(model=MODEL[provider], lyrics="[Verse]\nneon lights", tags="synthwave",
                                      title="Night Drive"), **kw})


async def song(studio: Studio, provider: ProviderId, title: str = "Night Drive") -> int:
    rec = await studio.tasks.submit_generate(params(provider, title=title))
    done = await studio.tasks.wait(rec.id, timeout=60)
    assert done.state is TaskState.SUCCEEDED, done.detail
    return done.clip_ids[0]


async def finished(studio: Studio, rec) -> list:
    done = await studio.tasks.wait(rec.id, timeout=60)
    assert done.state is TaskState.SUCCEEDED, done.detail
    rows = [studio.store.clips.detail(c) for c in done.clip_ids]
    assert rows and all(Path(r.audio_path).is_file() for r in rows)  # downloaded at once
    return rows


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_replace_a_section_gives_the_whole_song_with_lineage(studio_for, emulator, provider):
    studio = await studio_for(provider)
    clip = await song(studio, provider)
    quote = studio.edits.preflight(EditOp.REPLACE_SECTION, clip, start=30.0, end=45.0)
    assert quote.ok and quote.cost == {ProviderId.SONIC: 15, ProviderId.SUNOAPI: 12}[provider]
    rec = await studio.edits.replace_section(clip, 30.0, 45.0, "[Chorus]\nbrand new words")
    assert rec.title == "replaced 0:30–0:45 of “Night Drive”"
    rows = await finished(studio, rec)
    whole = [r for r in rows if lineage_short(r).startswith("replaced 0:30–0:45 of Night Drive")]
    assert whole, [lineage_short(r) for r in rows]
    source = studio.store.clips.detail(clip)
    assert abs(whole[0].duration - source.duration) < 0.3
    assert lineage_sentence(whole[0]).startswith("Replaced 0:30–0:45 of “Night Drive”")


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_add_vocals_and_instrumental_on_an_upload(studio_for, emulator, provider):
    studio = await studio_for(provider)
    upload = await studio.tasks.upload(SAMPLE)
    model = {ProviderId.SONIC: "sonic-v5", ProviderId.SUNOAPI: "V4_5PLUS"}[provider]
    rows = await finished(studio, await studio.edits.add_vocals(upload.id, params(provider, model=model)))
    name = upload.title  # "night-drive" or "night-drive.mp3": each provider names uploads its way
    assert lineage_short(rows[0]) == f"vocals added to {name}"
    rows = await finished(studio, await studio.edits.add_instrumental(
        upload.id, params(provider, model=model, lyrics="")))
    assert lineage_short(rows[0]) == f"instrumental added to {name}"


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_mashup_of_two_library_clips(studio_for, emulator, provider):
    studio = await studio_for(provider)
    a, b = await song(studio, provider), await song(studio, provider, "Sunrise")
    rows = await finished(studio, await studio.edits.mashup(a, b, params(provider, title="Both")))
    assert lineage_short(rows[0]) == "mashup of Night Drive and Sunrise"
    assert lineage_sentence(rows[0]).startswith("Mashup of “Night Drive” and “Sunrise”")


async def test_remaster_and_sample_on_sonic(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    clip = await song(studio, ProviderId.SONIC)
    rows = await finished(studio, await studio.edits.remaster(clip, strength="high"))
    assert lineage_short(rows[0]) == "remaster of Night Drive (high)"
    assert emulator.last("/api/v1/sonic/create").json["variation_category"] == "high"
    rows = await finished(studio, await studio.edits.sample(clip, 10.0, 18.0, params(ProviderId.SONIC)))
    assert lineage_short(rows[0]) == "sampled 0:10–0:18 of Night Drive"


async def test_sunoapi_mashup_uploads_an_expired_link_again_first(studio_for, emulator, monkeypatch):
    studio = await studio_for(ProviderId.SUNOAPI)
    a = await song(studio, ProviderId.SUNOAPI)
    upload = await studio.tasks.upload(SAMPLE)
    later = time.time() + 4 * 86400  # uploads last 3 days there
    pre = studio.edits.preflight(EditOp.MASHUP, a, model="V5", second=upload.id)
    assert pre.ok and pre.terms == ""
    monkeypatch.setattr("sonic_studio.services.eligibility.time.time", lambda: later)
    pre = studio.edits.preflight(EditOp.MASHUP, a, model="V5", second=upload.id)
    assert pre.terms.startswith(f"The link of “{upload.title}” at sunoapi.org expired, so Sonic Studio uploads")
    await finished(studio, await studio.edits.mashup(a, upload.id, params(ProviderId.SUNOAPI)))
    assert len(emulator.submissions("/api/file-stream-upload")) == 1
    urls = emulator.last("/api/v1/generate/mashup").json["uploadUrlList"]
    assert urls[1] != SAMPLE and "/cdn/" in urls[1]


async def test_preflight_refusals_have_codes_and_send_nothing(studio_for, emulator):
    studio = await studio_for(ProviderId.SONIC)
    clip = await song(studio, ProviderId.SONIC)
    upload = await studio.tasks.upload(SAMPLE)
    foreign, _ = studio.store.clips.upsert(Clip("elsewhere", ProviderId.SUNOAPI, origin=Origin.UPLOADED,
                                                audio_url=SAMPLE, duration=96.0))
    duration = studio.store.clips.detail(clip).duration
    sent = len(emulator.requests)
    cases = [
        (EditOp.REPLACE_SECTION, clip, dict(start=40.0, end=30.0), "range_inverted"),
        (EditOp.REPLACE_SECTION, clip, dict(start=duration - 5, end=duration + 5), "range_outside"),
        (EditOp.REPLACE_SECTION, clip, dict(start=30.0, end=33.0), "range_too_short"),
        (EditOp.REPLACE_SECTION, clip, dict(start=0.0, end=61.0), "range_too_long"),
        (EditOp.ADD_VOCALS, clip, {}, "uploads_only"),
        (EditOp.REMASTER, clip, dict(model="sonic-v5-5"), "model_lacks_op"),
        (EditOp.MASHUP, clip, dict(second=clip), "mashup_same_clip"),
        (EditOp.MASHUP, clip, dict(second=foreign.id), "mashup_across_providers"),
        (EditOp.MASHUP, clip, {}, "mashup_needs_second"),
    ]
    for op, target, checks, code in cases:
        found = studio.edits.preflight(op, target, **checks)
        assert [p.code for p in found.problems] == [code], (op, found.problems)
        assert found.reason.endswith(".")
    assert studio.edits.preflight(EditOp.ADD_VOCALS, upload.id).ok
    with pytest.raises(ValidationError, match="swap the two times"):
        await studio.edits.replace_section(clip, 40.0, 30.0, "la")
    with pytest.raises(ValidationError, match="only on clips you uploaded"):
        await studio.edits.add_vocals(clip, params(ProviderId.SONIC))
    assert len(emulator.requests) == sent


async def test_sunoapi_refuses_what_it_does_not_offer_in_words(studio_for, emulator):
    studio = await studio_for(ProviderId.SUNOAPI)
    clip = await song(studio, ProviderId.SUNOAPI)
    upload = await studio.tasks.upload(SAMPLE)
    duration = studio.store.clips.detail(clip).duration
    sample = studio.edits.preflight(EditOp.SAMPLE, clip, start=1.0, end=5.0)
    assert [p.code for p in sample.problems] == ["op_not_offered"]
    assert "no way to build a new song on a sampled range" in sample.reason
    assert [p.code for p in studio.edits.preflight(EditOp.REMASTER, clip).problems] == ["op_not_offered"]
    half = studio.edits.preflight(EditOp.REPLACE_SECTION, clip, start=0.0, end=duration / 2 + 2)
    if duration / 2 + 2 <= 60:
        assert [p.code for p in half.problems] == ["range_over_half"]
    assert [p.code for p in studio.edits.preflight(
        EditOp.REPLACE_SECTION, upload.id, start=1.0, end=10.0).problems] == ["generated_only"]
    assert [p.code for p in studio.edits.preflight(
        EditOp.ADD_VOCALS, upload.id, model="V4").problems] == ["model_lacks_op"]
