"""The task runner's log: a real failure is one ERROR; what a task raises on its way out
after it was asked to stop (the window closing, its page destroyed) is teardown, not a
failure, and stays out of the ERROR log (a log reader would chase a bug that is not there).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtWidgets import QWidget
from shiboken6 import delete

from sonic_studio.ui.tasks_runner import TaskRunner, cancel_under

LOGGER = "sonic_studio.ui.tasks_runner"


def page(qtbot) -> tuple[QWidget, TaskRunner, list[str]]:
    window = QWidget()
    qtbot.addWidget(window)
    child = QWidget(window)
    said: list[str] = []
    return window, TaskRunner(child, report=said.append), said


async def fails_on_the_way_out(started: asyncio.Event) -> None:
    """Like a read that meets a store already closed when its cancellation lands."""
    started.set()
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        raise RuntimeError("Cannot operate on a closed database.") from None


def errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.ERROR]


async def test_a_real_failure_is_logged_once_at_error_and_reported(qtbot, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    _window, runner, said = page(qtbot)

    async def broken():
        raise RuntimeError("disk on fire")

    await asyncio.wait({runner.run("save", broken(), what="Saving")})
    await asyncio.sleep(0)  # the done-callback
    assert [r.getMessage() for r in errors(caplog)] == ["task 'save' of QWidget failed"]
    assert said == ["Saving did not finish: an unexpected error (RuntimeError: disk on fire). "
                    "Details are in Help › What happened."]


async def test_failing_while_the_window_closes_is_not_an_error(qtbot, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    window, runner, said = page(qtbot)
    started = asyncio.Event()
    busy: list[bool] = []
    task = runner.run("credits", fails_on_the_way_out(started), busy=busy.append)
    await started.wait()
    cancel_under(window)  # what MainWindow.closeEvent does
    await asyncio.wait({task})
    await asyncio.sleep(0)
    assert errors(caplog) == [] and said == []
    assert busy == [True, False]  # the busy state still comes back
    assert any(r.levelno == logging.DEBUG and "ended while stopping" in r.getMessage() for r in caplog.records)


async def test_failing_after_the_page_is_destroyed_is_not_an_error(qtbot, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    window, runner, said = page(qtbot)
    started = asyncio.Event()
    task = runner.run("measure", fails_on_the_way_out(started))
    await started.wait()
    delete(window)  # the page and its child, the runner's owner, go
    await asyncio.wait({task})
    await asyncio.sleep(0)
    assert errors(caplog) == [] and said == []


async def test_a_newer_task_of_the_same_name_replaces_the_old_quietly(qtbot, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    _window, runner, said = page(qtbot)
    started = asyncio.Event()
    old = runner.run("probe", fails_on_the_way_out(started))
    await started.wait()
    runner.run("probe", asyncio.sleep(0))
    await asyncio.wait({old})
    await runner.wait("probe")
    assert errors(caplog) == [] and said == []
