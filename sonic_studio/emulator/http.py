"""The emulator's HTTP vocabulary: a request, a response, and a route handler's type.

Its own module so the route modules (``sonic``, ``sunoapi``, ``cdn``, ``deliverables``)
need not import ``app``, which imports them to register their routes: no import cycle.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    host: str = ""
    params: dict[str, str] = field(default_factory=dict)  # path parameters

    _json: Any = None
    _json_error: bool = False
    _form: tuple[dict[str, str], dict[str, tuple[str, bytes]]] | None = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        if self._json is None and not self._json_error and self.body:
            try:
                self._json = json.loads(self.body)
            except (ValueError, UnicodeDecodeError):
                self._json_error = True
        return self._json

    @property
    def form(self) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
        """multipart/form-data as (fields, files{name: (filename, bytes)})."""
        if self._form is None:
            self._form = parse_multipart(self.headers.get("content-type", ""), self.body)
        return self._form

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
            return token or None
        return None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # Faults: close the connection after sending this many body bytes (None = all).
    cut_after: int | None = None
    drop: bool = False  # close without any response at all


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, body=json.dumps(obj).encode(), headers=dict(headers or {}))


Handler = Callable[[Request], Awaitable[Response]]


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Minimal multipart/form-data parser (stdlib email), enough for the upload host."""
    if not content_type.startswith("multipart/form-data"):
        return {}, {}
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = (filename, payload)
        else:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files
