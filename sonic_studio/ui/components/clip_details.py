"""The details of the selected clip: cover, facts, lineage in words, tags, lyrics, problems,
and its Deliverables (``deliverables_section``: WAV, stems, MIDI, ... and Send to DAW).

It follows the app-wide selection (``bridge.clipSelected``), not only the library
table's, so a clip picked anywhere (a task's "Open result", a tab) is explained here.
Everything that came from a provider (titles, tags, lyrics, error text) is shown as
plain text.  A clip whose files did not arrive offers "Check again", which asks the
provider about the task once more and re-downloads what is missing - it never
submits anything.
"""

from __future__ import annotations

import logging
from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.capabilities import capabilities, model_label
from ...core.errors import StudioError
from ...core.models import Origin
from ...store.records import ClipDetail
from .. import theme
from ..format import (
    clip_name,
    duration_text,
    full_date_text,
    lineage_route,
    lineage_sentence,
    parent_label,
    problem_text,
)
from ..icons import icon
from ..tasks_runner import TaskRunner
from .clip_model import ThumbnailCache
from .deliverables_section import DeliverablesSection

log = logging.getLogger(__name__)

COVER = 72


def _plain(label: QLabel, wrap: bool = True) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ClipDetailsPane(QWidget):
    """Shows one clip (``show_clip``); follows ``ctx.bridge.clipSelected`` by itself."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.ctx = ctx
        self.clip: ClipDetail | None = None
        self.lineage_text = ""  # the lineage line as plain text (the label holds it as rich text)
        self.setMinimumHeight(120)
        self._covers = ThumbnailCache(size=COVER, capacity=40, parent=self)
        self._covers.ready.connect(self._on_cover)

        self.stack = QStackedWidget()
        self.empty = QLabel("Select a clip to see what it was made from, its tags and lyrics.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        theme.set_role(self.empty, "empty")
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_page())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        bridge = ctx.bridge
        bridge.clipSelected.connect(self._on_selected)
        bridge.clipUpdated.connect(self._on_updated)
        bridge.clipRemoved.connect(self._on_removed)
        bridge.clipAdded.connect(self._on_updated)  # an undone delete comes back as "added"
        if ctx.selected_clip is not None:
            self.show_clip(ctx.selected_clip)

    # ------------------------------------------------------------------ layout
    def _build_page(self) -> QWidget:
        s = theme.SPACING
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(s, s, s, s)
        column.setSpacing(s)

        head = QHBoxLayout()
        head.setSpacing(s + 4)
        self.cover = QLabel()
        self.cover.setFixedSize(COVER, COVER)
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setStyleSheet(f"background: {theme.PANEL_RAISED}; border-radius: 8px;")
        head.addWidget(self.cover, 0, Qt.AlignmentFlag.AlignTop)
        facts = QVBoxLayout()
        facts.setSpacing(2)
        self.title = _plain(QLabel())
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.meta = _plain(QLabel())
        theme.set_role(self.meta, "hint")
        self.created = _plain(QLabel())
        theme.set_role(self.created, "hint")
        for widget in (self.title, self.meta, self.created):
            facts.addWidget(widget)
        facts.addStretch(1)
        head.addLayout(facts, 1)
        column.addLayout(head)

        # Rich text for one link: the parent clip, which the window selects (clipShowRequested).
        self.lineage = QLabel()
        self.lineage.setTextFormat(Qt.TextFormat.RichText)
        self.lineage.setWordWrap(True)
        self.lineage.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.lineage.setOpenExternalLinks(False)
        self.lineage.linkActivated.connect(self._on_lineage_link)
        column.addWidget(self.lineage)

        self.problem_box = QFrame()
        self.problem_box.setProperty("role", "card")
        problem_row = QHBoxLayout(self.problem_box)
        problem_row.setContentsMargins(s, s, s, s)
        alert = QLabel()
        alert.setPixmap(icon("alert", theme.WARNING).pixmap(QSize(18, 18)))
        problem_row.addWidget(alert, 0, Qt.AlignmentFlag.AlignTop)
        self.problem = _plain(QLabel())
        theme.set_role(self.problem, "warning")
        problem_row.addWidget(self.problem, 1)
        self.check_again = QPushButton(icon("refresh"), "Check again")
        self.check_again.setToolTip(
            "Ask the provider about this clip's task again and download what is missing. Nothing is resubmitted."
        )
        self.check_again.clicked.connect(self._on_check_again)
        problem_row.addWidget(self.check_again, 0, Qt.AlignmentFlag.AlignTop)
        column.addWidget(self.problem_box)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(s + 4)
        form.setVerticalSpacing(s)
        id_row = QHBoxLayout()
        id_row.setSpacing(4)
        self.clip_id = QLineEdit()
        self.clip_id.setReadOnly(True)
        self.clip_id.setToolTip("The provider's id of this clip (use it with the CLI or the provider's site)")
        id_row.addWidget(self.clip_id, 1)
        copy = QToolButton()
        copy.setIcon(icon("link"))
        copy.setToolTip("Copy the clip id")
        copy.clicked.connect(self.copy_clip_id)
        id_row.addWidget(copy)
        form.addRow("Clip id", id_row)
        self.tags = _plain(QLabel())
        form.addRow("Tags", self.tags)
        self.lyrics = QPlainTextEdit()
        self.lyrics.setReadOnly(True)
        self.lyrics.setMinimumHeight(90)
        self.lyrics.setToolTip("Lyrics as the provider returned them")
        form.addRow("Lyrics", self.lyrics)
        column.addLayout(form)
        self.deliverables = DeliverablesSection(self.ctx)
        column.addWidget(self.deliverables)
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        return scroll

    # ------------------------------------------------------------------ showing
    def show_clip(self, clip_id: int | None) -> None:
        """Show clip ``clip_id`` (None or a deleted/unknown clip: the empty state)."""
        detail = self.ctx.studio.library.get_or_none(clip_id)
        if detail is None or detail.deleted:
            self.clip = None
            self.stack.setCurrentIndex(0)
            self.deliverables.show_clip(None)
            return
        self.clip = detail
        self.stack.setCurrentIndex(1)
        self.title.setText(clip_name(detail))
        caps = capabilities(detail.provider)
        facts = [duration_text(detail.duration), model_label(detail.provider, detail.model), caps.display_name,
                 detail.origin.value]
        self.meta.setText(" · ".join(f for f in facts if f and f != "–"))
        self.created.setText(f"Added {full_date_text(detail.created_at)}")
        self._show_lineage(detail)
        self.clip_id.setText(detail.clip_id)
        self.clip_id.setCursorPosition(0)
        self.tags.setText(detail.tags or "–")
        self.lyrics.setPlainText(detail.lyrics or "")
        self.lyrics.setPlaceholderText("No lyrics (instrumental, or none returned)")
        self._show_cover(detail)
        self._show_problem(detail)
        self.deliverables.show_clip(detail.id)

    def _show_lineage(self, detail: ClipDetail) -> None:
        """The lineage sentence with the parent as a link (named by take and date when its title is
        shared); the provider's name for the request only in the tooltip."""
        sentence = lineage_sentence(detail, self._persona_name(detail))
        parent = self.ctx.studio.library.get_or_none(detail.lineage.parent_clip if detail.lineage else None)
        words = f"“{detail.lineage.parent_title}”" if detail.lineage and detail.lineage.parent_title else None
        if parent is not None and not parent.deleted and words and words in sentence:
            label = parent_label(detail.lineage.parent_title, parent.take, parent.created_at,
                                 ambiguous=self.ctx.studio.library.namesakes(detail.lineage.parent_title) > 1)
            before, _, after = sentence.partition(words)
            self.lineage_text = before + label + after
            html = (f"{escape(before)}<a href=\"clip:{parent.id}\" style=\"color: {theme.ACCENT};\">"
                    f"{escape(label)}</a>{escape(after)}")
        else:
            self.lineage_text = sentence
            html = escape(sentence)
        self.lineage.setText(html)
        route = lineage_route(detail, source_uploaded=self._parent_uploaded(detail))
        tip = "What this clip was made from, and how" + ("; click the name to select it" if "<a " in html else "")
        self.lineage.setToolTip(theme.plain_tip(tip + (f"\nSent to the provider as: {route}" if route else "")))

    def _on_lineage_link(self, link: str) -> None:
        _, _, clip = link.partition(":")
        if clip.isdigit():
            self.ctx.bridge.clipShowRequested.emit(int(clip))

    def _parent_uploaded(self, detail: ClipDetail) -> bool:
        parent = detail.lineage.parent_clip if detail.lineage else None
        if parent is None:
            return False
        try:
            return self.ctx.studio.library.get(parent).origin is Origin.UPLOADED
        except KeyError:
            return False

    def _persona_name(self, detail: ClipDetail) -> str | None:
        persona_id = detail.lineage.persona_id if detail.lineage else detail.persona_id
        if not persona_id:
            return None
        found = self.ctx.studio.personas.find(persona_id)
        return found.name if found is not None else None

    def _show_cover(self, detail: ClipDetail) -> None:
        pixmap = self._covers.get(detail.image_path) if detail.image_path else None
        if pixmap is None:  # none, or still decoding (``_on_cover`` swaps it in)
            pixmap = icon("music", theme.TEXT_DIM).pixmap(QSize(COVER // 2, COVER // 2))
        self.cover.setPixmap(pixmap)

    def _on_cover(self, path: str) -> None:
        if self.clip is not None and self.clip.image_path == path:
            self._show_cover(self.clip)

    def _show_problem(self, detail: ClipDetail) -> None:
        problem = problem_text(detail)
        if problem and detail.provider_error:
            problem += f" The provider said: {detail.provider_error}"
        self.problem_box.setVisible(bool(problem))
        self.problem.setText(problem or "")
        task = detail.lineage.task if detail.lineage else None
        self.check_again.setVisible(task is not None)
        self.check_again.setEnabled(True)

    # ------------------------------------------------------------------ actions
    def copy_clip_id(self) -> None:
        if self.clip is not None:
            QGuiApplication.clipboard().setText(self.clip.clip_id)
            self.ctx.bridge.notify.emit(f"Copied the clip id of “{clip_name(self.clip)}”.")

    def _on_check_again(self) -> None:
        if self.clip is None or self.clip.lineage is None or self.clip.lineage.task is None:
            return
        self.check_again.setEnabled(False)
        self.problem.setText("Checking with the provider…")
        self.runner.run("check-again", self._check_again(self.clip.id, self.clip.lineage.task),
                        what="Checking with the provider", on_error=self._check_failed)

    def _check_failed(self, text: str) -> None:
        self.problem.setText(text)
        self.check_again.setEnabled(True)

    async def _check_again(self, clip_id: int, task: int) -> None:
        try:
            await self.ctx.studio.tasks.check_again(task)
        except StudioError as exc:  # shown in words next to the button, never a traceback
            log.info("check again failed: %s", exc)
            if self.clip is not None and self.clip.id == clip_id:
                self._check_failed(str(exc))
            return
        # The task's poll reports back through clipUpdated; until then say what happens.
        if self.clip is not None and self.clip.id == clip_id:
            self.problem.setText("Asked the provider again; the clip updates here when its files arrive.")
            self.check_again.setEnabled(True)

    # ------------------------------------------------------------------ events
    def _on_selected(self, clip_id: int) -> None:
        self.show_clip(None if clip_id < 0 else clip_id)

    def _on_updated(self, clip) -> None:
        if self.clip is not None and clip.id == self.clip.id or self.clip is None and clip.id == self.ctx.selected_clip:
            self.show_clip(clip.id)

    def _on_removed(self, clip_id: int) -> None:
        if self.clip is not None and self.clip.id == clip_id:
            self.show_clip(None)
