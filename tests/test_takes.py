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
