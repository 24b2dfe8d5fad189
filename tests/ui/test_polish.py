"""The small things a person notices (issue 17, item 6), each driven through the real window
against the emulator: the clip context menu's shortcuts to other tabs, the Tasks panel's
Retry / Clear finished / Check again, clickable lineage, upload titles, words instead of API
jargon, and the Edit / File menu entries."""

from __future__ import annotations

import asyncio

import pytest
from conftest import wait_until
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu


@pytest.fixture(autouse=True)
def fresh_settings():
    QSettings().clear()
    yield
    QSettings().clear()


async def uploaded(ctx, emulator, sample: str = "night-drive.mp3", title: str | None = None) -> int:
    clip = await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/{sample}")
    if title:
        ctx.studio.library.rename(clip.id, title)
    return clip.id


async def shown_in_library(window, clip: int) -> None:
    library = window.library
    window.library_dock.show()
    await wait_until(lambda: library.model.row_of(clip) is not None, 10)
    await asyncio.sleep(0)


def open_context_menu(window, clip: int) -> QMenu:
    library = window.library
    pos = library.table.visualRect(library.model.index(library.model.row_of(clip), 0)).center()
    library._context_menu(pos)
    return next(m for m in library.findChildren(QMenu) if m.isVisible())


def entry(menu: QMenu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


async def test_context_menu_sends_the_clip_to_extend_cover_and_persona(window, ctx, ui_emulator):
    clip = await uploaded(ctx, ui_emulator, title="Night Drive")
    other = await uploaded(ctx, ui_emulator, "rain-on-glass.mp3", title="Rain")
    await shown_in_library(window, other)
    menu = open_context_menu(window, clip)
    texts = [a.text() for a in menu.actions()]
    for wanted in ("Play", "Extend…", "Cover…", "Make persona…", "Export as MP3…", "Show in folder"):
        assert wanted in texts, texts
    entry(menu, "Cover…").trigger()
    menu.close()
    assert window.tabs.currentWidget() is window.extend_tab
    assert window.extend_tab.mode() == "cover" and window.extend_tab.source().id == clip

    menu = open_context_menu(window, other)
    entry(menu, "Extend…").trigger()
    menu.close()
    assert window.extend_tab.mode() == "extend" and window.extend_tab.source().id == other

    menu = open_context_menu(window, clip)
    entry(menu, "Make persona…").trigger()
    menu.close()
    assert window.tabs.currentWidget() is window.persona_tab
    assert window.persona_tab.clip.id == clip
    assert ctx.selected_clip == clip
