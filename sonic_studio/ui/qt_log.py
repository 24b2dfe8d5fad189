"""Qt's own messages, and those of the FFmpeg inside QtMultimedia, go to the app's log.

Without this they went to the terminal (issue 17, "ffmpeg floods the terminal"): Qt's
multimedia backend names every optional library it does not find, and its FFmpeg prints a
warning or a stream summary for files the player opens.  They are about Qt's internals, so
they are logged under ``qt.*`` - at INFO, unless Qt or FFmpeg calls them errors - where
Help › What happened shows them beside the app's own lines.

FFmpeg's lines are taken with ``av_log_set_callback`` on the libavutil Qt ships, formatted
by FFmpeg itself (``av_log_format_line2``).  That needs ``va_list`` to travel as a pointer,
which holds on x86-64 and on Apple silicon but not on Linux/ARM; there, and wherever the
library is not found, FFmpeg is only told to keep its info chatter to itself.
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")
ffmpeg_log = logging.getLogger("qt.ffmpeg")

_AV_LOG_ERROR = 16
_AV_LOG_WARNING = 24
_LINE_BYTES = 1024
_AV_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)


class _State:
    avutil: ctypes.CDLL | None = None
    callback = None  # the ctypes callback FFmpeg holds: kept alive here


def route_qt_messages() -> None:
    """Send Qt's messages to the log (call before the QApplication exists: it has some)."""
    qInstallMessageHandler(_on_qt_message)


def route_ffmpeg_output() -> None:
    """Send QtMultimedia's FFmpeg output to the log.

    Call once a ``QMediaPlayer`` exists: the backend sets FFmpeg's log callback when it starts.
    """
    if _State.callback is not None:
        return
    avutil = _find_avutil()
    if avutil is None:
        return
    _State.avutil = avutil
    avutil.av_log_set_level(_AV_LOG_WARNING)  # the per-file stream summaries are INFO
    if _va_list_is_a_pointer():
        avutil.av_log_format_line2.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p,
                                               ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
        avutil.av_log_set_callback.argtypes = [ctypes.c_void_p]
        _State.callback = _AV_CALLBACK(_on_ffmpeg_line)
        avutil.av_log_set_callback(ctypes.cast(_State.callback, ctypes.c_void_p))


def stop_routing() -> None:
    """Give Qt and FFmpeg their own output back (before the interpreter goes away: FFmpeg's
    threads may still log, and must not call into Python then)."""
    qInstallMessageHandler(None)
    avutil = _State.avutil
    if avutil is not None and _State.callback is not None:
        avutil.av_log_set_callback(ctypes.cast(avutil.av_log_default_callback, ctypes.c_void_p))
        _State.callback = None


def _on_qt_message(kind: QtMsgType, context, message: str) -> None:
    category = getattr(context, "category", None) or ""
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        level = logging.ERROR
    elif kind == QtMsgType.QtWarningMsg and not category.startswith("qt.multimedia") and "PulseAudio" not in message:
        level = logging.WARNING  # e.g. a layout or connection mistake of ours
    elif kind == QtMsgType.QtDebugMsg:
        level = logging.DEBUG
    else:
        level = logging.INFO
    name = category if category.startswith("qt.") else "qt"
    logging.getLogger(name).log(level, "%s", message)


def _on_ffmpeg_line(avcl, level: int, fmt: bytes, args) -> None:
    avutil = _State.avutil
    if avutil is None or level > _AV_LOG_WARNING:
        return
    line = ctypes.create_string_buffer(_LINE_BYTES)
    prefix = ctypes.c_int(1)
    avutil.av_log_format_line2(avcl, level, fmt, args, line, _LINE_BYTES, ctypes.byref(prefix))
    text = line.value.decode("utf-8", "replace").strip()
    if text:
        ffmpeg_log.log(logging.WARNING if level <= _AV_LOG_ERROR else logging.INFO, "%s", text)


def _find_avutil() -> ctypes.CDLL | None:
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
    names = ("libavutil.so.*", "libavutil.*.dylib", "avutil-*.dll")
    for pattern in names:
        for candidate in sorted(folder.glob(pattern)):
            try:
                return ctypes.CDLL(str(candidate))
            except OSError:
                continue
    return None


def _va_list_is_a_pointer() -> bool:
    machine = platform.machine().lower()
    return machine in ("x86_64", "amd64") or (sys.platform == "darwin" and machine == "arm64")
