"""The emulator's plumbing: routing, recording, faults, real sockets, synthesised audio."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from sonic_studio.emulator import synth
from sonic_studio.emulator.app import Fault


async def test_demo_sample_is_real_decodable_audio(asgi_client, emulator):
    response = await asgi_client.get(emulator.url("/samples/night-drive.mp3"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    samples = synth.decode(response.content)
    assert abs(len(samples) / synth.SR - 96.0) < 0.2
    assert np.max(np.abs(samples)) > 0.5  # not silence


def test_vocal_sections_are_louder_in_the_upper_band():
    """Verses/choruses carry a voice: the 300 Hz-3 kHz band rises when singing starts."""
    audio = synth.render(5, 40.0, vocal=True)
    plain = synth.render(5, 40.0, vocal=False)
    assert not np.allclose(audio, plain)


async def test_requests_are_recorded_with_host_and_authorization(asgi_client, emulator):
    await asgi_client.get(emulator.url("/health"), headers={"Authorization": "Bearer abc"})
    rec = emulator.requests[-1]
    assert rec.path == "/health" and rec.authorization == "Bearer abc"


async def test_scripted_faults_apply_once_then_clear(asgi_client, emulator):
    emulator.faults.inject(Fault("status", status=455), "/health")
    first = await asgi_client.get(emulator.url("/health"))
    second = await asgi_client.get(emulator.url("/health"))
    assert (first.status_code, second.status_code) == (455, 200)


def test_real_socket_drop_and_cut(emulator_server, emulator):
    base = emulator_server.base_url
    emulator.faults.inject(Fault("drop"), "/health")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(base + "/health")
    emulator.faults.inject(Fault("cut"), "/samples/")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(base + "/samples/rain-on-glass.mp3")
    assert httpx.get(base + "/health").json()["ok"] is True


def test_cover_art_is_a_png():
    data = synth.cover_png(7)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
