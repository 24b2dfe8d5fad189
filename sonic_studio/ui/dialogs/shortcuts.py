"""Help › Keyboard shortcuts: every key of the app, read from the same table the menus are
built from (``ui/shortcuts.py``), so a new shortcut shows up here without anyone
remembering to add it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..shortcuts import MENUS, SHORTCUTS, Shortcut


def key_text(shortcut: Shortcut) -> str:
    """The keys as this platform writes them in menus ("Ctrl+P"); gestures as written."""
    if shortcut.menu is None:
        return shortcut.keys
    return QKeySequence(shortcut.keys).toString(QKeySequence.SequenceFormat.NativeText)


def groups() -> list[tuple[str, list[Shortcut]]]:
    """(heading, rows): one group per menu, then one per place for the listed-only keys."""
    result = [(f"{menu} menu", [s for s in SHORTCUTS if s.menu == menu]) for menu in MENUS]
    places = list(dict.fromkeys(s.where for s in SHORTCUTS if s.menu is None))
    result += [(place, [s for s in SHORTCUTS if s.menu is None and s.where == place]) for place in places]
    return [(heading, rows) for heading, rows in result if rows]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(560, 640)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Keys", "What it does"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for heading, rows in groups():
            group = QTreeWidgetItem(self.tree, [heading, ""])
            group.setFirstColumnSpanned(True)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for shortcut in rows:
                QTreeWidgetItem(group, [key_text(shortcut), shortcut.text.replace("&", "")])
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def listed(self) -> list[tuple[str, str]]:
        """(keys, what) of every row shown, for tests."""
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            rows += [(group.child(j).text(0), group.child(j).text(1)) for j in range(group.childCount())]
        return rows
