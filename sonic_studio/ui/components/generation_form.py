"""The musical part of every generation request, as one reusable form.

Extend, cover and "generate with this persona" all ask the same things - lyrics or a
description, style tags, title, model, instrumental, vocal gender and the 0–1 weights -
so one widget asks them, knows the active provider's limits (``set_provider``), turns
its fields into a ``GenerationParams`` (``params``), checks them with the services' own
rules (``services.eligibility.request_problems``, the check ``TaskService`` refuses
with, so window and CLI say the same words) and shows each message under the field it
is about (``show_problems``).  The owner decides when to submit; the form never sends.

Messages appear for fields the person has already edited (an empty form is not an
error, it is a form); ``reveal=True`` shows them all, e.g. after a refused submit.
Nothing typed is ever thrown away: switching between lyrics and description keeps
both texts, switching provider keeps every field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.capabilities import ProviderCapabilities
from ...core.models import GenerationParams, TaskKind
from ...core.validation import Problem
from ...services.eligibility import request_problems
from .. import theme
from ..widgets.lyrics_editor import LyricsEditor, count_text
from ..widgets.reflow import ReflowColumns
from ..widgets.segmented import SegmentedButtons
from ..widgets.weight_slider import WeightSlider

AUDIO_WEIGHT_ZONES = (
    (0.0, 0.3, "0–0.3 more creative"),
    (0.4, 0.6, "0.4–0.6 balanced"),
    (0.7, 1.0, "0.7–1 closer to the original"),
)
VOCAL_GENDERS = (("Any voice", None), ("Female", "f"), ("Male", "m"))


def _error_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    theme.set_role(label, "error")
    label.hide()
    return label


def _inside_a_stop(widget: QWidget, stops: list[QWidget]) -> bool:
    """Part of a Tab stop already listed (a spin box's line edit, a combo box's popup list)."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent in stops:
            return True
        parent = parent.parentWidget()
    return widget in stops


def _with_error(widget: QWidget, error: QLabel, extra: QWidget | None = None) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    if extra is not None:
        layout.addWidget(extra)
    layout.addWidget(error)
    return box


