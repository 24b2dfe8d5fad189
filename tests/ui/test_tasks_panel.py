"""The Tasks dock against the real emulator: live state and elapsed time, errors in words,
"Check again" (asks, never resubmits) and "Open result"."""

from __future__ import annotations

import asyncio

import pytest
from conftest import wait_until
from PySide6.QtCore import Qt

from sonic_studio.core.errors import InsufficientCreditsError, StudioError
from sonic_studio.core.models import GenerationParams
from sonic_studio.emulator.app import Fault, Timing
from sonic_studio.store import TaskState
from sonic_studio.ui.panels.tasks import COL_DETAIL, COL_ELAPSED, COL_STATE, COL_TASK, TasksPanel

PARAMS = GenerationParams(model="sonic-v5", lyrics="[Verse]\nRain on the glass", tags="lofi", title="Rain cover",
                          audio_weight=0.73)


def cell(panel: TasksPanel, task_id: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    return panel.model.index(panel.model.row_of(task_id), column).data(role)


async def uploaded(ctx, emulator, name: str = "night-drive.mp3"):
    return await ctx.studio.tasks.upload(f"{emulator.base_url}/samples/{name}")


async def test_empty_state_says_what_happens(ctx, qtbot):
    panel = TasksPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.stack.currentWidget() is panel.empty
    assert panel.empty.text() == "No tasks yet — results appear here while they are made"
    assert not panel.check_button.isEnabled() and not panel.open_button.isEnabled()


async def test_task_runs_ticks_and_finishes(ctx, ui_emulator, qtbot):
    # Slow enough that the elapsed clock visibly ticks while the task runs.
    ui_emulator.timing = Timing(queue=0.8, first_clip=1.8, second_clip=2.6)
    source = await uploaded(ctx, ui_emulator)
    ctx.studio.library.rename(source.id, "Night Drive")
    panel = TasksPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    notices: list[str] = []
    ctx.bridge.notify.connect(notices.append)

    task = await ctx.studio.tasks.submit_cover(source.id, PARAMS)
    await wait_until(lambda: panel.model.row_of(task.id) is not None)
    assert panel.stack.currentWidget() is panel.table
    assert cell(panel, task.id, COL_TASK) == "Cover “Night Drive”"
    await wait_until(lambda: cell(panel, task.id, COL_STATE) in ("queued", "running", "1 of 2 clips ready"))
    assert cell(panel, task.id, COL_ELAPSED) == "0:00"
    assert "1 running" in panel.summary.text()

    # The one panel timer repaints the elapsed time while the task is active.
    seen = set()
    while panel.model.task_at(panel.model.row_of(task.id)).state.active:
        seen.add(cell(panel, task.id, COL_ELAPSED))
        await asyncio.sleep(0.05)
    assert {"0:00", "0:01"} <= seen, seen

    await wait_until(lambda: cell(panel, task.id, COL_STATE) == "done")
    assert cell(panel, task.id, COL_DETAIL) == "2 clips saved to the library"
    frozen = cell(panel, task.id, COL_ELAPSED)
    await asyncio.sleep(1.2)
    assert cell(panel, task.id, COL_ELAPSED) == frozen  # stops when the task ends
    assert notices[-1] == ("Cover of “Night Drive” finished: 2 takes added (take 1, take 2); "
                           "A in the player compares them")

    # Open result selects the first clip app-wide.
    panel.select_task(task.id)
    assert panel.open_button.isEnabled()
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    done = ctx.studio.tasks.get(task.id)
    assert ctx.selected_clip == done.clip_ids[0]


async def test_failed_submit_shows_the_error_in_words(ctx, ui_emulator, qtbot):
    source = await uploaded(ctx, ui_emulator)
    panel = TasksPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    notices: list[str] = []
    ctx.bridge.notify.connect(notices.append)
    ui_emulator.faults.inject(
        Fault("status", status=403, body={"code": 403, "message": "remaining credits are not enough"}),
        "/api/v1/sonic/create",
    )
    with pytest.raises(InsufficientCreditsError):
        await ctx.studio.tasks.submit_cover(source.id, PARAMS)
    task = ctx.studio.tasks.list()[0]
    await wait_until(lambda: cell(panel, task.id, COL_STATE) == "failed")
    detail = cell(panel, task.id, COL_DETAIL)
    assert detail == str(task.error) and "credits" in detail.lower() and "Traceback" not in detail
    tip = cell(panel, task.id, COL_DETAIL, Qt.ItemDataRole.ToolTipRole)
    assert "remaining credits are not enough" in tip and "HTTP 403" in tip  # error.details()
    assert notices and notices[-1].startswith("Cover of") and "failed" in notices[-1]

    # Never got a task id: nothing to check, and the button says why.
    panel.select_task(task.id)
    assert not panel.check_button.isEnabled()
    assert "never got a task id" in panel.check_button.toolTip()


async def test_lost_submit_is_unknown_not_failed(ctx, ui_emulator, qtbot):
    source = await uploaded(ctx, ui_emulator)
    panel = TasksPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    ui_emulator.faults.inject(Fault("drop"), "/api/v1/sonic/create")
    with pytest.raises(StudioError):
        await ctx.studio.tasks.submit_extend(source.id, 20.0, PARAMS)
    task = ctx.studio.tasks.list()[0]
    assert task.state is TaskState.UNKNOWN
    await wait_until(lambda: panel.model.row_of(task.id) is not None
                     and cell(panel, task.id, COL_STATE).startswith("unknown"))
    assert cell(panel, task.id, COL_STATE) == "unknown (may have been submitted — check your account)"
    assert "check your account" in cell(panel, task.id, COL_DETAIL).lower()


async def test_check_again_asks_the_provider_and_never_resubmits(ctx, ui_emulator, qtbot):
    source = await uploaded(ctx, ui_emulator)
    task = await ctx.studio.tasks.submit_cover(source.id, PARAMS)
    await ctx.studio.tasks.wait(task.id, timeout=30)
    panel = TasksPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    poll_path = f"/api/v1/sonic/task/{task.provider_task_id}"
    polls = sum(1 for r in ui_emulator.requests if r.path == poll_path)
    submits = len(ui_emulator.submissions("/api/v1/sonic/create"))

    panel.select_task(task.id)
    assert panel.check_button.isEnabled()
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: sum(1 for r in ui_emulator.requests if r.path == poll_path) > polls)
    await wait_until(lambda: not ctx.studio.tasks.following(task.id))
    assert len(ui_emulator.submissions("/api/v1/sonic/create")) == submits
    assert cell(panel, task.id, COL_STATE) == "done"
