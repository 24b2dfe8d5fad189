"""Stems preview benchmark (issue 12): 12 stems x 4 min, mixed the way the stems view plays them.

Run from a checkout with the app installed::

    python benchmarks/bench_stems_mix.py            # 5 runs, medians
    python benchmarks/bench_stems_mix.py --runs 9 --json-out result.json

It synthesises twelve 4-minute 44.1 kHz stereo MP3 stems once (temp folder), then measures
side by side in the same run, alternating which goes first:

- **first audible second**: from pressing play on a cold view (``StemDeck.start`` - one
  ffmpeg decoding every stem) until ``MixRender`` has written the first second of the
  mix into the preview file the player plays (target <= 300 ms);
- **whole mix / bare amix**: until the whole preview file is written, against a bare
  ``ffmpeg -i x12 -filter_complex amix=inputs=12 -ac 1 -ar RATE -f s16le -`` read to the
  end, same binary, same output rate (target ratio <= 1.5);
- **UI stall**: a 5 ms QTimer runs in a real Qt event loop while the view's render runs;
  the longest gap between its ticks beyond 5 ms is the longest the UI could not react
  (target <= 50 ms).  The same probe then runs for as long again with nothing rendering:
  on a shared, overloaded machine the loop stalls without us too, and that figure says
  how much of the stall is the machine's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QTimer

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.mix import MixRender, PreviewFile, weights
from sonic_studio.audio.stem_deck import PREVIEW_RATE, StemDeck

SECONDS, STEMS = 240.0, 12
TICK_MS = 5


def make_stems(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for index in range(STEMS):
        path = folder / f"stem-{index:02d}.mp3"
        if not path.exists():
            tone = f"sine=frequency={110 * (index + 1)}:sample_rate=44100:duration={SECONDS}"
            subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", tone, "-ac", "2", "-b:a", "192k",
                            str(path)], check=True)
        paths[path.stem] = path
    return paths


def bare_amix(paths: dict[str, Path], rate: int) -> float:
    command = [ffmpeg_exe(), "-v", "error"]
    for path in paths.values():
        command += ["-i", str(path)]
    command += ["-filter_complex", f"amix=inputs={len(paths)}", "-ac", "1", "-ar", str(rate),
                "-f", "s16le", "-"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def run_loop(done) -> float:
    """Run a real Qt event loop until ``done()``; the longest gap between 5 ms probe ticks
    beyond their interval, in seconds (how long the UI could not have reacted)."""
    loop = QEventLoop()
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(TICK_MS)
    last, worst = [0], [0]

    def tick() -> None:
        now = clock.elapsed()
        worst[0] = max(worst[0], now - last[0] - TICK_MS)
        last[0] = now

    probe.timeout.connect(tick)
    watch = QTimer()
    watch.setInterval(20)
    watch.timeout.connect(lambda: loop.quit() if done() else None)
    clock.start()
    probe.start()
    watch.start()
    loop.exec()
    probe.stop()
    watch.stop()
    return worst[0] / 1000


def ours(paths: dict[str, Path], out: Path, rate: int) -> tuple[float, float, float]:
    """(first audible second, whole mix, longest UI stall), seconds - in a running Qt loop."""
    result: dict[str, float] = {}
    start = time.perf_counter()
    deck = StemDeck(paths, rate)
    deck.start()
    deck.wait_duration()
    file = PreviewFile(out, deck.frames, deck.rate)
    render = MixRender(deck, file, weights(deck.names)).start()
    render.first_second.add_done_callback(lambda _f: result.setdefault("first", time.perf_counter() - start))
    stall = run_loop(render.finished.done)
    whole = time.perf_counter() - start
    render.finished.result()
    deck.close()
    file.close()
    return result["first"], whole, stall


def idle(seconds: float) -> float:
    """The same probe with nothing rendering: what the machine alone costs the loop."""
    until = time.perf_counter() + seconds
    return run_loop(lambda: time.perf_counter() >= until)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--rate", type=int, default=PREVIEW_RATE, help="preview sample rate (Hz)")
    args = parser.parse_args()
    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 - the loop the probe runs in
    paths = make_stems(Path(tempfile.gettempdir()) / "sonic-studio-bench-stems")
    out = Path(tempfile.gettempdir()) / "sonic-studio-bench-preview.wav"
    first, whole, stall, bare, quiet = [], [], [], [], []
    for run in range(args.runs):
        def mine() -> None:
            f, w, s = ours(paths, out, args.rate)
            first.append(f)
            whole.append(w)
            stall.append(s)
            quiet.append(idle(w))

        pair = [mine, lambda: bare.append(bare_amix(paths, args.rate))]
        for job in pair if run % 2 == 0 else reversed(pair):
            job()
    out.unlink(missing_ok=True)
    result = {
        "runs": args.runs,
        "preview_rate_hz": args.rate,
        "first_audible_second_ms": round(statistics.median(first) * 1000, 1),
        "whole_mix_s": round(statistics.median(whole), 3),
        "bare_amix_s": round(statistics.median(bare), 3),
        "ui_longest_stall_ms": round(statistics.median(stall) * 1000, 1),
        "ui_longest_stall_worst_run_ms": round(max(stall) * 1000, 1),
        "ui_longest_stall_idle_ms": round(statistics.median(quiet) * 1000, 1),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    result["ratio"] = round(result["whole_mix_s"] / result["bare_amix_s"], 2)
    result["pass"] = (result["first_audible_second_ms"] <= 300 and result["ratio"] <= 1.5
                      and result["ui_longest_stall_ms"] <= 50)
    print(json.dumps(result, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
