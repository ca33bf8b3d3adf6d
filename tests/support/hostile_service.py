"""A hostile stand-in for the FaceID service on 127.0.0.1 (raw sockets, optional TLS).

Every connection reads one request (headers, then ``Content-Length`` bytes of body) and then
plays one behaviour, by name:

==================  ==============================================================================
``huge_body``       ``Content-Length: 1.2 GB`` and zeros as fast as the client takes them
``chunked_huge``    a chunked answer that never ends (no Content-Length to refuse up front)
``gzip_bomb``       ``Content-Encoding: gzip``: 2 MB that inflate to 2 GB of spaces
``drip_status``     the status line and headers one byte every ``drip_s`` seconds
``escapes``         a well-formed answer whose strings carry ESC sequences, CR/LF, C1, bidi
``nested``          200,000 nested ``[`` (a body json.loads cannot parse without recursion)
``date_9999``       a successful answer dated ``Fri, 31 Dec 9999 23:59:59 GMT``
``huge_request_id`` a successful answer whose RequestId is 6 MB
``garbage_after``   TLS only: after the whole request, raw non-TLS bytes (a TLS failure
                    after the body was sent: the call may have been billed)
``stall``           accept, read nothing, say nothing (with TLS: a stalled handshake)
``ok``              a plain successful answer (valid JSON, current Date)
==================  ==============================================================================

``behaviours`` is a list consumed one per request (the last one repeats). ``requests`` counts
requests that were read completely (the ones the service could have "billed").
Threading: one accept thread, one daemon thread per connection; ``stop()`` closes everything.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import struct
import threading
import time
import zlib
from email.utils import formatdate
from pathlib import Path

ESCAPES = "\x1b[2J\x1b]0;owned\x07\r\nkiosk ERROR fake line\x85\x9b31m\u202egnp.exe\u2066"


def _success_for(action: str, request_id: str, text: str = "") -> dict[str, object]:
    if action == "ImageRecognitionV2":
        return {"Response": {"Result": "Success", "Description": text or "成功", "Sim": 95.0,
                             "RequestId": request_id}}
    return {"Response": {"Result": "Success", "Description": text or "成功", "Sim": 92.5,
                         "RequestId": request_id, "Name": "", "IdNum": ""}}


def gzip_bomb(inflated: int = 2 * 1024**3) -> bytes:
    """A valid gzip member of ``inflated`` spaces (about 2 MB for 2 GB), made without holding them:
    one deflate block repeated after full flushes; the CRC by doubling with crc32_combine."""
    block_len = 1 << 20
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(b" " * block_len) + co.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    n = inflated // block_len
    assert n & (n - 1) == 0, "a power of two of blocks"
    crc, length = zlib.crc32(b" " * block_len), block_len
    while length < n * block_len:
        crc, length = _crc_combine(crc, crc, length), length * 2
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + block * n + tail + struct.pack("<II", crc, length & 0xFFFFFFFF)


def _gf2_times(mat: list[int], vec: int) -> int:
    out = 0
    i = 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def _crc_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from crc(A), crc(B) and len(B)."""
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class HostileService:
    """See the module docstring. ``tls``: (cert_file, key_file) to serve HTTPS."""

    def __init__(self, behaviours: list[str], *, drip_s: float = 0.25, tls: tuple[Path, Path] | None = None) -> None:
        self._behaviours = list(behaviours)
        self._drip_s = drip_s
        self._context: ssl.SSLContext | None = None
        if tls is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(str(tls[0]), str(tls[1]))
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        self.requests = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._socks: list[socket.socket] = []
        self._gzip: bytes | None = None
        self._thread = threading.Thread(target=self._accept, daemon=True, name="hostile-accept")

    @property
    def url(self) -> str:
        scheme = "https" if self._context else "http"
        host = "localhost" if self._context else "127.0.0.1"
        return f"{scheme}://{host}:{self.port}"

    def __enter__(self) -> HostileService:
        if "gzip_bomb" in self._behaviours:
            self._gzip = gzip_bomb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for s in self._socks:
                with contextlib.suppress(OSError):
                    s.close()

    def _next(self) -> str:
        with self._lock:
            return self._behaviours.pop(0) if len(self._behaviours) > 1 else self._behaviours[0]

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._socks.append(conn)
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True, name="hostile-conn").start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            behaviour = self._next()
            if behaviour == "stall":
                self._stopped.wait(60)
                return
            if self._context is not None:
                conn = self._context.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._socks.append(conn)
            action = self._read_request(conn)
            if action is None:
                return
            with self._lock:
                self.requests += 1
            getattr(self, f"_play_{behaviour}")(conn, action)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    @staticmethod
    def _read_request(conn: socket.socket) -> str | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower()] = v.strip()
        need = int(headers.get(b"content-length", b"0"))
        while len(rest) < need:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return headers.get(b"x-tc-action", b"").decode("ascii", "replace")

    @staticmethod
    def _head(status: str, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        return "\r\n".join(lines).encode("latin-1")

    def _send_json(self, conn: socket.socket, payload: object, *, date: str | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        conn.sendall(self._head("200 OK", {
            "Content-Type": "application/json", "Content-Length": str(len(body)),
            "Date": date or formatdate(usegmt=True), "Connection": "close"}) + body)

    # ------------------------------------------------------------------ behaviours
    def _play_ok(self, conn: socket.socket, action: str) -> None:
        self._send_json(conn, _success_for(action, f"rid-{action}"))

    def _play_huge_body(self, conn: socket.socket, _action: str) -> None:
        conn.sendall(self._head("200 OK", {"Content-Type": "application/json", "Content-Length": str(1_200_000_000)}))
        zeros = b"0" * 65536
        for _ in range(1_200_000_000 // 65536):
            if self._stopped.is_set():
                return
            conn.sendall(zeros)

    def _play_chunked_huge(self, conn: socket.socket, _action: str) -> None:
        conn.sendall(self._head("200 OK", {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
        while not self._stopped.is_set():
            conn.sendall(chunk)

    def _play_gzip_bomb(self, conn: socket.socket, _action: str) -> None:
        assert self._gzip is not None
        conn.sendall(self._head("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                           "Content-Length": str(len(self._gzip))}) + self._gzip)

    def _play_drip_status(self, conn: socket.socket, action: str) -> None:
        body = json.dumps(_success_for(action, "rid-drip")).encode()
        data = self._head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))}) + body
        for i in range(len(data)):
            if self._stopped.wait(self._drip_s):
                return
            conn.sendall(data[i:i + 1])

    def _play_escapes(self, conn: socket.socket, action: str) -> None:
        payload = {"Response": {"Error": {"Code": "FailedOperation.UnKnown" + ESCAPES,
                                          "Message": "service says " + ESCAPES},
                                "RequestId": "rid-" + ESCAPES}}
        if action == "ImageRecognitionV2":
            payload = _success_for(action, "rid-" + ESCAPES, text=ESCAPES)
        self._send_json(conn, payload)

    def _play_nested(self, conn: socket.socket, _action: str) -> None:
        body = b'{"Response": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
        conn.sendall(self._head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))})
                     + body)

    def _play_date_9999(self, conn: socket.socket, action: str) -> None:
        self._send_json(conn, _success_for(action, f"rid-9999-{action}"), date="Fri, 31 Dec 9999 23:59:59 GMT")

    def _play_huge_request_id(self, conn: socket.socket, action: str) -> None:
        self._send_json(conn, _success_for(action, "R" * 6_000_000))

    def _play_garbage_after(self, conn: socket.socket, _action: str) -> None:
        # Plain bytes on the socket under the TLS layer: a fatal alert record, then junk. The
        # client's TLS layer fails (bad record) after it wrote the whole request.
        socket.socket.send(conn, b"\x15\x03\x03\x00\x02\x02\x50garbage-not-tls")
        time.sleep(0.2)
