"""Local checks run before any credit is spent.

Each check returns ``Problem`` objects naming the field, so the UI can put the message
next to that field and the CLI can print it; ``ensure`` turns them into the taxonomy's
``ValidationError``.  A generation request's parameters are judged once, by
``services.eligibility.request_problems`` (built from these checks): the window renders
it, ``TaskService`` refuses with it before anything is stored or sent.  Adapters only
check the wire shape (a usable URL, a clip id), so a bad request never leaves the
machine whichever front end built it.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from .capabilities import ProviderCapabilities
from .errors import ValidationError
from .models import Clip, GenerationParams, Origin, ProviderId


@dataclass(frozen=True)
class Problem:
    """One reason a request cannot go out: where to show it, the words, and a stable code.

    ``code`` is what programs compare (the window, the CLI, tests); ``message`` is for
    people and may be reworded.  Problems made without a code fall back to their field.
    """

    field: str
    message: str
    code: str = ""

    def __post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", self.field)


def ensure(problems: list[Problem]) -> None:
    """Raise the first problem as a ValidationError (all of them in the message)."""
    if problems:
        first = problems[0]
        text = " ".join(p.message for p in problems)
        raise ValidationError(text, field=first.field)


def fmt_time(seconds: float) -> str:
    """1:23.45 style, for messages a person reads."""
    seconds = max(0.0, seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:05.2f}" if rest % 1 else f"{int(minutes)}:{int(rest):02d}"


def check_weight(value: float | None, field: str, label: str) -> list[Problem]:
    if value is None:
        return []
    try:
        number = float(value)
    except (TypeError, ValueError):
        return [Problem(field, f"{label} must be a number between 0.00 and 1.00.", "weight_not_a_number")]
    if not 0.0 <= number <= 1.0 or number != number:
        return [Problem(field, f"{label} must be between 0.00 and 1.00 (got {value}).", "weight_out_of_range")]
    return []


def is_loopback(url: str) -> bool:
    """True only for this machine: ``localhost`` or a loopback IP (not "127.evil.example")."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_source_url(url: str, field: str = "url") -> list[Problem]:
    """A URL the provider can fetch: http(s), with a host."""
    text = (url or "").strip()
    if not text:
        return [Problem(field, "Enter the URL of an audio file.", "url_missing")]
    parts = urlsplit(text)
    if not parts.scheme or (parts.scheme not in ("http", "https") and not parts.netloc and "." in parts.scheme):
        # "example.com/song.mp3" (or "example.com:8080/…", which parses as a scheme).
        return [Problem(field, "Enter the whole link, starting with https:// (for example "
                               "https://example.com/song.mp3).", "url_scheme")]
    if parts.scheme not in ("http", "https"):
        return [Problem(field, f"Only web links (https:// or http://) can be used, not {parts.scheme}:// links.",
                        "url_scheme")]
    if not parts.hostname:
        return [Problem(field, "That URL has no host name.", "url_no_host")]
    return []


def check_api_base_url(url: str, field: str = "base_url") -> list[Problem]:
    """Provider base URLs: https, or plain http only on this machine (the emulator)."""
    problems = check_source_url(url, field)
    if problems:
        return problems
    if urlsplit(url).scheme == "http" and not is_loopback(url):
        return [Problem(field, "Plain http:// would send your API key unencrypted; use https:// (http is allowed only for 127.0.0.1).",
                        "url_unencrypted")]
    return []


def check_continue_at(continue_at: float | None, duration: float | None) -> list[Problem]:
    if continue_at is None:
        return [Problem("continue_at", "Choose where the extension should start.", "continue_at_missing")]
    if continue_at <= 0:
        return [Problem("continue_at", "The extension must start after 0:00.", "continue_at_too_early")]
    if duration is not None and continue_at >= duration:
        return [
            Problem(
                "continue_at",
                f"Extend from {fmt_time(continue_at)} is past the end of the clip ({fmt_time(duration)}).",
                "continue_at_past_end",
            )
        ]
    return []


