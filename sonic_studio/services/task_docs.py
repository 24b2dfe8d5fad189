"""The request JSON kept on each task row, and the lineage parameters derived from it.

The row keeps what was asked (kind, generation parameters, the source clip or URL, the
extend point) so a result can always be traced back and a failed task explained;
it never holds the key - domain requests do not carry it, and the text is scrubbed
before it is stored in any case.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..core.models import GenerationParams, TaskKind
from .redact import scrub

# What the library's details pane shows as "made with".
KEY_PARAMS = (
    "model", "continue_at", "audio_weight", "style_weight", "weirdness", "auto_concat",
    "instrumental", "custom_mode", "persona_id", "persona_model",
    # edit operations: the range, the remaster strength, a mashup's second clip
    "range_start", "range_end", "strength", "second_title",
    # a local file sent with the request: the person's own file name (the host renames it)
    "local_file",
)


def request_doc(kind: TaskKind, params: GenerationParams | None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": kind.value}
    if params is not None:
        doc["params"] = asdict(params)
    doc.update({k: v for k, v in extra.items() if v is not None})
    # Round-trip through scrub so nothing secret can be stored even by accident.
    return json.loads(scrub(json.dumps(doc)))


def lineage_params(request: dict[str, Any]) -> dict[str, Any]:
    merged = {**request.get("params", {}), **{k: v for k, v in request.items() if k not in ("params", "kind")}}
    return {k: merged[k] for k in KEY_PARAMS if merged.get(k) not in (None, "")}
