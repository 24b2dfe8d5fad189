"""The rules of an edit's range and model, checked before anything is sent.

Kept as plain functions over the catalog's ``EditInfo`` so the adapters (a last line
of defence), the preflight in ``services.eligibility`` and the waveform drag in the
Edit tab all apply the same numbers and say the same words.  ``limit_range`` is the
drag's half: where a handle may go, and why it stopped.
"""

from __future__ import annotations

import math

from .capabilities import EditInfo, ProviderCapabilities
from .validation import Problem, fmt_time

# Float slack: ranges arrive with two decimals, durations with more.
_EPS = 0.005


def range_problems(info: EditInfo, caps: ProviderCapabilities, start: float | None, end: float | None,
                   duration: float | None, *, optional: bool = False) -> list[Problem]:
    """Why ``start``..``end`` cannot be the range of ``info``'s operation on a clip of
    ``duration`` seconds (empty: it can).  ``optional``: no range at all is fine."""
    if start is None and end is None and optional:
        return []
    if start is None or end is None:
        return [Problem("range", "Choose the start and the end of the range.", "range_missing")]
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (start, end)):
        return [Problem("range", "The range must be a number of seconds, like 62 or 81.5.", "range_not_number")]
    if end <= start:
        return [Problem("range", f"The range ends ({fmt_time(end)}) before it starts ({fmt_time(start)}); "
                        "swap the two times.", "range_inverted")]
    if start < 0 or (duration is not None and end > duration + _EPS):
        whole = f"0:00–{fmt_time(duration)}" if duration is not None else "the clip"
        return [Problem("range", f"The range {fmt_time(start)}–{fmt_time(end)} lies outside the clip ({whole}).",
                        "range_outside")]
    length, name = end - start, caps.display_name
    if info.min_len is not None and length < info.min_len - _EPS:
        return [Problem("range", f"The range is {length:.1f} s long; {name} needs at least {info.min_len:g} s "
                        f"to {info.op.label.lower()}.", "range_too_short")]
    if info.max_len is not None and length > info.max_len + _EPS:
        return [Problem("range", f"The range is {length:.1f} s long; {name} takes at most {info.max_len:g} s "
                        f"to {info.op.label.lower()}.", "range_too_long")]
    if info.max_fraction is not None and duration and length > info.max_fraction * duration + _EPS:
        return [Problem("range", f"The range is {length:.1f} s long; {name} replaces at most "
                        f"{info.max_fraction:.0%} of a song ({info.max_fraction * duration:.1f} s of this one).",
                        "range_over_half")]
    return []


def longest_range(info: EditInfo, duration: float | None) -> tuple[float | None, str]:
    """The longest range allowed on a clip of ``duration`` seconds, and the reason in words."""
    limits: list[tuple[float, str]] = []
    if info.max_len is not None:
        limits.append((info.max_len, f"at most {info.max_len:g} s"))
    if info.max_fraction is not None and duration:
        limits.append((info.max_fraction * duration, f"at most {info.max_fraction:.0%} of the song"))
    if not limits:
        return None, ""
    return min(limits)


def limit_range(info: EditInfo, caps: ProviderCapabilities, fixed: float, moving: float,
                duration: float) -> tuple[float, str | None]:
    """Where a dragged handle may be when the other one stays at ``fixed``: the position,
    and a sentence saying why it stopped (None when it did not)."""
    moving = min(max(moving, 0.0), duration)
    longest, why = longest_range(info, duration)
    if longest is not None and abs(moving - fixed) > longest:
        stopped = fixed + math.copysign(longest, moving - fixed)
        return stopped, (f"{caps.display_name} takes {why} for “{info.op.label.lower()}”: "
                         f"the range stops at {longest:.1f} s.")
    return moving, None


def model_problems(info: EditInfo, caps: ProviderCapabilities, model: str | None) -> list[Problem]:
    """The operation is not offered at all, or not with ``model``."""
    if not info.available:
        return [Problem("op", f"{caps.display_name} cannot {info.op.label.lower()}: {info.note}.", "op_not_offered")]
    if model is not None and not info.takes_model(model):
        labels = {m.name: m.label for m in caps.models}
        allowed = ", ".join(labels.get(m, m) for m in info.models)
        return [Problem("model", f"{labels.get(model, model)} cannot {info.op.label.lower()} at "
                        f"{caps.display_name}; choose {allowed}.", "model_lacks_op")]
    return []
