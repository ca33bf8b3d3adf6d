"""HTTP request building and sending for the FaceID client.

:func:`build_request` turns a body into a signed request (headers exactly as the SDK sends them,
plus a TraceId). :class:`Transport` owns one ``requests.Session`` (keep-alive pool, TLS
verification always on, optional CA bundle and HTTPS proxy, environment ignored) and maps every
transport failure onto the two outcomes that matter for billing:

* :class:`NetworkError`: the connection was never established (DNS failure, refused, connect
  timeout, proxy/TLS handshake failure): the request cannot have reached the service;
* :class:`OutcomeUnknownError`: anything after the connection was established (read timeout,
  reset, truncated answer): it may have been processed and billed.

Threading: ``Transport.send`` may be called from several threads (urllib3's pool is
thread-safe); ``close`` must not race with ``send``. The transport owns the session.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from kiosk.core.faceid.credentials import Credential
from kiosk.core.faceid.errors import ConfigError, NetworkError, OutcomeUnknownError
from kiosk.core.faceid.settings import API_VERSION, SERVICE, ClientSettings, Endpoint
from kiosk.core.faceid.signing import CONTENT_TYPE_JSON, sign_tc3

__all__ = ["HttpRequest", "HttpResponse", "Transport", "build_request"]


@dataclass(frozen=True, slots=True, repr=False)
class HttpRequest:
    """A signed POST. Holds the Authorization and maybe a token: never logged or repr'd."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    timestamp: int
    trace_id: str

    def __repr__(self) -> str:
        return f"HttpRequest(url={self.url!r}, body=<{len(self.body)} bytes>, trace_id={self.trace_id!r})"


@dataclass(frozen=True, slots=True, repr=False)
class HttpResponse:
    """Status, headers (case-insensitive) and raw body of an answer, with local send/receive times."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    sent_at: float
    received_at: float

    def __repr__(self) -> str:
        return f"HttpResponse(status={self.status}, body=<{len(self.body)} bytes>)"


def build_request(
    *,
    endpoint: Endpoint,
    action: str,
    body: bytes,
    credential: Credential,
    timestamp: int,
    region: str = "",
    language: str = "en-US",
    request_client: str = "",
    trace_id: str | None = None,
) -> HttpRequest:
    """Sign ``body`` and build the SDK's header set (Region/Token only when non-empty)."""
    headers: dict[str, str] = {
        "Authorization": sign_tc3(
            secret_id=credential.secret_id,
            secret_key=credential.secret_key,
            host=endpoint.host,
            method="POST",
            content_type=CONTENT_TYPE_JSON,
            payload=body,
            canonical_query="",
            timestamp=timestamp,
            service=SERVICE,
        ),
        "Content-Type": CONTENT_TYPE_JSON,
        "Host": endpoint.host,
        "X-TC-Action": action[0].upper() + action[1:],
        "X-TC-RequestClient": request_client,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": API_VERSION,
    }
    if region:
        headers["X-TC-Region"] = region
    if credential.token:
        headers["X-TC-Token"] = credential.token
    if language:
        headers["X-TC-Language"] = language
    trace = trace_id or str(uuid.uuid4())
    headers["X-TC-TraceId"] = trace
    return HttpRequest(endpoint.url, headers, body, timestamp, trace)


_NOT_SENT_TYPES: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectTimeout,
    requests.exceptions.ProxyError,
    urllib3.exceptions.NewConnectionError,  # includes NameResolutionError (DNS)
    urllib3.exceptions.ConnectTimeoutError,
    urllib3.exceptions.ProxyError,
    ConnectionRefusedError,
)


