"""Staff calls over real loopback HTTP (server up, failing, down) and through a command; no Qt."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.core.staff_call import REASON_CUSTOMER, StaffCall, StaffNotifier


class BranchSystem:
    """A local branch system: records every POST; ``status`` is what it answers."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                owner.bodies.append(json.loads(self.rfile.read(length)))
                owner.headers.append(dict(self.headers))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/staff-calls"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def branch() -> Iterator[BranchSystem]:
    b = BranchSystem()
    yield b
    b.close()


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/staff-calls"


def test_a_call_reaches_the_branch_system_with_kiosk_id_time_and_reason_only(branch) -> None:
    sleeps: list[float] = []
    notifier = StaffNotifier(url=branch.url, timeout_s=2, attempts=3, retry_delay_s=0.5, sleep=sleeps.append)
    call = StaffCall("kiosk-07", REASON_CUSTOMER)
    result = notifier.send(call)
    assert result.delivered and result.attempts == 1 and sleeps == []
    (body,) = branch.bodies
    assert set(body) == {"kiosk_id", "reason", "time", "call_id", "event"}  # nothing about the customer
    assert body["kiosk_id"] == "kiosk-07" and body["reason"] == "customer_request"
    assert body["call_id"] == call.call_id and body["time"].endswith("+00:00")
    assert branch.headers[0]["Content-Type"] == "application/json"


def test_a_failing_branch_system_is_retried_a_bounded_number_of_times(branch) -> None:
    branch.status = 503
    sleeps: list[float] = []
    notifier = StaffNotifier(url=branch.url, timeout_s=2, attempts=3, retry_delay_s=0.25, sleep=sleeps.append)
    result = notifier.send(StaffCall("kiosk-07", REASON_CUSTOMER))
    assert not result.delivered and result.attempts == 3
    assert len(branch.bodies) == 3 and sleeps == [0.25, 0.25]
    assert "HTTP 503" in result.detail


def test_the_branch_system_answering_on_the_second_try(branch) -> None:
    answers = iter([500, 200])
    notifier = StaffNotifier(url=branch.url, timeout_s=2, attempts=3, retry_delay_s=0, sleep=lambda s: None)

    original = branch.server.RequestHandlerClass.do_POST

    def flaky(handler) -> None:
        branch.status = next(answers)
        original(handler)

    branch.server.RequestHandlerClass.do_POST = flaky
    result = notifier.send(StaffCall("kiosk-07", REASON_CUSTOMER))
    assert result.delivered and result.attempts == 2 and len(branch.bodies) == 2


def test_a_branch_system_that_is_down_fails_quickly_and_does_not_raise() -> None:
    notifier = StaffNotifier(url=dead_url(), timeout_s=1, attempts=2, retry_delay_s=0, sleep=lambda s: None)
    result = notifier.send(StaffCall("kiosk-07", REASON_CUSTOMER))
    assert not result.delivered and result.attempts == 2
    assert "ConnectionError" in result.detail


def test_a_command_gets_the_call_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "call.json"
    script = f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())"
    notifier = StaffNotifier(command=(sys.executable, "-c", script), timeout_s=20, attempts=1)
    result = notifier.send(StaffCall("kiosk-07", REASON_CUSTOMER))
    assert result.delivered, result.detail
    assert json.loads(out.read_text())["kiosk_id"] == "kiosk-07"


def test_a_failing_command_and_a_working_url_still_deliver(branch) -> None:
    notifier = StaffNotifier(url=branch.url, command=(sys.executable, "-c", "raise SystemExit(3)"), timeout_s=20,
                             attempts=2, retry_delay_s=0, sleep=lambda s: None)
    result = notifier.send(StaffCall("kiosk-07", REASON_CUSTOMER))
    assert result.delivered and "exit 3" in result.detail and len(branch.bodies) == 1


def test_nothing_configured_and_bad_urls() -> None:
    assert not StaffNotifier().send(StaffCall("k", REASON_CUSTOMER)).delivered
    with pytest.raises(ValueError, match="http"):
        StaffNotifier(url="ftp://branch/calls")
