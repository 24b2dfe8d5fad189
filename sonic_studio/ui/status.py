"""The status bar's live parts: provider, credits, running tasks, demo badge."""

from __future__ import annotations

from PySide6.QtCore import QObject


class StatusController(QObject):
    """Keeps the window's status labels in step with the studio's events."""

    def __init__(self, ctx, window) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._active: set[int] = set()
        bridge = ctx.bridge
        bridge.creditsChanged.connect(self._on_credits)
        bridge.providerChanged.connect(self._on_provider)
        bridge.taskChanged.connect(self._on_task)
        studio = ctx.studio
        self._on_provider(studio.provider_id, studio.demo)
        for task in studio.tasks.list(active_only=True):
            self._active.add(task.id)
        self._show_running()
        if studio.credits.last is not None:
            self._on_credits(studio.provider_id, studio.credits.last)

    def _on_provider(self, provider, demo: bool) -> None:
        caps = self.ctx.studio.capabilities
        self.window.provider_label.setText(caps.display_name)
        self.window.provider_label.setToolTip(f"Provider: {caps.display_name} — change it in Settings (Ctrl+,)")
        self.window.credits_label.setText("")
        self.window.set_demo(demo)

    def _on_credits(self, provider, credits) -> None:
        if provider != self.ctx.studio.provider_id:
            return
        total = credits.total
        text = f"{total:,.0f} credits" if float(total).is_integer() else f"{total:,.1f} credits"
        self.window.credits_label.setText(text)

    def _on_task(self, task) -> None:
        if task.state.active:
            self._active.add(task.id)
        else:
            self._active.discard(task.id)
        self._show_running()

    def _show_running(self) -> None:
        count = len(self._active)
        self.window.running_label.setText("" if count == 0 else f"{count} task{'s' if count != 1 else ''} running")
