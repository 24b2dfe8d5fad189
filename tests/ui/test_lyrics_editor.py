"""The lyrics editor on its own (app-free widget): section tags, one-step replacement, the count."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from sonic_studio.ui.widgets.lyrics_editor import SECTION_TAGS, LyricsEditor, count_text, section_tags


def test_the_menu_offers_the_usual_sections(qtbot):
    editor = LyricsEditor()
    qtbot.addWidget(editor)
    names = [a.text() for a in editor.section_menu.actions()]
    assert names == [f"[{n}]" for n in SECTION_TAGS]
    assert {"[Intro]", "[Verse]", "[Pre-Chorus]", "[Chorus]", "[Bridge]", "[Outro]"} <= set(names)


def test_a_section_goes_on_its_own_line_and_undoes_in_one_step(qtbot):
    editor = LyricsEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("first line\nsecond line")
    cursor = editor.textCursor()
    cursor.setPosition(len("first"))  # in the middle of the first line
    editor.setTextCursor(cursor)
    editor.section_menu.actions()[SECTION_TAGS.index("Chorus")].trigger()
    assert editor.toPlainText() == "first\n[Chorus]\n line\nsecond line"
    editor.undo()
    assert editor.toPlainText() == "first line\nsecond line"

    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    editor.insert_section("Bridge")
    assert editor.toPlainText().endswith("second line\n[Bridge]\n")
    assert section_tags(editor.toPlainText()) == ["[Bridge]"]


def test_replace_text_is_one_undo_step(qtbot):
    editor = LyricsEditor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor, "mine")
    editor.replace_text("[Verse]\ntheirs")
    assert editor.toPlainText() == "[Verse]\ntheirs"
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == "mine"


def test_the_count_follows_typing_and_becomes_a_sentence_when_over(qtbot):
    editor = LyricsEditor()
    qtbot.addWidget(editor)
    editor.set_limit(10)
    seen = []
    editor.countChanged.connect(lambda used, limit: seen.append((used, limit)))
    qtbot.keyClicks(editor, "abcdefghijk")
    assert seen[-1] == (11, 10) and editor.over_limit()
    assert count_text(9, 10) == "9 / 10 characters"
    assert count_text(5120, 5000) == ("The lyrics are 5,120 characters long, 120 more than the 5,000 this model "
                                      "takes. Shorten them before sending.")


def test_section_tags_are_highlighted(qtbot):
    editor = LyricsEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("[Verse]\nplain words")
    block = editor.document().firstBlock()
    formats = block.layout().formats()
    assert any(f.start == 0 and f.length == len("[Verse]") and f.format.fontWeight() >= 700 for f in formats)
    assert not editor.document().findBlockByNumber(1).layout().formats()


async def test_ctrl_shift_k_opens_the_section_menu_at_the_cursor(qtbot):
    from conftest import wait_until

    editor = LyricsEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    await wait_until(editor.section_menu.isVisible, 5)
    editor.section_menu.close()
