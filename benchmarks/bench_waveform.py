"""Waveform benchmark: how fast an 8-minute song's peaks appear (issue 6, item 4).

Run it from a checkout with the app installed (``pip install -e .``)::

    python benchmarks/bench_waveform.py            # 7 runs (median reported)
    python benchmarks/bench_waveform.py --runs 11 --json-out result.json

It synthesises an 8:00, 192 kbps, 44.1 kHz stereo MP3 once (kept in the temp folder),
then measures, side by side in the same run so machine load hits both alike:

- **full peaks / bare decode**: the app's path (``PeakLoader`` on a Qt event loop:
  ffmpeg pipe, worker thread, pyramid, signals, cache write) against the bare
  ``ffmpeg -v error -i x.mp3 -ac 1 -ar 8000 -f s16le -`` read to the end, same binary.
  Each run times both, alternating which goes first; the ratio is of the medians.
- **full peaks / in-process decode floor**: the same loader run against what decoding
  the file costs without a child process at all: PyAV (FFmpeg's libraries in-process)
  decoding every frame, and again decoding and resampling to 8 kHz mono s16 (what the
  loader asks ffmpeg for).  PyAV is a measuring stick here only; the app does not use
  it (tried as the loader's decoder: not faster on this loaded 2-core machine, see
  docs/performance.md).  When it is not installed (``pip install av``) the script says so and skips it.
- **first partial**: from ``load()`` to the first partial waveform on the UI thread.
- **three views**: the player bar, the Persona tab and the Extend/Cover tab each load the
  clip (three ``PeakLoader``s, no cache), as one click in the library does: the time until
  all three have it, against one loader alone, and how many decodes were started (1).
- **cached re-open**: ``load()`` of a clip whose pyramid is in the disk cache, to the
  complete pyramid delivered (a fresh cache object each time, so it reads the disk).
- **extra peak memory**: in a fresh child process with numpy, Qt and the loader
  imported, the peak RSS while loading minus the RSS before (Linux resets the
  high-water mark through /proc/self/clear_refs); tracemalloc's peak is listed too.
  ffmpeg's own memory is the same for the bare decode and is not counted.

Prints a table and then one JSON document with every figure, its target and pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

TARGETS = {  # name: (target, unit, lower is better)
    "full_peaks_over_bare_decode": (1.15, "ratio"),
    "full_peaks_over_inprocess_decode": (1.2, "ratio"),  # issue 16: against the decode floor
    "first_partial_ms": (150.0, "ms"),
    "cached_reopen_ms": (20.0, "ms"),
    "extra_peak_memory_mb": (60.0, "MB"),
    # issue 16, item 3: three views of one clip share its decode
    "three_views_over_one_view": (1.2, "ratio"),
    "decodes_per_click_three_views": (1, "count"),
}
SECONDS = 480.0


def make_song(path: Path) -> Path:
    """8:00 of synthesised music (vocals, drums, pads), stereo 44.1 kHz, 192 kbps MP3."""
    import numpy as np

    from sonic_studio.audio.ffmpeg import ffmpeg_exe
    from sonic_studio.emulator.synth import SR, render

    if path.exists() and path.stat().st_size > 10_000_000:
        return path
    song = render(7, SECONDS)
    band = render(8, SECONDS, vocal=False)
    # Different mixes per side so the stereo downmix is real work, not a copy.
    left = 0.8 * song + 0.2 * band
    right = 0.8 * np.roll(song, int(0.012 * SR)) - 0.2 * band
    stereo = np.empty(2 * len(song), dtype="<f4")
    stereo[0::2], stereo[1::2] = left, right
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(SR), "-ac", "2", "-i", "-",
         "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3", str(tmp)],
        input=stereo.tobytes(), check=True,
    )
    os.replace(tmp, path)
    return path


def bare_decode(path: Path) -> float:
    from sonic_studio.audio.ffmpeg import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-ac", "1", "-ar", "8000", "-f", "s16le", "-"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=True)
    elapsed = time.perf_counter() - t0
    assert len(proc.stdout) > 7_000_000, "bare decode produced too little audio"
    return elapsed


def inprocess_decode(path: Path, *, resample: bool) -> float | None:
    """Seconds for PyAV to decode every frame (and resample to 8 kHz mono s16); None without PyAV."""
    try:
        import av
    except ImportError:
        return None
    t0 = time.perf_counter()
    samples = 0
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000) if resample else None
        for frame in container.decode(stream):
            if resampler is None:
                samples += frame.samples
                continue
            for out in resampler.resample(frame):
                samples += out.samples
        if resampler is not None:
            for out in resampler.resample(None):
                samples += out.samples
    elapsed = time.perf_counter() - t0
    assert samples > (SECONDS - 1) * (8000 if resample else 44100), "in-process decode produced too little audio"
    return elapsed


def loader_run(path: Path, cache_dir: Path) -> tuple[float, float, object]:
    """(seconds to first partial, seconds to complete pyramid, pyramid) via PeakLoader."""
    from PySide6.QtCore import QEventLoop, QTimer

    from sonic_studio.audio.loader import PeakLoader
    from sonic_studio.audio.peak_cache import PeakCache

    shutil.rmtree(cache_dir, ignore_errors=True)
    loader = PeakLoader(PeakCache(cache_dir))
    loop = QEventLoop()
    marks: dict[str, object] = {}

    def on_partial(_pyr) -> None:
        marks.setdefault("partial", time.perf_counter())

    def on_finished(pyr) -> None:
        marks["finished"] = time.perf_counter()
        marks["pyramid"] = pyr
        loop.quit()

    def on_failed(message: str) -> None:
        marks["error"] = message
        loop.quit()

    loader.partial.connect(on_partial)
    loader.finished.connect(on_finished)
    loader.failed.connect(on_failed)
    QTimer.singleShot(60_000, loop.quit)
    t0 = time.perf_counter()
    loader.load(path)
    loop.exec()
    loader.shutdown()
    if "error" in marks or "finished" not in marks:
        raise RuntimeError(f"loading failed: {marks.get('error', 'timeout')}")
    first = marks.get("partial", marks["finished"])
    return first - t0, marks["finished"] - t0, marks["pyramid"]  # type: ignore[operator]


def three_views_run(path: Path) -> tuple[float, int]:
    """(seconds until three loaders - the player bar, Persona, Extend/Cover - all have the
    complete pyramid, decodes started): one click on a clip, no cache."""
    from PySide6.QtCore import QEventLoop, QTimer

    from sonic_studio.audio import decode
    from sonic_studio.audio.loader import PeakLoader

    started = []
    real_start = decode.PcmStream._start

    def counting(stream):
        started.append(stream.path)
        return real_start(stream)

    decode.PcmStream._start = counting
    loop = QEventLoop()
    done: list[float] = []
    loaders = [PeakLoader(None) for _ in range(3)]
    for loader in loaders:
        loader.finished.connect(lambda _p: (done.append(time.perf_counter()), len(done) == 3 and loop.quit()))
        loader.failed.connect(lambda _m: loop.quit())
    QTimer.singleShot(60_000, loop.quit)
    try:
        t0 = time.perf_counter()
        for loader in loaders:
            loader.load(path)
        loop.exec()
    finally:
        decode.PcmStream._start = real_start
        for loader in loaders:
            loader.shutdown()
    if len(done) != 3:
        raise RuntimeError("three views: not every view got the waveform")
    return max(done) - t0, len(started)


def cached_reopen(path: Path, cache_dir: Path) -> float:
    from sonic_studio.audio.loader import PeakLoader
    from sonic_studio.audio.peak_cache import PeakCache

    loader = PeakLoader(PeakCache(cache_dir))
    got: list[object] = []
    loader.finished.connect(got.append)
    t0 = time.perf_counter()
    loader.load(path)  # a hit answers synchronously
    elapsed = time.perf_counter() - t0
    if not got or not got[0].complete:
        raise RuntimeError("cached re-open did not hit the cache")
    return elapsed


def _peak_rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB.

    Linux reads /proc (ru_maxrss would carry over the parent's peak across fork+exec);
    elsewhere ru_maxrss is the best there is.
    """
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # KB on Linux, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
        return peak, peak


