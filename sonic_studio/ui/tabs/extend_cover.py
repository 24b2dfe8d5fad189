"""The Extend / Cover tab: continue a clip from a point you drag, or re-sing it in another style.

The source is the clip selected in the library (uploaded or generated), shown with its
title, origin, length and waveform; for Extend a draggable continue-at marker on the
waveform is bound both ways to a spin box in seconds.  Instead of a library clip the
source can be a local file or a link handed over by the Upload tab ("upload and
extend/cover"): the services upload it as part of the request (sonic can join the
extension to the original, auto-concat).

The services pick the provider's task type from the clip's origin; the tab shows which
one ("Extends your uploaded clip"; the request name in its tooltip) so nothing is a surprise.  Every field is
checked as the person types, with the message under it; the cost estimate and credits
left sit next to the submit button, which says why it is off when it is.  Submitting
runs in the background: the form stays as it was (nothing typed is lost) and a short
confirmation points to the Tasks panel; a refusal is shown in words next to the button.
"""

from __future__ import annotations

import asyncio
import logging
import math
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...audio.loader import PeakLoader
from ...audio.probe import probe
from ...core.capabilities import model_label
from ...core.errors import StudioError, ValidationError
from ...core.models import Origin, ProviderId, TaskKind
from ...core.validation import Problem, check_source_url, fmt_time
from ...services.eligibility import remix_source
from ...store.records import ClipDetail
from .. import theme
from ..components.clip_model import CLIP_MIME
from ..components.generation_form import GenerationForm
from ..components.range_audition import SEAM, RangeAudition
from ..components.submit_bar import SubmitBar, cost_text, credits_text
from ..format import format_time, source_name
from ..icons import icon
from ..tasks_runner import TaskRunner
from ..widgets.drop_zone import dropped_source
from ..widgets.reflow import FitPage, ReflowColumns
from ..widgets.segmented import SegmentedButtons
from ..widgets.waveform import WaveformMode, WaveformView

log = logging.getLogger(__name__)

# What each provider is asked to do, by (mode, source kind) - shown, not decided, here.
_ROUTES = {
    ProviderId.SONIC: {
        ("extend", "uploaded"): "extend_upload_music",
        ("extend", "generated"): "extend_music",
        ("cover", "uploaded"): "cover_upload_music",
        ("cover", "generated"): "cover_music",
        ("extend", "one_stop"): "/sonic/upload-extend",
        ("cover", "one_stop"): "/sonic/upload-cover",
    },
    ProviderId.SUNOAPI: {
        ("extend", "uploaded"): "/generate/upload-extend",
        ("extend", "generated"): "/generate/extend",
        ("cover", "uploaded"): "/generate/upload-cover",
        ("cover", "generated"): "/generate/upload-cover",
        ("extend", "one_stop"): "/generate/upload-extend",
        ("cover", "one_stop"): "/generate/upload-cover",
    },
}
# The chip says it in words; the provider's name for the request is only in its tooltip.
_ROUTE_WORDS = {
    ("extend", "uploaded"): "Extends your uploaded clip",
    ("extend", "generated"): "Extends a generated clip",
    ("cover", "uploaded"): "Covers your uploaded clip",
    ("cover", "generated"): "Covers a generated clip",
    ("extend", "one_stop"): "Uploads and extends in one step",
    ("cover", "one_stop"): "Uploads and covers in one step",
}
_ROUTE_TIP = "What the provider is asked to do with this source (chosen from the clip's origin)"


_label = theme.label