class GenerationForm(QWidget):
    """Lyrics/description, tags, title, model, instrumental, vocal gender and weights.

    Public API: ``params()``, ``problems()``, ``show_problems(problems, reveal=False)``,
    ``set_provider(caps, default_model)``, ``set_params(params)``,
    ``set_audio_weight(visible, required=False)``, ``add_above_text(widget)``, ``reveal_all()``,
    ``focus_field(field)``, ``error_text(field)``;
    signal ``changed`` after any edit.
    """

    changed = Signal()
    OWN_FIELDS = ("lyrics", "description", "tags", "negative_tags", "title", "model", "vocal_gender",
                  "audio_weight", "style_weight", "weirdness", "instrumental", "custom_mode")

    def __init__(
        self,
        caps: ProviderCapabilities,
        default_model: str | None = None,
        *,
        audio_weight: str = "hidden",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._caps = caps
        self._audio_weight_on = audio_weight != "hidden"
        self._touched: set[str] = set()
        self._errors: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}

        # ---- left column: what is sung (or described)
        self.mode = SegmentedButtons(
            [
                ("custom", "Write lyrics", "Custom mode: your lyrics are sung as written, with your style and title"),
                ("description", "Describe it", "Describe the song in a sentence; the provider writes the lyrics"),
            ]
        )
        self.lyrics = LyricsEditor()  # section tags from a menu, highlighted
        self.lyrics.setPlaceholderText("[Verse]\nYour lyrics, sung as written…\n\n[Chorus]\n…")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("e.g. a dreamy synthwave song about driving through the city at night")
        self.description.setToolTip("A short description; the provider writes lyrics and arrangement from it.")
        self.text_stack = QStackedWidget()
        self.text_stack.addWidget(self.lyrics)
        self.text_stack.addWidget(self.description)
        self.text_stack.setMinimumHeight(150)
        self.count_label = QLabel()
        theme.set_role(self.count_label, "hint")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._errors["lyrics"] = _error_label()
        self._errors["description"] = _error_label()

        left = self._left = QVBoxLayout()
        self._left_inserts = 0
        left.setSpacing(theme.SPACING // 2)
        left.addWidget(self.mode, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.text_stack, 1)
        left.addWidget(self.count_label)
        left.addWidget(self._errors["lyrics"])
        left.addWidget(self._errors["description"])

        # ---- right column: how it should sound
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("e.g. synthwave, warm analog, 100 bpm")
        self.tags.setToolTip("Style tags: genre, mood, instruments, tempo")
        self.negative_tags = QLineEdit()
        self.negative_tags.setPlaceholderText("styles to avoid (optional)")
        self.negative_tags.setToolTip("Styles the result should not have")
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title of the result")
        self.model = QComboBox()
        self.model.setToolTip("Model used for this request (the provider's list; the default comes from Settings)")
        self.instrumental = QCheckBox("Instrumental")
        self.instrumental.setToolTip("No vocals; lyrics are not needed")
        self.vocal_gender = QComboBox()
        for text, value in VOCAL_GENDERS:
            self.vocal_gender.addItem(text, value)
        self.vocal_gender.setToolTip("Preferred voice. Raises the chance, not a guarantee; used in lyrics mode.")
        vocals = QWidget()
        vocals_row = QHBoxLayout(vocals)
        vocals_row.setContentsMargins(0, 0, 0, 0)
        vocals_row.setSpacing(theme.SPACING)
        vocals_row.addWidget(self.vocal_gender, 1)
        vocals_row.addWidget(self.instrumental)
        # Says why the voice choice is off for models that take no vocal gender.
        self.vocal_note = QLabel()
        self.vocal_note.setWordWrap(True)
        theme.set_role(self.vocal_note, "hint")
        self.vocal_note.hide()

        self.audio_weight = WeightSlider(
            optional=True,
            value=0.5,  # where the slider rests when the weight is switched on (balanced)
            zones=AUDIO_WEIGHT_ZONES,
            tooltip="How much the source audio shapes the result: low = more creative, high = closer to the original",
        )
        self.style_weight = WeightSlider(
            optional=True, value=None, tooltip="How strictly the style tags are followed (unticked: provider default)"
        )
        self.weirdness = WeightSlider(
            optional=True, value=None, tooltip="How far the result may wander creatively (unticked: provider default)"
        )

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(theme.SPACING * 2)
        form.setVerticalSpacing(theme.SPACING)
        rows = (
            ("tags", "Style", self.tags),
            ("negative_tags", "Exclude", self.negative_tags),
            ("title", "Title", self.title),
            ("model", "Model", self.model),
            ("vocal_gender", "Vocals", vocals),
            ("audio_weight", "Audio weight", self.audio_weight),
            ("style_weight", "Style weight", self.style_weight),
            ("weirdness", "Weirdness", self.weirdness),
        )
        self._rows: dict[str, QWidget] = {}
        for field, text, widget in rows:
            self._errors[field] = _error_label()
            extra = self.vocal_note if field == "vocal_gender" else None
            self._rows[field] = _with_error(widget, self._errors[field], extra)
            if isinstance(widget, WeightSlider):  # its tick box has no text of its own
                widget.enable_box.setAccessibleName(f"Set the {text.lower()}")
            form.addRow(text, self._rows[field])
        self._inputs = {
            "lyrics": self.lyrics, "description": self.description, "tags": self.tags,
            "negative_tags": self.negative_tags, "title": self.title, "model": self.model,
            "vocal_gender": self.vocal_gender, "audio_weight": self.audio_weight.edit,
            "style_weight": self.style_weight.edit, "weirdness": self.weirdness.edit,
        }
        self._form_layout = form

        # Side by side at 1280 px; one column when the window is narrow (no sideways scrolling).
        self.columns = ReflowColumns(theme.SPACING * 3)
        self.columns.add_column(left, 6)
        self.columns.add_column(form, 5)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.columns)

        # ---- wiring: every edit marks its field touched and announces a change
        self.mode.changed.connect(self._mode_changed)
        self.lyrics.textChanged.connect(lambda: self._edited("lyrics"))
        self.description.textChanged.connect(lambda: self._edited("description"))
        self.tags.textEdited.connect(lambda _t: self._edited("tags"))
        self.negative_tags.textEdited.connect(lambda _t: self._edited("negative_tags"))
        self.title.textEdited.connect(lambda _t: self._edited("title"))
        self.model.currentIndexChanged.connect(lambda _i: self._edited("model"))
        self.instrumental.toggled.connect(self._instrumental_toggled)
        self.vocal_gender.currentIndexChanged.connect(lambda _i: self._edited("vocal_gender"))
        for field in ("audio_weight", "style_weight", "weirdness"):
            getattr(self, field).valueChanged.connect(lambda _v, f=field: self._edited(f))

        self.audio_weight.setValue(None)  # unset until chosen, or until a cover requires it
        self.set_audio_weight(audio_weight != "hidden", required=audio_weight == "required")
        self.set_provider(caps, default_model)
        self._touched.clear()
        self._update_counter()

    # ------------------------------------------------------------------ public API
    @property
    def capabilities(self) -> ProviderCapabilities:
        return self._caps

    def custom_mode(self) -> bool:
        return self.mode.current() == "custom"

    def params(self) -> GenerationParams:
        """The request as the fields stand now (only the active text: lyrics or description)."""
        custom = self.custom_mode()
        return GenerationParams(
            model=self.model.currentData() or "",
            custom_mode=custom,
            lyrics=self.lyrics.toPlainText() if custom else "",
            description="" if custom else self.description.toPlainText(),
            tags=self.tags.text().strip(),
            title=self.title.text().strip(),
            negative_tags=self.negative_tags.text().strip(),
            instrumental=self.instrumental.isChecked(),
            vocal_gender=None if self.instrumental.isChecked() else self.vocal_gender.currentData(),
            style_weight=self.style_weight.value(),
            weirdness=self.weirdness.value(),
            audio_weight=self.audio_weight.value() if self.audio_weight_visible() else None,
        )

    def problems(self, kind: TaskKind = TaskKind.GENERATE, *, params: GenerationParams | None = None,
                 **context: Any) -> list[Problem]:
        """Everything that would stop this request, by field: the services' own check
        (``request_problems`` for ``kind``, with ``context`` such as ``source`` and
        ``continue_at``), after what only the form knows (a weight typed as text it
        cannot read).  ``params`` defaults to the form's; a page that adds to them (a
        persona) passes its own.
        """
        problems: list[Problem] = []
        labels = {"audio_weight": "Audio weight", "style_weight": "Style weight", "weirdness": "Weirdness"}
        for field, label in labels.items():
            slider: WeightSlider = getattr(self, field)
            if field == "audio_weight" and not self.audio_weight_visible():
                continue
            problem = slider.text_problem()
            if problem:
                problems.append(Problem(field, f"{label}: {problem}"))
        return problems + request_problems(self._caps, kind, params or self.params(), **context)

    def show_problems(self, problems: Iterable[Problem], *, reveal: bool = False) -> list[Problem]:
        """Put each message under its field; returns the problems about fields this form does not have.

        Only fields the person has touched show a message, unless ``reveal``.
        """
        if reveal:
            self.reveal_all()
        first: dict[str, str] = {}
        foreign: list[Problem] = []
        for problem in problems:
            field = problem.field
            if field not in self.OWN_FIELDS:
                foreign.append(problem)
            elif field not in first:
                first[field] = problem.message
        for field, label in self._errors.items():
            message = first.get(field) if field in self._touched else None
            label.setText(message or "")
            label.setVisible(bool(message) and self._field_visible(field))
            self._mark_invalid(field, bool(message))
        return foreign

    def reveal_all(self) -> None:
        """Treat every field as touched, so all messages show."""
        self._touched.update(self._errors)

    def touched(self) -> frozenset[str]:
        return frozenset(self._touched)

    def error_text(self, field: str) -> str:
        """The message shown under ``field`` now ("" when none) - what a person reads."""
        label = self._errors.get(field)
        return label.text() if label is not None and label.isVisible() else ""

    def focus_field(self, field: str) -> None:
        widget = self._inputs.get(field)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_provider(self, caps: ProviderCapabilities, default_model: str | None = None) -> None:
        """Models and limits of another provider; the typed content stays."""
        self._caps = caps
        previous = self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        for info in caps.models:
            self.model.addItem(info.label, info.name)
            self.model.setItemData(self.model.count() - 1, info.name, Qt.ItemDataRole.ToolTipRole)
        names = caps.model_names()
        choice = previous if previous in names else default_model if default_model in names else caps.default_model
        self.model.setCurrentIndex(max(0, names.index(choice) if choice in names else 0))
        self.model.blockSignals(False)
        self._update_counter()
        self.changed.emit()

    def set_params(self, params: GenerationParams) -> None:
        """Fill the form (e.g. to repeat a request); fields set here count as touched."""
        self.mode.set_current("custom" if params.custom_mode else "description")
        if params.custom_mode:
            self.lyrics.setPlainText(params.lyrics)
        else:
            self.description.setPlainText(params.description)
        self.tags.setText(params.tags)
        self.negative_tags.setText(params.negative_tags)
        self.title.setText(params.title)
        index = self.model.findData(params.model)
        if index >= 0:
            self.model.setCurrentIndex(index)
        self.instrumental.setChecked(params.instrumental)
        gender = self.vocal_gender.findData(params.vocal_gender)
        self.vocal_gender.setCurrentIndex(max(0, gender))
        self.style_weight.setValue(params.style_weight)
        self.weirdness.setValue(params.weirdness)
        if params.audio_weight is not None:
            self.audio_weight.setValue(params.audio_weight)
        self._touched.update(("tags", "title", "model", "lyrics" if params.custom_mode else "description"))
        self.changed.emit()

    def add_above_text(self, widget: QWidget) -> None:
        """Stack a widget on top of the lyrics column (e.g. the source's waveform), in order."""
        self._left.insertWidget(self._left_inserts, widget)
        self._left_inserts += 1

    def add_above_editor(self, widget: QWidget) -> None:
        """Put a widget between the mode switch and the lyrics/description box (e.g. a helper row)."""
        self._left.insertWidget(self._left.indexOf(self.text_stack), widget)

    def add_below_field(self, field: str, widget: QWidget) -> None:
        """Put a widget under ``field``'s input, above its message (e.g. a helper button)."""
        self._rows[field].layout().insertWidget(1, widget)

    def add_row(self, label: str, widget: QWidget) -> None:
        """One more labelled row at the end of the settings column."""
        self._form_layout.addRow(label, widget)

    def showEvent(self, event: QShowEvent) -> None:
        self._tab_in_screen_order()
        super().showEvent(event)

    def _tab_in_screen_order(self) -> None:
        """Tab goes down the lyrics column, then down the settings column, as they appear on screen:
        a widget added later (the source's waveform, a helper row) would otherwise come last.
        Done once the form sits in its page: Qt will not move the first widget of a window's chain."""
        order: list[QWidget] = []
        for column in (self._left, self._form_layout):
            for index in range(column.count()):
                widget = column.itemAt(index).widget()
                for leaf in (widget, *widget.findChildren(QWidget)) if widget is not None else ():
                    if leaf.focusPolicy() & Qt.FocusPolicy.TabFocus and not _inside_a_stop(leaf, order):
                        order.append(leaf)
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def mark_edited(self, field: str) -> None:
        """A field changed from outside (a helper filled it): it counts as touched."""
        self._edited(field)

    def set_audio_weight(self, visible: bool, required: bool = False) -> None:
        """Audio weight exists only when a source audio shapes the result (extend, cover).

        ``required`` (cover): it always has a value; otherwise it may stay unset, which
        leaves it to the provider.
        """
        self._audio_weight_on = visible
        self.audio_weight.set_optional(not required)
        self._form_layout.setRowVisible(self._rows["audio_weight"], visible)
        self.changed.emit()

    def audio_weight_visible(self) -> bool:
        return self._audio_weight_on

    # The endpoint whose own caps apply (catalog endpoint_limits), e.g. "generate"; None = the model's.
    limits_endpoint: str | None = None

    def current_limit(self) -> int:
        info = self._caps.limits_for(self.model.currentData(), self.limits_endpoint)
        return info.lyrics_max if self.custom_mode() else info.description_max

    # ------------------------------------------------------------------ internals
    def _field_visible(self, field: str) -> bool:
        if field == "audio_weight":
            return self.audio_weight_visible()
        if field == "lyrics":
            return self.custom_mode()
        if field == "description":
            return not self.custom_mode()
        return True

    def _mark_invalid(self, field: str, invalid: bool) -> None:
        widget = self._inputs.get(field)
        if widget is None:
            return
        if field in ("audio_weight", "style_weight", "weirdness"):
            getattr(self, field).set_invalid(invalid)
        else:
            theme.set_invalid(widget, invalid)

    def _edited(self, field: str) -> None:
        self._touched.add(field)
        if field in ("lyrics", "description", "model"):
            self._update_counter()
        self.changed.emit()

    def _mode_changed(self, key: str) -> None:
        self.text_stack.setCurrentIndex(0 if key == "custom" else 1)
        self._update_counter()
        self.changed.emit()

    def _instrumental_toggled(self, on: bool) -> None:
        self._update_vocal_gender()
        self.lyrics.setPlaceholderText(
            "Instrumental: lyrics are optional here." if on else "[Verse]\nYour lyrics, sung as written…\n\n[Chorus]\n…"
        )
        self._edited("instrumental")

    def vocal_gender_available(self) -> bool:
        """Whether the chosen model takes a vocal gender at this provider (catalog)."""
        return self._caps.model(self.model.currentData()).vocal_gender

    def _update_vocal_gender(self) -> None:
        """Off for instrumentals, and for models that take no vocal gender - then with a sentence why."""
        available = self.vocal_gender_available()
        if not available and self.vocal_gender.currentIndex() != 0:
            self.vocal_gender.setCurrentIndex(0)  # "Any voice": never send what the model refuses
        self.vocal_gender.setEnabled(available and not self.instrumental.isChecked())
        if available:
            self.vocal_note.hide()
            return
        label = self._caps.model(self.model.currentData()).label
        takes = ", ".join(m.label for m in self._caps.models if m.vocal_gender)
        self.vocal_note.setText(f"{label} does not take a voice choice; {takes} do." if takes
                                else f"{label} does not take a voice choice.")
        self.vocal_note.show()

    def _update_counter(self) -> None:
        self._update_vocal_gender()
        editor = self.lyrics if self.custom_mode() else self.description
        used = len(editor.toPlainText())
        limit = self.current_limit()
        what = "lyrics" if self.custom_mode() else "description"
        self.lyrics.set_limit(self._caps.limits_for(self.model.currentData(), self.limits_endpoint).lyrics_max)
        text = count_text(used, limit, what)
        self.count_label.setText(text if used > limit else f"{text} of {what}")
        self.count_label.setWordWrap(used > limit)
        theme.set_role(self.count_label, "error" if used > limit else "hint")
