"""Where each deliverable of a clip stands, in words: what the Deliverables section shows.

The window must not work out business rules (which provider can make what, what a
MIDI costs when the stems come first, whether a failed task or a saved file is the
newer news, how long the provider keeps the files), so it asks here for one
``Overview`` of a clip: a row per deliverable with its state, a sentence, the cost
shown before anything is sent, the folder its files are in - plus the expiry line
and what is already safe on this computer.  Read-only: nothing here asks a provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..core.capabilities import capabilities
from ..core.models import AssetKind, ClipState, Origin, TaskKind
from ..store.assets import AssetRecord, AssetState
from ..store.records import ClipDetail, TaskRecord, TaskState
from .deliverables import Quote, deliverables_dir

# The rows of the section, in the order a musician finishes a song.
ROW_KINDS = (AssetKind.WHOLE_SONG, AssetKind.WAV, AssetKind.STEMS_BASIC, AssetKind.STEMS_FULL,
             AssetKind.MIDI, AssetKind.LYRICS_TIMELINE, AssetKind.BPM)
ROW_LABELS = {
    AssetKind.WHOLE_SONG: "Whole song",
    AssetKind.WAV: "WAV",
    AssetKind.STEMS_BASIC: "Stems (vocals + instrumental)",
    AssetKind.STEMS_FULL: "Stems (every instrument)",
    AssetKind.MIDI: "MIDI",
    AssetKind.LYRICS_TIMELINE: "Timed lyrics",
    AssetKind.BPM: "BPM",
}
_EXTENSIONS = (TaskKind.EXTEND, TaskKind.UPLOAD_EXTEND)
_SAFE_WORDS = {AssetKind.WHOLE_SONG: "the whole song", AssetKind.WAV: "WAV", AssetKind.STEMS_BASIC: "stems",
               AssetKind.STEMS_FULL: "stems", AssetKind.MIDI: "MIDI", AssetKind.LYRICS_TIMELINE: "timed lyrics",
               AssetKind.BPM: "BPM"}


class RowState(str, Enum):
    UNAVAILABLE = "unavailable"  # this provider cannot make it (said in words)
    NOT_APPLICABLE = "not_applicable"  # e.g. a whole song of a clip that is no extension
    NONE = "none"  # not asked for yet
    WORKING = "working"
    SAVED = "saved"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliverableRow:
    kind: AssetKind
    label: str
    state: RowState
    text: str  # the state in words
    cost: str  # short: "2 credits", "free, made here"
    cost_sentence: str  # the whole quote ("MIDI needs stems first: ... 15 credits in all.")
    progress: float | None = None
    folder: Path | None = None  # where its files are, once saved
    files: dict[str, str] = field(default_factory=dict)
    task: int | None = None

    @property
    def can_request(self) -> bool:
        return self.state in (RowState.NONE, RowState.FAILED)


@dataclass(frozen=True)
class Overview:
    clip: int
    ready: bool  # the clip itself has finished (deliverables need a finished clip)
    expiry: str  # how long the provider keeps the files
    safe: str  # what is already on this computer
    rows: list[DeliverableRow]

    def row(self, kind: AssetKind) -> DeliverableRow:
        return next(r for r in self.rows if r.kind is kind)


def overview(studio, clip: int) -> Overview:
    """``studio``: the services' composition root (store, deliverables, library_dir)."""
    detail = studio.store.clips.detail(clip)
    tasks = studio.store.tasks.for_source(clip, [TaskKind(k.value) for k in ROW_KINDS if k is not AssetKind.WHOLE_SONG]
                                          + [TaskKind.CONCAT])
    assets = {a.kind: a for a in studio.deliverables.assets(clip)}
    rows = [_whole_song_row(studio, detail, tasks, assets.get(AssetKind.WHOLE_SONG))]
    rows += [_asset_row(studio, detail, kind, tasks, assets.get(kind)) for kind in ROW_KINDS[1:]]
    return Overview(clip, detail.state is ClipState.SUCCEEDED, expiry_sentence(studio, detail),
                    safe_sentence(detail, rows), rows)


