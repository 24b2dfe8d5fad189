"""Which take of its task a clip is: "take 1", "take 2" - one rule for the library, player, tasks and exports.

Every generation returns two (sometimes more) clips with the same title; choosing the
keeper needs them told apart.  Takes are numbered in the order the provider returned
them, which is the order they were stored (local ids ascend).  A sonic extend with
auto-concat also returns each take's *full song*; it is labelled after the take it
completes rather than counted as a take of its own.  Deleted clips keep their number,
so take 2 does not become take 1 when take 1 is thrown away: pass every clip of the
task, deleted or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskClip:
    """What numbering needs of one clip of a task."""

    id: int  # local id: storage order
    clip_id: str  # the provider's id
    full_song_of: str | None = None  # provider id of the take this full song completes


def take_labels(clips: Sequence[TaskClip]) -> dict[int, str]:
    """Local clip id -> label, for every clip of one task.

    A task with a single take gets no take labels (there is nothing to choose
    between); its full song is still called "full song".
    """
    takes = sorted((c for c in clips if not c.full_song_of), key=lambda c: c.id)
    number = {c.clip_id: i for i, c in enumerate(takes, 1)}
    several = len(takes) > 1
    labels = {c.id: f"take {number[c.clip_id]}" for c in takes if several}
    for clip in clips:
        if clip.full_song_of:
            n = number.get(clip.full_song_of)
            labels[clip.id] = f"take {n} · full song" if several and n else "full song"
    return labels


def take_label(clip: int, clips: Sequence[TaskClip]) -> str:
    """The label of ``clip`` among its task's ``clips``; "" when it needs none."""
    return take_labels(clips).get(clip, "")
