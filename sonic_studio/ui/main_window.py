"""The main window: library on the left, work tabs in the centre, tasks and player below.

The window is built in two steps so it can paint before the heavy parts of the app are
imported: ``MainWindow()`` makes the frame (menus, docks, tab bar, status bar) with
only Qt; ``attach(ctx)`` then fills it with the real panels once the studio has
started.  Panels talk to each other only through the bridge's signals.
"""

from __future__ import annotations

import importlib
import logging
import time

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from . import theme
from .icons import app_icon, icon
from .shortcuts import MENUS, SHORTCUTS
from .tasks_runner import TaskRunner, cancel_under

log = logging.getLogger(__name__)

# The work tabs in order: (attribute, module under ui/tabs, class, name, icon).  Create comes first:
# a new song is where most sessions start; Edit comes after the fixed tabs.  Their View-menu entries
# (Alt+1…) are rows of ui/shortcuts.py.
TABS = (
    ("create_tab", "create", "CreateTab", "Create", "music"),
    ("upload_tab", "upload", "UploadTab", "Upload", "upload"),
    ("extend_tab", "extend_cover", "ExtendCoverTab", "Extend / Cover", "extend"),
    ("persona_tab", "persona", "PersonaTab", "Persona", "persona"),
    ("edit_tab", "edit", "EditTab", "Edit", "edit"),
)
# Widgets where Space is theirs: it types, or presses the button.
# The hidden tabs are built this long after the library has answered (its rows paint first),
# or this long after start at the latest.
TASKS_DOCK_HEIGHT = 132  # px: title row, column header and three task rows
HIDDEN_TABS_AFTER_MS = 100
HIDDEN_TABS_LATEST_MS = 1500
_KEEPS_SPACE = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox, QAbstractButton)


