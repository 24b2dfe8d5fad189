"""A generation request's parameters are judged in one place: services.eligibility.request_problems.

The window renders this list next to its fields, TaskService refuses with it before
anything is stored or sent (so the CLI prints the same words), and the adapters check
only the wire shape.  These cases used to be adapter tests; each names the field the
message belongs under and the stable code programs compare.
"""

from __future__ import annotations

import math

import pytest

from sonic_studio.core.capabilities import capabilities
from sonic_studio.core.models import Clip, GenerationParams, Origin, ProviderId, TaskKind
from sonic_studio.services.eligibility import request_problems

SONIC, SUNO = capabilities(ProviderId.SONIC), capabilities(ProviderId.SUNOAPI)
LYRICS = "[Verse]\nHeadlights on the wet road"
SONIC_CLIP = Clip("gen-1", ProviderId.SONIC, origin=Origin.GENERATED, duration=120.0, source_task_id="t")
SUNO_CLIP = Clip("a1", ProviderId.SUNOAPI, origin=Origin.GENERATED, duration=100.0, source_task_id="t1",
                 model="chirp-v5")
SUNO_UPLOAD = Clip("up-1", ProviderId.SUNOAPI, origin=Origin.UPLOADED, duration=100.0, audio_url="https://x/a.mp3")


def sonic(**changes) -> GenerationParams:
    base = dict(model="sonic-v5-5", custom_mode=True, lyrics=LYRICS, tags="synthwave", title="Neon")
    return GenerationParams(**{**base, **changes})


def suno(**changes) -> GenerationParams:
    base = dict(model="V5", lyrics=LYRICS, tags="synth-pop, dreamy", title="Night Drive")
    return GenerationParams(**{**base, **changes})


CASES = [
    # sonic
    (SONIC, TaskKind.GENERATE, sonic(lyrics=""), {}, "lyrics", "lyrics_missing"),
    (SONIC, TaskKind.GENERATE, sonic(model="sonic-v9"), {}, "model", "model_unknown"),
    (SONIC, TaskKind.GENERATE, sonic(title="x" * 81), {}, "title", "title_too_long"),
    (SONIC, TaskKind.GENERATE, sonic(lyrics="x" * 5001), {}, "lyrics", "lyrics_too_long"),
    (SONIC, TaskKind.GENERATE, sonic(style_weight=1.5), {}, "style_weight", "weight_out_of_range"),
    (SONIC, TaskKind.GENERATE, sonic(weirdness=-0.1), {}, "weirdness", "weight_out_of_range"),
    (SONIC, TaskKind.GENERATE, GenerationParams(model="sonic-v5", custom_mode=False, description="x" * 401), {},
     "description", "description_too_long"),
    (SONIC, TaskKind.EXTEND, sonic(), {"source": SONIC_CLIP, "continue_at": 120.0}, "continue_at",
     "continue_at_past_end"),
    (SONIC, TaskKind.EXTEND, sonic(), {"source": SONIC_CLIP, "continue_at": 0.0}, "continue_at",
     "continue_at_too_early"),
    (SONIC, TaskKind.EXTEND, sonic(), {"source": SONIC_CLIP, "continue_at": math.nan}, "continue_at",
     "continue_at_not_a_number"),
    (SONIC, TaskKind.EXTEND, sonic(persona_id="persona-1"), {"source": SONIC_CLIP, "continue_at": 10.0},
     "persona_id", "persona_not_for_remix"),
    (SONIC, TaskKind.COVER, sonic(audio_weight=2), {"source": SONIC_CLIP}, "audio_weight", "weight_out_of_range"),
    (SONIC, TaskKind.UPLOAD_EXTEND, sonic(), {"continue_at": -1.0}, "continue_at", "continue_at_too_early"),
    (SONIC, TaskKind.UPLOAD_COVER, sonic(vocal_gender="x"), {}, "vocal_gender", "vocal_gender_unknown"),
    # sunoapi.org
    (SUNO, TaskKind.GENERATE, suno(audio_weight=-0.1), {}, "audio_weight", "weight_out_of_range"),
    (SUNO, TaskKind.GENERATE, suno(title=""), {}, "title", "title_missing"),
    (SUNO, TaskKind.GENERATE, suno(tags=""), {}, "tags", "tags_missing"),
    (SUNO, TaskKind.GENERATE, suno(model="V4", lyrics="x" * 3001), {}, "lyrics", "lyrics_too_long"),
    (SUNO, TaskKind.GENERATE, suno(model="V4", tags="x" * 201), {}, "tags", "tags_too_long"),
    (SUNO, TaskKind.GENERATE, suno(model="V3_5"), {}, "model", "model_retired"),
    (SUNO, TaskKind.GENERATE, GenerationParams(model="V5", custom_mode=False, description="x" * 501), {},
     "description", "description_too_long"),
    (SUNO, TaskKind.GENERATE, GenerationParams(model="V5", custom_mode=False, description="idea", persona_id="p1"),
     {}, "persona_id", "persona_needs_custom_mode"),
    (SUNO, TaskKind.EXTEND, suno(), {"source": SUNO_CLIP, "continue_at": 100.0}, "continue_at",
     "continue_at_past_end"),
    (SUNO, TaskKind.EXTEND, GenerationParams(model="V5", custom_mode=False, description="d"),
     {"source": SUNO_CLIP, "continue_at": 50.0}, "custom_mode", "extend_needs_custom_mode"),
    (SUNO, TaskKind.UPLOAD_EXTEND, suno(), {"continue_at": 10.0, "auto_concat": True}, "auto_concat",
     "auto_concat_unsupported"),
]


@pytest.mark.parametrize("caps, kind, params, context, field, code", CASES)
def test_each_invalid_parameter_is_named_with_its_field_and_code(caps, kind, params, context, field, code):
    problems = request_problems(caps, kind, params, **context)
    assert problems, "expected a problem"
    assert (problems[0].field, problems[0].code) == (field, code), problems
    assert problems[0].message.endswith(".")


def test_valid_requests_have_no_problems():
    assert request_problems(SONIC, TaskKind.EXTEND, sonic(), source=SONIC_CLIP, continue_at=60.0) == []
    assert request_problems(SUNO, TaskKind.UPLOAD_COVER, suno()) == []
    assert request_problems(SONIC, TaskKind.UPLOAD_EXTEND, sonic(), continue_at=10.0, auto_concat=True) == []


def test_the_docs_page_limits_follow_the_route_the_request_takes():
    """sunoapi.org's generate page caps titles at 80 and its extend page caps style at 200;
    upload-cover and upload-extend (also an extend of an uploaded clip) have no such caps."""
    long_title = suno(title="T" * 90)
    assert [p.message for p in request_problems(SUNO, TaskKind.GENERATE, long_title)] == [
        "The title is 90 characters long; V5 allows 80."]
    assert request_problems(SUNO, TaskKind.UPLOAD_COVER, long_title) == []
    long_tags = suno(tags="rock, " * 50)
    assert [p.code for p in request_problems(SUNO, TaskKind.EXTEND, long_tags, source=SUNO_CLIP,
                                             continue_at=20.0)] == ["tags_too_long"]
    assert request_problems(SUNO, TaskKind.EXTEND, long_tags, source=SUNO_UPLOAD, continue_at=20.0) == []
