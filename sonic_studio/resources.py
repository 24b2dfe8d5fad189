"""Where the shipped resources (icons, desktop entry, metadata) are.

They live in the top-level ``resources/`` folder of the source tree; a frozen bundle
or a packager can point ``SONIC_STUDIO_RESOURCES`` elsewhere.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path


@cache
def resource_dir() -> Path:
    override = os.environ.get("SONIC_STUDIO_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder bundle
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
