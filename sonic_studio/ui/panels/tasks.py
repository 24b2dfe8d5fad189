"""The Tasks dock: every paid request, its state in words, elapsed time, progress, errors.

A task row is the app's memory of money spent, so this panel never hides one: it lists
``studio.tasks.list()`` at start and follows ``bridge.taskChanged``.  Active tasks tick
their elapsed time from one panel-wide timer (never one per row), the progress bar is
painted by a delegate (no per-row widgets), and errors are the taxonomy's sentences
with the provider's details in the tooltip.  "Check again" only asks the provider
about a task - it never submits anything - and says what it learned; "Open result"
selects the first clip in the library.  "Retry" (its cost on the button) is offered only
for a request the provider clearly refused - never for one that may have been accepted
(UNKNOWN).  "Clear finished" hides done and failed rows from the list (remembered across
restarts; the rows stay in the library's history).  When a task this session watched
finishes, a non-modal notice says so.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QRectF, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import StudioError
from ...core.models import TaskKind
from ...store.records import TaskRecord, TaskState
from .. import theme
from ..components.submit_bar import credits_text
from ..format import duration_text, file_name_of
from ..icons import icon
from ..tasks_runner import TaskRunner

log = logging.getLogger(__name__)

COL_TASK, COL_STATE, COL_ELAPSED, COL_PROGRESS, COL_DETAIL = range(5)
HEADERS = ("Task", "State", "Elapsed", "Progress", "Details")
TaskRole = Qt.ItemDataRole.UserRole + 1
_READY = re.compile(r"(\d+) of (\d+) clips? ready")
CLEARED_KEY = "tasks/cleared"  # ids of finished tasks the person cleared from the list

_KIND_ICONS = {
    TaskKind.EXTEND: "extend", TaskKind.UPLOAD_EXTEND: "extend", TaskKind.COVER: "cover",
    TaskKind.UPLOAD_COVER: "cover", TaskKind.GENERATE: "music", TaskKind.CONCAT: "link",
}
_KIND_WORDS = {
    TaskKind.EXTEND: "Extend", TaskKind.UPLOAD_EXTEND: "Extend", TaskKind.COVER: "Cover",
    TaskKind.UPLOAD_COVER: "Cover", TaskKind.GENERATE: "New song", TaskKind.CONCAT: "Full song",
}


# ---------------------------------------------------------------------------- words


def state_words(task: TaskRecord) -> str:
    """The state as a person reads it: "queued", "1 of 2 clips ready", "done"…"""
    state = task.state
    if state is TaskState.RUNNING:
        found = _READY.search(task.detail or "")
        return f"{found.group(1)} of {found.group(2)} clips ready" if found else "running"
    return {
        TaskState.SUBMITTING: "sending",
        TaskState.PENDING: "queued",
        TaskState.DOWNLOADING: "downloading",
        TaskState.SUCCEEDED: "done",
        TaskState.PARTIAL: "partial",
        TaskState.FAILED: "failed",
        TaskState.UNKNOWN: "unknown (may have been submitted — check your account)",
        TaskState.STALLED: "stalled",
    }[state]


def state_color(state: TaskState) -> str:
    if state.active:
        return theme.ACCENT
    return {
        TaskState.SUCCEEDED: theme.SUCCESS,
        TaskState.PARTIAL: theme.WARNING,
        TaskState.FAILED: theme.ERROR,
        TaskState.UNKNOWN: theme.WARNING,
        TaskState.STALLED: theme.WARNING,
    }[state]


def _state_icon(state: TaskState) -> QIcon:
    if state.active or state is TaskState.STALLED:
        name = "clock"
    elif state is TaskState.SUCCEEDED:
        name = "check"
    else:
        name = "alert"
    return icon(name, state_color(state))


def detail_text(task: TaskRecord) -> str:
    """One line under "Details": the error in words for failures, else the service's detail."""
    if task.error is not None and task.state in (TaskState.FAILED, TaskState.UNKNOWN, TaskState.PARTIAL):
        return str(task.error)
    return task.detail or ""


def task_title(task: TaskRecord) -> str:
    title = task.title or task.kind.value.replace("_", " ")
    return title[:1].upper() + title[1:]


