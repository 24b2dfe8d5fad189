"""What each provider can do, read from ``catalog.json``.

The UI enables and disables controls from these flags instead of asking "is this
sunoapi.org?", so adding or changing a provider is a data change.  Prices and limits
are hints for validation and the cost label; the provider has the last word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from .edits import EditOp
from .models import AssetKind, ProviderId, TaskKind


@dataclass(frozen=True)
class ModelInfo:
    name: str
    label: str
    lyrics_max: int
    tags_max: int
    title_max: int
    description_max: int
    max_upload_seconds: float | None = None
    vocal_gender: bool = True  # whether the provider lists vocal_gender for this model


@dataclass(frozen=True)
class PersonaWindow:
    supported: bool
    required: bool
    min_len: float
    max_len: float
    needs_vox: bool = False  # sonic: the window only means something with a vox_audio_id
    default: tuple[float, float] = (0.0, 30.0)  # preselected range (clipped to the clip)

    def default_for(self, duration: float | None) -> tuple[float, float]:
        """The preselected vocal range for a clip of ``duration`` seconds."""
        start, end = self.default
        return start, (min(end, duration) if duration else end)


@dataclass(frozen=True)
class PersonaAlternative:
    """A documented way to get a persona when the direct one is unavailable."""

    id: str
    label: str
    endpoints: tuple[str, ...]
    credits: float


@dataclass(frozen=True)
class PersonaFieldNames:
    description: str
    styles: str
    start: str
    end: str


@dataclass(frozen=True)
class DeliverableInfo:
    """How one provider makes one derived asset.

    ``where``: "provider" (a paid request), "local" (computed here, free) or "none"
    (the provider cannot, and we do not pretend to).  ``credits`` is None when unknown.
    """

    kind: AssetKind
    where: str
    credits: float | None
    note: str
    max_window: float | None = None

    @property
    def available(self) -> bool:
        return self.where != "none"

    @property
    def local(self) -> bool:
        return self.where == "local"


@dataclass(frozen=True)
class EditInfo:
    """How one provider does one edit operation (catalog "edits").

    ``models``: the models that take it (empty = every listed model); ``default_model``
    the one preselected.  Ranges: ``min_len``/``max_len`` seconds and ``max_fraction`` of
    the song (None = no such limit).  ``uploads_only``: only clips uploaded to the
    provider.  ``note`` says in words what the provider does, or why it cannot.
    """

    op: EditOp
    available: bool
    note: str
    models: tuple[str, ...] = ()
    default_model: str | None = None
    min_len: float | None = None
    max_len: float | None = None
    max_fraction: float | None = None
    uploads_only: bool = False
    generated_only: bool = False
    strengths: tuple[str, ...] = ()
    range_optional: bool = False  # add vocals/instrumental: an optional range on sonic
    by_link: bool = False  # sunoapi.org mashup: sends audio links, not clip ids

    def takes_model(self, model: str | None) -> bool:
        return not self.models or model in self.models


@dataclass(frozen=True)
class ProviderCapabilities:
    id: ProviderId
    display_name: str
    base_url: str
    upload_base_url: str | None
    default_model: str
    models: tuple[ModelInfo, ...]
    max_upload_seconds: float
    needs_public_url: bool
    accepts_file_upload: bool
    supports_auto_concat: bool
    persona_available: bool
    persona_from_uploaded: bool
    persona_window: PersonaWindow
    persona_fields: PersonaFieldNames
    persona_description_max: int
    persona_min_model: str | None
    credit_costs: dict[str, float] = field(default_factory=dict)
    credits_note: str = ""
    # Creating personas can be withdrawn while existing ones still make songs (sonic, 2026).
    persona_create_available: bool = True
    persona_unavailable_reason: str = ""
    persona_alternatives: tuple[PersonaAlternative, ...] = ()
    # sunoapi.org: the task kinds whose clips can make a persona (newest generate-persona page).
    persona_source_operations: tuple[str, ...] = ()
    # sunoapi.org: models that take personaModel next to personaId.
    persona_model_models: tuple[str, ...] = ()
    # Per-endpoint caps that are tighter than the model's own limits.
    endpoint_limits: dict[str, dict[str, int]] = field(default_factory=dict)
    # Models the provider no longer lists -> why, in words.
    retired_models: dict[str, str] = field(default_factory=dict)
    checked_on: str = ""  # the date this catalog was last checked against the provider's docs
    checked_source: str = ""
    deliverables: dict[AssetKind, DeliverableInfo] = field(default_factory=dict)
    retention_days: float | None = None  # how long the provider keeps result files (None: unknown)
    # "Write lyrics for me": the longest description the lyrics writer takes, in words (None: not documented).
    lyrics_prompt_max_words: int | None = None
    edits: dict[EditOp, EditInfo] = field(default_factory=dict)
    upload_retention_days: float | None = None  # how long an upload's link lasts at the provider

    def edit(self, op: EditOp | str) -> EditInfo:
        op = EditOp(op)
        return self.edits.get(op) or EditInfo(op, False, f"{self.display_name} does not offer this.")

    def deliverable(self, kind: AssetKind | str) -> DeliverableInfo:
        kind = AssetKind(kind)
        return self.deliverables.get(kind) or DeliverableInfo(kind, "none", None, "not offered")

    @property
    def supports_vocal_window(self) -> bool:
        return self.persona_window.supported

    def model(self, name: str | None) -> ModelInfo:
        """The named model, or the default one; unknown names get the default's limits."""
        by_name = {m.name: m for m in self.models}
        if name in by_name:
            return by_name[name]
        return by_name[self.default_model]

    def model_names(self) -> list[str]:
        return [m.name for m in self.models]

    def limits_for(self, name: str | None, endpoint: str | None = None) -> ModelInfo:
        """The model's limits, tightened by ``endpoint``'s own caps where its docs page has them."""
        info = self.model(name)
        caps = self.endpoint_limits.get(endpoint or "", {})
        if not caps:
            return info
        return replace(
            info,
            lyrics_max=min(info.lyrics_max, caps.get("lyrics", info.lyrics_max)),
            tags_max=min(info.tags_max, caps.get("tags", info.tags_max)),
            title_max=min(info.title_max, caps.get("title", info.title_max)),
        )

    def freshness(self) -> str:
        """One line for Settings -> About: when and against what this catalog was checked."""
        return f"{self.display_name}: checked against the provider's docs on {self.checked_on} ({self.checked_source})."

    def upload_limit_seconds(self, model: str | None = None) -> float:
        info = self.model(model)
        return info.max_upload_seconds or self.max_upload_seconds

    def estimated_cost(self, kind: TaskKind | str) -> float | None:
        key = kind.value if isinstance(kind, TaskKind) else kind
        return self.credit_costs.get(key)

    @property
    def persona_via_vox(self) -> bool:
        """Plain persona creation is withdrawn but the documented VOX route works (sonic, contract 2.6):
        extract the vocals of the window first, then make the persona from that extraction."""
        return not self.persona_create_available and self.persona_window.needs_vox

    @property
    def persona_creatable(self) -> bool:
        return self.persona_available and (self.persona_create_available or self.persona_via_vox)

    def persona_cost(self) -> float | None:
        """Credits for one persona, the vocal extraction included when the route needs one."""
        cost = self.estimated_cost("persona")
        if cost is None or not self.persona_via_vox:
            return cost
        vox = self.estimated_cost("vox")
        return None if vox is None else cost + vox


