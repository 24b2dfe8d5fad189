"""Copy a finished clip's audio and cover art into the library, safely.

Provider URLs expire (sunoapi.org keeps files 14 days), so results are copied at
once.  A download either produces a complete, playable file at its final path or
nothing there: bytes go to a temporary file in the same folder, are size-capped,
checked against Content-Length, fsynced, checked to be audio that plays as long as the
provider said (a structural check, not a full decode: see ``_verify_audio``), and only
then renamed into place.  Downloads are plain GETs on the shared client without
the API key (CDNs need none, and must not receive it), http(s) only.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..core.validation import is_loopback
from .media import NotPlayable, structure_check
from .procs import pid_alive
from .redact import scrub

log = logging.getLogger(__name__)

MAX_AUDIO_BYTES = 300 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024
TIMEOUT = httpx.Timeout(60.0, connect=15.0)
# A download must keep up at least MIN_THROUGHPUT on average once GRACE has passed, or
# it gives up its slot (and is retried behind the others): a 1 byte/s CDN can neither
# hang a task nor starve every other download.  This also bounds each attempt by the
# file's size: GRACE + size / MIN_THROUGHPUT.
MIN_THROUGHPUT = 16 * 1024  # bytes per second; a 5 MB song may take 5 minutes at worst
GRACE = 30.0
# A clip this much shorter than the provider announced was cut off, even if it decodes.
SHORT_FRACTION = 0.8
SHORT_SECONDS = 3.0
# The first seconds of each download that its check decodes (all of a shorter clip);
# the rest is only demuxed (see _verify_audio).
DECODE_SECONDS = 30.0
CHECKS = 2
MAX_REDIRECTS = 5
PEEK_DRAIN = 16 * 1024 * 1024  # a link's file read whole when its server ignores Range (see ``peek``)
_AUDIO_EXTS = {".mp3", ".wav", ".m4a", ".ogg", ".flac", ".aac"}
_IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
_PARTIAL = ".partial-"


@dataclass(frozen=True)
class Peek:
    """The start of what a link serves: HTTP status, Content-Type (lower case, no parameters), bytes."""

    status: int
    content_type: str
    data: bytes


class DownloadError(Exception):
    """A download that did not produce a file; ``str()`` is for the clip's error line."""

    def __init__(self, message: str, *, transient: bool) -> None:
        self.transient = transient
        super().__init__(message)


