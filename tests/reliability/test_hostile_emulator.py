"""The emulator against hostile clients: malformed request lines, huge headers, nested JSON,
parameters Python cannot read (over-long integers, deep nesting), connection floods. Real
sockets on 127.0.0.1; every answer is the service's JSON envelope, never a traceback."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.core.faceid.credentials import Credential
from kiosk.core.faceid.settings import Endpoint
from kiosk.core.faceid.transport import build_request
from kiosk.emulator.http_server import LISTEN_BACKLOG, MAX_WORKERS, log_unexpected
from kiosk.emulator.registry import Registry
from kiosk.emulator.request_checks import MAX_PARAM_DEPTH
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.emulator.fixtures import error_code, raw_call


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(registry=Registry.builtin()) as emu:
        yield emu


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    caplog.set_level(logging.DEBUG, logger="kiosk.emulator")
    found: list[logging.LogRecord] = []
    yield found
    found.extend(r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info)
    assert not found, [r.getMessage() for r in found]


def _exchange(port: int, data: bytes, *, timeout: float = 5.0) -> tuple[str, dict[str, object]]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode("latin-1"), json.loads(body)


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (b"GET / HTTP/0.9\r\n\r\n", "UnsupportedProtocol"),
        (b"GET /\r\n\r\n", "InvalidParameter"),
        (b"POST / HTTP/2.0\r\n\r\n", "UnsupportedProtocol"),
        (b"\x16\x03\x01\x02\x00garbage\r\n\r\n", "InvalidParameter"),
        (b"GET / HTTP/1.1 extra\r\n\r\n", "InvalidParameter"),
        (b"GET / HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 40_000 + b"\r\n\r\n", "RequestSizeLimitExceeded"),
        (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"\r\n",
         "RequestSizeLimitExceeded"),
    ],
    ids=["http-0.9", "simple-request", "http-2", "tls-to-plain", "four-words", "big-header", "many-headers"],
)
def test_malformed_requests_get_an_error_answer_not_a_traceback(
    emulator: EmulatorServer, errors: list[logging.LogRecord], request_bytes: bytes, code: str
) -> None:
    status, body = _exchange(emulator.port, request_bytes)
    assert status.startswith("HTTP/1.1 200")
    assert body["Response"]["Error"]["Code"] == code  # type: ignore[index]


def test_unfinished_huge_headers_are_cut_at_the_cap(emulator: EmulatorServer, errors: list[logging.LogRecord]) -> None:
    """6 MB of headers that never end: the emulator answers after 32 KB and closes."""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as s:
        s.sendall(b"POST / HTTP/1.1\r\n")
        sent = 0
        try:
            while sent < 6_000_000:
                s.sendall(b"X-Junk: " + b"j" * 1000 + b"\r\n")
                sent += 1010
        except OSError:  # the emulator closed after answering
            pass
        answer = s.recv(65536)
    assert sent < 6_000_000 or answer
    assert b"RequestSizeLimitExceeded" in answer


def test_a_signed_nested_json_body_is_invalid_parameter(emulator: EmulatorServer,
                                                        errors: list[logging.LogRecord]) -> None:
    body = b'{"ImageBase64": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    endpoint = Endpoint("http", f"127.0.0.1:{emulator.port}", f"http://127.0.0.1:{emulator.port}/")
    request = build_request(endpoint=endpoint, action="CheckIdCardInformation", body=body,
                            credential=Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), timestamp=int(time.time()))
    head = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items())
    raw = f"POST / HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    _status, answer = _exchange(emulator.port, raw)
    error = answer["Response"]["Error"]  # type: ignore[index]
    assert error["Code"] == "InvalidParameter" and "JSON" in error["Message"]


_PERSON = {"IdCard": "110101194612091288", "Name": "赵文华"}


@pytest.mark.parametrize(
    ("action", "method", "params", "body"),
    [
        ("ImageRecognitionV2", "POST", None, b'{"IdCard": ' + b"9" * 100_000 + b"}"),
        ("CheckIdCardInformation", "POST", {"ImageBase64": "AAAA", "Config": "[" * 100_000}, None),
        ("CheckIdCardInformation", "POST", {"ImageBase64": "AAAA", "Config": '{"Quality": 1' + "0" * 5000 + "}"},
         None),
        ("ImageRecognitionV2", "GET", {**_PERSON, "ImageBase64": "", "a." * 15_000 + "b": "1"}, None),
        ("ImageRecognitionV2", "GET", {**_PERSON, "ImageBase64": "", "a." * MAX_PARAM_DEPTH + "b": "1"}, None),
    ],
    ids=["100000-digit-int", "config-deep", "config-long-int", "get-15000-levels", "get-9-levels"],
)
def test_parameters_python_cannot_read_are_invalid_parameter_not_a_traceback(
    emulator: EmulatorServer, errors: list[logging.LogRecord], capfd: pytest.CaptureFixture[str],
    action: str, method: str, params: dict[str, str] | None, body: bytes | None,
) -> None:
    """Review finding: these answered InternalError and printed a RecursionError/ValueError
    traceback on the emulator's stderr."""
    answer = raw_call(emulator, action, params, method=method, body=body, timeout=10)
    assert error_code(answer) == "InvalidParameter", answer.text[:300]
    assert "Traceback" not in "".join(capfd.readouterr())


def test_an_unexpected_exception_is_one_line_with_the_traceback_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.emulator")

    def deep(n: int) -> int:
        return deep(n + 1)

    try:
        deep(0)
    except RecursionError:
        log_unexpected("emulator internal error (request %s)", "r-1")
    errors = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert len(errors) == 1 and errors[0].exc_info is None
    message = errors[0].getMessage()
    assert message.startswith("emulator internal error (request r-1): RecursionError at ") and "\n" not in message
    assert "test_hostile_emulator.py:" in message
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(debug) == 1 and debug[0].exc_info is not None


def test_a_connection_flood_is_queued_not_dropped_and_threads_are_capped(errors: list[logging.LogRecord]) -> None:
    with EmulatorServer(registry=Registry.builtin()) as emu:
        before = threading.active_count()
        idle = [socket.create_connection(("127.0.0.1", emu.port), timeout=2) for _ in range(MAX_WORKERS + 20)]
        time.sleep(0.5)
        threads = threading.active_count() - before
        # more connections than workers and than a listen queue of 5: all complete the handshake
        flood: list[socket.socket] = []
        for _ in range(100):
            flood.append(socket.create_connection(("127.0.0.1", emu.port), timeout=0.5))
        assert threads <= MAX_WORKERS + 2
        for s in idle + flood:
            s.close()
        # and the emulator serves again once they are gone
        _status, body = _exchange(emu.port, b"GET / HTTP/0.9\r\n\r\n", timeout=10)
        assert body["Response"]["Error"]["Code"] == "UnsupportedProtocol"  # type: ignore[index]
    assert LISTEN_BACKLOG >= 128
