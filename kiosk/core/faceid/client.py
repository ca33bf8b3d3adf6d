"""The FaceID client: CheckIdCardInformation and ImageRecognitionV2 over signed HTTPS.

One call = validate -> (encrypt) -> serialise once -> budget slot -> per attempt: rate-limit
slot, credential, sign with service time, POST -> learn clock offset from ``Date`` -> parse.

Failure channels (faceid-api.md §2.1):

* ``Response.Error.Code`` -> :class:`ApiError` (after the allowed automatic retries);
* a non-Success ``Result`` -> returned normally; ``response.outcome`` is its catalog entry.

Automatic retries happen ONLY where the call cannot have been billed:

* the connection was never established (DNS, refused, connect timeout, proxy): NetworkError;
* common ``RequestLimitExceeded`` / ``RequestLimitExceeded.*`` (platform rate limit, rejected
  before processing; the SDK's StandardRetryer retries exactly these). NOT
  ``FailedOperation.RequestLimitExceeded``: it is a business code whose billing is not
  documented (§5.2 "No*" is inferred only) and the doc warns it may be a quota, so retrying
  could bill twice or hammer a quota; it surfaces as ApiError (TRANSIENT);
* ``AuthFailure.SignatureExpire`` once, immediately, when that response's ``Date`` header
  changed the learned clock offset;
* ``AuthFailure.TokenFailure`` once, after ``credentials.refresh()``.

Transient retries use jittered exponential backoff (``min(cap, base*2**n)``, equal jitter) and
at most ``max_attempts`` sends; the two corrections above do not consume that allowance. A read
timeout, a reset after sending, a truncated or non-JSON answer -> OutcomeUnknownError /
MalformedResponseError, never repeated.

Threading: a client may be used from several worker threads (shared state: clock offset,
rate limiters, budget, credential provider, connection pool, each internally locked). Never
call it on the GUI thread. ``close()`` must not race with calls. The client owns its transport
and closes it; it does not own the credential provider.

Logging (logger ``kiosk.core.faceid``): action, attempt, trace id, request id, outcome code,
attempts and elapsed ms only. No secrets, no names, ID numbers, images or bodies, ever.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from kiosk.core.faceid.catalog import SUCCESS
from kiosk.core.faceid.credentials import CredentialProvider
from kiosk.core.faceid.crypto import CryptoError, EncryptionSession
from kiosk.core.faceid.errors import (
    ApiError,
    ConfigError,
    DecryptionError,
    FaceIdError,
    MalformedResponseError,
    NetworkError,
)
from kiosk.core.faceid.models import (
    CheckIdCardInformationRequest,
    CheckIdCardInformationResponse,
    ErrorEnvelope,
    ImageRecognitionV2Request,
    ImageRecognitionV2Response,
    encode_body,
    split_envelope,
)
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.faceid.throttle import DailyBudget, ServiceClock, SlidingWindowLimiter
from kiosk.core.faceid.transport import HttpResponse, Transport, build_request

__all__ = ["FaceIdClient", "is_rate_limit_code"]

log = logging.getLogger("kiosk.core.faceid")

SIGNATURE_EXPIRE = "AuthFailure.SignatureExpire"
TOKEN_FAILURE = "AuthFailure.TokenFailure"  # noqa: S105 - an error code

R = TypeVar("R", CheckIdCardInformationResponse, ImageRecognitionV2Response)


@dataclass(slots=True)
class _CallState:
    """Per-call retry bookkeeping (owned by one call on one thread)."""

    attempts: int = 0
    transient_retries: int = 0
    expire_retry_used: bool = False
    token_retry_used: bool = False


def is_rate_limit_code(code: str) -> bool:
    """The common platform rate-limit codes (retryable); not ``FailedOperation.RequestLimitExceeded``."""
    return code == "RequestLimitExceeded" or code.startswith("RequestLimitExceeded.")


class FaceIdClient:
    """Tencent Cloud FaceID client (see the module docstring for the retry/billing contract).

    ``sleep``, ``time_fn`` (wall clock for signing), ``monotonic`` (rate limiting, elapsed),
    ``rng`` (backoff jitter) and ``today`` (budget day) are injectable for tests.
    Raises ConfigError from the constructor when ``settings`` are invalid.
    """

    def __init__(
        self,
        settings: ClientSettings,
        credentials: CredentialProvider,
        *,
        sleep: Callable[[float], None] = time.sleep,
        time_fn: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        settings.validate()
        self._settings = settings
        self._endpoint = settings.endpoint_parts()
        self._credentials = credentials
        self._sleep = sleep
        self._monotonic = monotonic
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._clock = ServiceClock(time_fn)
        self._limiters = {
            action: SlidingWindowLimiter(
                rate, max_wait=settings.rate_limit_max_wait, clock=monotonic, sleep=sleep, name=action
            )
            for action, rate in settings.rate_limits.items()
        }
        self._budget = DailyBudget(settings.daily_budget, today=today) if settings.daily_budget is not None else None
        self._transport = Transport(settings)

    # ---------------------------------------------------------------------------------- public

    @property
    def settings(self) -> ClientSettings:
        return self._settings

    @property
    def clock_offset(self) -> float:
        """Learned seconds to add to the kiosk clock to get the service's time."""
        return self._clock.offset

    @property
    def budget_remaining(self) -> int | None:
        """Possibly-billed calls left today (None without a budget)."""
        return self._budget.remaining if self._budget is not None else None

    def check_id_card_information(self, request: CheckIdCardInformationRequest) -> CheckIdCardInformationResponse:
        """OCR + card-portrait check. Returns Success or a business Result; raises FaceIdError."""
        session = EncryptionSession(self._settings.encryption_public_key_pem) if request.needs_encryption else None
        return self._call(
            request.action,
            request.validate,
            lambda: request.to_params(session),
            CheckIdCardInformationResponse.from_response,
            session,
        )

    def image_recognition_v2(self, request: ImageRecognitionV2Request) -> ImageRecognitionV2Response:
        """Live face vs the authoritative photo. Returns Success or a business Result."""
        encrypt = self._settings.encrypt_fields if request.encrypt is None else request.encrypt
        session = EncryptionSession(self._settings.encryption_public_key_pem) if encrypt else None
        return self._call(
            request.action,
            request.validate,
            lambda: request.to_params(session),
            ImageRecognitionV2Response.from_response,
            None,  # the response carries nothing encrypted
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    def __enter__(self) -> FaceIdClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FaceIdClient(endpoint={self._endpoint.url!r}, clock_offset={self.clock_offset})"

    # -------------------------------------------------------------------------------- internals

    def _call(
        self,
        action: str,
        validate: Callable[[], None],
        build_params: Callable[[], dict[str, Any]],
        parse: Callable[[dict[str, Any]], R],
        decrypt_with: EncryptionSession | None,
    ) -> R:
        start = self._monotonic()
        state = _CallState()
        reserved = False
        billed = False
        try:
            validate()
            try:
                body = encode_body(build_params())
            except CryptoError:
                raise ConfigError("request encryption failed (public key?)") from None
            if self._budget is not None:
                self._budget.reserve(action)
                reserved = True
            limiter = self._limiters.get(action)
            while True:
                if limiter is not None:
                    limiter.acquire()
                http = self._send_once(action, body, state)
                if http is None:
                    continue
                offset_changed = self._clock.observe(http.headers.get("Date"), http.sent_at, http.received_at)
                if offset_changed:
                    log.info("faceid clock offset learned action=%s offset_s=%.1f", action, self._clock.offset)
                inner, error = self._decode(http, action)
                if error is not None:
                    if self._retry_after_error(action, error, offset_changed, state):
                        continue
                    raise ApiError(
                        "service returned an error",
                        code=error.code,
                        request_id=error.request_id,
                        http_status=http.status,
                        server_message=error.message,
                    )
                response = self._parse(inner, parse, decrypt_with)
                elapsed = (self._monotonic() - start) * 1000
                response = response.with_call_info(state.attempts, elapsed)
                billed = response.billed
                log.log(
                    logging.INFO if response.result == SUCCESS else logging.WARNING,
                    "faceid call action=%s request_id=%s outcome=%s category=%s attempts=%d elapsed_ms=%.1f billed=%s",
                    action,
                    response.request_id,
                    response.result,
                    response.outcome.category.value,
                    state.attempts,
                    elapsed,
                    response.billed,
                )
                return response
        except FaceIdError as exc:
            billed = exc.billed
            exc.annotate(action=action, attempts=state.attempts)
            log.warning(
                "faceid call failed action=%s code=%s request_id=%s attempts=%d elapsed_ms=%.1f billed=%s",
                action,
                exc.code,
                exc.request_id,
                state.attempts,
                (self._monotonic() - start) * 1000,
                exc.billed,
            )
            raise
        finally:
            if reserved and not billed and self._budget is not None:
                self._budget.release()

    def _send_once(self, action: str, body: bytes, state: _CallState) -> HttpResponse | None:
        """One signed POST; None means "not sent, retry now" (backoff already slept)."""
        credential = self._credentials.get()
        state.attempts += 1
        request = build_request(
            endpoint=self._endpoint,
            action=action,
            body=body,
            credential=credential,
            timestamp=self._clock.timestamp(),
            region=self._settings.region,
            language=self._settings.language_header,
            request_client=self._settings.request_client,
        )
        log.debug(
            "faceid send action=%s attempt=%d trace_id=%s body_bytes=%d",
            action,
            state.attempts,
            request.trace_id,
            len(body),
        )
        try:
            return self._transport.send(request, action=action, clock=self._clock.local)
        except NetworkError as exc:
            if exc.code != "ClientNetworkError" or not self._may_retry(state):
                raise
            self._pause(action, state, exc.code, None)
            return None

    def _may_retry(self, state: _CallState) -> bool:
        return state.transient_retries + 1 < self._settings.max_attempts

    def _pause(self, action: str, state: _CallState, reason: str, request_id: str | None) -> None:
        state.transient_retries += 1
        s = self._settings
        delay = min(s.backoff_cap, s.backoff_base * (2 ** (state.transient_retries - 1)))
        delay = delay / 2 + self._rng.uniform(0, delay / 2)
        log.info(
            "faceid retry action=%s attempt=%d reason=%s request_id=%s delay_ms=%.0f",
            action,
            state.attempts,
            reason,
            request_id,
            delay * 1000,
        )
        self._sleep(delay)

    def _retry_after_error(self, action: str, error: ErrorEnvelope, offset_changed: bool, state: _CallState) -> bool:
        """Decide (and prepare) an automatic retry for a ``Response.Error``; never for billed codes."""
        code = error.code
        if is_rate_limit_code(code):
            if not self._may_retry(state):
                return False
            self._pause(action, state, code, error.request_id)
            return True
        if code == SIGNATURE_EXPIRE and offset_changed and not state.expire_retry_used:
            state.expire_retry_used = True
        elif code == TOKEN_FAILURE and not state.token_retry_used:
            state.token_retry_used = True
            self._credentials.refresh()
        else:
            return False
        log.info(
            "faceid retry action=%s attempt=%d reason=%s request_id=%s",
            action,
            state.attempts,
            code,
            error.request_id,
        )
        return True

    @staticmethod
    def _parse(
        inner: dict[str, Any], parse: Callable[[dict[str, Any]], R], decrypt_with: EncryptionSession | None
    ) -> R:
        if decrypt_with is not None:
            try:
                inner = decrypt_with.decrypt_response(inner)
            except CryptoError as exc:
                rid = inner.get("RequestId")
                raise DecryptionError(str(exc), request_id=rid if isinstance(rid, str) else None) from None
        return parse(inner)

    @staticmethod
    def _decode(http: HttpResponse, action: str) -> tuple[dict[str, Any], ErrorEnvelope | None]:
        """Parse the JSON body whatever the status/content-type; (inner, ErrorEnvelope|None)."""
        try:
            data = json.loads(http.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested brackets
            if http.status != 200:
                raise MalformedResponseError(
                    "non-JSON answer", code="ServerNetworkError", http_status=http.status, action=action
                ) from None
            raise MalformedResponseError("answer is not JSON", http_status=http.status, action=action) from None
        try:
            return split_envelope(data)
        except MalformedResponseError as exc:
            exc.http_status = http.status
            raise