def check_upload_duration(seconds: float | None, caps: ProviderCapabilities, model: str | None = None) -> list[Problem]:
    if seconds is None:
        return []
    limit = caps.upload_limit_seconds(model)
    if seconds > limit + 0.5:
        return [
            Problem(
                "file",
                f"This track is {fmt_time(seconds)} long; {caps.display_name} accepts at most {fmt_time(limit)}.",
                "upload_too_long",
            )
        ]
    return []


def check_model(model: str, caps: ProviderCapabilities) -> list[Problem]:
    """A model the provider lists; a retired one is refused with the reason, not as "unknown"."""
    if model in caps.model_names():
        return []
    listed = ", ".join(caps.model_names())
    retired = caps.retired_models.get(model)
    if retired:
        return [
            Problem(
                "model",
                f"{caps.display_name} no longer lists the model {model}: {retired} "
                f"(checked against its docs on {caps.checked_on}.) Choose one of {listed}.",
                "model_retired",
            )
        ]
    return [Problem("model", f"Unknown model {model!r} for {caps.display_name}; it lists {listed}.", "model_unknown")]


def check_params(
    params: GenerationParams, caps: ProviderCapabilities, endpoint: str | None = None
) -> list[Problem]:
    """Fields every generation kind shares: required-ness, lengths, weights.

    ``endpoint`` applies that endpoint's own length caps (catalog ``endpoint_limits``).
    """
    problems = check_model(params.model, caps)
    info = caps.limits_for(params.model, endpoint)
    if params.custom_mode:
        if not params.instrumental and not params.lyrics.strip():
            problems.append(Problem("lyrics", "Lyrics are needed in custom mode (or tick Instrumental).", "lyrics_missing"))
        if caps.id is ProviderId.SUNOAPI:
            # sunoapi.org requires style and title whenever customMode is true.
            if not params.tags.strip():
                problems.append(Problem("tags", "sunoapi.org needs style tags in custom mode.", "tags_missing"))
            if not params.title.strip():
                problems.append(Problem("title", "sunoapi.org needs a title in custom mode.", "title_missing"))
    elif not params.description.strip():
        problems.append(Problem("description", "Describe the song you want (or switch to custom mode).", "description_missing"))
    for field, value, limit, label in (
        ("lyrics", params.lyrics, info.lyrics_max, "The lyrics are"),
        ("tags", params.tags, info.tags_max, "The style tags are"),
        ("title", params.title, info.title_max, "The title is"),
        ("description", params.description, info.description_max, "The description is"),
    ):
        if len(value) > limit:
            problems.append(Problem(field, f"{label} {len(value)} characters long; {info.label} allows {limit}.",
                                    f"{field}_too_long"))
    if params.vocal_gender not in (None, "", "m", "f"):
        problems.append(Problem("vocal_gender", "Vocal gender must be m or f.", "vocal_gender_unknown"))
    elif params.vocal_gender and not info.vocal_gender:
        takes = ", ".join(m.label for m in caps.models if m.vocal_gender)
        problems.append(
            Problem(
                "vocal_gender",
                f"{caps.display_name} does not take a vocal gender for {info.label}; it lists it only for "
                f"{takes}. Choose 'any' voice or one of those models.",
                "vocal_gender_unsupported",
            )
        )
    problems += check_weight(params.style_weight, "style_weight", "Style weight")
    problems += check_weight(params.weirdness, "weirdness", "Weirdness")
    problems += check_weight(params.audio_weight, "audio_weight", "Audio weight")
    return problems


