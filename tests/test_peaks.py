"""Peak pyramid and its disk cache, checked against brute force on random data."""

from __future__ import annotations

import os

import numpy as np
import pytest

from sonic_studio.audio.peak_cache import FileStamp, PeakCache
from sonic_studio.audio.peaks import PeakBuilder, PeakPyramid, build_pyramid

SR, BUCKET = 8000, 64
LENGTHS = [1, 63, 64, 65, 1000, 4096, 12_345, 64 * 1024 + 17, 200_003]


def random_samples(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-32768, 32768, size=n, dtype=np.int32).astype(np.int16)


def brute_level(x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    starts = range(0, len(x), size)
    return (np.array([x[i : i + size].min() for i in starts], dtype=np.int16),
            np.array([x[i : i + size].max() for i in starts], dtype=np.int16))


def brute_columns(x: np.ndarray, pyr: PeakPyramid, start_s: float, end_s: float, n: int):
    """Column j reduces raw samples of the buckets the documented rule assigns to it."""
    spc = (end_s - start_s) * SR / n
    size = pyr.bucket << pyr.level_for(spc)
    edges = np.floor(start_s * SR + np.arange(n + 1) * spc).astype(np.int64)
    mins = np.full(n, np.nan, dtype=np.float32)
    maxs = np.full(n, np.nan, dtype=np.float32)
    for j in range(n):
        if edges[j] < 0 or edges[j] >= len(x):
            continue
        if spc < BUCKET:
            b = edges[j] // BUCKET
            seg = x[b * BUCKET : (b + 1) * BUCKET]
        else:
            seg = x[(edges[j] // size) * size : (edges[j + 1] // size) * size]
        if len(seg):
            mins[j], maxs[j] = seg.min() / 32768, seg.max() / 32768
    return mins, maxs


@pytest.mark.parametrize("n", LENGTHS)
def test_every_level_matches_brute_force(n):
    x = random_samples(n, seed=n)
    pyr = build_pyramid(x, SR, BUCKET)
    assert pyr.complete and pyr.n_samples == n
    assert len(pyr.levels[-1][0]) == 1  # the top level is one bucket over everything
    assert pyr.levels[-1][0][0] == x.min() and pyr.levels[-1][1][0] == x.max()
    for k, (mins, maxs) in enumerate(pyr.levels):
        want_min, want_max = brute_level(x, BUCKET << k)
        np.testing.assert_array_equal(mins, want_min, err_msg=f"level {k} mins")
        np.testing.assert_array_equal(maxs, want_max, err_msg=f"level {k} maxs")


@pytest.mark.parametrize("n", [1000, 64 * 1024 + 17, 200_003])
def test_levels_are_consistent_with_each_other(n):
    pyr = build_pyramid(random_samples(n, seed=1), SR, BUCKET)
    for (fine_min, fine_max), (coarse_min, coarse_max) in zip(pyr.levels, pyr.levels[1:]):
        assert len(coarse_min) == (len(fine_min) + 1) // 2
        padded_min = np.append(fine_min, fine_min[-1]) if len(fine_min) % 2 else fine_min
        padded_max = np.append(fine_max, fine_max[-1]) if len(fine_max) % 2 else fine_max
        np.testing.assert_array_equal(coarse_min, padded_min.reshape(-1, 2).min(axis=1))
        np.testing.assert_array_equal(coarse_max, padded_max.reshape(-1, 2).max(axis=1))
        assert (coarse_min <= coarse_max).all()


@pytest.mark.parametrize("n", [64 * 1024 + 17, 200_003])
@pytest.mark.parametrize("seed", range(3))
def test_incremental_building_equals_one_shot(n, seed):
    x = random_samples(n, seed=seed)
    rng = np.random.default_rng(seed + 100)
    builder = PeakBuilder(SR, BUCKET)
    pos = 0
    while pos < n:
        step = int(rng.integers(1, 9000))
        builder.feed(x[pos : pos + step])
        pos += step
        partial = builder.snapshot()
        assert not partial.complete
        assert partial.n_samples == (pos if pos < n else n) // BUCKET * BUCKET  # complete buckets only
    incremental = builder.finish()
    one_shot = build_pyramid(x, SR, BUCKET)
    assert incremental.n_samples == one_shot.n_samples
    assert len(incremental.levels) == len(one_shot.levels)
    for (a_min, a_max), (b_min, b_max) in zip(incremental.levels, one_shot.levels):
        np.testing.assert_array_equal(a_min, b_min)
        np.testing.assert_array_equal(a_max, b_max)


def test_snapshots_stay_valid_while_the_builder_grows():
    x = random_samples(300_000, seed=5)
    builder = PeakBuilder(SR, BUCKET)  # starts small: feeding forces reallocations
    builder.feed(x[:10_000])
    early = builder.snapshot()
    frozen = [level.copy() for level in early.base]
    for i in range(10_000, len(x), 7_000):
        builder.feed(x[i : i + 7_000])
    builder.finish()
    np.testing.assert_array_equal(early.base[0], frozen[0])
    np.testing.assert_array_equal(early.base[1], frozen[1])


@pytest.mark.parametrize(
    "start_s,end_s,n",
    [(0.0, 25.0, 800), (0.0, 25.0, 137), (3.3, 17.77, 1201), (10.0, 10.5, 640),  # 0.5 s: finer than a bucket
     (0.0, 30.0, 1), (24.0, 40.0, 300), (-1.0, 5.0, 100), (0.017, 24.9, 3)],
)
def test_column_range_matches_brute_force(start_s, end_s, n):
    x = random_samples(200_003, seed=9)  # 25.0004 s at 8 kHz
    pyr = build_pyramid(x, SR, BUCKET)
    got_min, got_max = pyr.column_range(start_s, end_s, n)
    want_min, want_max = brute_columns(x, pyr, start_s, end_s, n)
    assert len(got_min) == n
    np.testing.assert_array_equal(np.isnan(got_min), np.isnan(want_min))
    np.testing.assert_array_equal(got_min, want_min)
    np.testing.assert_array_equal(got_max, want_max)


def test_column_range_picks_the_level_that_fits_the_pixels():
    pyr = build_pyramid(random_samples(500_000, seed=2), SR, BUCKET)
    for spc in (1, 63.9, 64, 100, 127.99, 128, 1000, 4096, 1e9):
        k = pyr.level_for(spc)
        size = BUCKET << k
        if spc < BUCKET:
            assert k == 0
        elif k < len(pyr.levels) - 1:
            assert size <= spc < 2 * size
        else:
            assert size <= spc


def test_column_range_of_whole_clip_covers_the_true_extremes():
    x = random_samples(123_457, seed=3)
    pyr = build_pyramid(x, SR, BUCKET)
    mins, maxs = pyr.column_range(0.0, len(x) / SR, 97)
    assert np.isfinite(mins).all()
    assert np.nanmin(mins) == x.min() / 32768 and np.nanmax(maxs) == x.max() / 32768


def test_partial_pyramid_leaves_undecoded_columns_empty():
    x = random_samples(80_000, seed=4)  # 10 s
    builder = PeakBuilder(SR, BUCKET)
    builder.feed(x[:40_000])
    builder.duration_hint = 10.0
    snap = builder.snapshot()
    assert snap.duration == 10.0 and snap.decoded_seconds == 5.0
    mins, _ = snap.column_range(0.0, 10.0, 100)
    assert np.isfinite(mins[:50]).all() and np.isnan(mins[50:]).all()


def test_empty_audio_gives_an_empty_pyramid():
    pyr = build_pyramid(np.zeros(0, dtype=np.int16))
    assert pyr.n_samples == 0 and pyr.duration == 0
    assert np.isnan(pyr.column_range(0, 1, 10)[0]).all()


# -- cache -------------------------------------------------------------------------


def write_audio_stand_in(path, data: bytes, mtime_ns: int) -> None:
    path.write_bytes(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_cache_hit_returns_the_same_pyramid(tmp_path):
    clip = tmp_path / "clip.mp3"
    write_audio_stand_in(clip, b"x" * 1000, 1_700_000_000_000_000_000)
    cache = PeakCache(tmp_path / "cache")
    assert cache.load(clip, SR, BUCKET) is None  # miss
    pyr = build_pyramid(random_samples(99_999, seed=7), SR, BUCKET)
    cache.store(FileStamp(clip), pyr)
    hit = PeakCache(tmp_path / "cache").load(clip, SR, BUCKET)  # a fresh object reads the disk
    assert hit is not None and hit.complete and hit.n_samples == pyr.n_samples
    for (a_min, a_max), (b_min, b_max) in zip(hit.levels, pyr.levels):
        np.testing.assert_array_equal(a_min, b_min)
        np.testing.assert_array_equal(a_max, b_max)
    assert cache.load(clip, SR, BUCKET * 2) is None  # other decode settings, other entry


def test_cache_is_invalidated_when_the_file_changes(tmp_path):
    clip = tmp_path / "clip.mp3"
    write_audio_stand_in(clip, b"a" * 1000, 1_700_000_000_000_000_000)
    cache = PeakCache(tmp_path / "cache")
    cache.store(FileStamp(clip), build_pyramid(random_samples(5000, seed=1)))
    assert cache.load(clip, SR, BUCKET) is not None
    # Same size, new content, new mtime (an editor rewriting the file in place).
    write_audio_stand_in(clip, b"b" * 1000, 1_700_000_000_000_000_001)
    assert cache.load(clip, SR, BUCKET) is None
    # A different size with the old mtime misses too.
    write_audio_stand_in(clip, b"a" * 1001, 1_700_000_000_000_000_000)
    assert cache.load(clip, SR, BUCKET) is None
    # Stamped before a change: the entry is stale at once.
    stamp = FileStamp(clip)
    write_audio_stand_in(clip, b"c" * 1001, 1_700_000_000_000_000_002)
    cache.store(stamp, build_pyramid(random_samples(5000, seed=2)))
    assert cache.load(clip, SR, BUCKET) is None


def test_damaged_cache_entry_is_a_miss_and_removed(tmp_path):
    clip = tmp_path / "clip.mp3"
    write_audio_stand_in(clip, b"a" * 10, 1_700_000_000_000_000_000)
    cache = PeakCache(tmp_path / "cache")
    stamp = FileStamp(clip)
    cache.store(stamp, build_pyramid(random_samples(5000, seed=1)))
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(entry.read_bytes()[:-3])
    assert cache.load(clip, SR, BUCKET) is None
    assert not entry.exists()


def test_cache_prunes_least_recently_used(tmp_path):
    cache = PeakCache(tmp_path / "cache", max_bytes=3 * 2500)
    clips = []
    for i in range(5):
        clip = tmp_path / f"c{i}.mp3"
        write_audio_stand_in(clip, b"z" * (i + 1), 1_700_000_000_000_000_000)
        clips.append(clip)
        cache.store(FileStamp(clip), build_pyramid(random_samples(38_000, seed=i)))  # ~2.4 KB each
        entry = cache._entry(FileStamp(clip), SR, BUCKET)
        os.utime(entry, ns=(i * 10**9, i * 10**9))  # deterministic age order
    cache.prune()
    assert [cache.load(c, SR, BUCKET) is not None for c in clips] == [False, False, True, True, True]


def test_storing_a_partial_pyramid_is_refused(tmp_path):
    builder = PeakBuilder()
    builder.feed(random_samples(1000, seed=0))
    clip = tmp_path / "a.mp3"
    clip.write_bytes(b"1")
    with pytest.raises(ValueError):
        PeakCache(tmp_path).store(FileStamp(clip), builder.snapshot())
