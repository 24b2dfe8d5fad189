"""The studio's look: Fusion with a dark palette, two accents, and an 8 px rhythm.

Audio tools are dark because waveforms read better on dark.  Colours live here once;
widgets ask for ``ACCENT``/``PERSONA`` instead of inventing their own, so the whole
app stays one family.  The style sheet only adds what the palette cannot express
(rounded panels, badges, hint and error labels).
"""

from __future__ import annotations

import html

from PySide6.QtGui import QColor, QFont, QPalette, Qt
from PySide6.QtWidgets import QApplication

from ..resources import resource

BACKGROUND = "#16181d"
PANEL = "#1d2027"
PANEL_RAISED = "#252932"
BORDER = "#2f3440"
TEXT = "#e6e8ee"
TEXT_DIM = "#9aa1b2"
ACCENT = "#4cc2ff"  # selection, playhead, primary buttons
PERSONA = "#ff8a4c"  # persona range, persona badges
SUCCESS = "#5fd38d"
WARNING = "#f2c14e"
ERROR = "#ff6b6b"
DEMO = "#b48cff"

SPACING = 8
# A dark tick for checked boxes, drawn on the accent fill.
CHECK_SVG = str(resource("icons", "check-dark.svg")).replace("\\", "/")

_QSS = f"""
QMainWindow, QDialog {{ background: {BACKGROUND}; }}
QToolTip {{ color: {TEXT}; background: {PANEL_RAISED}; border: 1px solid {BORDER}; padding: 4px 6px; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; border-radius: 8px; top: -1px; background: {PANEL}; }}
QTabBar::tab {{ background: transparent; color: {TEXT_DIM}; padding: 8px 18px; margin-right: 2px;
               border-bottom: 2px solid transparent; font-weight: 500; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; }}
QTabBar::tab:hover {{ color: {TEXT}; }}
QDockWidget {{ color: {TEXT_DIM}; font-weight: 600; }}
QDockWidget::title {{ padding: 6px 8px; background: {BACKGROUND}; }}
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
    background: {BACKGROUND}; border: 1px solid {BORDER}; border-radius: 6px; padding: 5px 8px;
    selection-background-color: {ACCENT}; selection-color: #0b0d12; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{
    border: 1px solid {ACCENT}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QDoubleSpinBox[invalid="true"] {{ border: 1px solid {ERROR}; }}
QPushButton {{ background: {PANEL_RAISED}; border: 1px solid {BORDER}; border-radius: 6px; padding: 6px 14px; color: {TEXT}; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:pressed {{ background: {BORDER}; }}
QPushButton:disabled {{ color: #5d6374; border-color: #262a33; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: #0b0d12; border: none; font-weight: 600; padding: 8px 20px; }}
QPushButton[primary="true"]:hover {{ background: #74d0ff; }}
QPushButton[primary="true"]:disabled {{ background: #2a3b47; color: #6f8796; }}
QToolButton {{ border: none; border-radius: 6px; padding: 4px; }}
QToolButton:hover {{ background: {PANEL_RAISED}; }}
QToolButton:checked {{ background: {BORDER}; }}
QTableView, QListView, QTreeView {{ background: {PANEL}; alternate-background-color: #20242c; border: none;
    selection-background-color: #24455a; selection-color: {TEXT}; gridline-color: {BORDER}; }}
QHeaderView::section {{ background: {PANEL}; color: {TEXT_DIM}; border: none; border-bottom: 1px solid {BORDER};
    padding: 6px 8px; font-weight: 600; }}
QSlider::groove:horizontal {{ height: 4px; background: {BORDER}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {TEXT}; width: 14px; height: 14px; margin: -5px 0; border-radius: 7px; }}
QProgressBar {{ background: {BACKGROUND}; border: 1px solid {BORDER}; border-radius: 4px; height: 8px; text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QStatusBar {{ background: {BACKGROUND}; color: {TEXT_DIM}; }}
QStatusBar::item {{ border: none; }}
QMenuBar {{ background: {BACKGROUND}; }}
QMenu {{ background: {PANEL_RAISED}; border: 1px solid {BORDER}; }}
QMenu::item:selected {{ background: #24455a; }}
QGroupBox {{ border: 1px solid {BORDER}; border-radius: 8px; margin-top: 14px; padding: 10px 8px 8px 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {TEXT_DIM}; font-weight: 600; }}
QCheckBox::indicator, QRadioButton::indicator, QGroupBox::indicator {{ width: 16px; height: 16px; border: 1px solid #566074;
    background: {BACKGROUND}; border-radius: 4px; }}
QRadioButton::indicator {{ border-radius: 8px; }}
QCheckBox::indicator:hover, QRadioButton::indicator:hover {{ border-color: {ACCENT}; }}
QCheckBox::indicator:checked, QGroupBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; image: url({CHECK_SVG}); }}
QRadioButton::indicator:checked {{ background: {ACCENT}; border: 1px solid {ACCENT}; }}
QCheckBox::indicator:disabled {{ border-color: #2f3440; }}
/* Focus rings: where the keyboard is must show at a glance (Tab, Space, arrows). */
QPushButton:focus {{ border: 2px solid {ACCENT}; padding: 5px 13px; }}
QPushButton[primary="true"]:focus {{ border: 2px solid {TEXT}; padding: 6px 18px; }}
QToolButton:focus {{ border: 1px solid {ACCENT}; }}
QCheckBox:focus, QRadioButton:focus {{ color: {ACCENT}; }}
QCheckBox::indicator:focus, QRadioButton::indicator:focus {{ border: 2px solid {ACCENT}; }}
QSlider::handle:horizontal:focus {{ background: {ACCENT}; }}
QTableView:focus, QListView:focus, QTreeView:focus {{ border: 1px solid {ACCENT}; }}
QLabel[role="hint"] {{ color: {TEXT_DIM}; }}
QLabel[role="error"] {{ color: {ERROR}; }}
QLabel[role="warning"] {{ color: {WARNING}; }}
QLabel[role="success"] {{ color: {SUCCESS}; }}
QLabel[role="title"] {{ font-size: 16pt; font-weight: 600; }}
QLabel[role="badge"] {{ background: {PANEL_RAISED}; border: 1px solid {BORDER}; border-radius: 9px; padding: 1px 8px; }}
QLabel[role="demo"] {{ background: {DEMO}; color: #14101c; border-radius: 9px; padding: 1px 8px; font-weight: 700; }}
QLabel[role="empty"] {{ color: {TEXT_DIM}; font-size: 11pt; }}
QFrame[role="card"] {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 8px; }}
QFrame[role="playerbar"] {{ background: {PANEL}; border-top: 1px solid {BORDER}; }}
"""


