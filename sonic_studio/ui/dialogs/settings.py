"""Settings: provider, API key (OS keyring), demo mode, server addresses, model, library folder, auto-fetch.

The key field is masked and never pre-filled with the stored key: we only say whether
one is stored and where ("Stored in SecretService Keyring", or why it cannot be).
"Test key" asks the provider for the credit balance with the typed key, before
anything is saved.  Everything is validated before the dialog closes; a bad base URL
(plain http to a remote host would send the key unencrypted) is refused next to the field.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.capabilities import capabilities
from ...core.errors import StudioError
from ...core.models import AssetKind, ProviderId
from ...core.validation import check_api_base_url
from ...services.settings import AUTO_FETCH_KINDS
from .. import theme
from ..icons import icon
from ..tasks_runner import TaskRunner

log = logging.getLogger(__name__)

PROVIDER_BLURB = {
    ProviderId.SONIC: "Uploads must be public URLs (the service downloads them itself). Extend returns the new part; "
    "one-stop upload-extend can join it to the original. Personas take an optional vocal range up to 30 s.",
    ProviderId.SUNOAPI: "Accepts audio files from this computer (kept 3 days on its upload host). Personas need a "
    "generated V4+ clip and a 10–30 s vocal range. Note: its code 429 means 'no credits'.",
}

AUTO_FETCH_WHY = {
    ProviderId.SONIC: "An extend here returns only the new part, so the whole song (what people mean by "
    "“extend”) is fetched by default. WAV and timed lyrics are fetched for the whole song when it comes.",
    ProviderId.SUNOAPI: "The whole song is joined on this computer from files already saved (and the extension "
    "is usually whole already), so nothing is lost by waiting: it is off until you want it.",
}


def _hint(text: str = "") -> QLabel:
    return theme.label(text, "hint")


class SettingsDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.studio = ctx.studio
        self.runner = TaskRunner(self, report=self._show_error)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(720)
        settings = self.studio.settings

        self.provider = QComboBox()
        for pid in ProviderId:
            self.provider.addItem(capabilities(pid).display_name, pid.value)
        self.provider.setCurrentIndex(list(ProviderId).index(self.studio.provider_id))
        self.provider.setToolTip("Which service generates your music. Each has its own API key.")
        self.provider_blurb = _hint()

        self.demo = QCheckBox("Demo mode — use the built-in emulator (no key, no network, no costs)")
        self.demo.setChecked(self.studio.demo)
        self.reset_demo_button = QPushButton(icon("trash"), "&Reset demo…")
        self.reset_demo_button.setToolTip("The demo remembers its clips, personas and credits between runs; "
                                          "this makes it start again from nothing.")
        self.reset_demo_button.setEnabled(ctx.demo_server is not None or ctx.demo_state_dir is not None)
        self.reset_demo_button.clicked.connect(self._confirm_reset_demo)
        self.demo_result = _hint()
        demo_row = QHBoxLayout()
        demo_row.addWidget(self.demo, 1)
        demo_row.addWidget(self.reset_demo_button)

        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("Paste a new API key (leave empty to keep the stored one)")
        self.key.setToolTip("The key is stored in your system keyring, never in a file.")
        show = QAction(icon("search"), "Show", self.key)
        show.setCheckable(True)
        show.toggled.connect(lambda on: self.key.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        self.key.addAction(show, QLineEdit.ActionPosition.TrailingPosition)
        self.test_button = QPushButton(icon("check"), "Test key")
        self.test_button.setToolTip("Ask the provider for your credit balance with this key")
        self.test_button.clicked.connect(self._start_test_key)
        self.forget_button = QPushButton(icon("trash"), "Forget stored key")
        self.forget_button.clicked.connect(self._start_forget_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.test_button)
        key_row.addWidget(self.forget_button)
        self.key_status = _hint("Checking where the key is stored…")
        self.test_result = _hint()

        self.model = QComboBox()
        self.model.setToolTip("Model preselected in the Extend / Cover and persona forms")

        self.library_dir = QLineEdit(settings.library_dir or "")
        self.library_dir.setPlaceholderText(str(self.studio.library_dir))
        browse = QPushButton(icon("folder"), "Browse…")
        browse.clicked.connect(self._browse)
        lib_row = QHBoxLayout()
        lib_row.addWidget(self.library_dir, 1)
        lib_row.addWidget(browse)

        self.base_url = QLineEdit()
        self.upload_base_url = QLineEdit()
        self.base_url_error = _hint()
        theme.set_role(self.base_url_error, "error")
        advanced = QGroupBox("Advanced: server addresses")
        advanced.setCheckable(True)
        advanced.setChecked(bool(settings.base_urls or settings.upload_base_urls))
        adv_form = QFormLayout(advanced)
        adv_form.addRow("API base URL", self.base_url)
        adv_form.addRow("Upload base URL", self.upload_base_url)
        adv_form.addRow("", self.base_url_error)
        self.advanced = advanced

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(theme.SPACING * 2)
        form.setVerticalSpacing(theme.SPACING)
        form.addRow("Provider", self.provider)
        form.addRow("", self.provider_blurb)
        form.addRow("", demo_row)
        form.addRow("", self.demo_result)
        form.addRow("API key", key_row)
        form.addRow("", self.key_status)
        form.addRow("", self.test_result)
        form.addRow("Default model", self.model)
        form.addRow("Library folder", lib_row)

        self.auto_fetch = QGroupBox("After a result arrives, also fetch")
        self.auto_fetch.setToolTip("Provider files expire: fetching at once keeps a copy on this computer. "
                                   "Each is asked for once per new clip, with the cost shown here.")
        auto_column = QVBoxLayout(self.auto_fetch)
        self.auto_boxes: dict[AssetKind, QCheckBox] = {}
        for kind in AUTO_FETCH_KINDS:
            box = QCheckBox()
            box.toggled.connect(lambda on, k=kind: self._auto_toggled(k, on))
            self.auto_boxes[kind] = box
            auto_column.addWidget(box)
        self.auto_hint = _hint()
        auto_column.addWidget(self.auto_hint)
        # Choices per provider, kept while the dialog switches between them; saved on Save.
        self._auto_choice = {pid: {k: settings.auto_fetch_on(pid, k) for k in AUTO_FETCH_KINDS} for pid in ProviderId}

        self.error = _hint()
        theme.set_role(self.error, "error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._start_save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setProperty("primary", True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(theme.SPACING * 2)
        layout.addLayout(form)
        layout.addWidget(self.auto_fetch)
        layout.addWidget(advanced)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.demo.toggled.connect(self._demo_toggled)
        self.base_url.textChanged.connect(self._validate_urls)
        self.upload_base_url.textChanged.connect(self._validate_urls)
        self._provider_changed()

    # ------------------------------------------------------------------ state
    def _pid(self) -> ProviderId:
        return ProviderId(self.provider.currentData())

    def _provider_changed(self) -> None:
        pid = self._pid()
        caps = capabilities(pid)
        settings = self.studio.settings
        self.provider_blurb.setText(PROVIDER_BLURB[pid])
        self.model.clear()
        for info in caps.models:
            self.model.addItem(info.label, info.name)
        self.model.setCurrentIndex(max(0, caps.model_names().index(settings.default_model(pid))))
        self.base_url.setText(settings.base_urls.get(pid.value, ""))
        self.base_url.setPlaceholderText(caps.base_url)
        self.upload_base_url.setText(settings.upload_base_urls.get(pid.value, ""))
        self.upload_base_url.setPlaceholderText(caps.upload_base_url or "(not used by this provider)")
        self.upload_base_url.setEnabled(caps.upload_base_url is not None)
        self.test_result.setText("")
        self._show_auto_fetch(pid)
        self.runner.run("key-status", self._show_key_status(), what="Checking the keyring")
        self._demo_toggled(self.demo.isChecked())

    def _show_auto_fetch(self, pid: ProviderId) -> None:
        caps = capabilities(pid)
        for kind, box in self.auto_boxes.items():
            info = caps.deliverable(kind)
            name = "Whole song after an extend" if kind is AssetKind.WHOLE_SONG else kind.label[0].upper() + kind.label[1:]
            if info.local or info.credits == 0:
                cost = "free, made here" if info.local else "free"
            elif info.credits is None:
                cost = "price unknown"
            else:
                about = "about " if info.note.startswith("estimate") else ""
                cost = f"{about}{info.credits:g} credit{'s' if info.credits != 1 else ''} per clip"
            box.blockSignals(True)
            box.setText(f"{name} — {cost}")
            box.setChecked(self._auto_choice[pid][kind])
            box.blockSignals(False)
            box.setToolTip(theme.plain_tip(info.note))
        self.auto_hint.setText(AUTO_FETCH_WHY[pid])

    def _auto_toggled(self, kind: AssetKind, on: bool) -> None:
        self._auto_choice[self._pid()][kind] = on

    def _fit_hints(self) -> None:
        """Word-wrapped labels in a form get too little height from Qt; give each what it needs."""
        for hint in (self.provider_blurb, self.key_status, self.test_result, self.base_url_error, self.auto_hint,
                     self.error, self.demo_result):
            width = max(hint.width(), 540)
            hint.setMinimumHeight(hint.heightForWidth(width) if hint.text() else 0)
        self.adjustSize()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_hints()

    def _demo_toggled(self, on: bool) -> None:
        for widget in (self.key, self.test_button, self.forget_button, self.advanced):
            widget.setEnabled(not on)
        if on:
            self.test_result.setText("In demo mode the key is not used: the emulator accepts any request.")
        self._fit_hints()

    async def _show_key_status(self) -> None:
        pid = self._pid()
        try:
            status = await self.studio.keys.status(pid)
        except Exception as exc:  # keyring backends can fail in odd ways; say so
            self.key_status.setText(f"Could not check the keyring: {exc}")
            return
        if pid == self._pid():
            self.key_status.setText(status.message)
            self._fit_hints()
            self.forget_button.setEnabled(status.has_key and status.source in ("keyring", "session") and not self.demo.isChecked())

    def _validate_urls(self) -> bool:
        problems = []
        for field, widget in (("base_url", self.base_url), ("upload_base_url", self.upload_base_url)):
            text = widget.text().strip()
            found = check_api_base_url(text, field) if text else []
            theme.set_invalid(widget, bool(found))
            problems += found
        self.base_url_error.setText(" ".join(p.message for p in problems))
        return not problems

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder", self.library_dir.text() or str(self.studio.library_dir))
        if folder:
            self.library_dir.setText(folder)

    # ------------------------------------------------------------------ actions
    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self._fit_hints()

    def _start_test_key(self) -> None:
        self.runner.run("test-key", self._test_key(), what="Testing the key", busy=self._testing,
                        on_error=self._test_failed)

    def _start_forget_key(self) -> None:
        self.runner.run("forget-key", self._forget_key(), what="Forgetting the key")

    def _confirm_reset_demo(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Reset the demo?",
                          "The demo forgets every clip, task, persona and upload it made, and its credits go back "
                          "to 500. Demo clips already in your library stay there, but can no longer be extended "
                          "or used for personas in the demo.", parent=self)
        reset = box.addButton("Reset demo", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.finished.connect(lambda _: box.clickedButton() is reset and self._start_reset_demo())
        self.reset_question = box
        box.open()

    def _start_reset_demo(self) -> None:
        self.demo_result.setText("Resetting the demo…")
        self.runner.run("reset-demo", self._reset_demo(), what="Resetting the demo",
                        busy=lambda busy: self.reset_demo_button.setEnabled(not busy),
                        on_error=self.demo_result.setText)

    async def _reset_demo(self) -> None:
        await self.ctx.reset_demo()
        self.demo_result.setText("The demo was reset: it starts again from nothing, with 500 credits.")
        self._fit_hints()
        try:
            await self.studio.credits.refresh()
        except StudioError as exc:
            log.info("credits after the demo reset: %s", exc)

    def _start_save(self) -> None:
        self.runner.run("save", self._save(), what="Saving the settings", busy=self._saving)

    def _testing(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)

    def _saving(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

    def _test_failed(self, text: str) -> None:
        self.test_result.setText(f"✗ {text}")
        theme.set_role(self.test_result, "error")

    async def _test_key(self) -> None:
        key = self.key.text().strip()
        self.test_result.setText("Asking the provider…")
        try:
            credits = await self.studio.test_key(
                self._pid(),
                key or None,
                base_url=self.base_url.text().strip() or None,
                upload_base_url=self.upload_base_url.text().strip() or None,
            )
        except StudioError as exc:
            self._test_failed(str(exc))
        else:
            self.test_result.setText(f"✓ The key works: {credits.total:,.0f} credits left.")
            theme.set_role(self.test_result, "hint")

    async def _forget_key(self) -> None:
        status = await self.studio.keys.delete(self._pid())
        self.key_status.setText(status.message)
        self.forget_button.setEnabled(False)

    async def _save(self) -> None:
        if not self._validate_urls():
            self.error.setText("Fix the server address first.")
            return
        pid = self._pid()
        settings = self.studio.settings
        demo = self.demo.isChecked()
        settings.default_models[pid.value] = self.model.currentData()
        settings.library_dir = self.library_dir.text().strip() or None
        for provider, chosen in self._auto_choice.items():
            for kind, on in chosen.items():
                if on != settings.auto_fetch_on(provider, kind):
                    settings.set_auto_fetch(provider, kind, on)
        if self.advanced.isChecked():
            for mapping, widget in ((settings.base_urls, self.base_url), (settings.upload_base_urls, self.upload_base_url)):
                text = widget.text().strip()
                if text:
                    mapping[pid.value] = text
                else:
                    mapping.pop(pid.value, None)
        else:
            settings.base_urls.pop(pid.value, None)
            settings.upload_base_urls.pop(pid.value, None)
        if demo and not settings.demo_base_url:
            settings.demo_base_url = await self.ctx.demo_base_url()
        try:
            await self.studio.configure(provider=pid, api_key=self.key.text().strip() or None, demo=demo)
        except StudioError as exc:
            self._show_error(str(exc))
            return
        self.key.clear()
        self.accept()
        # Owned by this (hidden) dialog, so closing the window cancels it: it must not
        # report into a window that is shutting down.
        self.runner.run("credits", self._refresh_credits())

    async def _refresh_credits(self) -> None:
        try:
            await self.studio.credits.refresh()
        except Exception as exc:
            self.ctx.bridge.notify.emit(f"Credits unavailable: {exc}")
