"""Take labels: the two clips of a task are told apart the same way everywhere."""

from __future__ import annotations

from sonic_studio.core.takes import TaskClip, take_label, take_labels


def test_two_takes_are_numbered_in_the_order_they_were_stored():
    clips = [TaskClip(12, "b-id"), TaskClip(11, "a-id")]  # given out of order
    assert take_labels(clips) == {11: "take 1", 12: "take 2"}
    assert take_label(12, clips) == "take 2"


def test_a_single_clip_needs_no_label():
    assert take_labels([TaskClip(5, "only")]) == {}
    assert take_label(5, [TaskClip(5, "only")]) == ""


def test_full_songs_are_named_after_the_take_they_complete():
    clips = [TaskClip(1, "ext-a"), TaskClip(2, "ext-b"),
             TaskClip(3, "full-b", full_song_of="ext-b"), TaskClip(4, "full-a", full_song_of="ext-a")]
    assert take_labels(clips) == {1: "take 1", 2: "take 2", 3: "take 2 · full song", 4: "take 1 · full song"}
    one = [TaskClip(1, "ext"), TaskClip(2, "full", full_song_of="ext")]
    assert take_labels(one) == {2: "full song"}


def test_numbers_do_not_shift_when_a_take_is_deleted():
    # The caller passes deleted clips too; only it knows, and numbering ignores it.
    clips = [TaskClip(7, "x"), TaskClip(8, "y"), TaskClip(9, "z")]
    assert take_label(9, clips) == "take 3"


def test_a_full_song_of_an_unknown_take_is_still_a_full_song():
    clips = [TaskClip(1, "a"), TaskClip(2, "b"), TaskClip(3, "full", full_song_of="gone")]
    assert take_labels(clips)[3] == "full song"


# ---------------------------------------------------------------------------- in the library


def _task_with_takes(store, *clip_ids: str, full_song_of: dict[str, str] | None = None) -> list[int]:
    from sonic_studio.core.models import Clip, ProviderId, TaskKind

    task = store.tasks.create(ProviderId.SONIC, TaskKind.EXTEND, title="t", request={}, base_url="https://x")
    ids = []
    for cid in clip_ids:
        clip = Clip(id=cid, provider=ProviderId.SONIC, title="Night Drive",
                    full_song_of=(full_song_of or {}).get(cid))
        row, _ = store.clips.upsert(clip, task=task.id)
        ids.append(row.id)
    return ids


def test_library_rows_and_details_carry_their_take_label(sandbox):
    from sonic_studio.store import ClipQuery, Store

    store = Store.open(sandbox)
    try:
        one, two, full = _task_with_takes(store, "a", "b", "fb", full_song_of={"fb": "b"})
        alone, = _task_with_takes(store, "solo")
        rows = {r.id: r for r in store.clips.query(ClipQuery())}
        assert [rows[i].take for i in (one, two, full, alone)] == ["take 1", "take 2", "take 2 · full song", ""]
        assert store.clips.detail(two).take == "take 2"
        store.clips.set_deleted(one, True)  # take 2 stays take 2
        assert store.clips.row(two).take == "take 2"
        assert [r.id for r in store.clips.takes(store.clips.row(two).task)] == [two, full]
    finally:
        store.close()


def test_keepers_are_marked_and_filtered_and_survive_reopening(sandbox):
    from sonic_studio.store import ClipQuery, Store

    store = Store.open(sandbox)
    one, two = _task_with_takes(store, "a", "b")
    assert not store.clips.row(two).keeper
    assert store.clips.set_keeper(two, True).keeper
    store.close()
    store = Store.open(sandbox)
    try:
        assert [r.id for r in store.clips.query(ClipQuery(keepers_only=True))] == [two]
        assert store.clips.count(ClipQuery(keepers_only=True)) == 1
        assert store.clips.count(ClipQuery()) == 2
        store.clips.set_keeper(two, False)
        assert store.clips.query(ClipQuery(keepers_only=True)) == []
    finally:
        store.close()
