"""The Deliverables section of a clip's details: finish the song from the window.

One row per deliverable (whole song, WAV, stems in two sizes, MIDI, timed lyrics, BPM)
with its state in words, its cost shown before anything is sent, a button to get it,
"Open folder" once its files are saved, and for stems and timed lyrics a button that
asks the window to open their view (``bridge.deliverableViewRequested``).  Above the
rows: how long the provider keeps the clip's files and what is already safe on this
computer.  Below: "Send to DAW", one folder with everything, with a progress bar.

Where each row stands is decided by ``services.deliverable_status`` (no business rules
here); asking goes through ``DeliverableService.request`` inside
``TaskRunner.unstoppable``, so a paid request reaches its stored task id even if the
section goes away meanwhile.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.models import AssetKind
from ...services.daw_export import export_daw, fresh_daw_folder
from ...services.deliverable_status import ROW_KINDS, DeliverableRow, Overview, RowState, overview
from .. import theme
from ..icons import icon
from ..tasks_runner import TaskRunner

log = logging.getLogger(__name__)

_VIEWS = {AssetKind.STEMS_BASIC: ("stems", "Show stems"), AssetKind.STEMS_FULL: ("stems", "Show stems"),
          AssetKind.LYRICS_TIMELINE: ("lyrics", "Show lyrics")}
_STATE_ROLES = {RowState.FAILED: "error", RowState.SAVED: "success", RowState.WORKING: "hint",
                RowState.UNAVAILABLE: "warning"}


def open_folder(folder: Path) -> None:
    """Show ``folder`` in the system's file manager (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class _RowWidgets:
    """The widgets of one deliverable row (kept so a refresh only changes texts)."""

    def __init__(self, section: DeliverablesSection, kind: AssetKind) -> None:
        self.kind = kind
        self.frame = QFrame()
        self.frame.setProperty("role", "card")
        self.frame.setObjectName(f"deliverable-{kind.value}")
        column = QVBoxLayout(self.frame)
        column.setContentsMargins(theme.SPACING, 6, theme.SPACING, 6)
        column.setSpacing(4)
        head = QHBoxLayout()
        # The name wraps so a narrow library dock never needs a sideways scrollbar
        # ("Stems (vocals + instrumental)" beside its cost is wider than the dock at 1280×800).
        self.name = theme.label("")
        self.name.setStyleSheet("font-weight: 600;")
        self.cost = theme.label("", "hint", wrap=False)
        head.addWidget(self.name)
        head.addStretch(1)
        head.addWidget(self.cost)
        column.addLayout(head)
        self.state = theme.label("")
        column.addWidget(self.state)
        self.progress = QProgressBar()
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()
        column.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.get = QPushButton(icon("export"), "Get")
        self.get.clicked.connect(lambda: section.request(kind))
        self.open = QPushButton(icon("folder"), "Open folder")
        self.open.setToolTip("Show the saved files in your file manager")
        self.open.clicked.connect(lambda: section.open_folder(kind))
        buttons.addWidget(self.get)
        buttons.addWidget(self.open)
        self.view = None
        if kind in _VIEWS:
            view, text = _VIEWS[kind]
            self.view = QPushButton(icon("wave" if view == "stems" else "music"), text)
            self.view.clicked.connect(lambda: section.open_view(kind))
            buttons.addWidget(self.view)
        buttons.addStretch(1)
        column.addLayout(buttons)

    def show(self, row: DeliverableRow, pending: str | None, error: str | None) -> None:
        self.name.setText(row.label)
        self.cost.setText(row.cost)
        self.cost.setToolTip(theme.plain_tip(row.cost_sentence))
        state, text = row.state, row.text
        if pending:
            state, text = RowState.WORKING, pending
        elif error and row.state in (RowState.NONE, RowState.FAILED):
            state, text = RowState.FAILED, error
        self.state.setText(text)
        theme.set_role(self.state, _STATE_ROLES.get(state, "hint"))
        working = state is RowState.WORKING
        self.progress.setVisible(working)
        if working:
            if row.progress is None or pending:
                self.progress.setRange(0, 0)  # busy: the provider gives no figure
            else:
                self.progress.setRange(0, 100)
                self.progress.setValue(int(row.progress * 100))
        can_ask = row.can_request and not pending
        self.get.setVisible(state not in (RowState.UNAVAILABLE, RowState.NOT_APPLICABLE, RowState.SAVED,
                                          RowState.WORKING))
        self.get.setEnabled(can_ask)
        self.get.setText(f"Get it again ({row.cost})" if row.state is RowState.FAILED and row.cost
                         else f"Get it ({row.cost})" if row.cost else "Get it")
        self.get.setToolTip(theme.plain_tip(row.cost_sentence))
        self.open.setVisible(row.state is RowState.SAVED and row.folder is not None)
        if self.view is not None:
            self.view.setVisible(row.state is RowState.SAVED)


