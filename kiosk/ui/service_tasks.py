"""Service jobs on the global ``QThreadPool``: the verification and the service probes.

* :class:`VerifyTask`: one ``Verifier.verify`` call per task; progress, verdict and failure
  are signals of a GUI-thread ``QObject`` (:class:`VerifySignals`) connected to ``@Slot``
  methods of the shell.
* :class:`ProbeTask`: a probe callable (the staff "test the service" button, the service health
  check); its answer arrives as ``sig_verdict`` of a :class:`VerifySignals`.
* :func:`http_probe`: reachability and clock offset of an HTTP(S) endpoint (a probe callable).

Threading: ``run`` executes on a pool thread and only emits signals (queued to the GUI thread,
where the :class:`VerifySignals` object lives); the tasks never touch widgets and are deleted
by the pool when done.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

# the logger keeps the name of the module this code came from (kiosk.ui.workers): same log lines
log = logging.getLogger("kiosk.ui.workers")


class VerifySignals(QObject):
    """Signals of one :class:`VerifyTask` (this object lives in the GUI thread)."""

    sig_progress = Signal(str, int)
    """(step name from ``Verifier.verify``'s ``on_progress``, ticket)."""
    sig_verdict = Signal(object, int)
    """(``Verdict``, ticket)."""
    sig_failed = Signal(str, int)
    """(message key, ticket): the verifier raised instead of returning a verdict."""


def _failure_key(exc: BaseException) -> str:
    entry = getattr(exc, "entry", None)
    key = getattr(entry, "message_key", None)
    if isinstance(key, str) and key:
        return key
    if isinstance(exc, TimeoutError):
        return "err.service_timeout"
    return "err.service_unavailable"


class VerifyTask(QRunnable):
    """Runs ``verifier.verify(...)`` on a pool thread; reports through ``signals``."""

    def __init__(self, verifier: Any, inputs: Any, signals: VerifySignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._verifier = verifier
        self._inputs = inputs
        self.signals = signals

    def run(self) -> None:
        ticket = self._inputs.ticket

        def progress(*args: Any, **_kw: Any) -> None:
            self.signals.sig_progress.emit(str(args[0]) if args else "", ticket)

        try:
            verdict = self._verifier.verify(
                self._inputs.card_jpeg,
                self._inputs.face_jpeg,
                card_result=self._inputs.card_result,
                on_progress=progress,
                session_id=getattr(self._inputs, "session_id", ""),
            )
        except Exception as exc:
            log.warning("verification failed: %s", type(exc).__name__)
            self.signals.sig_failed.emit(_failure_key(exc), ticket)
        else:
            self.signals.sig_verdict.emit(verdict, ticket)
        finally:
            self._inputs = None  # drop the JPEG references as soon as possible


class ProbeTask(QRunnable):
    """Runs a service probe callable on a pool thread; reports ``(ok, detail, offset)``."""

    def __init__(self, probe: Callable[[], tuple[bool, str, float | None]], signals: VerifySignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._probe = probe
        self.signals = signals

    def run(self) -> None:
        try:
            result = self._probe()
        except Exception as exc:
            result = (False, type(exc).__name__, None)
        self.signals.sig_verdict.emit(result, 0)


def http_probe(url: str, timeout_s: float = 5.0) -> tuple[bool, str, float | None]:
    """Reachability and clock offset of an HTTP(S) endpoint (any HTTP answer counts as reachable).

    Runs on a worker thread. The offset is the service's ``Date`` header minus local time.
    """
    import email.utils
    import urllib.error
    import urllib.request

    started = time.time()
    try:
        if not url.startswith(("http://", "https://")):
            return False, "not an http(s) URL", None
        req = urllib.request.Request(url, method="GET")  # noqa: S310 - scheme checked above
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - configured URL
            status, date = resp.status, resp.headers.get("Date")
    except urllib.error.HTTPError as exc:
        status, date = exc.code, exc.headers.get("Date")
    except (OSError, ValueError) as exc:
        return False, type(exc).__name__, None
    elapsed = time.time() - started
    offset = None
    if date:
        try:
            offset = email.utils.parsedate_to_datetime(date).timestamp() - (started + elapsed / 2)
        except (TypeError, ValueError):
            offset = None
    return True, f"HTTP {status}, {elapsed * 1000:.0f} ms", offset
