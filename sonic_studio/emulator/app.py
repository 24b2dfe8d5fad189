"""The emulator's core: a tiny async router with a request log and a fault switch.

One ``Emulator`` serves both providers' contracts (``sonic.py`` and ``sunoapi.py``
register their routes here) plus a CDN for the audio and cover art it synthesises.
It is an ASGI app, so tests can talk to it in-process through
``httpx.ASGITransport``; ``server.py`` puts the same object on a real loopback socket
for demo mode and for tests that need real connections (dropped sockets, kills).

Every request is recorded (method, path, query, JSON/form body, which host it was sent
to and whether it carried a key) so tests can assert exactly what a provider would
have received.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .http import Handler, Request, Response, json_response
from .media import MediaStore


@dataclass
class Recorded:
    """One request as the emulator saw it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    form: dict[str, str]
    files: dict[str, tuple[str, int]]  # name -> (filename, size)
    host: str
    authorization: str | None  # the raw header, so tests can check where keys went
    time: float




@dataclass
class Fault:
    """One misbehaviour.  kind: latency | status | malformed | truncated | drop | cut | timeout."""

    kind: str
    status: int = 500
    seconds: float = 0.0
    body: Any = None
    retry_after: float | None = None


@dataclass
class _Planned:
    fault: Fault
    path_prefix: str
    method: str | None
    times: int


class FaultSwitch:
    """Scripted faults (next N requests to a path) and random faults (a rate per request).

    Tests script exact sequences; the soak uses ``randomize`` with a seed so a run can
    be repeated.  The switch is consulted before routing, so a fault replaces the
    provider's real answer as a broken network or server would.
    """

    def __init__(self) -> None:
        self._planned: list[_Planned] = []
        self._random: list[tuple[float, Fault, str]] = []
        self._rng = random.Random(0)
        self._lock = threading.Lock()

    def inject(self, fault: Fault, path_prefix: str = "", *, method: str | None = None, times: int = 1) -> None:
        with self._lock:
            self._planned.append(_Planned(fault, path_prefix, method, times))

    def randomize(self, faults: list[tuple[float, Fault]], *, path_prefix: str = "", seed: int = 0) -> None:
        with self._lock:
            self._rng = random.Random(seed)
            self._random = [(rate, fault, path_prefix) for rate, fault in faults]

    def clear(self) -> None:
        with self._lock:
            self._planned.clear()
            self._random.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for planned in self._planned:
                if path.startswith(planned.path_prefix) and planned.method in (None, method):
                    planned.times -= 1
                    if planned.times <= 0:
                        self._planned.remove(planned)
                    return planned.fault
            for rate, fault, prefix in self._random:
                if path.startswith(prefix) and self._rng.random() < rate:
                    return fault
        return None


@dataclass
class Timing:
    """How long emulated work takes, in seconds (demo mode is slower than tests)."""

    queue: float = 0.3  # pending before anything happens
    first_clip: float = 0.6  # first clip streams/finishes
    second_clip: float = 0.9  # second clip finishes (clips finish at different times)
    concat: float = 0.4  # extra time for auto_concat's full song
    upload: float = 0.0  # synchronous upload delay

    @classmethod
    def demo(cls) -> Timing:
        return cls(queue=2.0, first_clip=5.0, second_clip=7.0, concat=2.0, upload=1.0)

    @classmethod
    def instant(cls) -> Timing:
        return cls(queue=0.0, first_clip=0.0, second_clip=0.0, concat=0.0, upload=0.0)


