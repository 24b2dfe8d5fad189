"""MPRIS: the desktop's media controls drive the real window's player over D-Bus.

A private session bus (``dbus-daemon --session``) and ``gdbus``, the client the
desktop's own tools use; the calls run in a thread so the window keeps serving them.
Skipped, with the reason, where dbus-daemon or gdbus is not installed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess

import pytest
from conftest import wait_until
from PySide6.QtDBus import QDBusConnection

from sonic_studio.audio.player import PlayState
from sonic_studio.core.models import GenerationParams
from sonic_studio.store import TaskState
from sonic_studio.ui.components.mpris import OBJECT_PATH, SERVICE, MprisService

pytestmark = pytest.mark.skipif(not (shutil.which("dbus-daemon") and shutil.which("gdbus")),
                                reason="needs dbus-daemon and gdbus (a D-Bus session bus) to test MPRIS")


@pytest.fixture
def session_bus():
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = proc.stdout.readline().strip()
    bus = QDBusConnection.connectToBus(address, f"mpris-test-{id(proc)}")
    assert bus.isConnected(), bus.lastError().message()
    yield address, bus
    QDBusConnection.disconnectFromBus(bus.name())
    proc.terminate()
    proc.wait(timeout=10)


async def gdbus(address: str, *args: str) -> str:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    command = ["gdbus", "call", "--session", "--dest", SERVICE, "--object-path", OBJECT_PATH, "--timeout", "10", *args]
    done = await asyncio.get_running_loop().run_in_executor(
        None, lambda: subprocess.run(command, env=env, capture_output=True, text=True, timeout=20))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def get(address: str, iface: str, prop: str) -> str:
    return await gdbus(address, "--method", "org.freedesktop.DBus.Properties.Get", iface, prop)


async def call(address: str, method: str) -> str:
    return await gdbus(address, "--method", f"org.mpris.MediaPlayer2.Player.{method}")


async def test_media_controls_play_pause_next_and_read_status_and_metadata(window, ctx, session_bus, qtbot):
    address, bus = session_bus
    params = GenerationParams(model=ctx.studio.capabilities.default_model, lyrics="[Verse]\nneon on the water",
                              tags="synthwave", title="Night Drive")
    task = await ctx.studio.tasks.submit_generate(params)
    done = await ctx.studio.tasks.wait(task.id, timeout=30)
    assert done.state is TaskState.SUCCEEDED
    take1, take2 = done.clip_ids
    await wait_until(lambda: window.library.model.row_of(take1) is not None
                     and window.library.model.row_of(take2) is not None)
    model = window.library.model
    first, second = model.clip_at(0).id, model.clip_at(1).id  # the list's order (newest first)
    assert {first, second} == {take1, take2}
    window.library.select_clip(first)
    await wait_until(lambda: window.player_bar.clip_id == first and ctx.player.source is not None)

    service = MprisService(ctx, window.mpris.actions, window, bus=bus)  # the window's own actions
    assert service.publish() and service.name == SERVICE
    try:
        assert await get(address, "org.mpris.MediaPlayer2", "Identity") == "(<'Sonic Studio'>,)"
        assert await get(address, "org.mpris.MediaPlayer2.Player", "PlaybackStatus") == "(<'Stopped'>,)"
        meta = await get(address, "org.mpris.MediaPlayer2.Player", "Metadata")
        take = 1 if first == take1 else 2
        assert f"'xesam:title': <'Night Drive (take {take})'>" in meta and "'xesam:artist': <['Sonic Studio']>" in meta
        assert "'mpris:length'" in meta and "'mpris:artUrl': <'file://" in meta

        await call(address, "PlayPause")
        await wait_until(lambda: ctx.player.state() == PlayState.PLAYING)
        assert await get(address, "org.mpris.MediaPlayer2.Player", "PlaybackStatus") == "(<'Playing'>,)"

        # Next: the following clip of the list, still playing; Previous: back.
        await call(address, "Next")
        await wait_until(lambda: ctx.selected_clip == second and window.player_bar.clip_id == second
                         and ctx.player.state() == PlayState.PLAYING)
        await call(address, "Previous")
        await wait_until(lambda: ctx.selected_clip == first and ctx.player.state() == PlayState.PLAYING)

        await call(address, "Pause")
        await wait_until(lambda: ctx.player.state() == PlayState.PAUSED)
        assert await get(address, "org.mpris.MediaPlayer2.Player", "PlaybackStatus") == "(<'Paused'>,)"
        await call(address, "Play")
        await wait_until(lambda: ctx.player.state() == PlayState.PLAYING)
    finally:
        service.unpublish()
        ctx.player.stop()
