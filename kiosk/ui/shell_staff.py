"""The kiosk window's staff side: the PIN in front of the staff page, and the staff page's actions.

A mixin of :class:`kiosk.ui.shell.KioskWindow`. Staff reach the PIN pad with a hidden gesture
(tap the brand 5 times) or Ctrl+Alt+S, or from a result page that waits for them; a correct PIN
(:class:`~kiosk.ui.pin.PinGuard`: tries, lockout) opens the staff page, which shows the camera,
thresholds, endpoint, clock offset and recent outcomes (refreshed every second) and offers
back, exit, "test the service" (a :class:`~kiosk.ui.service_tasks.ProbeTask` on the pool) and
the camera choice. Leaving the staff pages resets the session: the welcome page, or out of
service while the camera is lost. Staff calls and the service health are in
:mod:`kiosk.ui.shell_service`.

GUI thread only; the probe's answer arrives queued at a ``@Slot``.
"""

from __future__ import annotations

import functools
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Slot

from kiosk.core.session import Step
from kiosk.ui.service_tasks import ProbeTask


class StaffMixin:
    """PIN and staff page for :class:`~kiosk.ui.shell.KioskWindow` (GUI thread)."""

    # provided by KioskWindow
    session: Any
    settings: Any
    camera: Any
    verifier: Any
    pin: Any
    pin_page: Any
    staff_page: Any
    welcome: Any
    out_of_service: Any
    staff_refresh: Any
    staff_idle: Any
    sig_exit_requested: Any
    camera_factory: Callable[[int], Any] | None
    _client: Any
    _service_probe: Callable[[], tuple[bool, str, float | None]] | None
    _probe_signals: Any
    _pool: Any
    _brand_taps: deque[float]
    _clock_offset: float | None
    _staff_open: bool
    _allow_close: bool

    # ---- the PIN in front of the staff page ----------------------------------------------
    def open_staff(self) -> None:
        """Show the PIN pad (hidden gesture: tap the brand 5 times; or Ctrl+Alt+S)."""
        if self.session.step is Step.VERIFYING:
            return  # never interrupt a running verification
        self._staff_open = True
        self.staff_idle.start()
        self._stop_customer_timers()
        self.camera.worker.set_stage("idle")
        self.pin_page.pad.clear()
        locked = self.pin.locked_for()
        if not self.pin.configured:
            self.pin_page.set_message("not_configured")
        elif locked > 0:
            self.pin_page.set_message("locked", int(locked))
        else:
            self.pin_page.set_message("")
        self._show_page(self.pin_page)

    def _on_brand_tap(self, event: Any) -> None:
        now = time.monotonic()
        self._brand_taps.append(now)
        if len(self._brand_taps) == 5 and now - self._brand_taps[0] < 3.0:
            self._brand_taps.clear()
            self.open_staff()

    @Slot(str)
    def _on_pin_submitted(self, pin: str) -> None:
        if not self.pin.configured:
            self.pin_page.set_message("not_configured")
            return
        result = self.pin.attempt(pin)
        if result.ok:
            self.pin_page.set_message("")
            self._refresh_staff()
            self.staff_refresh.start()
            self._show_page(self.staff_page)
        elif result.locked:
            self.pin_page.set_message("locked", math.ceil(result.locked_for_s))
        else:
            self.pin_page.set_message("wrong", result.remaining_tries)

    # ---- the staff page ------------------------------------------------------------------
    @Slot()
    def _refresh_staff(self) -> None:
        info = self.camera.worker.source_info
        resolution = f"{info.width} × {info.height} @ {info.fps:g} fps ({info.name})" if info else "—"
        policy = getattr(self.verifier, "policy", None)
        thresholds = "—"
        if policy is not None:
            parts = [
                f"{k}={getattr(policy, k)}"
                for k in ("card_sim_threshold", "face_sim_threshold", "min_card_sim", "min_face_sim")
                if hasattr(policy, k)
            ]
            thresholds = ", ".join(parts) or type(policy).__name__
        offset = self._clock_offset
        if offset is None and self._client is not None:
            offset = getattr(self._client, "clock_offset", None)
        self.staff_page.set_info(
            camera_index=self.settings.camera_index,
            resolution=resolution,
            fps=(self.camera.worker.fps, self.camera.analyzer.fps),
            thresholds=thresholds,
            endpoint=self.settings.endpoint or "—",
            clock_offset_s=offset,
            recent=self.recent_outcomes(),
            status=self._audit_status(),
        )

    @Slot()
    def _on_staff_back(self) -> None:
        self.staff_refresh.stop()
        self.staff_idle.stop()
        self._staff_open = False
        self.pin_page.pad.clear()
        self.session.reset()
        if self.session.step is Step.WELCOME:
            self._show_page(self.welcome)
        else:
            self._show_page(self.out_of_service)

    @Slot()
    def _on_staff_exit(self) -> None:
        self.staff_refresh.stop()
        self.staff_idle.stop()
        self._allow_close = True
        self.sig_exit_requested.emit()

    @Slot()
    def _on_test_service(self) -> None:
        if self._service_probe is None:
            self.staff_page.set_service_result("failed", "no probe")
            return
        self.staff_page.set_service_result("running")
        self._pool.start(ProbeTask(self._service_probe, self._probe_signals))

    @Slot(object, int)
    def _on_probe_done(self, result: Any, _ticket: int) -> None:
        ok, detail, offset = result
        if offset is not None:
            self._clock_offset = offset
        self.staff_page.set_service_result("ok" if ok else "failed", detail)
        self._refresh_staff()

    @Slot(int)
    def _on_camera_selected(self, index: int) -> None:
        self.settings = self.settings.replace(camera_index=index)
        factory = self.camera_factory
        if factory is not None:
            self.camera.worker.replace_source(functools.partial(factory, index))
