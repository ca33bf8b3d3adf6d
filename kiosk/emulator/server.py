"""The FaceID emulator's HTTP(S) server: TC3 authentication, rate limits, faults, envelopes.

:class:`EmulatorServer` serves the two FaceID actions on loopback (by default) from a background
thread, for tests, the demo and staff training::

    with EmulatorServer(registry=Registry.builtin()) as emu:
        client = FaceidClient(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), "",
                              ClientProfile(httpProfile=HttpProfile(endpoint=emu.endpoint, scheme="http")))

What it checks, in order, for every request (codes as the service returns them):

1. method: GET and POST only (``UnsupportedProtocol``); size: POST body <= 10 MB, GET query
   <= 32 KB (``RequestSizeLimitExceeded``);
2. ``X-TC-Action`` (``MissingParameter`` / ``InvalidAction``) and ``X-TC-Version`` ``2018-03-01``
   (``NoSuchVersion``);
3. TC3-HMAC-SHA256 exactly as the service: malformed ``Authorization`` ->
   ``AuthFailure.InvalidAuthorization``; ``X-TC-Timestamp`` more than 300 s from the emulator's clock
   -> ``AuthFailure.SignatureExpire``; unknown SecretId -> ``AuthFailure.SecretIdNotFound``; wrong
   signature (key, body, host, content type, scope date) -> ``AuthFailure.SignatureFailure``;
   ``X-TC-Token`` different from the configured token (or present when none is configured) ->
   ``AuthFailure.TokenFailure``. Signatures are checked with :mod:`kiosk.core.faceid.signing`
   (``SignedHeaders=content-type;host`` as the SDK sends; ``UNSIGNED-PAYLOAD`` supported);
4. per-action rate limits, 100/s ``CheckIdCardInformation`` and 20/s ``ImageRecognitionV2``
   (sliding one-second window; ``RequestLimitExceeded``);
5. parameters and business logic (:mod:`kiosk.emulator.service`).

Every answer carries ``RequestId`` (uuid4) and an RFC 7231 ``Date`` header from the emulator's
clock (so a client can measure its skew); API errors are HTTP 200 ``application/json`` like the
service. Each call is logged as one JSON line on the ``kiosk.emulator`` logger with the billed
flag (faceid-api.md §5.2) and a masked ID number, never a name or image, and kept in
:attr:`EmulatorServer.calls` for tests.

Credentials: ``secret_id``/``secret_key`` arguments, else ``KIOSK_EMULATOR_SECRET_ID`` /
``KIOSK_EMULATOR_SECRET_KEY``, else the documented demo values :data:`DEMO_SECRET_ID` /
:data:`DEMO_SECRET_KEY` (not secrets: they only open the local emulator).

Hostile clients (docs/security.md): a request line that is not ``METHOD PATH HTTP/1.x`` gets an
``UnsupportedProtocol`` / ``InvalidParameter`` answer (no traceback, ``GET / HTTP/0.9`` included);
the request line and headers together are capped at :data:`MAX_HEADER_BYTES` and
:data:`MAX_HEADER_COUNT` lines, the body at 10 MB; at most :data:`MAX_WORKERS` connections are
served at once (more wait in the listen queue of :data:`LISTEN_BACKLOG`); a nested-JSON body
is ``InvalidParameter``.

Threading: one thread runs the accept loop, one daemon thread per connection (at most
:data:`MAX_WORKERS`) handles requests (HTTP/1.1 keep-alive). Shared state (rate windows, fault
plan, call records, open connections) is guarded by locks. ``start()``/``stop()`` are meant to
be called from one owner thread; ``stop()`` closes open client connections too. TLS handshakes
happen on the connection threads.
"""

from __future__ import annotations

import contextlib
import email.utils
import io
import json
import logging
import os
import re
import shutil
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kiosk.core.faceid import signing
from kiosk.emulator import codes
from kiosk.emulator.faults import FaultDecision, FaultPlan
from kiosk.emulator.keys import RsaKeyPair, TlsFiles, make_tls_files
from kiosk.emulator.matcher import FaceMatcher
from kiosk.emulator.outcomes import ApiError, ServiceOutcome
from kiosk.emulator.registry import Registry
from kiosk.emulator.service import FaceIdService

