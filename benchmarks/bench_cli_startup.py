"""CLI start-up: ``sonic-studio-cli --help`` against ``python -c pass``, same run, alternating.

    python benchmarks/bench_cli_startup.py [--runs 15] [--no-cold]

Why its own benchmark: ``--help`` is what a script or a shell completion pays on every
call, and it was paying for the whole service stack (httpx, keyring, numpy, the store)
that argument parsing never uses.  Timed from process start to exit, each command in
turn per round so load drifts hit all of them alike:

- ``python -c pass`` (the floor),
- ``python -m sonic_studio.cli --help``,
- the installed ``sonic-studio-cli --help`` entry point (when the venv has it),
- ``sonic-studio-cli clips --help`` (a subcommand's help).

``--cold`` (on by default) also times the first run of ``--help`` from a fresh copy of the
package without byte-code, against the same copy after ``python -m compileall`` (what
``scripts/setup.sh`` now does), and against its second run: the first run of an install
must not be slower than the second.  Prints medians, ratios to ``python -c pass``, the
1-minute load, and a JSON line.  Target (issue 16): ``--help`` ≤ 3× ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATIO_TARGET = 3.0


def wall(cmd: list[str], pythonpath: Path = ROOT) -> float:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60, env=env)
    return time.perf_counter() - t


def commands() -> dict[str, list[str]]:
    py = sys.executable
    found = {
        "python -c pass": [py, "-c", "pass"],
        "python -m sonic_studio.cli --help": [py, "-m", "sonic_studio.cli", "--help"],
    }
    entry = Path(py).with_name("sonic-studio-cli")
    if entry.exists():  # the venv's entry point; PYTHONPATH makes it load this checkout
        found["sonic-studio-cli --help"] = [str(entry), "--help"]
        found["sonic-studio-cli clips --help"] = [str(entry), "clips", "--help"]
    else:
        found["sonic-studio-cli clips --help"] = [py, "-m", "sonic_studio.cli", "clips", "--help"]
    return found


def cold_runs(rounds: int) -> dict[str, float]:
    """First run without byte-code vs first run after compileall vs a warm (second) run."""
    cmd = [sys.executable, "-m", "sonic_studio.cli", "--help"]
    first, compiled, second = [], [], []
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="cli-cold-") as tmp:
            plain, built = Path(tmp) / "plain", Path(tmp) / "built"
            shutil.copytree(ROOT / "sonic_studio", plain / "sonic_studio", ignore=ignore)
            shutil.copytree(ROOT / "sonic_studio", built / "sonic_studio", ignore=ignore)
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(built / "sonic_studio")], check=True)
            first.append(wall(cmd, plain))
            compiled.append(wall(cmd, built))
            second.append(wall(cmd, plain))
    med = statistics.median
    return {"first run, no byte-code": med(first), "first run after compileall": med(compiled),
            "second run": med(second)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-cold", action="store_true", help="skip the first-run (byte-code) comparison")
    args = parser.parse_args()
    cmds = commands()
    for cmd in cmds.values():  # warm the page cache and write byte-code
        wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            times[name].append(wall(cmd))
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["python -c pass"]
    cold = {} if args.no_cold else cold_runs(max(3, args.runs // 3))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    print(f"CLI start-up - median of {args.runs} runs, {os.cpu_count()} CPUs, 1-min load {load:.2f}")
    print(f"{'command':<40}{'median':>10}{'÷ pass':>9}")
    for name, value in medians.items():
        verdict = ""
        if name != "python -c pass":
            verdict = "  PASS" if value / floor <= RATIO_TARGET else "  MISS"
        print(f"{name:<40}{value * 1000:>7.0f} ms{value / floor:>9.2f}{verdict}")
    for name, value in cold.items():
        print(f"{'--help, ' + name:<40}{value * 1000:>7.0f} ms{value / floor:>9.2f}")
    print(json.dumps({
        "runs": args.runs, "load_average_1min": round(load, 2),
        "median_ms": {name: round(v * 1000, 1) for name, v in medians.items()},
        "ratio_to_pass": {name: round(v / floor, 2) for name, v in medians.items()},
        "cold_ms": {name: round(v * 1000, 1) for name, v in cold.items()},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
