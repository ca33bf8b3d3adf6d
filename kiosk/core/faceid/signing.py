"""TC3-HMAC-SHA256 request signing, byte-identical to the official Tencent Cloud Python SDK.

The algorithm is the one in ``tencentcloud/common/abstract_client.py``
(``_build_req_with_tc3_signature`` / ``_get_tc3_signature``) and ``Sign.sign_tc3``:

* canonical request = ``METHOD \\n / \\n <query> \\n content-type:<ct>\\nhost:<host>\\n \\n
  content-type;host \\n hex(sha256(payload))``; only ``content-type`` and ``host`` are signed;
* for ``GET`` the canonical query is the urlencoded, flattened parameter string and the payload
  hash is the hash of the empty string (whatever body is passed);
* the credential scope date is the **UTC** date of the timestamp;
* ``Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request,
  SignedHeaders=content-type;host, Signature=<hex>``.

Every function here is pure (no I/O, no global state) and therefore thread-safe. Secrets passed
in are used only for the HMAC chain; nothing is cached, logged or included in exceptions.
The emulator uses :func:`sign_tc3`, :func:`canonical_request`, :func:`parse_authorization` and
:func:`verify_authorization` to check incoming requests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "ALGORITHM",
    "CONTENT_TYPE_FORM",
    "CONTENT_TYPE_JSON",
    "EMPTY_SHA256",
    "SIGNED_HEADERS",
    "UNSIGNED_PAYLOAD",
    "ParsedAuthorization",
    "canonical_request",
    "credential_scope",
    "derive_signing_key",
    "encode_query",
    "flatten_params",
    "parse_authorization",
    "payload_hash",
    "sign_tc3",
    "signature",
    "string_to_sign",
    "tc3_date",
    "verify_authorization",
]

ALGORITHM = "TC3-HMAC-SHA256"
SIGNED_HEADERS = "content-type;host"
CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_FORM = "application/x-www-form-urlencoded"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_TERMINATOR = "tc3_request"


def tc3_date(timestamp: int) -> str:
    """The credential-scope date: the UTC calendar date of ``timestamp`` as ``YYYY-MM-DD``."""
    return datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d")


def credential_scope(date: str, service: str = "faceid") -> str:
    """``<date>/<service>/tc3_request``."""
    return f"{date}/{service}/{_TERMINATOR}"


def payload_hash(method: str, payload: bytes, *, unsigned_payload: bool = False) -> str:
    """Lowercase hex SHA-256 of what the SDK hashes for this method.

    ``GET`` always hashes the empty string (the SDK ignores any body); ``unsigned_payload``
    (``X-TC-Content-SHA256: UNSIGNED-PAYLOAD``) hashes that literal string instead.
    """
    if unsigned_payload:
        return hashlib.sha256(UNSIGNED_PAYLOAD.encode("ascii")).hexdigest()
    if method.upper() == "GET":
        return EMPTY_SHA256
    return hashlib.sha256(payload).hexdigest()


def canonical_request(
    *,
    method: str,
    host: str,
    content_type: str,
    payload: bytes,
    canonical_query: str = "",
    unsigned_payload: bool = False,
) -> str:
    """The canonical request string (six ``\\n``-joined parts) exactly as the SDK builds it.

    ``host`` is the value of the ``Host`` header that is sent (``host`` or ``host:port``);
    ``canonical_query`` is ``""`` for POST and the urlencoded query string for GET.
    """
    method = method.upper()
    canonical_headers = f"content-type:{content_type}\nhost:{host}\n"
    return "\n".join(
        (
            method,
            "/",
            canonical_query,
            canonical_headers,
            SIGNED_HEADERS,
            payload_hash(method, payload, unsigned_payload=unsigned_payload),
        )
    )


def string_to_sign(canonical: str, timestamp: int, service: str = "faceid") -> str:
    """``TC3-HMAC-SHA256\\n<timestamp>\\n<scope>\\n<hex sha256(canonical request)>``."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{int(timestamp)}\n{credential_scope(tc3_date(timestamp), service)}\n{digest}"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def derive_signing_key(secret_key: str, date: str, service: str = "faceid") -> bytes:
    """kSigning = HMAC(HMAC(HMAC("TC3"+SecretKey, date), service), "tc3_request") (raw bytes)."""
    k_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k_service = _hmac(k_date, service)
    return _hmac(k_service, _TERMINATOR)


def signature(secret_key: str, timestamp: int, canonical: str, service: str = "faceid") -> str:
    """Lowercase hex signature of the given canonical request."""
    key = derive_signing_key(secret_key, tc3_date(timestamp), service)
    sts = string_to_sign(canonical, timestamp, service)
    return hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_tc3(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    method: str,
    content_type: str,
    payload: bytes,
    canonical_query: str,
    timestamp: int,
    service: str = "faceid",
    unsigned_payload: bool = False,
) -> str:
    """Return the ``Authorization`` header value for one request.

    ``payload`` must be the exact body bytes that will be sent (ignored for GET, like the SDK).
    ``timestamp`` is the Unix time that is also sent as ``X-TC-Timestamp``.
    """
    canonical = canonical_request(
        method=method,
        host=host,
        content_type=content_type,
        payload=payload,
        canonical_query=canonical_query,
        unsigned_payload=unsigned_payload,
    )
    sig = signature(secret_key, timestamp, canonical, service)
    scope = credential_scope(tc3_date(timestamp), service)
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={sig}"


