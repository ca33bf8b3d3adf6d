"""A small, deterministic, scriptable HTTP/1.1 fault proxy on loopback (tests and staff drills).

It sits between the FaceID client and the emulator (or any plain-HTTP loopback service) and
misbehaves on cue, per request::

    with EmulatorServer() as emu, FaultProxy(emu.port, script=[Fault("reset_after")]) as proxy:
        ... endpoint = proxy.url ...

Each request the proxy reads from a client is numbered (0, 1, 2, ... across all connections) and
gets the next :class:`Fault` of ``script`` (a sequence, consumed in order, then ``pass``; or a
callable ``(index, action) -> Fault``). Kinds:

==================  =========================================================  ===============
kind                effect                                                     upstream saw it
==================  =========================================================  ===============
``pass``            forward the request, relay the answer                      yes
``reset_connect``   RST the client right after accept, read nothing            no
``reset_before``    read the whole request, do NOT forward it, RST the client  no
``reset_after``     forward, read the whole answer, then RST the client        yes (processed)
``delay``           forward, hold the answer ``seconds`` (read timeout), send  yes
``drip``            forward, send the answer ``chunk`` bytes every ``seconds``  yes
``truncate``        forward, send the headers and ``keep`` of the body, FIN     yes
``rewrite``         forward, replace the body with ``body`` (bytes or a         yes
                    function of the upstream body); Content-Length fixed
``respond``         do NOT forward; answer ``status`` with ``body`` directly    no
==================  =========================================================  ===============

``refusing = True`` closes the listening socket (new connections get ECONNREFUSED); setting it
back to False listens on the same port again.

Counters (thread-safe, read any time): ``connections``, ``requests`` (list of
:class:`Exchange`: index, action, fault kind, forwarded, delivered bytes). Nothing about the
request body is kept (it holds images and PII): only sizes and the ``X-TC-Action`` header.

Threading: one accept thread, one daemon thread per client connection, each with its own
upstream connection (keep-alive preserved). ``stop()`` closes everything. Loopback only: the
upstream host must be a loopback address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Exchange", "Fault", "FaultProxy"]

KINDS = ("pass", "reset_connect", "reset_before", "reset_after", "delay", "drip", "truncate", "rewrite", "respond")
_MAX_HEADER = 64 * 1024


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour (see the module table)."""

    kind: str = "pass"
    seconds: float = 0.0  # delay: hold time; drip: pause between chunks
    chunk: int = 16  # drip: bytes per write
    keep: float = 0.5  # truncate: fraction of the body sent
    body: bytes | Callable[[bytes], bytes] | None = None  # rewrite / respond
    status: int = 200  # respond (and rewrite, if not 0)
    content_type: str = "application/json"
    action: str | None = None  # only for requests of this X-TC-Action (else pass)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(KINDS)})")


@dataclass
class Exchange:
    """One request as the proxy handled it (no body content is kept)."""

    index: int
    connection: int
    action: str
    fault: str
    request_bytes: int
    forwarded: bool = False
    answered: bool = False  # a complete, unmodified-length answer reached the client
    response_bytes: int = 0
    elapsed_ms: float = 0.0


@dataclass
class _Message:
    head: bytes
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def raw(self) -> bytes:
        return self.head + self.body


def _is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _rst(sock: socket.socket) -> None:
    """Abort with a TCP RST (SO_LINGER 0)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Reader:
    """Buffered reads of HTTP/1.1 messages with Content-Length (or read-to-close) bodies."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def message(self, *, response: bool = False) -> _Message | None:
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > _MAX_HEADER or not self._fill():
                return None
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        head += b"\r\n\r\n"
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n")[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
        length_text = headers.get("content-length")
        if length_text is not None:
            length = int(length_text)
            while len(self.buf) < length:
                if not self._fill():
                    break
            body, self.buf = self.buf[:length], self.buf[length:]
        elif response:  # no length: the body runs to the close
            while self._fill():
                pass
            body, self.buf = self.buf, b""
        else:
            body = b""
        return _Message(head, body, headers)


def _replace_length(head: bytes, length: int, status: int | None = None) -> bytes:
    lines = head[:-4].split(b"\r\n")
    if status:
        version = lines[0].split(b" ", 1)[0]
        lines[0] = version + f" {status} Scripted".encode()
    out = [lines[0]]
    seen = False
    for line in lines[1:]:
        if line.lower().startswith(b"content-length:"):
            out.append(f"Content-Length: {length}".encode())
            seen = True
        else:
            out.append(line)
    if not seen:
        out.append(f"Content-Length: {length}".encode())
    return b"\r\n".join(out) + b"\r\n\r\n"


