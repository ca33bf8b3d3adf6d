"""The JSON envelopes the emulator answers with, and the :class:`CallRecord` kept for each call.

:func:`result_envelope` wraps a :class:`~kiosk.emulator.outcomes.ServiceOutcome` as
``{"Response": {..., "RequestId"}}``; :func:`error_envelope` builds the ``Response.Error`` answer
(an unknown code becomes ``InternalError``; the message in the request's ``X-TC-Language``).
Each returns the envelope with its :class:`CallRecord` (no PII: the ID number is masked), whose
``elapsed_ms`` and ``fault`` the HTTP layer fills in.

Threading: pure functions and frozen records, safe from any thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.emulator import codes
from kiosk.emulator.outcomes import ApiError, ServiceOutcome

__all__ = ["CallRecord", "error_envelope", "result_envelope"]


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One request as the emulator saw it (no PII: the ID number is masked)."""

    request_id: str
    action: str
    channel: str  # "result" | "error" | "fault"
    code: str
    billed: bool
    processed: bool
    masked_id: str
    sim: float | None
    fault: str
    elapsed_ms: float


def error_envelope(
    error: ApiError, request_id: str, action: str, language: str | None
) -> tuple[dict[str, Any], CallRecord]:
    """The ``Response.Error`` envelope for ``error`` and its (unbilled) record."""
    code = error.code if error.code in codes.CODES else "InternalError"
    envelope = {
        "Response": {
            "Error": {"Code": code, "Message": codes.message(code, language, error.detail)},
            "RequestId": request_id,
        }
    }
    return envelope, CallRecord(request_id, action, "error", code, False, False, error.masked_id, None, "", 0.0)


def result_envelope(outcome: ServiceOutcome, request_id: str, action: str) -> tuple[dict[str, Any], CallRecord]:
    """The ``Response`` envelope of a processed request and its record."""
    envelope = {"Response": {**outcome.response, "RequestId": request_id}}
    record = CallRecord(
        request_id, action, "result", outcome.result, outcome.billed, True, outcome.masked_id, outcome.sim, "", 0.0
    )
    return envelope, record
