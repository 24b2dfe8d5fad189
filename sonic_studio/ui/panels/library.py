"""The "Clips" page of the library dock: search, filters, the clip table, details, actions.

The table is a model/view list paged from SQL (see ``clip_model``), so it stays instant
with tens of thousands of clips: every keystroke in the search field becomes one SQL
query, no per-row widgets exist, and covers are decoded off the UI thread.  Selecting a
clip selects it app-wide (``ctx.select_clip``): the details pane, the tabs and the player
bar follow.  Destructive actions are undoable (delete is soft; "Undo" restores), long
ones (export) run in an executor with progress in a notice bar inside the panel, and
nothing here opens a blocking dialog.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, QRect, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QDesktopServices,
    QDrag,
    QFont,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...core.capabilities import capabilities
from ...core.edits import EditOp
from ...core.models import Origin, ProviderId
from ...store.records import ClipQuery, ClipRow
from .. import theme
from ..components.clip_details import ClipDetailsPane
from ..components.clip_model import (
    COL_COVER,
    COL_CREATED,
    COL_DURATION,
    COL_MODEL,
    COL_ORIGIN,
    COL_STATUS,
    COL_TITLE,
    SORT_COLUMNS,
    THUMB,
    ClipRole,
    ClipTableModel,
    status_of,
)
from ..components.library_undo import LibraryEdits
from ..components.notice_bar import NoticeBar, NoticeKind
from ..format import KEEPER_STAR, clip_label, clip_name
from ..icons import icon
from ..tasks_runner import TaskRunner

log = logging.getLogger(__name__)

UNDO_SECONDS = 10
ROW_HEIGHT = THUMB + 10

# (menu label, sort key, descending)
SORTS = (
    ("Newest first", "created", True),
    ("Oldest first", "created", False),
    ("Title A–Z", "title", False),
    ("Title Z–A", "title", True),
    ("Longest first", "duration", True),
    ("Shortest first", "duration", False),
)
DATE_RANGES = ("Any time", "Today", "Last 7 days", "Last 30 days", "Last 12 months", "Custom range…")
# Columns shown once the panel is at least this wide (the title always shows).
_COLUMN_WIDTHS = {COL_CREATED: 480, COL_MODEL: 620, COL_ORIGIN: 720}


# ---------------------------------------------------------------------------- pieces


class _ClipDelegate(QStyledItemDelegate):
    """Paints the cover thumbnail, the two-line title and centred status icons."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        column = index.column()
        if column not in (COL_COVER, COL_TITLE, COL_STATUS):
            # Plain text cells, with an 8 px inner margin so neighbouring columns never touch.
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.rect = option.rect.adjusted(theme.SPACING, 0, -theme.SPACING, 0)
            return super().paint(painter, opt, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.icon = QIcon()
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        clip: ClipRow = index.data(ClipRole)
        if column == COL_COVER:
            box = QRect(rect.x() + (rect.width() - THUMB) // 2, rect.y() + (rect.height() - THUMB) // 2, THUMB, THUMB)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.PANEL_RAISED))
            painter.drawRoundedRect(box, 5, 5)
            pixmap = index.model().cover(clip)
            if not pixmap.isNull():
                size = pixmap.deviceIndependentSize().toSize()
                target = QRect(0, 0, size.width(), size.height())
                target.moveCenter(box.center())
                painter.drawPixmap(target, pixmap)
        elif column == COL_STATUS:
            status = status_of(clip)
            if status is not None:
                box = QRect(0, 0, 16, 16)
                box.moveCenter(rect.center())
                status[0].paint(painter, box)
        else:
            self._paint_title(painter, option, index.model(), clip)
        painter.restore()

    def _paint_title(self, painter: QPainter, option: QStyleOptionViewItem, model: ClipTableModel,
                     clip: ClipRow) -> None:
        rect = option.rect.adjusted(6, 4, -6, -4)
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        half = rect.height() // 2
        painter.setFont(title_font)
        painter.setPen(QPen(QColor(theme.TEXT)))
        title = painter.fontMetrics().elidedText(clip_label(clip), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QRect(rect.x(), rect.y(), rect.width(), half), Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(small)
        painter.setPen(QPen(QColor(theme.TEXT_DIM)))
        line = painter.fontMetrics().elidedText(model.lineage_line(clip), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QRect(rect.x(), rect.y() + half, rect.width(), rect.height() - half),
                         Qt.AlignmentFlag.AlignVCenter, line)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        rect = option.rect.adjusted(2, 4, -2, -(option.rect.height() // 2))
        editor.setGeometry(rect.adjusted(0, 0, 0, 8))


class ClipTable(QTableView):
    """The clip list; Enter plays, F2 renames, Delete deletes (only when the list has focus)."""

    playRequested = Signal()
    renameRequested = Signal()
    deleteRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt
        if self.state() != QAbstractItemView.State.EditingState:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                self.playRequested.emit()
                return
            if key == Qt.Key.Key_F2:
                self.renameRequested.emit()
                return
            if key == Qt.Key.Key_Delete:
                self.deleteRequested.emit()
                return
        super().keyPressEvent(event)

    def startDrag(self, actions) -> None:  # noqa: N802 - Qt
        """Drag the selected clips onto a tab (the current one's id) or out of the app (their files)."""
        current = self.currentIndex()
        rows = [i for i in self.selectionModel().selectedRows() if i.row() != current.row()]
        indexes = ([current] if current.isValid() else []) + rows
        model = self.model()
        mime = model.mimeData(indexes)
        if mime is None:
            return
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(model.cover(model.clip_at(indexes[0].row())))
        drag.exec(Qt.DropAction.CopyAction)


# ---------------------------------------------------------------------------- the panel


class LibraryPanel(QWidget):
    """The "Clips" page.  Public API for the window and other panels:

    ``focus_search()``, ``set_search(text)``, ``select_clip(id)``, ``play_clip(id)``,
    ``rename_clip(id)``, ``delete_clips(ids)``, ``undo_delete()``,
    ``export_clip(id, path)`` (awaitable), ``reveal_clip(id)``, ``copy_clip_id(id)``,
    ``clear_filters()``; ``model`` is the ``ClipTableModel``.
    """

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.ctx = ctx
        self.studio = ctx.studio
        self._syncing = False  # selecting a row because of clipSelected: do not echo it
        self._deleted: list[int] = []  # what the delete notice's "Undo" restores
        self.edits = LibraryEdits(ctx.studio.library, self)  # Edit › Undo / Redo
        self._personas_loaded = False
        self._sort = SORTS[0]
        self._scroll = 0  # the list's scroll position before a live refresh
        self._pair: list[int] = []  # the two selected clips A/B compares, if two are selected
        self.setMinimumWidth(300)

        self.model = ClipTableModel(ctx, self)
        self.model.renamer = self.edits.rename
        self._build()
        self._restore_state()

        self.model.modelAboutToBeReset.connect(self._remember_scroll)
        self.model.queryFinished.connect(self._on_query_finished)
        self.model.totalChanged.connect(self._show_count)
        self.model.loadFailed.connect(lambda text: self.notice.show_message(text, kind=NoticeKind.ERROR))
        self.model.modelReset.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        bridge = ctx.bridge
        bridge.clipSelected.connect(self._on_clip_selected)
        bridge.personaAdded.connect(self._personas_changed)
        bridge.personaUpdated.connect(self._personas_changed)
        bridge.personaRemoved.connect(self._personas_changed)
        self.apply_filters()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        s = theme.SPACING
        layout = QVBoxLayout(self)
        layout.setContentsMargins(s, s, s, 0)
        layout.setSpacing(s)

        top = QHBoxLayout()
        top.setSpacing(4)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search clips")
        self.search.setToolTip("Filter the library as you type: title, tags or provider clip id (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search", theme.TEXT_DIM), QLineEdit.ActionPosition.LeadingPosition)
        theme.name_field_buttons(self.search, "Search")
        self.search.textChanged.connect(self.apply_filters)
        self.search.returnPressed.connect(self._focus_table)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self._escape_search)
        top.addWidget(self.search, 1)

        self.filter_button = QToolButton()
        self.filter_button.setText("Filters")
        self.filter_button.setCheckable(True)
        self.filter_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.filter_button.setToolTip("Filter by origin, provider, persona and date")
        self.filter_button.toggled.connect(self._toggle_filters)
        top.addWidget(self.filter_button)

        self.keepers_button = QToolButton()
        self.keepers_button.setText(KEEPER_STAR)
        self.keepers_button.setCheckable(True)
        self.keepers_button.setToolTip("Show only keepers: the takes you marked with ★ (K marks one)")
        self.keepers_button.setAccessibleName("Keepers only")
        self.keepers_button.toggled.connect(self.apply_filters)
        top.addWidget(self.keepers_button)

        self.sort_button = QToolButton()
        self.sort_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sort_button.setToolTip("Sort order (or click a column header)")
        # Room for the menu arrow, which Fusion otherwise draws over the text.
        self.sort_button.setStyleSheet("QToolButton { padding-right: 18px; }"
                                       "QToolButton::menu-indicator { subcontrol-position: right center;"
                                       " right: 4px; }")
        sort_menu = QMenu(self.sort_button)
        self._sort_group = QActionGroup(self)
        for entry in SORTS:
            action = sort_menu.addAction(entry[0])
            action.setCheckable(True)
            action.setData(entry)
            self._sort_group.addAction(action)
        self._sort_group.triggered.connect(lambda action: self.set_sort(*action.data()[1:]))
        self.sort_button.setMenu(sort_menu)
        top.addWidget(self.sort_button)
        layout.addLayout(top)

        self.filters = self._build_filters()
        self.filters.hide()
        layout.addWidget(self.filters)

        self.count_label = QLabel("")
        theme.set_role(self.count_label, "hint")
        layout.addWidget(self.count_label)

        self.notice = NoticeBar()
        layout.addWidget(self.notice)

        self.table = ClipTable()
        self.table.setModel(self.model)
        self.table.setItemDelegate(_ClipDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setMinimumHeight(160)
        vheader = self.table.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setMinimumSectionSize(24)
        widths = {COL_COVER: THUMB + 12, COL_DURATION: 68, COL_MODEL: 96, COL_ORIGIN: 104, COL_STATUS: 28,
                  COL_CREATED: 84}
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.sectionClicked.connect(self._on_header_clicked)
        self.table.setAccessibleName("Clips")
        # Arrows move between clips; Tab leaves the table at once instead of walking its cells
        # (each cell step selected another clip and silently changed the Extend/Cover source).
        self.table.setTabKeyNavigation(False)
        self.table.doubleClicked.connect(lambda index: self.play_clip(self._clip_id_at(index)))
        self.table.playRequested.connect(lambda: self.play_clip(self._current_id()))
        self.table.renameRequested.connect(lambda: self.rename_clip(self._current_id()))
        self.table.deleteRequested.connect(lambda: self.delete_clips(self._selected_ids()))
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        self.empty_label = QLabel("No clips yet — upload a track or try the demo")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        theme.set_role(self.empty_label, "empty")
        empty_layout.addWidget(self.empty_label)
        self.clear_button = QPushButton("Clear search and filters")
        self.clear_button.clicked.connect(self.clear_filters)
        empty_layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)

        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        self.details = ClipDetailsPane(self.ctx)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.splitterMoved.connect(lambda *_: self._save_state())
        layout.addWidget(self.splitter, 1)

        self._build_actions()

    def _build_filters(self) -> QWidget:
        box = QFrame()
        box.setProperty("role", "card")
        form = QFormLayout(box)
        form.setContentsMargins(theme.SPACING, theme.SPACING, theme.SPACING, theme.SPACING)
        form.setHorizontalSpacing(theme.SPACING)
        form.setVerticalSpacing(6)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.origin_combo = QComboBox()
        # Item data are plain strings ("" = any), never None: PySide6 6.12 dropped a
        # reference to None each time such data was read back (pyproject pins 6.11).
        self.origin_combo.addItem("All clips", "")
        self.origin_combo.addItem("Generated", Origin.GENERATED.value)
        self.origin_combo.addItem("Uploaded", Origin.UPLOADED.value)
        self.origin_combo.setToolTip("Clips the provider generated, or tracks you uploaded")
        form.addRow("Origin", self.origin_combo)

        self.provider_combo = QComboBox()
        self.provider_combo.addItem("Any provider", "")
        for pid in ProviderId:
            self.provider_combo.addItem(capabilities(pid).display_name, pid.value)
        self.provider_combo.setToolTip("Which service the clip lives at")
        form.addRow("Provider", self.provider_combo)

        self.persona_combo = QComboBox()
        self.persona_combo.setEditable(True)
        self.persona_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.persona_combo.addItem("Any persona", "")
        self.persona_combo.setToolTip("Only clips sung by this persona (type to find one)")
        completer = self.persona_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        form.addRow("Persona", self.persona_combo)

        dates = QHBoxLayout()
        dates.setSpacing(4)
        self.date_combo = QComboBox()
        self.date_combo.addItems(DATE_RANGES)
        self.date_combo.setToolTip("When the clip entered the library")
        dates.addWidget(self.date_combo, 1)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit, tip in ((self.date_from, "From (inclusive)"), (self.date_to, "To (inclusive)")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setToolTip(tip)
            edit.hide()
            edit.dateChanged.connect(self.apply_filters)
            dates.addWidget(edit)
        form.addRow("Created", dates)

        clear = QPushButton("Clear filters")
        clear.setToolTip("Show every clip again")
        clear.clicked.connect(self.clear_filters)
        form.addRow("", clear)

        for combo in (self.origin_combo, self.provider_combo, self.date_combo):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.persona_combo.currentIndexChanged.connect(self.apply_filters)
        self.date_combo.currentIndexChanged.connect(self._on_date_range)
        return box

    def _build_actions(self) -> None:
        def action(text: str, icon_name: str, shortcut: str | None, slot, tip: str) -> QAction:
            act = QAction(icon(icon_name), text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # keys go through ClipTable
            act.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
            act.triggered.connect(slot)
            return act

        self.action_play = action("Play", "play", "Return", lambda: self.play_clip(self._current_id()),
                                  "Play the clip")
        self.action_rename = action("Rename", "rename", "F2", lambda: self.rename_clip(self._current_id()),
                                    "Rename the clip")
        self.action_delete = action("Delete", "trash", "Del", lambda: self.delete_clips(self._selected_ids()),
                                    "Delete the selected clips (you can undo)")
        self.action_export_mp3 = action("Export as MP3…", "export", None,
                                        lambda: self.choose_export(self._current_id(), "mp3"),
                                        "Save a copy as MP3")
        self.action_export_wav = action("Export as WAV…", "export", None,
                                        lambda: self.choose_export(self._current_id(), "wav"),
                                        "Save a copy as WAV")
        self.action_reveal = action("Show in folder", "folder", None,
                                    lambda: self.reveal_clip(self._current_id()),
                                    "Open the folder that holds the clip's file")
        # No key here: K (Playback menu) marks what the player plays, which follows the selection.
        self.action_keeper = action("Mark as keeper ★", "check", None,
                                    lambda: self.toggle_keeper(self._selected_ids()),
                                    "Mark the selected takes as the ones you chose (again to unmark)")
        self.action_copy_id = action("Copy clip id", "link", None, lambda: self.copy_clip_id(self._current_id()),
                                     "Copy the provider's clip id")
        # Another tab with this clip as its source: the window routes the request (no page imports another).
        self.action_extend = action("Extend…", "extend", None, lambda: self._send_to("extend"),
                                    "Continue the clip in the Extend / Cover tab")
        self.action_cover = action("Cover…", "extend", None, lambda: self._send_to("cover"),
                                   "A new version of the clip in another style, in the Extend / Cover tab")
        self.action_persona = action("Make persona…", "persona", None, lambda: self._send_to("persona"),
                                     "Make a reusable voice from the clip in the Persona tab")

    def _send_to(self, what: str) -> None:
        clip_id = self._current_id()
        if clip_id is not None:
            self.ctx.bridge.sourceRequested.emit(clip_id, what)

    # ------------------------------------------------------------------ queries
    def current_query(self) -> ClipQuery:
        """The query the search field, filters and sort describe."""
        since, until = self._date_bounds()
        key, descending = self._sort[1], self._sort[2]
        origin = self.origin_combo.currentData()
        provider = self.provider_combo.currentData()
        return ClipQuery(
            text=self.search.text(),
            origin=Origin(origin) if origin else None,
            provider=ProviderId(provider) if provider else None,
            persona_id=self.persona_combo.currentData() or None,
            keepers_only=self.keepers_button.isChecked(),
            since=since,
            until=until,
            sort=key,
            descending=descending,
        )

    def apply_filters(self, *_args) -> None:
        """Run the query for the current search text, filters and sort."""
        self.model.set_query(self.current_query())
        self._show_filter_count()

    def _active_filters(self) -> int:
        return sum((
            self.origin_combo.currentIndex() > 0,
            self.provider_combo.currentIndex() > 0,
            self.persona_combo.currentIndex() > 0,
            self.date_combo.currentIndex() > 0,
            self.keepers_button.isChecked(),
        ))

    def _show_filter_count(self) -> None:
        count = self._active_filters()
        _set_text(self.filter_button, f"Filters · {count}" if count else "Filters")

    def _date_bounds(self) -> tuple[float | None, float | None]:
        choice = self.date_combo.currentIndex()
        if choice == 0:
            return None, None
        midnight = datetime.combine(date.today(), datetime.min.time()).timestamp()
        if choice == 1:
            return midnight, None
        if choice in (2, 3, 4):
            days = {2: 7, 3: 30, 4: 365}[choice]
            return time.time() - days * 86400, None
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython() + timedelta(days=1)
        return (datetime.combine(start, datetime.min.time()).timestamp(),
                datetime.combine(end, datetime.min.time()).timestamp())

    def _on_date_range(self, index: int) -> None:
        custom = index == len(DATE_RANGES) - 1
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)

    def set_search(self, text: str) -> None:
        self.search.setText(text)

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in the search field with its text selected."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_filters(self) -> None:
        widgets = (self.search, self.keepers_button, self.origin_combo, self.provider_combo, self.persona_combo,
                   self.date_combo)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        self.keepers_button.setChecked(False)
        for combo in widgets[2:]:
            combo.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)
        self._on_date_range(0)
        self.apply_filters()

    def set_sort(self, key: str, descending: bool) -> None:
        entry = next((e for e in SORTS if e[1] == key and e[2] == descending), SORTS[0])
        self._sort = entry
        self.sort_button.setText(entry[0])
        for action in self._sort_group.actions():
            action.setChecked(action.data() == entry)
        column = next(c for c, k in SORT_COLUMNS.items() if k == key)
        header = self.table.horizontalHeader()
        header.setSortIndicator(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        QSettings().setValue("library/sort", f"{key}:{int(descending)}")
        self.apply_filters()

    def _on_header_clicked(self, column: int) -> None:
        key = SORT_COLUMNS.get(column)
        if key is None:  # not sortable: put the indicator back where the sort really is
            self.set_sort(self._sort[1], self._sort[2])
            return
        if key == self._sort[1]:
            self.set_sort(key, not self._sort[2])
        else:
            self.set_sort(key, key != "title")

    def _toggle_filters(self, shown: bool) -> None:
        if shown and not self._personas_loaded:
            self._load_personas()
        self.filters.setVisible(shown)

    def _load_personas(self) -> None:
        """Fill the persona filter (lazily: a big persona library costs nothing until used)."""
        current = self.persona_combo.currentData()
        self.persona_combo.blockSignals(True)
        self.persona_combo.clear()
        self.persona_combo.addItem("Any persona", "")
        for persona in self.studio.personas.list():
            self.persona_combo.addItem(persona.name, persona.persona_id)
        found = self.persona_combo.findData(current) if current else 0
        self.persona_combo.setCurrentIndex(max(0, found))
        self.persona_combo.blockSignals(False)
        self._personas_loaded = True

    def _personas_changed(self, *_args) -> None:
        self._personas_loaded = False
        if self.filters.isVisible():
            self._load_personas()

    # ------------------------------------------------------------------ list state
    def _remember_scroll(self) -> None:
        self._scroll = self.table.verticalScrollBar().value()

    def _on_query_finished(self, refresh: bool) -> None:
        self._update_empty()
        selected = self.ctx.selected_clip
        if selected is not None:
            self._select_row(selected, scroll=not refresh)
        if refresh:  # a live update (a clip arrived): the list stays where the user is
            self.table.verticalScrollBar().setValue(self._scroll)

    def _show_count(self, total: int) -> None:
        filtered = bool(self.search.text().strip()) or self._active_filters() > 0
        if total < 0:
            text = f"{self.model.rowCount():,}+ clips"
        elif total == 0:
            text = "" if not filtered else "No matches"
        else:
            text = f"{total:,} clip{'s' if total != 1 else ''}" + (" match" if filtered else "")
        _set_text(self.count_label, text)

    def _update_empty(self, *_args) -> None:
        # Runs on every keystroke: touch widgets only when something changes, because
        # each text or visibility change re-lays out the whole panel (~10 ms here).
        empty = self.model.loaded and self.model.rowCount() == 0
        if empty:
            filtered = bool(self.search.text().strip()) or self._active_filters() > 0
            _set_text(self.empty_label, "No clips match your search and filters." if filtered
                      else "No clips yet — upload a track or try the demo")
            if self.clear_button.isHidden() == filtered:
                self.clear_button.setVisible(filtered)
            self._show_count(0)
        if self.list_stack.currentIndex() != int(empty):
            self.list_stack.setCurrentIndex(int(empty))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt
        """Show the extra columns only when there is room for them."""
        super().resizeEvent(event)
        width = self.width()
        for column, needed in _COLUMN_WIDTHS.items():
            self.table.setColumnHidden(column, width < needed)

    # ------------------------------------------------------------------ selection
    def _clip_id_at(self, index: QModelIndex) -> int | None:
        clip = self.model.clip_at(index.row()) if index.isValid() else None
        return clip.id if clip is not None else None

    def _current_id(self) -> int | None:
        return self._clip_id_at(self.table.currentIndex())

    def _selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.model.clip_at(row).id for row in rows if self.model.clip_at(row) is not None]
        current = self._current_id()
        return ids or ([current] if current is not None else [])

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing:
            return
        clip_id = self._clip_id_at(current)
        if clip_id is not None and clip_id != self.ctx.selected_clip:
            self.ctx.select_clip(clip_id)

    def _on_clip_selected(self, clip_id: int) -> None:
        if clip_id >= 0 and clip_id != self._current_id():
            self._select_row(clip_id)

    def _select_row(self, clip_id: int, *, scroll: bool = True) -> bool:
        row = self.model.row_of(clip_id)
        if row is None:
            return False
        if self._current_id() == clip_id and self.table.selectionModel().isRowSelected(row, QModelIndex()):
            return True
        self._syncing = True
        try:
            index = self.model.index(row, COL_TITLE)
            self.table.setCurrentIndex(index)
            if scroll:
                self.table.scrollTo(index)
        finally:
            self._syncing = False
        return True

    def select_clip(self, clip_id: int) -> None:
        """Select ``clip_id`` app-wide and in the list (if the current filters show it)."""
        self.ctx.select_clip(clip_id)
        self._select_row(clip_id)

    def _escape_search(self) -> None:
        """Esc in the search box: clear it; pressed again (already empty), back to the list."""
        if self.search.text():
            self.search.clear()
        else:
            self._focus_table()

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, COL_TITLE))

    # ------------------------------------------------------------------ actions
    def _clip(self, clip_id: int | None) -> ClipRow | None:
        if clip_id is None:
            return None
        row = self.model.row_of(clip_id)
        if row is not None:
            return self.model.clip_at(row)
        try:
            return self.studio.library.get(clip_id)
        except KeyError:
            return None

    def play_clip(self, clip_id: int | None) -> None:
        """Select the clip and start playing its local file (the player bar shows why not)."""
        clip = self._clip(clip_id)
        if clip is None:
            return
        if self.ctx.selected_clip != clip.id:
            self.select_clip(clip.id)
        player = self.ctx.player
        if not clip.audio_path or not Path(clip.audio_path).is_file():
            self.ctx.bridge.notify.emit(f"“{clip_name(clip)}” is not downloaded yet, so it cannot play.")
            return
        if player is None or not player.available:
            return
        if player.source != Path(clip.audio_path).resolve():
            self.ctx.select_clip(clip.id)  # the player bar loads what is selected
        player.play()

    def toggle_keeper(self, clip_ids: list[int]) -> None:
        """Mark the clips as keepers (★), or unmark them when every one already is."""
        clips = [c for c in (self._clip(i) for i in clip_ids) if c is not None]
        if not clips:
            return
        keep = not all(c.keeper for c in clips)
        what = f"“{clip_label(clips[0]).removeprefix(KEEPER_STAR + ' ')}”" if len(clips) == 1 else f"{len(clips)} clips"
        self.edits.set_keepers({c.id: c.keeper for c in clips}, keep, what)
        self.ctx.bridge.notify.emit(f"Marked {what} as a keeper ★." if keep else f"{what[0].upper()}{what[1:]} "
                                    "is no longer marked as a keeper.")

    def _on_selection_changed(self, *_args) -> None:
        """Two selected clips are what A/B compares; tell the player bar."""
        ids = self._selected_ids() if len(self.table.selectionModel().selectedRows()) == 2 else []
        if ids != self._pair:
            self._pair = ids
            self.ctx.bridge.comparePairChanged.emit(ids)

    def rename_clip(self, clip_id: int | None) -> None:
        """Start editing the title in place (Enter stores it, Esc cancels)."""
        row = self.model.row_of(clip_id) if clip_id is not None else None
        if row is None:
            return
        index = self.model.index(row, COL_TITLE)
        self.table.setCurrentIndex(index)
        self.table.setFocus()
        self.table.edit(index)

    def delete_clips(self, clip_ids: list[int]) -> None:
        """Soft-delete the clips (files kept) and offer Undo for a few seconds."""
        clips = [c for c in (self._clip(i) for i in clip_ids) if c is not None]
        if not clips:
            return
        next_row = min(self.model.row_of(c.id) or 0 for c in clips)
        what = f"“{clip_name(clips[0])}”" if len(clips) == 1 else f"{len(clips)} clips"
        self.edits.delete([c.id for c in clips], what)
        self._deleted = [c.id for c in clips]
        self.notice.show_message(f"Deleted {what}.", kind=NoticeKind.INFO, actions=(("Undo", "undo", self.undo_delete),),
                                 seconds=UNDO_SECONDS)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(min(next_row, self.model.rowCount() - 1), COL_TITLE))
        elif self.ctx.selected_clip in self._deleted:
            self.ctx.select_clip(None)

    def undo_delete(self) -> None:
        """The notice's Undo: take back the delete it announced (the same step as Edit › Undo)."""
        deleted, self._deleted = self._deleted, []
        self.notice.dismiss()
        if not deleted or not self.edits.stack.canUndo() or not self.edits.stack.undoText().startswith("delete"):
            return
        self.edits.stack.undo()
        restored = [c for c in (self.studio.library.get_or_none(i) for i in deleted) if c is not None]
        if restored:
            self.ctx.select_clip(restored[0].id)
            what = f"“{clip_name(restored[0])}”" if len(restored) == 1 else f"{len(restored)} clips"
            self.ctx.bridge.notify.emit(f"Restored {what}.")

    def choose_export(self, clip_id: int | None, fmt: str) -> None:
        """Ask where to save (non-modal file dialog), then export there."""
        clip = self._clip(clip_id)
        if clip is None:
            return
        if not clip.audio_path or not Path(clip.audio_path).is_file():
            self.notice.show_message(f"“{clip_name(clip)}” is not downloaded yet, so there is nothing to export.",
                                     kind=NoticeKind.WARNING, seconds=8)
            return
        folder = QSettings().value("library/export_dir", str(Path.home()))
        name = export_file_name(clip) + f".{fmt}"
        dialog = QFileDialog(self, f"Export “{clip_name(clip)}” as {fmt.upper()}", str(Path(folder) / name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters([f"{fmt.upper()} audio (*.{fmt})"])
        dialog.setDefaultSuffix(fmt)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The dialog is this panel's child (deleted on close): it cannot outlive the lambda's panel.
        dialog.fileSelected.connect(lambda path: self.runner.run(
            "export", self.export_clip(clip.id, path, fmt), what="Exporting the clip",
            on_error=self._export_failed))
        dialog.open()

    async def export_clip(self, clip_id: int, path: str | Path, fmt: str | None = None) -> Path | None:
        """Export the clip's local file to ``path`` (MP3 or WAV), tagged, in an executor; progress in the notice bar."""
        clip = self._clip(clip_id)
        if clip is None or not clip.audio_path:
            return None
        dest = Path(path)
        fmt = (fmt or dest.suffix.lstrip(".") or "mp3").lower()
        if dest.suffix.lower() != f".{fmt}":
            dest = dest.with_name(dest.name + f".{fmt}")
        QSettings().setValue("library/export_dir", str(dest.parent))
        self.notice.show_message(f"Exporting “{clip_name(clip)}” as {fmt.upper()}…", busy=True)
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, self.studio.library.export, clip.id, dest, fmt)
        except Exception as exc:  # ffmpeg failed, disk full, no permission: say so in words
            log.warning("export failed: %s", exc)
            if isValid(self):
                self.notice.show_message(f"Export failed: {exc}", kind=NoticeKind.ERROR)
            return None
        if not isValid(self):
            return result
        self.notice.show_message(
            f"Exported “{clip_name(clip)}” to {result}.", kind=NoticeKind.DONE,
            actions=(("Show in folder", "folder", lambda: _open_folder(result.parent)),), seconds=15,
        )
        return result

    def _export_failed(self, text: str) -> None:
        self.notice.show_message(text, kind=NoticeKind.ERROR)

    def reveal_clip(self, clip_id: int | None) -> None:
        """Open the folder holding the clip's audio file in the system file manager."""
        clip = self._clip(clip_id)
        if clip is None:
            return
        if not clip.audio_path:
            self.notice.show_message(f"“{clip_name(clip)}” has no local file yet.", kind=NoticeKind.WARNING, seconds=8)
            return
        _open_folder(Path(clip.audio_path).parent)

    def copy_clip_id(self, clip_id: int | None) -> None:
        clip = self._clip(clip_id)
        if clip is not None:
            QGuiApplication.clipboard().setText(clip.clip_id)
            self.ctx.bridge.notify.emit(f"Copied the clip id of “{clip_name(clip)}”.")

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        if not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.table.setCurrentIndex(index)
        clip = self.model.clip_at(index.row())
        has_file = bool(clip and clip.audio_path)
        for act in (self.action_play, self.action_export_mp3, self.action_export_wav, self.action_reveal):
            act.setEnabled(has_file)
        menu = QMenu(self)
        menu.addAction(self.action_play)
        menu.addSeparator()
        for act in (self.action_extend, self.action_cover, self.action_persona):
            act.setEnabled(clip is not None)
            menu.addAction(act)
        menu.addSeparator()
        self.action_keeper.setText("Unmark keeper ★" if clip is not None and clip.keeper else "Mark as keeper ★")
        menu.addAction(self.action_keeper)
        menu.addAction(self.action_rename)
        menu.addAction(self.action_export_mp3)
        menu.addAction(self.action_export_wav)
        menu.addAction(self.action_reveal)
        # Exports the clip the details show, which is this row now (the click selected it).
        self.details.deliverables.action_daw.setEnabled(has_file)
        menu.addAction(self.details.deliverables.action_daw)
        menu.addAction(self.action_copy_id)
        self._edit_menu(menu, clip)
        menu.addSeparator()
        menu.addAction(self.action_delete)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _edit_menu(self, menu: QMenu, clip) -> None:
        """"Edit ›": each operation the active provider offers, sent to the Edit tab
        (``editRequested``); one it does not offer is greyed, its reason in the tooltip."""
        if clip is None:
            return
        caps = self.ctx.studio.capabilities
        edit = menu.addMenu(icon("edit"), "Edit")
        edit.setToolTipsVisible(True)
        for op in EditOp:
            info = caps.edit(op)
            action = edit.addAction(op.label + "…")
            action.setEnabled(info.available)
            action.setToolTip(info.note if info.available else f"{caps.display_name} cannot do this: {info.note}.")
            action.triggered.connect(lambda _=False, c=clip.id, o=op.value: self.ctx.bridge.editRequested.emit(c, o))

    # ------------------------------------------------------------------ persistence
    def _restore_state(self) -> None:
        settings = QSettings()
        sizes = settings.value("library/splitter")
        if isinstance(sizes, list) and len(sizes) == 2:
            try:
                self.splitter.setSizes([int(x) for x in sizes])
            except (TypeError, ValueError):
                pass
        else:
            self.splitter.setSizes([480, 260])
        key, _, desc = str(settings.value("library/sort", "created:1")).partition(":")
        entry = next((e for e in SORTS if e[1] == key and e[2] == (desc == "1")), SORTS[0])
        self._sort = entry
        self.sort_button.setText(entry[0])
        for action in self._sort_group.actions():
            action.setChecked(action.data() == entry)
        column = next(c for c, k in SORT_COLUMNS.items() if k == entry[1])
        self.table.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if entry[2] else Qt.SortOrder.AscendingOrder)

    def _save_state(self) -> None:
        QSettings().setValue("library/splitter", self.splitter.sizes())


def _set_text(widget, text: str) -> None:
    """setText only when the text changes (each change costs a relayout)."""
    if widget.text() != text:
        widget.setText(text)


def _safe_file_name(title: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in " -_.()" else "_" for ch in title).strip(" .")
    return cleaned[:80] or "clip"


def export_file_name(clip: ClipRow) -> str:
    """The suggested file name (no suffix): "Night Drive (take 2)", so two takes never collide."""
    take = f" ({clip.take.replace(' · ', ' - ')})" if clip.take else ""
    return _safe_file_name(clip_name(clip)[: 80 - len(take)] + take)


def _open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