class Downloader:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        concurrency: int = 4,
        attempts: int = 3,
        retry_delay: float = 1.0,
        check_audio: bool = True,
    ) -> None:
        self._client = client
        self._slots = asyncio.Semaphore(concurrency)
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._check_audio = check_audio
        # Checks of finished files, at most this many at once: on 2 cores, 200 downloads
        # finishing together must not become 200 checks competing with the UI.
        self._checks = asyncio.Semaphore(CHECKS)

    async def fetch(self, url: str, dest: Path, *, audio: bool, expected_seconds: float | None = None) -> Path:
        """Download ``url`` to ``dest`` (retrying transient failures); raises DownloadError.

        ``expected_seconds`` is the provider's duration: audio much shorter than that
        was cut off and is refused (transient, so a later "check again" fetches it).
        The check runs after the download slot is given back: the network keeps
        going while a file is looked at.
        """
        for attempt in range(1, self._attempts + 1):
            try:
                async with self._slots:
                    tmp = await self._fetch_once(url, dest, audio=audio)
                try:
                    if audio and self._check_audio:
                        async with self._checks:
                            await asyncio.get_running_loop().run_in_executor(
                                None, _verify_audio, tmp, expected_seconds)
                    os.replace(tmp, dest)
                finally:
                    tmp.unlink(missing_ok=True)
                return dest
            except DownloadError as exc:
                if not exc.transient or attempt == self._attempts:
                    raise
                log.info("download attempt %d failed (%s); retrying", attempt, exc)
                await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    async def _fetch_once(self, url: str, dest: Path, *, audio: bool) -> Path:
        """The body in a fsynced temporary file next to ``dest``; the caller renames or removes it."""
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DownloadError("The provider gave a link that is not http(s); not downloaded.", transient=False)
        limit = MAX_AUDIO_BYTES if audio else MAX_IMAGE_BYTES
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _new_partial(dest)
        try:
            with os.fdopen(fd, "wb") as handle:
                await self._stream(url, handle, limit)
                handle.flush()
                # fsync can take tens of milliseconds on a busy disk: not on the UI loop.
                await asyncio.get_running_loop().run_in_executor(None, os.fsync, handle.fileno())
            if tmp.stat().st_size == 0:
                raise DownloadError("The provider sent an empty file.", transient=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    async def _stream(self, url: str, handle, limit: int) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            # Explicitly no auth: the key belongs to the API host only.  Identity encoding:
            # audio does not compress, and Content-Length then counts the bytes we get.
            async with self._open(url) as response:
                if response.status_code != 200:
                    raise _status_error(response.status_code)
                declared = response.headers.get("content-length")
                expected = int(declared) if declared and declared.isdigit() else None
                if expected is not None and expected > limit:
                    raise DownloadError(f"The file is too large ({expected // 1_048_576} MB).", transient=False)
                # Content-Length counts the bytes on the wire, which differ from the decoded
                # ones when a host compresses anyway; the throughput rule counts them too.
                encoded = response.headers.get("content-encoding", "identity").strip().lower() != "identity"
                received = 0
                chunks = response.aiter_bytes()
                while True:
                    wire = response.num_bytes_downloaded if encoded else received
                    allowed = started + GRACE + wire / MIN_THROUGHPUT - loop.time()
                    try:
                        if allowed <= 0:
                            raise asyncio.TimeoutError
                        chunk = await asyncio.wait_for(anext(chunks), allowed)
                    except StopAsyncIteration:
                        break
                    except asyncio.TimeoutError:
                        raise _too_slow(wire, loop.time() - started) from None
                    received += len(chunk)
                    if received > limit:
                        raise DownloadError("The file is larger than any song should be; stopped.", transient=False)
                    handle.write(chunk)
                wire = response.num_bytes_downloaded if encoded else received
        except httpx.HTTPError as exc:
            raise DownloadError(f"The download broke off ({type(exc).__name__}).", transient=True) from None
        if expected is not None and wire != expected:
            raise DownloadError(f"The download was cut short ({wire} of {expected} bytes).", transient=True)


    async def peek(self, url: str, limit: int) -> Peek:
        """The first ``limit`` bytes behind a link (a partial GET), with its status and Content-Type.

        Used to check a link before a provider is charged for it; raises DownloadError when
        the link cannot be reached at all.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DownloadError("The link is not an http(s) link.", transient=False)
        data = bytearray()
        try:
            async with self._open(url, {"Range": f"bytes=0-{limit - 1}"}) as response:
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code < 400:
                    # Read to the end when the server honoured the range (206) or the file is
                    # small: httpx's stream iterators left half-read are finalised by the garbage
                    # collector outside any loop (qasync installs no async-generator hooks),
                    # which prints errors.  Only a large file sent whole is cut short.
                    declared = response.headers.get("content-length", "")
                    drain = response.status_code == 206 or (declared.isdigit() and int(declared) <= PEEK_DRAIN)
                    async for chunk in response.aiter_bytes():
                        if len(data) < limit:
                            data += chunk
                        elif not drain:
                            break
                return Peek(response.status_code, kind, bytes(data[:limit]))
        except httpx.HTTPError as exc:
            raise DownloadError(f"the connection failed ({type(exc).__name__})", transient=True) from None

    @asynccontextmanager
    async def _open(self, url: str, headers: dict[str, str] | None = None) -> AsyncIterator[httpx.Response]:
        """GET with redirects followed by hand, so none can lead into this machine or its network.

        CDNs redirect to signed URLs on other hosts, which is fine; a redirect to
        127.0.0.1:<another port> or a private address is a server trying to make us
        fetch from local services, so it is refused.
        """
        for _hop in range(MAX_REDIRECTS + 1):
            # Explicitly no auth: the key belongs to the API host only.  Identity encoding:
            # audio does not compress, and Content-Length then counts the bytes we get.
            request = self._client.build_request("GET", url, timeout=TIMEOUT,
                                                 headers={"Accept-Encoding": "identity", **(headers or {})})
            response = await self._client.send(request, stream=True)
            try:
                if not response.is_redirect:
                    yield response
                    return
                target = str(response.url.join(response.headers["location"]))
            finally:
                await response.aclose()
            _check_redirect(url, target)
            url = target
        raise DownloadError("The file host redirected too many times; not downloaded.", transient=False)


def _check_redirect(origin: str, target: str) -> None:
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError("The file host redirected to a link that is not http(s); not followed.",
                            transient=False)
    if _is_local(target) and _endpoint(target) != _endpoint(origin):
        raise DownloadError("The file host redirected to an address on this computer or its local network; "
                            "not followed.", transient=False)


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if is_loopback(url) or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_link_local or address.is_unspecified or address.is_reserved


def _endpoint(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def _too_slow(received: int, seconds: float) -> DownloadError:
    return DownloadError(
        f"The file host sent only {received // 1024} kB in {seconds:.0f} s, too slowly to finish; "
        "gave the download slot to others and will try again.",
        transient=True,
    )


def _verify_audio(path: Path, expected_seconds: float | None) -> None:
    """Refuse a file that is not audio, or audio cut off on the way; runs in an executor.

    A structural check, not a full decode (media.structure_check: every packet demuxed,
    the first DECODE_SECONDS decoded - all of a short clip) tells a song from an error
    page, a truncated body or a broken codec at a tenth of a full decode's cost; with
    200 downloads at once the full decode made the app CPU-bound (issue 16).
    """
    try:
        seconds = structure_check(path, DECODE_SECONDS)
    except NotPlayable as exc:
        raise DownloadError(f"The downloaded file is not playable audio ({exc}).", transient=False) from None
    _check_length(seconds, expected_seconds)


def _check_length(seconds: float | None, expected_seconds: float | None) -> None:
    """Refuse audio that decodes but is much shorter than the provider said (cut without a Content-Length)."""
    if not expected_seconds or expected_seconds <= SHORT_SECONDS:
        return
    if seconds is None:
        return  # ffmpeg could not run: logged by media._run; the file is kept
    if seconds < expected_seconds * SHORT_FRACTION and expected_seconds - seconds > SHORT_SECONDS:
        raise DownloadError(
            f"The download is only {seconds:.0f} s of the {expected_seconds:.0f} s song; it was cut off "
            "on the way. “Check again” fetches it again.",
            transient=True,
        )


def _status_error(status: int) -> DownloadError:
    if status in (403, 404, 410):
        return DownloadError(
            f"The file is no longer available at the provider (HTTP {status}); the link may have expired.",
            transient=False,
        )
    if status == 429 or status >= 500:
        return DownloadError(f"The file host is busy or failing (HTTP {status}).", transient=True)
    return DownloadError(f"The file host refused the download (HTTP {status}).", transient=False)


def partial_prefix() -> str:
    """Temp files carry our pid, so a later start can tell a dead process's leftovers from live work."""
    return f"{_PARTIAL}{os.getpid()}-"


def _new_partial(dest: Path) -> tuple[int, Path]:
    """An open, new temp file beside ``dest`` with the user's umask mode (0644 typical).

    ``tempfile.mkstemp`` creates 0600 files, and the renamed download kept that mode:
    the library's songs were unreadable to the user's other accounts and tools (a
    media server, a DAW run as another user), unlike any other file they save.
    """
    while True:
        path = dest.parent / f"{partial_prefix()}{secrets.token_hex(6)}{dest.suffix}"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), path
        except FileExistsError:
            continue


