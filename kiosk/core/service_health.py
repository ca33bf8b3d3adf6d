"""Is the FaceID service usable right now? A signed, cheap call that is never billed.

:func:`check_service` sends ``ImageRecognitionV2`` with an empty body through the real client
(signing, clock learning, TLS, timeouts). The service authenticates a request before it looks at
its parameters, so the answer tells everything the kiosk needs before a customer starts:

* ``MissingParameter`` / ``InvalidParameter*`` / ``UnknownParameter`` (input errors, never
  billed: faceid-api.md §5.2 D) -> reachable, credentials and clock accepted: **healthy**;
* ``AuthFailure.SignatureExpire`` (even after the client's one clock correction) -> ``clock``;
* other ``AuthFailure.*`` -> ``credentials``; ``UnauthorizedOperation*`` and other account or
  configuration codes -> ``account``;
* no connection, timeouts, rate limits, malformed answers, server faults -> ``unreachable``.

Nothing about any customer is sent. Threading: blocks on the network (bounded by the client's
timeouts); call it off the GUI thread. Thread-safe like the client.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.core.faceid.catalog import Category
from kiosk.core.faceid.errors import ApiError, CredentialError, FaceIdError
from kiosk.core.faceid.models import ImageRecognitionV2Response

log = logging.getLogger(__name__)

PROBE_ACTION = "ImageRecognitionV2"
_HEALTHY_CODES = ("MissingParameter", "InvalidParameter", "InvalidParameterValue", "UnknownParameter")


@dataclass(frozen=True)
class Health:
    """The result of one check. ``fault`` is "" when healthy; ``detail`` is for staff only."""

    ok: bool
    fault: str = ""  # "", "unreachable", "credentials", "clock", "account"
    detail: str = ""
    clock_offset_s: float | None = None

    @property
    def staff_only(self) -> bool:
        """A fault only staff can fix (customers are told nothing technical)."""
        return self.fault in {"credentials", "clock", "account"}


def classify(exc: FaceIdError) -> Health:
    """Map the probe's error to a :class:`Health` (``ok`` for the expected input error)."""
    code = exc.code or ""
    if isinstance(exc, ApiError):
        if code.split(".")[0] in _HEALTHY_CODES:
            return Health(True, "", f"reachable ({code})")
        if code == "AuthFailure.SignatureExpire":
            return Health(False, "clock", code)
        if code.startswith("AuthFailure"):
            return Health(False, "credentials", code)
        if exc.entry.category in (Category.ACCOUNT_CONFIG, Category.ENCRYPTION) or code.startswith(
            "UnauthorizedOperation"
        ):
            return Health(False, "account", code)
        return Health(False, "unreachable", code)
    if isinstance(exc, CredentialError):
        return Health(False, "credentials", code or type(exc).__name__)
    return Health(False, "unreachable", code or type(exc).__name__)


def check_service(client: Any) -> Health:
    """One health probe through ``client`` (a :class:`~kiosk.core.faceid.client.FaceIdClient`)."""
    try:
        # the empty body is the point: rejected after authentication, before anything billable
        client._call(PROBE_ACTION, lambda: None, dict, ImageRecognitionV2Response.from_response, None)
    except FaceIdError as exc:
        health = classify(exc)
    except Exception as exc:  # a probe must never take the kiosk down
        health = Health(False, "unreachable", type(exc).__name__)
    else:  # an answer without an error to an empty request: the service is there
        health = Health(True, "", "reachable")
    offset = getattr(client, "clock_offset", None)
    health = Health(health.ok, health.fault, health.detail, offset if isinstance(offset, int | float) else None)
    log.info("service health ok=%s fault=%s detail=%s", health.ok, health.fault or "-", health.detail)
    return health
