"""The emulator's file host: generated audio and art under /cdn/, demo samples under /samples/.

Real providers serve results from a CDN that needs no key; the emulator does the same,
and tests check that the app never sends its key here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .http import Request, Response, json_response

if TYPE_CHECKING:  # app imports this module to register its routes
    from .app import Emulator
from . import synth

# Demo tracks a user can paste as "public URLs" in demo mode (the real providers cannot
# reach files on this computer, and the emulator mimics that).
SAMPLES = {
    "night-drive.mp3": dict(seed=11, seconds=96.0, vocal=True),
    "rain-on-glass.mp3": dict(seed=23, seconds=74.0, vocal=True),
    "long-take.mp3": dict(seed=37, seconds=545.0, vocal=False),  # over 8 minutes: rejected
}


def _ranged(request: Request, data: bytes, content_type: str) -> Response:
    """The file, or the part a ``Range: bytes=a-b`` header asks for (206), as CDNs answer."""
    match = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("range", "").strip())
    if match is None or int(match[1]) >= len(data):
        return Response(status=200, body=data, content_type=content_type)
    start = int(match[1])
    end = min(int(match[2]) if match[2] else len(data) - 1, len(data) - 1)
    return Response(status=206, body=data[start:end + 1], content_type=content_type,
                    headers={"Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes"})


def register(emu: Emulator) -> None:
    async def cdn(request: Request) -> Response:
        item = emu.media.get(request.path)
        if item is None:
            return Response(status=404, body=b"Not found", content_type="text/plain")
        return _ranged(request, item.data, item.content_type)

    async def sample(request: Request) -> Response:
        spec = SAMPLES.get(request.params["name"])
        if spec is None:
            return Response(status=404, body=b"Not found", content_type="text/plain")
        data = synth.song_mp3(**spec)
        return _ranged(request, data, "audio/mpeg")

    async def health(request: Request) -> Response:
        return json_response({"ok": True, "emulator": "sonic-studio"})

    emu.route("GET", "/cdn/{name}", cdn)
    emu.route("HEAD", "/cdn/{name}", cdn)
    emu.route("GET", "/samples/{name}", sample)
    emu.route("HEAD", "/samples/{name}", sample)
    emu.route("GET", "/health", health)
