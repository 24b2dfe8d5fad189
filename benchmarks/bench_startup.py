"""Start-up: first paint AND a usable window, Sonic Studio vs a bare PySide6 window, same run.

    python benchmarks/bench_startup.py [--runs 7] [--clips 10000]

Every program is measured the same way, alternating, offscreen, from process start:
a ``sitecustomize.py`` put on PYTHONPATH swaps ``QApplication`` for a subclass that
watches the events of the program's ``QMainWindow``.  The app itself has no benchmark hook.

- **first paint**: the first Paint event of a ``QMainWindow`` (for the app that is its
  placeholder frame, before the studio has started).
- **usable window**: the main window has its panels attached (``window.ctx`` is set and
  the visible tab shows its real page), the library's clip model has answered its first
  query, and a paint of the window followed.  The resident memory (RSS) at that moment is
  reported too.  The app starts in demo mode (its emulator child included) over a data dir
  holding ``--clips`` clips written through the store (``bench_library.fill``).
- **baseline**: a bare ``QMainWindow`` with a ``QTabWidget`` of three tabs (the stack
  notes' baseline), whose first paint is also when it is usable.  MusicBrainz Picard and
  FeelUOwn are measured the same way (first paint) when installed; the output says when
  they are not.
- **CLI**: ``sonic-studio-cli --help`` (``python -m sonic_studio.cli --help``) against
  ``python -c pass``.

Targets (issues 6 and 16): first paint ≤ 1.5× the bare window; usable window ≤ 0.6 s with a
10k library and RSS ≤ 110 MB; CLI --help ≤ 3× ``python -c pass``.  Prints a table of medians
and ratios and a JSON line.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_library.fill
FIRST_PAINT_RATIO_TARGET = 1.5
USABLE_MS_TARGET = 600.0
USABLE_RSS_MB_TARGET = 110.0
CLI_RATIO_TARGET = 3.0

SITECUSTOMIZE = r'''
import json, os, sys, time, importlib.abc, importlib.util

_OUT = os.environ["STARTUP_PROBE_OUT"]
_UNTIL = os.environ.get("STARTUP_PROBE_UNTIL", "paint")  # paint | usable
_marks = {}


def _rss_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _finish():
    _marks["rss_mb"] = _rss_mb()
    with open(_OUT, "w") as fh:
        json.dump(_marks, fh)
    os._exit(0)


def _usable(window):
    """Panels attached, the visible tab's real page shown, the library answered."""
    from PySide6.QtCore import QAbstractItemModel
    if getattr(window, "ctx", None) is None:
        return False
    tabs = getattr(window, "tabs", None)
    if tabs is not None and (tabs.currentWidget() is None or not tabs.currentWidget().isVisible()):
        return False
    models = [m for m in window.findChildren(QAbstractItemModel) if type(m).__name__ == "ClipTableModel"]
    return bool(models) and all(getattr(m, "loaded", False) for m in models)


def _install(module):
    base = module.QApplication
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QMainWindow, QWidget

    class _Watch(QObject):
        def __init__(self):
            super().__init__()
            self.window = None
            self.ready = False
            self.timer = None

        def eventFilter(self, obj, event):
            if event.type() != QEvent.Type.Paint or not isinstance(obj, QWidget):
                return False
            window = obj.window()
            if not isinstance(window, QMainWindow):
                return False
            if "first_paint" not in _marks:
                _marks["first_paint"] = time.time()
                if _UNTIL == "paint":
                    _finish()
                self.window = window
                self.timer = QTimer()
                self.timer.timeout.connect(self.check)
                self.timer.start(2)
            elif self.ready:
                _marks["usable"] = time.time()
                _finish()
            return False

        def check(self):
            if self.window is not None and not self.ready and _usable(self.window):
                self.ready = True
                _marks["usable_state"] = time.time()
                self.timer.stop()
                self.window.update()  # the paint that shows it

    class ProbeApplication(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._probe = _Watch()
            self.installEventFilter(self._probe)

    module.QApplication = ProbeApplication


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "PySide6.QtWidgets":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = spec.loader
        original = loader.exec_module
        def exec_module(module):
            original(module)
            _install(module)
        loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _Finder())
