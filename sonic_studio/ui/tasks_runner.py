"""Named background tasks owned by a widget: the one way ``ui/`` starts async work.

Why it exists: a bare ``asyncio.ensure_future`` outlives the widget that started it (a
coroutine resumed after the window closed touches deleted C++ objects), failures were
logged twice or not at all, and an exception the page did not expect left its button
stuck on "Creating…".  Modelled on FeelUOwn's ``TaskManager``: a task has a name, and
starting one cancels the previous task of that name; a default done-callback logs
failures, once, at ERROR - but not what a task raises on its way out after it was asked
to stop (window closing, owner destroyed, loop closed): that is teardown, logged at DEBUG.  On top of that, every task is tied to its owner's lifetime: it is cancelled
when the owner is destroyed or when the window it lives in closes (``cancel_under``).

A page says what "busy" means (``busy=`` is called with True at the start and False at
the end, whatever happened) and where a failure is shown (``on_error=`` gets one clear
sentence; the default is the window's status bar notice).  Tests await the handle that
``run`` returns, or ``runner.wait(name)``.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from shiboken6 import isValid

from ..core.errors import StudioError

log = logging.getLogger(__name__)

T = TypeVar("T")
Report = Callable[[str], None]

_LIVE: weakref.WeakSet[TaskRunner] = weakref.WeakSet()


def failure_text(exc: BaseException, what: str = "It") -> str:
    """One sentence for a failed task: our own errors already speak; anything else is named."""
    if isinstance(exc, StudioError):
        return str(exc)
    return (f"{what} did not finish: an unexpected error ({type(exc).__name__}: {exc}). "
            "Details are in Help › What happened.")


class TaskRunner:
    """The named tasks of one owner (a widget, a model, a dialog)."""

    def __init__(self, owner: QObject, report: Report | None = None) -> None:
        self._owner = owner
        self._report = report
        self._tasks: dict[str, asyncio.Task] = {}
        self._stopped: weakref.WeakSet[asyncio.Task] = weakref.WeakSet()  # asked to stop by us
        # A bound method of a plain object: it lives exactly as long as this runner,
        # which the owner holds, so no dangling receiver.
        owner.destroyed.connect(self._owner_destroyed)
        _LIVE.add(self)

    # ------------------------------------------------------------------ starting
    def run(
        self,
        name: str,
        coro: Coroutine[Any, Any, T],
        *,
        what: str = "It",
        busy: Callable[[bool], None] | None = None,
        on_error: Report | None = None,
    ) -> asyncio.Task[T]:
        """Start ``coro`` as the task ``name``, cancelling the previous task of that name.

        ``what`` names the work in a failure message ("Creating the persona").  ``busy`` is
        called with True now and with False when the task ends (unless the owner is gone).
        An exception escaping ``coro`` is logged once and shown through ``on_error`` (or the
        runner's report) as a sentence; cancellation is silent.
        """
        self.cancel(name)
        task = asyncio.ensure_future(coro)
        self._tasks[name] = task
        if busy is not None:
            busy(True)
        task.add_done_callback(lambda done: self._finished(name, done, what, busy, on_error))
        return task

    @staticmethod
    def unstoppable(awaitable: Awaitable[T]) -> Awaitable[T]:
        """Let a paid request run to its end even if the page awaiting it goes away.

        The service stores the provider's task id when the answer comes; cancelling the
        page must not cut that off (the task would become "may have been submitted").
        """
        inner = asyncio.ensure_future(awaitable)
        inner.add_done_callback(_retrieve)
        return asyncio.shield(inner)

    # ------------------------------------------------------------------ handles
    def task(self, name: str) -> asyncio.Task | None:
        """The latest task of that name (done or not), for tests and ``busy`` checks."""
        return self._tasks.get(name)

    def running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    async def wait(self, name: str) -> None:
        """Wait until the task of that name has ended and its done-callback has run."""
        task = self._tasks.get(name)
        if task is not None:
            await asyncio.wait({task})
            await asyncio.sleep(0)  # our done-callback was queued before the waiter's

    # ------------------------------------------------------------------ stopping
    def cancel(self, name: str) -> None:
        task = self._tasks.get(name)
        if task is not None:
            self._stop(task)

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            self._stop(task)

    def _stop(self, task: asyncio.Task) -> None:
        if not task.done():
            self._stopped.add(task)
            task.cancel()

    def _owner_destroyed(self, *_: object) -> None:
        self.cancel_all()

    def owned_by(self, root: QObject) -> bool:
        """True when the owner is ``root`` or one of its descendants (dialogs included)."""
        obj: QObject | None = self._owner
        while obj is not None and isValid(obj):
            if obj is root:
                return True
            obj = obj.parent()
        return False

    # ------------------------------------------------------------------ ending
    def _finished(self, name: str, task: asyncio.Task, what: str,
                  busy: Callable[[bool], None] | None, on_error: Report | None) -> None:
        latest = self._tasks.get(name) is task
        if latest:
            del self._tasks[name]
        exc = None if task.cancelled() else task.exception()
        owner_alive = isValid(self._owner)
        # Asked to stop (a newer task of the name, the window closing, the owner going)
        # or ended by a closing loop: whatever it raised on the way out is a consequence
        # of the teardown, not a failure a person or a log reader should hear about.
        stopping = task in self._stopped or not owner_alive or task.get_loop().is_closed()
        if exc is not None and stopping:
            log.debug("task %r of %s ended while stopping: %r", name, type(self._owner).__name__, exc)
            exc = None
        elif exc is not None:
            log.error("task %r of %s failed", name, type(self._owner).__name__, exc_info=exc)
        if not owner_alive:
            return  # the page is gone: nothing to restore or show
        if busy is not None and latest:  # a newer task of this name owns the busy state now
            busy(False)
        if exc is not None:
            report = on_error or self._report
            if report is not None:
                report(failure_text(exc, what))


def cancel_under(root: QObject) -> None:
    """Cancel every task whose owner lives in ``root`` (the window is closing)."""
    for runner in list(_LIVE):
        if runner.owned_by(root):
            runner.cancel_all()


def _retrieve(task: asyncio.Future) -> None:
    """Mark a detached task's outcome as seen; the service has logged and stored it."""
    if not task.cancelled():
        task.exception()
