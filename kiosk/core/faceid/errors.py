"""Exceptions raised by the FaceID client.

Every exception carries ``code`` (a catalog code), ``entry`` (its :class:`CatalogEntry`),
``request_id`` (the service's RequestId when one was received) and ``billed`` (may this call
have been charged). Messages and reprs are built only from codes, ids and counts: secrets,
names, ID numbers, images and the server's free-text ``Error.Message`` never appear in
``str()``/``repr()`` (the server message is kept in ``server_message`` for diagnostics only).

Hierarchy::

    FaceIdError
    ├── ApiError                 Response.Error.Code from the service
    ├── NetworkError             nothing reached the service (not billed)
    │   └── RateLimitedError     the local rate limiter would have waited too long
    ├── OutcomeUnknownError      sent, no reliable answer (may be billed, never auto-repeated)
    │   └── MalformedResponseError   an answer arrived but is not a valid FaceID response
    │       └── DecryptionError      an encrypted answer could not be decrypted
    ├── BudgetExceededError      the daily call budget is used up (nothing sent)
    ├── CredentialError          no usable credentials (nothing sent)
    ├── ConfigError              invalid client settings (nothing sent)
    └── InvalidRequestError      request rejected locally before sending

Exceptions are plain immutable-ish value objects; safe to pass between threads.
"""

from __future__ import annotations

from kiosk.core.faceid.catalog import CatalogEntry, lookup

__all__ = [
    "ApiError",
    "BudgetExceededError",
    "ConfigError",
    "CredentialError",
    "DecryptionError",
    "FaceIdError",
    "InvalidRequestError",
    "MalformedResponseError",
    "NetworkError",
    "OutcomeUnknownError",
    "RateLimitedError",
]


class FaceIdError(Exception):
    """Base class. ``detail`` must be a fixed, secret-free sentence chosen by the client code."""

    default_code = "FaceIdError"
    default_billed: bool | None = None

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        request_id: str | None = None,
        billed: bool | None = None,
        action: str | None = None,
        attempts: int = 0,
        http_status: int | None = None,
    ) -> None:
        self.code: str = code or self.default_code
        self.entry: CatalogEntry = lookup(self.code)
        self.request_id: str | None = request_id
        if billed is None:
            billed = self.default_billed if self.default_billed is not None else self.entry.billed
        self.billed: bool = billed
        self.detail: str = detail
        self.action: str | None = action
        self.attempts: int = attempts
        self.http_status: int | None = http_status
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.code]
        if self.detail:
            parts.append(self.detail)
        if self.action:
            parts.append(f"action={self.action}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        if self.attempts:
            parts.append(f"attempts={self.attempts}")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._render()!r}, billed={self.billed})"

    def annotate(self, *, action: str | None = None, attempts: int | None = None) -> FaceIdError:
        """Record the call context (used by the client before re-raising); returns self."""
        if action is not None:
            self.action = action
        if attempts is not None:
            self.attempts = attempts
        self.args = (self._render(),)
        return self

    def __reduce__(self) -> tuple[object, ...]:  # pickling keeps the keyword arguments
        state = {
            "code": self.code,
            "request_id": self.request_id,
            "billed": self.billed,
            "action": self.action,
            "attempts": self.attempts,
            "http_status": self.http_status,
        }
        return (_rebuild, (type(self), self.detail, state))


def _rebuild(cls: type[FaceIdError], detail: str, state: dict[str, object]) -> FaceIdError:
    return cls(detail, **state)  # type: ignore[arg-type]


class ApiError(FaceIdError):
    """The service answered with ``Response.Error``. ``billed`` follows the catalog."""

    default_code = "InternalError"

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        request_id: str | None = None,
        billed: bool | None = None,
        action: str | None = None,
        attempts: int = 0,
        http_status: int | None = None,
        server_message: str = "",
    ) -> None:
        super().__init__(
            detail,
            code=code,
            request_id=request_id,
            billed=billed,
            action=action,
            attempts=attempts,
            http_status=http_status,
        )
        # Free text from the service: may echo parameters, so never part of str()/repr().
        self.server_message: str = server_message


class NetworkError(FaceIdError):
    """The request never reached the service (DNS, refused, connect timeout, TLS, proxy)."""

    default_code = "ClientNetworkError"
    default_billed = False


class RateLimitedError(NetworkError):
    """The client-side rate limiter would have had to wait longer than allowed; nothing sent."""

    default_code = "ClientRateLimited"


class OutcomeUnknownError(FaceIdError):
    """The request was (or may have been) sent but no reliable answer arrived.

    The call may have been processed and billed; the client never repeats it by itself.
    """

    default_code = "OutcomeUnknown"
    default_billed = True


class MalformedResponseError(OutcomeUnknownError):
    """An answer arrived but is not a valid FaceID response (non-JSON, wrong shape or types)."""

    default_code = "MalformedResponse"


class DecryptionError(MalformedResponseError):
    """An encrypted response (``IsEncrypt`` / ``IsEncryptResponse``) could not be decrypted."""

    default_code = "DecryptionFailed"


class BudgetExceededError(FaceIdError):
    """The optional daily call budget is used up; raised before anything is sent."""

    default_code = "BudgetExceeded"
    default_billed = False


class CredentialError(FaceIdError):
    """No usable credentials (missing, malformed, credential command failed)."""

    default_code = "CredentialError"
    default_billed = False


class ConfigError(FaceIdError):
    """Invalid client settings (endpoint, timeouts, CA bundle, public key, ...)."""

    default_code = "ConfigError"
    default_billed = False


class InvalidRequestError(FaceIdError):
    """The request was rejected locally (size limits, missing image, bad flags); nothing sent."""

    default_code = "InvalidRequest.Local"
    default_billed = False