def expiry_sentence(studio, detail: ClipDetail) -> str:
    caps = capabilities(detail.provider)
    if detail.origin is Origin.UPLOADED:
        return (f"You uploaded this clip; {caps.display_name} keeps its copy for a limited time, "
                "so ask for what you need soon.")
    left = studio.deliverables.files_left_days(detail.id)
    if left is None:
        return (f"{caps.display_name} does not say how long it keeps a clip's files; some of its tools only "
                "work on clips younger than a day. Fetch what you need while you can.")
    if left <= 0:
        return (f"{caps.display_name} keeps files for {caps.retention_days:g} days, so this clip's files are gone "
                "there; what is saved on this computer is all there is.")
    if left < 1:
        hours = max(1, round(left * 24))
        return f"{caps.display_name} deletes this clip's files in about {hours} hour{'s' if hours != 1 else ''}."
    days = round(left)
    return (f"{caps.display_name} keeps this clip's files for about {days} more day{'s' if days != 1 else ''} "
            f"(of {caps.retention_days:g}).")


def safe_sentence(detail: ClipDetail, rows: list[DeliverableRow]) -> str:
    saved = ["the song"] if detail.audio_path and Path(detail.audio_path).exists() else []
    saved += [_SAFE_WORDS[r.kind] for r in rows if r.state is RowState.SAVED]
    saved = list(dict.fromkeys(saved))  # "stems" once, even when both sizes are saved
    if not saved:
        return "Nothing of this clip is saved on this computer yet."
    return "Safe on this computer: " + ", ".join(saved) + "."


# ----------------------------------------------------------------------------- rows


def _cost(quote: Quote) -> tuple[str, str]:
    if quote.where == "local":
        return "free, made here", quote.sentence
    if quote.credits is None:
        return "price unknown", quote.sentence
    about = "about " if quote.note.startswith("estimate") else ""
    credits = f"{about}{quote.credits:g} credit{'s' if quote.credits != 1 else ''}"
    if len(quote.steps) > 1:
        credits += f", {quote.steps[0].label} first"
    return credits, quote.sentence


def _latest(tasks: list[TaskRecord], kind: TaskKind) -> TaskRecord | None:
    return next((t for t in tasks if t.kind is kind), None)


def _task_trouble(task: TaskRecord) -> str | None:
    """A finished-but-not-fine task, in words (None when it went well or is still going)."""
    if task.state is TaskState.FAILED:
        return f"Failed: {task.error or task.detail}"
    if task.state is TaskState.UNKNOWN:
        return ("The request may or may not have reached the provider (the app stopped while sending it); "
                "see the Tasks panel before asking again.")
    if task.state is TaskState.STALLED:
        return "The provider has not finished it yet; use Check again in the Tasks panel."
    return None


def _whole_song_row(studio, detail: ClipDetail, tasks: list[TaskRecord], asset: AssetRecord | None) -> DeliverableRow:
    kind = AssetKind.WHOLE_SONG
    label = ROW_LABELS[kind]
    cost, sentence = _cost(studio.deliverables.quote(detail.id, kind))
    lineage = detail.lineage
    if detail.full_song_of or lineage is not None and lineage.task_kind is TaskKind.CONCAT:
        return DeliverableRow(kind, label, RowState.NOT_APPLICABLE, "This clip is the whole song.", "", "")
    if lineage is None or lineage.task_kind not in _EXTENSIONS:
        return DeliverableRow(kind, label, RowState.NOT_APPLICABLE,
                              "Only an extension has a whole song: extend this clip to make one.", "", "")
    wholes = [row for row in studio.deliverables.whole_songs(detail.id) if row.audio_path]
    if wholes:
        path = Path(wholes[0].audio_path)
        return DeliverableRow(kind, label, RowState.SAVED, f"Saved as “{wholes[0].title or wholes[0].clip_id}” "
                              "in the library.", cost, sentence, folder=path.parent, files={"song": str(path)})
    if asset is not None and asset.data.get("already_whole") and detail.audio_path:
        return DeliverableRow(kind, label, RowState.SAVED, "This extension already is the whole song.",
                              cost, sentence, folder=Path(detail.audio_path).parent,
                              files={"song": detail.audio_path})
    task = _latest(tasks, TaskKind.CONCAT)
    if task is not None and task.state.active:
        return DeliverableRow(kind, label, RowState.WORKING, f"Working: {task.detail}", cost, sentence,
                              progress=task.progress, task=task.id)
    if task is not None and _task_trouble(task):
        return DeliverableRow(kind, label, RowState.FAILED, _task_trouble(task), cost, sentence, task=task.id)
    info = capabilities(detail.provider).deliverable(kind)
    text = _made_here(info.note) if info.local else "Not asked for yet."
    return DeliverableRow(kind, label, RowState.NONE, text, cost, sentence)