__all__ = [
    "DEMO_SECRET_ID",
    "DEMO_SECRET_KEY",
    "ENV_SECRET_ID",
    "ENV_SECRET_KEY",
    "RATE_LIMITS",
    "VERSION",
    "CallRecord",
    "EmulatorServer",
]

#: demo credentials of the emulator (documented, not secret; they open only the local emulator).
DEMO_SECRET_ID = "AKIDkioskEmulatorDemoSecretId000000"  # noqa: S105 - public demo value
DEMO_SECRET_KEY = "kioskEmulatorDemoSecretKey000000"  # noqa: S105 - public demo value
ENV_SECRET_ID = "KIOSK_EMULATOR_SECRET_ID"  # noqa: S105 - a variable name
ENV_SECRET_KEY = "KIOSK_EMULATOR_SECRET_KEY"  # noqa: S105 - a variable name
VERSION = "2018-03-01"
#: requests per second per action (faceid-api.md §0).
RATE_LIMITS: dict[str, int] = {"CheckIdCardInformation": 100, "ImageRecognitionV2": 20}
MAX_POST_BYTES = 10 * 1024 * 1024
MAX_GET_QUERY = 32 * 1024
MAX_SKEW_SECONDS = 300
#: request line + headers of one request, and the number of header lines
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADER_COUNT = 64
#: connections served at once (one thread each); more wait in the listen queue
MAX_WORKERS = 64
LISTEN_BACKLOG = 128

_log = logging.getLogger("kiosk.emulator")


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


class _RateLimiter:
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


