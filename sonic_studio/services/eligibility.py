"""Preflight: can this clip be used for that request at this provider, and on what terms?

One answer for every front end.  The window shows it (a banner, a disabled button with
the reason), the CLI refuses with it, and ``PersonaService.create`` checks it before a
credit is spent, so the same clip is refused with the same words everywhere.  Widgets
only render what comes back; the rules (and the provider defaults they use, read from
the catalog) live here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ..core.capabilities import EditInfo, ProviderCapabilities, capabilities, model_label, task_type_text
from ..core.edit_checks import model_problems, range_problems
from ..core.edits import EditOp
from ..core.models import Clip, ClipState, GenerationParams, Origin, ProviderId, TaskKind
from ..core.validation import Problem, check_continue_at, check_params, older_than_v4
from ..store.records import ClipDetail, PersonaRecord, TaskRecord

_PERSONA_REQUEST = {ProviderId.SONIC: "persona", ProviderId.SUNOAPI: "generate-persona"}


@dataclass(frozen=True)
class Preflight:
    """The answer: what stops the request (empty = it can go), and its terms."""

    problems: tuple[Problem, ...]
    task_type: str | None = None  # the provider's name for the request
    cost: float | None = None  # estimated credits (the provider has the last word)
    window: tuple[float, float] | None = None  # preselected vocal range; None = none is sent
    terms: str = ""  # what the request involves, in words (e.g. a paid step before it)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str | None:
        """The first problem's words, or None when the request can go."""
        return self.problems[0].message if self.problems else None


def _wrong_provider(detail: ClipDetail, caps: ProviderCapabilities, what: str) -> Problem | None:
    if detail.provider is caps.id:
        return None
    where = capabilities(detail.provider).display_name
    return Problem("source", f"This clip lives at {where}; switch to {where} in Settings to {what} it.",
                   "wrong_provider")


def _unfinished(detail: ClipDetail, task: TaskRecord | None, needed_for: str) -> Problem | None:
    if detail.state is ClipState.FAILED:
        return Problem("source", "This clip failed at the provider: there is no song to take a voice from."
                       if needed_for == "persona" else "This clip failed at the provider: there is no song to use.",
                       "source_failed")
    if detail.origin is Origin.GENERATED and (
        detail.state is not ClipState.SUCCEEDED or (task is not None and task.state.active)
    ):
        if needed_for != "persona":
            return Problem("source", "This clip is not finished yet; wait until it is done.", "source_unfinished")
        why = f" ({task.detail})" if task is not None and task.detail else ""
        return Problem("source", f"The song is still being made{why}. The provider needs its task finished before "
                       "a persona can be made; this updates by itself when it is done.", "source_unfinished")
    return None


def persona_source(
    caps: ProviderCapabilities,
    detail: ClipDetail,
    task: TaskRecord | None = None,
    *,
    audio_path: str | None = None,
    needs_audio: bool = False,
) -> Preflight:
    """Can ``detail`` make a persona at ``caps``' provider?

    ``task`` is the task that made the clip (to say "still being made").  ``needs_audio``:
    the window's range picker needs a local copy; the CLI does not.
    """
    found = _persona_problems(caps, detail, task, audio_path, needs_audio)
    window = caps.persona_window.default_for(detail.duration) if caps.persona_window.supported else None
    return Preflight(tuple(found), _PERSONA_REQUEST.get(caps.id), caps.persona_cost(), window, persona_terms(caps))


def persona_terms(caps: ProviderCapabilities) -> str:
    """What making a persona involves at ``caps``' provider, with its cost, in plain words."""
    persona = caps.estimated_cost("persona")
    if caps.persona_via_vox:
        vox = caps.estimated_cost("vox")
        return (f"{caps.display_name} makes a persona from extracted vocals: Sonic Studio first extracts the "
                f"vocals of the chosen range (vocal extraction, {_credits(vox)}), then makes the persona "
                f"({_credits(persona)}) — {_credits(caps.persona_cost())} in all. A vocal extraction of the "
                "same range you already paid for is reused.")
    return f"Making the persona costs {_credits(persona)}." if persona else ""


