"""Clips whose ids collide after sanitising each keep their own audio file.

A provider (or a hostile server) controls clip ids.  Ids that differ only in
punctuation, ids made of dots or spaces, emoji, and an id or title that echoes the API
key (as every clip's title) all reach the library through the real polling and download path; every clip
must end with its own, byte-exact file inside ``<library>/<provider>/`` and no file
name may contain the key.
"""

from __future__ import annotations

from pathlib import Path

from conftest import FAKE_KEY
from support import audio_payload
from test_tasks import make_studio, params, world  # noqa: F401  (fixtures)

from sonic_studio.emulator import synth
from sonic_studio.store import TaskState

COLLIDING = ["X.1", "X/1", "X 1", "..", ".", "🎵", "🎶"]


def serve_clips(world, task_id: str, ids: list[str]) -> dict[str, bytes]:
    """Make the fake provider's task finish with ``ids``, each with different audio."""
    task = world.tasks[task_id]
    task.clip_ids = ids
    audio = {}
    for n, clip_id in enumerate(ids):
        audio[clip_id] = synth.song_mp3(seed=100 + n, seconds=1.0, vocal=False)
        world.media[f"/{clip_id}.mp3"] = audio[clip_id]
    return audio


async def test_colliding_clip_ids_each_keep_their_own_file(make_studio, world):
    studio = await make_studio()
    original = world.status

    def status(task_id):  # every clip carries the same title, which also echoes the key
        result = original(task_id)
        return result.__class__(result.task_id, result.state, clips=[
            c.with_(title=f"Same {FAKE_KEY}", image_url=None) for c in result.clips], error=result.error)

    world.status = status
    task = await studio.tasks.submit_generate(params())
    audio = serve_clips(world, task.provider_task_id, COLLIDING)
    done = await studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED, done.detail
    paths = {}
    for clip in done.clip_ids:
        row = studio.library.get(clip)
        path = Path(row.audio_path)
        assert path.parent == studio.library_dir / "sonic"
        assert audio_payload(path.read_bytes()) == audio_payload(audio[row.clip_id]), row.clip_id
        paths[row.clip_id] = path
    assert len(set(paths.values())) == len(COLLIDING)
    names = [p.name for p in studio.library_dir.rglob("*")]
    assert not any(FAKE_KEY in name for name in names)
    assert len([n for n in names if n.endswith(".mp3")]) == len(COLLIDING)
