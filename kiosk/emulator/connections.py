"""Time limits of the emulator's client connections, and the table of open connections.

A connection thread is a scarce resource (:data:`MAX_WORKERS` at once), so no client may hold
one for long without sending a request (docs/security.md, "Emulator"):

* **idle**: a new connection, or a kept-alive one between requests, must start a request within
  :attr:`ConnectionLimits.idle_timeout_s` (TLS handshake included), else it is closed;
* **head**: the request line and headers must be complete within
  :attr:`~ConnectionLimits.header_timeout_s` of their first byte, whatever the pace of the bytes
  (a per-read timeout let one byte every 5 s hold a thread for ever);
* **body**: the body must arrive within :meth:`ConnectionLimits.body_deadline_s` (a floor, or a
  minimum average rate for a large body);
* **answer**: a client that does not read its answer is dropped after
  :attr:`~ConnectionLimits.write_timeout_s`.

A timed-out request is closed without an answer (logged at DEBUG). When every worker is busy
and another client waits to be served, the server closes, one at a time, the connection idle
longest, else the one sending its head longest, once that has lasted more than
:attr:`~ConnectionLimits.busy_grace_s` (:meth:`ConnectionTable.evict_one`), so neither idle
keep-alive connections nor slow headers can starve a client that sends its request at once.

:class:`DeadlineReader` enforces the deadlines: the raw stream under the handler's ``rfile``
that sets the socket timeout to the time left before every ``recv``.

Threading: a :class:`DeadlineReader` belongs to its connection's thread. One
:class:`ConnectionTable` is shared by the accept loop (``add``, ``evict_one``), the connection
threads (``set_phase``, ``remove``) and the owner stopping the server (``close_all``); a lock
guards it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import select
import socket
import threading
import time
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAX_WORKERS", "ConnectionLimits", "ConnectionTable", "DeadlineReader", "Phase", "readable"]

#: connections served at once (one thread each); more wait in the listen queue
MAX_WORKERS = 64

#: ``idle``: waiting for a request to start; ``head``: request line and headers arriving;
#: ``busy``: body, processing, answer; ``closed``: shut down by the server (evicted or stopping)
Phase = Literal["idle", "head", "busy", "closed"]

_log = logging.getLogger("kiosk.emulator")


@dataclass(frozen=True)
class ConnectionLimits:
    """The connection deadlines (seconds) and the worker cap; the defaults are production's."""

    max_workers: int = MAX_WORKERS
    idle_timeout_s: float = 5.0
    header_timeout_s: float = 10.0
    body_floor_s: float = 10.0
    #: a body may take longer than the floor only at this average rate (10 MB: 40 s)
    body_min_bytes_per_s: float = 256 * 1024
    write_timeout_s: float = 10.0
    #: with every worker busy, an idle connection or a request head older than this may be closed
    busy_grace_s: float = 1.0

    def body_deadline_s(self, length: int) -> float:
        """Seconds a body of ``length`` bytes may take to arrive."""
        return max(self.body_floor_s, length / self.body_min_bytes_per_s)


class DeadlineReader(io.RawIOBase):
    """A socket as a raw stream whose reads end at :attr:`deadline` (``time.monotonic()``;
    ``None``: the socket's own timeout). Past it, a read raises :class:`TimeoutError`."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the client did not send in time")
            self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


@dataclass
class _Entry:
    phase: Phase
    since: float


class ConnectionTable:
    """The open client connections with their :data:`Phase` and since when (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conns: dict[socket.socket, _Entry] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._conns)

    def add(self, conn: socket.socket) -> None:
        """A connection just accepted (idle until its first byte)."""
        with self._lock:
            self._conns[conn] = _Entry("idle", time.monotonic())

    def remove(self, conn: socket.socket) -> bool:
        """Forget ``conn``; whether it was known."""
        with self._lock:
            return self._conns.pop(conn, None) is not None

    def set_phase(self, conn: socket.socket, phase: Phase) -> bool:
        """Move ``conn`` to ``phase``; False when the server has closed it (stop serving it)."""
        with self._lock:
            entry = self._conns.get(conn)
            if entry is None or entry.phase == "closed":
                return False
            if entry.phase != phase:
                entry.phase, entry.since = phase, time.monotonic()
            return True

    def counts(self) -> dict[str, int]:
        """How many connections are in each phase (for logs and tests)."""
        with self._lock:
            found: dict[str, int] = {}
            for entry in self._conns.values():
                found[entry.phase] = found.get(entry.phase, 0) + 1
            return found

    def evict_one(self, grace_s: float) -> bool:
        """Close the connection idle longest, else the one sending its head longest, if that has
        lasted more than ``grace_s``; whether one was closed.

        An "idle" connection whose request has already arrived (its thread has not looked yet)
        is readable and is never chosen."""
        now = time.monotonic()
        with self._lock:
            entries = sorted(self._conns.items(), key=lambda item: item[1].since)
            old = [(c, e) for c, e in entries if now - e.since > grace_s]
            idle = (c for c, e in old if e.phase == "idle" and not readable(c))
            slow = (c for c, e in old if e.phase == "head")
            victim = next(idle, None) or next(slow, None)
            if victim is None:
                return False
            entry = self._conns[victim]
            _log.debug("all workers busy: closing a connection %s for %.1f s", entry.phase, now - entry.since)
            entry.phase = "closed"
        _shutdown(victim)
        return True

    def close_all(self) -> None:
        """Shut down every open connection (their threads see end-of-file and finish)."""
        with self._lock:
            conns = list(self._conns)
            for entry in self._conns.values():
                entry.phase = "closed"
        for conn in conns:
            _shutdown(conn)


def readable(conn: socket.socket) -> bool:
    """Whether bytes (or the end of the stream) wait on the socket, without reading them."""
    try:
        if hasattr(select, "poll"):  # any descriptor number, unlike select()
            poller = select.poll()
            poller.register(conn, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([conn], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def _shutdown(conn: socket.socket) -> None:
    # the plain socket's shutdown, also for an SSLSocket (whose own shutdown() would drop its
    # SSL object under the connection thread still reading from it)
    with contextlib.suppress(OSError):
        socket.socket.shutdown(conn, socket.SHUT_RDWR)