def sweep_partials(library: Path) -> int:
    """Delete half-written files left by processes that died (killed mid-download); returns the count.

    The GUI and the CLI may share a library, so files of a process that is still
    running are left alone.
    """
    removed = 0
    if not library.is_dir():
        return 0
    for path in library.rglob(f"{_PARTIAL}*"):
        try:
            pid = int(path.name[len(_PARTIAL):].split("-", 1)[0])
        except ValueError:
            continue
        if pid == os.getpid() or pid_alive(pid):
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def library_file(library: Path, provider: str, clip_id: str, title: str, url: str | None, *, audio: bool) -> Path:
    """A readable name that belongs to one clip only: ``<library>/<provider>/<title>-<id>-<hash>.<ext>``.

    The hash of provider and clip id makes the name one-to-one: ids that differ only in
    punctuation (``X.1``, ``X/1``, ``X 1``), or that sanitise to nothing (``..``, emoji),
    still get files of their own, so one clip's download can never replace another's.
    Everything a server sent is reduced to word characters (never a path), any known
    secret is masked first (a server may echo the key as a title or id), and the name
    is capped in UTF-8 bytes (file systems count bytes, not characters).  Files named
    by older versions stay where they are: the database keeps each clip's path.
    """
    ext = Path(urlsplit(url or "").path).suffix.lower()
    allowed = _AUDIO_EXTS if audio else _IMAGE_EXTS
    if ext not in allowed:
        ext = ".mp3" if audio else ".jpg"
    digest = hashlib.sha256(f"{provider}\0{clip_id}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
    slug = _fit(_words(scrub(title)).replace(" ", "-"), 60).strip("-") or "clip"
    safe_id = _fit(re.sub(r"[^\w\-]+", "_", scrub(clip_id)).strip("_"), 60)
    name = "-".join(part for part in (slug, safe_id, digest) if part)
    safe_provider = re.sub(r"[^\w\-]+", "_", provider)[:40] or "provider"
    return library / safe_provider / f"{name}{ext}"


def _words(text: str) -> str:
    return re.sub(r"[^\w\- ]+", "", text, flags=re.UNICODE).strip()


def _fit(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` that is at most ``max_bytes`` in UTF-8."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")
