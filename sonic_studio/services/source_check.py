"""Is a link really audio?  Asked before a provider is charged for it.

Why: a web page's link was "uploaded" as a clip with no audio (sunoapi.org takes the
link as it is; the AI Music API charges its upload and then fails).  So before any
upload, upload-extend or upload-cover by link, we fetch the first bytes ourselves (a
partial GET), refuse error pages, web pages and text by their status and Content-Type,
and decode those bytes with ffmpeg.  Each refusal is one sentence a person can act on.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..audio.probe import probe
from ..core.errors import ValidationError
from .downloads import Downloader, DownloadError

log = logging.getLogger(__name__)

PEEK_BYTES = 256 * 1024  # ~16 s of a 128 kbit/s MP3: enough to decode a second of anything
_WEB_PAGES = {"text/html", "application/xhtml+xml"}
_NOT_AUDIO = ("text/", "image/", "application/json", "application/xml", "application/pdf", "application/zip")


async def check_audio_link(downloader: Downloader, url: str, field: str = "url") -> None:
    """Raise ValidationError unless ``url`` serves audio that decodes."""
    name = unquote(Path(urlsplit(url).path).name) or "the link"
    try:
        peek = await downloader.peek(url, PEEK_BYTES)
    except DownloadError as exc:
        log.info("source link %s not reachable: %s", url, exc)
        raise ValidationError(f"The link could not be opened from this computer ({exc}). Check that it is "
                              "complete and public, then try again. Nothing was sent or charged.",
                              field=field) from None
    if peek.status in (404, 410):
        raise ValidationError(f"There is no file at that link (the server answered {peek.status}, "
                              "not found). Check the link; nothing was sent or charged.", field=field)
    if peek.status >= 400:
        raise ValidationError(f"The server behind that link refused to hand out the file (it answered "
                              f"{peek.status}). Use a public link to the audio file; nothing was sent or charged.",
                              field=field)
    if peek.content_type in _WEB_PAGES:
        raise ValidationError("That link opens a web page, not an audio file. Use a link that leads straight "
                              "to the file (it usually ends in .mp3 or .wav); nothing was sent or charged.",
                              field=field)
    if peek.content_type.startswith(_NOT_AUDIO):
        raise ValidationError(f"That link serves {peek.content_type}, not audio. Use a link that leads straight "
                              "to the audio file; nothing was sent or charged.", field=field)
    if not peek.data:
        raise ValidationError("The file at that link is empty; nothing was sent or charged.", field=field)
    problem = await asyncio.get_running_loop().run_in_executor(None, _decode_problem, peek.data)
    if problem is not None:
        log.info("source link %s (%s, %s) not audio: %s", url, peek.status, peek.content_type or "no type", problem)
        raise ValidationError(f"{name} is not audio that can be played (its first part could not be decoded). "
                              "Use a link to an MP3, WAV, FLAC, OGG or M4A file; nothing was sent or charged.",
                              field=field)


def _decode_problem(data: bytes) -> str | None:
    """ffmpeg's objection to the first bytes, or None when they decode as audio."""
    with tempfile.TemporaryDirectory(prefix="sonic-link-") as folder:
        path = Path(folder) / "start"
        path.write_bytes(data)
        try:
            probe(path, timeout=20)
        except ValidationError as exc:
            return str(exc)
    return None