def _credits(amount: float | None) -> str:
    if amount is None:
        return "cost unknown"
    return f"{amount:g} credit" + ("" if amount == 1 else "s")


def _persona_problems(caps: ProviderCapabilities, detail: ClipDetail, task: TaskRecord | None,
                      audio_path: str | None, needs_audio: bool) -> list[Problem]:
    wrong = _wrong_provider(detail, caps, "make a persona from")
    if wrong is not None:
        return [wrong]
    name = caps.display_name
    if not caps.persona_available:
        return [Problem("source", f"{name} does not offer personas right now.", "persona_unavailable")]
    if not caps.persona_creatable:
        return [Problem("source", caps.persona_unavailable_reason or f"{name} does not make new personas right now.",
                        "persona_unavailable")]
    if detail.origin is Origin.UPLOADED and not caps.persona_from_uploaded:
        return [Problem("source", f"{name} makes personas only from songs it generated, not from uploads. "
                        "Pick a generated clip — for example an extension or cover of this upload.",
                        "persona_from_upload")]
    if detail.origin is Origin.GENERATED and caps.persona_min_model and older_than_v4(detail.model):
        return [Problem("source", f"This clip was made with {model_label(detail.provider, detail.model) or 'an old model'}; {name} makes "
                        f"personas only from songs made with {caps.persona_min_model} or newer.",
                        "persona_old_model")]
    if caps.id is ProviderId.SUNOAPI and detail.origin is Origin.GENERATED and not detail.source_task_id:
        return [Problem("source", "This clip has no generation task id, which sunoapi.org needs.",
                        "persona_no_task_id")]
    unfinished = _unfinished(detail, task, "persona")
    if unfinished is not None:
        return [unfinished]
    if needs_audio and audio_path is None:
        if detail.origin is Origin.UPLOADED:
            return [Problem("source", "There is no local copy of this upload (uploads by link are not downloaded), "
                            "and the range picker needs the audio. Upload the file from this computer instead.",
                            "no_local_audio")]
        why = detail.download_error or "the clip is still downloading"
        return [Problem("source", f"No local audio yet — {why}. The range picker needs the audio; "
                        "use “Check again” in Tasks if the download failed.", "no_local_audio")]
    window = caps.persona_window
    if window.supported and detail.duration is not None and detail.duration < window.min_len:
        return [Problem("source", f"This clip is only {detail.duration:.2f} s long; {name} needs at least "
                        f"{window.min_len:g} s of vocals for a persona.", "source_too_short")]
    return []


def remix_source(caps: ProviderCapabilities, detail: ClipDetail, kind: TaskKind,
                 task: TaskRecord | None = None) -> Preflight:
    """Can ``detail`` be extended or covered (``kind``) at ``caps``' provider?"""
    verb = "extend" if kind in (TaskKind.EXTEND, TaskKind.UPLOAD_EXTEND) else "cover"
    problem = _wrong_provider(detail, caps, "use") or _unfinished(detail, task, verb)
    uploaded = detail.origin is Origin.UPLOADED
    return Preflight(
        (problem,) if problem else (),
        task_type_text(caps.id, kind, uploaded_source=uploaded),
        caps.estimated_cost(kind),
    )



# ----------------------------------------------------------------------------- Create tab


def create_request(caps: ProviderCapabilities, params: GenerationParams,
                   persona: PersonaRecord | None = None) -> Preflight:
    """Can this new song (from a description, or lyrics + style + title) be sent, and at what cost?

    The Create tab shows the answer next to its fields and on its button; the CLI refuses
    with it; ``CreateService.submit`` checks it before anything is sent.
    """
    problems = check_params(params, caps, "generate")
    if params.persona_id:
        if persona is not None and persona.provider is not caps.id:
            where = capabilities(persona.provider).display_name
            problems.append(Problem("persona_id", f"The persona “{persona.name}” lives at {where}; switch to "
                                    f"{where} in Settings to sing with it.", "persona_wrong_provider"))
        elif caps.id is ProviderId.SUNOAPI and not params.custom_mode:
            problems.append(Problem("persona_id", "sunoapi.org sings with a persona only from your own lyrics and "
                                    "style: switch to Lyrics & style, or choose no persona.", "persona_needs_custom"))
    task_type = task_type_text(caps.id, TaskKind.GENERATE, persona=bool(params.persona_id))
    cost = caps.estimated_cost(TaskKind.GENERATE)
    return Preflight(tuple(problems), task_type, cost, terms=f"Making the song costs {_credits(cost)}.")


