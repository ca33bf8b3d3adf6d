"""A scripted FaceID stand-in on 127.0.0.1 (real sockets) for the client's tests.

It verifies the TC3 signature of every request with :func:`verify_authorization` (so a client
that signs wrongly fails the test), checks ``X-TC-Timestamp`` against its own clock (±300 s,
``AuthFailure.SignatureExpire`` otherwise), sends a ``Date`` header from its own clock, and then
plays the next scripted step. Every request is recorded (headers, body, arrival time).

Steps (callables or shortcuts):
* ``ok_card(...)`` / ``ok_face(...)`` -> a Success body;
* ``error(code)`` -> ``Response.Error``;
* ``raw(status, body, content_type)``;
* ``RESET`` -> read the request, then close with an RST (no answer);
* ``hang(seconds)`` -> read the request, wait, then answer (read-timeout tests);
* a callable ``f(recorded_request) -> (status, headers, body)``.
When the script is exhausted the ``default`` step is played.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk.core.faceid.signing import verify_authorization

SECRET_ID = "AKIDtestEXAMPLE0123456789"
SECRET_KEY = "testSecretKeyEXAMPLEdoNotLeak42"

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Recorded:
    headers: dict[str, str]
    body: bytes
    arrived: float
    path: str
    signature_ok: bool
    peer: tuple[str, int] = ("", 0)

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


def body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def ok_face(sim: float = 91.5, request_id: str = "rid-face-ok", result: str = "Success") -> Callable[..., Reply]:
    def step(_req: Recorded) -> Reply:
        return (
            200,
            {},
            body({"Response": {"Result": result, "Description": "成功", "Sim": sim, "RequestId": request_id}}),
        )

    return step


def ok_card(request_id: str = "rid-card-ok", **overrides: Any) -> Callable[..., Reply]:
    def step(_req: Recorded) -> Reply:
        resp = {
            "Address": "北京市东城区景山前街4号",
            "Birth": "1949/12/31",
            "Description": "成功",
            "Encryption": None,
            "IdNum": "11010519491231002X",
            "Name": "张三",
            "Nation": "汉",
            "Portrait": "/9j/4AAQSk",
            "Quality": 98,
            "RequestId": request_id,
            "Result": "Success",
            "Sex": "男",
            "Sim": 99.76,
            "Warnings": "",
        }
        resp.update(overrides)
        return 200, {}, body({"Response": resp})

    return step


def error(code: str, request_id: str = "rid-err", status: int = 200) -> Callable[..., Reply]:
    def step(_req: Recorded) -> Reply:
        return (
            status,
            {},
            body(
                {
                    "Response": {
                        "Error": {"Code": code, "Message": "message 11010519491231002X"},
                        "RequestId": request_id,
                    }
                }
            ),
        )

    return step


def raw(status: int, payload: bytes, content_type: str = "text/html") -> Callable[..., Reply]:
    def step(_req: Recorded) -> Reply:
        return status, {"Content-Type": content_type}, payload

    return step


RESET = "RESET"


@dataclass
class _Hang:
    seconds: float
    then: Callable[..., Reply]


def hang(seconds: float, then: Callable[..., Reply] | None = None) -> _Hang:
    return _Hang(seconds, then or ok_face())


@dataclass
class FakeFaceId:
    """Start with ``with FakeFaceId() as srv:``; ``srv.url`` is the endpoint."""

    script: list[Any] = field(default_factory=list)
    default: Any = None
    secret_id: str = SECRET_ID
    secret_key: str = SECRET_KEY
    skew: float = 0.0  # server clock = real clock + skew
    check_time: bool = True
    send_date: bool = True
    date_header: str = "Date"  # some gateways send "date"
    tls_context: ssl.SSLContext | None = None
    requests: list[Recorded] = field(default_factory=list)

    def now(self) -> float:
        return time.time() + self.skew

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        if self.default is None:
            self.default = ok_face()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                outer._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls_context is not None:
            self._server.socket = self.tls_context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        scheme = "https" if self.tls_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeFaceId:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_step(self) -> Any:
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length", "0"))
        payload = h.rfile.read(length)
        headers = {k: v for k, v in h.headers.items()}
        ts_raw = headers.get("X-TC-Timestamp", "")
        ts = int(ts_raw) if ts_raw.isdigit() else -1
        sig_ok = verify_authorization(
            headers.get("Authorization", ""),
            secret_key=self.secret_key,
            host=headers.get("Host", ""),
            method="POST",
            content_type=headers.get("Content-Type", ""),
            payload=payload,
            canonical_query="",
            timestamp=ts,
        ) and f"Credential={self.secret_id}/" in headers.get("Authorization", "")
        rec = Recorded(headers, payload, time.monotonic(), h.path, sig_ok, tuple(h.client_address[:2]))
        with self._lock:
            self.requests.append(rec)
        if not sig_ok:
            return self._reply(h, *error("AuthFailure.SignatureFailure")(rec))
        if self.check_time and abs(ts - self.now()) > 300:
            return self._reply(h, *error("AuthFailure.SignatureExpire")(rec))
        step = self._next_step()
        if step == RESET:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.close_connection = True
            h.connection.close()
            return None
        if isinstance(step, _Hang):
            time.sleep(step.seconds)
            step = step.then
        try:
            return self._reply(h, *step(rec))
        except (BrokenPipeError, ConnectionResetError):
            return None

    def _reply(self, h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], payload: bytes) -> None:
        h.send_response_only(status)
        if self.send_date:
            h.send_header(self.date_header, formatdate(self.now(), usegmt=True))
        if "Content-Type" not in headers:
            h.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
        h.wfile.flush()


def unused_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