def _unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """GET parameters ``a.b=1&a.L.0=x`` back into nested objects and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.split(".")
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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    emulator: EmulatorServer

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        emulator: EmulatorServer,
        family: socket.AddressFamily,
    ) -> None:
        self.address_family = family
        self.emulator = emulator
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_WORKERS)
        self._closing = threading.Event()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # at most MAX_WORKERS handler threads: the accept loop waits for a free one
        while not self._slots.acquire(timeout=0.2):
            if self._closing.is_set():
                self.close_request(request)
                return
        with self._conns_lock:
            self._conns.add(request)
        try:
            super().process_request(request, client_address)
        except Exception:  # the thread did not start: give the slot back
            self._slots.release()
            raise

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            known = request in self._conns
            self._conns.discard(request)
        super().shutdown_request(request)
        if known:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops the connection or rejects our certificate is routine, not a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ssl.SSLError | ConnectionError | TimeoutError):
            _log.debug("connection from %s ended: %s", client_address[0], type(exc).__name__)
            return
        _log.error("request handler failed for %s", client_address[0], exc_info=True)

    def close_connections(self) -> None:
        self._closing.set()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FaceIDEmulator/1.0"
    sys_version = ""
    timeout = 60
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        # GET query strings carry the ID number and name: never log them.
        _log.debug("http %s", re.sub(r"\?[^\s'\"]*", "?<query>", format % args))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors http.server detects itself get the service's JSON answer, never HTML."""
        if code in (414, 431):
            error = ApiError("RequestSizeLimitExceeded", "GET requests are limited to 32 KB; use POST")
        elif code in (501, 505):
            error = ApiError("UnsupportedProtocol", "unsupported method or protocol version")
        else:
            error = ApiError("InvalidParameter", "malformed HTTP request")
        self._send_protocol_error(error)

    def _send_protocol_error(self, error: ApiError) -> None:
        emu = self.server.emulator
        envelope, record = emu.error_envelope(error, str(uuid.uuid4()), "", None)
        emu.record(record)
        self.close_connection = True
        self.request_version = "HTTP/1.1"
        self._send(200, json.dumps(envelope, ensure_ascii=False).encode("utf-8"), "application/json")

    def parse_request(self) -> bool:
        """Only ``METHOD PATH HTTP/1.0|1.1``, and headers read with a byte and line cap."""
        words = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n").split()
        self.requestline = " ".join(words[:2])[:200]
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.command = None
            self.send_error(505 if len(words) == 3 and words[2].startswith("HTTP/") else 400)
            return False
        block = self._read_header_block(MAX_HEADER_BYTES - len(self.raw_requestline))
        if block is None:
            self.command = None
            self.send_error(431)
            return False
        real, self.rfile = self.rfile, io.BytesIO(block)
        try:
            return bool(super().parse_request())
        finally:
            self.rfile = real

    def _read_header_block(self, budget: int) -> bytes | None:
        """The header lines up to the blank line; None when over ``budget`` bytes or too many."""
        lines: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(max(1, budget - total + 1))
            total += len(line)
            if total > budget or len(lines) > MAX_HEADER_COUNT:
                return None
            lines.append(line)
            if line in (b"\r\n", b"\n", b""):
                return b"".join(lines)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """RFC 7231 ``Date`` from the emulator's (possibly skewed) clock."""
        clock = self.server.emulator.clock
        return email.utils.formatdate(clock() if timestamp is None else timestamp, usegmt=True)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    # ------------------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):  # small answers must not wait for delayed ACKs
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes, content_type: str, *, truncate: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
        # headers and body in one write (end_headers() would flush the headers on their own)
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body[: len(body) // 2] if truncate else body)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []
        self.wfile.flush()
        if truncate:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0) and no answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw = self.connection
        with contextlib.suppress(OSError):
            if isinstance(raw, ssl.SSLSocket):
                # close the underlying TCP socket without a TLS close_notify
                socket.socket(fileno=raw.detach()).close()
            else:
                raw.close()

    def _handle(self) -> None:
        emu = self.server.emulator
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        split = urlsplit(self.path)
        action = self.headers.get("X-TC-Action") or ""
        if not action and self.command == "GET":
            action = dict(parse_qsl(split.query)).get("Action", "")
        action = action[:64]  # only ever logged; keep log lines bounded
        decision = emu.faults.decide(action if action in RATE_LIMITS else None)
        if decision.kind == "reset":
            emu.record(CallRecord(request_id, action, "fault", "reset", False, False, "", None, decision.rule, 0.0))
            self._reset()
            return
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._send_protocol_error(
                ApiError("InvalidParameter", "chunked request bodies are not supported; send Content-Length")
            )
            return
        length_text = self.headers.get("Content-Length") or "0"
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        too_large = length > MAX_POST_BYTES or length < 0
        body = b"" if too_large else self.rfile.read(length)
        if decision.latency:
            time.sleep(decision.latency)
        if decision.kind is not None and not decision.processed:
            self._fault_answer(decision, request_id, action, started)
            return
        if too_large:
            self.close_connection = True
            envelope, record = emu.error_envelope(
                ApiError("RequestSizeLimitExceeded", "the request body exceeds 10 MB"),
                request_id,
                action,
                self.headers.get("X-TC-Language"),
            )
        else:
            envelope, record = emu.process(self.command, split.query, self.headers, body, request_id)
        elapsed = round((time.monotonic() - started) * 1000.0, 1)
        emu.record(
            CallRecord(**{**asdict(record), "elapsed_ms": elapsed, "fault": decision.rule if decision.kind else ""})
        )
        if decision.kind == "reset_after":
            self._reset()
            return
        payload = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        self._send(200, payload, "application/json", truncate=decision.kind == "truncate")

    def _fault_answer(self, decision: FaultDecision, request_id: str, action: str, started: float) -> None:
        emu = self.server.emulator
        elapsed = round((time.monotonic() - started) * 1000.0, 1)
        if decision.kind in ("error", "ratelimit"):
            code = decision.code if decision.code in codes.CODES else "InternalError"
            envelope, record = emu.error_envelope(
                ApiError(code, "injected fault"), request_id, action, self.headers.get("X-TC-Language")
            )
            emu.record(CallRecord(**{**asdict(record), "elapsed_ms": elapsed, "fault": decision.rule}))
            self._send(200, json.dumps(envelope, ensure_ascii=False).encode("utf-8"), "application/json")
            return
        emu.record(
            CallRecord(request_id, action, "fault", decision.kind or "", False, False, "", None, decision.rule, elapsed)
        )
        if decision.kind == "http":
            status = decision.status
            reason = self.responses.get(status, ("Error",))[0]
            html = f"<html><body><h1>{status} {reason}</h1></body></html>".encode("ascii")
            self._send(status, html, "text/html")
        else:  # nonjson
            html = b"<html><head><title>Portal</title></head><body>Please log in.</body></html>"
            self._send(200, html, "text/html; charset=utf-8")


