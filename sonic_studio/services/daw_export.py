"""Send to DAW: one folder with everything a session in Audacity, REAPER or any DAW needs.

What is written (whatever of it exists for the clip; the rest is listed as missing):
``song.wav`` (the whole song when there is one, else the clip), ``stems/<name>.wav``,
``<title>.mid``, ``lyrics.lrc``, ``lyrics-audacity.txt`` (Audacity: File > Import >
Labels), ``lyrics-reaper.csv`` (REAPER: Region/Marker Manager > Import) and
``sonic-studio.json`` (prompt, tags, model, persona, lineage, provider ids, tempo,
file list).  Audio is converted on worker threads; ``progress(done, total)`` counts
files, so a window can show one bar for the whole export.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..audio import edit
from ..audio.lyric_lines import lines_from_words, to_audacity_labels, to_lrc, to_reaper_regions
from ..core.models import AssetKind
from ..store.assets import AssetState
from .deliverables import words_of

Progress = Callable[[int, int], None]


@dataclass
class ExportResult:
    folder: Path
    files: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


async def export_daw(studio, clip: int, folder: Path, progress: Progress | None = None) -> ExportResult:
    """Write the DAW folder for ``clip`` (``studio``: the services' composition root)."""
    store, deliverables = studio.store, studio.deliverables
    detail = store.clips.detail(clip)
    ready = {a.kind: a for a in deliverables.assets(clip) if a.state is AssetState.READY}
    result = ExportResult(Path(folder))
    jobs: list[tuple[str, Callable[[], Path]]] = []
    loop = asyncio.get_running_loop()

    whole = [row for row in deliverables.whole_songs(clip) if row.audio_path]
    song = whole[0].audio_path if whole else detail.audio_path
    if song:
        jobs.append(("song", lambda: edit.export(song, result.folder / "song.wav", "wav")))
    else:
        result.missing.append("song: the clip's audio is not saved in the library")
    stems = ready.get(AssetKind.STEMS_FULL) or ready.get(AssetKind.STEMS_BASIC)
    for name, path in (stems.files if stems else {}).items():
        jobs.append((f"stem {name}", lambda p=path, n=name: edit.export(p, result.folder / "stems" / f"{n}.wav", "wav")))
    if not stems:
        result.missing.append("stems: not made yet ('stems CLIP')")
    midi = ready.get(AssetKind.MIDI)
    if midi and midi.files.get("midi"):
        jobs.append(("midi", lambda: _copy(midi.files["midi"], result.folder / f"{_slug(detail.title)}.mid")))
    else:
        result.missing.append("MIDI: not made yet ('midi CLIP')")
    lyrics = ready.get(AssetKind.LYRICS_TIMELINE)
    if lyrics:
        lines = lines_from_words(words_of(lyrics), detail.lyrics)
        for name, text in (("lyrics.lrc", to_lrc(lines, detail.title, detail.duration)),
                           ("lyrics-audacity.txt", to_audacity_labels(lines)),
                           ("lyrics-reaper.csv", to_reaper_regions(lines))):
            jobs.append((name, lambda n=name, t=text: _text(result.folder / n, t)))
    else:
        result.missing.append("timed lyrics: not made yet ('lyrics-timeline CLIP')")

    total = len(jobs) + 1
    for done, (name, job) in enumerate(jobs):
        if progress:
            progress(done, total)
        result.files[name] = str(await loop.run_in_executor(None, job))
    bpm = ready.get(AssetKind.BPM)
    lineage = detail.lineage
    sidecar = {
        "title": detail.title, "prompt": detail.lyrics, "tags": detail.tags, "model": detail.model,
        "provider": detail.provider.value, "clip_id": detail.clip_id, "task_id": detail.source_task_id,
        "persona_id": lineage.persona_id if lineage else None,
        "lineage": {"kind": lineage.task_kind.value if lineage and lineage.task_kind else None,
                    "parent_clip_id": lineage.parent_clip_id if lineage else None,
                    "params": lineage.params if lineage else {}},
        "whole_song_clip_id": whole[0].clip_id if whole else None,
        "bpm": bpm.data if bpm else None,
        "stems_task_id": stems.provider_task_id if stems else None,
        "files": {name: Path(path).relative_to(result.folder).as_posix() for name, path in result.files.items()},
        "missing": result.missing,
    }
    path = await loop.run_in_executor(None, _text, result.folder / "sonic-studio.json",
                                      json.dumps(sidecar, indent=2, ensure_ascii=False))
    result.files["sidecar"] = str(path)
    if progress:
        progress(total, total)
    return result


def fresh_daw_folder(studio, clip: int, parent: Path) -> Path:
    """A new folder under ``parent`` named after the clip ("Night-Drive DAW", "Night-Drive DAW 2", ...),
    so an export never mixes its files with an earlier one's."""
    detail = studio.store.clips.detail(clip)
    base = f"{_slug(detail.title or detail.clip_id)} DAW"
    candidate, n = Path(parent) / base, 2
    while candidate.exists():
        candidate, n = Path(parent) / f"{base} {n}", n + 1
    return candidate


def _slug(title: str) -> str:
    return re.sub(r"[^\w\- ]+", "", title).strip().replace(" ", "-") or "clip"


def _copy(src: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


def _text(dest: Path, text: str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return dest
