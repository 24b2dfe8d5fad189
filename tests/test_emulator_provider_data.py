"""The emulator's documented numbers against the client's catalog: every difference explained.

The emulator used to read ``core/catalog.json``, so a wrong limit or price passed on
both sides.  Now it reads ``emulator/provider_data.json`` (written from the providers'
docs).  This test flattens both into the same names and fails on any difference that is
not in ``EXPLAINED`` with a reason - so a catalog edit that drifts from the docs, or a
docs update that is not carried to the catalog, is caught here.
"""

from __future__ import annotations

import json
from importlib import resources

from sonic_studio.emulator.docs_data import provider_data

# difference key -> why the two sides may disagree (keep each reason a sentence).
EXPLAINED: dict[str, str] = {
    "sonic.persona.window_min": "The client refuses a vocal range under 1 s; the docs give no minimum (only the VOX 30 s maximum).",
    "sunoapi.prices.cover": "The client shows a 'cover' price for its cover action; the emulator charges that action as upload_cover, its real endpoint.",
    "sunoapi.prices.upload": "Passing a URL costs nothing and the upload host is free: the client shows 0, the emulator has no such charge.",
    "sunoapi.prices.concat": "sunoapi.org has no concat endpoint; the client keeps a 0 so every provider has the same price keys.",
}


def _catalog() -> dict:
    return json.loads(resources.files("sonic_studio.core").joinpath("catalog.json").read_text("utf-8"))


def _flat_catalog() -> dict[str, object]:
    cat, out = _catalog(), {}
    sonic = cat["sonic"]
    out["sonic.models"] = sorted(m["name"] for m in sonic["models"])
    out["sonic.vocal_gender_models"] = sorted(m["name"] for m in sonic["models"] if m.get("vocal_gender", True))
    for m in sonic["models"]:
        for ours, theirs in (("lyrics", "prompt"), ("tags", "tags"), ("title", "title"), ("description", "gpt_description_prompt")):
            out[f"sonic.limits.{m['name']}.{theirs}"] = m[ours]
    out["sonic.max_upload_seconds"] = sonic["max_upload_seconds"]
    out["sonic.persona.create_available"] = sonic["persona"]["create_available"]
    out["sonic.persona.describe_max"] = sonic["persona"]["description_max"]
    out["sonic.persona.window_max"] = sonic["persona"]["window"]["max"]
    out["sonic.persona.window_min"] = sonic["persona"]["window"]["min"]
    out.update({f"sonic.prices.{k}": v for k, v in sonic["credits"].items()})
    suno = cat["sunoapi"]
    out["sunoapi.models"] = sorted(m["name"] for m in suno["models"])
    for m in suno["models"]:
        for ours, theirs in (("lyrics", "prompt"), ("tags", "style"), ("title", "title"), ("description", "description")):
            out[f"sunoapi.limits.{m['name']}.{theirs}"] = m[ours]
        out[f"sunoapi.limits.{m['name']}.upload_seconds"] = m.get("max_upload_seconds") or suno["max_upload_seconds"]
    for endpoint, caps in suno["endpoint_limits"].items():
        for ours, value in caps.items():
            theirs = {"lyrics": "prompt", "tags": "style"}.get(ours, ours)
            out[f"sunoapi.endpoint_limits.{endpoint}.{theirs}"] = value
    out["sunoapi.persona_model_models"] = sorted(suno["persona_model_models"])
    out["sunoapi.persona.source_operations"] = sorted(suno["persona"]["source_operations"])
    out["sunoapi.persona.window_min"] = suno["persona"]["window"]["min"]
    out["sunoapi.persona.window_max"] = suno["persona"]["window"]["max"]
    prices = dict(suno["credits"])
    out.update({f"sunoapi.prices.{k}": v for k, v in prices.items()})
    _flat_writing(out, {p: cat[p].get("writing", {}) for p in ("sonic", "sunoapi")})
    _flat_catalog_edits(cat, out)
    return out


def _flat_writing(out: dict[str, object], writing: dict[str, dict]) -> None:
    """The Create tab's helpers (lyrics, style boost): prices and the lyrics prompt limit, both sides alike."""
    for provider, block in writing.items():
        out.update({f"{provider}.prices.{k}": v for k, v in block.get("prices", block.get("credits", {})).items()})
        if block.get("lyrics_prompt_max_words") is not None:
            out[f"{provider}.writing.lyrics_prompt_max_words"] = block["lyrics_prompt_max_words"]