def check_persona(
    caps: ProviderCapabilities,
    source: Clip,
    name: str,
    description: str,
    vocal_start: float | None,
    vocal_end: float | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if not caps.persona_creatable:
        reason = caps.persona_unavailable_reason or f"{caps.display_name} does not offer personas right now."
        problems.append(Problem("source", reason, "persona_unavailable"))
    if source.origin is Origin.UPLOADED and not caps.persona_from_uploaded:
        problems.append(
            Problem("source", f"{caps.display_name} makes personas only from generated clips, not uploads.",
                    "persona_from_upload")
        )
    if source.origin is Origin.GENERATED and caps.persona_min_model and older_than_v4(source.model):
        problems.append(Problem("source", "Personas need a clip made with V4 or newer; this clip is older.",
                                "persona_old_model"))
    if caps.id is ProviderId.SUNOAPI and source.origin is Origin.GENERATED and not source.source_task_id:
        problems.append(Problem("source", "This clip has no generation task id, which sunoapi.org needs.",
                                "persona_no_task_id"))
    if not name.strip():
        problems.append(Problem("name", "Give the persona a name.", "name_missing"))
    if not description.strip():
        problems.append(Problem("description", "Describe the voice: genre, mood, instruments, vocal qualities.",
                                "description_missing"))
    elif len(description) > caps.persona_description_max:
        problems.append(
            Problem("description", f"Description is {len(description)} characters; at most {caps.persona_description_max}.",
                    "description_too_long")
        )
    problems += check_vocal_window(caps, vocal_start, vocal_end, source.duration)
    return problems


def check_vocal_window(
    caps: ProviderCapabilities, start: float | None, end: float | None, duration: float | None
) -> list[Problem]:
    window = caps.persona_window
    if start is None and end is None:
        return []
    if not window.supported:
        return [Problem("vocal_window", f"{caps.display_name} does not take a vocal range.", "window_unsupported")]
    if start is None or end is None:
        return [Problem("vocal_window", "Set both the start and the end of the vocal range.", "window_incomplete")]
    if not (math.isfinite(start) and math.isfinite(end)):  # NaN compares false with everything below
        return [Problem("vocal_window", "The vocal range needs a start and an end in seconds.", "window_not_a_time")]
    if start < 0:
        return [Problem("vocal_start", "The vocal range cannot start before 0:00.", "window_before_start")]
    if end <= start:
        return [Problem("vocal_end", "The vocal range must end after it starts.", "window_reversed")]
    if duration is not None and end > duration + 0.005:
        return [Problem("vocal_end", f"The vocal range ends at {fmt_time(end)}, past the end of the clip ({fmt_time(duration)}).",
                        "window_past_end")]
    length = end - start
    if length < window.min_len - 0.005:
        return [Problem("vocal_window", f"The vocal range is {length:.2f} s; it must be at least {window.min_len:g} s.",
                        "window_too_short")]
    if length > window.max_len + 0.005:
        return [Problem("vocal_window", f"The vocal range is {length:.2f} s; it can be at most {window.max_len:g} s.",
                        "window_too_long")]
    return []


def older_than_v4(model: str | None) -> bool:
    """sunoapi.org reads models back as chirp-v3-5 etc.; V3.x cannot make personas."""
    if not model:
        return False
    text = model.lower().replace("chirp-", "").replace("_", "-")
    return text.startswith(("v3", "3"))


# --------------------------------------------------------------------------- writing helpers


def check_lyrics_prompt(description: str, caps: ProviderCapabilities) -> list[Problem]:
    """What "Write lyrics for me" sends: a description the provider's lyrics writer accepts."""
    text = (description or "").strip()
    if not text:
        return [Problem("lyrics_prompt", "Describe what the lyrics should be about, e.g. “a road trip at dawn”.",
                        "lyrics_prompt_missing")]
    words = len(text.split())
    limit = caps.lyrics_prompt_max_words
    if limit is not None and words > limit:
        return [Problem("lyrics_prompt", f"The description for the lyrics is {words} words long; "
                        f"{caps.display_name} takes at most {limit}.", "lyrics_prompt_too_long")]
    return []


def check_style_boost(tags: str, caps: ProviderCapabilities, model: str | None = None) -> list[Problem]:
    """What "Boost style" sends: the style as typed, within the model's style limit."""
    text = (tags or "").strip()
    if not text:
        return [Problem("tags", "Type a style first (a few words such as “synthwave, night drive”); "
                        "Boost style then makes it richer.", "style_missing")]
    limit = caps.limits_for(model).tags_max
    if len(text) > limit:
        return [Problem("tags", f"The style is {len(text)} characters long; {caps.display_name} takes at most "
                        f"{limit}.", "tags_too_long")]
    return []
