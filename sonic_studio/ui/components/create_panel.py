"""A new song from scratch: from a description, or from your lyrics + style + title.

The musical fields are the shared :class:`GenerationForm` (its lyrics box is the
section-aware :class:`LyricsEditor`); this panel adds what only a new song has:

* **Write lyrics for me** - the provider's lyrics writer, fed a line about what the song
  is about; its draft replaces the lyrics as ONE undoable step (Ctrl+Z brings yours back),
  and "Other draft" swaps in the next one the provider wrote.
* **Boost style** - the provider rewrites the style into a richer one; also undoable.
* an optional **persona** to sing it, the **cost** before anything is sent, and the
  submit button (Ctrl+Enter) that says why it is off when it is.

The rules (what is allowed, what it costs, the provider's name for the request) come
from ``CreateService.preflight`` / ``services.eligibility``; every message sits next to
the field it is about, and nothing is sent while one is showing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import StudioError, ValidationError
from ...core.models import GenerationParams, LyricsDraft, ProviderId
from ...core.validation import Problem, check_lyrics_prompt, check_style_boost
from ...services.eligibility import helper_terms
from .. import theme
from ..icons import icon
from ..tasks_runner import TaskRunner
from ..widgets.reflow import FitPage
from .generate_persona import SUNO_PERSONA_MODEL
from .generation_form import GenerationForm
from .submit_bar import SubmitBar, cost_text, credits_text

log = logging.getLogger(__name__)

WRITE_LYRICS_KEY = "Ctrl+L"
BOOST_STYLE_KEY = "Ctrl+Shift+B"


def _label(text: str = "", role: str | None = "hint", *, wrap: bool = True):
    return theme.label(text, role, wrap=wrap)


class CreatePanel(QWidget):
    """The Create tab's content.  Public for tests: ``form``, ``lyrics_about``, ``write_button``,
    ``other_draft_button``, ``boost_button``, ``persona``, ``bar`` (the shared SubmitBar; its parts
    also as ``cost``, ``submit_button``, ``reason``, ``submit_error``, ``confirmation``),
    ``helper_error``; ``submit()``, ``write_lyrics()``, ``other_draft()``, ``boost_style()``,
    ``choose_persona(id)``, ``params()``, ``problems()``."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.studio = ctx.studio
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self._caps = self.studio.capabilities
        self._drafts: list[LyricsDraft] = []
        self._draft_index = 0
        self.task = None  # the last submitted TaskRecord
        self._build()
        self._wire()
        self._reload_personas()
        self._refresh()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        page = FitPage()  # shrinks before it scrolls
        outer = QVBoxLayout(page)
        outer.setContentsMargins(theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2, theme.SPACING)
        outer.setSpacing(theme.SPACING)
        intro = _label("Start a new song: describe it in a sentence, or bring your own lyrics and style.")
        outer.addWidget(intro)

        self.form = GenerationForm(self._caps, self._default_model())
        self.form.limits_endpoint = "generate"  # sunoapi.org caps titles at 80 on this request
        self.form.mode.button("description").setText("Description")
        self.form.mode.button("description").setToolTip("Describe the song; the provider writes lyrics and music")
        self.form.mode.button("custom").setText("Lyrics && style")
        self.form.mode.button("custom").setToolTip("Your lyrics are sung as written, with your style and title")
        self.form.mode.set_current("description")

        # Write lyrics for me: what the song is about -> the provider's lyrics in the editor.
        self.lyrics_about = QLineEdit()
        self.lyrics_about.setPlaceholderText("What should the lyrics be about? e.g. a road trip at dawn")
        self.lyrics_about.setToolTip("A line for the provider's lyrics writer")
        self.write_button = QPushButton(icon("music"), "Write lyrics for me")
        self.other_draft_button = QPushButton("Other draft")
        self.other_draft_button.setToolTip("Put the provider's next draft in the editor (Ctrl+Z undoes it)")
        self.other_draft_button.hide()
        self.write_cost = _label(wrap=False)
        self.helper_error = _label(role="error")
        self.helper_error.hide()
        self.writer_row = QWidget()
        writer = QVBoxLayout(self.writer_row)
        writer.setContentsMargins(0, 0, 0, 0)
        writer.setSpacing(theme.SPACING // 2)
        writer.addWidget(self.lyrics_about)
        row = QHBoxLayout()
        row.setSpacing(theme.SPACING)
        row.addWidget(self.write_button)
        row.addWidget(self.other_draft_button)
        row.addWidget(self.write_cost)
        row.addStretch(1)
        writer.addLayout(row)
        writer.addWidget(self.helper_error)
        self.form.add_above_editor(self.writer_row)

        # Boost style, under the style field.
        boost = QWidget()
        boost_row = QHBoxLayout(boost)
        boost_row.setContentsMargins(0, 0, 0, 0)
        boost_row.setSpacing(theme.SPACING)
        self.boost_button = QPushButton("Boost style")
        self.boost_cost = _label(wrap=False)
        boost_row.addWidget(self.boost_button)
        boost_row.addWidget(self.boost_cost)
        boost_row.addStretch(1)
        self.form.add_below_field("tags", boost)

        # Optional persona.
        self.persona = QComboBox()
        self.persona.setToolTip("A saved voice to sing the song (Library › Personas)")
        self.persona_error = _label(role="error")
        self.persona_error.hide()
        persona_box = QWidget()
        persona_layout = QVBoxLayout(persona_box)
        persona_layout.setContentsMargins(0, 0, 0, 0)
        persona_layout.setSpacing(2)
        persona_layout.addWidget(self.persona)
        persona_layout.addWidget(self.persona_error)
        self.form.add_row("Sung by", persona_box)
        outer.addWidget(self.form, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)

        # The shared submit bar: cost line, the button (Ctrl+Enter), why it is off, the outcome.
        self.bar = SubmitBar(self.runner, "Create", "Sending…", button_icon=icon("music", "#0b0d12"),
                             ready_tip="Make the song (Ctrl+Enter)")
        # Short names for the bar's parts (tests use them).
        self.submit_button, self.reason, self.cost = self.bar.button, self.bar.reason, self.bar.cost
        self.submit_error, self.confirmation = self.bar.error, self.bar.confirmation

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.bar)

    def _wire(self) -> None:
        bridge = self.ctx.bridge
        # Bound methods, not lambdas: Qt drops the connections when this panel is destroyed.
        bridge.providerChanged.connect(self._on_provider_changed)
        bridge.creditsChanged.connect(self._on_credits_changed)
        bridge.personaAdded.connect(self._on_personas_changed)
        bridge.personaUpdated.connect(self._on_personas_changed)
        bridge.personaRemoved.connect(self._on_personas_changed)
        self.form.changed.connect(self._refresh)
        self.persona.currentIndexChanged.connect(self._on_persona_chosen)
        self.lyrics_about.textEdited.connect(self._on_about_edited)
        self.lyrics_about.returnPressed.connect(self.write_lyrics)
        self.write_button.clicked.connect(self.write_lyrics)
        self.other_draft_button.clicked.connect(self.other_draft)
        self.boost_button.clicked.connect(self.boost_style)
        self.bar.submitRequested.connect(self.submit)
        self.bar.busyChanged.connect(self._set_busy)
        QShortcut(QKeySequence(WRITE_LYRICS_KEY), self, self.write_lyrics)
        QShortcut(QKeySequence(BOOST_STYLE_KEY), self, self.boost_style)

    # ------------------------------------------------------------------ request
    def params(self) -> GenerationParams:
        params = self.form.params()
        persona_id = self.persona.currentData()
        if persona_id:
            params.persona_id = persona_id
            if self._caps.id is ProviderId.SUNOAPI:
                params.persona_model = SUNO_PERSONA_MODEL
        return params

    def problems(self) -> list[Problem]:
        """The form's own checks, then what the preflight adds (persona rules), without repeats."""
        own = self.form.problems()
        preflight = self.studio.create.preflight(self.params(), self._caps)
        return own + [p for p in preflight.problems if p not in own]

    # ------------------------------------------------------------------ refresh
    def _refresh(self, reveal: bool = False) -> None:
        custom = self.form.custom_mode()
        self.writer_row.setVisible(custom)
        if not custom:
            self.helper_error.hide()
        problems = self.problems()
        foreign = self.form.show_problems(problems, reveal=reveal)
        persona_message = next((p.message for p in foreign if p.field == "persona_id"), "")
        self.persona_error.setText(persona_message)
        self.persona_error.setVisible(bool(persona_message))
        theme.set_invalid(self.persona, bool(persona_message))

        credits = self.studio.credits.last
        preflight = self.studio.create.preflight(self.params(), self._caps)
        self.bar.set_cost(cost_text(preflight.cost, credits.total if credits is not None else None),
                          theme.plain_tip(f"Estimated from {self._caps.display_name}'s price list; sent as "
                                          f"{preflight.task_type}. {self._caps.credits_note}".strip()))
        self.write_cost.setText(self._helper_cost("lyrics"))
        self.write_cost.setToolTip(theme.plain_tip(helper_terms(self._caps, "lyrics")))
        self.write_button.setToolTip(f"The provider writes lyrics about the line on the left ({WRITE_LYRICS_KEY}); "
                                     "they replace the editor's text, and Ctrl+Z brings yours back. "
                                     + helper_terms(self._caps, "lyrics"))
        self.boost_cost.setText(self._helper_cost("boost_style"))
        self.boost_button.setToolTip(f"The provider rewrites the style into a richer one ({BOOST_STYLE_KEY}); "
                                     "Ctrl+Z in the style field brings yours back. "
                                     + helper_terms(self._caps, "boost_style"))
        writing, boosting = self.runner.running("lyrics"), self.runner.running("boost")
        self.write_button.setText("Writing…" if writing else "Write lyrics for me")
        self.write_button.setEnabled(not writing)
        self.boost_button.setText("Boosting…" if boosting else "Boost style")
        self.boost_button.setEnabled(not boosting)

        self.bar.set_problems(problems)

    def _helper_cost(self, helper: str) -> str:
        cost = self._caps.estimated_cost(helper)
        if cost is None:
            return "price not published"
        return f"{credits_text(cost)} credit" + ("" if cost == 1 else "s")

    # ------------------------------------------------------------------ submit
    def submit(self) -> None:
        """Check, then send in the background; with a problem, show it and send nothing."""
        if self.bar.busy():
            return
        self.bar.clear_messages()
        problems = self.problems()
        if problems:
            self._refresh(reveal=True)
            self.form.focus_field(problems[0].field)
            return
        self.bar.run(self._submit(self.params()), what="Sending the song request", note="Sending the request…")

    async def _submit(self, params: GenerationParams) -> None:
        try:
            task = await TaskRunner.unstoppable(self.studio.create.submit(params))
        except StudioError as exc:
            field = exc.field if isinstance(exc, ValidationError) else None
            if field in GenerationForm.OWN_FIELDS:
                self.form.show_problems([Problem(field, str(exc))], reveal=True)
                self.form.focus_field(field)
            self.bar.show_error(str(exc), exc.details())
            return
        self.task = task
        self.bar.show_done("Sent — the song appears in the library when it is ready; follow it in Tasks.", task.title)
        self.ctx.bridge.notify.emit(f"Creating: {task.title}")

    def _set_busy(self, _busy: bool) -> None:
        self._refresh()

    # ------------------------------------------------------------------ helpers
    def write_lyrics(self) -> None:
        """Ask the provider's lyrics writer; the first draft replaces the lyrics (one undo step)."""
        if self.runner.running("lyrics"):
            return
        if not self.form.custom_mode():
            self.form.mode.set_current("custom")
        about = self.lyrics_about.text().strip()
        if not about and self.form.description.toPlainText().strip():
            # Coming from Description mode: the song's description is what the lyrics are about.
            about = " ".join(self.form.description.toPlainText().split())
            self.lyrics_about.setText(about)
        problems = check_lyrics_prompt(about, self._caps)
        if problems:
            self._show_helper_error(problems[0].message)
            theme.set_invalid(self.lyrics_about, True)
            self.lyrics_about.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.helper_error.hide()
        self.runner.run("lyrics", self._write(about), what="Writing the lyrics", busy=self._set_busy,
                        on_error=self._show_helper_error)

    async def _write(self, about: str) -> None:
        try:
            drafts = await self.studio.create.write_lyrics(about)
        except StudioError as exc:
            self._show_helper_error(str(exc), exc.details())
            return
        self._drafts, self._draft_index = drafts, 0
        self._use_draft()
        self.other_draft_button.setVisible(len(drafts) > 1)

    def other_draft(self) -> None:
        if len(self._drafts) > 1:
            self._draft_index = (self._draft_index + 1) % len(self._drafts)
            self._use_draft()

    def _use_draft(self) -> None:
        draft = self._drafts[self._draft_index]
        self.form.lyrics.replace_text(draft.text)  # one undoable step: Ctrl+Z restores the text before
        if draft.title and not self.form.title.text().strip():
            self.form.title.setText(draft.title)
            self.form.mark_edited("title")
        self.form.lyrics.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ctx.bridge.notify.emit(f"Lyrics written (draft {self._draft_index + 1} of {len(self._drafts)}); "
                                    "Ctrl+Z in the lyrics brings yours back.")

    def boost_style(self) -> None:
        """Ask the provider for a richer style; it replaces the style (Ctrl+Z in the field undoes it)."""
        if self.runner.running("boost"):
            return
        tags = self.form.tags.text()
        problems = check_style_boost(tags, self._caps, self.form.params().model)
        if problems:
            self.form.show_problems(problems, reveal=True)
            self.form.focus_field("tags")
            return
        self.runner.run("boost", self._boost(tags), what="Boosting the style", busy=self._set_busy,
                        on_error=self._show_helper_error)

    async def _boost(self, tags: str) -> None:
        try:
            boosted = await self.studio.create.boost_style(tags, self.form.params().model)
        except StudioError as exc:
            self.form.show_problems([Problem("tags", str(exc))], reveal=True)
            return
        field = self.form.tags
        field.selectAll()
        field.insert(boosted)  # QLineEdit keeps this in its undo history
        field.setCursorPosition(0)  # show the start of the new style
        self.form.mark_edited("tags")
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_helper_error(self, text: str, details: str = "") -> None:
        self.helper_error.setText(text)
        self.helper_error.setToolTip(theme.plain_tip(details or text))
        self.helper_error.show()

    def _on_about_edited(self, _text: str) -> None:
        theme.set_invalid(self.lyrics_about, False)
        self.helper_error.hide()

    # ------------------------------------------------------------------ provider, personas, credits
    def _default_model(self) -> str | None:
        return self.studio.settings.default_model(self._caps.id)

    def _on_provider_changed(self, *_: object) -> None:
        self._caps = self.studio.capabilities
        self.form.set_provider(self._caps, self._default_model())
        self._drafts = []
        self.other_draft_button.hide()
        self._reload_personas()
        self._refresh()

    def _on_credits_changed(self, *_: object) -> None:
        self._refresh()

    def _on_personas_changed(self, *_: object) -> None:
        self._reload_personas()
        self._refresh()

    def _on_persona_chosen(self, _index: int) -> None:
        self._refresh()

    def _reload_personas(self) -> None:
        chosen = self.persona.currentData()
        self.persona.blockSignals(True)
        self.persona.clear()
        self.persona.addItem("No persona (the model picks a voice)", None)
        for record in self.studio.personas.list():
            if record.provider is self._caps.id:
                self.persona.addItem(icon("persona", theme.PERSONA), record.name, record.persona_id)
                self.persona.setItemData(self.persona.count() - 1, record.description, Qt.ItemDataRole.ToolTipRole)
        index = self.persona.findData(chosen) if chosen else 0
        self.persona.setCurrentIndex(max(0, index))
        self.persona.blockSignals(False)

    def choose_persona(self, persona_id: str | None) -> bool:
        """Select a saved persona by its provider id (None: no persona); False when it is not listed."""
        index = self.persona.findData(persona_id) if persona_id else 0
        if index < 0:
            return False
        self.persona.setCurrentIndex(index)
        return True


__all__ = ["CreatePanel"]
