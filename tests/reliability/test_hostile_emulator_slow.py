"""The emulator against slow and idle clients: every connection is bounded in time, idle
connections and slow request heads cannot starve a client that sends its request at once, and
``stop()`` returns at once however many slow clients hold connections.

Real sockets on 127.0.0.1, a real :class:`EmulatorServer`; short deadlines and few workers are
passed as :class:`ConnectionLimits` so each case runs in about a second (the production values
are asserted in ``test_production_connection_limits_are_sane``). Review findings: 70 clients
trickling a header byte every 5 s blocked every request for as long as they kept going; 64 idle
connections blocked it ~60 s; ``stop()`` (SIGTERM) hung while slow clients held connections.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.emulator.connections import MAX_WORKERS, ConnectionLimits
from kiosk.emulator.http_server import MAX_WORKERS as SERVER_MAX_WORKERS
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import EmulatorServer

GOOD = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"  # answered at once (MissingParameter): a free worker
SHORT = ConnectionLimits(max_workers=4, idle_timeout_s=30.0, header_timeout_s=30.0, body_floor_s=30.0,
                         write_timeout_s=5.0, busy_grace_s=0.3)


@pytest.fixture
def emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    limits = getattr(request, "param", SHORT)
    with EmulatorServer(registry=Registry.builtin(), connection_limits=limits) as emu:
        yield emu


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _answer_time(port: int, data: bytes = GOOD, timeout: float = 10.0) -> tuple[float, bytes]:
    """Seconds until the emulator answered ``data`` (and the first bytes of the answer)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        try:
            first = s.recv(65536)
        except TimeoutError:
            first = b""
    return time.monotonic() - started, first


def _closed_after(s: socket.socket, limit: float) -> tuple[float, bytes]:
    """Seconds until the server closed ``s`` (reading everything it sent meanwhile)."""
    started = time.monotonic()
    s.settimeout(limit)
    got = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := s.recv(65536):
            got += chunk
    return time.monotonic() - started, got


class Trickle:
    """Connections that each send ``head`` and then one byte every ``period`` s (slowloris)."""

    def __init__(self, port: int, count: int, head: bytes = b"POST / HTTP/1.1\r\nHost: x\r\n",
                 period: float = 0.2) -> None:
        self.socks = [_connect(port) for _ in range(count)]
        for s in self.socks:
            s.sendall(head)
        self._stop = threading.Event()
        self._period = period
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            for s in self.socks:
                with contextlib.suppress(OSError):
                    s.sendall(b"X")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self.socks:
            s.close()


@pytest.mark.parametrize("emulator", [ConnectionLimits(idle_timeout_s=0.5)], indirect=True)
def test_an_idle_connection_is_closed_after_the_idle_timeout(emulator: EmulatorServer) -> None:
    with _connect(emulator.port) as fresh:
        waited, got = _closed_after(fresh, 5)
    assert got == b"" and 0.4 <= waited < 2.0
    with _connect(emulator.port) as kept:  # kept alive after one answer, then idle
        kept.sendall(GOOD)
        time.sleep(0.1)
        waited, got = _closed_after(kept, 5)
    assert got.startswith(b"HTTP/1.1 200") and b"MissingParameter" in got and waited < 2.0


@pytest.mark.parametrize("emulator", [ConnectionLimits(header_timeout_s=1.0)], indirect=True)
def test_a_head_sent_one_byte_at_a_time_is_cut_at_the_header_deadline(emulator: EmulatorServer) -> None:
    """A per-read timeout never fires on a byte every 0.2 s; the head deadline does."""
    before = len(emulator.calls)
    trickle = Trickle(emulator.port, 1)
    try:
        waited, got = _closed_after(trickle.socks[0], 10)
    finally:
        trickle.close()
    assert got == b"" and 0.8 <= waited < 3.0  # closed unanswered, nothing processed
    assert len(emulator.calls) == before


@pytest.mark.parametrize("emulator", [ConnectionLimits(body_floor_s=1.0)], indirect=True)
def test_a_body_that_does_not_arrive_is_cut_at_its_deadline(emulator: EmulatorServer) -> None:
    before = len(emulator.calls)
    trickle = Trickle(emulator.port, 1, head=b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
    try:
        waited, got = _closed_after(trickle.socks[0], 10)
    finally:
        trickle.close()
    assert got == b"" and 0.8 <= waited < 3.0
    assert len(emulator.calls) == before
    limits = ConnectionLimits()
    assert limits.body_deadline_s(10) == limits.body_floor_s
    assert limits.body_deadline_s(10 * 1024 * 1024) == pytest.approx(40.0)  # 256 KB/s


def test_idle_connections_at_capacity_are_closed_for_a_waiting_client(emulator: EmulatorServer) -> None:
    idle = [_connect(emulator.port) for _ in range(SHORT.max_workers + 6)]
    try:
        time.sleep(0.2)
        waited, answer = _answer_time(emulator.port)
    finally:
        for s in idle:
            s.close()
    assert answer.startswith(b"HTTP/1.1 200") and waited < 2.5, (waited, answer[:40])


def test_slow_heads_at_capacity_do_not_starve_a_waiting_client(emulator: EmulatorServer) -> None:
    trickle = Trickle(emulator.port, SHORT.max_workers + 6)
    try:
        time.sleep(0.2)
        waits = []
        for _ in range(3):
            waited, answer = _answer_time(emulator.port)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:40]
            waits.append(waited)
    finally:
        trickle.close()
    assert max(waits) < 3.0, waits


def test_keep_alive_still_serves_several_requests_on_one_connection(emulator: EmulatorServer) -> None:
    with _connect(emulator.port) as s:
        for _ in range(3):
            s.sendall(GOOD)
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(0.2)


def test_tls_handshake_that_never_comes_is_closed_after_the_idle_timeout() -> None:
    limits = ConnectionLimits(idle_timeout_s=0.5)
    with EmulatorServer(registry=Registry.builtin(), tls=True, connection_limits=limits) as emu, \
            _connect(emu.port) as s:
        s.sendall(b"\x16\x03\x01")  # the start of a ClientHello, and nothing more
        waited, _ = _closed_after(s, 5)
    assert waited < 2.0


@pytest.mark.timeout(60)
def test_stop_returns_at_once_while_slow_clients_hold_every_worker() -> None:
    """Production limits (64 workers): 100 slow clients, the accept loop waiting for a slot."""
    emu = EmulatorServer(registry=Registry.builtin()).start()
    trickle = Trickle(emu.port, MAX_WORKERS + 36, period=0.5)
    try:
        time.sleep(0.5)
        stopper = threading.Thread(target=emu.stop)
        started = time.monotonic()
        stopper.start()
        stopper.join(10)
        took = time.monotonic() - started
        assert not stopper.is_alive(), "stop() hung"
    finally:
        trickle.close()  # frees the workers, so a hung stop() ends too
    assert took < 2.0, took


def test_production_connection_limits_are_sane() -> None:
    limits = ConnectionLimits()
    assert limits.max_workers == MAX_WORKERS == SERVER_MAX_WORKERS == 64
    assert 5.0 <= limits.idle_timeout_s <= 10.0
    assert 5.0 <= limits.header_timeout_s <= 15.0
    assert limits.body_floor_s >= 10.0 and limits.body_deadline_s(10 * 1024 * 1024) <= 60.0
    assert 5.0 <= limits.write_timeout_s <= 30.0
    assert 0.5 <= limits.busy_grace_s <= 5.0
    assert EmulatorServer(registry=Registry.builtin()).connection_limits == limits
