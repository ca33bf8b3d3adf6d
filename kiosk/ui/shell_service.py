"""The kiosk window's link to staff and to the service: staff calls and the service health check.

A mixin of :class:`kiosk.ui.shell.KioskWindow` (kept apart to keep the shell readable). It uses
the window's ``staff_calls`` desk, ``session``, pages, pool and audit trail.

* :meth:`ServiceMixin.attach_service`: the launcher hands over the verifier, the FaceID client,
  the staff probe, the staff-call notifier and the health check once the welcome page is up.
* "Call staff": the call is recorded and sent at once (off the GUI thread, through the
  :class:`~kiosk.ui.staff_calls.StaffCallDesk`), ``staff_call_requested`` is emitted for a local
  sound, and the customer sees "help is on the way" (or is sent to the counter when the call
  could not be delivered) until staff close it with the PIN or the configured time passes.
* Service health: ``health_check()`` runs on the pool at start, every
  ``health_check_interval_s`` while the kiosk waits for a customer, and after an "unavailable"
  result; while it fails Welcome says "temporarily unavailable, please see staff" and Start is
  disabled; the staff page says why.

GUI thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Slot

from kiosk.core.session import Step
from kiosk.core.staff_call import REASON_CUSTOMER, REASON_OUT_OF_SERVICE
from kiosk.ui.service_tasks import ProbeTask

log = logging.getLogger("kiosk.ui.shell")


class ServiceMixin:
    """Staff calls and service health for :class:`~kiosk.ui.shell.KioskWindow` (GUI thread)."""

    # provided by KioskWindow
    session: Any
    staff_calls: Any
    staff_page: Any
    result_page: Any
    welcome: Any
    verifier: Any
    settings: Any
    health: Any
    staff_call_requested: Any
    sig_health_changed: Any
    _health_check: Any
    _client: Any
    _service_probe: Callable[[], tuple[bool, str, float | None]] | None
    health_timer: Any
    _health_running: bool
    _health_signals: Any
    _closed: bool
    _pool: Any
    _session_id: str
    _staff_open: bool
    _clock_offset: float | None
    _current_call: str
    _result_left: int

    # ---- the service, attached after start-up --------------------------------------------
    def attach_service(
        self,
        verifier: Any,
        *,
        client: Any = None,
        service_probe: Callable[[], tuple[bool, str, float | None]] | None = None,
        notifier: Any = None,
        health_check: Callable[[], Any] | None = None,
    ) -> None:
        """Set the verifier (and what the staff page reads) after start-up (GUI thread).

        The launcher builds the FaceID client after the welcome page is on screen so the
        customer does not wait for it; no verification can start before this is called.
        ``notifier`` delivers staff calls; ``health_check()`` (run on a pool thread) returns a
        :class:`~kiosk.core.service_health.Health` and is run now and every
        ``health_check_interval_s`` while the kiosk waits for a customer.
        """
        self.verifier = verifier
        self._client = client
        self._service_probe = service_probe
        if notifier is not None:
            self.staff_calls.notifier = notifier
        if health_check is not None:
            self._health_check = health_check
        if self._health_check is not None:
            self.check_health_now()
            if self.settings.health_check_interval_s > 0:
                self.health_timer.start()

    # ---- service health ------------------------------------------------------------------
    def check_health_now(self) -> None:
        """Run the service health check on the pool (GUI thread; one at a time)."""
        if self._health_check is None or self._health_running or self._closed:
            return
        self._health_running = True
        self._pool.start(ProbeTask(self._health_check, self._health_signals))

    @Slot()
    def _on_health_tick(self) -> None:
        if self.session.step in (Step.WELCOME, Step.OUT_OF_SERVICE) and not self._staff_open:
            self.check_health_now()

    @Slot(object, int)
    def _on_health(self, health: Any, _ticket: int) -> None:
        self._health_running = False
        if self._closed:
            return
        if isinstance(health, tuple):  # the probe itself raised (ProbeTask's form)
            from kiosk.core.service_health import Health

            health = Health(False, "unreachable", str(health[1]))
        was_ok = self.service_ok
        self.health = health
        self.welcome.set_service_ok(bool(health.ok))
        self.staff_page.set_health(bool(health.ok), health.fault, health.detail)
        if health.clock_offset_s is not None:
            self._clock_offset = health.clock_offset_s
        if was_ok != bool(health.ok):
            log.warning("service health: %s (%s)", "ok" if health.ok else health.fault, health.detail)
            self._audit_event("service_health", "ok" if health.ok else f"down:{health.fault}")
            self.sig_health_changed.emit(bool(health.ok))

    @property
    def service_ok(self) -> bool:
        """False only after a health check found the service unusable."""
        return self.health is None or bool(self.health.ok)

    def _audit_event(self, step: str, code: str) -> None:
        audit = getattr(self.verifier, "audit", None)
        if audit is None:
            return
        try:
            audit.session(session_id=self._session_id or "kiosk", step=step, outcome_code=code)
        except (OSError, TypeError, ValueError):
            log.warning("audit record not written")

    # ---- staff calls ---------------------------------------------------------------------
    @Slot()
    def _on_call_staff(self) -> None:
        self._guard_taps()
        reason = REASON_OUT_OF_SERVICE if self.session.step is Step.OUT_OF_SERVICE else REASON_CUSTOMER
        entry = self.staff_calls.call(reason)
        self._current_call = entry.call.call_id
        self._audit_event("staff_call", f"{reason}:{entry.call.call_id}")
        self.staff_call_requested.emit(reason)
        if self.session.call_staff() and self.result_page.staff_called:
            self.result_page.set_call_state(entry.state)
            if entry.state == "not_configured":
                self._result_left = min(self._result_left, int(self.settings.result_timeout_s))

    @Slot()
    def _on_staff_calls_changed(self) -> None:
        if self.result_page.staff_called and self.current_page() is self.result_page:
            for c in self.staff_calls.open_calls():
                if c.call.call_id == self._current_call:
                    self.result_page.set_call_state(c.state)
                    if c.state in ("failed", "not_configured"):  # nobody is coming: do not hold the screen
                        self._result_left = min(self._result_left, int(self.settings.result_timeout_s))
        self.staff_page.set_calls([(c.local_time, c.call.reason, c.state) for c in self.staff_calls.open_calls()])

    @Slot()
    def _on_calls_answered(self) -> None:
        self.staff_calls.answer_all()

