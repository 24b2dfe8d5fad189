"""Serve an ``Emulator`` over real HTTP/1.1 on a loopback socket.

A deliberately small server on ``asyncio.start_server`` (no extra dependency): it
parses requests (Content-Length or chunked bodies, keep-alive), calls the emulator,
and can misbehave for real - hanging up before answering, or cutting a body short
after promising its full length - which is what reliability tests need and what an
in-process transport cannot show.  It only ever binds loopback addresses.
"""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import parse_qsl, urlsplit

from .app import Emulator, Request

_REASONS = {200: "OK", 202: "Accepted", 206: "Partial Content", 400: "Bad Request", 401: "Unauthorized", 402: "Payment Required",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 410: "Gone",
            413: "Payload Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests", 430: "Too Frequent",
            451: "Unavailable For Legal Reasons", 455: "Maintenance", 500: "Internal Server Error",
            502: "Bad Gateway", 504: "Gateway Timeout"}
MAX_BODY = 64 * 1024 * 1024


class EmulatorServer:
    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator only listens on loopback")
        self.emulator = emulator
        self.host = host
        self.port = port
        self._server: asyncio.AbstractServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self.emulator.public_base = self.base_url
        return self.base_url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def serve_forever(self) -> None:
        await self.start()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    # ---------------------------------------------------------------- thread mode
    def start_in_thread(self) -> str:
        """Run on a private event loop in a daemon thread; returns the base URL."""
        ready = threading.Event()

        def run() -> None:
            # Not new_event_loop(): under qasync the default loop type is a Qt loop, which
            # cannot run in a plain thread.
            self._loop = asyncio.SelectorEventLoop()
            self._loop.run_until_complete(self.start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self.stop())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="sonic-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("emulator did not start")
        return self.base_url

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    # ---------------------------------------------------------------- HTTP
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    break
                response = await self.emulator.handle(request)
                if response.drop:
                    break
                head_only = request.method == "HEAD"
                body = response.body
                headers = {
                    "Content-Type": response.content_type,
                    "Content-Length": str(len(body)),
                    **response.headers,
                }
                reason = _REASONS.get(response.status, "Status")
                lines = [f"HTTP/1.1 {response.status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                if not head_only:
                    if response.cut_after is not None:
                        writer.write(body[: response.cut_after])
                        await writer.drain()
                        break  # promised more than we send, then hang up
                    writer.write(body)
                await writer.drain()
                if request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        line = await reader.readline()
        if not line:
            return None
        try:
            method, target, _version = line.decode("latin-1").split(" ", 2)
        except ValueError:
            return None
        headers: dict[str, str] = {}
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await reader.readline()
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            body = b"".join(chunks)
        else:
            length = int(headers.get("content-length", "0") or 0)
            if length > MAX_BODY:
                raise ValueError("body too large")
            body = await reader.readexactly(length) if length else b""
        parts = urlsplit(target)
        return Request(
            method=method.upper(),
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers=headers,
            body=body,
            host=headers.get("host", ""),
        )
