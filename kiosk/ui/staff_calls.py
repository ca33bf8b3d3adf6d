"""The kiosk's open staff calls: delivered off the GUI thread, listed on the staff page.

:class:`StaffCallDesk` keeps the calls made since start (bounded), sends each one with a
:class:`~kiosk.core.staff_call.StaffNotifier` on the thread pool and records how it went. The
shell owns one desk; the staff page reads :meth:`StaffCallDesk.open_calls`.

Threading: the desk lives on the GUI thread; :class:`NotifyTask` runs ``notifier.send`` on a
pool thread and reports through a Qt signal (queued to the GUI thread).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kiosk.core.staff_call import Delivery, StaffCall, StaffNotifier

log = logging.getLogger(__name__)

MAX_CALLS = 20


@dataclass
class OpenCall:
    """One call and its delivery state: "sending", "delivered", "failed" or "not_configured"."""

    call: StaffCall
    state: str = "sending"
    detail: str = ""
    answered: bool = False

    @property
    def local_time(self) -> str:
        try:
            return datetime.fromisoformat(self.call.time).astimezone().strftime("%H:%M:%S")
        except ValueError:
            return self.call.time


class _Signals(QObject):
    sig_done = Signal(str, object)
    """(call id, Delivery)"""


class NotifyTask(QRunnable):
    """``notifier.send(call)`` on a pool thread; reports ``(call_id, Delivery)``."""

    def __init__(self, notifier: StaffNotifier, call: StaffCall, signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._notifier = notifier
        self._call = call
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._notifier.send(self._call)
        except Exception as exc:  # never let a notifier bug escape a pool thread
            result = Delivery(False, 0, type(exc).__name__)
        self._signals.sig_done.emit(self._call.call_id, result)


class StaffCallDesk(QObject):
    """Open staff calls of this kiosk (GUI thread)."""

    sig_changed = Signal()
    """A call was made, delivered, failed or answered."""

    def __init__(self, kiosk_id: str, notifier: StaffNotifier | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kiosk_id = kiosk_id
        self.notifier = notifier
        self._calls: deque[OpenCall] = deque(maxlen=MAX_CALLS)
        self._signals = _Signals(self)
        self._signals.sig_done.connect(self._on_done)
        self._pool = QThreadPool.globalInstance()

    def call(self, reason: str) -> OpenCall:
        """Make a call now: recorded at once, delivered in the background."""
        entry = OpenCall(StaffCall(self.kiosk_id, reason))
        self._calls.appendleft(entry)
        if self.notifier is None or not self.notifier.configured:
            entry.state = "not_configured"
            log.warning("staff call %s: no notifier configured (notify.url / notify.command)", entry.call.call_id)
        else:
            self._pool.start(NotifyTask(self.notifier, entry.call, self._signals))
        self.sig_changed.emit()
        return entry

    def open_calls(self) -> list[OpenCall]:
        """Calls not yet marked answered, newest first."""
        return [c for c in self._calls if not c.answered]

    def answer_all(self) -> None:
        """Staff dealt with every open call."""
        for c in self._calls:
            c.answered = True
        self.sig_changed.emit()

    @Slot(str, object)
    def _on_done(self, call_id: str, result: Delivery) -> None:
        for c in self._calls:
            if c.call.call_id == call_id:
                c.state = "delivered" if result.delivered else "failed"
                c.detail = result.detail
        self.sig_changed.emit()
