"""Drag-out from the library: a clip row carries its local file as a URL (file managers, DAWs).

Real clips from the emulator; the model's drag payload is read, and the view's
``startDrag`` is run with QDrag recorded (a real drag would wait for a drop).
"""

from __future__ import annotations

from pathlib import Path

from conftest import wait_until
from PySide6.QtCore import QItemSelectionModel, QUrl

from sonic_studio.core.models import GenerationParams
from sonic_studio.store import TaskState
from sonic_studio.ui.components.clip_model import CLIP_MIME
from sonic_studio.ui.panels import library as library_module
from sonic_studio.ui.panels.library import LibraryPanel


async def two_takes(ctx) -> tuple[int, int]:
    params = GenerationParams(model=ctx.studio.capabilities.default_model, lyrics="[Verse]\nneon on the water",
                              tags="synthwave", title="Night Drive")
    task = await ctx.studio.tasks.submit_generate(params)
    done = await ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    return done.clip_ids[0], done.clip_ids[1]


async def panel_with(ctx, qtbot, *clips) -> LibraryPanel:
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(420, 600)
    panel.show()
    await wait_until(lambda: panel.model.loaded and all(panel.model.row_of(c) is not None for c in clips))
    return panel


def url_of(ctx, clip: int) -> QUrl:
    return QUrl.fromLocalFile(str(Path(ctx.studio.library.get(clip).audio_path).resolve()))


async def test_a_selected_clip_drags_its_file(ctx, qtbot):
    take1, take2 = await two_takes(ctx)
    panel = await panel_with(ctx, qtbot, take1, take2)
    panel.select_clip(take1)
    selected = panel.table.selectionModel().selectedRows()
    mime = panel.model.mimeData(selected)
    assert mime.urls() == [url_of(ctx, take1)]
    assert Path(mime.urls()[0].toLocalFile()).is_file()
    assert bytes(mime.data(CLIP_MIME)).decode() == str(take1)  # the tabs still take it as a source


async def test_both_takes_drag_together_from_the_view(ctx, qtbot, monkeypatch):
    take1, take2 = await two_takes(ctx)
    panel = await panel_with(ctx, qtbot, take1, take2)
    panel.select_clip(take2)
    model, selection = panel.model, panel.table.selectionModel()
    selection.select(model.index(model.row_of(take1), 0),
                     QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)

    started = []

    class RecordingDrag:
        def __init__(self, source) -> None:
            self.source = source

        def setMimeData(self, mime) -> None:  # noqa: N802 (Qt naming)
            self.mime = mime

        def setPixmap(self, pixmap) -> None:  # noqa: N802
            self.pixmap = pixmap

        def exec(self, action):
            started.append((self.mime, action))

    monkeypatch.setattr(library_module, "QDrag", RecordingDrag)
    panel.table.startDrag(model.supportedDragActions())
    (mime, action), = started
    assert mime.urls() == [url_of(ctx, take2), url_of(ctx, take1)]  # the current clip first
    assert bytes(mime.data(CLIP_MIME)).decode() == str(take2)


async def test_a_clip_without_a_local_file_drags_no_url(ctx, qtbot):
    take1, take2 = await two_takes(ctx)
    Path(ctx.studio.library.get(take2).audio_path).unlink()
    panel = await panel_with(ctx, qtbot, take1, take2)
    mime = panel.model.mimeData([panel.model.index(panel.model.row_of(take2), 0)])
    assert not mime.hasUrls() and bytes(mime.data(CLIP_MIME)).decode() == str(take2)
