"""A scripted FaceID-shaped HTTP server on loopback for policy tests.

It does not imitate the service (that is the emulator's job): each request to an action pops the
next scripted answer, a ``Response`` dict or a callable returning ``(status, body bytes)``; the
requests are recorded (action, parsed JSON body) so tests can count what was sent. Real sockets,
real client.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = dict[str, Any] | Callable[[], tuple[int, bytes]]


class ScriptedService:
    """``with ScriptedService() as svc: svc.script("ImageRecognitionV2", {...}); svc.url``"""

    def __init__(self) -> None:
        self._answers: dict[str, deque[Answer]] = defaultdict(deque)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                action = self.headers.get("X-TC-Action", "")
                with outer._lock:
                    outer.requests.append((action, json.loads(body or b"{}")))
                    queue = outer._answers[action]
                    answer = queue.popleft() if queue else {"Error": {"Code": "InternalError", "Message": "unscripted"}}
                if callable(answer):
                    status, payload = answer()
                else:
                    response = {"RequestId": str(uuid.uuid4()), **answer}
                    status, payload = 200, json.dumps({"Response": response}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Date", formatdate(usegmt=True))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="scripted-faceid", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, action: str, *answers: Answer) -> None:
        with self._lock:
            self._answers[action].extend(answers)

    def actions(self) -> list[str]:
        return [a for a, _ in self.requests]

    def __enter__(self) -> ScriptedService:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
