"""Desktop notifications: a task that ends while the window is in the background says so.

The real main window against the emulator; the offscreen platform has no system tray,
so the notifier is given a fake tray that records ``showMessage`` and can be clicked.
"""

from __future__ import annotations

from conftest import wait_until
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault
from sonic_studio.store import TaskState
from sonic_studio.ui.components.desktop_notifier import DesktopNotifier


class FakeTray(QObject):
    messageClicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str, QSystemTrayIcon.MessageIcon]] = []
        self.shown = False

    def show(self) -> None:
        self.shown = True

    def showMessage(self, title, text, icon, msecs) -> None:  # noqa: N802 (Qt naming)
        self.messages.append((title, text, icon))


def with_fake_tray(window, ctx) -> FakeTray:
    tray = FakeTray()
    window.notifier.deleteLater()
    window.notifier = DesktopNotifier(ctx, window, tray_factory=lambda: tray)
    return tray


async def go_to_background(window, qtbot) -> QWidget:
    """Another window of the desktop takes the focus."""
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    await wait_until(lambda: not window.isActiveWindow())
    return other


async def generate(ctx, title: str):
    params = GenerationParams(model=ctx.studio.capabilities.default_model, lyrics="[Verse]\nneon on the water",
                              tags="synthwave", title=title)
    task = await ctx.studio.tasks.submit_generate(params)
    return await ctx.studio.tasks.wait(task.id, timeout=30)


async def test_finished_task_in_the_background_notifies_and_the_click_selects_the_result(window, ctx, qtbot):
    tray = with_fake_tray(window, ctx)
    await go_to_background(window, qtbot)
    done = await generate(ctx, "Night Drive")
    assert done.state is TaskState.SUCCEEDED
    await wait_until(lambda: tray.messages)
    assert tray.shown
    title, text, icon = tray.messages[-1]
    assert title == "Ready: create “Night Drive”" and icon is QSystemTrayIcon.MessageIcon.Information
    assert "saved to the library" in text
    assert len(tray.messages) == 1  # one ending, one message

    ctx.select_clip(None)
    shown = []
    ctx.bridge.clipShowRequested.connect(shown.append)
    tray.messageClicked.emit()
    assert shown == [done.clip_ids[0]]
    assert ctx.selected_clip == done.clip_ids[0]  # the window routed it to the library
    assert window.library.table.currentIndex().isValid()


async def test_failure_notifies_in_words(window, ctx, ui_emulator, qtbot):
    tray = with_fake_tray(window, ctx)
    await go_to_background(window, qtbot)
    # The provider no longer knows the task (as after a demo-server restart): it fails, with a reason.
    ui_emulator.faults.inject(Fault("status", status=400, body={"code": 400, "message": "task not found."}),
                              "/api/v1/sonic/task/", times=50)
    done = await generate(ctx, "Rain")
    assert done.state is TaskState.FAILED
    await wait_until(lambda: tray.messages)
    title, text, icon = tray.messages[-1]
    assert title == "Failed: create “Rain”" and icon is QSystemTrayIcon.MessageIcon.Critical
    assert text == str(done.error)


async def test_no_notification_while_the_window_is_active(window, ctx, qtbot):
    tray = with_fake_tray(window, ctx)
    window.activateWindow()
    await wait_until(window.isActiveWindow)
    done = await generate(ctx, "Night Drive")
    assert done.state is TaskState.SUCCEEDED
    await wait_until(lambda: ctx.studio.tasks.get(done.id).state is TaskState.SUCCEEDED)
    assert tray.messages == []


def test_without_a_tray_nothing_is_shown(qapp):
    assert QSystemTrayIcon.isSystemTrayAvailable() is False  # offscreen: the real path returns None
    from sonic_studio.ui.components.desktop_notifier import system_tray

    assert system_tray() is None