class EmulatorServer:
    """The FaceID emulator, in-process (see the module docstring).

    ``registry`` defaults to :meth:`Registry.builtin`; ``faults`` is a ``--faults`` string or a
    :class:`FaultPlan`; ``seed`` seeds probabilistic faults; ``token`` is the STS token the
    credentials require (``None``: none); ``clock`` is the emulator's wall clock (tests skew it);
    ``rsa_key`` loads a fixed key pair instead of generating one; ``state_dir`` is where the
    public key and TLS files are written (a temporary directory, removed on ``stop()``, by default).
    """

    def __init__(
        self,
        registry: Registry | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        faults: str | FaultPlan | None = None,
        secret_id: str | None = None,
        secret_key: str | None = None,
        *,
        token: str | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        rsa_key: RsaKeyPair | None = None,
        rate_limits: dict[str, int] | None = None,
        state_dir: str | Path | None = None,
        matcher: FaceMatcher | None = None,
        max_records: int = 10_000,
    ) -> None:
        self.registry = registry if registry is not None else Registry.builtin()
        self.host = host
        self.port = int(port)
        self.tls = bool(tls)
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(faults, seed=seed)
        self.secret_id = secret_id or os.environ.get(ENV_SECRET_ID) or DEMO_SECRET_ID
        self.secret_key = secret_key or os.environ.get(ENV_SECRET_KEY) or DEMO_SECRET_KEY
        self.token = token
        self.clock = clock
        self.keys = rsa_key or RsaKeyPair.generate()
        self.service = FaceIdService(self.registry, self.keys, matcher)
        self._limiter = _RateLimiter(rate_limits or RATE_LIMITS)
        self._records: deque[CallRecord] = deque(maxlen=max_records)
        self._records_lock = threading.Lock()
        self._state_dir_arg = Path(state_dir) if state_dir else None
        self.state_dir: Path | None = None
        self.tls_files: TlsFiles | None = None
        self.public_key_file: Path | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmulatorServer:
        """Bind, write the key files and serve on a background thread; returns ``self``."""
        if self._httpd is not None:
            raise RuntimeError("emulator already started")
        if self._state_dir_arg is not None:
            self._state_dir_arg.mkdir(parents=True, exist_ok=True)
            self.state_dir = self._state_dir_arg
        else:
            self.state_dir = Path(tempfile.mkdtemp(prefix="kiosk-emulator-"))
        self.public_key_file = self.state_dir / "emulator-rsa-public.pem"
        self.public_key_file.write_text(self.public_key_pem, encoding="ascii")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        httpd = _HTTPServer((self.host, self.port), _Handler, self, family)
        if self.tls:
            self.tls_files = make_tls_files(self.state_dir, [self.host])
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(self.tls_files.cert_file, self.tls_files.key_file)
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="faceid-emulator", daemon=True
        )
        self._thread.start()
        _log.info(
            json.dumps(
                {
                    "event": "emulator_start",
                    "url": self.url,
                    "tls": self.tls,
                    "people": len(self.registry),
                    "faults": self.faults.spec or "",
                }
            )
        )
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and remove the temporary state directory."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._state_dir_arg is None and self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        _log.info(json.dumps({"event": "emulator_stop"}))

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ properties
    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def endpoint(self) -> str:
        """``host:port`` (what ``HttpProfile(endpoint=...)`` takes)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """``http(s)://host:port/``."""
        return f"{self.scheme}://{self.endpoint}/"

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate to trust (``None`` without TLS or before ``start()``)."""
        return self.tls_files.ca_file if self.tls_files else None

    @property
    def public_key_pem(self) -> str:
        """The emulator's RSA public key (PKCS#1 PEM) for ``Encryption.CiphertextBlob``."""
        return self.keys.public_key_pem

    @property
    def calls(self) -> list[CallRecord]:
        """A snapshot of the recorded calls, oldest first."""
        with self._records_lock:
            return list(self._records)

    @property
    def billed_calls(self) -> int:
        """How many recorded calls were billed."""
        return sum(1 for r in self.calls if r.billed)

    def clear_calls(self) -> None:
        with self._records_lock:
            self._records.clear()

    # ------------------------------------------------------------------ request processing
    def record(self, record: CallRecord) -> None:
        """Keep ``record`` and log it as one JSON line (no PII)."""
        with self._records_lock:
            self._records.append(record)
        _log.info(json.dumps({"event": "faceid_call", **asdict(record)}, ensure_ascii=False))

    def error_envelope(
        self, error: ApiError, request_id: str, action: str, language: str | None
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

    def process(
        self, method: str, query: str, headers: Any, body: bytes, request_id: str
    ) -> tuple[dict[str, Any], CallRecord]:
        """Authenticate, rate-limit and answer one request; returns (envelope, record)."""
        language = headers.get("X-TC-Language")
        action = (headers.get("X-TC-Action") or "")[:64]
        try:
            params, action = self._authenticate(method, query, headers, body)
            if not self._limiter.allow(action, time.monotonic()):
                raise ApiError("RequestLimitExceeded", f"{action} allows {RATE_LIMITS.get(action)} requests/s")
            if action == "CheckIdCardInformation":
                outcome = self.service.check_id_card_information(params, language)
            else:
                outcome = self.service.image_recognition_v2(params, language)
        except ApiError as exc:
            return self.error_envelope(exc, request_id, action, language)
        except Exception:  # a bug must still produce a well-formed answer
            _log.exception("emulator internal error (request %s)", request_id)
            return self.error_envelope(ApiError("InternalError"), request_id, action, language)
        return self._envelope(outcome, request_id, action)

    @staticmethod
    def _envelope(outcome: ServiceOutcome, request_id: str, action: str) -> tuple[dict[str, Any], CallRecord]:
        envelope = {"Response": {**outcome.response, "RequestId": request_id}}
        record = CallRecord(
            request_id, action, "result", outcome.result, outcome.billed, True, outcome.masked_id, outcome.sim, "", 0.0
        )
        return envelope, record

    def _authenticate(self, method: str, query: str, headers: Any, body: bytes) -> tuple[dict[str, Any], str]:
        """Steps 1-3 of the module docstring; returns (parameters, action)."""
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
        if abs(self.clock() - timestamp) > MAX_SKEW_SECONDS:
            raise ApiError("AuthFailure.SignatureExpire")
        if parsed.secret_id != self.secret_id:
            raise ApiError("AuthFailure.SecretIdNotFound")
        content_type = headers.get("Content-Type") or ""
        unsigned = (headers.get("X-TC-Content-SHA256") or "") == signing.UNSIGNED_PAYLOAD
        ok = signing.verify_authorization(
            header,
            secret_key=self.secret_key,
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
        if (self.token or sent_token) and sent_token != self.token:
            raise ApiError("AuthFailure.TokenFailure")
        return self._params(method, query, content_type, body), action

    @staticmethod
    def _params(method: str, query: str, content_type: str, body: bytes) -> dict[str, Any]:
        if method == "GET":
            try:
                pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
            except ValueError:
                raise ApiError("InvalidParameter", "malformed query string") from None
            common = {"Action", "Version", "Region", "Timestamp", "Nonce", "Language", "Token"}
            return _unflatten([(k, v) for k, v in pairs if k not in common])
        if content_type.split(";", maxsplit=1)[0].strip().lower() != "application/json":
            raise ApiError("InvalidParameter", "POST requests must be application/json")
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise ApiError("InvalidParameter", "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ApiError("InvalidParameter", "the body must be a JSON object")
        return data
