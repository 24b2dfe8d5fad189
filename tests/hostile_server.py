"""A deliberately unkind file host on 127.0.0.1 for the hostile-conditions tests.

Real sockets, real HTTP/1.1 (so httpx's own decoding, redirects and timeouts are what
is tested), but every behaviour is bounded: it binds to loopback only, each slow
response ends after a fixed number of ticks, and the server closes itself after
``lifetime`` seconds even if a test forgets to.  Routes are plain coroutines that
write one response; the helpers below build the unkind ones.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]


class HostileServer:
    def __init__(self, lifetime: float = 60.0) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, lower-cased headers)
        self._lifetime = lifetime
        self._server: asyncio.AbstractServer | None = None
        self._handlers: set[asyncio.Task] = set()
        self.port = 0

    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._stop = asyncio.get_running_loop().call_later(self._lifetime, self._server.close)
        return self

    async def __aexit__(self, *exc) -> None:
        self._stop.cancel()
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._handlers.add(asyncio.current_task())
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            self.requests.append((path, headers))
            handler = self.routes.get(path.split("?")[0], respond(b"Not found", status=404))
            await handler(writer)
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            self._handlers.discard(asyncio.current_task())
            writer.close()


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(_head(status, {"Content-Length": str(len(body)), **(headers or {})}) + body)
        await writer.drain()

    return handler


def gzipped(body: bytes) -> Handler:
    """A valid file sent with Content-Encoding: gzip whatever the client asked for."""
    packed = gzip.compress(body)
    return respond(packed, headers={"Content-Encoding": "gzip", "Content-Type": "audio/mpeg"})


def cut_without_length(body: bytes, keep: float) -> Handler:
    """Only the first ``keep`` fraction, no Content-Length, then the connection closes."""
    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, {"Content-Type": "audio/mpeg"}) + body[: int(len(body) * keep)])
        await writer.drain()

    return handler


def dribble(body: bytes, *, per_tick: int = 1, tick: float = 0.1, ticks: int = 600) -> Handler:
    """Announce the whole file, then send ``per_tick`` bytes per ``tick`` for at most ``ticks`` ticks."""
    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, {"Content-Length": str(len(body)), "Content-Type": "audio/mpeg"}))
        for n in range(min(ticks, len(body) // per_tick)):
            writer.write(body[n * per_tick:(n + 1) * per_tick])
            await writer.drain()
            await asyncio.sleep(tick)

    return handler


def redirect(location: str) -> Handler:
    return respond(b"", status=302, headers={"Location": location})


def flood(total: int, *, announce: bool = False, sent: list[int] | None = None) -> Handler:
    """A JSON reply of ``total`` bytes (a huge string field), built lazily from one small chunk.

    Without ``announce`` there is no Content-Length (the body ends when the connection
    closes), so only a reader that counts can stop early.  ``sent`` collects the bytes
    actually written before the client hung up.
    """
    head, tail, chunk = b'{"code": 200, "data": [{"title": "', b'"}]}', b"x" * 65536
    async def handler(writer: asyncio.StreamWriter) -> None:
        headers = {"Content-Type": "application/json"}
        if announce:
            headers["Content-Length"] = str(total)
        writer.write(_head(200, headers) + head)
        written = len(head)
        while written < total - len(tail):
            part = chunk[: total - len(tail) - written]
            writer.write(part)
            await writer.drain()
            written += len(part)
            if sent is not None:
                sent[0] = written
        writer.write(tail)
        await writer.drain()

    return handler