def _placeholder(text: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    theme.set_role(label, "empty")
    layout.addWidget(label)
    return page


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.ctx = None
        self.runner = TaskRunner(self, report=self.show_notice)
        self._ask_on_close = True  # once the person said Quit (or a signal asked), never again
        self._quitting = False  # waiting for submits on the wire before closing
        self._ready_to_close = False
        self.quit_question: QMessageBox | None = None
        self._deliverable_views: dict[tuple[int, str], QWidget] = {}  # open stems/lyrics windows
        self.setWindowTitle("Sonic Studio")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(1024, 640)
        self.resize(1280, 800)
        self.setDockNestingEnabled(True)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self.tabs.setObjectName("workTabs")
        self._pages: dict[str, QWidget] = {}  # the tabs built so far, by attribute name
        for _attr, _module, _cls, name, icon_name in TABS:
            self.tabs.addTab(_placeholder("Starting…"), icon(icon_name), name)
        self.tabs.currentChanged.connect(self._build_tab_at)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(theme.SPACING, theme.SPACING, theme.SPACING, 0)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)

        self.library_dock = QDockWidget("Library", self)
        self.library_dock.setObjectName("libraryDock")
        self.library_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.library_tabs = QTabWidget()
        self.library_tabs.addTab(_placeholder("Loading library…"), icon("library"), "Clips")
        self.library_tabs.addTab(_placeholder(""), icon("persona"), "Personas")
        self.library_dock.setWidget(self.library_tabs)
        self.library_dock.setMinimumWidth(280)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.library_dock)

        self.tasks_dock = QDockWidget("Tasks", self)
        self.tasks_dock.setObjectName("tasksDock")
        self.tasks_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.tasks_dock.setWidget(_placeholder("Loading tasks…"))  # never "none" before we know
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.tasks_dock)
        self.resizeDocks([self.library_dock], [360], Qt.Orientation.Horizontal)
        # Short by default (the work tabs need the height more than an idle task list does), yet
        # three rows: the summary and buttons sit in the dock's title row (see _tasks_title).
        self.resizeDocks([self.tasks_dock], [TASKS_DOCK_HEIGHT], Qt.Orientation.Vertical)

        self.player_toolbar = QToolBar("Player", self)
        self.player_toolbar.setObjectName("playerBar")
        self.player_toolbar.setMovable(False)
        self.player_toolbar.setFloatable(False)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, self.player_toolbar)

        self._build_status_bar()
        self._build_menus()
        self._restore_state()
        QApplication.instance().installEventFilter(self)

    # ------------------------------------------------------------------ frame
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.demo_badge = QLabel("DEMO")
        theme.set_role(self.demo_badge, "demo")
        self.demo_badge.setToolTip("Demo mode: everything runs against the built-in emulator. No key, no network, no costs.")
        self.demo_badge.hide()
        self.provider_label = QLabel("Starting…")
        self.credits_label = QLabel("")
        self.credits_label.setToolTip("Credits left at the provider (refreshed after each task)")
        self.running_label = QLabel("")
        for widget in (self.running_label, self.provider_label, self.credits_label, self.demo_badge):
            bar.addPermanentWidget(widget)

    def _build_menus(self) -> None:
        """The menus, built from the one shortcut table (``ui/shortcuts.py``) that
        Help › Keyboard shortcuts lists too."""
        bar = self.menuBar()
        self.menus = {name: bar.addMenu(f"&{name}") for name in MENUS}
        self.file_menu, self.edit_menu, self.view_menu, self.playback_menu, self.help_menu = (
            self.menus[n] for n in MENUS)
        docks = {"toggle_library": self.library_dock, "toggle_tasks": self.tasks_dock}
        self.actions: dict[str, QAction] = {}
        for shortcut in SHORTCUTS:
            if shortcut.menu is None:
                continue
            if shortcut.name in docks:
                action = docks[shortcut.name].toggleViewAction()
            else:
                action = QAction(shortcut.text, self)
                action.setCheckable(shortcut.checkable)
            action.setShortcut(QKeySequence(shortcut.keys))
            if shortcut.separator:
                self.menus[shortcut.menu].addSeparator()
            self.menus[shortcut.menu].addAction(action)
            self.actions[shortcut.name] = action
        for index, name in enumerate(("tab_create", "tab_upload", "tab_extend", "tab_persona", "tab_edit")):
            self.actions[name].triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
        self.action_settings = self.actions["settings"]
        self.action_settings.setIcon(icon("settings"))
        self.action_quit = self.actions["quit"]
        self.action_quit.triggered.connect(self.close)
        self.action_focus_search = self.actions["search"]
        self.action_beat_grid = self.actions["beat_grid"]
        self.action_beat_grid.setToolTip("Bar and beat lines on the player's waveform, when the clip's BPM is known")
        self.action_play = self.actions["play"]
        self.action_play.setIcon(icon("play"))
        self.action_play.setToolTip("Play or pause the selected clip (Space)")
        self.actions["shortcuts"].triggered.connect(self.open_shortcuts)
        for name in ("ab", "blind", "keeper", "marker", "previous_marker", "next_marker", "loop", "clear_loop",
                     "zoom_in", "zoom_fit", "zoom_out", "mute"):
            self.actions[name].setEnabled(False)  # until the player bar exists (attach)

        self.action_log = QAction(icon("info"), "What &happened (log)", self)
        self.action_log.setToolTip("The app's log: tasks, downloads, errors (no secrets)")
        self.help_menu.addAction(self.action_log)
        self.action_about = QAction("&About Sonic Studio", self)
        self.help_menu.addAction(self.action_about)

    def _connect_player_actions(self) -> None:
        bar, act = self.player_bar, self.actions
        for name, slot in (("ab", bar.ab_switch), ("keeper", bar.toggle_keeper), ("marker", bar.add_marker),
                           ("previous_marker", bar.previous_marker), ("next_marker", bar.next_marker),
                           ("clear_loop", bar.clear_loop), ("zoom_in", bar.zoom_in), ("zoom_fit", bar.zoom_fit),
                           ("zoom_out", bar.zoom_out)):
            act[name].triggered.connect(slot)
        # Checkable ones mirror the bar's buttons both ways.
        for name, button in (("blind", bar.blind_button), ("loop", bar.loop_button), ("mute", bar.volume_button)):
            act[name].setChecked(button.isChecked())
            act[name].toggled.connect(button.setChecked)
            button.toggled.connect(act[name].setChecked)
        for action in act.values():
            action.setEnabled(True)

    def open_audio(self) -> None:
        """File › Open audio…: the Upload tab, with the file chooser open."""
        self.tabs.setCurrentWidget(self.upload_tab)
        self.upload_tab.open_audio()

    def _connect_undo(self, stack) -> None:
        """Edit › Undo / Redo become the library undo stack's own actions (Qt keeps their
        text, "Undo rename “…”", and their enabled state), with the table's keys."""
        for name, make, prefix in (("undo", stack.createUndoAction, "&Undo"),
                                   ("redo", stack.createRedoAction, "&Redo")):
            old = self.actions[name]
            action = make(self, prefix)
            action.setShortcut(old.shortcut())
            self.edit_menu.insertAction(old, action)
            self.edit_menu.removeAction(old)
            old.deleteLater()
            self.actions[name] = action

    def set_demo(self, demo: bool) -> None:
        self.demo_badge.setVisible(demo)
        self.setWindowTitle("Sonic Studio — Demo mode" if demo else "Sonic Studio")

    # ------------------------------------------------------------------ panels
    def attach(self, ctx) -> None:
        """Replace the placeholders with the real panels, wired to ``ctx``."""
        from .panels.library import LibraryPanel
        from .panels.personas import PersonasPanel
        from .panels.player_bar import PlayerBar
        from .panels.tasks import TasksPanel
        from .status import StatusController

        self.ctx = ctx
        # Only the tab on screen is built now; the others once the library has answered
        # (_build_hidden_tabs), or at once when something asks for one (issue 16: a usable window fast).
        self._build_tab_at(self.tabs.currentIndex())
        ctx.bridge.editRequested.connect(self.open_edit)
        ctx.bridge.sourceRequested.connect(self.open_with_source)
        ctx.bridge.clipShowRequested.connect(self.show_clip)

        self.library = LibraryPanel(ctx)
        self.personas = PersonasPanel(ctx)
        for index, (page, name, icon_name) in enumerate(((self.library, "Clips", "library"), (self.personas, "Personas", "persona"))):
            old = self.library_tabs.widget(index)
            self.library_tabs.removeTab(index)
            self.library_tabs.insertTab(index, page, icon(icon_name), name)
            old.deleteLater()
        self.library_tabs.setCurrentIndex(0)
        self.library.model.queryFinished.connect(self._library_answered, Qt.ConnectionType.SingleShotConnection)
        QTimer.singleShot(HIDDEN_TABS_LATEST_MS, self, self._build_hidden_tabs)  # a library that never answers

        self.tasks = TasksPanel(ctx)
        old = self.tasks_dock.widget()
        self.tasks_dock.setWidget(self.tasks)
        old.deleteLater()
        self.tasks_dock.setTitleBarWidget(self._tasks_title(self.tasks.bar))

        self.player_bar = PlayerBar(ctx)
        self.player_toolbar.addWidget(self.player_bar)
        self.action_play.triggered.connect(self.player_bar.toggle)
        self.action_beat_grid.toggled.connect(self.player_bar.set_beat_grid_visible)
        self._connect_player_actions()
        self._connect_undo(self.library.edits.stack)
        self.actions["open_audio"].triggered.connect(self.open_audio)
        self.actions["export"].triggered.connect(self.library.action_export_mp3.trigger)
        self.action_focus_search.triggered.connect(self._focus_search)

        self.status = StatusController(ctx, self)
        ctx.bridge.notify.connect(self.show_notice)  # a method: Qt disconnects it when the window dies
        ctx.bridge.settingsRequested.connect(self.open_settings)
        ctx.bridge.deliverableViewRequested.connect(self.open_deliverable_view)
        from .components.desktop_notifier import DesktopNotifier

        self.notifier = DesktopNotifier(ctx, self)
        self._publish_media_controls(ctx)
        self.action_settings.triggered.connect(self.open_settings)
        self.action_about.triggered.connect(self.open_about)
        self.action_log.triggered.connect(self.open_log)

    # ------------------------------------------------------------------ work tabs
    def _tab_page(self, attr: str) -> QWidget:
        """The tab ``attr`` ("extend_tab"…), built now if it was not yet."""
        page = self._pages.get(attr)
        if page is None:
            if self.ctx is None:
                raise AttributeError(f"{attr} exists once the studio has started (attach)")
            page = self._build_tab_at(next(i for i, row in enumerate(TABS) if row[0] == attr))
        return page

    create_tab = property(lambda self: self._tab_page("create_tab"))
    upload_tab = property(lambda self: self._tab_page("upload_tab"))
    extend_tab = property(lambda self: self._tab_page("extend_tab"))
    persona_tab = property(lambda self: self._tab_page("persona_tab"))
    edit_tab = property(lambda self: self._tab_page("edit_tab"))

    def _build_tab_at(self, index: int) -> QWidget | None:
        """Put the real page in place of tab ``index``'s placeholder (once the studio has started)."""
        if self.ctx is None or not 0 <= index < len(TABS):
            return None
        attr, module, cls, name, icon_name = TABS[index]
        page = self._pages.get(attr)
        if page is not None:
            return page
        page = getattr(importlib.import_module(f".tabs.{module}", __package__), cls)(self.ctx)
        self._pages[attr] = page
        # Swapping the widget under the tab bar must not look like a tab change.
        shown = self.tabs.currentIndex()
        with QSignalBlocker(self.tabs):
            old = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, icon(icon_name), name)
            self.tabs.setCurrentIndex(shown)
        old.deleteLater()
        return page

    def _library_answered(self, *_args) -> None:
        # The rows are painted first; building the hidden tabs before that paint delayed it.
        QTimer.singleShot(HIDDEN_TABS_AFTER_MS, self, self._build_hidden_tabs)

    def _build_hidden_tabs(self) -> None:
        """Build the tabs not on screen, one per turn of the event loop (no long stall)."""
        if self.ctx is None or len(self._pages) == len(TABS):
            return
        self._build_tab_at(next(i for i, row in enumerate(TABS) if row[0] not in self._pages))
        QTimer.singleShot(0, self, self._build_hidden_tabs)

    def open_edit(self, clip: int, op: str) -> None:
        """A library "Edit ›" entry: that operation on that clip, in the Edit tab."""
        self.ctx.select_clip(clip)
        self.edit_tab.set_op(op)
        self.edit_tab.use_clip(clip)
        self.tabs.setCurrentWidget(self.edit_tab)

    def _publish_media_controls(self, ctx) -> None:
        """MPRIS: media keys and the desktop's media widget drive the player (Linux)."""
        from ..audio.player import PlayState
        from .components.mpris import MediaActions, MprisService

        player = ctx.player
        actions = MediaActions(
            play_pause=self.player_bar.toggle,
            play=lambda: player.state() is not PlayState.PLAYING and self.player_bar.toggle(),
            pause=lambda: player.state() is PlayState.PLAYING and player.pause(),
            stop=player.stop,
            next=lambda: self.step_clip(1),
            previous=lambda: self.step_clip(-1),
            raise_window=self.bring_forward,
            clip=lambda: self.player_bar.clip_id,
        )
        self.mpris = MprisService(ctx, actions, self)
        ctx.bridge.clipSelected.connect(self.mpris.announce)
        self.mpris.publish()

    def step_clip(self, delta: int) -> None:
        """Select the next (1) or previous (-1) clip of the library list; playing goes on there."""
        from ..audio.player import PlayState

        model = self.library.model
        current = model.row_of(self.ctx.selected_clip) if self.ctx.selected_clip is not None else None
        row = 0 if current is None else current + delta
        clip = model.clip_at(row) if 0 <= row < model.rowCount() else None
        if clip is None:
            return
        playing = self.ctx.player.state() is PlayState.PLAYING
        self.library.select_clip(clip.id)
        if playing and self.ctx.player.source is not None:
            self.ctx.player.play()  # the new file starts once loaded

    def bring_forward(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def show_clip(self, clip: int) -> None:
        """A lineage link (or a notice): that clip selected in the library, its filters cleared
        when they hide it."""
        self.library_dock.show()
        self.library_tabs.setCurrentWidget(self.library)
        if self.library.model.row_of(clip) is None:
            self.library.clear_filters()  # the reload selects ctx.selected_clip when it arrives
        self.library.select_clip(clip)

    def open_with_source(self, clip: int, what: str) -> None:
        """A library "Extend…/Cover…/Make persona…" entry: that tab, with the clip as its source."""
        self.ctx.select_clip(clip)
        if what == "persona":
            self.persona_tab.set_clip(clip)
            self.tabs.setCurrentWidget(self.persona_tab)
            return
        self.extend_tab.set_mode(what)
        self.extend_tab.use_clip(clip)
        self.tabs.setCurrentWidget(self.extend_tab)

    def show_notice(self, text: str) -> None:
        """A short, non-modal notice in the status bar."""
        self.statusBar().showMessage(text, 6000)

    def _tasks_title(self, bar: QWidget) -> QWidget:
        """The Tasks dock's title row holding the panel's summary and buttons (one row, not two)."""
        title = QWidget()
        title.setObjectName("tasksTitle")
        row = QHBoxLayout(title)
        row.setContentsMargins(theme.SPACING, 4, 4, 0)
        row.setSpacing(theme.SPACING)
        name = QLabel("Tasks")
        name.setStyleSheet(f"color: {theme.TEXT_DIM}; font-weight: 600;")
        row.addWidget(name)
        row.addWidget(bar, 1)
        hide = QToolButton()
        hide.setIcon(icon("close"))
        hide.setAutoRaise(True)
        hide.setToolTip("Hide the Tasks panel (View › Tasks brings it back)")
        hide.setAccessibleName("Hide the Tasks panel")
        hide.clicked.connect(self.tasks_dock.close)
        row.addWidget(hide)
        return title

    def open_settings(self) -> None:
        from .dialogs.settings import SettingsDialog

        SettingsDialog(self.ctx, self).open()

    def open_deliverable_view(self, clip_id: int, kind: str) -> None:
        """The stems view or the timed lyrics of a clip, in their own window (one per clip and kind)."""
        from shiboken6 import isValid

        from .dialogs.deliverable_window import DeliverableWindow

        views = self._deliverable_views
        window = views.get((clip_id, kind))
        if window is None or not isValid(window) or not window.isVisible():
            window = DeliverableWindow(self.ctx, clip_id, kind, self)
            views[(clip_id, kind)] = window
            window.show()
        window.raise_()
        window.activateWindow()

    def _close_deliverable_views(self) -> None:
        """Their previews and decoders end with the window (a child dialog is otherwise just deleted)."""
        from shiboken6 import isValid

        for window in self._deliverable_views.values():
            if isValid(window) and window.isVisible():
                window.reject()
        self._deliverable_views.clear()

    def open_shortcuts(self) -> None:
        from .dialogs.shortcuts import ShortcutsDialog

        ShortcutsDialog(self).open()

    def open_log(self) -> None:
        from .dialogs.log_view import LogViewDialog

        LogViewDialog(self.ctx.log_file, self).open()

    def open_about(self) -> None:
        from .dialogs.about import AboutDialog

        AboutDialog(self).open()

    def _focus_search(self) -> None:
        self.library_dock.show()
        self.library_tabs.setCurrentIndex(0)
        if hasattr(self.library, "focus_search"):
            self.library.focus_search()

    # ------------------------------------------------------------------ behaviour
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Space plays/pauses anywhere except while typing in a text field, or on a focused
        button, which Space presses (the only key that does, for a keyboard user)."""
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Space
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and self.ctx is not None
            and self.isActiveWindow()
        ):
            # The widget receiving the key (a text field, or a text edit's viewport) decides;
            # focus alone is not enough when keys are sent straight to a widget.
            target = obj if isinstance(obj, QWidget) else QApplication.focusWidget()
            typing = any(isinstance(w, _KEEPS_SPACE) for w in (target, getattr(target, "parent", lambda: None)(),
                                                               QApplication.focusWidget()))
            if not typing:
                self.player_bar.toggle()
                return True
        return super().eventFilter(obj, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The library keeps its share of the width: maximised, its titles are not cut at 360 px
        while the tabs take all the rest (QMainWindow gives every extra pixel to the centre)."""
        super().resizeEvent(event)
        old, new = event.oldSize().width(), event.size().width()
        dock = self.library_dock
        if old > 0 and new != old and dock.isVisible() and not dock.isFloating():
            self.resizeDocks([dock], [round(dock.width() * new / old)], Qt.Orientation.Horizontal)

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        tab = settings.value("window/tab", 0)
        try:
            self.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            pass

    def save_state(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())

    # ------------------------------------------------------------------ closing
    def quit(self, *, ask: bool = True) -> None:
        """Close the app; ``ask=False`` (SIGTERM, Ctrl+C in the terminal) skips the question."""
        if not ask:
            self._ask_on_close = False
            if self.quit_question is not None:
                self.quit_question.close()
        self.close()

    def running_tasks(self) -> int:
        """Tasks still on their way (submitting, queued, generating, downloading)."""
        if self.ctx is None:
            return 0
        return len(self.ctx.studio.tasks.list(active_only=True))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing never costs a result: ask once when tasks run, let submits on the wire
        learn their task id (bounded, with progress), then shut down."""
        if self.ctx is None or self._ready_to_close:
            event.accept()
            self._finish_close()
            return
        event.ignore()
        if self._quitting:
            return  # already waiting for the provider's answers
        running = self.running_tasks()
        if running and self._ask_on_close:
            self._ask_before_quitting(running)
            return
        if self._start_quit():
            event.accept()  # (a close() from inside closeEvent would be ignored by Qt)
            self._finish_close()

    def _ask_before_quitting(self, running: int) -> None:
        if self.quit_question is not None:
            self.quit_question.raise_()
            return
        if running == 1:
            text = ("1 task is still running: it continues at the provider and finishes here "
                    "next time you open Sonic Studio.")
        else:
            text = (f"{running} tasks are still running: they continue at the provider and finish here "
                    "next time you open Sonic Studio.")
        box = QMessageBox(QMessageBox.Icon.Question, "Quit Sonic Studio?", text, parent=self)
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep open", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_: int) -> None:
            self.quit_question = None
            if box.clickedButton() is quit_button:
                self._ask_on_close = False
                if self._start_quit():
                    self._close_anyway()

        box.finished.connect(answered)
        self.quit_question = box
        box.open()

    def _start_quit(self) -> bool:
        """Begin quitting; True when the window may close at once (no submit is on the wire)."""
        self._quitting = True
        self.save_state()
        if getattr(self, "mpris", None) is not None:
            self.mpris.unpublish()
        self._close_deliverable_views()
        cancel_under(self)  # nothing started by a page may run on into the shutdown
        if not self.ctx.studio.tasks.submitting():
            self._ready_to_close = True
            return True
        self.centralWidget().setEnabled(False)
        self.runner.run("quit", self._settle_then_close(), on_error=lambda _: self._close_anyway())
        return False

    async def _settle_then_close(self) -> None:
        def show(count: int, left: float) -> None:
            what = "1 request" if count == 1 else f"{count} requests"
            self.statusBar().showMessage(
                f"Closing: waiting for the provider to answer {what} just sent, so the result is not lost "
                f"(at most {left:.0f} s)…")

        started = time.monotonic()
        left = await self.ctx.studio.tasks.settle_submits(progress=show)
        log.info("closing: waited %.2f s for the provider's answer to submits on the wire (%d still without one)",
                 time.monotonic() - started, left)
        self._close_anyway()

    def _close_anyway(self) -> None:
        self._ready_to_close = True
        self.close()

    def _finish_close(self) -> None:
        if not self._quitting:
            self.save_state()
        self._close_deliverable_views()
        QApplication.instance().removeEventFilter(self)
        cancel_under(self)
        self.closed.emit()