def _flat_catalog_edits(cat: dict, out: dict[str, object]) -> None:
    """Edit operations (issue 13): prices, range windows, which models take them."""
    for provider in ("sonic", "sunoapi"):
        out.update({f"{provider}.edits.prices.{k}": v for k, v in cat[provider]["edit_credits"].items()})
        replace = cat[provider]["edits"]["replace_section"]
        out[f"{provider}.edits.replace_window.min"] = replace["min_len"]
        out[f"{provider}.edits.replace_window.max"] = replace["max_len"]
        if replace.get("max_fraction") is not None:
            out[f"{provider}.edits.replace_window.max_fraction"] = replace["max_fraction"]
    sonic, suno = cat["sonic"]["edits"], cat["sunoapi"]["edits"]
    out["sonic.edits.remaster_models"] = sorted(sonic["remaster"]["models"])
    out["sonic.edits.variation_categories"] = sorted(sonic["remaster"]["strengths"])
    out["sunoapi.edits.add_models"] = sorted(suno["add_vocals"]["models"])
    out["sunoapi.edits.add_instrumental_models"] = sorted(suno["add_instrumental"]["models"])
    out["sunoapi.edits.mashup_models"] = sorted(suno["mashup"]["models"])


def _flat_emulator() -> dict[str, object]:
    out: dict[str, object] = {}
    sonic = provider_data("sonic")
    out["sonic.models"] = sorted(sonic["models"])
    out["sonic.vocal_gender_models"] = sorted(sonic["vocal_gender_models"])
    for name in sonic["models"]:
        for field, value in sonic["limits"].items():
            out[f"sonic.limits.{name}.{field}"] = value
    out["sonic.max_upload_seconds"] = sonic["max_upload_seconds"]
    out["sonic.persona.create_available"] = sonic["persona"]["create_available"]
    out["sonic.persona.describe_max"] = sonic["persona"]["describe_max"]
    out["sonic.persona.window_max"] = sonic["persona"]["vox_window_max"]
    out.update({f"sonic.prices.{k}": v for k, v in sonic["prices"].items()})
    suno = provider_data("sunoapi")
    out["sunoapi.models"] = sorted(suno["models"])
    for name, limits in suno["models"].items():
        for field, value in limits.items():
            out[f"sunoapi.limits.{name}.{field}"] = value
    for endpoint, caps in suno["endpoint_limits"].items():
        for field, value in caps.items():
            out[f"sunoapi.endpoint_limits.{endpoint}.{field}"] = value
    out["sunoapi.persona_model_models"] = sorted(suno["persona_model_models"])
    out["sunoapi.persona.source_operations"] = sorted(suno["persona"]["source_operations"])
    out["sunoapi.persona.window_min"] = suno["persona"]["window_min"]
    out["sunoapi.persona.window_max"] = suno["persona"]["window_max"]
    out.update({f"sunoapi.prices.{k}": v for k, v in suno["prices"].items()})
    _flat_writing(out, {p: provider_data(p).get("writing", {}) for p in ("sonic", "sunoapi")})
    for provider, data in (("sonic", sonic), ("sunoapi", suno)):
        edits = data["edits"]
        out.update({f"{provider}.edits.prices.{k}": v for k, v in edits["prices"].items()})
        out.update({f"{provider}.edits.replace_window.{k}": v for k, v in edits["replace_window"].items()})
    out["sonic.edits.remaster_models"] = sorted(sonic["edits"]["remaster_models"])
    out["sonic.edits.variation_categories"] = sorted(sonic["edits"]["variation_categories"])
    out["sunoapi.edits.add_models"] = sorted(suno["edits"]["add_models"])
    out["sunoapi.edits.add_instrumental_models"] = sorted(suno["edits"]["add_models"])
    out["sunoapi.edits.mashup_models"] = sorted(suno["edits"]["mashup_models"])
    return out


def _differences() -> dict[str, tuple[object, object]]:
    ours, docs = _flat_catalog(), _flat_emulator()
    missing = object()
    diffs = {}
    for key in sorted(set(ours) | set(docs)):
        a, b = ours.get(key, missing), docs.get(key, missing)
        if a != b:
            diffs[key] = (None if a is missing else a, None if b is missing else b)
    return diffs


def test_every_difference_between_catalog_and_emulator_is_explained():
    unexplained = {key: pair for key, pair in _differences().items() if key not in EXPLAINED}
    assert unexplained == {}, "catalog vs emulator/provider_data.json (catalog, docs): " + json.dumps(
        unexplained, default=str, indent=1
    )


def test_no_stale_explanations():
    """A listed reason whose difference is gone must be removed, or it hides the next one."""
    assert sorted(set(EXPLAINED) - set(_differences())) == []


def test_the_diff_catches_a_drifted_catalog_value(monkeypatch):
    drifted = _catalog()
    drifted["sonic"]["credits"]["cover"] = 20  # the old, wrong price
    monkeypatch.setattr(f"{__name__}._catalog", lambda: drifted)
    assert _differences()["sonic.prices.cover"] == (20, 15)


def test_the_emulator_does_not_read_the_client_catalog():
    for module in ("sonic", "sunoapi"):
        source = resources.files("sonic_studio.emulator").joinpath(f"{module}.py").read_text("utf-8")
        assert "core.capabilities" not in source and "catalog.json" not in source, module
