"""The one interface both provider adapters implement, and the HTTP plumbing they share.

An adapter turns domain requests (``core.models``) into one provider's HTTP calls and
turns its replies - including every failure - back into domain results or the
``core.errors`` taxonomy.  Nothing above this layer sees httpx, JSON envelopes or
provider field names.

Security rules live here, once: base URLs must be https (plain http only for
loopback, i.e. the emulator); the API key is attached per request to provider hosts
only, never to CDN downloads; exceptions never carry the key or request headers.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable
from datetime import datetime, timezone

import httpx

from ..core.capabilities import ProviderCapabilities
from ..core.errors import (
    MalformedResponseError,
    NetworkError,
    SonicError,
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
    LyricWord,
    Persona,
    PersonaRequest,
    SubmitResult,
    TaskStatus,
    UploadCoverRequest,
    UploadExtendRequest,
)
from ..core.validation import Problem, check_api_base_url

ProgressCallback = Callable[[int, int], None]  # (bytes sent, total bytes)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# One-stop upload endpoints can take 30-60 s before answering (contract 2.5).
SLOW_TIMEOUT = httpx.Timeout(120.0, connect=10.0)


class Provider(ABC):
    """Async adapter for one provider.  All methods raise ``SonicError`` subclasses only."""

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
        try:
            return await self._client.request(
                method,
                url,
                json=json_body,
                params=params,
                files=files,
                data=data,
                headers=self._auth_headers(),
                timeout=timeout,
            )
        except httpx.TimeoutException as exc:
            raise NetworkError(
                "The provider did not answer in time. Your request may still be running; "
                "check the task list before trying again.",
                provider=self.id.value,
                provider_message=type(exc).__name__,
            ) from None
        except httpx.HTTPError as exc:
            raise NetworkError(provider=self.id.value, provider_message=type(exc).__name__) from None

    def _json(self, response: httpx.Response) -> Any:
        """The body as JSON, or MalformedResponseError quoting a short, safe excerpt."""
        try:
            return response.json()
        except (ValueError, RecursionError):  # JSONDecodeError, bad encodings, absurd nesting
            excerpt = response.text[:200] if response.content else "(empty body)"
            if self._key:
                excerpt = excerpt.replace(self._key, "[key hidden]")
            raise MalformedResponseError(
                provider=self.id.value,
                provider_message=excerpt,
                http_status=response.status_code,
            ) from None


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
    "Provider",
    "ProgressCallback",
    "SonicError",
    "as_float",
    "as_text",
    "require_dict",
    "retry_after_seconds",
]
