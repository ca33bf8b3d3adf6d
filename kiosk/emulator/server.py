"""The FaceID emulator's HTTP(S) server: :class:`EmulatorServer`, its lifecycle and request routing.

:class:`EmulatorServer` serves the two FaceID actions on loopback (by default) from a background
thread, for tests, the demo and staff training::

    with EmulatorServer(registry=Registry.builtin()) as emu:
        client = FaceidClient(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), "",
                              ClientProfile(httpProfile=HttpProfile(endpoint=emu.endpoint, scheme="http")))

A request passes, in order: the connection deadlines (:mod:`.connections`: idle 5 s, request
line + headers 10 s, body 10 s or 256 KB/s), the HTTP framing limits and the wire-level faults
(:mod:`.http_handler`: POST body <= 10 MB, request line + headers <= 32 KB / 64 lines); method,
action, version and TC3-HMAC-SHA256 authentication, then the per-action rate limit
(:mod:`.request_checks`); then the action itself (:mod:`.service`), its image decoded and worked
on within the process-wide pixel budget (:mod:`.image_budget`). :meth:`EmulatorServer.process`
routes one request through the checks to the action and builds the envelope (:mod:`.envelopes`).

Every answer carries ``RequestId`` (uuid4) and an RFC 7231 ``Date`` header from the emulator's
clock; API errors are HTTP 200 ``application/json`` like the service. Each call is logged as one
JSON line on the ``kiosk.emulator`` logger with the billed flag (faceid-api.md §5.2) and a masked
ID number, never a name or image, and kept in :attr:`EmulatorServer.calls` for tests.

Credentials: ``secret_id``/``secret_key`` arguments, else ``KIOSK_EMULATOR_SECRET_ID`` /
``KIOSK_EMULATOR_SECRET_KEY``, else the documented demo values :data:`DEMO_SECRET_ID` /
:data:`DEMO_SECRET_KEY` (not secrets: they only open the local emulator).

Threading: one thread runs the accept loop, one daemon thread per connection (at most
:data:`~kiosk.emulator.http_server.MAX_WORKERS`) handles requests (:mod:`.http_server`).
:meth:`~EmulatorServer.process` and :meth:`~EmulatorServer.record` are called from those threads;
the shared state (rate windows, fault plan, call records) is guarded by locks. ``start()``/``stop()``
are meant to be called from one owner thread; ``stop()`` closes open client connections too.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk.emulator.connections import ConnectionLimits
from kiosk.emulator.envelopes import CallRecord, error_envelope, result_envelope
from kiosk.emulator.faults import FaultPlan
from kiosk.emulator.http_handler import RequestHandler
from kiosk.emulator.http_server import EmulatorHTTPServer, log_unexpected
from kiosk.emulator.image_budget import ImageBudget
from kiosk.emulator.keys import RsaKeyPair, TlsFiles, make_tls_files
from kiosk.emulator.matcher import FaceMatcher
from kiosk.emulator.outcomes import ApiError
from kiosk.emulator.registry import Registry
from kiosk.emulator.request_checks import RATE_LIMITS, RateLimiter, authenticate
from kiosk.emulator.service import FaceIdService

__all__ = [
    "DEMO_SECRET_ID",
    "DEMO_SECRET_KEY",
    "ENV_SECRET_ID",
    "ENV_SECRET_KEY",
    "EmulatorServer",
    "StateDirError",
]

#: demo credentials of the emulator (documented, not secret; they open only the local emulator).
DEMO_SECRET_ID = "AKIDkioskEmulatorDemoSecretId000000"  # noqa: S105 - public demo value
DEMO_SECRET_KEY = "kioskEmulatorDemoSecretKey000000"  # noqa: S105 - public demo value
ENV_SECRET_ID = "KIOSK_EMULATOR_SECRET_ID"  # noqa: S105 - a variable name
ENV_SECRET_KEY = "KIOSK_EMULATOR_SECRET_KEY"  # noqa: S105 - a variable name

_log = logging.getLogger("kiosk.emulator")


class StateDirError(OSError):
    """The state directory cannot be made or written; ``str()`` is one line for a user."""


class EmulatorServer:
    """The FaceID emulator, in-process (see the module docstring).

    ``registry`` defaults to :meth:`Registry.builtin`; ``faults`` is a ``--faults`` string or a
    :class:`FaultPlan`; ``seed`` seeds probabilistic faults; ``token`` is the STS token the
    credentials require (``None``: none); ``clock`` is the emulator's wall clock (tests skew it);
    ``rsa_key`` loads a fixed key pair instead of generating one; ``state_dir`` is where the
    public key and TLS files are written (a temporary directory, removed on ``stop()``, by default);
    ``image_budget`` bounds the decoded pixels in work at once (default: the process-wide
    :func:`~kiosk.emulator.image_budget.shared_budget`); ``connection_limits`` are the worker cap
    and the idle / header / body / write deadlines of client connections (default: production's,
    :class:`~kiosk.emulator.connections.ConnectionLimits`).
    """

    def __init__(
        self,
        registry: Registry | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        faults: str | FaultPlan | None = None,
        secret_id: str | None = None,
        secret_key: str | None = None,
        *,
        token: str | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        rsa_key: RsaKeyPair | None = None,
        rate_limits: dict[str, int] | None = None,
        state_dir: str | Path | None = None,
        matcher: FaceMatcher | None = None,
        max_records: int = 10_000,
        image_budget: ImageBudget | None = None,
        connection_limits: ConnectionLimits | None = None,
    ) -> None:
        self.registry = registry if registry is not None else Registry.builtin()
        self.host = host
        self.port = int(port)
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0-65535, not {self.port}")
        self.tls = bool(tls)
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(faults, seed=seed)
        self.secret_id = secret_id or os.environ.get(ENV_SECRET_ID) or DEMO_SECRET_ID
        self.secret_key = secret_key or os.environ.get(ENV_SECRET_KEY) or DEMO_SECRET_KEY
        self.token = token
        self.clock = clock
        self.keys = rsa_key or RsaKeyPair.generate()
        self.service = FaceIdService(self.registry, self.keys, matcher, image_budget)
        self._limiter = RateLimiter(rate_limits or RATE_LIMITS)
        self._records: deque[CallRecord] = deque(maxlen=max_records)
        self._records_lock = threading.Lock()
        self._state_dir_arg = Path(state_dir) if state_dir else None
        self.state_dir: Path | None = None
        self.tls_files: TlsFiles | None = None
        self.public_key_file: Path | None = None
        self.connection_limits = connection_limits or ConnectionLimits()
        self._httpd: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmulatorServer:
        """Bind, write the key files and serve on a background thread; returns ``self``."""
        if self._httpd is not None:
            raise RuntimeError("emulator already started")
        self.state_dir = self._make_state_dir()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        httpd = EmulatorHTTPServer((self.host, self.port), RequestHandler, self, family, self.connection_limits)
        if self.tls:
            self.tls_files = make_tls_files(self.state_dir, [self.host])
            httpd.use_tls(self.tls_files.cert_file, self.tls_files.key_file)
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="faceid-emulator", daemon=True
        )
        self._thread.start()
        _log.info(
            json.dumps(
                {
                    "event": "emulator_start",
                    "url": self.url,
                    "tls": self.tls,
                    "people": len(self.registry),
                    "faults": self.faults.spec or "",
                }
            )
        )
        return self

    def _make_state_dir(self) -> Path:
        """The state directory with the public key written; :class:`StateDirError` otherwise."""
        state = self._state_dir_arg
        try:
            if state is not None:
                state.mkdir(parents=True, exist_ok=True)
            else:
                state = Path(tempfile.mkdtemp(prefix="kiosk-emulator-"))
            self.public_key_file = state / "emulator-rsa-public.pem"
            self.public_key_file.write_text(self.public_key_pem, encoding="ascii")
        except OSError as exc:
            if state is not None and state.exists() and not state.is_dir():
                raise StateDirError(f"the state dir {state} is not a folder") from None
            reason = exc.strerror or type(exc).__name__
            raise StateDirError(f"the state dir {state} cannot be used: {reason}") from None
        return state

    def stop(self) -> None:
        """Stop serving, close open connections and remove the temporary state directory.

        Returns within about a second however many clients hold connections: the closing flag is
        set before ``shutdown()``, so an accept loop waiting for a worker slot gives up at once,
        and every open connection is shut down (a thread still working on an image finishes on
        its own, as a daemon)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.begin_close()  # first: the accept loop may be waiting for a worker slot
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._state_dir_arg is None and self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        _log.info(json.dumps({"event": "emulator_stop"}))

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ properties
    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def endpoint(self) -> str:
        """``host:port`` (what ``HttpProfile(endpoint=...)`` takes)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """``http(s)://host:port/``."""
        return f"{self.scheme}://{self.endpoint}/"

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate to trust (``None`` without TLS or before ``start()``)."""
        return self.tls_files.ca_file if self.tls_files else None

    @property
    def public_key_pem(self) -> str:
        """The emulator's RSA public key (PKCS#1 PEM) for ``Encryption.CiphertextBlob``."""
        return self.keys.public_key_pem

    @property
    def calls(self) -> list[CallRecord]:
        """A snapshot of the recorded calls, oldest first."""
        with self._records_lock:
            return list(self._records)

    @property
    def billed_calls(self) -> int:
        """How many recorded calls were billed."""
        return sum(1 for r in self.calls if r.billed)

    def clear_calls(self) -> None:
        with self._records_lock:
            self._records.clear()

    # ------------------------------------------------------------------ request processing
    def record(self, record: CallRecord) -> None:
        """Keep ``record`` and log it as one JSON line (no PII)."""
        with self._records_lock:
            self._records.append(record)
        _log.info(json.dumps({"event": "faceid_call", **asdict(record)}, ensure_ascii=False))

    def process(
        self, method: str, query: str, headers: Any, body: bytes, request_id: str
    ) -> tuple[dict[str, Any], CallRecord]:
        """Authenticate, rate-limit and answer one request; returns (envelope, record)."""
        language = headers.get("X-TC-Language")
        action = (headers.get("X-TC-Action") or "")[:64]
        try:
            params, action = authenticate(
                method,
                query,
                headers,
                body,
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                token=self.token,
                clock=self.clock,
            )
            if not self._limiter.allow(action, time.monotonic()):
                raise ApiError("RequestLimitExceeded", f"{action} allows {RATE_LIMITS.get(action)} requests/s")
            if action == "CheckIdCardInformation":
                outcome = self.service.check_id_card_information(params, language)
            else:
                outcome = self.service.image_recognition_v2(params, language)
        except ApiError as exc:
            return error_envelope(exc, request_id, action, language)
        except Exception:  # a bug must still produce a well-formed answer
            log_unexpected("emulator internal error (request %s)", request_id)
            return error_envelope(ApiError("InternalError"), request_id, action, language)
        return result_envelope(outcome, request_id, action)
