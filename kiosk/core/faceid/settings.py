"""Client settings: every knob of the FaceID client with its default.

The lead maps the app's TOML/env configuration onto :class:`ClientSettings`; the client calls
:meth:`ClientSettings.validate` (and :meth:`ClientSettings.endpoint_parts`) at construction and
raises :class:`~kiosk.core.faceid.errors.ConfigError` for anything invalid. Instances are frozen
and therefore safe to share between threads.

TLS verification cannot be turned off: there is no setting for it. A private CA (for a TLS
emulator or an intercepting corporate proxy) is configured with ``ca_bundle``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from kiosk import __version__
from kiosk.core.faceid.crypto import TENCENT_RSA_PUBLIC_KEY_PEM, CryptoError, load_rsa_public_key
from kiosk.core.faceid.errors import ConfigError

__all__ = [
    "ACTION_CHECK_ID_CARD",
    "ACTION_IMAGE_RECOGNITION_V2",
    "API_VERSION",
    "DEFAULT_ENDPOINT",
    "DEFAULT_RATE_LIMITS",
    "SERVICE",
    "ClientSettings",
    "Endpoint",
    "language_header",
]

SERVICE = "faceid"
API_VERSION = "2018-03-01"
DEFAULT_ENDPOINT = "https://faceid.intl.tencentcloudapi.com"
ACTION_CHECK_ID_CARD = "CheckIdCardInformation"
ACTION_IMAGE_RECOGNITION_V2 = "ImageRecognitionV2"
DEFAULT_RATE_LIMITS: Mapping[str, float] = MappingProxyType(
    {ACTION_CHECK_ID_CARD: 100.0, ACTION_IMAGE_RECOGNITION_V2: 20.0}
)
_REQUEST_CLIENT_OK = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_,;.")


def language_header(language: str | None) -> str:
    """Map a kiosk language (``zh_CN``, ``zh-CN``, ``zh``, ``en``, ``en_US`` ...) to the only two
    values the API accepts, ``zh-CN`` and ``en-US``. Anything that is not Chinese is English."""
    lang = (language or "").strip().lower().replace("_", "-")
    return "zh-CN" if lang.startswith("zh") else "en-US"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A validated endpoint: ``url`` to POST to and ``host`` (the signed ``Host`` header)."""

    scheme: str
    host: str
    url: str


