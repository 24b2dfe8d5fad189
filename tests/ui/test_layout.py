"""Every work tab fits the window: no scrollbar at 1280×800, nothing essential clipped, and a
usable window down to 1024×640 (forms may scroll there, but the submit buttons stay reachable).

The window is the real one, themed, with a clip selected in the library so the source-based
tabs (Extend / Cover, Persona, Edit) show their full forms, not their empty state.  Screenshots
of every tab at three sizes go to ``SONIC_STUDIO_SCREENSHOT_DIR`` (docs/screenshots/ when
regenerating them) as ``layout-<tab>-<size>.png``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from conftest import wait_until
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollBar, QWidget

from sonic_studio.ui import theme

SIZES = ((1024, 640), (1280, 800), (1920, 1080))


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).replace("--", "-").strip("-")


def _submit_button(page: QWidget):
    bar = page.panel.bar if hasattr(page, "panel") else page.bar
    return bar.button


async def _settle(window, size: tuple[int, int]) -> None:
    window.resize(*size)
    await wait_until(lambda: (window.width(), window.height()) == size)
    # Layouts settle over a few event-loop turns (tab switches, reflows).  Never
    # QApplication.processEvents() here: it would step other tasks inside this one's step.
    for _ in range(4):
        await asyncio.sleep(0.02)


async def _with_source_clip(window, ctx, emulator) -> None:
    """An uploaded clip selected, so Extend / Cover, Persona and Edit show their whole forms."""
    row = await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/night-drive.mp3")
    ctx.select_clip(row.id)
    await wait_until(lambda: window.extend_tab.waveform.status() == "ready", 20)


def _scrollbars(page: QWidget) -> list[str]:
    return [f"{bar.parent().parent().__class__.__name__} {bar.orientation().name}"
            for bar in page.findChildren(QScrollBar) if bar.isVisible()]


def _clipped(page: QWidget) -> list[str]:
    """Visible buttons, boxes and one-line labels narrower than their text needs."""
    found = []
    for widget in page.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text() and widget.pixmap().isNull() or isinstance(widget, QAbstractButton) and widget.text():
            need = widget.minimumSizeHint().width()
        else:
            continue
        if widget.width() + 1 < need:
            found.append(f"{type(widget).__name__} {widget.text()!r}: {widget.width()} < {need}")
    return found


def _fully_shown(widget: QWidget, window) -> bool:
    """Not cut by any scroll area or parent, and inside the window."""
    inside = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect() \
        and window.rect().contains(inside)


def _shoot(window, name: str, size: tuple[int, int], tmp_path: Path) -> None:
    out = Path(os.environ.get("SONIC_STUDIO_SCREENSHOT_DIR") or tmp_path) / f"layout-{_slug(name)}-{size[0]}x{size[1]}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out))


async def test_every_tab_fits_1280x800_and_is_usable_at_1024x640_screenshots(window, ctx, ui_emulator, qapp, tmp_path):
    theme.apply(qapp)
    await _with_source_clip(window, ctx, ui_emulator)
    assert window.minimumWidth() <= 1024 and window.minimumHeight() <= 640
    problems, widths = [], {}
    for size in SIZES:
        await _settle(window, size)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            name = window.tabs.tabText(index)
            await _settle(window, size)
            page = window.tabs.currentWidget()
            button = _submit_button(page)
            if size != (1024, 640):
                problems += [f"{name} at {size}: scrollbar in {bar}" for bar in _scrollbars(page)]
                problems += [f"{name} at {size}: {text}" for text in _clipped(page)]
                if not _fully_shown(button, window):
                    problems.append(f"{name} at {size}: {button.text()!r} is not fully visible")
            else:
                problems += [f"{name} at {size}: scrollbar in {bar}" for bar in _scrollbars(page) if "Horizontal" in bar]
            if size == (1024, 640) and not (button.isVisible() and window.rect().contains(
                    QRect(button.mapTo(window, button.rect().topLeft()), button.size()))):
                problems.append(f"{name} at {size}: {button.text()!r} cannot be reached")
            _shoot(window, name, size, tmp_path)
        widths[size] = window.library_dock.width()
    # The library widens with the window, so its titles are not cut when maximised.
    assert widths[(1920, 1080)] >= widths[(1280, 800)] * 1.3, widths
    assert not problems, "\n".join(problems)

