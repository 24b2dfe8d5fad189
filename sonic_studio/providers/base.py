"""The one interface both provider adapters implement, and the HTTP plumbing they share.

An adapter turns domain requests (``core.models``) into one provider's HTTP calls and
turns its replies - including every failure - back into domain results or the
``core.errors`` taxonomy.  Nothing above this layer sees httpx, JSON envelopes or
provider field names.

The request pipeline lives here, once (modelled on openai-python's ``_base_client``):
``_send`` sends (reading at most ``MAX_REPLY_BYTES``), ``_checked`` judges the HTTP status and the body's own code, and a
failed reply becomes a ``Failure`` that the adapter's ``_classify`` table turns into
the taxonomy.  Adapters supply only what differs: which body code means failure
(``_body_status``), where the provider's words are (``_provider_message``) and the
per-status table (``_classify``).

Security rules live here, once: base URLs must be https (plain http only for
loopback, i.e. the emulator); the API key is attached per request to provider hosts
only, never to CDN downloads; exceptions never carry the key or request headers.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from ..core.capabilities import ProviderCapabilities
from ..core.edits import AddLayerRequest, EditOp, MashupRequest, RemasterRequest, ReplaceSectionRequest, SampleRequest
from ..core.errors import (
    AuthError,
    InsufficientCreditsError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    StudioError,
    ValidationError,
)
from ..core.models import (
    AssetKind,
    AssetRequest,
    AssetResult,
    Clip,
    CoverRequest,
    Credits,
    ExtendRequest,
    GenerateRequest,
    LyricsResult,
    LyricWord,
    Persona,
    PersonaRequest,
    SubmitResult,
    TaskStatus,
    UploadCoverRequest,
    UploadExtendRequest,
)
from ..core.redaction import mask
from ..core.validation import Problem, check_api_base_url

ProgressCallback = Callable[[int, int], None]  # (bytes sent, total bytes)


@dataclass(frozen=True)
class Failure:
    """A reply that failed, as the adapter's classification table sees it.

    ``status`` is the number whose meaning decides the error: the HTTP status of a
    non-2xx reply (or the body code, for providers whose body code is the API's own
    word), else the error code a 2xx body carried.  ``message`` is the provider's own
    words, key already masked.
    """

    status: int
    code: int | None
    message: str | None
    body: Any
    response: httpx.Response

    def info(self, provider: str) -> dict[str, Any]:
        """The keyword arguments every ``StudioError`` built from this failure takes."""
        return {
            "provider": provider,
            "provider_message": self.message,
            "http_status": self.response.status_code,
            "code": self.code,
        }


DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Task, account and upload replies are a few kB (a task with hundreds of clips well under
# 1 MB).  A reply past this is read no further: a hostile or broken host once had a 50 MB
# JSON reply take 724 MB of memory while it was buffered and parsed.
MAX_REPLY_BYTES = 8 * 1024 * 1024
# One-stop upload endpoints can take 30-60 s before answering (contract 2.5).
SLOW_TIMEOUT = httpx.Timeout(120.0, connect=10.0)


class Provider(ABC):
    """Async adapter for one provider.  All methods raise ``StudioError`` subclasses only."""

    capabilities: ProviderCapabilities

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str | None = None,
        upload_base_url: str | None = None,
    ) -> None:
        self._client = client
        self._key = api_key
        self.base_url = (base_url or self.capabilities.base_url).rstrip("/")
        upload = upload_base_url or self.capabilities.upload_base_url
        self.upload_base_url = upload.rstrip("/") if upload else None
        for field, url in (("base_url", self.base_url), ("upload_base_url", self.upload_base_url)):
            if url:
                problems = check_api_base_url(url, field)
                if problems:
                    raise ValidationError(problems[0].message, field=field)

    def __repr__(self) -> str:  # never show the key
        return f"<{type(self).__name__} {self.base_url}>"

    @property
    def id(self):
        return self.capabilities.id

    # ------------------------------------------------------------------ operations
    @abstractmethod
    async def credits(self) -> Credits: ...

    @abstractmethod
    async def upload_url(self, url: str, *, duration: float | None = None, title: str = "") -> Clip:
        """Register a public audio URL as an uploaded clip the provider can extend/cover."""

    async def upload_file(self, path: Path, *, progress: ProgressCallback | None = None) -> Clip:
        """Host a local file and register it; only providers that accept bytes do this."""
        raise ValidationError(
            f"{self.capabilities.display_name} needs a public URL: it downloads the file itself, "
            "and it has no way to receive a file from this computer. Put the file somewhere public "
            "(your own web space or a file host) and paste its direct link.",
            field="file",
            provider=self.id.value,
        )

    @abstractmethod
    async def extend(self, request: ExtendRequest) -> SubmitResult: ...

    @abstractmethod
    async def cover(self, request: CoverRequest) -> SubmitResult: ...

    @abstractmethod
    async def upload_extend(self, request: UploadExtendRequest) -> SubmitResult: ...

    @abstractmethod
    async def upload_cover(self, request: UploadCoverRequest) -> SubmitResult: ...

    @abstractmethod
    async def generate(self, request: GenerateRequest) -> SubmitResult: ...

    @abstractmethod
    async def create_persona(self, request: PersonaRequest) -> Persona: ...

    @abstractmethod
    async def get_task(self, task_id: str) -> TaskStatus:
        """One poll.  Unknown provider states map to a not-finished state, never an error."""

    # ------------------------------------------------------------------ derived assets
    async def request_asset(self, request: AssetRequest) -> AssetResult:
        """Ask for a derived asset of a finished clip (usually paid).  Synchronous kinds
        come back finished; asynchronous ones carry ``task_id`` for ``asset_status``."""
        raise self.not_offered(request.kind)

    async def asset_status(self, kind: AssetKind, task_id: str) -> AssetResult:
        """One (free) poll of an asynchronous asset request."""
        raise self.not_offered(kind)

    def asset_problems(self, request: AssetRequest) -> list[Problem]:
        """What would make the provider refuse ``request``, checked here without sending."""
        return []

    def not_offered(self, kind: AssetKind) -> ValidationError:
        info = self.capabilities.deliverable(kind)
        return ValidationError(
            f"{self.capabilities.display_name} cannot make {kind.label} here ({info.note}).",
            field="kind",
            provider=self.id.value,
        )

    # ------------------------------------------------------------------ writing helpers
    async def write_lyrics(self, description: str) -> LyricsResult:
        """Ask the provider's lyrics writer for drafts from ``description`` (paid).  Finished at
        once, or pending with ``task_id`` for ``lyrics_status``."""
        raise self._no_helper("write lyrics")

    async def lyrics_status(self, task_id: str) -> LyricsResult:
        """One (free) poll of a pending lyrics request."""
        raise self._no_helper("write lyrics")

    async def boost_style(self, tags: str) -> str:
        """A richer style text made from ``tags`` (paid, synchronous)."""
        raise self._no_helper("boost a style")

    def _no_helper(self, what: str) -> ValidationError:
        return ValidationError(f"{self.capabilities.display_name} cannot {what} here.", provider=self.id.value)
    # ------------------------------------------------------------------ edit operations
    # Not every provider offers every edit; the catalog says which (capabilities.edit).
    async def replace_section(self, request: ReplaceSectionRequest) -> SubmitResult:
        raise self.edit_not_offered(EditOp.REPLACE_SECTION)

    async def add_layer(self, request: AddLayerRequest) -> SubmitResult:
        raise self.edit_not_offered(EditOp.ADD_VOCALS if request.vocals else EditOp.ADD_INSTRUMENTAL)

    async def remaster(self, request: RemasterRequest) -> SubmitResult:
        raise self.edit_not_offered(EditOp.REMASTER)

    async def mashup(self, request: MashupRequest) -> SubmitResult:
        raise self.edit_not_offered(EditOp.MASHUP)

    async def sample(self, request: SampleRequest) -> SubmitResult:
        raise self.edit_not_offered(EditOp.SAMPLE)

    def edit_not_offered(self, op: EditOp) -> ValidationError:
        info = self.capabilities.edit(op)
        return ValidationError(
            f"{self.capabilities.display_name} cannot {op.label.lower()} ({info.note}).",
            field="op",
            provider=self.id.value,
        )

    # ------------------------------------------------------------------ HTTP helpers
    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}"}

    async def _send(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        params: dict | None = None,
        files: Any = None,
        data: Any = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> httpx.Response:
        """Send with the key attached; transport failures become NetworkError.

        Only the provider's own hosts are ever passed here (callers build ``url`` from
        ``base_url``/``upload_base_url``), so the key cannot leak to a CDN.
        """
        request = self._client.build_request(
            method, url, json=json_body, params=params, files=files, data=data,
            headers=self._auth_headers(), timeout=timeout,
        )
        try:
            response = await self._client.send(request, stream=True)
            try:
                await self._read_capped(response)
            finally:
                await response.aclose()
            return response
        except httpx.TimeoutException as exc:
            raise NetworkError(
                "The provider did not answer in time. Your request may still be running; "
                "check the task list before trying again.",
                provider=self.id.value,
                provider_message=type(exc).__name__,
            ) from None
        except httpx.HTTPError as exc:
            raise NetworkError(provider=self.id.value, provider_message=type(exc).__name__) from None

    async def _read_capped(self, response: httpx.Response) -> None:
        """Read the (decoded) body, refusing it once it passes ``MAX_REPLY_BYTES``."""
        declared = response.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else 0  # refuse an announced giant unread
        parts: list[bytes] = []
        if size <= MAX_REPLY_BYTES:
            size = 0
            async for part in response.aiter_bytes():
                size += len(part)
                if size > MAX_REPLY_BYTES:
                    break
                parts.append(part)
        if size > MAX_REPLY_BYTES:
            raise MalformedResponseError(
                f"{self.capabilities.display_name} sent a reply larger than "
                f"{MAX_REPLY_BYTES // (1024 * 1024)} MB, far more than any task or account reply; "
                "it was not read to the end. This is a fault at the provider (or at whatever "
                "answered in its place); try again later.",
                provider=self.id.value,
                http_status=response.status_code,
            )
        # What httpx's own ``aread`` does, with the cap applied on the way.
        response._content = b"".join(parts)

    # ------------------------------------------------------------------ request pipeline
    # Adapters with a provider-specific code (sunoapi.org: the body ``code``) say so here.
    body_code_wins = False

    async def _request(
        self,
        method: str,
        url: str,
        *,
        table: str = "",
        json_body: Any = None,
        params: dict | None = None,
        files: Any = None,
        data: Any = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> dict[str, Any]:
        """Send and return the checked JSON object; every failure raised as the taxonomy.

        ``table`` names the adapter's classification table for endpoints whose codes
        mean something different (sunoapi.org's persona and upload hosts).
        """
        response = await self._send(
            method, url, json_body=json_body, params=params, files=files, data=data, timeout=timeout
        )
        return self._checked(response, table)

    def _checked(self, response: httpx.Response, table: str = "") -> dict[str, Any]:
        """A successful reply's JSON object: HTTP status first, then the body's own code."""
        if not response.is_success:
            raise self._failed(response, lenient_json(response), table)
        body = self._json(response)
        if not isinstance(body, dict):
            raise self._malformed("the reply is not a JSON object", response)
        if self._body_status(body, response) is None:
            return body
        raise self._failed(response, body, table)

    def _failed(self, response: httpx.Response, body: Any, table: str) -> StudioError:
        code = body.get("code") if isinstance(body, dict) else None
        code = code if is_int(code) else None
        if not response.is_success:
            status = code if self.body_code_wins and code is not None and code != 200 else response.status_code
        else:
            status = self._body_status(body, response) or 500
        text = self._provider_message(body) or _excerpt(response)
        failure = Failure(status, code, self._scrub(text), body, response)
        return self._classify(failure, table)

    def _body_status(self, body: dict[str, Any], response: httpx.Response) -> int | None:
        """None when a 2xx body reports success, else the error code it carries."""
        code = body.get("code")
        # HTTP 200 can still carry an error code in the body.
        return code if is_int(code) and code >= 400 else None

    def _provider_message(self, body: Any) -> str | None:
        """The provider's own words in an error body (adapters know where they are)."""
        if isinstance(body, dict):
            for key in ("message", "msg"):
                if isinstance(body.get(key), str) and body[key].strip():
                    return body[key]
        return None

    def _classify(self, failure: Failure, table: str) -> StudioError:
        """The per-status table: a failed reply -> one ``core.errors`` class.

        This is the plain HTTP reading; adapters override it with their provider's table.
        """
        info = failure.info(self.id.value)
        status = failure.status
        if status in (401, 403):
            return AuthError(**info)
        if status == 402:
            return InsufficientCreditsError(**info)
        if status == 404:
            return NotFoundError(**info)
        if status == 429:
            return RateLimitedError(retry_after=retry_after_seconds(failure.response), **info)
        if 400 <= status < 500:
            return ValidationError(
                f"{self.capabilities.display_name} did not accept the request: {failure.message or 'no reason given'}",
                **info,
            )
        return ServerError(**info)

    def _json(self, response: httpx.Response) -> Any:
        """The body as JSON, or MalformedResponseError quoting a short, safe excerpt."""
        try:
            return response.json()
        except (ValueError, RecursionError):  # JSONDecodeError, bad encodings, absurd nesting
            excerpt = response.text[:200] if response.content else "(empty body)"
            raise MalformedResponseError(
                provider=self.id.value,
                provider_message=self._scrub(excerpt),
                http_status=response.status_code,
            ) from None

    def _malformed(self, what: str, response: httpx.Response | None = None) -> MalformedResponseError:
        return MalformedResponseError(
            provider=self.id.value,
            provider_message=what,
            http_status=response.status_code if response is not None else None,
        )

    def _scrub(self, text: str | None) -> str | None:
        """Never let the key reach an exception, even if a server echoes it back."""
        return mask(text, [self._key]) if text else text


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def lenient_json(response: httpx.Response) -> Any:
    """The body as JSON when it is JSON (error bodies often are not); else None."""
    try:
        return response.json()
    except (ValueError, RecursionError):  # JSONDecodeError, bad encodings, absurd nesting
        return None


def _excerpt(response: httpx.Response) -> str | None:
    text = response.text.strip() if response.content else ""
    return text[:200] or None


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Parse Retry-After (seconds or HTTP date); None when absent or nonsense."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def as_float(value: Any) -> float | None:
    """Durations arrive as numbers or decimal strings ("104.88"); anything else is None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def lyric_word(item: Any, word: str, start: str, end: str, confidence: str) -> LyricWord | None:
    """One aligned word from a reply, read with that provider's field names; items
    without a word or usable times are skipped (None), never fatal."""
    if not isinstance(item, dict) or not isinstance(item.get(word), str):
        return None
    begin, finish = as_float(item.get(start)), as_float(item.get(end))
    if begin is None or finish is None or finish < begin:
        return None
    return LyricWord(item[word], begin, finish, as_float(item.get(confidence)))


def require_dict(value: Any, provider: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise MalformedResponseError(provider=provider, provider_message=f"{what} is not an object")
    return value


__all__ = [
    "Failure",
    "ProgressCallback",
    "Provider",
    "StudioError",
    "as_float",
    "as_text",
    "is_int",
    "lenient_json",
    "require_dict",
    "retry_after_seconds",
]