# --------------------------------------------------------------------------------------------
# GET parameter flattening (AbstractClient._format_params + urlencode)
# --------------------------------------------------------------------------------------------


def flatten_params(params: Mapping[str, Any] | None, prefix: str | None = None) -> dict[str, Any]:
    """Flatten nested dicts/lists the way the SDK does for GET: ``a.b``, ``a.0``.

    Scalars are kept as-is (``urlencode`` later applies ``str()``, so ``True`` -> ``"True"``,
    exactly like the SDK). Insertion order is preserved.
    """
    out: dict[str, Any] = {}
    if params is None:
        return out
    _flatten_into(out, prefix, params)
    return out


def _flatten_into(out: dict[str, Any], prefix: str | None, value: Any) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten_into(out, f"{prefix}.{k}" if prefix else f"{k}", v)
    elif isinstance(value, list | tuple):
        for idx, item in enumerate(value):
            _flatten_into(out, f"{prefix}.{idx}" if prefix else f"{idx}", item)
    elif value is None or prefix is None:
        # SDK: _format_params(prefix, None) returns {} -> None values vanish at any depth
        return
    else:
        out[prefix] = value


def encode_query(params: Mapping[str, Any]) -> str:
    """Flatten and ``urlencode`` request parameters: the GET query and canonical query string."""
    return urlencode(flatten_params(params))


# --------------------------------------------------------------------------------------------
# Parsing / verification (used by the emulator)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedAuthorization:
    """The parts of a TC3 ``Authorization`` header. ``signature`` is public, not a secret."""

    algorithm: str
    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


_AUTH_RE = re.compile(r"^(?P<alg>[A-Z0-9-]+) +(?P<rest>.+)$", re.DOTALL)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SIG_RE = re.compile(r"^[0-9a-f]{64}$")


def parse_authorization(header: str) -> ParsedAuthorization:
    """Parse ``TC3-HMAC-SHA256 Credential=.../date/service/tc3_request, SignedHeaders=..., Signature=...``.

    Raises ``ValueError`` for anything malformed (wrong algorithm, missing or duplicated parts,
    bad scope, bad date, non-hex signature). The message never contains the header itself.
    """
    if not isinstance(header, str):
        raise ValueError("authorization header is not a string")
    m = _AUTH_RE.match(header.strip())
    if m is None:
        raise ValueError("authorization header has no algorithm")
    algorithm = m.group("alg")
    if algorithm != ALGORITHM:
        raise ValueError("unsupported signature algorithm")
    parts: dict[str, str] = {}
    for raw in m.group("rest").split(","):
        item = raw.strip()
        key, sep, value = item.partition("=")
        if not sep or not key or key in parts:
            raise ValueError("malformed authorization parameter list")
        parts[key] = value
    if set(parts) != {"Credential", "SignedHeaders", "Signature"}:
        raise ValueError("authorization header must have Credential, SignedHeaders and Signature")
    cred = parts["Credential"].split("/")
    if len(cred) != 4 or cred[3] != _TERMINATOR or not cred[0] or not cred[2]:
        raise ValueError("malformed credential scope")
    if not _DATE_RE.match(cred[1]):
        raise ValueError("malformed credential date")
    try:
        datetime.strptime(cred[1], "%Y-%m-%d")
    except ValueError:
        raise ValueError("malformed credential date") from None
    signed = tuple(parts["SignedHeaders"].split(";"))
    if not all(signed):
        raise ValueError("malformed signed headers")
    sig = parts["Signature"]
    if not _SIG_RE.match(sig):
        raise ValueError("malformed signature")
    return ParsedAuthorization(algorithm, cred[0], cred[1], cred[2], signed, sig)


def verify_authorization(
    header: str,
    *,
    secret_key: str,
    host: str,
    method: str,
    content_type: str,
    payload: bytes,
    canonical_query: str,
    timestamp: int,
    unsigned_payload: bool = False,
) -> bool:
    """True when ``header`` is the correct signature for this request (constant-time compare).

    Returns False (never raises) for a malformed header, a scope date that does not match
    ``timestamp``'s UTC date, or signed headers other than ``content-type;host``.
    """
    try:
        parsed = parse_authorization(header)
    except ValueError:
        return False
    if parsed.date != tc3_date(timestamp) or ";".join(parsed.signed_headers) != SIGNED_HEADERS:
        return False
    canonical = canonical_request(
        method=method,
        host=host,
        content_type=content_type,
        payload=payload,
        canonical_query=canonical_query,
        unsigned_payload=unsigned_payload,
    )
    expected = signature(secret_key, timestamp, canonical, parsed.service)
    return hmac.compare_digest(expected, parsed.signature)
