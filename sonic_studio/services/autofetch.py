"""Auto-fetch: after a result arrives, also ask for its whole song, WAV and timed lyrics.

Provider files expire (sunoapi.org keeps them 14 days; several AI Music API tools only
work on clips younger than a day), so the window can fetch what a person always wants
the moment a song lands, as chosen in Settings (``Settings.auto_fetch_on``; the whole
song after an extend is on by default on the AI Music API only).  Every request goes
through ``DeliverableService.request`` - persisted before it is sent, resumed after a
crash, never asked for twice - exactly as if the button had been clicked.

WAV and timed lyrics go to the song a person will keep: when a whole song is being
fetched from the provider for an extension, they follow that whole song (its task
finishes later and comes through here again) instead of the bare extension.

Only the window turns this on (``Studio(auto_fetch=True)``): the CLI does what its
flags say (``extend --wait`` fetches the whole song unless ``--no-whole-song``).
"""

from __future__ import annotations

import logging

from ..core.errors import StudioError
from ..core.models import AssetKind, TaskKind
from ..store.records import TaskRecord, TaskState
from .deliverables import DeliverableService
from .events import Notice
from .settings import AUTO_FETCH_KINDS

log = logging.getLogger(__name__)

_SONGS = (TaskKind.GENERATE, TaskKind.EXTEND, TaskKind.COVER, TaskKind.UPLOAD_EXTEND, TaskKind.UPLOAD_COVER,
          TaskKind.CONCAT)
_EXTENSIONS = (TaskKind.EXTEND, TaskKind.UPLOAD_EXTEND)


class AutoFetch:
    def __init__(self, ctx, deliverables: DeliverableService) -> None:
        self._ctx = ctx
        self._deliverables = deliverables
        # (clip, kind) pairs taken by a run that has not sent its request yet: a task that
        # finishes twice in quick succession must not start two requests for one thing.
        self._claimed: set[tuple[int, AssetKind]] = set()

    def wanted(self, task: TaskRecord) -> list[tuple[int, AssetKind]]:
        """(clip, kind) pairs to ask for now that ``task`` has finished; empty when nothing is on."""
        settings = self._ctx.settings
        if (task.kind not in _SONGS or task.state not in (TaskState.SUCCEEDED, TaskState.PARTIAL)
                or task.provider is not self._ctx.provider_id):
            return []
        on = {kind for kind in AUTO_FETCH_KINDS if settings.auto_fetch_on(task.provider, kind)}
        whole_from_provider = not self._ctx.capabilities.deliverable(AssetKind.WHOLE_SONG).local
        pairs = []
        for clip in task.clip_ids:
            row = self._ctx.store.clips.row(clip)
            if not row.audio_path:
                continue  # a clip that did not arrive has nothing to finish
            whole = task.kind in _EXTENSIONS and AssetKind.WHOLE_SONG in on
            if whole:
                pairs.append((clip, AssetKind.WHOLE_SONG))
            if whole and whole_from_provider:
                continue  # WAV and lyrics follow the whole song when its task finishes
            pairs += [(clip, kind) for kind in (AssetKind.WAV, AssetKind.LYRICS_TIMELINE) if kind in on]
        return [pair for pair in pairs if pair not in self._claimed and not self._asked_before(*pair)]

    def _asked_before(self, clip: int, kind: AssetKind) -> bool:
        """Auto-fetch asks once per clip and kind, ever: a task checked again (it finishes a
        second time) or a fetch that failed is never paid for again without a person asking."""
        store = self._ctx.store
        task_kind = TaskKind.CONCAT if kind is AssetKind.WHOLE_SONG else TaskKind(kind.value)
        return bool(store.tasks.for_source(clip, [task_kind]) or store.assets.for_clip(clip, kind))

    def claim(self, task: TaskRecord) -> list[tuple[int, AssetKind]]:
        """``wanted``, reserved for one run (call it synchronously when the task finishes)."""
        pairs = self.wanted(task)
        self._claimed.update(pairs)
        return pairs

    async def fetch(self, pairs: list[tuple[int, AssetKind]]) -> None:
        """Ask for each claimed pair, one by one; a refusal is a notice, never an exception."""
        try:
            for clip, kind in pairs:
                row = self._ctx.store.clips.row(clip)
                try:
                    outcome = await self._deliverables.request(clip, kind)
                except StudioError as exc:
                    log.info("auto-fetch of %s for clip %s refused: %s", kind.value, clip, exc)
                    self._ctx.events.emit(Notice(f"The {kind.label} of “{row.title or row.clip_id}” was not "
                                                 f"fetched automatically: {exc}"))
                    continue
                finally:
                    self._claimed.discard((clip, kind))  # from here on the task row or asset says it
                if outcome.task is not None:
                    log.info("auto-fetch: asked for the %s of clip %s (task %s)", kind.value, clip, outcome.task.id)
        finally:
            self._claimed.difference_update(pairs)
