"""Issue 16: the window is usable sooner because only the tab on screen is built at start;
the others follow once the library has answered, or at once when asked for.  None of this
may show: no tab says "Starting…" for long, and building a tab never opens a stray window
or takes the keyboard away from the main window (a weight slider's tick box once did)."""

from __future__ import annotations

import shiboken6
from conftest import wait_until
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from sonic_studio.ui.main_window import TABS, MainWindow


class _WindowsShown(QObject):
    """Every top-level widget other than ``main`` that is shown."""

    def __init__(self, main: QWidget) -> None:
        super().__init__()
        self.main = main
        self.shown: list[str] = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt
        if event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and obj.isWindow() and obj is not self.main:
            self.shown.append(type(obj).__name__)
        return False


def _placeholder_text(page: QWidget) -> bool:
    return any(label.text() == "Starting…" for label in page.findChildren(QLabel))


async def test_tabs_appear_without_a_stray_window_and_the_keyboard_stays(ctx, ui_emulator, qtbot):
    # As app.main does it: the frame is shown first, the studio attached once it has started.
    window = MainWindow()
    watch = _WindowsShown(window)
    QApplication.instance().installEventFilter(watch)
    try:
        window.show()
        await wait_until(lambda: QGuiApplication.focusWindow() is window.windowHandle())
        window.attach(ctx)
        on_screen = window.tabs.currentWidget()
        assert not _placeholder_text(on_screen)

        # Without a click, every tab has its real page once the library has answered.
        await wait_until(lambda: window.library.model.loaded)
        await wait_until(lambda: not any(_placeholder_text(window.tabs.widget(i)) for i in range(len(TABS))))
        assert window.tabs.currentWidget() is on_screen  # building them did not switch tabs
        assert watch.shown == [], f"windows flashed open while tabs were built: {watch.shown}"
        assert QGuiApplication.focusWindow() is window.windowHandle(), "the main window lost the keyboard"
    finally:
        QApplication.instance().removeEventFilter(watch)
        ctx.bridge.detach()
        if shiboken6.isValid(window):
            window.quit(ask=False)
            window.deleteLater()


async def test_a_tab_clicked_before_it_was_built_shows_its_page_at_once(ctx, ui_emulator, qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.attach(ctx)  # the hidden tabs wait for the library: click before it answers
    bar = window.tabs.tabBar()
    try:
        for index in reversed(range(len(TABS))):
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
            assert window.tabs.currentIndex() == index
            page = window.tabs.currentWidget()
            assert page is getattr(window, TABS[index][0]) and not _placeholder_text(page), TABS[index][3]
        assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [row[3] for row in TABS]
    finally:
        ctx.bridge.detach()
        window.quit(ask=False)
