"""The row under a form that sends it: cost line, primary button, busy state, one sentence.

Why it exists: every page had its own "submit and show busy" code (four patterns), and
two of them left the button stuck on "Creating…" after an exception they did not expect.
The bar runs the page's request through the page's :class:`TaskRunner` under one name,
so the button always comes back (the runner calls ``busy(False)`` whatever happened,
cancellation included) and any failure becomes one sentence next to the button.

The page keeps what only it knows: what is wrong (``set_problems`` with the services'
``Problem`` list, first one shown as the reason the button is off), what the request
costs (``set_cost``) and the request itself (the coroutine given to ``run``).  Ctrl+Enter
(and Ctrl+Return) press the button while the page is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...core.validation import Problem
from .. import theme
from ..tasks_runner import TaskRunner

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def credits_text(value: float) -> str:
    """12 -> "12", 0.4 -> "0.4", 1500 -> "1,500": credits as people write them."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def cost_text(cost: float | None, left: float | None = None) -> str:
    """The cost line: "Estimated 15 credits · 480 left" (what is left only when known)."""
    if cost is None:
        return "Cost unknown"
    text = f"Estimated {credits_text(cost)} credits"
    return text if left is None else f"{text} · {credits_text(left)} left"


class SubmitBar(QFrame):
    """See the module docstring.

    Widgets (public for pages and tests): ``button``, ``cost``, ``reason`` (why the button
    is off, or what is happening while busy), ``error`` (the last attempt's problem),
    ``confirmation`` (the last attempt's success).  ``submitRequested`` fires on a click or
    the shortcut; the page validates and calls ``run``.  ``busyChanged`` fires when a run
    starts and when it ends, so the page can refresh what depends on it.
    """

    submitRequested = Signal()
    busyChanged = Signal(bool)

    def __init__(
        self,
        runner: TaskRunner,
        text: str,
        busy_text: str,
        *,
        button_icon: QIcon | None = None,
        ready_tip: str = "",
        name: str = "submit",
        framed: bool = True,
        keys: Sequence[str] = SUBMIT_KEYS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._name = name
        self._text = text
        self._busy_text = busy_text
        self._busy_note = ""
        self.ready_tip = ready_tip or f"{text} (Ctrl+Enter)"
        self._problems: list[Problem] = []
        self._reason_override: str | None = None

        outer = QVBoxLayout(self)
        outer.setSpacing(theme.SPACING // 2)
        if framed:  # the bar under a scrolling page: a rule above, the page's margins
            self.setObjectName("submitBar")
            self.setStyleSheet(f"QFrame#submitBar {{ border-top: 1px solid {theme.BORDER}; }}")
            outer.setContentsMargins(theme.SPACING * 2, theme.SPACING, theme.SPACING * 2, theme.SPACING)
        else:
            outer.setContentsMargins(0, 0, 0, 0)
        self._above = QVBoxLayout()
        self._above.setSpacing(theme.SPACING // 2)
        outer.addLayout(self._above)

        row = QHBoxLayout()
        row.setSpacing(theme.SPACING * 2)
        self._notes = QVBoxLayout()
        self._notes.setSpacing(2)
        self.reason = theme.label("", "warning")
        self.reason.hide()
        self.error = theme.label("", "error")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.confirmation = theme.label("", None)
        self.confirmation.setStyleSheet(f"color: {theme.SUCCESS};")
        self.confirmation.hide()
        for label in (self.reason, self.error, self.confirmation):
            self._notes.addWidget(label)
        row.addLayout(self._notes, 1)
        self.cost = theme.label("", "badge", wrap=False)
        self.cost.setToolTip("Estimated from the provider's price list; the provider has the last word")
        self.cost.hide()
        row.addWidget(self.cost, 0, Qt.AlignmentFlag.AlignVCenter)
        self._actions = QHBoxLayout()
        self._actions.setSpacing(theme.SPACING)
        row.addLayout(self._actions)
        self.button = QPushButton(text) if button_icon is None else QPushButton(button_icon, text)
        self.button.setProperty("primary", True)
        self.button.setMinimumWidth(130)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(row)

        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # can hold focus (see _show_state); not a Tab stop
        self.button.clicked.connect(self._request)
        for key in keys:
            QShortcut(QKeySequence(key), self, self._request)
        self._show_state()

    # ------------------------------------------------------------------ composing
    def add_above(self, widget: QWidget) -> None:
        """A full-width row above the messages (e.g. a progress bar)."""
        self._above.addWidget(widget)

    def add_note(self, widget: QWidget) -> None:
        """A line in the message column, above the reason (e.g. what the request involves)."""
        self._notes.insertWidget(self._notes.count() - 3, widget)

    def add_action(self, widget: QWidget) -> None:
        """A secondary button, left of the primary one."""
        self._actions.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)

    # ------------------------------------------------------------------ state from the page
    def set_text(self, text: str, busy_text: str | None = None, ready_tip: str | None = None) -> None:
        """Rename the action (Extend ▶ / Cover ▶)."""
        self._text = text
        if busy_text is not None:
            self._busy_text = busy_text
        if ready_tip is not None:
            self.ready_tip = ready_tip
        self._show_state()

    def set_cost(self, text: str, tip: str = "") -> None:
        """The cost line (``cost_text``); empty hides it (nothing is charged, or no price is known)."""
        self.cost.setText(text)
        if tip:
            self.cost.setToolTip(tip)
        self.cost.setVisible(bool(text))

    def set_problems(self, problems: Iterable[Problem], reason: str | None = None) -> None:
        """What keeps the button off; the first one (or ``reason``) is said next to it."""
        self._problems = list(problems)
        self._reason_override = reason
        self._show_state()

    # ------------------------------------------------------------------ running
    def run(self, coro: Coroutine[Any, Any, Any], *, what: str, note: str = "",
            on_error: Callable[[str], None] | None = None) -> None:
        """Send the request as the runner's task; busy until it ends, whatever happens.

        ``what`` names the work in a failure sentence ("Creating the persona"); ``note``
        is said next to the button meanwhile.  An exception escaping ``coro`` is shown
        as one sentence in ``error`` (or handed to ``on_error``).
        """
        self._busy_note = note
        self._runner.run(self._name, coro, what=what, busy=self._set_busy, on_error=on_error or self.show_error)

    def busy(self) -> bool:
        return self._runner.running(self._name)

    async def wait(self) -> None:
        """For tests: until the current run has ended and the button is back."""
        await self._runner.wait(self._name)

    # ------------------------------------------------------------------ messages
    def show_error(self, text: str, details: str = "") -> None:
        self.error.setText(text)
        self.error.setToolTip(theme.plain_tip(details or text))
        self.error.setVisible(bool(text))

    def show_done(self, text: str, tip: str = "") -> None:
        self.confirmation.setText(text)
        self.confirmation.setToolTip(theme.plain_tip(tip or text))
        self.confirmation.setVisible(bool(text))

    def clear_messages(self) -> None:
        self.show_error("")
        self.show_done("")

    # ------------------------------------------------------------------ internals
    def _request(self) -> None:
        if not self.busy():
            self.submitRequested.emit()

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.clear_messages()
        self._show_state()
        self.busyChanged.emit(busy)

    def _show_state(self) -> None:
        busy = self.busy()
        problems = self._problems
        if busy:
            reason = self._busy_note
        elif self._reason_override is not None:
            reason = self._reason_override
        elif problems:
            reason = problems[0].message
            if len(problems) > 1:
                reason += f"  (+{len(problems) - 1} more)"
        else:
            reason = ""
        self.button.setText(self._busy_text if busy else self._text)
        enabled = not problems and not busy
        if not enabled and self.button.hasFocus():
            # A disabled button hands focus to the next widget in the chain (the library's
            # search box, across the window), where Space types instead of playing: the bar
            # keeps it, so Space plays the result and Tab goes on from here.
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.button.setEnabled(enabled)
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        if busy:
            self.button.setToolTip(self._busy_note or self._busy_text)
        else:
            self.button.setToolTip(reason or self.ready_tip)


__all__ = ["SUBMIT_KEYS", "SubmitBar", "cost_text", "credits_text"]