'''

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget
app = QApplication(sys.argv[:1])
w = QMainWindow(); tabs = QTabWidget()
for name in ("Upload", "Extend / Cover", "Persona"):
    tabs.addTab(QWidget(), name)
w.setCentralWidget(tabs); w.resize(1280, 800); w.show()
app.exec()
"""

# Other Qt music apps, started the same way when installed (first paint only: their
# "usable" means something else).  name: command
OTHERS = {"MusicBrainz Picard": ["picard"], "FeelUOwn": ["feeluown"]}


def _env(probe_dir: Path, data_dir: Path, out: Path, until: str) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.*=false",
        "PYTHONPATH": os.pathsep.join([str(probe_dir), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "STARTUP_PROBE_OUT": str(out),
        "STARTUP_PROBE_UNTIL": until,
        "XDG_CONFIG_HOME": str(data_dir / "config"),
        "XDG_DATA_HOME": str(data_dir / "xdg-data"),
        "XDG_CACHE_HOME": str(data_dir / "cache"),
    }


def measure(cmd: list[str], probe_dir: Path, data_dir: Path, until: str = "paint") -> dict[str, float]:
    """Seconds from process start to each mark, and the RSS at the last one."""
    out = probe_dir / "marks.json"
    out.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(cmd, env=_env(probe_dir, data_dir, out, until), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    if not out.exists():
        raise RuntimeError(f"no {until} recorded for {cmd}")
    marks = json.loads(out.read_text())
    return {k: (v - start if k != "rss_mb" else v) for k, v in marks.items() if v is not None}


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])})
    return time.perf_counter() - t


def fill_library(data_dir: Path, clips: int) -> None:
    """``clips`` clips through the store, in a child process (this one stays Qt-free)."""
    code = ("import sys; from pathlib import Path; from PySide6.QtGui import QGuiApplication; "
            "app = QGuiApplication(['x']); import bench_library as b; "
            "b.fill(Path(sys.argv[1]), int(sys.argv[2]), 100)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent), str(ROOT),
                                          os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code, str(data_dir), str(clips)], env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clips", type=int, default=10_000, help="clips in the app's library")
    args = parser.parse_args()
    med = statistics.median
    with tempfile.TemporaryDirectory(prefix="sonic-startup-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
        data = tmp_path / "data"
        data.mkdir()
        if args.clips:
            fill_library(data, args.clips)
        app_cmd = [sys.executable, "-c", "import sys; from sonic_studio.app import main; sys.exit(main())",
                   "--demo", "--data-dir", str(data)]
        bare_cmd = [sys.executable, "-c", BARE]
        others = {name: cmd for name, cmd in OTHERS.items() if shutil.which(cmd[0])}
        for _ in range(2):  # warm the page cache for all
            measure(bare_cmd, tmp_path, data)
            measure(app_cmd, tmp_path, data, "usable")
            for cmd in others.values():
                measure(cmd, tmp_path, data)
        bare, ours, other_runs = [], [], {name: [] for name in others}
        for _ in range(args.runs):
            bare.append(measure(bare_cmd, tmp_path, data)["first_paint"])
            ours.append(measure(app_cmd, tmp_path, data, "usable"))
            for name, cmd in others.items():
                other_runs[name].append(measure(cmd, tmp_path, data)["first_paint"])
        cli_cmd = [sys.executable, "-m", "sonic_studio.cli", "--help"]
        pass_cmd = [sys.executable, "-c", "pass"]
        cli, bare_py = [], []
        for _ in range(max(args.runs, 7)):
            bare_py.append(wall(pass_cmd))
            cli.append(wall(cli_cmd))
    b = med(bare)
    first = med(r["first_paint"] for r in ours)
    usable = med(r["usable"] for r in ours)
    rss = med(r["rss_mb"] for r in ours)
    cli_ratio = med(cli) / med(bare_py)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(f"start-up benchmark - median of {args.runs} runs, {args.clips:,} clips in the library, demo mode, "
          f"{os.cpu_count()} CPUs, 1-min load {load:.2f}")
    print(f"{'figure':<52}{'median':>10}{'÷ bare':>9}{'target':>12}")
    print(f"{'bare QMainWindow+QTabWidget first paint (= usable)':<52}{b * 1000:>7.0f} ms{1:>9.2f}")
    print(f"{'Sonic Studio first paint':<52}{first * 1000:>7.0f} ms{first / b:>9.2f}{'≤ 1.5× bare':>12}  "
          f"{verdict(first / b <= FIRST_PAINT_RATIO_TARGET)}")
    print(f"{'Sonic Studio usable window':<52}{usable * 1000:>7.0f} ms{usable / b:>9.2f}{'≤ 600 ms':>12}  "
          f"{verdict(usable * 1000 <= USABLE_MS_TARGET)}")
    print(f"{'Sonic Studio RSS at usable window':<52}{rss:>7.0f} MB{'':>9}{'≤ 110 MB':>12}  "
          f"{verdict(rss <= USABLE_RSS_MB_TARGET)}")
    for name, runs in other_runs.items():
        value = med(runs)
        print(f"{name + ' first paint':<52}{value * 1000:>7.0f} ms{value / b:>9.2f}   "
              f"(usable ÷ this: {usable / value:.2f}, target ≤ 0.9)")
    for name in OTHERS.keys() - others.keys():
        print(f"{name + ' first paint':<52}{'not installed, not measured':>31}")
    print(f"{'python -c pass':<52}{med(bare_py) * 1000:>7.0f} ms")
    print(f"{'sonic-studio-cli --help':<52}{med(cli) * 1000:>7.0f} ms{cli_ratio:>9.2f}{'≤ 3× pass':>12}  "
          f"{verdict(cli_ratio <= CLI_RATIO_TARGET)}")
    print(json.dumps({
        "runs": args.runs, "clips": args.clips, "load_average_1min": round(load, 2),
        "bare_ms": round(b * 1000, 1), "first_paint_ms": round(first * 1000, 1),
        "first_paint_ratio": round(first / b, 3), "usable_ms": round(usable * 1000, 1),
        "usable_ratio": round(usable / b, 3), "usable_rss_mb": round(rss, 1),
        "others_first_paint_ms": {name: round(med(r) * 1000, 1) for name, r in other_runs.items()},
        "not_installed": sorted(OTHERS.keys() - others.keys()),
        "cli_help_ms": round(med(cli) * 1000, 1), "python_pass_ms": round(med(bare_py) * 1000, 1),
        "cli_help_ratio": round(cli_ratio, 2),
        "pass": {"first_paint": first / b <= FIRST_PAINT_RATIO_TARGET, "usable": usable * 1000 <= USABLE_MS_TARGET,
                 "usable_rss": rss <= USABLE_RSS_MB_TARGET, "cli_help": cli_ratio <= CLI_RATIO_TARGET},
        "bare_runs_ms": [round(x * 1000) for x in bare],
        "usable_runs_ms": [round(r["usable"] * 1000) for r in ours],
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