class Emulator:
    """ASGI app implementing both provider contracts (see docs/contract-readings-sonic.md and docs/contract-readings-sunoapi.md)."""

    def __init__(
        self,
        *,
        timing: Timing | None = None,
        valid_keys: set[str] | None = None,
        credits: dict[str, float] | None = None,
        public_base: str = "http://127.0.0.1",
        seed: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timing = timing or Timing()
        # None = any non-empty key is accepted (demo mode); tests narrow it.
        self.valid_keys = valid_keys
        self.credits: dict[str, float] = {"sonic": 500.0, "sunoapi": 500.0, **(credits or {})}
        self.public_base = public_base.rstrip("/")
        self.clock = clock
        self.rng = random.Random(seed)
        self.faults = FaultSwitch()
        self.requests: list[Recorded] = []
        self.media = MediaStore()
        self._routes: list[tuple[str, re.Pattern, Handler]] = []
        self.lock = threading.RLock()
        # Providers keep their own state objects here (by provider id).
        self.state: dict[str, Any] = {}
        # Set on every change worth saving (a POST, a finished render); a StateKeeper clears it.
        self.dirty = False
        from . import cdn, deliverables, edits, sonic, sunoapi, writing  # the route modules (they import http, not us)

        cdn.register(self)
        sonic_api, suno_api = sonic.register(self), sunoapi.register(self)
        self.state["sonic_api"] = sonic_api  # a state folder re-renders clips through it
        deliverables.register_sonic(self, sonic_api)
        deliverables.register_sunoapi(self, suno_api)
        writing.register_sonic(self, sonic_api)  # the Create tab's lyrics and style helpers
        writing.register_sunoapi(self, suno_api)
        edits.register_sonic(self, sonic_api)  # edit operations (replace section, mashup, ...)
        edits.register_sunoapi(self, suno_api)

    # ------------------------------------------------------------------ routing
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` and a path like ``/api/v1/sonic/task/{task_id}``."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
        self._routes.append((method, regex, handler))

    def url(self, path: str) -> str:
        """Absolute URL of something this emulator serves (audio, art, samples)."""
        return f"{self.public_base}{path}"

    def submissions(self, path: str) -> list[Recorded]:
        """Recorded POSTs to exactly ``path`` - tests count these to prove nothing was sent twice."""
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    def last(self, path: str) -> Recorded:
        for rec in reversed(self.requests):
            if rec.path == path:
                return rec
        raise LookupError(f"no request to {path}")

    def key_ok(self, request: Request) -> bool:
        token = request.bearer
        if token is None:
            return False
        return self.valid_keys is None or token in self.valid_keys

    def charge(self, provider: str, amount: float) -> bool:
        with self.lock:
            if self.credits[provider] < amount:
                return False
            self.credits[provider] -= amount
            return True

    async def handle(self, request: Request) -> Response:
        self._record(request)
        if request.method not in ("GET", "HEAD"):
            self.dirty = True
        fault = self.faults.pick(request.method, request.path)
        if fault is not None:
            response = await self._apply_fault(fault, request)
            if response is not None:
                return response
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if match and method == request.method:
                request.params = match.groupdict()
                return await handler(request)
        if any(regex.match(request.path) for _, regex, _ in self._routes):
            return json_response({"code": 405, "msg": "Method not allowed", "message": "Method not allowed"}, 405)
        return json_response({"code": 404, "msg": "Not found", "message": "Not found"}, 404)

    async def _apply_fault(self, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
            return None  # then answer normally
        if fault.kind == "timeout":
            await asyncio.sleep(fault.seconds or 3600)
            return Response(drop=True)
        if fault.kind == "drop":
            return Response(drop=True)
        if fault.kind == "malformed":
            return Response(status=200, body=b"<html><body>Bad Gateway</body></html>", content_type="text/html")
        if fault.kind == "truncated":
            return Response(status=200, body=b'{"code": 200, "msg": "success", "data": {"taskId": "abc", "sta')
        if fault.kind == "cut":
            response = await self.handle_unfaulted(request)
            response.cut_after = max(1, len(response.body) // 2)
            return response
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        body = fault.body if fault.body is not None else {
            "code": fault.status,
            "msg": f"Emulated error {fault.status}",
            "message": f"Emulated error {fault.status}",
        }
        return json_response(body, fault.status, headers)

    async def handle_unfaulted(self, request: Request) -> Response:
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if match and method == request.method:
                request.params = match.groupdict()
                return await handler(request)
        return json_response({"code": 404, "msg": "Not found"}, 404)

    def _record(self, request: Request) -> None:
        fields_, files = ({}, {})
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            fields_, raw_files = request.form
            files = {name: (fname, len(data)) for name, (fname, data) in raw_files.items()}
        with self.lock:
            self.requests.append(
                Recorded(
                    method=request.method,
                    path=request.path,
                    query=dict(request.query),
                    json=request.json,
                    form=fields_,
                    files=files,
                    host=request.host,
                    authorization=request.headers.get("authorization"),
                    time=self.clock(),
                )
            )

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        request = Request(
            method=scope["method"],
            path=scope["path"],
            query=dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))),
            headers=headers,
            body=b"".join(chunks),
            host=headers.get("host", ""),
        )
        response = await self.handle(request)
        if response.drop:
            # What httpx raises when a real server hangs up, so in-process tests see the same.
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        out_headers = [
            (b"content-type", response.content_type.encode()),
            (b"content-length", str(len(response.body)).encode()),
        ]
        out_headers += [(k.encode(), v.encode()) for k, v in response.headers.items()]
        body = response.body if response.cut_after is None else response.body[: response.cut_after]
        await send({"type": "http.response.start", "status": response.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": body})
