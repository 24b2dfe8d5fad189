#!/usr/bin/env bash
# Build the one-folder bundle dist/sonic-studio (PyInstaller), report its size, smoke-test it.
# Usage: packaging/build.sh        (PYTHON=/path/to/python to use another interpreter than .venv)
# The app must already be installed in that interpreter's environment (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-.venv/bin/python}"
BUNDLE=dist/sonic-studio

# A build tool, not a runtime dependency, so it is installed here rather than in pyproject.toml.
# The spec relies on PyInstaller 6 (symlinked libraries, typed TOC entries); pip returns at once
# when a suitable version is already there.
"$PY" -m pip install -q "pyinstaller>=6.10,<7"

echo "Building $BUNDLE with PyInstaller $("$PY" -m PyInstaller --version) ..."
# Expected warnings: libgtk-3/libgdk-3 "not found" (the GTK platform theme is analysed, then
# dropped by the spec) and ctypes' ole32/shell32 (Windows-only code paths in dependencies).
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/sonic-studio.spec
seconds=$(( $(date +%s) - start ))

echo
echo "Build time: ${seconds} s"
echo "Bundle:     $(du -sh "$BUNDLE" | cut -f1) in $(find "$BUNDLE" -type f | wc -l) files" \
     "(+ $(find "$BUNDLE" -type l | wc -l) symlinks); the ffmpeg binary alone is" \
     "$(du -sh "$BUNDLE"/_internal/imageio_ffmpeg/binaries/ffmpeg-* | cut -f1)"
echo

"$PY" packaging/smoke_test.py "$BUNDLE"
