"""Every keyboard shortcut of the app in one table: the menus are built from it, and so is
Help › Keyboard shortcuts, so the two cannot drift apart.

A row with a ``menu`` becomes a QAction in that menu of the main window (its ``name`` is
the action's key in ``MainWindow.actions``).  A row without one is a key that works in a
particular place (a text field, the library list, the waveform) and is only listed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortcut:
    name: str  # action key; unique
    text: str  # menu text or description
    keys: str  # QKeySequence text ("Ctrl+P"), or words for mouse gestures
    menu: str | None = None  # "File", "View", "Playback", "Help"; None: listed only
    where: str = ""  # for listed-only keys: where they work
    checkable: bool = False
    separator: bool = False  # a menu separator before it


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("open_audio", "&Open audio…", "Ctrl+O", "File"),
    Shortcut("export", "&Export the selected clip…", "Ctrl+Shift+E", "File"),
    Shortcut("settings", "&Settings…", "Ctrl+,", "File", separator=True),
    Shortcut("quit", "&Quit", "Ctrl+Q", "File", separator=True),
    Shortcut("undo", "&Undo", "Ctrl+Z", "Edit"),  # the library: rename, delete, keeper ★
    Shortcut("redo", "&Redo", "Ctrl+Shift+Z", "Edit"),
    Shortcut("tab_create", "Create", "Alt+1", "View"),
    Shortcut("tab_upload", "Upload", "Alt+2", "View"),
    Shortcut("tab_extend", "Extend / Cover", "Alt+3", "View"),
    Shortcut("tab_persona", "Persona", "Alt+4", "View"),
    Shortcut("tab_edit", "Edit", "Alt+5", "View"),
    Shortcut("toggle_library", "Library", "Ctrl+Shift+L", "View", separator=True),
    Shortcut("toggle_tasks", "Tasks", "Ctrl+Shift+T", "View"),
    Shortcut("search", "Search library", "Ctrl+F", "View"),
    Shortcut("beat_grid", "Beat grid", "Ctrl+Shift+G", "View", checkable=True),
    Shortcut("play", "Play / Pause", "Ctrl+P", "Playback"),
    Shortcut("ab", "A/B: switch take", "A", "Playback", separator=True),
    Shortcut("blind", "Blind A/B", "Ctrl+B", "Playback", checkable=True),
    Shortcut("keeper", "Mark keeper ★ (pick when blind)", "K", "Playback"),
    Shortcut("marker", "Add marker at playhead", "M", "Playback", separator=True),
    Shortcut("previous_marker", "Previous marker", ",", "Playback"),
    Shortcut("next_marker", "Next marker", ".", "Playback"),
    Shortcut("loop", "Loop", "L", "Playback", checkable=True, separator=True),
    Shortcut("clear_loop", "Clear loop region", "Shift+L", "Playback"),
    Shortcut("zoom_in", "Zoom in", "Ctrl+1", "Playback", separator=True),
    Shortcut("zoom_fit", "Fit whole clip", "Ctrl+2", "Playback"),
    Shortcut("zoom_out", "Zoom out", "Ctrl+3", "Playback"),
    Shortcut("mute", "Mute", "Ctrl+M", "Playback", checkable=True, separator=True),
    Shortcut("shortcuts", "&Keyboard shortcuts", "F1", "Help"),
    # Listed only: keys that belong to one place.
    Shortcut("space", "Play / Pause (outside text fields; on a focused button Space presses it)", "Space",
             where="Anywhere"),
    Shortcut("library_play", "Play the clip", "Return", where="Library list"),
    Shortcut("library_rename", "Rename the clip", "F2", where="Library list"),
    Shortcut("library_delete", "Delete (with undo)", "Del", where="Library list"),
    Shortcut("wave_click", "Play from there", "Click", where="Player waveform"),
    Shortcut("wave_loop", "Draw a loop region (drag its edges to change it)", "Shift+Drag", where="Player waveform"),
    Shortcut("wave_zoom", "Zoom around the cursor", "Ctrl+Wheel", where="Waveforms"),
    Shortcut("wave_scroll", "Scroll when zoomed (or middle-drag)", "Wheel", where="Waveforms"),
    Shortcut("wave_nudge", "Move by 0.1 s (Shift: 1 s)", "Left / Right", where="Waveforms"),
    Shortcut("wave_keys_zoom", "Zoom in / out / fit", "Ctrl+= / Ctrl+- / Ctrl+0", where="Focused waveform"),
    Shortcut("persona_generate", "New song with the persona", "Ctrl+G", where="Library › Personas"),
    Shortcut("persona_rename", "Rename / forget the persona", "F2 / Del", where="Library › Personas"),
    Shortcut("persona_audition", "Play the vocal range", "Shift+Space", where="Persona tab"),
    Shortcut("persona_suggest", "Suggest the vocal range (most sustained singing)", "Alt+V", where="Persona tab"),
    Shortcut("submit", "Send the request (after the cost is shown)", "Ctrl+Return", where="Upload, Extend, Persona"),
    Shortcut("create_lyrics", "Write lyrics for me", "Ctrl+L", where="Create tab"),
    Shortcut("create_boost", "Boost style", "Ctrl+Shift+B", where="Create tab"),
    Shortcut("create_tag", "Insert a section tag", "Ctrl+Shift+K", where="Lyrics editors"),
    Shortcut("edit_original", "Hear the original / the result / the seam", "Alt+O / Alt+R / Alt+S", where="Edit tab"),
    Shortcut("send_to_daw", "Send to DAW…", "Ctrl+Shift+D", where="Library list, clip details"),
    Shortcut("stems_mute", "Mute / solo the focused stem", "M / S", where="Stems window"),
    Shortcut("stems_export", "Export the ticked stems", "Ctrl+E", where="Stems window"),
    Shortcut("log_refresh", "Reload the log", "F5", where="What happened (log)"),
)

MENUS = ("File", "Edit", "View", "Playback", "Help")


def by_name(name: str) -> Shortcut:
    return next(s for s in SHORTCUTS if s.name == name)
