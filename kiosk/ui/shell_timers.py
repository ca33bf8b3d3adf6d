"""The kiosk window's timers: "still there?", the result countdown and the verification deadline.

A mixin of :class:`kiosk.ui.shell.KioskWindow`; :meth:`TimersMixin._build_timers` makes every
timer of the window (also the staff page's refresh and idle timers and the health check's).

* Idle: the session says how long a customer step may sit without input; then the "still
  there?" overlay counts down (capture pauses behind it) and the session times out unless the
  customer taps. Any user input re-arms it (the window's event filter calls ``_poke``).
* Result: the result page counts down and then returns to the welcome page.
* Verification deadline: a verification that has not answered in ``verify_deadline_s`` fails
  as "service timeout".
* Staff: staff pages left alone for ``STAFF_IDLE_MS`` return to the customers.

GUI thread only (``QTimer`` s owned by the window; :meth:`~kiosk.ui.shell.KioskWindow.shutdown`
stops them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Slot

from kiosk.core.session import Step

# the window's log name (the mixins of KioskWindow log as the shell)
log = logging.getLogger("kiosk.ui.shell")

STAFF_IDLE_MS = 60_000


class TimersMixin:
    """Customer timers of :class:`~kiosk.ui.shell.KioskWindow` (GUI thread)."""

    # provided by KioskWindow
    session: Any
    settings: Any
    camera: Any
    idle_overlay: Any
    result_page: Any
    sig_page_shown: Any
    _staff_open: bool
    _capture_paused: str

    # ---- construction --------------------------------------------------------------------
    def _build_timers(self) -> None:
        self.idle_timer = self._timer(single=True, slot=self._on_idle)
        self.warning_timer = self._timer(single=False, slot=self._on_warning_tick, interval=1000)
        self.result_timer = self._timer(single=False, slot=self._on_result_tick, interval=1000)
        self.verify_deadline = self._timer(single=True, slot=self._on_verify_deadline)
        self.staff_refresh = self._timer(single=False, slot=self._refresh_staff, interval=1000)
        # staff pages left alone return to the customers (settings must not stay exposed)
        self.staff_idle = self._timer(single=True, slot=self._on_staff_back, interval=STAFF_IDLE_MS)
        self.health_timer = self._timer(single=False, slot=self._on_health_tick,
                                        interval=max(1, int(self.settings.health_check_interval_s * 1000)))
        self._warning_left = 0
        self._result_left = 0

    def _timer(self, *, single: bool, slot: Callable[[], None], interval: int = 0) -> QTimer:
        t = QTimer(self)
        t.setSingleShot(single)
        if interval:
            t.setInterval(interval)
        t.timeout.connect(slot)
        return t

    # ---- customer timers -----------------------------------------------------------------
    def _arm_idle(self) -> None:
        self.idle_timer.stop()
        self.warning_timer.stop()
        self.idle_overlay.hide()
        self._resume_capture()
        if self._staff_open:
            return
        timeout = self.session.idle_timeout()
        if timeout is not None:
            self.idle_timer.start(int(timeout * 1000))

    def _poke(self) -> None:
        """User input: the customer (or staff) is still there."""
        if self._staff_open:
            self.staff_idle.start()
        elif self.idle_overlay.isVisible() or self.idle_timer.isActive():
            self._arm_idle()

    def _stop_customer_timers(self) -> None:
        for t in (self.idle_timer, self.warning_timer, self.result_timer, self.verify_deadline):
            t.stop()
        self.idle_overlay.hide()
        self._capture_paused = ""  # a transition sets the camera stage itself

    def _pause_capture(self) -> None:
        """Behind "still there?" nothing is captured (the customer may have walked away)."""
        stage = {Step.CARD: "card", Step.FACE: "face"}.get(self.session.step)
        if stage and not self._capture_paused:
            self._capture_paused = stage
            self.camera.worker.set_stage("idle")

    def _resume_capture(self) -> None:
        stage, self._capture_paused = self._capture_paused, ""
        if stage and self.session.step is {"card": Step.CARD, "face": Step.FACE}[stage]:
            self.camera.worker.set_stage(stage)

    @property
    def capture_paused(self) -> bool:
        return bool(self._capture_paused)

    def show_idle_warning(self) -> None:
        """Show "still there?" now (what the idle timer does; also used by the demo tour)."""
        self._on_idle()

    @Slot()
    def _on_idle(self) -> None:
        self._guard_taps()  # the overlay may appear under a finger
        self._pause_capture()
        self._warning_left = max(1, round(self.session.policy.idle_warning_s))
        self.idle_overlay.set_seconds_left(self._warning_left)
        self.idle_overlay.setGeometry(self.rect())
        self.idle_overlay.show()
        self.idle_overlay.raise_()
        self.warning_timer.start()
        self.sig_page_shown.emit("idle_warning")

    @Slot()
    def _on_warning_tick(self) -> None:
        self._warning_left -= 1
        if self._warning_left <= 0:
            self.warning_timer.stop()
            self.idle_overlay.hide()
            self.session.timeout()
        else:
            self.idle_overlay.set_seconds_left(self._warning_left)

    @Slot()
    def _on_still_here(self) -> None:
        self._arm_idle()

    @Slot()
    def _on_result_tick(self) -> None:
        self._result_left -= 1
        if self._result_left <= 0:
            self.result_timer.stop()
            self.session.timeout()
        else:
            self.result_page.set_seconds_left(self._result_left)

    @Slot()
    def _on_verify_deadline(self) -> None:
        log.error("verification did not finish within %.0f s", self.settings.verify_deadline_s)
        self.session.verify_failed("err.service_timeout")
