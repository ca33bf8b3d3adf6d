"""The emulator's listening socket: a threading HTTP server with a connection cap and optional TLS.

:class:`EmulatorHTTPServer` accepts connections and serves each on a daemon thread with the
handler class it is given (:class:`kiosk.emulator.http_handler.RequestHandler`). At most
:data:`MAX_WORKERS` connections are served at once: the accept loop waits for a free slot, and
further clients wait in the listen queue of :data:`LISTEN_BACKLOG`. :meth:`~EmulatorHTTPServer.use_tls`
wraps the listening socket (TLS 1.2+; handshakes happen on the connection threads). A client that
drops the connection or rejects the certificate is logged at DEBUG, never as a traceback.

The handlers reach the emulator through :attr:`EmulatorHTTPServer.emulator`, an :class:`Emulator`
(:class:`kiosk.emulator.server.EmulatorServer`; the protocol keeps this module free of it).

Threading: ``serve_forever`` runs on one thread (the emulator's); ``shutdown()`` and
:meth:`~EmulatorHTTPServer.close_connections` are called by the emulator's owner thread. The
set of open connections and the worker slots are guarded by a lock and a semaphore.
"""

from __future__ import annotations

import contextlib
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

from kiosk.emulator.envelopes import CallRecord
from kiosk.emulator.faults import FaultPlan

__all__ = ["LISTEN_BACKLOG", "MAX_WORKERS", "Emulator", "EmulatorHTTPServer", "log_unexpected"]

#: connections served at once (one thread each); more wait in the listen queue
MAX_WORKERS = 64
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
    """Thread per connection, at most :data:`MAX_WORKERS` at once (see the module docstring)."""

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
    ) -> None:
        self.address_family = family
        self.emulator = emulator
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_WORKERS)
        self._closing = threading.Event()
        super().__init__(address, handler)

    def use_tls(self, cert_file: Path, key_file: Path) -> None:
        """Serve TLS 1.2+ with this certificate; each handshake happens on its connection thread."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_file, key_file)
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

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
        log_unexpected("request handler failed for %s", client_address[0])

    def close_connections(self) -> None:
        """Stop waiting for worker slots and shut down every open client connection."""
        self._closing.set()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