# ---------------------------------------------------------------------------- model


class TaskTableModel(QAbstractTableModel):
    """Tasks, newest first, updated in place from ``taskChanged``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TaskRecord] = []
        self._index: dict[int, int] = {}

    def reset(self, tasks: list[TaskRecord]) -> None:
        self.beginResetModel()
        self._rows = list(tasks)
        self._reindex()
        self.endResetModel()

    def upsert(self, task: TaskRecord) -> TaskRecord | None:
        """Insert or replace ``task``; returns the record it replaced (None if new)."""
        row = self._index.get(task.id)
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, task)
            self._reindex()
            self.endInsertRows()
            return None
        before = self._rows[row]
        self._rows[row] = task
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        return before

    def _reindex(self) -> None:
        self._index = {task.id: i for i, task in enumerate(self._rows)}

    def task_at(self, row: int) -> TaskRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, task_id: int) -> int | None:
        return self._index.get(task_id)

    def any_active(self) -> bool:
        return any(task.state.active for task in self._rows)

    def tick(self) -> None:
        """Repaint the elapsed time of active tasks (called by the panel's one timer)."""
        for row, task in enumerate(self._rows):
            if task.state.active:
                index = self.index(row, COL_ELAPSED)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        task = self._rows[index.row()]
        column = index.column()
        if role == TaskRole:
            return task
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_TASK:
                return task_title(task)
            if column == COL_STATE:
                return state_words(task)
            if column == COL_ELAPSED:
                return duration_text(task.elapsed)
            if column == COL_DETAIL:
                return detail_text(task)
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if column == COL_TASK:
                return icon(_KIND_ICONS.get(task.kind, "music"), theme.TEXT_DIM)
            if column == COL_STATE:
                return _state_icon(task.state)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_STATE:
                return QColor(state_color(task.state))
            if column == COL_DETAIL:
                failed = task.state in (TaskState.FAILED, TaskState.UNKNOWN)
                return QColor(theme.ERROR if failed else theme.TEXT_DIM)
            if column == COL_ELAPSED:
                return QColor(theme.TEXT if task.state.active else theme.TEXT_DIM)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_ELAPSED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return theme.plain_tip(self._tooltip(task, column))
        return None

    def _tooltip(self, task: TaskRecord, column: int) -> str:
        if column == COL_ELAPSED:
            return "Time since the provider accepted the request"
        lines = [task_title(task), f"State: {state_words(task)}"]
        if task.error is not None:
            lines.append(task.error.details())
        elif task.detail:
            lines.append(task.detail)
        if task.provider_task_id:
            lines.append(f"Provider task id: {task.provider_task_id} ({task.provider.value})")
        if task.clip_ids:
            lines.append(f"{len(task.clip_ids)} clip{'s' if len(task.clip_ids) != 1 else ''} — double-click to open")
        return "\n".join(lines)


class _ProgressDelegate(QStyledItemDelegate):
    """A thin progress bar in the state's colour; nothing for tasks with no progress to show."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        task: TaskRecord | None = index.data(TaskRole)
        if task is None or task.state in (TaskState.UNKNOWN,):
            return
        if task.state in (TaskState.SUCCEEDED, TaskState.PARTIAL, TaskState.FAILED):
            value = 1.0
        else:
            value = min(1.0, max(0.04, task.progress or 0.0))
        rect = QRectF(option.rect).adjusted(8, 0, -8, 0)
        bar = QRectF(rect.left(), rect.center().y() - 3, rect.width(), 6)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.BORDER))
        painter.drawRoundedRect(bar, 3, 3)
        fill = QColor(state_color(task.state))
        if task.state is TaskState.FAILED:
            fill.setAlpha(110)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(bar.left(), bar.top(), max(6.0, bar.width() * value), bar.height()), 3, 3)
        painter.restore()


# ---------------------------------------------------------------------------- panel


class TasksPanel(QWidget):
    """The Tasks dock.  Public: ``check_again(id)`` (awaitable), ``open_result(id)``,
    ``select_task(id)``, ``current_task()``; ``model`` is the ``TaskTableModel``."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.ctx = ctx
        self.studio = ctx.studio
        self._watched: set[int] = set()  # active tasks seen this session: notify when they end
        self.model = TaskTableModel(self)
        self._build()

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

        self._cleared = {int(i) for i in (QSettings().value(CLEARED_KEY) or []) if str(i).isdigit()}
        self.model.reset([t for t in self.studio.tasks.list() if t.id not in self._cleared])
        for task in self.studio.tasks.list(active_only=True):
            self._watched.add(task.id)
        ctx.bridge.taskChanged.connect(self._on_task)
        self.model.modelReset.connect(self._refresh)
        self.model.rowsInserted.connect(self._refresh)
        self.model.dataChanged.connect(self._on_data_changed)
        self._refresh()

    def _build(self) -> None:
        s = theme.SPACING
        layout = QVBoxLayout(self)
        layout.setContentsMargins(s, 4, s, 4)
        layout.setSpacing(4)

        # The summary and the buttons: the window moves this row into the dock's title bar,
        # so the list keeps its height for rows (three at 1280×800, not one).
        self.bar = QWidget()
        bar = QHBoxLayout(self.bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(s)
        self.summary = QLabel("")
        theme.set_role(self.summary, "hint")
        bar.addWidget(self.summary, 1)
        self.open_button = QPushButton(icon("library"), "Open result")
        self.open_button.clicked.connect(lambda: self.open_result(self._current_id()))
        self.check_button = QPushButton(icon("refresh"), "Check again")
        self.check_button.clicked.connect(lambda: self._spawn_check(self._current_id()))
        self.retry_button = QPushButton(icon("refresh"), "Retry")
        self.retry_button.clicked.connect(lambda: self.retry(self._current_id()))
        self.clear_button = QPushButton(icon("trash"), "Clear finished")
        self.clear_button.setToolTip("Hide done and failed tasks from this list "
                                     "(tasks that may still need you stay)")
        self.clear_button.clicked.connect(self.clear_finished)
        for button in (self.open_button, self.check_button, self.retry_button, self.clear_button):
            bar.addWidget(button)
        layout.addWidget(self.bar)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COL_PROGRESS, _ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setIconSize(QSize(16, 16))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda index: self.open_result(self._id_at(index)))
        self.table.activated.connect(lambda index: self.open_result(self._id_at(index)))
        self.table.setAccessibleName("Tasks")
        vheader = self.table.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(26)  # three rows in the default dock at 1280×800
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((COL_TASK, 300), (COL_STATE, 190), (COL_ELAPSED, 76), (COL_PROGRESS, 120)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_ELAPSED, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_PROGRESS, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_DETAIL, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.empty = QLabel("No tasks yet — results appear here while they are made")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        theme.set_role(self.empty, "empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.setMinimumHeight(110)

    # ------------------------------------------------------------------ events
    def _on_task(self, task: TaskRecord) -> None:
        if task.id in self._cleared:
            if task.state.finished:
                return  # cleared: stays out of the list
            self._cleared.discard(task.id)  # it moved again: it belongs in the list
        before = self.model.upsert(task)
        if task.state.active:
            self._watched.add(task.id)
        elif task.id in self._watched:
            self._watched.discard(task.id)
            self.ctx.bridge.notify.emit(self.finish_message(task))
        if before is None:
            self._refresh()

    def _on_data_changed(self, top: QModelIndex, _bottom: QModelIndex, roles=()) -> None:
        if list(roles) == [Qt.ItemDataRole.DisplayRole]:
            return  # a tick: nothing but elapsed time moved
        self._refresh()

    def _tick(self) -> None:
        self.model.tick()
        if not self.model.any_active():
            self._ticker.stop()

    def _refresh(self, *_args) -> None:
        count = self.model.rowCount()
        if count and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)  # the buttons always act on a visibly selected task
        self.stack.setCurrentIndex(0 if count else 1)
        tasks = [self.model.task_at(row) for row in range(count)]
        active = sum(1 for t in tasks if t.state.active)
        attention = sum(1 for t in tasks if t.state.needs_attention or t.state is TaskState.FAILED)
        parts = []
        if active:
            parts.append(f"{active} running")
        if attention:
            parts.append(f"{attention} need{'s' if attention == 1 else ''} attention")
        if count:
            parts.append(f"{count} task{'s' if count != 1 else ''}")
        self.summary.setText(" · ".join(parts))
        self.clear_button.setEnabled(any(t.state.finished for t in tasks))
        if active and not self._ticker.isActive():
            self._ticker.start()
        elif not active:
            self._ticker.stop()
        self._update_buttons()

    def _take_rows(self, task: TaskRecord) -> list:
        """The task's clips still in the library, labelled "take 1", "take 2"…"""
        rows = (self.studio.library.get_or_none(c) for c in task.clip_ids)
        return [r for r in rows if r is not None and not r.deleted]

    def finish_message(self, task: TaskRecord) -> str:
        """The notice when a task ends: "Extend of “Night Drive” finished: 2 clips added"."""
        subject = self._subject(task)
        if task.state is TaskState.SUCCEEDED:
            takes = [c.take for c in self._take_rows(task) if c.take]
            if len(takes) > 1:
                return f"{subject} finished: {len(takes)} takes added ({', '.join(takes)}); A in the player compares them"
            n = len(task.clip_ids)
            return f"{subject} finished: {n} clip{'s' if n != 1 else ''} added"
        if task.state is TaskState.PARTIAL:
            return f"{subject} finished with problems: {task.detail or task.error}"
        if task.state is TaskState.FAILED:
            return f"{subject} failed: {task.error or task.detail}"
        if task.state is TaskState.UNKNOWN:
            return f"{subject}: may have been submitted — check your account"
        return f"{subject} is taking long: use “Check again” later"

    def _subject(self, task: TaskRecord) -> str:
        words = _KIND_WORDS.get(task.kind, "Task")
        if task.kind in (TaskKind.UPLOAD_EXTEND, TaskKind.UPLOAD_COVER) and task.source_url:
            return f"{words} of {task.request.get('local_file') or file_name_of(task.source_url)}"
        if task.source_clip is not None:
            try:
                source = self.studio.library.get(task.source_clip)
            except KeyError:
                source = None
            if source is not None:
                return f"{words} of “{source.title or source.clip_id}”"
        return task_title(task)

    # ------------------------------------------------------------------ actions
    def _id_at(self, index: QModelIndex) -> int | None:
        task = self.model.task_at(index.row()) if index.isValid() else None
        return task.id if task is not None else None

    def _current_id(self) -> int | None:
        return self._id_at(self.table.currentIndex())

    def current_task(self) -> TaskRecord | None:
        task_id = self._current_id()
        row = self.model.row_of(task_id) if task_id is not None else None
        return self.model.task_at(row) if row is not None else None

    def select_task(self, task_id: int) -> None:
        row = self.model.row_of(task_id)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, COL_TASK))

    def _update_buttons(self) -> None:
        task = self.current_task()
        if task is None:
            for button in (self.open_button, self.check_button, self.retry_button):
                button.setEnabled(False)
            self.retry_button.setText("Retry")
            self.open_button.setToolTip("Select a task to open its first clip in the library")
            self.check_button.setToolTip("Select a task to ask the provider about it again")
            return
        self.open_button.setEnabled(bool(task.clip_ids))
        self.open_button.setToolTip(
            "Select the task's first clip in the library (double-click the task)" if task.clip_ids
            else "This task has no clips yet")
        can_check = bool(task.provider_task_id)
        self.check_button.setEnabled(can_check)
        self.check_button.setToolTip(
            "Ask the provider about this task now and download missing files. Nothing is submitted again."
            if can_check else
            "This request never got a task id from the provider, so there is nothing to check: "
            "look at your account on the provider's site.")
        self._update_retry(task)

    def _update_retry(self, task: TaskRecord) -> None:
        """Retry only for a clearly refused request, with the cost on the button before anything is sent."""
        problem = self.studio.tasks.retry_problem(task.id)
        cost = self.studio.capabilities.estimated_cost(task.kind)
        self.retry_button.setText(f"Retry ({credits_text(cost)} credits)" if cost is not None and not problem
                                  else "Retry")
        self.retry_button.setEnabled(problem is None and not self.runner.running("retry"))
        self.retry_button.setToolTip(problem or "Send the same request again as a new task (the provider refused "
                                     "it, so nothing was made or charged)")

    def retry(self, task_id: int | None) -> None:
        """Send a refused request again; the new task appears at the top and is selected."""
        if task_id is None or self.studio.tasks.retry_problem(task_id):
            return
        self.runner.run("retry", self._retry(task_id), what="Sending the request again",
                        busy=lambda _busy: self._update_buttons())

    async def _retry(self, task_id: int) -> None:
        try:
            record = await TaskRunner.unstoppable(self.studio.tasks.retry(task_id))
        except StudioError as exc:  # refused again: in words
            self.ctx.bridge.notify.emit(f"Sent again, but: {exc}")
            return
        self.select_task(record.id)
        self.ctx.bridge.notify.emit(f"Sent again: {task_title(record)}.")

    def clear_finished(self) -> None:
        """Hide done and failed rows (not those that may still need the person)."""
        finished = [t for t in (self.model.task_at(r) for r in range(self.model.rowCount())) if t.state.finished]
        if not finished:
            return
        self._cleared.update(t.id for t in finished)
        QSettings().setValue(CLEARED_KEY, sorted(self._cleared))
        self.model.reset([t for t in self.studio.tasks.list() if t.id not in self._cleared])
        self.ctx.bridge.notify.emit(f"Cleared {len(finished)} finished task{'s' if len(finished) != 1 else ''}.")

    def open_result(self, task_id: int | None) -> None:
        """Select the task's first result clip app-wide (the library and player follow)."""
        row = self.model.row_of(task_id) if task_id is not None else None
        task = self.model.task_at(row) if row is not None else None
        if task is None:
            return
        if not task.clip_ids:
            self.ctx.bridge.notify.emit("This task has no clips yet.")
            return
        self.ctx.select_clip(task.clip_ids[0])

    def _spawn_check(self, task_id: int | None) -> None:
        if task_id is not None:
            self.runner.run(f"check-again-{task_id}", self.check_again(task_id), what="Checking with the provider",
                            busy=self._checking)

    def _checking(self, busy: bool) -> None:
        self.check_button.setText("Checking…" if busy else "Check again")
        if busy:
            self.check_button.setEnabled(False)
        else:
            self._update_buttons()

    async def check_again(self, task_id: int) -> TaskRecord | None:
        """Ask the provider about the task once more (never resubmits) and say what it answered;
        errors become a notice."""
        try:
            record = await self.studio.tasks.check_again(task_id)
        except StudioError as exc:  # in words, never a traceback
            log.info("check again failed: %s", exc)
            self.ctx.bridge.notify.emit(str(exc))
            return None
        self.ctx.bridge.notify.emit(f"Checked with the provider: {self._subject(record)} is {state_words(record)}.")
        return record

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        task = self.model.task_at(index.row())
        menu = QMenu(self)
        takes = self._take_rows(task)
        if len(takes) > 1:  # one entry per take: "Open take 1", "Open take 2 · full song"
            for clip in takes:
                action = menu.addAction(icon("library"), f"Open {clip.take}")
                action.triggered.connect(lambda _=False, c=clip.id: self.ctx.select_clip(c))
        else:
            open_action = menu.addAction(icon("library"), "Open result")
            open_action.setEnabled(bool(task.clip_ids))
            open_action.triggered.connect(lambda: self.open_result(task.id))
        check_action = menu.addAction(icon("refresh"), "Check again")
        check_action.setEnabled(bool(task.provider_task_id))
        check_action.triggered.connect(lambda: self._spawn_check(task.id))
        if self.studio.tasks.retry_problem(task.id) is None:
            menu.addAction(self.retry_button.icon(), self.retry_button.text()).triggered.connect(
                lambda: self.retry(task.id))
        if task.provider_task_id:
            copy_action = menu.addAction(icon("link"), "Copy provider task id")
            copy_action.triggered.connect(lambda: QGuiApplication.clipboard().setText(task.provider_task_id))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))
