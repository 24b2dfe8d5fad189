"""A desktop notification when a task ends while the window is in the background.

Why: a generation takes minutes, so people switch to another window; the status bar's
notice is gone after a few seconds and was never seen.  When a task finishes, fails
or needs attention and the main window is *not* the active window, the tray's
balloon (``QSystemTrayIcon.showMessage``: on Linux the freedesktop notification
service, on Windows/macOS the system's own) says so.  Clicking it brings the window
forward and selects the result through the bridge (``clipShowRequested``).  Where the
desktop has no tray, nothing is shown: the status bar and the Tasks panel still say it.

Only endings seen happening in this session count: tasks restored at start-up and
finished long ago do not pop up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from ...store.records import TaskRecord, TaskState
from ..icons import app_icon

SHOW_MS = 10000


def system_tray() -> QSystemTrayIcon | None:
    """The app's tray icon, or None where the desktop has no system tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(app_icon())
    tray.setToolTip("Sonic Studio")
    return tray


def message_for(task: TaskRecord) -> tuple[str, str, QSystemTrayIcon.MessageIcon]:
    """(title, text, icon) for a task that just ended."""
    name = task.title or "your task"  # the tasks panel's words: create “Night Drive”
    if task.state is TaskState.SUCCEEDED:
        return f"Ready: {name}", task.detail or "Saved to the library.", QSystemTrayIcon.MessageIcon.Information
    if task.state is TaskState.PARTIAL:
        return f"Partly ready: {name}", task.detail or "Some clips were saved.", QSystemTrayIcon.MessageIcon.Warning
    if task.state is TaskState.FAILED:
        reason = str(task.error) if task.error else task.detail
        return f"Failed: {name}", reason or "The provider could not make it.", QSystemTrayIcon.MessageIcon.Critical
    return f"Needs a look: {name}", task.detail or "Check it in the Tasks panel.", QSystemTrayIcon.MessageIcon.Warning


class DesktopNotifier(QObject):
    """Watches the bridge's task changes and notifies while ``window`` is not active."""

    def __init__(self, ctx, window: QWidget, tray_factory: Callable[[], Any] = system_tray) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._tray_factory = tray_factory
        self._tray: Any = None
        self._tray_made = False
        self._active = {t.id for t in ctx.studio.tasks.list(active_only=True)}
        self._clip_to_show: int | None = None
        ctx.bridge.taskChanged.connect(self._on_task)

    def _on_task(self, task: TaskRecord) -> None:
        if task.state.active:
            self._active.add(task.id)
            return
        if task.id not in self._active:
            return  # an ending we did not watch happen (restored, or a repeat event)
        self._active.discard(task.id)
        if not self.window.isActiveWindow():
            self.notify(task)

    def notify(self, task: TaskRecord) -> bool:
        """Show the message for ``task``'s ending; False where there is no tray."""
        tray = self._tray_or_none()
        if tray is None:
            return False
        title, text, kind = message_for(task)
        self._clip_to_show = task.clip_ids[0] if task.clip_ids else None
        tray.showMessage(title, text, kind, SHOW_MS)
        return True

    def _tray_or_none(self):
        if not self._tray_made:
            self._tray_made = True
            self._tray = self._tray_factory()
            if self._tray is not None:
                self._tray.messageClicked.connect(self._clicked)
                self._tray.show()
        return self._tray

    def _clicked(self) -> None:
        """The message was clicked: bring the window forward, with the result selected."""
        window = self.window
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        if self._clip_to_show is not None:
            self.ctx.bridge.clipShowRequested.emit(self._clip_to_show)
