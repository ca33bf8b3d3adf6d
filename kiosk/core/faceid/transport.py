"""HTTP request building and sending for the FaceID client.

:func:`build_request` turns a body into a signed request (headers exactly as the SDK sends them,
plus a TraceId). :class:`Transport` owns one ``requests.Session`` (keep-alive pool, TLS
verification always on, optional CA bundle and HTTPS proxy, environment ignored) and maps every
transport failure onto the two outcomes that matter for billing:

* :class:`NetworkError`: the connection was never established (DNS failure, refused, connect
  timeout, proxy/TLS handshake failure): the request cannot have reached the service;
* :class:`OutcomeUnknownError`: anything after the connection was established (read timeout,
  reset, truncated answer): it may have been processed and billed.

Which of the two is decided by what was written: the transport's connections count the bytes
of the request handed to the socket. A failure (TLS alert, reset, deadline) before the whole
request was written cannot have been processed (the service needs the whole body:
``Content-Length``) and is a NetworkError; after it, the outcome is unknown. So a stalled TLS
handshake is "nothing sent" and a TLS alert after the body is "possibly billed".

Hostile answers are bounded (docs/security.md):

* ONE deadline, ``connect_timeout + read_timeout`` from the start of the send to the last byte,
  covers connecting, sending, the status line, the headers and the body: a watchdog timer shuts
  the socket down when it passes, so a service that drips its status line one byte per second
  gets no more time than one that is silent;
* ``max_answer_bytes`` caps the body (``Content-Length`` checked first, then every byte read);
* ``Accept-Encoding: identity`` is asked for; a gzip/deflate answer sent anyway is inflated in
  bounded steps and counted against the same cap (a gzip bomb stops at the cap);
* http.client's own limits bound the status line and headers (64 KB per line, 100 headers).

Threading: ``Transport.send`` may be called from several threads (urllib3's pool is
thread-safe); ``close`` must not race with ``send``. The transport owns the session.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

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


class _Watch:
    """The deadline of one send: counts what was written, shuts the socket down when time is up.

    Created and read by the sending thread; the timer thread only sets ``expired`` and shuts the
    registered socket down (``socket.shutdown`` is safe to call from another thread: the
    blocked ``recv``/``send`` returns).
    """

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.expired = False
        self._done = False
        self.bytes_sent = 0
        self.request_written = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sock = sock
            if self.expired:
                _shutdown(sock)

    def finish(self) -> bool:
        """The answer is complete: from now on the timer touches nothing (the connection may go
        back to the pool). False when the deadline passed first."""
        with self._lock:
            self._done = True
            return not self.expired

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)


def _shutdown(sock: socket.socket) -> None:
    # the plain socket's shutdown: SSLSocket.shutdown would also drop its SSL object
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_WATCH = threading.local()


def _current_watch() -> _Watch | None:
    return getattr(_WATCH, "watch", None)


class _WatchedMixin:
    """Registers the connection's socket with the calling thread's :class:`_Watch`."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        watch = _current_watch()
        if watch is not None:
            watch.attach(sock)  # the TCP socket: covers a stalled TLS handshake too
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watch = _current_watch()
        if watch is not None:
            watch.attach(self.sock)

    def send(self, data: bytes) -> None:
        watch = _current_watch()
        if watch is not None:
            watch.attach(self.sock)
        super().send(data)  # type: ignore[misc]
        if watch is not None:
            watch.bytes_sent += len(data)

    def getresponse(self):  # type: ignore[no-untyped-def]
        watch = _current_watch()
        if watch is not None:
            watch.request_written = True
            watch.attach(self.sock)
        return super().getresponse()  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """An adapter whose pools (direct and through the proxy) use the watched connections."""

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # type: ignore[no-untyped-def]
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


class _AnswerTooLargeError(Exception):
    pass


class _BodyReader:
    """Reads the (possibly compressed) body in bounded steps; at most ``limit`` bytes out."""

    def __init__(self, encoding: str, limit: int) -> None:
        enc = encoding.strip().lower()
        if enc in ("", "identity"):
            self._inflate = None
        elif enc in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise ValueError(f"unexpected Content-Encoding {enc[:20]!r}")
        self._limit = limit
        self._chunks: list[bytes] = []
        self.size = 0

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise _AnswerTooLargeError
        self._chunks.append(data)

    def feed(self, raw: bytes) -> None:
        if self._inflate is None:
            self._add(raw)
            return
        data = raw
        while data:  # at most 64 KB of output per step: a bomb stops at the cap
            self._add(self._inflate.decompress(data, 65536))
            data = self._inflate.unconsumed_tail

    def body(self) -> bytes:
        if self._inflate is not None:
            self._add(self._inflate.flush(65536))
        return b"".join(self._chunks)


