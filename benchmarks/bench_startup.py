"""Start-up: process start → first painted main window, Sonic Studio vs a bare PySide6 window.

    python benchmarks/bench_startup.py [--runs 7]

Both are measured the same way, side by side in the same run (alternating), offscreen:
a ``sitecustomize.py`` put on PYTHONPATH swaps ``QApplication`` for a subclass that
watches for the first Paint event of a QMainWindow, writes the wall-clock time, and
exits the process.  The app itself has no benchmark hook.  The bare window is a
``QMainWindow`` with a ``QTabWidget`` of three tabs (the stack notes' baseline).

Target (issue 6): ratio ≤ 1.5.  Prints a table and a JSON line; medians of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5

SITECUSTOMIZE = r'''
import os, sys, time, importlib.abc, importlib.machinery

_OUT = os.environ["STARTUP_PROBE_OUT"]

def _install(module):
    base = module.QApplication
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QMainWindow

    class _Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
                with open(_OUT, "w") as fh:
                    fh.write(repr(time.time()))
                os._exit(0)
            return False

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

import importlib.util
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


def measure(cmd: list[str], probe_dir: Path, data_dir: Path) -> float:
    out = probe_dir / "painted.txt"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.*=false",
        "PYTHONPATH": os.pathsep.join([str(probe_dir), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "STARTUP_PROBE_OUT": str(out),
        "XDG_CONFIG_HOME": str(data_dir / "config"),
        "XDG_DATA_HOME": str(data_dir / "data"),
        "XDG_CACHE_HOME": str(data_dir / "cache"),
    }
    start = time.time()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    if not out.exists():
        raise RuntimeError(f"no paint recorded for {cmd}")
    return float(out.read_text()) - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sonic-startup-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
        data = tmp_path / "data"
        data.mkdir()
        app_cmd = [sys.executable, "-c", "import sys; from sonic_studio.app import main; sys.exit(main())",
                   "--demo", "--data-dir", str(data)]
        bare_cmd = [sys.executable, "-c", BARE]
        for _ in range(2):  # warm the page cache for both
            measure(bare_cmd, tmp_path, data)
            measure(app_cmd, tmp_path, data)
        bare, ours = [], []
        for _ in range(args.runs):
            bare.append(measure(bare_cmd, tmp_path, data))
            ours.append(measure(app_cmd, tmp_path, data))
    b, o = statistics.median(bare), statistics.median(ours)
    ratio = o / b
    print(f"{'figure':<40}{'median':>12}{'target':>12}")
    print(f"{'bare QMainWindow+QTabWidget first paint':<40}{b * 1000:>10.0f} ms{'':>12}")
    print(f"{'Sonic Studio first paint':<40}{o * 1000:>10.0f} ms{'':>12}")
    print(f"{'ratio':<40}{ratio:>12.2f}{'≤ ' + str(TARGET):>12}  {'PASS' if ratio <= TARGET else 'MISS'}")
    print(json.dumps({"bare_ms": round(b * 1000, 1), "app_ms": round(o * 1000, 1), "ratio": round(ratio, 3),
                      "target": TARGET, "pass": ratio <= TARGET, "runs": args.runs,
                      "bare_runs_ms": [round(x * 1000) for x in bare], "app_runs_ms": [round(x * 1000) for x in ours]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