# Raised by requests while preparing the request: nothing was sent, and retrying cannot help.
_PRE_SEND_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidProxyURL,
)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, its causes/contexts, ``args`` exceptions and MaxRetryError reasons."""
    seen: list[BaseException] = []
    stack: list[BaseException] = [exc]
    while stack and len(seen) < 32:
        cur = stack.pop()
        if any(cur is s for s in seen):
            continue
        seen.append(cur)
        nxt: list[object] = [cur.__cause__, cur.__context__, getattr(cur, "reason", None), *cur.args]
        stack.extend(n for n in nxt if isinstance(n, BaseException))
    return seen


def classify_transport_error(exc: BaseException) -> str:
    """``"not_sent"``, ``"tls"`` (handshake failed: not sent) or ``"unknown"`` (maybe processed)."""
    chain = _chain(exc)
    if any(isinstance(e, requests.exceptions.SSLError | urllib3.exceptions.SSLError) for e in chain):
        return "tls"
    if any(isinstance(e, _NOT_SENT_TYPES) for e in chain):
        return "not_sent"
    return "unknown"


class Transport:
    """One keep-alive HTTPS session for one client (the transport owns and closes it)."""

    def __init__(self, settings: ClientSettings) -> None:
        self._settings = settings
        session = requests.Session()
        session.trust_env = False  # no env proxies / CA overrides: config is the only source
        session.verify = settings.ca_bundle or True  # never False
        if settings.https_proxy:
            session.proxies = {"https": settings.https_proxy}
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=settings.pool_maxsize, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.clear()
        session.headers["Accept"] = "application/json"
        session.headers["Accept-Encoding"] = "gzip, deflate"
        session.headers["Connection"] = "keep-alive"
        session.headers["User-Agent"] = settings.request_client
        self._session = session

    def send(self, request: HttpRequest, *, action: str = "", clock: Callable[[], float] = time.time) -> HttpResponse:
        """POST and read the whole answer. Raises NetworkError or OutcomeUnknownError.

        ``clock`` is the kiosk wall clock used for ``sent_at``/``received_at`` (clock-offset
        estimation must use the same clock the client signs with)."""
        settings = self._settings
        sent_at = clock()
        # The read timeout bounds each socket read; a server that drips the answer slowly could
        # keep every read under it forever, so the whole answer also has a deadline.
        deadline = time.monotonic() + settings.connect_timeout + settings.read_timeout
        try:
            resp = self._session.post(
                request.url,
                data=request.body,
                headers=dict(request.headers),
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False,
                verify=settings.ca_bundle or True,
                stream=True,
            )
            complete = False
            try:
                chunks: list[bytes] = []
                # read1 returns what has arrived (read(n) would wait to fill n), so the deadline
                # is checked at least once per read timeout.
                while chunk := resp.raw.read1(65536, decode_content=True):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise OutcomeUnknownError("answer not complete within the read timeout", action=action)
                body = b"".join(chunks)
                complete = True
            except (urllib3.exceptions.HTTPError, OSError) as exc:  # raw reads are not wrapped by requests
                raise OutcomeUnknownError(
                    f"request sent but no complete answer ({type(exc).__name__})", action=action
                ) from None
            finally:
                if complete:
                    resp.raw.release_conn()  # whole answer read: the connection stays alive
                else:
                    resp.close()  # half-read: never reuse this connection
        except _PRE_SEND_ERRORS as exc:
            raise ConfigError(f"request could not be prepared ({type(exc).__name__})", action=action) from None
        except requests.exceptions.RequestException as exc:
            kind = classify_transport_error(exc)
            if kind == "tls":
                raise NetworkError(
                    "TLS handshake or certificate verification failed",
                    code="ClientNetworkError.TLS",
                    action=action,
                ) from None
            if kind == "not_sent":
                raise NetworkError(f"connection not established ({type(exc).__name__})", action=action) from None
            raise OutcomeUnknownError(
                f"request sent but no complete answer ({type(exc).__name__})", action=action
            ) from None
        return HttpResponse(resp.status_code, CaseInsensitiveDict(resp.headers), body, sent_at, clock())

    def close(self) -> None:
        self._session.close()
