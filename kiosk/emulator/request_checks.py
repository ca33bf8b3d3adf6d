"""The checks every emulator request passes before an action runs, and its decoded parameters.

In order (codes as the service returns them):

1. method: GET and POST only (``UnsupportedProtocol``); a GET query is at most 32 KB
   (``RequestSizeLimitExceeded``; the POST body cap is the HTTP layer's, :mod:`.http_handler`);
2. ``X-TC-Action`` (``MissingParameter`` / ``InvalidAction``) and ``X-TC-Version`` ``2018-03-01``
   (``NoSuchVersion``);
3. TC3-HMAC-SHA256 exactly as the service: malformed ``Authorization`` ->
   ``AuthFailure.InvalidAuthorization``; ``X-TC-Timestamp`` more than 300 s from the emulator's clock
   -> ``AuthFailure.SignatureExpire``; unknown SecretId -> ``AuthFailure.SecretIdNotFound``; wrong
   signature (key, body, host, content type, scope date) -> ``AuthFailure.SignatureFailure``;
   ``X-TC-Token`` different from the configured token (or present when none is configured) ->
   ``AuthFailure.TokenFailure``. Signatures are checked with :mod:`kiosk.core.faceid.signing`
   (``SignedHeaders=content-type;host`` as the SDK sends; ``UNSIGNED-PAYLOAD`` supported);
4. per-action rate limits (:class:`RateLimiter`), 100/s ``CheckIdCardInformation`` and 20/s
   ``ImageRecognitionV2`` (sliding one-second window; ``RequestLimitExceeded``).

Then the parameters: a GET query (``a.b=1&a.L.0=x``) back into nested objects and lists, a POST
body as one JSON object (``application/json`` only). ``InvalidParameter`` for anything that cannot
be read: a malformed query, a query name nested deeper than :data:`MAX_PARAM_DEPTH` levels, JSON
that is malformed, nested too deep for the parser or holds an integer literal longer than Python
converts (4300 digits).

Threading: :func:`authenticate` and :func:`request_params` are pure (the clock is the caller's);
one :class:`RateLimiter` is shared by all handler threads and guards its windows with a lock.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from kiosk.core.faceid import signing
from kiosk.emulator.outcomes import ApiError

__all__ = [
    "MAX_GET_QUERY",
    "MAX_PARAM_DEPTH",
    "MAX_SKEW_SECONDS",
    "RATE_LIMITS",
    "VERSION",
    "RateLimiter",
    "authenticate",
    "request_params",
]

VERSION = "2018-03-01"
#: requests per second per action (faceid-api.md §0); its keys are the actions the emulator knows.
RATE_LIMITS: dict[str, int] = {"CheckIdCardInformation": 100, "ImageRecognitionV2": 20}
MAX_GET_QUERY = 32 * 1024
MAX_SKEW_SECONDS = 300
#: levels of a dotted GET parameter name (``Encryption.EncryptList.0`` is 3; the API needs no more)
MAX_PARAM_DEPTH = 8
_COMMON_GET_PARAMS = {"Action", "Version", "Region", "Timestamp", "Nonce", "Language", "Token"}


class RateLimiter:
    """Sliding one-second windows per action (thread-safe)."""

    def __init__(self, limits: dict[str, int]) -> None:
        self._limits = dict(limits)
        self._windows: dict[str, deque[float]] = {a: deque() for a in limits}
        self._lock = threading.Lock()

    def allow(self, action: str, now: float) -> bool:
        limit = self._limits.get(action)
        if limit is None:
            return True
        with self._lock:
            window = self._windows[action]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True


def authenticate(
    method: str,
    query: str,
    headers: Any,
    body: bytes,
    *,
    secret_id: str,
    secret_key: str,
    token: str | None,
    clock: Callable[[], float],
) -> tuple[dict[str, Any], str]:
    """Steps 1-3 of the module docstring; returns (parameters, action) or raises :class:`ApiError`."""
    if method not in ("GET", "POST"):
        raise ApiError("UnsupportedProtocol")
    if method == "GET" and len(query) > MAX_GET_QUERY:
        raise ApiError("RequestSizeLimitExceeded", "GET requests are limited to 32 KB; use POST")
    action = headers.get("X-TC-Action")
    if not action and method == "GET":
        action = dict(parse_qsl(query)).get("Action")
    if not action:
        raise ApiError("MissingParameter", "X-TC-Action")
    if action not in RATE_LIMITS:
        raise ApiError("InvalidAction", f"the action {action[:64]} does not exist")
    version = headers.get("X-TC-Version") or (dict(parse_qsl(query)).get("Version") if method == "GET" else None)
    if not version:
        raise ApiError("MissingParameter", "X-TC-Version")
    if version != VERSION:
        raise ApiError("NoSuchVersion", f"faceid supports version {VERSION}")

    header = headers.get("Authorization")
    if not header:
        raise ApiError("AuthFailure.InvalidAuthorization", "the Authorization header is missing")
    try:
        parsed = signing.parse_authorization(header)
    except ValueError as exc:
        raise ApiError("AuthFailure.InvalidAuthorization", str(exc)) from None
    if parsed.service != "faceid":
        raise ApiError("AuthFailure.InvalidAuthorization", "the credential scope service must be faceid")
    ts_text = headers.get("X-TC-Timestamp")
    if not ts_text:
        raise ApiError("MissingParameter", "X-TC-Timestamp")
    try:
        timestamp = int(ts_text)
    except ValueError:
        raise ApiError("InvalidParameterValue", "X-TC-Timestamp must be Unix seconds") from None
    if abs(clock() - timestamp) > MAX_SKEW_SECONDS:
        raise ApiError("AuthFailure.SignatureExpire")
    if parsed.secret_id != secret_id:
        raise ApiError("AuthFailure.SecretIdNotFound")
    content_type = headers.get("Content-Type") or ""
    unsigned = (headers.get("X-TC-Content-SHA256") or "") == signing.UNSIGNED_PAYLOAD
    ok = signing.verify_authorization(
        header,
        secret_key=secret_key,
        host=headers.get("Host") or "",
        method=method,
        content_type=content_type,
        payload=body,
        canonical_query=query if method == "GET" else "",
        timestamp=timestamp,
        unsigned_payload=unsigned,
    )
    if not ok:
        raise ApiError("AuthFailure.SignatureFailure")
    sent_token = headers.get("X-TC-Token")
    if (token or sent_token) and sent_token != token:
        raise ApiError("AuthFailure.TokenFailure")
    return request_params(method, query, content_type, body), action


def request_params(method: str, query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """The action's parameters from a GET query or a JSON POST body (see the module docstring)."""
    if method == "GET":
        try:
            pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
        except ValueError:
            raise ApiError("InvalidParameter", "malformed query string") from None
        return _unflatten([(k, v) for k, v in pairs if k not in _COMMON_GET_PARAMS])
    if content_type.split(";", maxsplit=1)[0].strip().lower() != "application/json":
        raise ApiError("InvalidParameter", "POST requests must be application/json")
    try:
        data = json.loads(body.decode("utf-8")) if body else {}
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, an over-long int literal, deep nesting
        raise ApiError("InvalidParameter", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError("InvalidParameter", "the body must be a JSON object")
    return data


def _unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """GET parameters ``a.b=1&a.L.0=x`` back into nested objects and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.split(".")
        if len(parts) > MAX_PARAM_DEPTH:  # bounds the recursion of fix() below
            raise ApiError("InvalidParameter", f"a parameter name has more than {MAX_PARAM_DEPTH} levels")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value

    def fix(obj: Any) -> Any:
        if isinstance(obj, dict):
            fixed = {k: fix(v) for k, v in obj.items()}
            if fixed and all(k.isdigit() for k in fixed):
                return [fixed[k] for k in sorted(fixed, key=int)]
            return fixed
        return obj

    return fix(root)
