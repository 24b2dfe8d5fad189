"""The emulated providers' own numbers: limits, prices and model lists from the docs.

Kept apart from ``core/catalog.json`` on purpose: if the emulator read the client's
catalog, a wrong value would pass on both sides.  ``provider_data.json`` is written from
the providers' documentation; tests/test_emulator_provider_data.py diffs it against the
catalog and fails on any difference not listed there with a reason.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def provider_data(provider: str) -> dict[str, Any]:
    """The documented numbers for ``provider`` ("sonic" or "sunoapi")."""
    text = resources.files("sonic_studio.emulator").joinpath("provider_data.json").read_text("utf-8")
    return json.loads(text)[provider]
