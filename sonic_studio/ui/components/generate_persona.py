""""Generate with this persona": a new song sung in a saved voice.

The musical fields are the shared :class:`GenerationForm` (the same lyrics, style,
title and model as Extend/Cover); this dialog adds the persona and submits
``studio.tasks.submit_generate`` with ``persona_id`` - which each adapter maps to its
own fields (sunoapi.org: ``personaId`` + ``personaModel``; AI Music API:
``task_type: persona_music`` + ``persona_id``).  The task then runs like any other:
the dialog closes as soon as the provider has the request, and the result lands in
the library with the persona in its lineage.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import StudioError, ValidationError
from ...core.models import GenerationParams, ProviderId, TaskKind
from ...core.validation import Problem
from ...store.records import PersonaRecord
from .. import theme
from ..format import fmt_window
from ..icons import icon
from ..tasks_runner import TaskRunner
from .generation_form import GenerationForm
from .submit_bar import SubmitBar, cost_text

# sunoapi.org: "style_persona" for personas made with generate-persona ("voice_persona"
# is for voice-clone ids, which the studio does not make).
SUNO_PERSONA_MODEL = "style_persona"


def _label(text: str = "", role: str = "hint") -> QLabel:
    return theme.label(text, role)


def persona_mapping(provider: ProviderId) -> str:
    """How the persona travels in the request, in the provider's own field names."""
    if provider is ProviderId.SUNOAPI:
        return f"Sent as personaId + personaModel “{SUNO_PERSONA_MODEL}” with your lyrics and style (custom mode)."
    return "Sent as task_type “persona_music” with persona_id."


class GeneratePersonaDialog(QDialog):
    """Lyrics, style, title, model -> a generate task that uses ``persona``."""

    def __init__(self, ctx, persona: PersonaRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.ctx = ctx
        self.studio = ctx.studio
        self.persona = persona
        self.task = None  # the submitted TaskRecord, once the provider has it
        caps = self.studio.capabilities
        self.setWindowTitle(f"Generate with “{persona.name}”")
        self.setMinimumSize(860, 560)

        header = QFrame()
        theme.set_role(header, "card")
        badge = QLabel()
        badge.setPixmap(icon("persona", theme.PERSONA).pixmap(28, 28))
        name = _label(persona.name, "title")
        source = self._source_text()
        self.source_label = _label(source)
        self.description_label = _label(persona.description)
        self.description_label.setVisible(bool(persona.description))
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(name)
        text.addWidget(self.source_label)
        text.addWidget(self.description_label)
        head = QHBoxLayout(header)
        head.setContentsMargins(theme.SPACING * 2, theme.SPACING, theme.SPACING * 2, theme.SPACING)
        head.setSpacing(theme.SPACING * 2)
        head.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        head.addLayout(text, 1)

        self.form = GenerationForm(caps, self.studio.settings.default_model(caps.id))
        if persona.styles:
            self.form.tags.setText(persona.styles)
        if caps.id is ProviderId.SUNOAPI:
            # sunoapi.org takes a persona only in custom mode (own lyrics + style).
            describe = self.form.mode.button("description")
            describe.setEnabled(False)
            describe.setToolTip("sunoapi.org uses a persona only with your own lyrics and style")

        self.bar = SubmitBar(self.runner, "Generate", "Generating…", button_icon=icon("music", "#0b0d12"),
                             ready_tip=f"Generate a new song sung by “{persona.name}” (Ctrl+Enter)", framed=False)
        self.bar.button.setDefault(True)
        self.bar.set_cost(cost_text(caps.estimated_cost(TaskKind.GENERATE)))
        self.mapping_label = _label(persona_mapping(caps.id))
        self.bar.add_note(self.mapping_label)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.bar.add_action(self.cancel_button)
        self.bar.submitRequested.connect(self.submit)
        self.bar.busyChanged.connect(self._set_busy)
        # Short names for the bar's parts (tests use them).
        self.submit_button, self.reason_label, self.error_label = self.bar.button, self.bar.reason, self.bar.error

        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2)
        layout.setSpacing(theme.SPACING * 2)
        layout.addWidget(header)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.bar)

        self.form.changed.connect(self._refresh)
        self._refresh()
        self.form.focus_field("lyrics")

    def _source_text(self) -> str:
        title = self.persona.source_clip_id or "unknown clip"
        if self.persona.source_clip is not None:
            try:
                clip = self.studio.library.get(self.persona.source_clip)
                title = clip.title or clip.clip_id
            except KeyError:
                pass
        window = fmt_window(self.persona)
        styles = f" · {self.persona.styles}" if self.persona.styles else ""
        return f"Voice from “{title}”, {window}{styles}"

    # ------------------------------------------------------------------ request
    def params(self) -> GenerationParams:
        params = self.form.params()
        params.persona_id = self.persona.persona_id
        if self.studio.provider_id is ProviderId.SUNOAPI:
            params.persona_model = SUNO_PERSONA_MODEL
        return params

    def _refresh(self) -> None:
        problems = self.form.problems()
        # Messages go under their fields; the first (whatever its field) also says why
        # the button is off.
        self.form.show_problems(problems)
        self.bar.set_problems(problems)

    def submit(self) -> None:
        """Validate, then submit in a task (the dialog never blocks the window)."""
        if self.bar.busy():
            return
        problems = self.form.problems()
        if problems:
            self.form.show_problems(problems, reveal=True)
            self.form.focus_field(problems[0].field)
            self._refresh()
            return
        self.bar.run(self._submit(self.params()), what="Generating the song", note="Sending the request…")

    async def _submit(self, params: GenerationParams) -> None:
        try:
            task = await TaskRunner.unstoppable(self.studio.tasks.submit_generate(params))
        except StudioError as error:
            self._show_error(error, field=error.field if isinstance(error, ValidationError) else None)
            return
        self.task = task
        title = params.title or "new song"
        self.ctx.bridge.notify.emit(
            f"Generating “{title}” with persona “{self.persona.name}” — it appears in the library when done."
        )
        QTimer.singleShot(0, self.accept)

    def _set_busy(self, busy: bool) -> None:
        self.form.setEnabled(not busy)
        self._refresh()

    def _show_error(self, error: StudioError, field: str | None = None) -> None:
        if field in GenerationForm.OWN_FIELDS:
            self.form.show_problems([Problem(field, str(error))], reveal=True)
        self.bar.show_error(str(error), error.details())


__all__ = ["GeneratePersonaDialog", "persona_mapping"]
