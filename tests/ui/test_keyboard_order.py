"""The keyboard walks the window the way the eye reads it.

Tab is pressed for real (key events to the focused widget) through every work tab; each
step must go right along a row, down, or up to the top of a column further right — never
back up or to the left.  One Tab leaves the library's clip table (arrows move inside it),
a submit does not throw focus into the search box, so Space still plays, and every
icon-only button has a name a screen reader can say.
"""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from sonic_studio.ui import theme

ROW = 6  # px: widgets whose tops differ by less sit on one row


def _rect(widget: QWidget, window) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _backwards(before: QRect, after: QRect) -> bool:
    """A step that goes back up (within the same column or to its left), or left along a row."""
    if abs(after.top() - before.top()) < ROW:
        return after.left() < before.left()
    return after.top() < before.top() and after.left() < before.right()


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    return widget.focusProxy() or widget if widget is not None else None


async def _walk(qtbot, page: QWidget, limit: int = 80) -> list[QWidget]:
    """Focus the page's first Tab stop, then press Tab until focus leaves the page."""
    page.setFocus(Qt.FocusReason.TabFocusReason)
    page.focusNextChild()
    seen: list[QWidget] = []
    while len(seen) < limit:
        widget = QApplication.focusWidget()
        if widget is None or not page.isAncestorOf(widget) or widget in seen:
            break
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__}({text or widget.accessibleName() or widget.objectName()!s})"


async def _active(window, qtbot) -> None:
    window.resize(1280, 800)
    window.activateWindow()
    await wait_until(lambda: window.isActiveWindow())


async def test_tab_follows_the_screen_on_every_tab(window, ctx, ui_emulator, qtbot, qapp):
    theme.apply(qapp)
    row = await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/night-drive.mp3")
    ctx.select_clip(row.id)
    await wait_until(lambda: window.extend_tab.waveform.status() == "ready", 20)
    await _active(window, qtbot)
    problems = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        await wait_until(lambda: window.tabs.currentWidget().isVisible())
        page = window.tabs.currentWidget()
        stops = await _walk(qtbot, page)
        assert len(stops) >= 3, f"{window.tabs.tabText(index)}: Tab reaches only {[_name(w) for w in stops]}"
        assert _submit_button(page) in stops or not _submit_button(page).isEnabled()
        for before, after in zip(stops, stops[1:]):
            if _backwards(_rect(before, window), _rect(after, window)):
                problems.append(f"{window.tabs.tabText(index)}: {_name(before)} {_rect(before, window).getRect()}"
                                f" → {_name(after)} {_rect(after, window).getRect()}")
    assert not problems, "\n".join(problems)


def _submit_button(page: QWidget):
    return (page.panel.bar if hasattr(page, "panel") else page.bar).button


async def test_one_tab_leaves_the_clip_table_and_arrows_stay_inside(window, ctx, ui_emulator, qtbot):
    for name in ("one.mp3", "two.mp3"):
        await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/night-drive.mp3?{name}")
    table = window.library.table
    await wait_until(lambda: table.model().rowCount() >= 2)
    await _active(window, qtbot)
    table.setFocus(Qt.FocusReason.TabFocusReason)
    table.selectRow(0)
    first = ctx.selected_clip
    qtbot.keyClick(table, Qt.Key.Key_Down)
    await wait_until(lambda: ctx.selected_clip not in (None, first))
    chosen = ctx.selected_clip
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus() and not table.isAncestorOf(QApplication.focusWidget())
    assert ctx.selected_clip == chosen  # Tab did not walk the cells and change the source


async def test_icon_only_buttons_have_names(window):
    unnamed = set()
    for tabs in (window.tabs, window.library_tabs):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            unnamed |= {f"{type(b).__name__} in {type(b.parent()).__name__} ({b.toolTip()[:40]!r})"
                        for b in window.findChildren(QAbstractButton)
                        if not b.text().strip() and not b.accessibleName() and b.isVisibleTo(window)}
    assert not unnamed, "\n".join(sorted(unnamed))


async def test_space_plays_after_a_submit_instead_of_typing_in_the_search(window, ctx, ui_emulator, qtbot):
    """Submit with the keyboard; while the button is off, focus must not land in the search box."""
    row = await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/night-drive.mp3")
    ctx.select_clip(row.id)
    await _active(window, qtbot)
    window.tabs.setCurrentWidget(window.create_tab)
    panel = window.create_tab.panel
    qtbot.keyClicks(panel.form.description, "a calm piano piece about rain")
    await wait_until(lambda: panel.submit_button.isEnabled())
    panel.submit_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(panel.submit_button, Qt.Key.Key_Space)  # presses the focused button
    await wait_until(lambda: panel.task is not None and not panel.bar.busy(), 20)
    focused = QApplication.focusWidget()
    assert focused is not window.library.search and not window.library.isAncestorOf(focused)
    toggled = []
    window.player_bar.toggle = lambda: toggled.append(True)  # the Space handler calls the bar
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    assert toggled and window.library.search.text() == ""


async def test_focus_rings_show(window, ctx, ui_emulator, qtbot, qapp):
    """Each kind of Tab stop looks different with the keyboard on it."""
    theme.apply(qapp)
    await ctx.studio.tasks.upload(f"{ui_emulator.base_url}/samples/night-drive.mp3")
    await wait_until(window.library.table.isVisible)
    await _active(window, qtbot)
    window.tabs.setCurrentWidget(window.create_tab)
    window.library_tabs.setCurrentIndex(0)
    form = window.create_tab.panel.form
    form.mode.set_current("custom")
    kinds = (form.mode.button("description"), form.instrumental, window.library.table,
             window.player_bar.loop_button, window.player_bar.volume)
    for widget in kinds:
        window.tabs.setFocus()
        await wait_until(lambda w=widget: not w.hasFocus())
        plain = widget.grab().toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        await wait_until(widget.hasFocus)
        assert widget.grab().toImage() != plain, f"{type(widget).__name__} shows no focus"
