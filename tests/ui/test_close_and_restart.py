"""Closing the real window with tasks in flight, then opening the app again: no result is lost.

Three tasks are in flight when the window gets its close event (as a window manager sends
it): one still submitting (its answer is on the wire), one queued at the provider, one
downloading its clips.  The demo emulator keeps its state in a folder, as demo mode does;
"restart" is a new emulator on that folder and a new window on the same data dir.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import wait_until
from PySide6.QtWidgets import QMessageBox
from restart_kit import DemoEmulator, open_app, shut

from sonic_studio.core.models import GenerationParams, Origin
from sonic_studio.emulator.app import Fault
from sonic_studio.store.records import TaskState
from sonic_studio.ui.tasks_runner import TaskRunner

CREATE = "/api/v1/sonic/create"
UPLOAD_COVER = "/api/v1/sonic/upload-cover"


def song(title: str) -> GenerationParams:
    return GenerationParams(model="sonic-v5", lyrics="[Verse]\nla la la", tags="pop", title=title)


@pytest.mark.parametrize("how", ["window manager close, then Quit", "SIGTERM path (no question)"])
async def test_closing_mid_flight_then_restarting_loses_nothing(tmp_path, qapp, qtbot, caplog, how):
    qapp.setQuitOnLastWindowClosed(False)  # as app.main sets it: closing the window must not stop the loop
    caplog.set_level(logging.INFO)
    data_dir, state = tmp_path / "data", tmp_path / "data" / "demo"
    data_dir.mkdir()
    first = DemoEmulator(state)
    ctx, window = await open_app(data_dir, first.base_url, qtbot)
    studio, page = ctx.studio, window.upload_tab.runner

    # Downloading: the clips are made, but the CDN answers slowly.
    first.emulator.faults.inject(Fault("latency", seconds=4.0), "/cdn/", method="GET", times=20)
    downloading = await studio.tasks.submit_generate(song("Downloading"))
    await wait_until(lambda: studio.tasks.get(downloading.id).state is TaskState.DOWNLOADING, 20)
    # Queued at the provider.
    queued = await studio.tasks.submit_generate(song("Queued"))
    assert studio.tasks.get(queued.id).state is TaskState.PENDING
    # Submitting: started by a page as pages do, the provider's answer still on its way.
    first.emulator.faults.inject(Fault("latency", seconds=2.5), UPLOAD_COVER, method="POST")
    sample = f"{first.base_url}/samples/night-drive.mp3"
    page.run("submit", TaskRunner.unstoppable(studio.tasks.submit_upload_cover(sample, song("Cover"))))
    await wait_until(lambda: any(t.state is TaskState.SUBMITTING for t in studio.tasks.list()), 10)
    [submitting] = [t for t in studio.tasks.list() if t.state is TaskState.SUBMITTING]

    closed = []
    window.closed.connect(lambda: closed.append(True))
    if how.startswith("window"):
        window.close()  # the close event a window manager sends
        question = window.quit_question
        assert question is not None and not closed
        assert question.text().startswith("3 tasks are still running: they continue at the provider")
        quit_button = next(b for b in question.buttons() if b.text() == "Quit")
        assert {b.text() for b in question.buttons()} == {"Quit", "Keep open"}
        quit_button.click()
    else:
        window.quit(ask=False)  # what the SIGTERM / Ctrl+C handler calls
        assert window.quit_question is None
    await wait_until(lambda: closed or "waiting for the provider to answer 1 request"
                     in window.statusBar().currentMessage(), 5)
    assert not closed, "closed before the submit on the wire had its answer"
    await wait_until(lambda: closed, 15)
    saved = studio.tasks.get(submitting.id)
    assert saved.provider_task_id and saved.state is TaskState.PENDING  # learned its id before closing
    await shut(ctx, window)
    first.stop()
    submissions = {path: len(first.emulator.submissions(path)) for path in (CREATE, UPLOAD_COVER)}
    assert submissions == {CREATE: 2, UPLOAD_COVER: 1}

    # Restart: a new emulator process on the same state folder (another port), a new window.
    second = DemoEmulator(state)
    try:
        ctx, window = await open_app(data_dir, second.base_url, qtbot)
        studio = ctx.studio
        ids = (downloading.id, queued.id, submitting.id)
        await wait_until(lambda: all(studio.tasks.get(i).state.finished for i in ids), 60)
        for task in ids:
            rec = studio.tasks.get(task)
            assert rec.state is TaskState.SUCCEEDED, (rec.title, rec.state, rec.error)
            assert len(rec.clip_ids) == 2
            for clip in rec.clip_ids:
                assert Path(studio.library.get(clip).audio_path).stat().st_size > 10_000
        assert second.emulator.submissions(CREATE) == [] and second.emulator.submissions(UPLOAD_COVER) == []
        rows = await studio.library.query()
        assert len({(r.provider, r.clip_id) for r in rows}) == len(rows) == 7
        assert [r.origin for r in rows].count(Origin.UPLOADED) == 1
        window.quit(ask=False)
        await wait_until(lambda: not window.isVisible(), 10)
        await shut(ctx, window)
    finally:
        second.stop()
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "closed database" not in text
    assert f"task {queued.id} (" in text and "resumed" in text


async def test_keep_open_keeps_the_window_and_its_tasks(window, ctx, qtbot):
    task = await ctx.studio.tasks.submit_generate(song("Still going"))
    window.close()
    question = window.quit_question
    assert question.text().startswith("1 task is still running: it continues at the provider")
    next(b for b in question.buttons() if b.text() == "Keep open").click()
    await wait_until(lambda: window.quit_question is None, 5)
    assert window.isVisible() and ctx.studio.tasks.following(task.id)
    assert window.findChild(QMessageBox) is None or not window.findChild(QMessageBox).isVisible()


async def test_nothing_running_closes_without_asking(window, qapp, qtbot):
    qapp.setQuitOnLastWindowClosed(False)
    closed = []
    window.closed.connect(lambda: closed.append(True))
    window.close()
    assert closed and window.quit_question is None
