#!/usr/bin/env bash
# Install Sonic Studio into ./.venv on a fresh Debian/Ubuntu machine (or any Linux with Python 3.10-3.13).
# System libraries: Qt needs EGL/GL/xkbcommon/fontconfig and a font; QtMultimedia needs libpulse0;
# a real X display needs the xcb libraries.  Installed with apt when missing (root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 fonts-dejavu-core libpulse0 \
libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 libx11-xcb1 libdbus-1-3"

if command -v apt-get >/dev/null 2>&1; then
  missing=""
  for pkg in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing system libraries:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# pip byte-compiles the dependencies but not an editable checkout: compile it now, so the
# first run of the app or of sonic-studio-cli is not slower than the second.
.venv/bin/python -m compileall -q sonic_studio
echo "Sonic Studio is installed in $(pwd)/.venv"
