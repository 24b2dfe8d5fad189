"""The "Personas" page of the library dock: every voice made here, and what to do with it.

A persona is only worth something if you can find it again and hear what it is, so
each row says where it came from (the source clip and the exact vocal window), and
auditioning plays that very segment of the local copy of the source.  Name and notes
are ours to change (the provider never sees them); deleting only forgets the persona
on this computer - neither provider lets us delete one, and its id keeps working.
"Generate with this persona" opens the dialog that makes new songs in that voice.

The list is model/view with a painted delegate (no widgets per row); other parts of
the window reach the panel through the bridge's ``personaShowRequested(local_id)``, e.g. the
Persona tab selecting the persona a clip already made after the provider's 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.capabilities import capabilities
from ...store.records import PersonaRecord
from .. import theme
from ..components.range_audition import RangeAudition
from ..format import fmt_window
from ..icons import icon

EMPTY_TEXT = "No personas yet — pick a clip, select 10–30 s of clean vocals in the Persona tab"
NO_MATCH_TEXT = "No persona matches “{text}”."


def fmt_date(epoch: float) -> str:
    stamp = QDateTime.fromSecsSinceEpoch(int(epoch))
    return QLocale().toString(stamp, "d MMM yyyy, HH:mm")


def audition_window(record: PersonaRecord, duration: float | None) -> tuple[float, float]:
    """The segment that made the persona, as (start, end) seconds to play."""
    if record.vocal_start is not None and record.vocal_end is not None:
        return record.vocal_start, record.vocal_end
    # Providers analyse their default range when no window is sent (sunoapi.org documents
    # 0-30 s; for sonic it is our best reading), so that is what auditioning plays.
    return capabilities(record.provider).persona_window.default_for(duration)


@dataclass(frozen=True)
class PersonaItem:
    """One row: the persona and what we know of its source clip right now."""

    record: PersonaRecord
    clip_title: str
    clip_path: str | None
    clip_duration: float | None

    @property
    def provider_name(self) -> str:
        return capabilities(self.record.provider).display_name


class PersonaListModel(QAbstractListModel):
    ItemRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: list[PersonaItem] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's own signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.record.name
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [item.record.name, f"From “{item.clip_title}”, {fmt_window(item.record)}"]
            if item.record.description:
                lines.append(item.record.description)
            if item.record.notes:
                lines.append(f"Notes: {item.record.notes}")
            lines.append("Double-click or Enter: play the segment that made it")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.record.name}, from {item.clip_title}"
        if role == self.ItemRole:
            return item
        return None

    def set_items(self, items: list[PersonaItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[PersonaItem]:
        return list(self._items)

    def row_of(self, persona: int) -> int:
        return next((row for row, item in enumerate(self._items) if item.record.id == persona), -1)


class PersonaDelegate(QStyledItemDelegate):
    """Three lines per persona: name + provider, source + window, styles + date."""

    PAD = theme.SPACING

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        fm = QFontMetrics(option.font)
        return QSize(200, 3 * fm.height() + 2 * self.PAD + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        item: PersonaItem | None = index.data(PersonaListModel.ItemRole)
        if item is None:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        painter.save()
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, opt.widget)
        rect = option.rect.adjusted(self.PAD + 6, self.PAD, -self.PAD, -self.PAD)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        # A persona-coloured stripe: personas read as one family wherever they appear.
        painter.fillRect(QRect(option.rect.left() + 4, rect.top() + 2, 3, rect.height() - 4), QColor(theme.PERSONA))

        fm = QFontMetrics(option.font)
        line = fm.height() + 3
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1))
        sfm = QFontMetrics(small)
        dim = QColor(theme.TEXT if selected else theme.TEXT_DIM)

        provider = item.provider_name
        badge_w = sfm.horizontalAdvance(provider) + 12
        badge = QRect(rect.right() - badge_w, rect.top() + 1, badge_w, sfm.height() + 2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(theme.BORDER)))
        painter.setBrush(QColor(theme.PANEL_RAISED))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setFont(small)
        painter.setPen(QColor(theme.TEXT_DIM))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, provider)

        painter.setFont(bold)
        painter.setPen(QColor(theme.TEXT))
        name_rect = QRect(rect.left(), rect.top(), rect.width() - badge_w - self.PAD, line)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(item.record.name, Qt.TextElideMode.ElideRight, name_rect.width()))

        painter.setFont(option.font)
        window = fmt_window(item.record)
        second = QRect(rect.left(), rect.top() + line, rect.width(), line)
        window_w = fm.horizontalAdvance(window)
        painter.setPen(QColor(theme.PERSONA))
        painter.drawText(second, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, window)
        painter.setPen(dim)
        source = fm.elidedText(f"♪ {item.clip_title}", Qt.TextElideMode.ElideRight, second.width() - window_w - self.PAD)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, source)

        third = QRect(rect.left(), rect.top() + 2 * line, rect.width(), line)
        date = fmt_date(item.record.created_at)
        date_w = fm.horizontalAdvance(date)
        painter.drawText(third, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, date)
        styles = item.record.styles or "no style label"
        painter.drawText(third, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(styles, Qt.TextElideMode.ElideRight, third.width() - date_w - self.PAD))
        painter.restore()


def _hint(text: str = "", role: str = "hint") -> QLabel:
    return theme.label(text, role)


class PersonasPanel(QWidget):
    """List, search, audition, rename, notes, forget, and "Generate with this persona"."""

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self.studio = ctx.studio
        self._dialog = None  # the open "Generate with this persona" dialog, if any
        self._notes_for: int | None = None  # persona whose notes the editor shows
        self._wanted: int | None = None  # the persona chosen last, kept while a search hides it

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search personas…")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search", theme.TEXT_DIM), QLineEdit.ActionPosition.LeadingPosition)
        theme.name_field_buttons(self.search, "Search")
        self.search.setToolTip("Find a persona by name, description, styles or notes")
        self.count_label = _hint()

        self._audition = RangeAudition(ctx.player, self)
        self.model = PersonaListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(PersonaDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setUniformItemSizes(True)
        self.view.setAlternatingRowColors(False)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setAccessibleName("Personas")

        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self.empty_label, "empty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.view)

        self._build_details()

        top = QHBoxLayout()
        top.setSpacing(theme.SPACING)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACING, theme.SPACING, theme.SPACING, theme.SPACING)
        layout.setSpacing(theme.SPACING)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.details)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self.reload)
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(600)
        self._notes_timer.timeout.connect(self._save_notes)

        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.view.activated.connect(lambda _i: self.audition())  # double-click or Enter
        self.view.customContextMenuRequested.connect(self._context_menu)

        bridge = ctx.bridge
        # Bound methods (not lambdas) for the bridge, so Qt drops them with the panel.
        bridge.personaAdded.connect(self.reload)
        bridge.personaUpdated.connect(self._on_persona_updated)
        bridge.personaRemoved.connect(self.reload)
        bridge.clipUpdated.connect(self._on_clip_updated)
        bridge.clipRemoved.connect(self._on_clip_removed)
        bridge.providerChanged.connect(self._on_provider_changed)
        ctx.bridge.personaShowRequested.connect(self.show_persona)
        self.reload()

    # ------------------------------------------------------------------ building
    def _build_details(self) -> None:
        self.details = QFrame()
        theme.set_role(self.details, "card")
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("Rename (F2). Only your library changes; the provider keeps its own name.")
        self.name_edit.setMaxLength(120)
        self.source_label = _hint()
        self.audition_button = QToolButton()
        self.audition_button.setIcon(icon("play", theme.PERSONA))
        self.audition_button.setIconSize(QSize(18, 18))
        self.audition_button.setAccessibleName("Play the segment that made this persona")
        self.audition_button.setToolTip("Play the part of the source clip that made this persona (Enter)")
        self.audition_button.clicked.connect(lambda: self.audition())
        self.description_label = _hint()
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Your notes — kept on this computer only")
        self.notes_edit.setToolTip("Private notes about this voice; saved as you type")
        self.notes_edit.setFixedHeight(58)
        self.notice_label = _hint(role="warning")
        self.notice_label.hide()

        self.generate_button = QPushButton(icon("music", "#0b0d12"), "Generate with this persona…")
        self.generate_button.setProperty("primary", True)
        self.generate_button.setShortcut(QKeySequence("Ctrl+G"))
        self.delete_button = QToolButton()
        self.delete_button.setIcon(icon("trash"))
        self.delete_button.setToolTip("Forget this persona on this computer (Delete). The provider keeps it.")
        self.delete_button.setAccessibleName("Forget persona")
        self.generate_button.clicked.connect(lambda: self.open_generate())
        self.delete_button.clicked.connect(lambda: self.confirm_delete())

        source_row = QHBoxLayout()
        source_row.setSpacing(theme.SPACING)
        source_row.addWidget(self.audition_button, 0, Qt.AlignmentFlag.AlignTop)
        source_row.addWidget(self.source_label, 1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(theme.SPACING)
        form.setVerticalSpacing(theme.SPACING // 2)
        form.addRow("Name", self.name_edit)
        form.addRow("Notes", self.notes_edit)
        buttons = QHBoxLayout()
        buttons.setSpacing(theme.SPACING)
        buttons.addWidget(self.generate_button, 1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self.details)
        layout.setContentsMargins(theme.SPACING, theme.SPACING, theme.SPACING, theme.SPACING)
        layout.setSpacing(theme.SPACING // 2)
        layout.addLayout(source_row)
        layout.addWidget(self.description_label)
        layout.addLayout(form)
        layout.addWidget(self.notice_label)
        layout.addLayout(buttons)
        self.details.hide()

        self.name_edit.editingFinished.connect(self._rename)
        self.notes_edit.textChanged.connect(self._notes_edited)

        for text, keys, slot in (
            ("Rename", "F2", self._focus_rename),
            ("Forget persona", "Delete", self.confirm_delete),
        ):
            action = QAction(text, self.view)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            self.view.addAction(action)

    # ------------------------------------------------------------------ listing
    def reload(self, *_args) -> None:
        """Re-read the personas (a small local table) and keep the current selection."""
        current = self.current()
        wanted = current.id if current is not None else self._wanted
        text = self.search.text()
        records = self.studio.personas.list(text)
        self.model.set_items([self._item(r) for r in records])
        total = len(records) if not text.strip() else len(self.studio.personas.list())
        if total == 0:
            self.empty_label.setText(EMPTY_TEXT)
            self.stack.setCurrentWidget(self.empty_label)
        elif not records:
            self.empty_label.setText(NO_MATCH_TEXT.format(text=text.strip()))
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.view)
        self.count_label.setText(f"{len(records)} of {total}" if text.strip() else (str(total) if total else ""))
        self._select(wanted)
        self._show_current()

    def _select(self, persona: int | None) -> None:
        row = self.model.row_of(persona) if persona is not None else -1
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def _item(self, record: PersonaRecord) -> PersonaItem:
        title, path, duration = record.source_clip_id or "unknown clip", None, None
        if record.source_clip is not None:
            try:
                clip = self.studio.library.get(record.source_clip)
            except KeyError:
                clip = None
            if clip is not None:
                title = clip.title or clip.clip_id
                duration = clip.duration
                if clip.audio_path and Path(clip.audio_path).is_file():
                    path = clip.audio_path
        return PersonaItem(record, title, path, duration)

    def current_item(self) -> PersonaItem | None:
        index = self.view.currentIndex()
        return index.data(PersonaListModel.ItemRole) if index.isValid() else None

    def current(self) -> PersonaRecord | None:
        item = self.current_item()
        return item.record if item is not None else None

    def show_persona(self, persona: int) -> bool:
        """Select a persona and bring this page forward (False if it is not listed)."""
        if self.model.row_of(persona) < 0 and self.search.text():
            self.search.clear()
            self.reload()
        if self.model.row_of(persona) < 0:
            self.reload()
        row = self.model.row_of(persona)
        if row < 0:
            return False
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self._bring_forward()
        return True

    def _bring_forward(self) -> None:
        widget = self.parentWidget()
        while widget is not None:
            if isinstance(widget, QTabWidget) and widget.indexOf(self) >= 0:
                widget.setCurrentWidget(self)
            if isinstance(widget, QDockWidget):
                widget.show()
                widget.raise_()
            widget = widget.parentWidget()

    # ------------------------------------------------------------------ details
    def _show_current(self) -> None:
        self._save_notes()
        item = self.current_item()
        self.details.setVisible(item is not None)
        if item is None:
            self._notes_for = None
            return
        record = item.record
        self._wanted = record.id
        if self._notes_for != record.id or not self.name_edit.hasFocus():
            self.name_edit.setText(record.name)
        self.source_label.setText(f"From “{item.clip_title}” · {fmt_window(record)}")
        self.description_label.setText(record.description)
        self.description_label.setVisible(bool(record.description))
        if self._notes_for != record.id:
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(record.notes)
            self.notes_edit.blockSignals(False)
            self._notes_for = record.id
        can_play = item.clip_path is not None and self.ctx.player.available
        self.audition_button.setEnabled(can_play)
        self.audition_button.setToolTip(
            "Play the part of the source clip that made this persona (Enter)" if can_play
            else self.ctx.player.notice or "The source clip has no local audio (deleted, or not downloaded)."
        )
        notice = self._generate_blocker(record)
        self.notice_label.setText(notice or "")
        self.notice_label.setVisible(bool(notice))
        self.generate_button.setEnabled(notice is None)
        self.generate_button.setToolTip(
            notice or f"Write lyrics and a style; the new song is sung by “{record.name}” (Ctrl+G)"
        )

    def _generate_blocker(self, record: PersonaRecord) -> str | None:
        """Why this persona cannot make songs right now, in words (None = it can)."""
        caps = self.studio.capabilities
        if record.provider is not self.studio.provider_id:
            where = capabilities(record.provider).display_name
            return f"This persona lives at {where}; switch to {where} in Settings to generate with it."
        if not caps.persona_available:
            return f"{caps.display_name} does not offer personas right now."
        return None

    def _on_persona_updated(self, record: PersonaRecord) -> None:
        row = self.model.row_of(record.id)
        if row < 0:
            return
        current = self.current()
        items = self.model.items()
        items[row] = self._item(record)
        self.model.set_items(items)
        self._select(current.id if current is not None else None)
        self._show_current()

    def _on_clip_updated(self, clip_row) -> None:
        self._on_clip_removed(clip_row.id)

    def _on_clip_removed(self, clip: int) -> None:
        if any(item.record.source_clip == clip for item in self.model.items()):
            self.reload()

    def _on_provider_changed(self, *_args) -> None:
        self._show_current()

    def _focus_rename(self) -> None:
        if self.current() is not None:
            self.name_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.name_edit.selectAll()

    def _rename(self) -> None:
        record = self.current()
        name = self.name_edit.text().strip()
        if record is None or name == record.name:
            return
        if not name:
            self.name_edit.setText(record.name)  # a persona always has a name
            return
        self.studio.personas.rename(record.id, name)

    def _notes_edited(self) -> None:
        self._notes_timer.start()

    def _save_notes(self) -> None:
        self._notes_timer.stop()
        persona = self._notes_for
        if persona is None:
            return
        text = self.notes_edit.toPlainText()
        row = self.model.row_of(persona)
        if row < 0 or self.model.items()[row].record.notes == text:
            return
        self.studio.personas.set_notes(persona, text)

    # ------------------------------------------------------------------ actions
    def audition(self, item: PersonaItem | None = None) -> bool:
        """Play the segment of the source clip that made the persona."""
        item = item or self.current_item()
        if item is None:
            return False
        player = self.ctx.player
        if not player.available:
            self.ctx.bridge.notify.emit(player.notice or "Playback is not available.")
            return False
        if item.clip_path is None:
            self.ctx.bridge.notify.emit(f"“{item.clip_title}” has no local audio to play (deleted, or not downloaded).")
            return False
        start, end = audition_window(item.record, item.clip_duration)
        self._audition.play(Path(item.clip_path), start, end)
        self.ctx.bridge.notify.emit(
            f"Playing the {end - start:.2f} s of “{item.clip_title}” that made “{item.record.name}”"
        )
        return True

    def open_generate(self, record: PersonaRecord | None = None):
        """Open "Generate with this persona" (non-modal; one at a time)."""
        record = record or self.current()
        if record is None or self._generate_blocker(record) is not None:
            return None
        from ..components.generate_persona import GeneratePersonaDialog

        if self._dialog is not None and self._dialog.isVisible():
            if self._dialog.persona.id == record.id:
                self._dialog.raise_()
                self._dialog.activateWindow()
                return self._dialog
            self._dialog.close()
        self._dialog = GeneratePersonaDialog(self.ctx, record, self.window())
        self._dialog.open()
        return self._dialog

    def confirm_delete(self, record: PersonaRecord | None = None) -> QMessageBox | None:
        """Ask, then forget the persona locally (the provider keeps it)."""
        record = record or self.current()
        if record is None:
            return None
        where = capabilities(record.provider).display_name
        box = QMessageBox(self.window())
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Forget persona")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Forget “{record.name}” on this computer?")
        box.setInformativeText(
            f"{where} keeps the persona: it cannot be deleted there from here, and songs already made "
            "with it are not affected. Only its entry in your library (name, notes, source) is removed."
        )
        forget = box.addButton("Forget", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def done(_result: int) -> None:
            if box.clickedButton() is forget:
                self.studio.personas.delete_local(record.id)
                self.ctx.bridge.notify.emit(f"Forgot “{record.name}” here; {where} still has it.")

        box.finished.connect(done)
        box.open()
        return box

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        item = self.current_item()
        menu = QMenu(self)
        play = menu.addAction(icon("play"), "Play the segment that made it")
        play.setEnabled(item.clip_path is not None and self.ctx.player.available)
        play.triggered.connect(lambda: self.audition(item))
        generate = menu.addAction(icon("music"), "Generate with this persona…")
        generate.setEnabled(self._generate_blocker(item.record) is None)
        generate.triggered.connect(lambda: self.open_generate(item.record))
        menu.addSeparator()
        menu.addAction(icon("rename"), "Rename", self._focus_rename)
        menu.addAction(icon("trash"), "Forget…", lambda: self.confirm_delete(item.record))
        menu.popup(self.view.viewport().mapToGlobal(pos))


__all__ = ["PersonasPanel", "audition_window", "fmt_date"]