def helper_terms(caps: ProviderCapabilities, helper: str) -> str:
    """The cost of a writing helper ("lyrics" or "boost_style"), said before it is spent."""
    cost = caps.estimated_cost(helper)
    if cost is None:
        return f"{caps.display_name} does not publish the price of this; it is charged to your account."
    return f"Costs {_credits(cost)}."
# ----------------------------------------------------------------------------- edit operations


def edit_source(caps: ProviderCapabilities, op: EditOp, detail: ClipDetail, task: TaskRecord | None = None, *,
                start: float | None = None, end: float | None = None, model: str | None = None,
                second: ClipDetail | None = None, second_task: TaskRecord | None = None,
                now: float | None = None) -> Preflight:
    """Can ``op`` run on ``detail`` at ``caps``' provider with this range / model / second clip?

    Every refusal is a sentence with a ``Problem.code``; nothing is sent while any stands.
    ``terms`` says what else happens first and what it costs (a mashup's uploads).
    """
    info = caps.edit(op)
    found = _edit_problems(caps, info, detail, task, start, end, model, second, second_task)
    terms = ""
    if not found and op is EditOp.MASHUP and second is not None:
        uploads = mashup_uploads(caps, (detail, second), now)
        missing = [d for d in uploads if not d.audio_path]
        if missing:
            found.append(Problem("second", f"“{missing[0].title or missing[0].clip_id}” has no link at "
                                 f"{caps.display_name} any more and no local copy to upload again.",
                                 "mashup_no_audio"))
        elif uploads:
            names = " and ".join(f"“{d.title or d.clip_id}”" for d in uploads)
            upload = caps.estimated_cost("upload")
            terms = (f"The link{'s' if len(uploads) > 1 else ''} of {names} at {caps.display_name} expired, so "
                     f"Sonic Studio uploads the library's copy first ({_credits(upload or 0)}), then sends the "
                     f"mashup ({_credits(caps.estimated_cost(op.task_kind))}).")
    uploaded = detail.origin is Origin.UPLOADED
    return Preflight(tuple(found), task_type_text(caps.id, op.task_kind, uploaded_source=uploaded),
                     caps.estimated_cost(op.task_kind), (start, end) if start is not None and end is not None else None,
                     terms)


def _edit_problems(caps: ProviderCapabilities, info: EditInfo, detail: ClipDetail, task: TaskRecord | None,
                   start: float | None, end: float | None, model: str | None,
                   second: ClipDetail | None, second_task: TaskRecord | None) -> list[Problem]:
    op, name = info.op, caps.display_name
    offered = model_problems(info, caps, None)
    if offered:
        return offered
    wrong = _wrong_provider(detail, caps, "edit") or _unfinished(detail, task, "edit")
    if wrong is not None:
        return [wrong]
    if info.uploads_only and detail.origin is not Origin.UPLOADED:
        return [Problem("source", f"{name} can {op.label.lower()} only on clips you uploaded, and this one it "
                        "generated. Upload the audio first (Upload tab), then use that clip.", "uploads_only")]
    if info.generated_only and (detail.origin is not Origin.GENERATED or not detail.source_task_id):
        return [Problem("source", f"{name} can {op.label.lower()} only in songs it generated; this clip was "
                        "uploaded.", "generated_only")]
    found = model_problems(info, caps, model)
    if op.ranged or info.range_optional:
        found += range_problems(info, caps, start, end, detail.duration, optional=info.range_optional)
    if op is EditOp.MASHUP:
        found += _second_problems(caps, detail, second, second_task)
    return found