class ExtendCoverTab(QWidget):
    """See the module docstring.

    Public API: ``set_mode("extend"|"cover")``, ``use_clip(local_id)``,
    ``use_one_stop_source(url_or_path, mode=None)``, ``continue_at()``, ``problems()``,
    ``submit()``; widgets ``form``, ``waveform``, ``continue_spin``, ``submit_button``.
    """

    def __init__(self, ctx) -> None:
        super().__init__()
        self.runner = TaskRunner(self, report=ctx.bridge.notify.emit)
        self.audition = RangeAudition(ctx.player, self)
        self.ctx = ctx
        self.studio = ctx.studio
        self._caps = self.studio.capabilities
        self._clip: ClipDetail | None = None
        self._one_stop: str | Path | None = None
        self._duration: float | None = None
        self._audio: Path | None = None
        self._source_note = ""  # why the source cannot be used, when it cannot
        self._syncing = False

        self.loader = PeakLoader(ctx.peak_cache, parent=self)
        self.setAcceptDrops(True)  # a clip dragged from the library, or a file/link
        self._build()
        self._wire()
        self.set_mode("extend")
        self._provider_changed()
        if ctx.selected_clip is not None:
            self.use_clip(ctx.selected_clip)
        else:
            self._show_source()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        page = FitPage()  # shrinks before it scrolls
        outer = QVBoxLayout(page)
        outer.setContentsMargins(theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2, theme.SPACING * 2)
        outer.setSpacing(theme.SPACING)

        # Source: what is being extended or covered.
        # Title beside its controls; the controls go under the title when the window is narrow.
        header = ReflowColumns(theme.SPACING)
        controls = QHBoxLayout()
        controls.setSpacing(theme.SPACING)
        controls.addStretch(1)
        info = QVBoxLayout()
        info.setSpacing(2)
        self.source_title = _label("No source clip", None, wrap=False)
        self.source_title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.source_meta = _label("", "hint", wrap=False)
        info.addWidget(self.source_title)
        info.addWidget(self.source_meta)
        header.add_column(info, 1)
        self.library_button = QPushButton(icon("library"), "Use library selection")
        self.library_button.setToolTip("Go back to the clip selected in the library")
        self.library_button.hide()
        controls.addWidget(self.library_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.route_hint = _label("", "badge", wrap=False)
        controls.addWidget(self.route_hint, 0, Qt.AlignmentFlag.AlignVCenter)
        self.mode_switch = SegmentedButtons(
            [
                ("extend", "Extend", "Continue the clip from the marker with new lyrics/style"),
                ("cover", "Cover", "Re-create the whole clip in another style; audio weight sets how close"),
            ]
        )
        controls.addWidget(self.mode_switch, 0, Qt.AlignmentFlag.AlignVCenter)
        header.add_column(controls, 0)
        outer.addWidget(header)

        self.waveform = WaveformView(mode=WaveformMode.MARKER)
        self.waveform.setMinimumHeight(120)
        self.waveform.setMaximumHeight(160)
        self.waveform.attach_loader(self.loader)
        self.waveform.clear("Select a clip in the library to extend or cover it")

        # The continue-at marker as a number (bound both ways to the marker).
        marker = self.marker_row = QWidget()
        marker_row = QHBoxLayout(marker)
        marker_row.setContentsMargins(0, 0, 0, 0)
        marker_row.setSpacing(theme.SPACING)
        self.marker_caption = _label("Continue at", None, wrap=False)
        self.continue_spin = QDoubleSpinBox()
        self.continue_spin.setDecimals(2)
        self.continue_spin.setSingleStep(0.01)
        self.continue_spin.setRange(0.0, 36000.0)  # wide on purpose: past-the-end gets a message, not a clamp
        self.continue_spin.setSuffix(" s")
        self.continue_spin.setKeyboardTracking(True)
        self.continue_spin.setMinimumWidth(120)
        # Arrow keys, the wheel and the marker step it; the tiny up/down buttons only cramp it.
        # (Hidden by width: NoButtons under the app style sheet paints no text at all.)
        self.continue_spin.setStyleSheet(
            "QDoubleSpinBox::up-button, QDoubleSpinBox::down-button { width: 0px; border: none; }")
        self.continue_spin.setToolTip("Where the extension starts, in seconds (0.01 steps); drag the marker or type")
        self.continue_text = _label("", None, wrap=False)
        self.continue_text.setStyleSheet(f"color: {theme.ACCENT}; font-weight: 600;")
        marker_row.addWidget(self.marker_caption)
        marker_row.addWidget(self.continue_spin)
        marker_row.addWidget(self.continue_text)
        marker_row.addStretch(1)
        self.seam_button = QPushButton(icon("play"), "Hear the &seam")
        self.seam_button.setShortcut(QKeySequence("Alt+S"))
        self.seam_button.setToolTip(f"Play {SEAM:g} s either side of the continue-at point, to hear where the "
                                    "extension will take over (Alt+S)")
        # As tall as the number beside it: a taller row would push the form into scrolling at 1280×800.
        self.seam_button.setMaximumHeight(self.continue_spin.sizeHint().height())
        marker_row.addWidget(self.seam_button)
        # With timed lyrics or a BPM (Deliverables) the marker snaps to line ends and bars.
        self.snap_note = _label("", "hint")
        self.snap_note.hide()
        self.continue_error = _label("", "error")
        self.continue_error.hide()
        self.auto_concat = QCheckBox("Join the extension to the original (auto-concat)")
        self.auto_concat.setChecked(True)
        self.auto_concat.setToolTip("The provider also returns the full song: original up to the marker + extension")

        # Waveform and marker sit on top of the lyrics; the settings take the right column.
        self.form = GenerationForm(self._caps, self._default_model(), audio_weight="optional")
        for widget in (self.waveform, marker, self.snap_note, self.continue_error, self.auto_concat):
            self.form.add_above_text(widget)
        outer.addWidget(self.form, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)

        # The submit bar stays visible below the scrolling form.
        self.bar = SubmitBar(self.runner, "Extend ▶", "Submitting…")
        # Short names for the bar's parts (tests and the README walkthrough use them).
        self.submit_button = self.bar.button
        self.reason, self.submit_error, self.confirmation = self.bar.reason, self.bar.error, self.bar.confirmation
        self.cost = self.bar.cost

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.bar)

    def _wire(self) -> None:
        bridge = self.ctx.bridge
        bridge.clipSelected.connect(self._clip_selected)
        bridge.clipUpdated.connect(self._clip_updated)
        bridge.clipRemoved.connect(self._clip_removed)
        # Bound methods, not lambdas: Qt drops the connection when this tab is destroyed.
        bridge.providerChanged.connect(self._on_provider_changed)
        bridge.creditsChanged.connect(self._on_credits_changed)
        self.mode_switch.changed.connect(self.set_mode)
        self.waveform.markerChanged.connect(self._marker_moved)
        self.continue_spin.valueChanged.connect(self._spin_changed)
        self.auto_concat.toggled.connect(lambda _on: self._refresh())
        self.form.changed.connect(self._refresh)
        self.bar.submitRequested.connect(self.submit)
        self.bar.busyChanged.connect(self._set_busy)
        self.library_button.clicked.connect(self._back_to_library)
        self.seam_button.clicked.connect(self.play_seam)

    # ------------------------------------------------------------------ public API
    def mode(self) -> str:
        return self.mode_switch.current()

    def set_mode(self, mode: str) -> None:
        """"extend" (marker, continue-at) or "cover" (audio weight)."""
        if self.mode_switch.current() != mode:
            self.mode_switch.set_current(mode)  # re-enters through the changed signal
            return
        extend = mode == "extend"
        self.waveform.set_mode(WaveformMode.MARKER if extend else WaveformMode.PREVIEW)
        # Cover: the weight is the point, so it always has a value; extend: optional.
        self.form.set_audio_weight(True, required=not extend)
        self._refresh()

    def use_clip(self, clip: int) -> None:
        """Make this library clip the source (what selecting it in the library does)."""
        try:
            detail = self.studio.library.get(clip)
        except Exception:  # purged meanwhile: back to the empty state
            log.info("clip %s is gone", clip)
            self._set_clip(None)
            return
        self._one_stop = None
        self._set_clip(detail)

    def use_one_stop_source(self, source: str | Path, mode: str | None = None) -> None:
        """A local file or link, uploaded together with the request ("upload and extend/cover")."""
        self._ensure_credits()
        text = str(source).strip()
        self._one_stop = Path(text).expanduser() if isinstance(source, Path) or "://" not in text else text
        self._clip = None
        self._apply_snaps()
        self.runner.cancel("measure")  # the previous source's length and waveform no longer matter
        if mode:
            self.set_mode(mode)
        self._audio = self._one_stop if isinstance(self._one_stop, Path) else None
        self._duration = None
        self._source_note = ""
        self._show_source()
        if self._audio is not None:
            self.waveform.set_loading("Reading the file…")
            self.runner.run("measure", self._measure(self._audio), what="Reading the file")
        else:
            self.waveform.clear("Audio from a link: the provider fetches it when you submit")
            self._set_continue(0.1)
        self._refresh()

    def source(self) -> ClipDetail | str | Path | None:
        return self._one_stop if self._one_stop is not None else self._clip

    def continue_at(self) -> float:
        return round(self.continue_spin.value(), 2)

    def play_seam(self) -> None:
        """3 s before and after the continue-at point in the source: is this where it should go on?"""
        length = self.waveform.duration()
        if self._audio is None or length <= 0:
            return
        at = min(self.continue_at(), length)
        self.audition.play(self._audio, max(0.0, at - SEAM), min(length, at + SEAM))

    def problems(self) -> list[Problem]:
        """Everything that keeps the submit button off (form fields, continue-at, source, credits)."""
        problems: list[Problem] = []
        if self._clip is None and self._one_stop is None:
            problems.append(Problem("source", "Select a clip in the library (or use Upload → Upload and extend…)."))
        elif self._source_note:
            problems.append(Problem("source", self._source_note))
        elif isinstance(self._one_stop, str):
            problems += [Problem("source", p.message) for p in check_source_url(self._one_stop)]
        elif isinstance(self._one_stop, Path) and self._caps.needs_public_url:
            problems.append(Problem("source", f"{self._caps.display_name} needs a public link, not a file on this "
                                              "computer: paste a link in Upload, or switch provider in Settings."))
        extend = self.mode() == "extend"
        problems += self.form.problems(
            self._kind(), source=self._clip if self._one_stop is None else None,
            continue_at=self.continue_at() if extend else None, duration=self._duration,
            auto_concat=self._auto_concat_available() and self.auto_concat.isChecked())
        cost, left = self._cost()
        if cost is not None and left is not None and cost > left:
            problems.append(Problem("credits", f"Not enough credits: {credits_text(left)} left, "
                                               f"this needs {credits_text(cost)}."))
        return problems

    def submit(self) -> None:
        """Send the request in the background (only when nothing is wrong)."""
        if self.bar.busy():
            return
        problems = self.problems()
        if problems:
            self._refresh(reveal=True)
            return
        verb = "extend" if self.mode() == "extend" else "cover"
        self.bar.run(self._submit(), what=f"Submitting the {verb}")

    def _set_busy(self, _busy: bool) -> None:
        self._refresh()

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt
        mime = event.mimeData()
        if mime.hasFormat(CLIP_MIME) or dropped_source(mime) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt
        mime = event.mimeData()
        if mime.hasFormat(CLIP_MIME):
            event.acceptProposedAction()
            self.ctx.select_clip(int(bytes(mime.data(CLIP_MIME)).decode("ascii")))
            return
        found = dropped_source(mime)
        if found is None:
            event.ignore()
            return
        event.acceptProposedAction()
        kind, value = found
        self.use_one_stop_source(Path(value) if kind == "file" else value)

    # ------------------------------------------------------------------ source
    def _clip_selected(self, clip: int) -> None:
        if clip < 0:
            if self._one_stop is None:
                self._set_clip(None)
            return
        self.use_clip(clip)

    def _clip_updated(self, row) -> None:
        if self._clip is not None and row.id == self._clip.id and self._one_stop is None:
            changed_audio = row.audio_path != self._clip.audio_path
            self._clip = self.studio.library.get(row.id)
            if changed_audio:
                self._set_clip(self._clip)
            else:
                self._apply_snaps()  # timed lyrics or a BPM may have just arrived
                self._show_source()
                self._refresh()

    def _clip_removed(self, clip: int) -> None:
        if self._clip is not None and self._clip.id == clip and self._one_stop is None:
            self._set_clip(None)

    def _back_to_library(self) -> None:
        self._one_stop = None
        if self.ctx.selected_clip is not None:
            self.use_clip(self.ctx.selected_clip)
        else:
            self._set_clip(None)

    def _set_clip(self, detail: ClipDetail | None) -> None:
        self._ensure_credits()
        self._clip = detail
        self.runner.cancel("measure")  # the previous source's length and waveform no longer matter
        self._duration = detail.duration if detail is not None else None
        self._audio = None
        self._source_note = self._clip_problem(detail) if detail is not None else ""
        self.bar.show_done("")
        self._show_source()
        self._apply_snaps()
        if detail is None:
            self.loader.cancel()
            self.waveform.clear("Select a clip in the library to extend or cover it")
            self._refresh()
            return
        audio = self._local_audio(detail)
        if audio is not None:
            self._audio = audio
            self.waveform.set_loading()
            if self._duration:
                self.waveform.set_duration(self._duration)
                self._set_continue(self._default_continue(self._duration))
            self.runner.run("measure", self._measure(audio), what="Reading the clip")
        else:
            self.loader.cancel()
            self.waveform.clear("No local audio for this clip yet")
            if self._duration:
                self._set_continue(self._default_continue(self._duration))
        self._refresh()

    def _apply_snaps(self) -> None:
        """Lyric-line ends and bar lines of a library clip, when its timed lyrics or BPM are known."""
        guide = self.studio.edits.snap_guide(self._clip.id) if self._clip is not None else None
        self.waveform.set_snap_points(guide.times if guide else ())
        self.snap_note.setText(guide.text if guide else "")

    def _clip_problem(self, detail: ClipDetail) -> str:
        return remix_source(self._caps, detail, self._kind()).reason or ""

    def _local_audio(self, detail: ClipDetail) -> Path | None:
        # The library keeps a copy of every clip, uploads included (services.tasks).
        if detail.audio_path and Path(detail.audio_path).is_file():
            return Path(detail.audio_path)
        return None

    async def _measure(self, path: Path) -> None:
        """Length of the source (probe off the UI thread), then its waveform.

        A new source cancels this task (the runner's "measure"), so what it finds is
        always about the source on screen.
        """
        if self._duration is None or self._one_stop is not None:
            try:
                info = await asyncio.get_running_loop().run_in_executor(None, probe, path)
            except ValidationError as exc:
                self._source_note = str(exc)
                self.waveform.set_error(str(exc))
                self._refresh()
                return
            self._duration = round(info.duration, 2)
            self.waveform.set_duration(self._duration)
            self._set_continue(self._default_continue(self._duration))
        self.loader.load(path)
        self._show_source()
        self._refresh()

    @staticmethod
    def _default_continue(duration: float) -> float:
        """Near the end: extending usually continues the song; a whole second reads well."""
        return float(math.floor(duration) - 1) if duration >= 3 else round(duration / 2, 2)

    def _show_source(self) -> None:
        self.library_button.setVisible(self._one_stop is not None and self.ctx.selected_clip is not None)
        if self._one_stop is not None:
            source = self._one_stop
            self.source_title.setText(source_name(source))
            where = "Local file" if isinstance(source, Path) else "Link"
            parts = [f"{where} · uploaded when you submit"]
            if self._duration:
                parts.append(fmt_time(self._duration))
            if not isinstance(source, Path):
                parts.append(source)
            self.source_meta.setText(" · ".join(parts))
            self.source_title.setToolTip(theme.plain_tip(str(source)))
        elif self._clip is not None:
            clip = self._clip
            self.source_title.setText(clip.title or clip.clip_id)
            self.source_title.setToolTip(theme.plain_tip(f"{clip.provider.value} clip {clip.clip_id}"))
            parts = ["Uploaded" if clip.origin is Origin.UPLOADED else "Generated"]
            if self._duration:
                parts.append(fmt_time(self._duration))
            if clip.model:
                parts.append(model_label(clip.provider, clip.model))
            lineage = clip.lineage
            if lineage is not None and lineage.parent_title:
                parts.append(f"{(lineage.task_kind.value if lineage.task_kind else 'from').replace('_', ' ')} of “{lineage.parent_title}”")
            elif lineage is not None and lineage.source_url:
                parts.append(f"from {lineage.source_url.rsplit('/', 1)[-1]}")
            self.source_meta.setText(" · ".join(parts))
        else:
            self.source_title.setText("No source clip")
            self.source_meta.setText("Select a clip in the library, or use Upload → “Upload and extend…” for a file or link.")

    # ------------------------------------------------------------------ marker ⇄ spin box
    def _set_continue(self, seconds: float) -> None:
        self.continue_spin.setValue(round(seconds, 2))

    def _marker_moved(self, seconds: float) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.continue_spin.setValue(round(seconds, 2))
        self._syncing = False
        self._refresh()

    def _spin_changed(self, value: float) -> None:
        # The same point in minutes (the marker's badge says "Extend from …"; short here so the
        # row keeps room for "Hear the seam" beside the waveform's column).
        self.continue_text.setText(f"({format_time(value)})")
        if not self._syncing and self.waveform.duration() > 0:
            # A typed value past the end is kept (and explained); the marker stops at the end.
            self._syncing = True
            self.waveform.set_marker(min(value, self.waveform.duration()))
            self._syncing = False
        self._refresh()

    # ------------------------------------------------------------------ provider, cost
    def _default_model(self) -> str:
        return self.studio.settings.default_model(self.studio.provider_id)

    def _on_provider_changed(self, *_: object) -> None:
        self._provider_changed()

    def _on_credits_changed(self, *_: object) -> None:
        self._refresh()

    def _provider_changed(self) -> None:
        self._caps = self.studio.capabilities
        self.form.set_provider(self._caps, self._default_model())
        if self._clip is not None:
            self._source_note = self._clip_problem(self._clip)
        self._refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt
        super().showEvent(event)
        self._ensure_credits()

    def _ensure_credits(self) -> None:
        """Ask for the balance once it is needed and unknown (the cost line shows what is left)."""
        if self.studio.credits.last is None and not self.runner.running("credits"):
            self.runner.run("credits", self._refresh_credits(), what="Asking for the credit balance")

    async def _refresh_credits(self) -> None:
        try:
            await self.studio.credits.refresh()
        except StudioError as exc:  # unknown credits only hide the "left" part of the cost line
            log.info("credits unavailable: %s", exc)

    def _kind(self) -> TaskKind:
        extend = self.mode() == "extend"
        if self._one_stop is not None:
            return TaskKind.UPLOAD_EXTEND if extend else TaskKind.UPLOAD_COVER
        return TaskKind.EXTEND if extend else TaskKind.COVER

    def _cost(self) -> tuple[float | None, float | None]:
        cost = self._caps.estimated_cost(self._kind())
        credits = self.studio.credits.last
        return cost, (credits.total if credits is not None else None)

    def _source_kind(self) -> str | None:
        if self._one_stop is not None:
            return "one_stop"
        if self._clip is not None:
            return "uploaded" if self._clip.origin is Origin.UPLOADED else "generated"
        return None

    def _auto_concat_available(self) -> bool:
        return self._one_stop is not None and self.mode() == "extend" and self._caps.supports_auto_concat

    # ------------------------------------------------------------------ refresh
    def _refresh(self, reveal: bool = False) -> None:
        extend = self.mode() == "extend"
        self.auto_concat.setVisible(self._auto_concat_available())
        kind = self._source_kind()
        route = _ROUTES.get(self._caps.id, {}).get((self.mode(), kind)) if kind else None
        self.route_hint.setText(_ROUTE_WORDS[(self.mode(), kind)] if route else "")
        self.route_hint.setToolTip(theme.plain_tip(f"{_ROUTE_TIP}.\nSent to the provider as: {route}") if route else "")
        self.route_hint.setVisible(bool(route))

        problems = self.problems()
        foreign = self.form.show_problems(problems, reveal=reveal)
        continue_message = next((p.message for p in foreign if p.field == "continue_at"), "")
        has_source = self._clip is not None or self._one_stop is not None
        self.marker_row.setVisible(extend and has_source)
        self.snap_note.setVisible(extend and has_source and bool(self.snap_note.text()))
        self.seam_button.setEnabled(self._audio is not None and self.waveform.duration() > 0)
        self.continue_error.setText(continue_message)
        self.continue_error.setVisible(extend and has_source and bool(continue_message))
        theme.set_invalid(self.continue_spin, extend and has_source and bool(continue_message))

        self.bar.set_cost(cost_text(*self._cost()),
                          f"Estimated from {self._caps.display_name}'s price list. {self._caps.credits_note}".strip())
        verb = "Extend" if extend else "Cover"
        self.bar.set_text(f"{verb} ▶", ready_tip=f"Submit the {verb.lower()} (Ctrl+Enter)")
        self.bar.set_problems(problems)

    # ------------------------------------------------------------------ submit
    async def _submit(self) -> None:
        tasks = self.studio.tasks
        params = self.form.params()
        extend = self.mode() == "extend"
        verb = "Extend" if extend else "Cover"
        if self._one_stop is not None:
            source = self._one_stop
            if extend:
                auto_concat = self._auto_concat_available() and self.auto_concat.isChecked()
                sending = tasks.submit_upload_extend(source, self.continue_at(), params, auto_concat)
            else:
                sending = tasks.submit_upload_cover(source, params)
        elif extend:
            sending = tasks.submit_extend(self._clip.id, self.continue_at(), params)
        else:
            sending = tasks.submit_cover(self._clip.id, params)
        try:
            record = await TaskRunner.unstoppable(sending)
        except StudioError as exc:
            self._show_refusal(exc, field=getattr(exc, "field", None))
            return
        self.bar.show_done(f"{verb} submitted — follow it in Tasks.", record.title)
        self.ctx.bridge.notify.emit(f"{verb} submitted: {record.title}")

    def _show_refusal(self, exc: StudioError, field: str | None = None) -> None:
        """A refused request: under its field when it names one of ours, else next to the button."""
        if field in GenerationForm.OWN_FIELDS:
            self.form.focus_field(field)
        self.bar.show_error(str(exc), exc.details())
