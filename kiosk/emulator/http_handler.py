"""HTTP/1.1 framing of the emulator: one :class:`RequestHandler` per connection.

It reads a request within the framing limits, applies the wire-level faults of the emulator's
:class:`~kiosk.emulator.faults.FaultPlan` (reset, latency, HTTP errors, non-JSON pages,
truncation), hands the request to the emulator (:meth:`Emulator.process
<kiosk.emulator.http_server.Emulator.process>`), records the call and sends the JSON envelope
(headers and body in one write, ``TCP_NODELAY``; HTTP/1.1 keep-alive). Every answer carries an
RFC 7231 ``Date`` header from the emulator's clock (so a client can measure its skew).

Hostile clients (docs/security.md): a request line that is not ``METHOD PATH HTTP/1.x`` gets an
``UnsupportedProtocol`` / ``InvalidParameter`` answer (no traceback, ``GET / HTTP/0.9`` included);
the request line and headers together are capped at :data:`MAX_HEADER_BYTES` and
:data:`MAX_HEADER_COUNT` lines (``RequestSizeLimitExceeded``), the body at :data:`MAX_POST_BYTES`;
a chunked body is ``InvalidParameter``. Protocol errors are the service's JSON envelope, never
``http.server``'s HTML page. The access log (DEBUG) never shows a query string.

Slow and idle clients (:mod:`.connections`): every read goes through a
:class:`~kiosk.emulator.connections.DeadlineReader`; the connection waits for a request at most
the idle timeout, the request line and headers must be complete within the header deadline, the
body within its size-proportional deadline, and the answer is written with a write timeout. The
connection's phase (idle / head / busy) is kept in the server's
:class:`~kiosk.emulator.connections.ConnectionTable`, which may close an idle or slow connection
when every worker is busy; a closed connection ends its thread at once.

Threading: each instance lives on its connection's thread (started by
:class:`~kiosk.emulator.http_server.EmulatorHTTPServer`) and owns that socket; it shares only
the emulator, whose fault plan and call records are thread-safe.
"""

from __future__ import annotations

import contextlib
import email.utils
import io
import json
import logging
import re
import socket
import ssl
import struct
import time
import uuid
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kiosk.emulator import codes
from kiosk.emulator.connections import DeadlineReader, Phase, readable
from kiosk.emulator.envelopes import CallRecord, error_envelope
from kiosk.emulator.faults import FaultDecision
from kiosk.emulator.http_server import EmulatorHTTPServer
from kiosk.emulator.outcomes import ApiError
from kiosk.emulator.request_checks import RATE_LIMITS

__all__ = ["MAX_HEADER_BYTES", "MAX_HEADER_COUNT", "MAX_POST_BYTES", "RequestHandler"]

MAX_POST_BYTES = 10 * 1024 * 1024
#: request line + headers of one request, and the number of header lines
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADER_COUNT = 64

_log = logging.getLogger("kiosk.emulator")


class RequestHandler(BaseHTTPRequestHandler):
    """Serves the requests of one connection (see the module docstring)."""

    protocol_version = "HTTP/1.1"
    server_version = "FaceIDEmulator/1.0"
    sys_version = ""
    timeout = 60
    server: EmulatorHTTPServer

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
        envelope, record = error_envelope(error, str(uuid.uuid4()), "", None)
        self.server.emulator.record(record)
        self.close_connection = True
        self.request_version = "HTTP/1.1"
        self._send(200, json.dumps(envelope, ensure_ascii=False).encode("utf-8"), "application/json")

    def handle_one_request(self) -> None:
        """Wait (idle timeout) for a request to start, then read it within the header deadline."""
        limits = self.server.limits
        if self.server.closing or not self._phase("idle"):
            self.close_connection = True
            return
        started = self._first_bytes(limits.idle_timeout_s)
        if not started or not self._phase("head"):
            self.close_connection = True
            return
        self._reader.deadline = time.monotonic() + limits.header_timeout_s
        super().handle_one_request()

    def _first_bytes(self, idle_s: float) -> bytes:
        """The first bytes of the next request (not consumed); b"" when none came within
        ``idle_s``, the client left or its TLS handshake failed."""
        self._reader.deadline = time.monotonic() + idle_s
        try:
            return bytes(self.rfile.peek(1))  # type: ignore[attr-defined]
        except TimeoutError:
            if not readable(self.connection):
                _log.debug("connection idle for %.1f s: closed", idle_s)
                return b""
        except OSError as exc:  # reset, failed TLS handshake
            _log.debug("connection failed before a request: %s", type(exc).__name__)
            return b""
        # a request arrived just as the idle time ran out: serve it rather than reset it
        self._reader.deadline = time.monotonic() + 1.0
        with contextlib.suppress(OSError):  # TimeoutError included
            return bytes(self.rfile.peek(1))  # type: ignore[attr-defined]
        return b""

    def _phase(self, phase: Phase) -> bool:
        """Record this connection's phase; False when the server has closed the connection."""
        return self.server.connections.set_phase(self.connection, phase)

    def parse_request(self) -> bool:
        """Only ``METHOD PATH HTTP/1.0|1.1``, and headers read with a byte and line cap."""
        if not self._phase("head"):  # closed by the server (evicted, stopping) while it arrived
            self.close_connection = True
            return False
        words = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n").split()
        self.requestline = " ".join(words[:2])[:200]
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.command = None
            self.send_error(505 if len(words) == 3 and words[2].startswith("HTTP/") else 400)
            return False
        block = self._read_header_block(MAX_HEADER_BYTES - len(self.raw_requestline))
        if not self._phase("head"):
            self.close_connection = True
            return False
        if block is None:
            self.command = None
            self.send_error(431)
            return False
        real, self.rfile = self.rfile, io.BytesIO(block)
        try:
            parsed = bool(super().parse_request())
        finally:
            self.rfile = real
        return parsed and self._phase("busy")

    def _read_header_block(self, budget: int) -> bytes | None:
        """The header lines up to the blank line; None when over ``budget`` bytes or too many.

        The stream ending first (the client left, or the server closed the connection) raises
        :class:`ConnectionAbortedError`: half a request is never answered or processed."""
        lines: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(max(1, budget - total + 1))
            if not line:
                raise ConnectionAbortedError("the request head ended early")
            total += len(line)
            if total > budget or len(lines) > MAX_HEADER_COUNT:
                return None
            lines.append(line)
            if line in (b"\r\n", b"\n"):
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
        self.rfile.close()  # reads go through the deadline reader instead
        self._reader = DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader, 65536)

    def _send(self, status: int, body: bytes, content_type: str, *, truncate: bool = False) -> None:
        self.connection.settimeout(self.server.limits.write_timeout_s)
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
        if not too_large:
            self._reader.deadline = time.monotonic() + self.server.limits.body_deadline_s(length)
        body = b"" if too_large else self.rfile.read(length)
        if decision.latency:
            time.sleep(decision.latency)
        if decision.kind is not None and not decision.processed:
            self._fault_answer(decision, request_id, action, started)
            return
        if too_large:
            self.close_connection = True
            envelope, record = error_envelope(
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
            envelope, record = error_envelope(
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
