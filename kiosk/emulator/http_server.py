"""The emulator's listening socket: a threading HTTP server with a connection cap and optional TLS.

:class:`EmulatorHTTPServer` accepts connections and serves each on a daemon thread with the
handler class it is given (:class:`kiosk.emulator.http_handler.RequestHandler`). At most
``limits.max_workers`` (:data:`MAX_WORKERS`) connections are served at once: the accept loop waits
for a free slot, and further clients wait in the listen queue of :data:`LISTEN_BACKLOG`. While it
waits, it closes idle keep-alive connections and slow request heads one at a time
(:meth:`ConnectionTable.evict_one <kiosk.emulator.connections.ConnectionTable.evict_one>`); the
deadlines of every connection are :class:`~kiosk.emulator.connections.ConnectionLimits`.
:meth:`~EmulatorHTTPServer.use_tls`
wraps the listening socket (TLS 1.2+; handshakes happen on the connection threads). A client that
drops the connection or rejects the certificate is logged at DEBUG, never as a traceback.

The handlers reach the emulator through :attr:`EmulatorHTTPServer.emulator`, an :class:`Emulator`
(:class:`kiosk.emulator.server.EmulatorServer`; the protocol keeps this module free of it).

Stopping (the emulator's owner thread): :meth:`~EmulatorHTTPServer.begin_close` first (the accept
loop stops waiting for a worker slot, connection threads stop keeping connections alive), then
``shutdown()`` (returns once the accept loop has), then :meth:`~EmulatorHTTPServer.close_connections`
(every open connection is shut down, so its thread ends at once), then ``server_close()``.

Threading: ``serve_forever`` runs on one thread (the emulator's); the stop methods are called by
the emulator's owner thread. The table of open connections is guarded by its lock, the worker
slots by a semaphore, the closing flag is an Event.
"""

from __future__ import annotations

import logging
import socket
import ssl
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from kiosk.emulator.connections import MAX_WORKERS, ConnectionLimits, ConnectionTable
from kiosk.emulator.envelopes import CallRecord
from kiosk.emulator.faults import FaultPlan

__all__ = ["LISTEN_BACKLOG", "MAX_WORKERS", "Emulator", "EmulatorHTTPServer", "log_unexpected"]

LISTEN_BACKLOG = 128

_log = logging.getLogger("kiosk.emulator")


def log_unexpected(message: str, *args: object) -> None:
    """Log the exception being handled as ONE error line (its type and where it was raised);
    the traceback goes to DEBUG only, so no customer-facing stream ever shows one."""
    exc = sys.exc_info()[1]
    where = "?"
    for frame, lineno in traceback.walk_tb(exc.__traceback__ if exc is not None else None):
        where = f"{Path(frame.f_code.co_filename).name}:{lineno}"
    _log.error(message + ": %s at %s", *args, type(exc).__name__, where)
    _log.debug("traceback of the error above", exc_info=True)


class Emulator(Protocol):
    """What the connection threads use of the emulator."""

    faults: FaultPlan
    clock: Callable[[], float]

    def record(self, record: CallRecord) -> None:
        """Keep and log the record of one call."""
        ...

    def process(
        self, method: str, query: str, headers: Any, body: bytes, request_id: str
    ) -> tuple[dict[str, Any], CallRecord]:
        """Authenticate, rate-limit and answer one request; returns (envelope, record)."""
        ...


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Thread per connection, at most ``limits.max_workers`` at once (see the module docstring)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    emulator: Emulator

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        emulator: Emulator,
        family: socket.AddressFamily,
        limits: ConnectionLimits | None = None,
    ) -> None:
        self.address_family = family
        self.emulator = emulator
        self.limits = limits or ConnectionLimits()
        self.connections = ConnectionTable()
        self._slots = threading.BoundedSemaphore(self.limits.max_workers)
        self._closing = threading.Event()
        super().__init__(address, handler)

    def use_tls(self, cert_file: Path, key_file: Path) -> None:
        """Serve TLS 1.2+ with this certificate; each handshake happens on its connection thread."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_file, key_file)
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    @property
    def closing(self) -> bool:
        """Whether :meth:`begin_close` was called (connection threads stop keeping alive)."""
        return self._closing.is_set()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._wait_for_slot():
            self.close_request(request)
            return
        self.connections.add(request)
        try:
            super().process_request(request, client_address)
        except Exception:  # the thread did not start: give the slot back
            self._slots.release()
            raise

    def _wait_for_slot(self) -> bool:
        """A worker slot for the connection just accepted: True once it is ours, False when closing.

        While every worker is busy, close an idle connection or a slow head and take its slot
        (its thread ends at once), else look again every 0.1 s."""
        while not self._closing.is_set():
            got = self._slots.acquire(blocking=False)
            if not got:
                evicted = self.connections.evict_one(self.limits.busy_grace_s)
                got = self._slots.acquire(timeout=0.5 if evicted else 0.1)
            if got:
                if not self._closing.is_set():
                    return True
                self._slots.release()
        return False

    def shutdown_request(self, request: Any) -> None:
        known = self.connections.remove(request)
        super().shutdown_request(request)
        if known:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops the connection or rejects our certificate is routine, not a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ssl.SSLError | ConnectionError | TimeoutError):
            _log.debug("connection from %s ended: %s", client_address[0], type(exc).__name__)
            return
        log_unexpected("request handler failed for %s", client_address[0])

    def begin_close(self) -> None:
        """Stop waiting for worker slots and keeping connections alive (call before ``shutdown()``)."""
        self._closing.set()

    def close_connections(self) -> None:
        """:meth:`begin_close`, and shut down every open client connection."""
        self._closing.set()
        self.connections.close_all()