class Transport:
    """One keep-alive HTTPS session for one client (the transport owns and closes it)."""

    def __init__(self, settings: ClientSettings) -> None:
        self._settings = settings
        session = requests.Session()
        session.trust_env = False  # no env proxies / CA overrides: config is the only source
        session.verify = settings.ca_bundle or True  # never False
        if settings.https_proxy:
            session.proxies = {"https": settings.https_proxy}
        adapter = _WatchedAdapter(pool_connections=1, pool_maxsize=settings.pool_maxsize, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.clear()
        session.headers["Accept"] = "application/json"
        session.headers["Accept-Encoding"] = "identity"
        session.headers["Connection"] = "keep-alive"
        session.headers["User-Agent"] = settings.request_client
        self._session = session

    @property
    def deadline_s(self) -> float:
        """Longest a send may take, from the first byte sent to the last byte of the answer."""
        return self._settings.connect_timeout + self._settings.read_timeout

    def send(self, request: HttpRequest, *, action: str = "", clock: Callable[[], float] = time.time) -> HttpResponse:
        """POST and read the whole answer within :attr:`deadline_s`. Raises NetworkError (the
        request was not completely written: cannot have been processed) or OutcomeUnknownError.

        ``clock`` is the kiosk wall clock used for ``sent_at``/``received_at`` (clock-offset
        estimation must use the same clock the client signs with)."""
        watch = _Watch(self.deadline_s)
        _WATCH.watch = watch
        watch.start()
        try:
            return self._send(request, watch, action, clock)
        finally:
            watch.cancel()
            _WATCH.watch = None

    def _send(self, request: HttpRequest, watch: _Watch, action: str, clock: Callable[[], float]) -> HttpResponse:
        settings = self._settings
        limit = settings.max_answer_bytes
        sent_at = clock()
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
                length = resp.headers.get("Content-Length", "")
                if length.strip().isdigit() and int(length) > limit:
                    raise _AnswerTooLargeError
                reader = _BodyReader(resp.headers.get("Content-Encoding", ""), limit)
                # read1 returns what has arrived (read(n) would wait to fill n); the watch cuts
                # the socket when the deadline passes, whatever the pace of the bytes.
                while chunk := resp.raw.read1(65536, decode_content=False):
                    reader.feed(chunk)
                    if watch.expired:
                        break
                body = reader.body()
                complete = watch.finish()
            except _AnswerTooLargeError:
                raise OutcomeUnknownError(
                    f"answer larger than {limit} bytes", code="ServerNetworkError", action=action
                ) from None
            except (ValueError, zlib.error) as exc:
                raise OutcomeUnknownError(
                    f"answer not readable ({type(exc).__name__})", code="ServerNetworkError", action=action
                ) from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:  # raw reads are not wrapped by requests
                if watch.expired:
                    raise self._deadline_error(watch, action) from None
                raise OutcomeUnknownError(
                    f"request sent but no complete answer ({type(exc).__name__})", action=action
                ) from None
            finally:
                if complete:
                    resp.raw.release_conn()  # whole answer read: the connection stays alive
                else:
                    resp.close()  # half-read: never reuse this connection
            if not complete:
                raise self._deadline_error(watch, action)
        except _PRE_SEND_ERRORS as exc:
            raise ConfigError(f"request could not be prepared ({type(exc).__name__})", action=action) from None
        except requests.exceptions.RequestException as exc:
            if watch.expired:
                raise self._deadline_error(watch, action) from None
            kind = classify_transport_error(exc)
            written = watch.request_written
            if kind == "tls" and not written:
                raise NetworkError(
                    "TLS handshake or certificate verification failed",
                    code="ClientNetworkError.TLS",
                    action=action,
                ) from None
            if kind == "not_sent" or (not written and watch.bytes_sent == 0):
                raise NetworkError(f"connection not established ({type(exc).__name__})", action=action) from None
            raise OutcomeUnknownError(
                f"request sent but no complete answer ({type(exc).__name__})", action=action
            ) from None
        return HttpResponse(resp.status_code, CaseInsensitiveDict(resp.headers), body, sent_at, clock())

    def _deadline_error(self, watch: _Watch, action: str) -> Exception:
        if not watch.request_written:
            return NetworkError(f"request not sent within {self.deadline_s:.1f} s", action=action)
        return OutcomeUnknownError(f"no complete answer within {self.deadline_s:.1f} s", action=action)

    def close(self) -> None:
        self._session.close()