def apply(app: QApplication) -> None:
    """Fusion + dark palette + the style sheet, for the whole application."""
    app.setStyle("Fusion")
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: BACKGROUND,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BACKGROUND,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: PANEL_RAISED,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#6b7285",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: PANEL_RAISED,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#0b0d12",
        QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.Mid: BORDER,
        QPalette.ColorRole.Dark: "#101216",
        QPalette.ColorRole.Light: PANEL_RAISED,
    }
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5d6374"))
    app.setPalette(palette)
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(_QSS)


def label(text: str = "", role: str | None = None, *, wrap: bool = True):
    """A QLabel that shows its text literally (server text must never become rich text)."""
    from PySide6.QtCore import Qt as CoreQt
    from PySide6.QtWidgets import QLabel

    widget = QLabel(text)
    widget.setTextFormat(CoreQt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    if role:
        set_role(widget, role)
    return widget


def set_role(widget, role: str) -> None:
    """Give a widget a style role (hint, error, badge…) and refresh its style."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def plain_tip(text: str | None) -> str:
    """A tooltip that shows ``text`` literally.

    Qt guesses whether a tooltip is rich text, so a clip titled ``<b>x</b>`` (or with
    an ``<img>``) from a server would be rendered as HTML.  Escaping and wrapping in
    ``<qt>`` forces rich text whose content is the text itself.
    """
    if not text:
        return ""
    if not Qt.mightBeRichText(text):
        return text  # Qt will show it as plain text anyway
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def name_field_buttons(field, icon_name: str) -> None:
    """Screen-reader names for a line edit's icon-only buttons: its clear button, and its
    leading icon (``icon_name``, e.g. "Search")."""
    from PySide6.QtWidgets import QToolButton

    for button in field.findChildren(QToolButton):
        action = button.defaultAction()
        clear = action is not None and action.objectName() == "_q_qlineeditclearaction"
        button.setAccessibleName("Clear" if clear else icon_name)


def set_invalid(widget, invalid: bool) -> None:
    """Red border on a field whose content is not acceptable."""
    if widget.property("invalid") == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