@cache
def _catalog() -> dict:
    text = resources.files("sonic_studio.core").joinpath("catalog.json").read_text("utf-8")
    return json.loads(text)


@cache
def capabilities(provider: ProviderId | str) -> ProviderCapabilities:
    pid = ProviderId(provider)
    raw = _catalog()[pid.value]
    persona = raw["persona"]
    window = persona["window"]
    return ProviderCapabilities(
        id=pid,
        display_name=raw["display_name"],
        base_url=raw["base_url"],
        upload_base_url=raw["upload_base_url"],
        default_model=raw["default_model"],
        models=tuple(
            ModelInfo(
                name=m["name"],
                label=m["label"],
                lyrics_max=m["lyrics"],
                tags_max=m["tags"],
                title_max=m["title"],
                description_max=m["description"],
                max_upload_seconds=m.get("max_upload_seconds"),
                vocal_gender=m.get("vocal_gender", True),
            )
            for m in raw["models"]
        ),
        max_upload_seconds=raw["max_upload_seconds"],
        needs_public_url=raw["needs_public_url"],
        accepts_file_upload=raw["accepts_file_upload"],
        supports_auto_concat=raw["supports_auto_concat"],
        persona_available=persona["available"],
        persona_from_uploaded=persona["from_uploaded"],
        persona_window=PersonaWindow(
            supported=window["supported"],
            required=window["required"],
            min_len=window["min"],
            max_len=window["max"],
            needs_vox=window.get("needs_vox", False),
            default=tuple(window.get("default", (0.0, window["max"]))),
        ),
        persona_fields=PersonaFieldNames(**persona["fields"]),
        persona_description_max=persona["description_max"],
        persona_min_model=persona["min_model"],
        credit_costs={**raw["credits"], **raw.get("writing", {}).get("credits", {}), **raw.get("edit_credits", {})},
        credits_note=raw.get("credits_note", ""),
        persona_create_available=persona.get("create_available", True),
        persona_unavailable_reason=persona.get("unavailable_reason", ""),
        persona_alternatives=tuple(
            PersonaAlternative(a["id"], a["label"], tuple(a["endpoints"]), a["credits"])
            for a in persona.get("alternatives", ())
        ),
        persona_source_operations=tuple(persona.get("source_operations", ())),
        persona_model_models=tuple(raw.get("persona_model_models", ())),
        endpoint_limits={k: dict(v) for k, v in raw.get("endpoint_limits", {}).items()},
        retired_models=dict(raw.get("retired_models", {})),
        checked_on=raw["checked"]["on"],
        checked_source=raw["checked"]["source"],
        deliverables={
            AssetKind(name): DeliverableInfo(
                AssetKind(name), d["where"], d.get("credits"), d.get("note", ""), d.get("max_window")
            )
            for name, d in raw.get("deliverables", {}).items()
        },
        retention_days=raw.get("retention_days"),
        lyrics_prompt_max_words=raw.get("writing", {}).get("lyrics_prompt_max_words"),
        edits={EditOp(name): _edit_info(EditOp(name), e) for name, e in raw.get("edits", {}).items()},
        upload_retention_days=raw.get("upload_retention_days"),
    )