class FaultProxy:
    """A threaded TCP/HTTP proxy on 127.0.0.1 in front of ``upstream_port`` (see module doc)."""

    def __init__(
        self,
        upstream_port: int,
        *,
        upstream_host: str = "127.0.0.1",
        script: Sequence[Fault] | Callable[[int, str], Fault] = (),
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not _is_loopback(upstream_host) or not _is_loopback(host):
            raise ValueError("the fault proxy only works on loopback addresses")
        self.upstream = (upstream_host, int(upstream_port))
        self.host = host
        self.port = int(port)
        self._script_fn: Callable[[int, str], Fault] | None = script if callable(script) else None
        self._script: list[Fault] = [] if callable(script) else list(script)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []
        self._socks: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._refusing = False
        self.connections = 0
        self.requests: list[Exchange] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FaultProxy:
        self._listen()
        return self

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(32)
        sock.settimeout(0.1)
        self.port = sock.getsockname()[1]
        self._listener = sock
        t = threading.Thread(target=self._accept_loop, args=(sock,), name="fault-proxy-accept", daemon=True)
        self._accept_thread = t
        t.start()

    def stop(self) -> None:
        self._stopping.set()
        self._close_listener()
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
        for t in list(self._threads):
            t.join(timeout=5)

    def _close_listener(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=2)
            self._accept_thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def refusing(self) -> bool:
        return self._refusing

    @refusing.setter
    def refusing(self, value: bool) -> None:
        if value == self._refusing:
            return
        self._refusing = value
        if value:
            self._close_listener()
        else:
            self._listen()

    def script(self, *faults: Fault) -> None:
        """Append faults to the sequence script."""
        with self._lock:
            self._script.extend(faults)

    @property
    def forwarded(self) -> int:
        """Requests that reached the upstream service."""
        with self._lock:
            return sum(1 for e in self.requests if e.forwarded)

    def actions_forwarded(self) -> list[str]:
        with self._lock:
            return [e.action for e in self.requests if e.forwarded]

    # ------------------------------------------------------------------ serving
    def _next_fault(self, index: int, action: str) -> Fault:
        if self._script_fn is not None:
            fault = self._script_fn(index, action)
        else:
            fault = self._script.pop(0) if self._script else Fault()
        if fault.action is not None and fault.action != action:
            return Fault()
        return fault

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set() and self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
                self._socks.add(client)
            t = threading.Thread(target=self._serve, args=(client, number), name=f"fault-proxy-{number}", daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, client: socket.socket, number: int) -> None:
        upstream: socket.socket | None = None
        try:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = _Reader(client)
            up_reader: _Reader | None = None
            first = True
            while not self._stopping.is_set():
                if first:  # a connection-level fault is decided before anything is read
                    first = False
                    with self._lock:
                        index = len(self.requests)
                        peek = self._script[0] if (self._script_fn is None and self._script) else None
                        if peek is not None and peek.kind == "reset_connect":
                            self._script.pop(0)
                            self.requests.append(Exchange(index, number, "", "reset_connect", 0))
                    if peek is not None and peek.kind == "reset_connect":
                        _rst(client)
                        return
                request = reader.message()
                if request is None:
                    return
                action = request.headers.get("x-tc-action", "")
                started = time.monotonic()
                with self._lock:
                    index = len(self.requests)
                    fault = self._next_fault(index, action)
                    ex = Exchange(index, number, action, fault.kind, len(request.raw))
                    self.requests.append(ex)
                if fault.kind in ("reset_before", "reset_connect"):
                    _rst(client)
                    return
                if fault.kind == "respond":
                    body = fault.body if isinstance(fault.body, bytes) else b""
                    head = (
                        f"HTTP/1.1 {fault.status} Scripted\r\nContent-Type: {fault.content_type}\r\n"
                        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
                    ).encode()
                    client.sendall(head + body)
                    ex.answered, ex.response_bytes = True, len(head + body)
                    continue
                if upstream is None:
                    upstream = socket.create_connection(self.upstream, timeout=30)
                    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    with self._lock:
                        self._socks.add(upstream)
                    up_reader = _Reader(upstream)
                upstream.sendall(request.raw)
                ex.forwarded = True
                assert up_reader is not None
                answer = up_reader.message(response=True)
                if answer is None:  # upstream dropped (its own fault): pass the drop on
                    _rst(client)
                    return
                close_after = answer.headers.get("connection", "").lower() == "close"
                if not self._deliver(client, answer, fault, ex):
                    return
                ex.elapsed_ms = (time.monotonic() - started) * 1000
                if close_after:
                    with contextlib.suppress(OSError):
                        client.shutdown(socket.SHUT_RDWR)
                    return
        except OSError:
            return
        finally:
            for s in (client, upstream):
                if s is not None:
                    with contextlib.suppress(OSError):
                        s.close()
                    with self._lock:
                        self._socks.discard(s)

    def _deliver(self, client: socket.socket, answer: _Message, fault: Fault, ex: Exchange) -> bool:
        """Send ``answer`` to the client the way ``fault`` says; False = connection is finished."""
        kind = fault.kind
        if kind == "reset_after":
            _rst(client)
            return False
        if kind == "delay" and self._stopping.wait(fault.seconds):
            return False
        if kind == "truncate":
            keep = int(len(answer.body) * fault.keep)
            client.sendall(answer.head + answer.body[:keep])
            ex.response_bytes = len(answer.head) + keep
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            return False
        head, body = answer.head, answer.body
        if kind == "rewrite":
            new = fault.body(body) if callable(fault.body) else (fault.body or b"")
            head, body = _replace_length(head, len(new), fault.status if fault.status != 200 else None), new
        raw = head + body
        if kind == "drip":
            for i in range(0, len(raw), max(1, fault.chunk)):
                client.sendall(raw[i : i + fault.chunk])
                ex.response_bytes += len(raw[i : i + fault.chunk])
                if self._stopping.wait(fault.seconds):
                    return False
        else:
            client.sendall(raw)
            ex.response_bytes = len(raw)
        ex.answered = True
        return True


def _main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - manual drills
    """``python tools/fault_proxy.py UPSTREAM_PORT KIND[:SECONDS] ...``: serve until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description="loopback HTTP fault proxy (drills)")
    parser.add_argument("upstream_port", type=int)
    parser.add_argument("faults", nargs="*", help="kinds in order, e.g. reset_after delay:5 drip:0.5")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    faults: list[Fault] = []
    for text in args.faults:
        kind, _, secs = text.partition(":")
        faults.append(Fault(kind, seconds=float(secs or 0)))
    with FaultProxy(args.upstream_port, script=faults, port=args.port) as proxy:
        print(f"fault proxy at {proxy.url} -> 127.0.0.1:{args.upstream_port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