class DeliverablesSection(QFrame):
    """Shows the deliverables of one clip (``show_clip``) and keeps them current."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.clip: int | None = None
        self.overview: Overview | None = None
        self._pending: dict[AssetKind, str] = {}
        self._errors: dict[AssetKind, str] = {}
        self.setObjectName("deliverables")

        column = QVBoxLayout(self)
        column.setContentsMargins(0, theme.SPACING, 0, 0)
        column.setSpacing(6)
        title = theme.label("Deliverables", wrap=False)
        title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        column.addWidget(title)
        self.expiry = theme.label("", "hint")
        self.expiry.setToolTip("From the provider's published retention; your saved copies never expire.")
        self.safe = theme.label("", "hint")
        self.not_ready = theme.label("Deliverables can be asked for once the clip has finished.", "hint")
        for widget in (self.expiry, self.safe, self.not_ready):
            column.addWidget(widget)
        self.rows: dict[AssetKind, _RowWidgets] = {}
        for kind in ROW_KINDS:
            row = _RowWidgets(self, kind)
            self.rows[kind] = row
            column.addWidget(row.frame)

        daw = QHBoxLayout()
        self.daw_button = QPushButton(icon("export"), "Send to DAW…")
        self.daw_button.setToolTip("Write one folder with the song and stems as WAV, the .mid, the .lrc, lyric "
                                   "markers for Audacity and REAPER, and the clip's details (Ctrl+Shift+D)")
        self.daw_button.clicked.connect(lambda: self.send_to_daw())
        daw.addWidget(self.daw_button)
        self.daw_open = QPushButton(icon("folder"), "Open folder")
        self.daw_open.clicked.connect(lambda: self._daw_folder is not None and open_folder(self._daw_folder))
        self.daw_open.hide()
        daw.addWidget(self.daw_open)
        daw.addStretch(1)
        column.addLayout(daw)
        self.daw_progress = QProgressBar()
        self.daw_progress.setFormat("Exporting %v of %m files")
        self.daw_progress.hide()
        column.addWidget(self.daw_progress)
        self.daw_result = theme.label("", "hint")
        self.daw_result.hide()
        column.addWidget(self.daw_result)
        self._daw_folder: Path | None = None

        # Window-wide so it works from the library table too (its context menu shows it).
        self.action_daw = QAction(icon("export"), "Send to DAW…", self)
        self.action_daw.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.action_daw.triggered.connect(lambda: self.send_to_daw())
        self.addAction(self.action_daw)

        bridge = ctx.bridge
        bridge.taskChanged.connect(self._on_task)
        bridge.clipAdded.connect(self._on_clip)
        bridge.clipUpdated.connect(self._on_clip)

    # ------------------------------------------------------------------ showing
    def show_clip(self, clip: int | None) -> None:
        if clip != self.clip:
            self._pending.clear()
            self._errors.clear()
            self._show_daw_result(None, "")
        self.clip = clip
        self.refresh()

    def refresh(self) -> None:
        if self.clip is None:
            self.overview = None
            return
        try:
            self.overview = overview(self.ctx.studio, self.clip)
        except KeyError:  # deleted meanwhile
            self.overview = None
            return
        ov = self.overview
        self.expiry.setText(ov.expiry)
        self.safe.setText(ov.safe)
        self.not_ready.setVisible(not ov.ready)
        for row in ov.rows:
            widgets = self.rows[row.kind]
            widgets.frame.setVisible(ov.ready)
            widgets.show(row, self._pending.get(row.kind), self._errors.get(row.kind))
        self.daw_button.setEnabled(ov.ready and not self.runner.running("daw"))

    def row_text(self, kind: AssetKind) -> str:
        """What the row says now (for tests and accessibility)."""
        return self.rows[kind].state.text()

    # ------------------------------------------------------------------ asking
    def request(self, kind: AssetKind) -> None:
        if self.clip is None or self.overview is None or self.runner.running(f"get-{kind.value}"):
            return
        row = self.overview.row(kind)
        if not row.can_request:
            return
        clip = self.clip
        self._errors.pop(kind, None)
        quote = self.ctx.studio.deliverables.quote(clip, kind)
        self._pending[kind] = (f"Making the {quote.steps[0].label} first, then the {kind.label}…"
                               if len(quote.steps) > 1 else "Sending the request…")
        self.refresh()
        self.runner.run(f"get-{kind.value}", self._request(clip, kind), what=f"Asking for the {kind.label}",
                        on_error=lambda text: self._failed(clip, kind, text))

    async def _request(self, clip: int, kind: AssetKind) -> None:
        try:
            outcome = await TaskRunner.unstoppable(self.ctx.studio.deliverables.request(clip, kind))
        finally:
            if self.clip == clip:  # the row shows the task (or, for a refusal, the reason) from now on
                self._pending.pop(kind, None)
                self.refresh()
        if outcome.message:
            self.ctx.bridge.notify.emit(outcome.message)

    def _failed(self, clip: int, kind: AssetKind, text: str) -> None:
        if self.clip == clip:
            self._errors[kind] = text
            self.refresh()

    def open_folder(self, kind: AssetKind) -> None:
        if self.overview is not None and self.overview.row(kind).folder is not None:
            open_folder(self.overview.row(kind).folder)

    def open_view(self, kind: AssetKind) -> None:
        if self.clip is not None and kind in _VIEWS:
            self.ctx.bridge.deliverableViewRequested.emit(self.clip, _VIEWS[kind][0])

    # ------------------------------------------------------------------ send to DAW
    def send_to_daw(self, parent_folder: Path | None = None) -> None:
        """Ask where (unless given), then export into a new folder there."""
        if self.clip is None or self.overview is None or not self.overview.ready or self.runner.running("daw"):
            return
        if parent_folder is None:
            chosen = QFileDialog.getExistingDirectory(self, "Send to DAW: where should the folder go?",
                                                      str(Path.home()))
            if not chosen:
                return
            parent_folder = Path(chosen)
        clip = self.clip
        dest = fresh_daw_folder(self.ctx.studio, clip, parent_folder)
        self._show_daw_result(None, "")
        self.runner.run("daw", self._export(clip, dest), what="Sending to the DAW folder", busy=self._exporting,
                        on_error=lambda text: self._show_daw_result(None, text, error=True))

    def _exporting(self, busy: bool) -> None:
        self.daw_button.setEnabled(not busy)
        self.daw_progress.setVisible(busy)
        if busy:
            self.daw_progress.setRange(0, 0)

    def _daw_step(self, done: int, total: int) -> None:
        self.daw_progress.setRange(0, total)
        self.daw_progress.setValue(done)

    async def _export(self, clip: int, dest: Path) -> None:
        result = await export_daw(self.ctx.studio, clip, dest, progress=self._daw_step)
        missing = f" Not included: {'; '.join(result.missing)}." if result.missing else ""
        self._show_daw_result(result.folder, f"Sent to {result.folder} ({len(result.files)} files).{missing}")
        self.ctx.bridge.notify.emit(f"Sent to the DAW folder {result.folder}.")

    def _show_daw_result(self, folder: Path | None, text: str, *, error: bool = False) -> None:
        self._daw_folder = folder
        self.daw_result.setText(text)
        theme.set_role(self.daw_result, "error" if error else "hint")
        self.daw_result.setVisible(bool(text))
        self.daw_open.setVisible(folder is not None)

    def daw_result_text(self) -> str:
        return self.daw_result.text()

    # ------------------------------------------------------------------ events
    def _on_task(self, task) -> None:
        if self.clip is not None and (task.source_clip == self.clip or self.clip in task.clip_ids):
            self.refresh()

    def _on_clip(self, clip) -> None:
        # The clip's own files arriving, or its whole song landing in the library.
        if self.clip is not None and (clip.id == self.clip or clip.lineage is not None
                                      and clip.lineage.parent_clip == self.clip):
            self.refresh()
