"""Settings › About says when each provider's limits and prices were last checked against its docs."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel

from sonic_studio.ui.dialogs.about import AboutDialog

CATALOG = Path(__file__).parents[2] / "sonic_studio" / "core" / "catalog.json"


def test_about_names_the_date_and_source_each_catalog_was_checked_against(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.findChild(QLabel, "catalogFreshness").text()
    catalog = json.loads(CATALOG.read_text())
    lines = text.splitlines()
    assert len(lines) == 2
    for provider, line in zip(("sonic", "sunoapi"), lines, strict=True):
        assert catalog[provider]["checked"]["on"] in line
        assert catalog[provider]["checked"]["source"] in line
