"""Stems preview benchmark (issue 12): 12 stems x 4 min, mixed the way the stems view mixes.

Run from a checkout with the app installed::

    python benchmarks/bench_stems_mix.py            # 5 runs, medians
    python benchmarks/bench_stems_mix.py --runs 9 --json-out result.json

It synthesises twelve 4-minute 44.1 kHz stereo MP3 stems once (temp folder), then measures
side by side in the same run:

- **first audible second**: ``mix.load_stems(paths, seconds=1)`` + ``render_mix`` - the
  first second of every stem decoded in parallel and mixed (target <= 300 ms).
- **whole mix / bare amix**: ``load_stems`` of the whole files + ``render_mix``, against a
  bare ``ffmpeg -i x12 -filter_complex amix=inputs=12 -ac 1 -ar 22050 -f s16le -`` read to
  the end, same binary, same output format (target ratio <= 1.5).

The UI-loop part of the target (no stall > 50 ms while rendering) needs the stems view,
which is not built yet; everything here runs off the loop by design (worker threads).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from sonic_studio.audio.ffmpeg import ffmpeg_exe
from sonic_studio.audio.mix import load_stems, render_mix

SECONDS, STEMS, SR = 240.0, 12, 22050


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


def bare_amix(paths: dict[str, Path]) -> float:
    command = [ffmpeg_exe(), "-v", "error"]
    for path in paths.values():
        command += ["-i", str(path)]
    command += ["-filter_complex", f"amix=inputs={len(paths)}", "-ac", "1", "-ar", str(SR), "-f", "s16le", "-"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def ours(paths: dict[str, Path], seconds: float | None) -> float:
    start = time.perf_counter()
    mix = render_mix(load_stems(paths, SR, seconds))
    assert len(mix) >= SR * (seconds or SECONDS) * 0.99 and np.any(mix)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    paths = make_stems(Path(tempfile.gettempdir()) / "sonic-studio-bench-stems")
    first, whole, bare = [], [], []
    for run in range(args.runs):
        first.append(ours(paths, 1.0))
        pair = [lambda: whole.append(ours(paths, None)), lambda: bare.append(bare_amix(paths))]
        for job in pair if run % 2 == 0 else reversed(pair):
            job()
    result = {
        "first_audible_second_ms": round(statistics.median(first) * 1000, 1),
        "whole_mix_s": round(statistics.median(whole), 3),
        "bare_amix_s": round(statistics.median(bare), 3),
    }
    result["ratio"] = round(result["whole_mix_s"] / result["bare_amix_s"], 2)
    result["pass"] = result["first_audible_second_ms"] <= 300 and result["ratio"] <= 1.5
    print(json.dumps(result, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