def _second_problems(caps: ProviderCapabilities, first: ClipDetail, second: ClipDetail | None,
                     task: TaskRecord | None) -> list[Problem]:
    if second is None:
        return [Problem("second", "Pick the second clip of the mashup.", "mashup_needs_second")]
    if second.id == first.id:
        return [Problem("second", "A mashup needs two different clips; this is the same clip twice.",
                        "mashup_same_clip")]
    if second.provider is not first.provider:
        here, there = (capabilities(c.provider).display_name for c in (first, second))
        return [Problem("second", f"The first clip lives at {here} and the second at {there}; a mashup needs "
                        "both at the same provider.", "mashup_across_providers")]
    return [p for p in (_unfinished(second, task, "edit"),) if p is not None]


def mashup_uploads(caps: ProviderCapabilities, clips: tuple[ClipDetail, ...], now: float | None = None) -> list[ClipDetail]:
    """The clips whose link the provider may no longer serve, so they are uploaded again first.

    Only providers that take links (sunoapi.org) care: a generated song's link lasts the
    retention period, an upload's much less (3 days); sonic takes clip ids.
    """
    if not caps.edit(EditOp.MASHUP).by_link:
        return []  # sonic names clips by id: nothing to upload
    moment = time.time() if now is None else now
    stale = []
    for clip in clips:
        days = caps.upload_retention_days if clip.origin is Origin.UPLOADED else caps.retention_days
        expired = days is not None and moment - clip.created_at > days * 86400 * 0.9  # a margin before the cut-off
        if not clip.audio_url or expired:
            stale.append(clip)
    return stale


_EXTENDS = (TaskKind.EXTEND, TaskKind.UPLOAD_EXTEND)


def request_problems(
    caps: ProviderCapabilities,
    kind: TaskKind,
    params: GenerationParams,
    *,
    source: Clip | ClipDetail | None = None,
    continue_at: float | None = None,
    duration: float | None = None,
    auto_concat: bool = False,
) -> list[Problem]:
    """Everything wrong with a generation request's parameters at ``caps``' provider.

    The one place these rules live: the window renders the list next to its fields while
    the person types, ``TaskService`` refuses with it before anything is stored or sent
    (so the CLI says the same words), and the adapters only check the wire shape.
    ``source`` is the library clip being extended or covered (its duration bounds
    ``continue_at``; for one-stop requests pass ``duration`` when it is known).
    """
    problems = check_params(params, caps, _limits_page(caps, kind, source))
    if params.persona_id and kind is not TaskKind.GENERATE:
        problems.append(Problem("persona_id", f"{caps.display_name} uses a persona only for new songs, "
                                "not for extends or covers.", "persona_not_for_remix"))
    elif params.persona_id and caps.id is ProviderId.SUNOAPI and not params.custom_mode:
        problems.append(Problem("persona_id", "A persona can only be used in custom mode (your own lyrics and style).",
                                "persona_needs_custom_mode"))
    if kind in _EXTENDS:
        if caps.id is ProviderId.SUNOAPI and not params.custom_mode:
            # sunoapi.org extends with defaultParamFlag=true: its custom mode.
            problems.insert(0, Problem("custom_mode", "sunoapi.org extends only in custom mode: give style, title "
                                       "and lyrics.", "extend_needs_custom_mode"))
        if continue_at is not None and not math.isfinite(continue_at):
            problems.append(Problem("continue_at", "The start time must be a number of seconds, like 30 or 95.5.",
                                    "continue_at_not_a_number"))
        else:
            length = duration if duration is not None else (source.duration if source is not None else None)
            problems += check_continue_at(continue_at, length)
    if auto_concat and not caps.supports_auto_concat:
        problems.append(Problem("auto_concat", f"{caps.display_name} cannot join the extension to the song.",
                                "auto_concat_unsupported"))
    return problems


def _limits_page(caps: ProviderCapabilities, kind: TaskKind, source: Clip | ClipDetail | None) -> str | None:
    """Which docs page's length caps apply (catalog ``endpoint_limits``): sunoapi.org's
    generate and extend pages are tighter than its models; an extend of anything but its
    own generated clip goes through upload-extend, which has no extra caps."""
    if kind is TaskKind.GENERATE:
        return "generate"
    if kind is TaskKind.EXTEND and source is not None and source.origin is Origin.GENERATED \
            and source.provider is caps.id:
        return "extend"
    return None
