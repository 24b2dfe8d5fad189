"""Issue 17: Qt's messages and the FFmpeg inside QtMultimedia write to the app's log, not the
terminal.  Both are checked in real processes: the player opening an MP3 the way the app does
(FFmpeg warns "Estimating duration from bitrate" about files without a Xing header), and the
app itself started in demo mode and stopped with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sonic_studio.emulator import synth
from sonic_studio.logs import LOG_NAME

PLAYER = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sonic_studio.logs import setup_logging
from sonic_studio.ui.qt_log import route_ffmpeg_output, route_qt_messages, stop_routing

route_qt_messages()
app = QApplication(sys.argv[:1])
setup_logging(Path(sys.argv[2]))
from sonic_studio.audio.player import Player

player = Player()
route_ffmpeg_output()
if not player.available:
    print("no player", flush=True)
    sys.exit(3)
player.durationChanged.connect(lambda seconds: seconds > 0 and QTimer.singleShot(200, app.quit))
player.load(sys.argv[1])
QTimer.singleShot(20000, app.quit)
app.exec()
print("duration", player.duration(), flush=True)
player.stop()
stop_routing()
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("QT_LOGGING_RULES", None)
    env.pop("SONIC_STUDIO_API_KEY", None)
    return env


def test_the_players_ffmpeg_writes_to_the_log_not_the_terminal(tmp_path):
    song = tmp_path / "song.mp3"
    song.write_bytes(synth.song_mp3(seed=3, seconds=6.0))
    data = tmp_path / "data"
    run = subprocess.run([sys.executable, "-c", PLAYER, str(song), str(data)], env=_env(), capture_output=True,
                         text=True, timeout=60)
    if run.returncode == 3:
        pytest.skip("QtMultimedia has no backend on this machine")
    assert run.returncode == 0, run.stderr
    assert "duration 6." in run.stdout or "duration 5." in run.stdout, run.stdout
    assert "[mp3 @" not in run.stderr and "Estimating duration" not in run.stderr, run.stderr
    assert "qt.multimedia" not in run.stderr, run.stderr
    logged = (data / "logs" / LOG_NAME).read_text("utf-8")
    assert "qt.ffmpeg: [mp3 @" in logged and "Estimating duration from bitrate" in logged, logged


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="signals and /proc as on Linux")
def test_the_app_keeps_the_terminal_quiet(tmp_path):
    code = "import sys; from sonic_studio.app import main; sys.exit(main())"
    app = subprocess.Popen([sys.executable, "-c", code, "--demo", "--data-dir", str(tmp_path / "data")], env=_env(),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "data" / "logs" / LOG_NAME
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Using Qt multimedia" not in (log.read_text("utf-8") if log.exists()
                                                                            else ""):
            time.sleep(0.1)  # QtMultimedia names its FFmpeg once the app's player exists
        assert "qt.multimedia.ffmpeg: Using Qt multimedia" in log.read_text("utf-8"), "the player never started"
        app.send_signal(signal.SIGTERM)
        out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0, err
    assert "qt.multimedia" not in err and "PulseAudio" not in err, err