def _is_loopback(hostname: str) -> bool:
    if hostname.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """All FaceID client knobs.

    * ``endpoint``: ``https://host[:port]`` (path must be empty or ``/``); ``http://`` only for
      loopback hosts (127.0.0.0/8, ::1, localhost), e.g. the local emulator.
    * ``region``: sent as ``X-TC-Region`` only when non-empty (not needed by these APIs).
    * ``language``: kiosk language; sent as ``X-TC-Language`` (``zh-CN``/``en-US``).
    * ``connect_timeout`` / ``read_timeout``: seconds, passed separately to requests.
    * ``ca_bundle``: PEM file of trusted CAs (None = the bundled certifi store).
    * ``https_proxy``: proxy URL for HTTPS (None = no proxy; environment variables are ignored
      so a kiosk's behaviour never depends on the shell it was started from).
    * ``max_attempts``: total attempts per call for the retryable (never billed) failures.
    * ``backoff_base`` / ``backoff_cap``: seconds; delay = min(cap, base*2**n) with equal jitter.
    * ``rate_limits``: calls per second per action (sliding one-second window);
      ``rate_limit_max_wait``: longest the limiter may block before raising RateLimitedError.
    * ``daily_budget``: maximum possibly-billed calls per local calendar day (None = unlimited).
    * ``encrypt_fields``: encrypt ImageRecognitionV2 ``IdCard``/``Name`` by default.
    * ``encryption_public_key_pem``: RSA public key for key wrapping (Tencent's published key;
      the emulator's own key in demo mode).
    * ``request_client``: ``X-TC-RequestClient`` value (``[0-9a-zA-Z-_,;.]``, <=128 chars).
    * ``credential_refresh_margin``: seconds before expiry at which temporary credentials are
      renewed (used by the credential providers built from settings).
    * ``max_answer_bytes``: larger answers are refused (outcome unknown: the call may have been
      billed); a card-portrait answer is well under 1 MB.
    """

    endpoint: str = DEFAULT_ENDPOINT
    region: str = ""
    language: str = "en-US"
    connect_timeout: float = 3.05
    read_timeout: float = 20.0
    ca_bundle: str | None = None
    https_proxy: str | None = None
    max_attempts: int = 3
    backoff_base: float = 0.25
    backoff_cap: float = 2.0
    rate_limits: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    rate_limit_max_wait: float = 2.0
    daily_budget: int | None = None
    encrypt_fields: bool = False
    encryption_public_key_pem: str = TENCENT_RSA_PUBLIC_KEY_PEM
    request_client: str = f"IDV_KIOSK_{__version__}"
    credential_refresh_margin: float = 300.0
    pool_maxsize: int = 4
    max_answer_bytes: int = 8_000_000

    def endpoint_parts(self) -> Endpoint:
        """Validate and split ``endpoint``; raises ConfigError."""
        try:
            parts = urlsplit(self.endpoint.strip())
            hostname = parts.hostname
            port = parts.port
        except ValueError:
            raise ConfigError("endpoint is not a valid URL") from None
        if parts.scheme not in {"https", "http"} or not hostname:
            raise ConfigError("endpoint must be an https:// URL with a host")
        if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username or parts.password:
            raise ConfigError("endpoint must not have a path, query, fragment or user info")
        if parts.scheme == "http" and not _is_loopback(hostname):
            raise ConfigError("plain http:// is only allowed for loopback hosts")
        host = f"[{hostname}]" if ":" in hostname else hostname
        if port is not None:
            host = f"{host}:{port}"
        return Endpoint(parts.scheme, host, f"{parts.scheme}://{host}/")

    def validate(self) -> None:
        """Raise ConfigError when any knob is out of range. Messages never include secrets."""
        self.endpoint_parts()
        if language_header(self.language) not in {"zh-CN", "en-US"}:  # pragma: no cover - total
            raise ConfigError("language must be zh-CN or en-US")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value <= 600:  # NaN fails too
                raise ConfigError(f"{name} must be between 0 and 600 seconds")
        if not isinstance(self.max_attempts, int) or not 1 <= self.max_attempts <= 10:
            raise ConfigError("max_attempts must be between 1 and 10")
        if not 0 <= self.backoff_base <= 60 or not 0 <= self.backoff_cap <= 300:
            raise ConfigError("backoff_base/backoff_cap out of range")
        if not 0 <= self.rate_limit_max_wait <= 60:
            raise ConfigError("rate_limit_max_wait must be between 0 and 60 seconds")
        for action, rate in self.rate_limits.items():
            if not isinstance(rate, int | float) or rate <= 0:
                raise ConfigError(f"rate limit for {action} must be positive")
        if self.daily_budget is not None and (not isinstance(self.daily_budget, int) or self.daily_budget < 0):
            raise ConfigError("daily_budget must be a non-negative integer or None")
        if self.ca_bundle is not None and not os.path.isfile(self.ca_bundle):
            raise ConfigError("ca_bundle does not point to a file")
        if self.https_proxy is not None:
            proxy = urlsplit(self.https_proxy)
            if proxy.scheme not in {"http", "https"} or not proxy.hostname:
                raise ConfigError("https_proxy must be an http:// or https:// URL")
        if (
            not self.request_client
            or len(self.request_client) > 128
            or not set(self.request_client) <= _REQUEST_CLIENT_OK
        ):
            raise ConfigError("request_client must match [0-9a-zA-Z-_,;.]{1,128}")
        try:
            load_rsa_public_key(self.encryption_public_key_pem)
        except CryptoError:
            raise ConfigError("encryption_public_key_pem is not an RSA public key") from None
        if not isinstance(self.max_answer_bytes, int) or not 4096 <= self.max_answer_bytes <= 256_000_000:
            raise ConfigError("max_answer_bytes must be between 4096 and 256000000")
        if self.credential_refresh_margin < 0 or self.pool_maxsize < 1:
            raise ConfigError("credential_refresh_margin/pool_maxsize out of range")

    @property
    def language_header(self) -> str:
        """The ``X-TC-Language`` value for ``language``."""
        return language_header(self.language)