def memory_child(path: str) -> None:
    """Runs in a fresh process: prints JSON with RSS figures in MB."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance() or QCoreApplication([])
    import numpy  # noqa: F401  (imported before the baseline on purpose)

    from sonic_studio.audio import decode, loader, peak_cache, peaks  # noqa: F401

    cache_dir = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    try:  # reset the high-water mark to the current RSS, so imports don't hide the load's peak
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    before, _ = _peak_rss_mb()
    tracemalloc.start()
    loader_run(Path(path), cache_dir)
    _, traced_peak = tracemalloc.get_traced_memory()
    _, after = _peak_rss_mb()
    shutil.rmtree(cache_dir, ignore_errors=True)
    del app
    print(json.dumps({"before_mb": before, "peak_mb": after, "extra_mb": max(0.0, after - before),
                      "traced_peak_mb": traced_peak / 2**20}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median; at least 5)")
    parser.add_argument("--song", type=Path, default=Path(tempfile.gettempdir()) / "sonic-studio-bench" / "song-8min-192k.mp3")
    parser.add_argument("--json-out", type=Path, help="also write the JSON here")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    runs = max(5, args.runs)

    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841  (the loader's event loop)

    t = time.perf_counter()
    song = make_song(args.song)
    print(f"song: {song} ({song.stat().st_size / 1e6:.1f} MB, ready in {time.perf_counter() - t:.1f} s)")
    cache_dir = Path(tempfile.mkdtemp(prefix="bench-peaks-"))

    bare_decode(song)  # warm the page cache and the binary once
    loader_run(song, cache_dir)
    have_pyav = inprocess_decode(song, resample=False) is not None
    if not have_pyav:
        print("PyAV is not installed: the in-process decode floor is not measured (pip install av)")
    bare, full, first, ratios, floor, floor_resampled = [], [], [], [], [], []
    for i in range(runs):
        if i % 2:
            f, t_full, pyramid = loader_run(song, cache_dir)
            b = bare_decode(song)
        else:
            b = bare_decode(song)
            f, t_full, pyramid = loader_run(song, cache_dir)
        if have_pyav:
            floor.append(inprocess_decode(song, resample=False))
            floor_resampled.append(inprocess_decode(song, resample=True))
        bare.append(b)
        full.append(t_full)
        first.append(f)
        ratios.append(t_full / b)
    views = [three_views_run(song) for _ in range(runs)]
    reopen = [cached_reopen(song, cache_dir) for _ in range(max(runs, 11))]
    shutil.rmtree(cache_dir, ignore_errors=True)

    mem = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--memory-child", str(song)],
                             capture_output=True, text=True, check=True)
        mem.append(json.loads(out.stdout.strip().splitlines()[-1]))

    med = statistics.median
    figures = {
        "full_peaks_over_bare_decode": med(full) / med(bare),
        "first_partial_ms": med(first) * 1000,
        "cached_reopen_ms": med(reopen) * 1000,
        "extra_peak_memory_mb": med(m["extra_mb"] for m in mem),
        "three_views_over_one_view": med(v[0] for v in views) / med(full),
        "decodes_per_click_three_views": max(v[1] for v in views),
    }
    if have_pyav:
        figures["full_peaks_over_inprocess_decode"] = med(full) / med(floor)
    details = {
        "bare_decode_s": med(bare),
        "full_peaks_s": med(full),
        "per_run_ratio_median": med(ratios),
        **({"inprocess_decode_s": med(floor), "inprocess_decode_resample_8k_s": med(floor_resampled),
            "full_peaks_over_inprocess_resample": med(full) / med(floor_resampled),
            "bare_ffmpeg_over_inprocess_resample": med(bare) / med(floor_resampled)} if have_pyav else {}),
        "python_rss_before_load_mb": med(m["before_mb"] for m in mem),
        "python_allocations_peak_mb": med(m["traced_peak_mb"] for m in mem),
        "song_seconds": pyramid.duration,  # type: ignore[union-attr]
        "base_buckets": len(pyramid.base[0]),  # type: ignore[union-attr]
    }
    results = {
        name: {"value": round(value, 3), "target": TARGETS[name][0], "unit": TARGETS[name][1],
               "pass": value <= TARGETS[name][0]}
        for name, value in figures.items()
    }

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nwaveform benchmark - median of {runs} runs ({platform.node()}, {os.cpu_count()} CPUs, "
          f"1-min load {load:.2f})\n")
    print(f"{'figure':<30} {'value':>10} {'target':>10}  result")
    print("-" * 62)
    for name, r in results.items():
        print(f"{name:<30} {r['value']:>10.3f} {'<= ' + str(r['target']):>10}  {'PASS' if r['pass'] else 'FAIL'}")
    print()
    for name, value in details.items():
        print(f"  {name}: {value:.3f}" if isinstance(value, float) else f"  {name}: {value}")
    document = {"benchmark": "waveform", "runs": runs, "load_average_1min": round(load, 2), "results": results,
                "details": {k: round(v, 4) if isinstance(v, float) else v for k, v in details.items()}}
    print("\n" + json.dumps(document, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(document, indent=2) + "\n")
    return 0 if all(r["pass"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
