#!/usr/bin/env bash
# Regenerate docs/screenshots/*.png from the UI tests that drive the real window in demo mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen SONIC_STUDIO_SCREENSHOT_DIR="$PWD/docs/screenshots"
.venv/bin/python -m pytest -q tests/ui/test_persona_flow.py tests/ui/test_library_panel.py \
    tests/ui/test_extend_cover_tab.py tests/ui/test_upload_tab.py tests/ui/test_deliverables_section.py \
    tests/ui/test_deliverable_views_screenshots.py tests/ui/test_edit_tab.py tests/ui/test_audition.py \
    tests/ui/test_layout.py \
    -k "screenshot or pick_select" "$@"
echo "Screenshots written to $SONIC_STUDIO_SCREENSHOT_DIR"
