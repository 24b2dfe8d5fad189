"""CreateService end to end against the emulator, both providers: songs from scratch and the helpers.

A song from a description lands in the library with its lineage ("created from a
description"), downloaded; a refused request sends nothing and costs nothing; the
lyrics writer waits for sunoapi.org's queued drafts; the style boost returns text.
"""

from __future__ import annotations

import httpx
import pytest
from conftest import FAKE_KEY

from sonic_studio.core.errors import ValidationError
from sonic_studio.core.models import GenerationParams, ProviderId
from sonic_studio.emulator.app import Emulator, Timing
from sonic_studio.services import Settings, Studio
from sonic_studio.services.keys import KEY_ENV
from sonic_studio.store import TaskState
from sonic_studio.ui.format import lineage_sentence, lineage_short

FAST = Timing(queue=0.05, first_clip=0.15, second_clip=0.25, concat=0.05)
MODEL = {ProviderId.SONIC: "sonic-v5", ProviderId.SUNOAPI: "V5"}
SUBMIT = {ProviderId.SONIC: "/api/v1/sonic/create", ProviderId.SUNOAPI: "/api/v1/generate"}


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
                        poll_interval=0.05, poll_timeout=1.0, download_retry_delay=0.01)
        made.append(studio)
        await studio.start()
        return studio

    yield make
    for studio in made:
        await studio.aclose()


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_a_song_from_a_description_lands_in_the_library_with_lineage(studio_for, emulator, provider):
    studio = await studio_for(provider)
    params = GenerationParams(model=MODEL[provider], custom_mode=False, description="a calm song about rain",
                              negative_tags="metal")
    task = await studio.create.submit(params)
    assert task.title == "create from a description “a calm song about rain”"
    done = await studio.tasks.wait(task.id, timeout=60)
    assert done.state is TaskState.SUCCEEDED, done.detail
    assert len(done.clip_ids) == 2 and len(emulator.submissions(SUBMIT[provider])) == 1
    for clip_id in done.clip_ids:
        detail = studio.library.get(clip_id)
        assert detail.audio_path and detail.lineage.params["custom_mode"] is False
        assert lineage_short(detail) == "new song from a description"
        assert lineage_sentence(detail) == "A new song created from a description."


@pytest.mark.parametrize("provider, params, code", [
    (ProviderId.SONIC, GenerationParams(model="sonic-v6", custom_mode=False, description="rain", vocal_gender="f"),
     "vocal_gender_unsupported"),
    (ProviderId.SUNOAPI, GenerationParams(model="V5", lyrics="la", tags="pop", title="t" * 81), "title_too_long"),
    (ProviderId.SUNOAPI, GenerationParams(model="V5", custom_mode=False, description="rain", persona_id="p1"),
     "persona_needs_custom"),
    (ProviderId.SONIC, GenerationParams(model="sonic-v5", lyrics="x" * 5001, tags="pop"), "lyrics_too_long"),
])
async def test_refused_requests_send_nothing(studio_for, emulator, provider, params, code):
    studio = await studio_for(provider)
    preflight = studio.create.preflight(params, studio.capabilities)
    assert code in [p.code for p in preflight.problems]
    with pytest.raises(ValidationError):
        await studio.create.submit(params)
    assert emulator.submissions(SUBMIT[provider]) == [] and studio.tasks.list() == []


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_preflight_names_the_task_type_and_cost(studio_for, provider):
    studio = await studio_for(provider)
    params = GenerationParams(model=MODEL[provider], lyrics="[Verse] la", tags="pop", title="Pop")
    preflight = studio.create.preflight(params, studio.capabilities)
    assert preflight.ok and preflight.cost == studio.capabilities.estimated_cost("generate")
    assert preflight.task_type == ("create_music" if provider is ProviderId.SONIC else "generate")


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_write_lyrics_returns_drafts_with_section_tags(studio_for, emulator, provider):
    emulator.timing = Timing(queue=0.2)  # sunoapi.org's lyrics are queued: polled until they arrive
    studio = await studio_for(provider)
    drafts = await studio.create.write_lyrics("a road trip at dawn")
    assert len(drafts) == 2 and all("[Verse]" in d.text and "[Chorus]" in d.text for d in drafts)
    if provider is ProviderId.SUNOAPI:
        assert len(emulator.submissions("/api/v1/lyrics")) == 1


@pytest.mark.parametrize("provider", list(ProviderId))
async def test_boost_style_returns_a_richer_style(studio_for, provider):
    studio = await studio_for(provider)
    assert (await studio.create.boost_style("synthwave")).startswith("synthwave, ")


async def test_helper_terms_say_the_cost_or_that_it_is_not_published(studio_for):
    studio = await studio_for(ProviderId.SUNOAPI)
    assert "does not publish" in await studio.create.helper_terms("lyrics")
    assert await studio.create.helper_terms("boost_style") == "Costs 0.4 credits."