def _asset_row(studio, detail: ClipDetail, kind: AssetKind, tasks: list[TaskRecord],
               asset: AssetRecord | None) -> DeliverableRow:
    label = ROW_LABELS[kind]
    caps = capabilities(detail.provider)
    info = caps.deliverable(kind)
    if not info.available:
        return DeliverableRow(kind, label, RowState.UNAVAILABLE, f"{caps.display_name} cannot make this: "
                              f"{info.note}.", "", "")
    cost, sentence = _cost(studio.deliverables.quote(detail.id, kind))
    task = _latest(tasks, TaskKind(kind.value))
    if task is not None and task.state.active:
        return DeliverableRow(kind, label, RowState.WORKING, f"Working: {task.detail}", cost, sentence,
                              progress=task.progress, task=task.id)
    newer_task = task is not None and (asset is None or task.created_at > asset.created_at)
    if newer_task and _task_trouble(task):
        return DeliverableRow(kind, label, RowState.FAILED, _task_trouble(task), cost, sentence, task=task.id)
    if asset is not None and asset.state is AssetState.READY:
        folder = Path(next(iter(asset.files.values()))).parent if asset.files else None
        if folder is None and kind is not AssetKind.BPM:
            folder = deliverables_dir(studio.library_dir, detail)
        return DeliverableRow(kind, label, RowState.SAVED, _saved_text(kind, asset), cost, sentence,
                              folder=folder, files=dict(asset.files), task=asset.task)
    if asset is not None and asset.state is AssetState.FAILED:
        return DeliverableRow(kind, label, RowState.FAILED, f"Failed: {asset.error or 'the files did not arrive'}",
                              cost, sentence, task=asset.task)
    if asset is not None:  # answered, files not all saved yet (a crash; 'tasks resume' finishes it)
        return DeliverableRow(kind, label, RowState.WORKING, "Answered; saving the files.", cost, sentence,
                              task=asset.task)
    if info.local:  # what the provider lacks is made here: said next to it, never passed off as theirs
        return DeliverableRow(kind, label, RowState.NONE, _made_here(info.note), cost, sentence)
    left = studio.deliverables.files_left_days(detail.id)
    if left is not None and left <= 0 and detail.origin is Origin.GENERATED:
        return DeliverableRow(kind, label, RowState.UNAVAILABLE, f"Too late: {caps.display_name} no longer keeps "
                              "this clip's files.", cost, sentence)
    return DeliverableRow(kind, label, RowState.NONE, "Not asked for yet.", cost, sentence)


def _made_here(note: str) -> str:
    return f"Not made yet ({note.rstrip('.')})."


def _saved_text(kind: AssetKind, asset: AssetRecord) -> str:
    data = asset.data
    if kind is AssetKind.BPM:
        avg = data.get("avg")
        span = f" (from {data['min']:g} to {data['max']:g})" if data.get("min") and data.get("max") else ""
        estimated = " — estimated here from the audio" if data.get("estimated") else ""
        return f"{avg:g} BPM{span}{estimated}" if isinstance(avg, (int, float)) else "Saved."
    failed = data.get("failed_stems") or []
    if kind in (AssetKind.STEMS_BASIC, AssetKind.STEMS_FULL):
        names = ", ".join(asset.files)
        text = f"Saved on disk: {names}."
        return text + (f" The provider could not make {', '.join(failed)}." if failed else "")
    if kind is AssetKind.LYRICS_TIMELINE:
        return f"Saved on disk ({len(data.get('words', []))} timed words, .lrc)."
    if kind is AssetKind.MIDI:
        return "Saved on disk (.mid)."
    return "Saved on disk."
