"""The Edit tab: change a library clip — replace a section, add vocals or an instrumental,
remaster, mash two clips up, or build a new song on a sampled range.

The clip is the one selected in the library (or the one a library context-menu entry
sent here through ``StudioBridge.editRequested``).  For the ranged operations the range
is dragged on the waveform; the provider's limits are enforced *while* dragging (the
edge stops at the limit, and a sentence under the waveform says why), and the two
times are bound both ways to spin boxes.  When the clip's timed lyrics or BPM are known
(Deliverables) the edges snap to lyric-line ends and bar lines (hold Alt to move them
freely).  A finished result can be auditioned against
the original at the same position, and the seam heard (3 s either side of the start).
A mashup's second clip is picked from a list or dropped onto the tab from the library.

Every rule comes from the services' preflight (``EditService.preflight``); the tab only
shows its sentences, next to the button, and the cost before anything is sent.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...audio.loader import PeakLoader
from ...core.capabilities import model_label
from ...core.edit_checks import longest_range
from ...core.edits import STRENGTHS, EditOp
from ...core.errors import StudioError
from ...core.models import GenerationParams, Origin
from ...core.validation import Problem, fmt_time
from ...services.edits import quote_text
from ...store.records import ClipDetail
from .. import theme
from ..components.clip_model import CLIP_MIME
from ..components.range_audition import SEAM, RangeAudition
from ..components.submit_bar import SubmitBar, cost_text, credits_text
from ..format import clip_name, duration_text
from ..tasks_runner import TaskRunner
from ..widgets.reflow import FitPage, ReflowColumns
from ..widgets.segmented import SegmentedButtons
from ..widgets.waveform import WaveformMode, WaveformView

log = logging.getLogger(__name__)

_BUTTONS = {
    EditOp.REPLACE_SECTION: "Replace ▶", EditOp.ADD_VOCALS: "Add vocals ▶",
    EditOp.ADD_INSTRUMENTAL: "Add instrumental ▶", EditOp.REMASTER: "Remaster ▶",
    EditOp.MASHUP: "Mash up ▶", EditOp.SAMPLE: "Sample ▶",
}
_TIPS = {
    EditOp.REPLACE_SECTION: "New lyrics over a range you drag on the waveform; the rest of the song stays",
    EditOp.ADD_VOCALS: "Sing lyrics over an instrumental you uploaded",
    EditOp.ADD_INSTRUMENTAL: "Put an accompaniment under vocals you uploaded",
    EditOp.REMASTER: "A cleaner, fuller take of the same song",
    EditOp.MASHUP: "Blend this clip with a second one into a new song",
    EditOp.SAMPLE: "A new song built on a range of this clip",
}
_LYRICS_WORDS = {
    EditOp.REPLACE_SECTION: ("New lyrics for this part", "[Chorus]\nThe words sung over the chosen range"),
    EditOp.ADD_VOCALS: ("Lyrics to sing", "[Verse]\nThe words sung over the instrumental"),
    EditOp.MASHUP: ("Lyrics (optional)", "Leave empty for an instrumental blend"),
    EditOp.SAMPLE: ("Lyrics (optional)", "Leave empty for an instrumental"),
}
_NEEDS_STYLE = (EditOp.ADD_VOCALS, EditOp.ADD_INSTRUMENTAL, EditOp.MASHUP, EditOp.SAMPLE)
_FIELDS = ("range", "lyrics", "tags", "second")  # the fields that say their own problem


class EditTab(QWidget):
    """See the module docstring.

    Public API: ``set_op(EditOp)``, ``op()``, ``use_clip(local_id)``, ``set_second(local_id)``,
    ``set_range(start, end)``, ``range()``, ``ranged()``, ``problems()``, ``submit()``, ``play_original()``,
    ``play_result()``, ``play_seam()``; widgets ``waveform``, ``start_spin``, ``end_spin``,
    ``limit_note``, ``lyrics``, ``tags``, ``title``, ``exclude``, ``model``, ``strength``,
    ``part_only``, ``second``, ``results``, ``bar`` (with ``submit_button``, ``reason``, ``cost``).
    """

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self.studio = ctx.studio
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self._clip: ClipDetail | None = None
        self._second: int | None = None
        self._syncing = False
        self.loader = PeakLoader(ctx.peak_cache, parent=self)
        self.audition = RangeAudition(ctx.player, self)
        self.setAcceptDrops(True)  # a library clip: the source, or a mashup's second clip
        self._build()
        self._wire()
        self.set_op(EditOp.REPLACE_SECTION)
        if ctx.selected_clip is not None:
            self.use_clip(ctx.selected_clip)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        page = FitPage()  # shrinks before it scrolls
        outer = QVBoxLayout(page)
        # A narrow side margin: the six operations must fit beside the library at 1024 px.
        outer.setContentsMargins(theme.SPACING, theme.SPACING * 2, theme.SPACING, theme.SPACING * 2)
        outer.setSpacing(theme.SPACING)

        header = QHBoxLayout()
        info = QVBoxLayout()
        self.source_title = theme.label("No clip to edit", None, wrap=False)
        self.source_title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.source_meta = theme.label("Select a clip in the library, or use its context menu › Edit.", "hint")
        info.addWidget(self.source_title)
        info.addWidget(self.source_meta)
        header.addLayout(info, 1)
        outer.addLayout(header)
        switch_row = QHBoxLayout()  # its own row: six operations do not fit beside the title
        self.op_switch = SegmentedButtons([(op.value, op.label, _TIPS[op]) for op in EditOp])
        switch_row.addWidget(self.op_switch)
        switch_row.addStretch(1)
        outer.addLayout(switch_row)
        self.op_note = theme.label("", "hint")
        outer.addWidget(self.op_note)
        # Add vocals / instrumental over the whole upload, or (where the provider takes a
        # range) only over the part dragged on the waveform.
        self.part_only = QCheckBox("Only over &part of the song")
        self.part_only.setToolTip("Drag the range on the waveform; the rest of the upload is left as it is (Alt+P)")
        outer.addWidget(self.part_only)

        self.waveform = WaveformView(mode=WaveformMode.RANGE)
        self.waveform.setMinimumHeight(120)
        self.waveform.setMaximumHeight(160)
        self.waveform.attach_loader(self.loader)
        self.waveform.clear("Select a clip in the library to edit it")
        outer.addWidget(self.waveform)

        self.range_row = QWidget()
        row = QHBoxLayout(self.range_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.start_spin, self.end_spin = self._time_spin("From"), self._time_spin("To")
        self.length_text = theme.label("", None, wrap=False)
        row.addWidget(theme.label("From", None, wrap=False))
        row.addWidget(self.start_spin)
        row.addWidget(theme.label("to", None, wrap=False))
        row.addWidget(self.end_spin)
        row.addWidget(self.length_text)
        row.addStretch(1)
        self.audition_row = QWidget()
        listen = QHBoxLayout(self.audition_row)
        listen.setContentsMargins(0, 0, 0, 0)
        self.play_original_button = QPushButton("Hear the &original")
        self.play_original_button.setToolTip("Play the chosen range of the original (Alt+O)")
        self.results = QComboBox()
        self.results.setToolTip("A finished result of this edit, heard at the same position as the original")
        self.results.setMinimumWidth(180)
        self.play_result_button = QPushButton("Hear the &result")
        self.play_result_button.setToolTip("Play the same range of the chosen result (Alt+R)")
        self.seam_button = QPushButton("Hear the &seam")
        self.seam_button.setToolTip(f"Play {SEAM:g} s either side of the start of the range: in the chosen result, "
                                    "where the new part joins the old (in the original before there is one) (Alt+S)")
        for widget in (self.play_original_button, self.seam_button, self.results, self.play_result_button):
            listen.addWidget(widget)
        listen.addStretch(1)
        outer.addWidget(self.range_row)
        # Each problem is said under its own field (the bar repeats the first), like the Create tab.
        self._errors: dict[str, QLabel] = {key: theme.label("", "error") for key in _FIELDS}
        self._touched: set[str] = set()
        for label in self._errors.values():
            label.hide()
        outer.addWidget(self._errors["range"])
        outer.addWidget(self.audition_row)
        self.limit_note = theme.label("", "warning")
        self.limit_note.hide()
        outer.addWidget(self.limit_note)
        self.snap_note = theme.label("", "hint")
        self.snap_note.hide()
        outer.addWidget(self.snap_note)

        # Lyrics (and the second clip) beside the style fields: one screen at 1280×800;
        # stacked in one column when the window is narrow.
        text_column, sound_column = QFormLayout(), QFormLayout()
        for column in (text_column, sound_column):
            column.setSpacing(theme.SPACING)
        self.second = QComboBox()
        self.second.setToolTip("The clip blended with this one (or drop a clip from the library onto this tab)")
        self.lyrics = QPlainTextEdit()
        self.lyrics.setMinimumHeight(76)  # four lines: the page fits 1280×800 beside a three-row Tasks dock
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("synthwave, female vocals, warm")
        self.title = QLineEdit()
        self.exclude = QLineEdit()
        self.exclude.setPlaceholderText("styles to leave out")
        self.model = QComboBox()
        self.strength = SegmentedButtons([(s, s.capitalize(), f"Remaster strength: {s}") for s in STRENGTHS])
        self.strength.set_current("normal")
        self._rows: dict[str, QWidget] = {}
        for key, label, widget in (
            ("second", "Second clip", self.second), ("lyrics", "Lyrics", self.lyrics), ("tags", "Style", self.tags),
            ("title", "Title", self.title), ("exclude", "Exclude", self.exclude), ("model", "Model", self.model),
            ("strength", "Strength", self.strength),
        ):
            caption = theme.label(label, None, wrap=False)
            if key in self._errors:  # the field with its message under it
                cell = QWidget()
                stack = QVBoxLayout(cell)
                stack.setContentsMargins(0, 0, 0, 0)
                stack.setSpacing(2)
                stack.addWidget(widget)
                stack.addWidget(self._errors[key])
                (text_column if key in ("second", "lyrics") else sound_column).addRow(caption, cell)
            else:
                (text_column if key in ("second", "lyrics") else sound_column).addRow(caption, widget)
            self._rows[key] = (caption, widget)
        columns = ReflowColumns(theme.SPACING * 3)
        columns.add_column(text_column, 6)
        columns.add_column(sound_column, 5)
        outer.addWidget(columns)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        self.bar = SubmitBar(self.runner, "Replace ▶", "Submitting…", name="edit")
        self.terms = theme.label("", "hint")
        self.terms.hide()
        self.bar.add_note(self.terms)
        self.submit_button, self.reason, self.cost = self.bar.button, self.bar.reason, self.bar.cost
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.bar)

    @staticmethod
    def _time_spin(what: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setSingleStep(0.1)
        spin.setRange(0.0, 36000.0)
        spin.setSuffix(" s")
        spin.setToolTip(f"{what}, in seconds; drag the range on the waveform or type")
        return spin

    def _wire(self) -> None:
        bridge = self.ctx.bridge
        bridge.clipSelected.connect(self._clip_selected)
        bridge.clipUpdated.connect(self._clip_updated)
        bridge.clipAdded.connect(self._clip_added)
        bridge.providerChanged.connect(self._provider_changed)
        bridge.creditsChanged.connect(self._credits_changed)
        self.op_switch.changed.connect(lambda key: self.set_op(EditOp(key)))
        self.waveform.rangeChanged.connect(self._range_dragged)
        self.start_spin.valueChanged.connect(self._spin_changed)
        self.end_spin.valueChanged.connect(self._spin_changed)
        for edit in (self.tags, self.title, self.exclude):
            edit.textChanged.connect(self._refresh)
        self.lyrics.textChanged.connect(self._refresh)
        # A field shows its message once it has been touched (or on submit), not while still empty.
        self.tags.textEdited.connect(lambda _text: self._touch("tags"))
        self.lyrics.textChanged.connect(lambda: self._touch("lyrics") if self.lyrics.hasFocus() else None)
        self.second.activated.connect(lambda _index: self._touch("second"))
        self.waveform.rangeChanged.connect(lambda *_: self._touch("range") if self.waveform.dragging() else None)
        for spin in (self.start_spin, self.end_spin):
            spin.valueChanged.connect(lambda *_, s=spin: self._touch("range") if s.hasFocus() else None)
        self.model.currentIndexChanged.connect(self._refresh)
        self.strength.changed.connect(self._refresh)
        self.part_only.toggled.connect(lambda _on: self.set_op(self.op()))
        self.second.currentIndexChanged.connect(self._second_picked)
        self.play_original_button.clicked.connect(self.play_original)
        self.play_result_button.clicked.connect(self.play_result)
        self.seam_button.clicked.connect(self.play_seam)
        self.results.currentIndexChanged.connect(self._refresh)
        self.bar.submitRequested.connect(self.submit)
        self.bar.busyChanged.connect(lambda _busy: self._refresh())
        self.play_original_button.setShortcut(QKeySequence("Alt+O"))
        self.play_result_button.setShortcut(QKeySequence("Alt+R"))
        self.seam_button.setShortcut(QKeySequence("Alt+S"))

    # ------------------------------------------------------------------ public API
    def op(self) -> EditOp:
        return EditOp(self.op_switch.current())

    def set_op(self, op: EditOp | str) -> None:
        op = EditOp(op)
        if self.op_switch.current() != op.value:
            self.op_switch.set_current(op.value)  # re-enters through the changed signal
            return
        caps = self.studio.capabilities
        info = caps.edit(op)
        self.part_only.setVisible(info.range_optional)
        ranged = self.ranged()
        self.waveform.set_mode(WaveformMode.RANGE if ranged else WaveformMode.PREVIEW)
        self.range_row.setVisible(ranged)
        self.audition_row.setVisible(ranged)
        for widget in (self.results, self.play_result_button):
            widget.setVisible(op is EditOp.REPLACE_SECTION)
        words = _LYRICS_WORDS.get(op)
        self._show_row("lyrics", words is not None)
        if words is not None:
            self._rows["lyrics"][0].setText(words[0])
            self.lyrics.setPlaceholderText(words[1])
        self._show_row("tags", op is not EditOp.REMASTER)
        self.tags.setToolTip("Required" if op in _NEEDS_STYLE else "Optional: the song's own style is kept")
        for key in ("title", "exclude"):
            self._show_row(key, op is not EditOp.REMASTER)
        self._show_row("second", op is EditOp.MASHUP)
        self._show_row("strength", op is EditOp.REMASTER)
        self._show_row("model", op is not EditOp.REPLACE_SECTION)
        self._fill_models(info)
        self.op_note.setText(f"{caps.display_name}: {info.note}." if info.note else "")
        if op is EditOp.MASHUP:
            self._fill_partners()
        self._apply_rules()
        self._fill_results()
        self.bar.set_text(_BUTTONS[op], ready_tip=f"{op.label} (Ctrl+Enter)")
        self._refresh()

    def ranged(self) -> bool:
        """Whether this request carries the range on the waveform."""
        op = self.op()
        return op.ranged or (self.studio.capabilities.edit(op).range_optional and self.part_only.isChecked())

    def use_clip(self, clip: int) -> None:
        detail = self.studio.library.get_or_none(clip)
        self._clip = detail
        self._touched.clear()  # a new source starts without messages
        self.bar.show_done("")
        self._show_source()
        if detail is None:
            self.loader.cancel()
            self.waveform.clear("Select a clip in the library to edit it")
        else:
            duration = detail.duration or 0.0
            if duration:
                self.waveform.set_duration(duration)
                self._default_range(duration)
            audio = self._audio(detail)
            if audio is not None:
                self.waveform.set_loading()
                self.loader.load(audio)
            else:
                self.loader.cancel()
                self.waveform.clear("No local audio for this clip yet")
        if self.op() is EditOp.MASHUP:
            self._fill_partners()
        self._apply_rules()
        self._apply_snaps()
        self._fill_results()
        self._refresh()

    def set_second(self, clip: int | None) -> None:
        """A mashup's second clip (what the picker and a drop onto the tab set)."""
        self._second = clip
        index = self.second.findData(clip) if clip is not None else -1
        if index < 0 and clip is not None:
            row = self.studio.library.get_or_none(clip)
            if row is not None:  # another provider's clip: listed so the refusal can name it
                self.second.addItem(clip_name(row), clip)
                index = self.second.count() - 1
        self._syncing = True
        self.second.setCurrentIndex(index)
        self._syncing = False
        self._refresh()

    def range(self) -> tuple[float, float]:
        return round(self.start_spin.value(), 2), round(self.end_spin.value(), 2)

    def set_range(self, start: float, end: float) -> None:
        self._syncing = True
        self.start_spin.setValue(start)
        self.end_spin.setValue(end)
        self._syncing = False
        self._spin_changed()

    def problems(self) -> list[Problem]:
        op = self.op()
        if self._clip is None:
            return [Problem("source", "Select a clip in the library to edit it.", "no_source")]
        found = list(self._preflight().problems)
        if op in (EditOp.REPLACE_SECTION, EditOp.ADD_VOCALS) and not self.lyrics.toPlainText().strip():
            found.append(Problem("lyrics", "Type the lyrics for the new part." if op is EditOp.REPLACE_SECTION
                                 else "Type the lyrics to sing.", "lyrics_missing"))
        if op in _NEEDS_STYLE and not self.tags.text().strip():
            found.append(Problem("tags", "Describe the style (for example “synthwave, warm”).", "tags_missing"))
        cost, left = self._cost()
        if not found and cost is not None and left is not None and cost > left:
            found.append(Problem("credits", f"Not enough credits: {credits_text(left)} left, this needs "
                                 f"{credits_text(cost)}.", "credits"))
        return found

    def submit(self) -> None:
        if self.bar.busy():
            return
        if self.problems():
            self._touched.update(self._errors)  # on a submit, every problem shows at its field
            self._refresh()
            return
        self.bar.run(self._submit(), what=f"Submitting “{self.op().label.lower()}”")

    # ------------------------------------------------------------------ audition
    def play_original(self) -> None:
        audio = self._audio(self._clip) if self._clip is not None else None
        if audio is not None:
            self.audition.play(audio, *self.range())

    def play_result(self) -> None:
        """The chosen result at the same position as the original's range."""
        clip = self.results.currentData()
        row = self.studio.library.get_or_none(clip) if clip is not None else None
        if row is not None and row.audio_path:
            self.audition.play(Path(row.audio_path), *self.range())

    def play_seam(self) -> None:
        """3 s before and after the start of the range: does the join sound right?

        In the chosen result, where the new part meets the old; before there is a result,
        in the original (where the cut will be).
        """
        chosen = self.results.currentData()
        row = self.studio.library.get_or_none(chosen) if chosen is not None else None
        if row is not None and row.audio_path:
            audio, length = Path(row.audio_path), row.duration
        else:
            audio = self._audio(self._clip) if self._clip is not None else None
            length = self.waveform.duration()
        if audio is None:
            return
        start = self.range()[0]
        self.audition.play(audio, max(0.0, start - SEAM), min(length or start + SEAM, start + SEAM))

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt
        if event.mimeData().hasFormat(CLIP_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt
        mime = event.mimeData()
        if not mime.hasFormat(CLIP_MIME):
            event.ignore()
            return
        event.acceptProposedAction()
        clip = int(bytes(mime.data(CLIP_MIME)).decode("ascii"))
        if self.op() is EditOp.MASHUP and self._clip is not None and clip != self._clip.id:
            self.set_second(clip)  # the first clip stays; the dropped one joins it
        else:
            self.ctx.select_clip(clip)

    # ------------------------------------------------------------------ internals
    def _show_row(self, key: str, visible: bool) -> None:
        for widget in self._rows[key]:
            widget.setVisible(visible)

    def _fill_models(self, info) -> None:
        caps = self.studio.capabilities
        names = info.models or tuple(caps.model_names())
        labels = {m.name: m.label for m in caps.models}
        wanted = self.studio.edits.default_model(info.op)
        self.model.blockSignals(True)
        self.model.clear()
        for name in names:
            self.model.addItem(labels.get(name, name), name)
            self.model.setItemData(self.model.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        self.model.setCurrentIndex(max(0, self.model.findData(wanted)))
        self.model.blockSignals(False)

    def _fill_partners(self) -> None:
        current = self._second
        self.second.blockSignals(True)
        self.second.clear()
        self.second.addItem("Pick the second clip…", None)
        for row in self.studio.edits.mashup_partners(self._clip.id if self._clip else None):
            self.second.addItem(clip_name(row), row.id)
        self.second.blockSignals(False)
        self.set_second(current)

    def _second_picked(self, _index: int) -> None:
        if not self._syncing:
            self._second = self.second.currentData()
            self._refresh()

    def _fill_results(self) -> None:
        self.results.blockSignals(True)
        self.results.clear()
        if self._clip is not None and self.op() is EditOp.REPLACE_SECTION:
            for row in self.studio.edits.results(self._clip.id, EditOp.REPLACE_SECTION):
                self.results.addItem(clip_name(row) + " · " + duration_text(row.duration), row.id)
        if not self.results.count():
            self.results.addItem("No result yet", None)
        self.results.blockSignals(False)

    def _apply_rules(self) -> None:
        """The provider's range limits on the waveform: enforced while dragging."""
        caps = self.studio.capabilities
        info = caps.edit(self.op())
        duration = self.waveform.duration() or (self._clip.duration if self._clip else None) or 0.0
        longest, _why = longest_range(info, duration)
        low = info.min_len if info.min_len and (not longest or info.min_len <= longest) else None
        self.waveform.set_range_rules(low, longest)

    def _apply_snaps(self) -> None:
        """Lyric-line ends and bar lines, when the clip's timed lyrics or BPM are known."""
        guide = self.studio.edits.snap_guide(self._clip.id) if self._clip is not None else None
        self.waveform.set_snap_points(guide.times if guide else ())
        self.snap_note.setText(guide.text if guide else "")

    def _default_range(self, duration: float) -> None:
        """A quarter in, as long as the operation likes (15 s, within the provider's limits)."""
        info = self.studio.capabilities.edit(self.op())
        longest, _ = longest_range(info, duration)
        length = min(15.0, longest or 15.0, duration)
        length = max(length, min(info.min_len or 0.0, duration))
        start = round(min(duration * 0.25, max(0.0, duration - length)), 2)
        self.set_range(start, round(start + length, 2))

    def _range_dragged(self, start: float, end: float) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.start_spin.setValue(start)
        self.end_spin.setValue(end)
        self._syncing = False
        self._refresh()

    def _spin_changed(self, *_: object) -> None:
        start, end = self.range()
        if not self._syncing and self.waveform.duration() > 0 and end > start:
            self._syncing = True
            self.waveform.set_range(start, end)
            self._syncing = False
        self._refresh()

    def _limit_sentence(self) -> str:
        """Why the range cannot grow (or shrink) further, when it sits at a limit."""
        if self._clip is None or not self.ranged():
            return ""
        caps = self.studio.capabilities
        info = caps.edit(self.op())
        start, end = self.range()
        duration = self.waveform.duration() or self._clip.duration or 0.0
        longest, why = longest_range(info, duration)
        if longest is not None and end - start >= longest - 0.011:
            return (f"{caps.display_name} takes {why} for “{info.op.label.lower()}”: the range stops at "
                    f"{longest:.1f} s.")
        if info.min_len and end - start <= info.min_len + 0.011:
            return f"{caps.display_name} needs at least {info.min_len:g} s: the range stops there."
        return ""

    def _preflight(self):
        op = self.op()
        start, end = self.range() if self.ranged() else (None, None)
        model = self.model.currentData() if op is not EditOp.REPLACE_SECTION else None
        second = self._second if op is EditOp.MASHUP else None
        return self.studio.edits.preflight(op, self._clip.id, start=start, end=end, model=model, second=second)

    def _cost(self) -> tuple[float | None, float | None]:
        credits = self.studio.credits.last
        cost = self.studio.capabilities.estimated_cost(self.op().task_kind)
        return cost, (credits.total if credits is not None else None)

    def _audio(self, detail: ClipDetail | None) -> Path | None:
        if detail is not None and detail.audio_path and Path(detail.audio_path).is_file():
            return Path(detail.audio_path)
        return None

    def _show_source(self) -> None:
        clip = self._clip
        if clip is None:
            self.source_title.setText("No clip to edit")
            self.source_meta.setText("Select a clip in the library, or use its context menu › Edit.")
            return
        self.source_title.setText(clip_name(clip))
        parts = ["Uploaded" if clip.origin is Origin.UPLOADED else "Generated"]
        if clip.duration:
            parts.append(fmt_time(clip.duration))
        if clip.model:
            parts.append(model_label(clip.provider, clip.model))
        self.source_meta.setText(" · ".join(parts))

    def _refresh(self, *_: object) -> None:
        op = self.op()
        start, end = self.range()
        self.length_text.setText(f"{end - start:.1f} s" if end > start else "")
        self.snap_note.setVisible(self.ranged() and bool(self.snap_note.text()))
        sentence = self._limit_sentence()
        self.limit_note.setText(sentence)
        self.limit_note.setVisible(bool(sentence))
        has_audio = self._clip is not None and self._audio(self._clip) is not None
        for button in (self.play_original_button, self.seam_button):
            button.setEnabled(has_audio)
        self.play_result_button.setEnabled(self.results.currentData() is not None)
        problems = self.problems()
        terms = ""
        if self._clip is not None:
            preflight = self._preflight()
            terms = preflight.terms
        self.terms.setText(terms)
        self.terms.setVisible(bool(terms))
        caps = self.studio.capabilities
        self.bar.set_cost(cost_text(*self._cost()) if caps.edit(op).available else "",
                          f"Estimated from {caps.display_name}'s price list. {caps.credits_note}".strip())
        self.bar.set_problems(problems)
        self._show_field_problems(problems)

    def _touch(self, field: str) -> None:
        if field not in self._touched:
            self._touched.add(field)
            self._refresh()

    def _show_field_problems(self, problems: list[Problem]) -> None:
        first: dict[str, str] = {}
        for problem in problems:
            first.setdefault(problem.field, problem.message)
        widgets = {"range": (self.start_spin, self.end_spin), "lyrics": (self.lyrics,), "tags": (self.tags,),
                   "second": (self.second,)}
        for field, label in self._errors.items():
            message = first.get(field, "") if field in self._touched else ""
            label.setText(message)
            label.setVisible(bool(message) and any(w.isVisibleTo(self) for w in widgets[field]))
            for widget in widgets[field]:
                theme.set_invalid(widget, bool(message))

    def field_error(self, field: str) -> str:
        """The message shown under ``field`` now ("" when none) - what a person reads."""
        label = self._errors[field]
        return label.text() if label.isVisible() else ""

    # ------------------------------------------------------------------ events
    def _clip_selected(self, clip: int) -> None:
        self.use_clip(clip)  # -1 (nothing selected) finds no clip: back to the empty state

    def _clip_updated(self, row) -> None:
        if self._clip is not None and row.id == self._clip.id:
            had_audio = self._clip.audio_path
            self._clip = self.studio.library.get_or_none(row.id)
            if self._clip is not None and self._clip.audio_path != had_audio:
                self.use_clip(row.id)
                return
            self._apply_snaps()  # timed lyrics or a BPM may have just arrived
        self._fill_results()
        self._refresh()

    def _clip_added(self, _row) -> None:
        if self.op() is EditOp.MASHUP:
            self._fill_partners()
        self._fill_results()

    def _provider_changed(self, *_: object) -> None:
        self.set_op(self.op())
        self.use_clip(self._clip.id if self._clip is not None else -1)

    def _credits_changed(self, *_: object) -> None:
        self._refresh()

    def _params(self) -> GenerationParams:
        lyrics = self.lyrics.toPlainText().strip()
        op = self.op()
        return GenerationParams(
            model=self.model.currentData() or self.studio.edits.default_model(op), custom_mode=True,
            lyrics=lyrics, tags=self.tags.text().strip(), title=self.title.text().strip(),
            negative_tags=self.exclude.text().strip(),
            instrumental=not lyrics and op in (EditOp.MASHUP, EditOp.SAMPLE),
        )

    async def _submit(self) -> None:
        edits, op, clip = self.studio.edits, self.op(), self._clip.id
        start, end = self.range() if self.ranged() else (None, None)
        if op is EditOp.REPLACE_SECTION:
            sending = edits.replace_section(clip, start, end, self.lyrics.toPlainText().strip(),
                                            tags=self.tags.text().strip(), title=self.title.text().strip(),
                                            negative_tags=self.exclude.text().strip())
        elif op is EditOp.ADD_VOCALS:
            sending = edits.add_vocals(clip, self._params(), start, end)
        elif op is EditOp.ADD_INSTRUMENTAL:
            sending = edits.add_instrumental(clip, self._params(), start, end)
        elif op is EditOp.REMASTER:
            sending = edits.remaster(clip, self.model.currentData(), self.strength.current())
        elif op is EditOp.MASHUP:
            sending = edits.mashup(clip, self._second, self._params())
        else:
            sending = edits.sample(clip, start, end, self._params())
        quote = quote_text(op, self._preflight(), self.studio.capabilities.display_name)
        try:
            record = await TaskRunner.unstoppable(sending)
        except StudioError as exc:
            self.bar.show_error(str(exc), exc.details())
            return
        self.bar.show_done(f"{op.label} submitted — follow it in Tasks.", f"{record.title}. {quote}")
        self.ctx.bridge.notify.emit(f"Submitted: {record.title}")
