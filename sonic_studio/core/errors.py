"""One error taxonomy for both providers.

Every provider speaks its own dialect of failure (sunoapi.org's 429 means "no credits",
the AI Music API's 403 means the same thing).  Adapters translate those dialects into
the classes below, keeping the provider's own words in ``provider_message`` so nothing
is lost, while the UI and CLI only ever show ``str(error)`` - a sentence a person
understands.  ``transient`` tells the task service whether waiting and polling again
can help; it never decides to *resubmit*.
"""

from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    AUTH = "auth"
    INSUFFICIENT_CREDITS = "insufficient_credits"
    RATE_LIMITED = "rate_limited"
    VALIDATION = "validation"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    SOURCE_UNREACHABLE = "source_unreachable"
    MAINTENANCE = "maintenance"
    SERVER = "server"
    NETWORK = "network"
    MALFORMED = "malformed_response"


class StudioError(Exception):
    """Base of every failure the app reports to a person.

    ``message`` is ours and readable; ``provider_message`` is the provider's text,
    verbatim, for the details view and bug reports.
    """

    kind: ErrorKind = ErrorKind.SERVER
    transient: bool = False
    default_message = "Something went wrong."

    def __init__(
        self,
        message: str | None = None,
        *,
        provider: str | None = None,
        provider_message: str | None = None,
        http_status: int | None = None,
        code: int | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.provider = provider
        self.provider_message = provider_message
        self.http_status = http_status
        self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def details(self) -> str:
        """The readable message plus what the provider said, for a details pane."""
        parts = [self.message]
        if self.provider_message and self.provider_message not in self.message:
            parts.append(f"Provider said: {self.provider_message}")
        if self.code is not None or self.http_status is not None:
            parts.append(f"(HTTP {self.http_status}, code {self.code})")
        return "\n".join(parts)

    def to_dict(self) -> dict:
        """Serialisable form for the task store; contains no secrets by construction."""
        return {
            "kind": self.kind.value,
            "message": self.message,
            "provider": self.provider,
            "provider_message": self.provider_message,
            "http_status": self.http_status,
            "code": self.code,
            **self._extra(),
        }

    def _extra(self) -> dict:
        return {}

    @staticmethod
    def from_dict(data: dict) -> StudioError:
        cls = _BY_KIND.get(data.get("kind", ""), ServerError)
        extra = {}
        if cls is RateLimitedError:
            extra["retry_after"] = data.get("retry_after")
        elif cls is ValidationError:
            extra["field"] = data.get("field")
        elif cls is ConflictError:
            extra["existing_id"] = data.get("existing_id")
        return cls(
            data.get("message"),
            provider=data.get("provider"),
            provider_message=data.get("provider_message"),
            http_status=data.get("http_status"),
            code=data.get("code"),
            **extra,
        )


class AuthError(StudioError):
    kind = ErrorKind.AUTH
    default_message = "The API key was rejected. Check it in Settings."


class InsufficientCreditsError(StudioError):
    kind = ErrorKind.INSUFFICIENT_CREDITS
    default_message = "Not enough credits for this request. Top up your account and try again."


class RateLimitedError(StudioError):
    kind = ErrorKind.RATE_LIMITED
    transient = True
    default_message = "The provider asks us to slow down. Retrying shortly."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)

    def _extra(self) -> dict:
        return {"retry_after": self.retry_after}


class ValidationError(StudioError):
    kind = ErrorKind.VALIDATION
    default_message = "The request is not valid."

    def __init__(self, message: str | None = None, *, field: str | None = None, **kw) -> None:
        self.field = field
        super().__init__(message, **kw)

    def _extra(self) -> dict:
        return {"field": self.field}


class ConflictError(StudioError):
    kind = ErrorKind.CONFLICT
    default_message = "A persona already exists for this clip. Each clip can make one persona."

    def __init__(self, message: str | None = None, *, existing_id: str | None = None, **kw) -> None:
        self.existing_id = existing_id
        super().__init__(message, **kw)

    def _extra(self) -> dict:
        return {"existing_id": self.existing_id}


class NotFoundError(StudioError):
    kind = ErrorKind.NOT_FOUND
    default_message = "The provider does not know this task or clip (it may have expired)."


class SourceUnreachableError(StudioError):
    kind = ErrorKind.SOURCE_UNREACHABLE
    default_message = (
        "The provider could not fetch the source audio. Make sure the URL is public "
        "and points straight at an audio file."
    )


class MaintenanceError(StudioError):
    kind = ErrorKind.MAINTENANCE
    transient = True
    default_message = "The provider is down for maintenance. Nothing was charged; try again later."


class ServerError(StudioError):
    kind = ErrorKind.SERVER
    transient = True
    default_message = "The provider had an internal error. Try again in a moment."


class NetworkError(StudioError):
    kind = ErrorKind.NETWORK
    transient = True
    default_message = "Could not reach the provider. Check your internet connection."


class MalformedResponseError(StudioError):
    kind = ErrorKind.MALFORMED
    transient = True
    default_message = "The provider sent a reply we could not understand."


_BY_KIND: dict[str, type[StudioError]] = {
    cls.kind.value: cls
    for cls in (
        AuthError,
        InsufficientCreditsError,
        RateLimitedError,
        ValidationError,
        ConflictError,
        NotFoundError,
        SourceUnreachableError,
        MaintenanceError,
        ServerError,
        NetworkError,
        MalformedResponseError,
    )
}
