"""``sonic-studio-cli --help`` (and reading any command line) imports nothing heavy.

Scripts and shell completion pay the CLI's start-up on every call; it used to load the
whole service stack (httpx, keyring, numpy, the store) just to print the usage: 6.7x
``python -c pass``.  Each case runs in a fresh interpreter, because this test process
has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("httpx", "keyring", "numpy", "PySide6", "platformdirs", "mido",
         "sonic_studio.services", "sonic_studio.store", "sonic_studio.providers", "sonic_studio.audio",
         "sonic_studio.ui", "sonic_studio.logs", "sonic_studio.emulator")

PROBE = r"""
import contextlib, io, json, sys
from sonic_studio import cli
out = io.StringIO()
code = None
with contextlib.redirect_stdout(out):
    try:
        cli.build_parser().parse_args(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "stdout": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _parse_in_fresh_interpreter(*argv: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60,
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["clips", "--help"],
    ["stems", "--help"],  # cli_deliverables
    ["remaster", "--help"],  # cli_edit
    ["generate", "--help"],  # cli_create
])
def test_help_prints_usage_without_importing_the_services(argv):
    probe = _parse_in_fresh_interpreter(*argv)
    assert probe["code"] == 0
    assert probe["stdout"].startswith("usage: sonic-studio-cli")
    assert _heavy(probe["modules"]) == []


def test_reading_a_command_line_imports_nothing_heavy_either():
    """The parse itself stays light; the services load only once the command runs."""
    probe = _parse_in_fresh_interpreter("--provider", "sunoapi", "--json", "extend", "abc", "--at", "30", "--wait")
    assert probe["code"] is None
    assert _heavy(probe["modules"]) == []


def test_the_installed_entry_point_help_stays_light():
    """``python -m sonic_studio.cli --help`` end to end, as a user runs it, watched with -X importtime."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "sonic_studio.cli", "--help"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0
    assert "clips" in result.stdout and "demo-server" in result.stdout
    imported = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.count("|") == 2]
    assert "sonic_studio.cli_create" in imported  # the probe sees our imports at all
    assert _heavy(imported) == []