def _edit_info(op: EditOp, raw: dict) -> EditInfo:
    return EditInfo(
        op=op,
        available=raw["available"],
        note=raw.get("note", ""),
        models=tuple(raw.get("models", ())),
        default_model=raw.get("default_model"),
        min_len=raw.get("min_len"),
        max_len=raw.get("max_len"),
        max_fraction=raw.get("max_fraction"),
        uploads_only=raw.get("uploads_only", False),
        generated_only=raw.get("generated_only", False),
        strengths=tuple(raw.get("strengths", ())),
        range_optional=raw.get("range_optional", False),
        by_link=raw.get("by_link", False),
    )


# The provider's own name for each kind of task, as people see it in its dashboard
# (sonic: the create endpoint's task_type, or the one-stop endpoint's name).
_SONIC_TASK_TYPES = {
    TaskKind.GENERATE: "create_music",
    TaskKind.EXTEND: "extend_music",
    TaskKind.COVER: "cover_music",
    TaskKind.UPLOAD_EXTEND: "upload-extend",
    TaskKind.UPLOAD_COVER: "upload-cover",
    TaskKind.CONCAT: "concat_music",
    # Edit operations with their own endpoints (remaster and add_* are create task types).
    TaskKind.REPLACE_SECTION: "replace-section",
    TaskKind.MASHUP: "mashup",
    TaskKind.SAMPLE: "sample",
}

def task_type_text(provider: ProviderId, kind: TaskKind, *, persona: bool = False,
                   uploaded_source: bool = False) -> str:
    """The provider's word for a task kind: sonic's task_type, sunoapi.org's endpoint."""
    if provider is ProviderId.SONIC:
        if kind is TaskKind.GENERATE and persona:
            return "persona_music"
        if uploaded_source and kind in (TaskKind.EXTEND, TaskKind.COVER):
            return f"{kind.value}_upload_music"  # sonic names a different task type for uploads
        return _SONIC_TASK_TYPES.get(kind, kind.value)
    return kind.value.replace("_", "-")


def _model_key(code: str) -> str:
    """"chirp-v4-5-plus", "sonic-v4-5-plus" and "V4_5PLUS" all become "v45plus"."""
    text = code.lower()
    for prefix in ("chirp-", "sonic-"):
        text = text.removeprefix(prefix)
    return "".join(c for c in text if c.isalnum())


def model_label(provider: ProviderId | str, code: str | None) -> str:
    """The model as the app names it ("Sonic v5.5"), whatever code the provider read back
    ("chirp-v5-5", "V5_5"); an unknown code is tidied ("chirp-v3-5" → "v3.5"), never shown raw."""
    if not code:
        return ""
    key = _model_key(code)
    for model in capabilities(provider).models:
        if _model_key(model.name) == key:
            return model.label
    tidy = code.lower().removeprefix("chirp-").replace("_", "-")
    return re.sub(r"(?<=\d)-(?=\d)", ".", tidy)
