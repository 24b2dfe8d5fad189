"""The Persona tab: pick the 10–30 s of clean vocals that become a reusable voice.

The source is the clip selected in the library.  Whether it can make a persona is
decided from the provider's capabilities and said in words (an upload on
sunoapi.org, a model older than V4, a song still being made, no local audio yet, a
clip made at the other provider).  Its waveform is the range picker (``WaveformView``
in RANGE mode): the provider's length limits are enforced *while* dragging, the spin
boxes and the picker are bound both ways, and "Play selection" auditions exactly the
chosen range through the shared player, so you hear what the provider will analyse.
Under the waveform, a strip shows where the clip sings (``audio.vocal_activity``, computed
off the UI thread when the clip is shown); **Suggest** sets the range to
``suggest_window``'s choice for the provider's rules, refined by the clip's timed lyrics
when it has them, and says why in one line (or that there is no clear singing).

The form maps to each provider's own fields (shown under it), validates with the same
``core.validation`` rules the services use, and submits ``studio.personas.create`` in
a task.  The provider's "one persona per clip" rule (HTTP 409) is explained, and the
persona the clip already made is selected in the Personas panel when we know it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...audio import vocal_activity
from ...audio.decode import DecodeError
from ...audio.loader import PeakLoader
from ...audio.player import PlayState
from ...core.capabilities import capabilities, model_label
from ...core.errors import ConflictError, StudioError, ValidationError
from ...core.models import Origin
from ...core.validation import Problem, check_persona
from ...store.records import ClipDetail, PersonaRecord
from .. import theme
from ..components.notice_bar import NoticeKind
from ..components.range_audition import RangeAudition
from ..components.submit_bar import SubmitBar, cost_text
from ..format import format_time
from ..icons import icon
from ..tasks_runner import TaskRunner
from ..widgets.reflow import FitPage, ReflowColumns
from ..widgets.time_spin import TimeSpinBox
from ..widgets.vocal_strip import VocalStrip
from ..widgets.waveform import WaveformMode, WaveformView

log = logging.getLogger(__name__)

DESCRIPTION_HINT = "Be specific: genre, mood, instruments, vocal qualities"
EMPTY_TITLE = "Pick a clip in the library"
EMPTY_TEXT = (
    "Its vocals become a persona: a voice you can reuse in new songs.\n"
    "Select {window} of clean singing, name the voice, describe it, and create it."
)
_WINDOW_FIELDS = ("vocal_window", "vocal_start", "vocal_end")


def _label(text: str = "", role: str = "hint") -> QLabel:
    return theme.label(text, role)


def _error_label() -> QLabel:
    label = _label(role="error")
    label.hide()
    return label



class PersonaTab(QWidget):
    """Source clip -> vocal range -> name/description/styles -> persona."""

    def __init__(self, ctx) -> None:
        super().__init__()
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.ctx = ctx
        self.studio = ctx.studio
        self.clip: ClipDetail | None = None
        self.audio_path: Path | None = None
        self.source_problem: str | None = None  # why this clip cannot make a persona
        self.existing: PersonaRecord | None = None  # the persona this clip already made
        self._ranges: dict[int, tuple[float, float]] = {}  # per clip, for this session
        self.vocal_curve: vocal_activity.VocalCurve | None = None  # of the clip shown, when computed
        self._to_analyse: Path | None = None  # a clip picked while the tab was hidden
        self._touched: set[str] = set()

        self.loader = PeakLoader(ctx.peak_cache, parent=self)
        self._audition = RangeAudition(ctx.player, self)
        self._build()
        self._wire()
        self._apply_capabilities()
        self.set_clip(ctx.selected_clip)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        # Empty state: what to do next.
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_icon = QLabel()
        empty_icon.setPixmap(icon("persona", theme.PERSONA).pixmap(48, 48))
        empty_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_title = _label(EMPTY_TITLE, "title")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = _label("", "empty")
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch(1)
        for widget in (empty_icon, self.empty_title, self.empty_text):
            empty_layout.addWidget(widget)
        empty_layout.addStretch(2)

        editor = FitPage()  # shrinks before it scrolls
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(theme.SPACING * 2, theme.SPACING, theme.SPACING * 2, theme.SPACING)
        layout.setSpacing(theme.SPACING)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_banner())
        self.waveform = WaveformView(mode=WaveformMode.RANGE)
        self.waveform.setMinimumHeight(120)
        self.waveform.setAccessibleDescription("Drag to choose the vocal range the persona is made from")
        self._waveform_tip = self.waveform.toolTip()
        layout.addWidget(self.waveform, 1)
        self.vocal_strip = VocalStrip(self.waveform, threshold=vocal_activity.SINGING)
        self.vocal_strip.setAccessibleName("Where the clip sings")
        layout.addWidget(self.vocal_strip)
        layout.addWidget(self._build_range_row())
        self.suggest_label = _label()
        layout.addWidget(self.suggest_label)
        self.rules_label = _label()
        self.rules_label.setToolTip(
            "The provider's rule for the persona's analysis window; the picker enforces it while you drag."
        )
        layout.addWidget(self.rules_label)
        self.range_error = _error_label()
        layout.addWidget(self.range_error)
        layout.addWidget(self._separator())
        layout.addLayout(self._build_form())
        layout.addWidget(self._build_footer())

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(editor)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty)
        self.stack.addWidget(scroll)
        self.empty_page, self.editor_page = empty, scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    def _build_header(self) -> QHBoxLayout:
        self.clip_icon = QLabel()
        self.clip_icon.setPixmap(icon("music", theme.TEXT_DIM).pixmap(22, 22))
        self.clip_title = _label("", "title")
        self.clip_title.setWordWrap(False)
        self.clip_meta = _label()
        self.clip_meta.setWordWrap(False)
        row = QHBoxLayout()
        row.setSpacing(theme.SPACING)
        row.addWidget(self.clip_icon)
        row.addWidget(self.clip_title)
        row.addWidget(self.clip_meta, 1, Qt.AlignmentFlag.AlignBottom)
        return row

    def _build_banner(self) -> QFrame:
        """One line under the title: why the clip cannot be used, or what it already made."""
        self.banner = QFrame()
        theme.set_role(self.banner, "card")
        self.banner_icon = QLabel()
        self.banner_text = _label(role="warning")
        self.show_existing_button = QPushButton(icon("persona", theme.PERSONA), "Show persona")
        self.show_existing_button.setToolTip("Select it in Library › Personas")
        self.show_existing_button.clicked.connect(self._show_existing)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(theme.SPACING, theme.SPACING // 2, theme.SPACING, theme.SPACING // 2)
        row.setSpacing(theme.SPACING)
        row.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.show_existing_button)
        self.banner.hide()
        return self.banner

    def _build_range_row(self) -> ReflowColumns:
        self.start_spin = TimeSpinBox()
        self.start_spin.setToolTip("Start of the vocal range (0.01 s steps; type 42.5 or 0:42.50)")
        self.start_spin.setAccessibleName("Vocal range start")
        self.end_spin = TimeSpinBox()
        self.end_spin.setToolTip("End of the vocal range (0.01 s steps; type 61.25 or 1:01.25)")
        self.end_spin.setAccessibleName("Vocal range end")
        self.length_label = QLabel()
        self.length_label.setTextFormat(Qt.TextFormat.PlainText)
        self.length_label.setToolTip("Length of the selection")
        self.length_label.setMinimumWidth(110)

        self.play_button = QPushButton(icon("play", theme.PERSONA), "Play selection")
        self.play_button.setToolTip("Play exactly the selected range (Shift+Space)")
        self.loop_button = QToolButton()
        self.loop_button.setIcon(icon("loop"))
        self.loop_button.setCheckable(True)
        self.loop_button.setToolTip("Loop the selection while auditioning")
        self.loop_button.setAccessibleName("Loop selection")
        self.suggest_button = QPushButton(icon("persona", theme.PERSONA), "Suggest")
        self.suggest_button.setToolTip(
            "Set the range to the most sustained singing (Alt+V); found from the audio here, no credits")

        # The times on the left, the audition buttons on the right; stacked when the
        # window is narrow (1024 px beside the library), instead of scrolling sideways.
        row = QHBoxLayout()
        row.setSpacing(theme.SPACING)
        start_label = QLabel("Start")
        start_label.setBuddy(self.start_spin)
        end_label = QLabel("End")
        end_label.setBuddy(self.end_spin)
        row.addWidget(start_label)
        row.addWidget(self.start_spin)
        row.addSpacing(theme.SPACING)
        row.addWidget(end_label)
        row.addWidget(self.end_spin)
        row.addSpacing(theme.SPACING)
        row.addWidget(self.length_label)
        row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(theme.SPACING)
        buttons.addStretch(1)
        buttons.addWidget(self.suggest_button)
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.loop_button)
        columns = ReflowColumns(theme.SPACING)
        columns.add_column(row)
        columns.add_column(buttons, 0)
        return columns

    def _separator(self) -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet(f"color: {theme.BORDER}; background: {theme.BORDER}; max-height: 1px; border: none;")
        return line

    def _build_form(self) -> QGridLayout:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Midnight Alto")
        self.name_edit.setMaxLength(120)
        self.name_edit.setToolTip("A name you will recognise the voice by")
        self.name_error = _error_label()
        self.styles_edit = QLineEdit()
        self.styles_edit.setPlaceholderText("e.g. synthwave, dream pop")
        self.styles_edit.setToolTip("Style label for the persona (optional)")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText(
            "e.g. Breathy female alto, intimate and close-miked, over warm analog synth pads; "
            "melancholic synthwave at 90 bpm"
        )
        self.description_edit.setToolTip(f"What makes this voice: {DESCRIPTION_HINT.split(': ', 1)[1]}")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMinimumHeight(64)
        self.description_edit.setMaximumHeight(84)
        self.description_hint = _label(DESCRIPTION_HINT)
        self.description_count = _label()
        self.description_count.setWordWrap(False)
        self.description_count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.description_error = _error_label()

        left = QFormLayout()
        left.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        left.setHorizontalSpacing(theme.SPACING * 2)
        left.setVerticalSpacing(theme.SPACING)
        name_box = QVBoxLayout()
        name_box.setSpacing(2)
        name_box.addWidget(self.name_edit)
        name_box.addWidget(self.name_error)
        left.addRow("Name", name_box)
        left.addRow("Styles", self.styles_edit)

        description_box = QVBoxLayout()
        description_box.setSpacing(2)
        description_box.addWidget(self.description_edit)
        under = QHBoxLayout()
        under.addWidget(self.description_hint, 1)
        under.addWidget(self.description_count)
        description_box.addLayout(under)
        description_box.addWidget(self.description_error)
        right = QFormLayout()
        right.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        right.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        right.setHorizontalSpacing(theme.SPACING * 2)
        right.addRow("Description", description_box)

        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.SPACING * 3)
        grid.addLayout(left, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 2)
        return grid

    def _build_footer(self) -> SubmitBar:
        self.bar = SubmitBar(self.runner, "Create persona", "Creating…", button_icon=icon("persona", "#0b0d12"),
                             ready_tip="Create the persona from the selected range (Ctrl+Enter)", framed=False)
        self.bar.button.setMinimumWidth(170)
        self.terms_label = _label()  # what creating involves and costs (the service's words)
        self.bar.add_note(self.terms_label)
        # Short names for the bar's parts (tests use them).
        self.submit_button, self.reason_label, self.submit_error = self.bar.button, self.bar.reason, self.bar.error
        return self.bar

    def _wire(self) -> None:
        bridge = self.ctx.bridge
        # Bound methods (not lambdas) for signals of longer-lived objects, so Qt drops
        # the connections when this tab is destroyed.
        bridge.clipSelected.connect(self._on_clip_selected)
        bridge.clipUpdated.connect(self._on_clip_updated)
        bridge.clipRemoved.connect(self._on_clip_removed)
        bridge.taskChanged.connect(self._on_task_changed)
        bridge.providerChanged.connect(self._on_provider_changed)
        bridge.personaAdded.connect(self._on_personas_changed)
        bridge.personaRemoved.connect(self._on_personas_changed)

        self.loader.partial.connect(self._on_peaks)
        self.loader.finished.connect(self._on_peaks)
        self.loader.failed.connect(self.waveform.set_error)
        self.loader.started.connect(self.waveform.loading_started)
        self.waveform.rangeChanged.connect(self._on_range_changed)
        self.waveform.seekRequested.connect(self._on_seek)
        self.start_spin.valueChanged.connect(self._start_typed)
        self.end_spin.valueChanged.connect(self._end_typed)

        player = self.ctx.player
        player.positionChanged.connect(self._on_position)
        player.stateChanged.connect(self._update_play_button)
        self.play_button.clicked.connect(self.toggle_audition)
        self.loop_button.toggled.connect(self._loop_toggled)

        self.name_edit.textEdited.connect(lambda _t: self._edited("name"))
        self.styles_edit.textEdited.connect(lambda _t: self._edited("styles"))
        self.description_edit.textChanged.connect(lambda: self._edited("description"))
        self.bar.submitRequested.connect(self.submit)
        self.bar.busyChanged.connect(self._set_busy)

        audition = QShortcut(QKeySequence("Shift+Space"), self, activated=self.toggle_audition)
        audition.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.suggest_button.clicked.connect(self.suggest)
        suggest = QShortcut(QKeySequence("Alt+V"), self, activated=self.suggest)
        suggest.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ------------------------------------------------------------------ provider
    def _apply_capabilities(self) -> None:
        """Rules, limits and field names of the active provider."""
        caps = self.studio.capabilities
        window = caps.persona_window
        f = caps.persona_fields
        if window.supported:
            self.waveform.set_range_rules(window.min_len, window.max_len)
            rules = (f"{caps.display_name} analyses {window.min_len:g}–{window.max_len:g} s inside the clip: "
                     "drag an edge or the whole range")
            window_text = f"{window.min_len:g}–{window.max_len:g} s"
        else:
            rules = f"{caps.display_name} takes no vocal range: it analyses the clip on its own."
            window_text = "a part"
        self.rules_label.setText(rules)
        self.empty_text.setText(EMPTY_TEXT.format(window=window_text))
        source = "taskId + audioId" if caps.persona_min_model else "clip_id"
        window_fields = f" · {f.start}/{f.end}" if window.supported else ""
        # The field names are for the curious (and for comparing with the provider's docs):
        # a tooltip, not a line of API words on the page.
        keys = "←/→ move the edge 0.1 s, Shift+←/→ 1 s; Ctrl+wheel zooms.\n" if window.supported else ""
        self.rules_label.setToolTip(f"{keys}Sent to {caps.display_name} as name · {f.description} · {f.styles}"
                                    f"{window_fields}, with {source} naming the source clip.")
        self.styles_edit.setToolTip(f"Style label for the persona (optional; sent as “{f.styles}”)")
        self._update_counter()

    def _on_provider_changed(self, *_args) -> None:
        self._apply_capabilities()
        self._refresh_source()

    def _on_personas_changed(self, *_args) -> None:
        self._refresh_source()

    def _on_clip_selected(self, clip: int) -> None:
        self.set_clip(None if clip < 0 else clip)

    def _on_clip_removed(self, clip: int) -> None:
        if self.clip is not None and clip == self.clip.id:
            self.set_clip(None)

    # ------------------------------------------------------------------ source clip
    def set_clip(self, clip: int | None) -> None:
        """Show ``clip`` (local id) as the source, or the empty state for None."""
        detail = None
        if clip is not None:
            try:
                detail = self.studio.library.get(clip)
            except KeyError:
                detail = None
        if detail is not None and detail.deleted:
            detail = None
        previous = self.clip
        if previous is not None and self.waveform.range() is not None:
            self._ranges[previous.id] = self.waveform.range()
        self.clip = detail
        self.bar.show_error("")
        if detail is None:
            self.loader.cancel()
            self.audio_path = None
            self.waveform.clear()
            self.stack.setCurrentWidget(self.empty_page)
            self._refresh_source()
            return
        self.stack.setCurrentWidget(self.editor_page)
        self.clip_title.setText(detail.title or detail.clip_id)
        self.clip_title.setToolTip(theme.plain_tip(f"{detail.title}\nProvider id: {detail.clip_id}"))
        self._load_audio(force=previous is None or previous.id != detail.id)
        self._refresh_source()

    def _local_audio(self, detail: ClipDetail) -> Path | None:
        if detail.audio_path and Path(detail.audio_path).is_file():
            return Path(detail.audio_path).resolve()
        return None

    def _load_audio(self, force: bool) -> None:
        detail = self.clip
        path = self._local_audio(detail)
        if path == self.audio_path and not force:
            return
        self.audio_path = path
        self.waveform.clear()
        self.waveform.set_playhead(None)
        self.vocal_curve = None
        self.suggest_label.setText("")
        if path is None:
            self.loader.cancel()
            self.runner.cancel("vocal-curve")
            self.vocal_strip.set_message("")
            self.waveform.clear(placeholder="No local audio yet")
            self._update_suggest_button()
            return
        self.vocal_strip.set_message("Finding the singing…")
        self._update_suggest_button()
        self._to_analyse = path
        self._analyse_if_shown()
        if detail.duration:
            self.waveform.set_duration(detail.duration)
            self._restore_range()
        self.loader.load(path)

    def _on_peaks(self, pyramid) -> None:
        # The provider checks the window against *its* duration, so that is the clip's
        # length here; a partial pyramid's (the part decoded so far) must not clamp the
        # range meanwhile.
        limit = self.clip.duration if self.clip is not None and self.clip.duration else None
        saved = self.waveform.range()
        self.waveform.blockSignals(True)
        self.waveform.set_peaks(pyramid)
        if limit is not None:
            self.waveform.set_duration(limit)
        self.waveform.blockSignals(False)
        if saved is not None and limit is not None:
            self.waveform.set_range(*saved)
        if self.waveform.range() is None:
            self._restore_range()
        else:
            self._on_range_changed_from_widget()

    def _restore_range(self) -> None:
        if self.clip is None or self.waveform.duration() <= 0:
            return
        if not self.studio.capabilities.persona_window.supported:
            self.waveform.clear_range()
            self._on_range_changed_from_widget()
            return
        # The window this clip last had here, else the one its persona was made from,
        # else the provider's default (from the catalog).
        existing = self._find_existing()
        made = (existing.vocal_start, existing.vocal_end) if existing and existing.vocal_end else None
        default = self.studio.capabilities.persona_window.default_for(self.waveform.duration())
        start, end = self._ranges.get(self.clip.id) or made or default
        self.waveform.set_range(start, min(end, self.waveform.duration()))
        self._on_range_changed_from_widget()

    def _on_clip_updated(self, row) -> None:
        if self.clip is None or row.id != self.clip.id:
            return
        try:
            self.clip = self.studio.library.get(row.id)
        except KeyError:
            return self.set_clip(None)
        self.clip_title.setText(self.clip.title or self.clip.clip_id)
        self._load_audio(force=False)
        self._refresh_source()

    def _on_task_changed(self, task) -> None:
        if self.clip is not None and self.clip.lineage is not None and task.id == self.clip.lineage.task:
            self._refresh_source()

    def _find_existing(self, persona_id: str | None = None) -> PersonaRecord | None:
        """The persona this clip already made, if our library knows it."""
        if persona_id:
            found = self.studio.personas.find(persona_id)
            if found is not None:
                return found
        clip = self.clip
        if clip is None:
            return None
        for record in self.studio.personas.list():
            if record.provider is clip.provider and (record.source_clip == clip.id or record.source_clip_id == clip.clip_id):
                return record
        return None

    def _check_source(self) -> str | None:
        """Why the selected clip cannot make a persona here (None = it can): the service decides."""
        audio = str(self.audio_path) if self.audio_path is not None else None
        preflight = self.studio.personas.preflight(self.clip.id, audio_path=audio, needs_audio=True)
        self.terms_label.setText(preflight.terms if preflight.ok else "")
        self.terms_label.setVisible(preflight.ok and bool(preflight.terms))
        self.bar.set_cost(cost_text(preflight.cost) if preflight.ok else "")
        return preflight.reason

    def _refresh_source(self) -> None:
        """Re-decide what the clip allows, and show it."""
        self.source_problem = self._check_source() if self.clip is not None else None
        self.existing = self._find_existing() if self.clip is not None else None
        if self.clip is not None:
            self._show_meta()
        if self.source_problem:
            self._show_banner(self.source_problem, NoticeKind.ERROR)
        elif self.existing is not None:
            self._show_banner(
                f"This clip already made the persona “{self.existing.name}”. Each clip can make one persona, "
                "so the provider will refuse another.",
                NoticeKind.WARNING,
                show_existing=True,
            )
        else:
            self.banner.hide()
        caps = self.studio.capabilities
        picker_on = self.source_problem is None and caps.persona_window.supported
        for widget in (self.waveform, self.start_spin, self.end_spin):
            widget.setEnabled(picker_on)
        self._update_suggest_button()
        self.waveform.setToolTip(
            self._waveform_tip if picker_on else (self.source_problem or self.rules_label.text())
        )
        form_on = self.source_problem is None
        for widget in (self.name_edit, self.styles_edit, self.description_edit):
            widget.setEnabled(form_on)
        self._update_play_button()
        self._validate()

    def _show_meta(self) -> None:
        clip = self.clip
        parts = []
        if clip.duration:
            parts.append(format_time(clip.duration))
        if clip.model:
            parts.append(model_label(clip.provider, clip.model))
        origin = "uploaded" if clip.origin is Origin.UPLOADED else "generated"
        parts.append(f"{origin} at {capabilities(clip.provider).display_name}")
        self.clip_meta.setText(" · ".join(parts))

    def _show_banner(self, text: str, kind: NoticeKind, show_existing: bool = False) -> None:
        self.banner_text.setText(text)
        theme.set_role(self.banner_text, "error" if kind is NoticeKind.ERROR else "warning")
        self.banner_icon.setPixmap(icon(kind.icon_name, kind.colour).pixmap(18, 18))
        self.show_existing_button.setVisible(show_existing)
        self.banner.show()

    def _show_existing(self) -> None:
        if self.existing is not None:
            self.show_persona(self.existing)

    def show_persona(self, record: PersonaRecord) -> None:
        """Ask Library › Personas to select ``record`` (through the bridge)."""
        self.ctx.bridge.personaShowRequested.emit(record.id)

    def vocal_window(self) -> tuple[float | None, float | None]:
        """(start, end) to send, or (None, None) where the provider takes no window."""
        if not self.studio.capabilities.persona_window.supported:
            return None, None
        value = self.waveform.range()
        return (None, None) if value is None else value

    def _on_range_changed(self, start: float, end: float) -> None:
        self._on_range_changed_from_widget()
        self._edited("vocal_window", touch=False)

    def _on_range_changed_from_widget(self) -> None:
        """Mirror the picker into the spin boxes and the length label."""
        value = self.waveform.range()
        duration = self.waveform.duration()
        window = self.studio.capabilities.persona_window
        for spin in (self.start_spin, self.end_spin):
            spin.blockSignals(True)
        lo = min(window.min_len, duration) if window.supported else 0.0
        self.start_spin.setRange(0.0, max(0.0, duration - lo))
        self.end_spin.setRange(min(lo, duration), duration)
        if value is not None:
            self.start_spin.setValue(value[0])
            self.end_spin.setValue(value[1])
            self.length_label.setText(f"Length {value[1] - value[0]:.2f} s")
        else:
            self.length_label.setText("")
        for spin in (self.start_spin, self.end_spin):
            spin.blockSignals(False)

    def _limits(self) -> tuple[float, float, float]:
        window = self.studio.capabilities.persona_window
        duration = self.waveform.duration()
        lo = min(window.min_len, duration)
        hi = min(window.max_len, duration)
        return lo, hi, duration

    def _start_typed(self, start: float) -> None:
        """The typed start wins; the end gives way to keep the length legal."""
        value = self.waveform.range()
        if value is None:
            return
        lo, hi, duration = self._limits()
        start = min(max(start, 0.0), duration - lo)
        length = min(max(value[1] - start, lo), hi)
        self.waveform.set_range(start, min(start + length, duration))
        self._on_range_changed_from_widget()

    def _end_typed(self, end: float) -> None:
        """The typed end wins; the start gives way to keep the length legal."""
        value = self.waveform.range()
        if value is None:
            return
        lo, hi, duration = self._limits()
        end = min(max(end, lo), duration)
        length = min(max(end - value[0], lo), hi)
        self.waveform.set_range(max(0.0, end - length), end)
        self._on_range_changed_from_widget()

    # ------------------------------------------------------------------ vocal suggestion
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._analyse_if_shown()

    def _analyse_if_shown(self) -> None:
        """Find the singing once the tab is on screen: a click in the library while another
        tab is open decodes the clip once (for the waveforms), not twice."""
        path, self._to_analyse = (self._to_analyse, None) if self.isVisible() else (None, self._to_analyse)
        if path is not None and path == self.audio_path:
            self.runner.run("vocal-curve", self._analyse(path), what="Finding the singing",
                            on_error=self.vocal_strip.set_message)

    async def _analyse(self, path: Path) -> None:
        """The clip's vocal-activity curve, computed off the UI thread (decode + NumPy)."""
        loop = asyncio.get_running_loop()
        try:
            curve = await loop.run_in_executor(None, vocal_activity.analyse_file, path)
        except (DecodeError, OSError) as error:
            log.info("vocal activity not computed for %s: %s", path, error)
            self.vocal_strip.set_message("Could not read the audio to find the singing.")
            return
        if path != self.audio_path:
            return  # another clip was picked meanwhile
        self.vocal_curve = curve
        self.vocal_strip.set_curve(curve.score.tolist(), curve.step)
        self._update_suggest_button()

    def _refined_curve(self) -> vocal_activity.VocalCurve | None:
        """The curve, sharpened by the clip's timed lyrics when it has them (sung lines)."""
        curve = self.vocal_curve
        if curve is None or self.clip is None:
            return curve
        spans = [(line.start, line.end) for line in self.studio.deliverables.lyric_lines(self.clip.id)]
        return vocal_activity.refine(curve, lyric_spans=spans) if spans else curve

    def suggest(self) -> vocal_activity.Suggestion | None:
        """Set the range to the best window for the provider's rules, and say why (or why not)."""
        curve = self._refined_curve()
        if curve is None or not self.suggest_button.isEnabled():
            return None
        suggestion = vocal_activity.suggest_window(curve, self.studio.capabilities.persona_window)
        if suggestion.found:
            self.waveform.set_range(suggestion.start, min(suggestion.end, self.waveform.duration()))
            self._on_range_changed_from_widget()
            self._edited("vocal_window", touch=False)
            text = suggestion.explanation[0].upper() + suggestion.explanation[1:]
        else:
            text = suggestion.explanation
        self.suggest_label.setText(text)
        return suggestion

    def _update_suggest_button(self) -> None:
        ready = self.vocal_curve is not None
        supported = self.studio.capabilities.persona_window.supported
        self.suggest_button.setEnabled(ready and supported and self.source_problem is None)

    # ------------------------------------------------------------------ audition
    def _ours(self) -> bool:
        return self.audio_path is not None and self.ctx.player.source == self.audio_path

    def auditioning(self) -> bool:
        player = self.ctx.player
        return self._ours() and player.state() is PlayState.PLAYING and player.playing_range is not None

    def toggle_audition(self) -> None:
        """Play exactly the selected range (or stop the audition)."""
        if self.auditioning():
            self.ctx.player.pause()
            return
        self.play_selection()

    def play_selection(self) -> bool:
        player = self.ctx.player
        value = self.waveform.range()
        if self.audio_path is None or value is None:
            return False
        if not player.available:
            self.ctx.bridge.notify.emit(player.notice or "Playback is not available.")
            return False
        self._audition.play(self.audio_path, value[0], value[1], self.loop_button.isChecked())
        self._update_play_button()
        return True

    def _loop_toggled(self, loop: bool) -> None:
        if self.auditioning():
            self.play_selection()  # restart with the new loop setting

    def _on_seek(self, seconds: float) -> None:
        """A click on empty waveform: move the player there (playing on if it was)."""
        player = self.ctx.player
        if self.audio_path is None or not player.available:
            return
        if not self._ours():
            player.load(self.audio_path)
        player.seek(seconds)

    def _on_position(self, seconds: float) -> None:
        if self._ours():
            self.waveform.set_playhead(seconds)

    def _update_play_button(self, *_args) -> None:
        player = self.ctx.player
        playing = self.auditioning()
        self.play_button.setText("Stop" if playing else "Play selection")
        self.play_button.setIcon(icon("stop" if playing else "play", theme.PERSONA))
        can = self.clip is not None and self.audio_path is not None and self.waveform.range() is not None
        self.play_button.setEnabled(can and player.available)
        self.loop_button.setEnabled(can and player.available)
        if not player.available:
            self.play_button.setToolTip(player.notice or "Playback is not available.")
        else:
            self.play_button.setToolTip(
                "Stop the audition (Shift+Space)" if playing else "Play exactly the selected range (Shift+Space)"
            )

    # ------------------------------------------------------------------ form
    def _edited(self, field: str, touch: bool = True) -> None:
        if touch:
            self._touched.add(field)
        if field == "description":
            self._update_counter()
        self._validate()

    def _update_counter(self) -> None:
        used = len(self.description_edit.toPlainText())
        limit = self.studio.capabilities.persona_description_max
        self.description_count.setText(f"{used:,} / {limit:,}")
        theme.set_role(self.description_count, "error" if used > limit else "hint")

    def problems(self) -> list[Problem]:
        """Everything that would stop the request now (same rules as the services)."""
        if self.clip is None:
            return [Problem("source", "Pick a clip in the library first.")]
        if self.source_problem:
            return [Problem("source", self.source_problem)]
        start, end = self.vocal_window()
        return check_persona(
            self.studio.capabilities, self.clip.to_clip(), self.name_edit.text(),
            self.description_edit.toPlainText(), start, end,
        )

    def _validate(self, reveal: bool = False) -> list[Problem]:
        if reveal:
            self._touched.update(("name", "description", "vocal_window"))
        problems = self.problems()
        by_field: dict[str, str] = {}
        for problem in problems:
            key = "vocal_window" if problem.field in _WINDOW_FIELDS else problem.field
            by_field.setdefault(key, problem.message)
        for field, label, widget in (
            ("name", self.name_error, self.name_edit),
            ("description", self.description_error, self.description_edit),
            ("vocal_window", self.range_error, None),
        ):
            message = by_field.get(field) if field in self._touched else None
            label.setText(message or "")
            label.setVisible(bool(message))
            if widget is not None:
                theme.set_invalid(widget, bool(message))
        reason = problems[0].message if problems else ""
        if problems and problems[0].field == "source":
            reason = "Pick a clip that can make a persona (see above)." if self.clip is not None else reason
        self.bar.set_problems(problems, reason)
        return problems

    def submit(self) -> None:
        """Validate everything, then create the persona in a task."""
        if self.bar.busy():
            return
        problems = self._validate(reveal=True)
        if problems:
            first = problems[0].field
            focus = {"name": self.name_edit, "description": self.description_edit}.get(first)
            if focus is not None:
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        start, end = self.vocal_window()
        self.bar.run(self._create(
            self.clip.id, self.name_edit.text(), self.description_edit.toPlainText(),
            self.styles_edit.text(), start, end,
        ), what="Creating the persona", note=f"Creating the persona at {self.studio.capabilities.display_name}…")

    async def _create(self, clip: int, name: str, description: str, styles: str,
                      start: float | None, end: float | None) -> PersonaRecord | None:
        try:
            record = await TaskRunner.unstoppable(
                self.studio.personas.create(clip, name, description, styles, start, end))
        except ConflictError as error:
            self._conflict(error)
            return None
        except StudioError as error:
            self._failed(error)
            return None
        window = "" if start is None else f" ({format_time(start)}–{format_time(end)})"
        self.ctx.bridge.notify.emit(f"Persona “{record.name}” created{window} — it is in Library › Personas.")
        if self.clip is not None and self.clip.id == clip:
            for widget in (self.name_edit, self.styles_edit):
                widget.clear()
            self.description_edit.clear()
            self._touched.clear()
        self.show_persona(record)
        self._refresh_source()
        return record

    def _set_busy(self, _busy: bool) -> None:
        self._validate()

    def _conflict(self, error: ConflictError) -> None:
        log.info("persona refused, the clip already has one: %s", error.details())
        existing = self._find_existing(error.existing_id)
        where = self.studio.capabilities.display_name
        if existing is not None:
            text = (f"Each clip can make one persona, and this clip already made “{existing.name}”. "
                    "Use that persona — it is selected in Library › Personas.")
            self.existing = existing
            self.show_persona(existing)
        else:
            known = f" (id {error.existing_id})" if error.existing_id else ""
            text = (f"Each clip can make one persona, and {where} already has one for this clip{known}, "
                    "made outside this library. Pick another clip for a new voice.")
        self.bar.show_error(text, error.details())

    def _failed(self, error: StudioError) -> None:
        log.info("persona not created: %s", error.details())
        field = error.field if isinstance(error, ValidationError) else None
        if field in ("name", "description") or field in _WINDOW_FIELDS:
            self._touched.add("vocal_window" if field in _WINDOW_FIELDS else field)
        self.bar.show_error(str(error), error.details())


__all__ = ["PersonaTab"]
