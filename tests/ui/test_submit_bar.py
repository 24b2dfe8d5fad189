"""The submit bar every page sends its form with: what a person sees before, during and after.

Each test drives a bar on a bare page with a request the test controls (an asyncio
Event it releases, or an exception it raises), so the states are checked at the moment
they are on screen, not only at the end.
"""

from __future__ import annotations

import asyncio

from conftest import wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from sonic_studio.core.errors import StudioError
from sonic_studio.core.validation import Problem
from sonic_studio.ui.components.submit_bar import SubmitBar, cost_text
from sonic_studio.ui.tasks_runner import TaskRunner


def make_bar(qtbot, **kwargs) -> tuple[QWidget, SubmitBar]:
    page = QWidget()
    page.runner = TaskRunner(page)
    bar = SubmitBar(page.runner, "Create ▶", "Creating…", **kwargs)
    QVBoxLayout(page).addWidget(bar)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()  # as the window manager would: window shortcuts then reach it
    return page, bar


def test_cost_line_words():
    assert cost_text(15) == "Estimated 15 credits"
    assert cost_text(0.4, 1500) == "Estimated 0.4 credits · 1,500 left"
    assert cost_text(None) == "Cost unknown"


async def test_problems_keep_the_button_off_and_say_why(qtbot):
    _page, bar = make_bar(qtbot, ready_tip="Create it (Ctrl+Enter)")
    bar.set_cost(cost_text(15, 100))
    bar.set_problems([Problem("title", "Give the song a title."), Problem("lyrics", "Lyrics are needed.")])
    assert not bar.button.isEnabled()
    assert bar.reason.text() == "Give the song a title.  (+1 more)" == bar.button.toolTip()
    assert bar.cost.isVisible() and bar.cost.text() == "Estimated 15 credits · 100 left"
    bar.set_problems([])
    assert bar.button.isEnabled() and not bar.reason.isVisible()
    assert bar.button.toolTip() == "Create it (Ctrl+Enter)"
    bar.set_cost("")
    assert not bar.cost.isVisible()


async def test_busy_while_running_then_the_button_comes_back_with_a_confirmation(qtbot):
    page, bar = make_bar(qtbot)
    bar.set_problems([])
    clicks: list[bool] = []
    release = asyncio.Event()

    async def request():
        await release.wait()
        bar.show_done("Created — follow it in Tasks.")

    def submit():
        clicks.append(True)
        bar.run(request(), what="Creating it", note="Sending the request…")

    bar.submitRequested.connect(submit)
    await wait_until(page.isActiveWindow)
    qtbot.keyClick(bar.button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the shortcut
    assert bar.busy() and bar.button.text() == "Creating…" and not bar.button.isEnabled()
    assert bar.reason.text() == "Sending the request…"
    qtbot.keyClick(bar.button, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert clicks == [True]  # a second press while busy sends nothing
    release.set()
    await bar.wait()
    assert bar.button.text() == "Create ▶" and bar.button.isEnabled() and not bar.reason.isVisible()
    assert bar.confirmation.isVisible() and bar.confirmation.text() == "Created — follow it in Tasks."
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert clicks == [True, True] and bar.busy()
    await bar.wait()


async def test_any_exception_becomes_one_sentence_and_the_next_run_clears_it(qtbot):
    _page, bar = make_bar(qtbot)
    bar.set_problems([])

    async def broken():
        raise KeyError("clip 7")

    bar.run(broken(), what="Creating the persona")
    await bar.wait()
    assert bar.button.isEnabled() and bar.button.text() == "Create ▶"
    assert bar.error.isVisible()
    assert bar.error.text().startswith("Creating the persona did not finish: an unexpected error (KeyError")

    async def refused():
        raise StudioError("The provider is busy; try again in a minute.")

    bar.run(refused(), what="Creating the persona")
    assert not bar.error.isVisible()  # the old sentence goes when a new attempt starts
    await bar.wait()
    assert bar.error.text() == "The provider is busy; try again in a minute."


async def test_cancelling_the_run_restores_the_button(qtbot):
    page, bar = make_bar(qtbot)
    bar.set_problems([])
    bar.run(asyncio.Event().wait(), what="Uploading")
    assert not bar.button.isEnabled()
    page.runner.cancel("submit")
    await bar.wait()
    assert bar.button.isEnabled() and not bar.error.isVisible()
