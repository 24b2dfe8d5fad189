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

# The audio-only ffmpeg (packaging/build_ffmpeg.sh, a few minutes once) replaces imageio-ffmpeg's
# 165 MB full build in the bundle; if it cannot be built the spec keeps the full one and says so.
if [ ! -x build/ffmpeg-audio/ffmpeg ]; then
    packaging/build_ffmpeg.sh || echo "WARNING: audio-only ffmpeg not built; the bundle keeps the full ffmpeg"
fi
# Everything the app does with ffmpeg, tested against that build; a failure keeps the full one.
if [ -x build/ffmpeg-audio/ffmpeg ]; then
    shopt -s nullglob
    FFMPEG_TESTS=(tests/test_audio_*.py tests/test_peaks.py tests/test_loudness*.py tests/test_tags*.py
                  tests/test_vocal_activity*.py tests/test_tasks_downloads.py tests/test_hostile_content.py
                  tests/test_download_checks.py tests/test_deliverables_audio.py)
    shopt -u nullglob
    echo "Testing the audio-only ffmpeg with ${#FFMPEG_TESTS[@]} test files ..."
    if ! SONIC_STUDIO_FFMPEG="$PWD/build/ffmpeg-audio/ffmpeg" QT_QPA_PLATFORM=offscreen \
            "$PY" -m pytest -q -p no:cacheprovider -x "${FFMPEG_TESTS[@]}" > build/ffmpeg-audio/tests.log 2>&1; then
        echo "WARNING: the app's tests fail with the audio-only ffmpeg (build/ffmpeg-audio/tests.log);" \
             "the bundle keeps the full ffmpeg"
        mv build/ffmpeg-audio/ffmpeg build/ffmpeg-audio/ffmpeg.rejected
    fi
fi

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
