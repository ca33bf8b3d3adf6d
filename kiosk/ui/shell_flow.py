"""The kiosk window's session flow: session transitions -> pages, page signals -> session.

A mixin of :class:`kiosk.ui.shell.KioskWindow`. The shell is the only place where session
events are raised from the UI:

* session -> UI: the session listener (:meth:`SessionFlowMixin._on_transition`) writes one
  audit record per step, switches the page, tells the camera what to look for, starts the
  verification (a :class:`~kiosk.ui.service_tasks.VerifyTask` on the pool, under the
  verification deadline), shows the result and wipes the UI on every return to the welcome
  page (the session drops its data; the window clears previews, labels and pixmaps);
* page signals -> session: start, accept, decline, retry, done, manual capture;
* verification job -> session: progress, verdict, failure (signals of the window's
  :class:`~kiosk.ui.service_tasks.VerifySignals`, which lives on the GUI thread: emitted on a
  pool thread, they arrive queued).

The camera threads' signals arrive at slots of :class:`~kiosk.ui.shell.KioskWindow` itself (see
there why not here).

GUI thread only: the session calls its listener on the thread that changed it, the GUI thread.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections import deque
from typing import Any

from PySide6.QtCore import Slot

from kiosk.core.session import Event, Session, Step, Transition
from kiosk.ui.screens import Page
from kiosk.ui.service_tasks import VerifyTask

# the window's log name (the mixins of KioskWindow log as the shell)
log = logging.getLogger("kiosk.ui.shell")


class SessionFlowMixin:
    """Session <-> pages for :class:`~kiosk.ui.shell.KioskWindow` (GUI thread)."""

    # provided by KioskWindow
    session: Session
    settings: Any
    camera: Any
    verifier: Any
    languages: Any
    stack: Any
    welcome: Any
    consent: Any
    card_page: Any
    face_page: Any
    verifying: Any
    result_page: Any
    out_of_service: Any
    idle_overlay: Any
    verify_deadline: Any
    result_timer: Any
    sig_page_shown: Any
    sig_session_ended: Any
    _pool: Any
    _verify_signals: Any
    _recent: deque[tuple[str, str, str]]
    _session_id: str
    _staff_open: bool
    _closed: bool
    _result_left: int

    # ---- session -> UI -------------------------------------------------------------------
    def _on_transition(self, session: Session, t: Transition) -> None:
        log.info("step %s -> %s (%s)", t.old.value, t.new.value, t.event.value)
        if self._closed:  # a late camera/verifier signal after shutdown: no pages, no language switch
            return
        self._audit_transition(t)
        self._stop_customer_timers()
        if self._staff_open:  # staff pages stay up; leaving them shows the session's page
            self.camera.worker.set_stage("idle")
            return
        if t.old in (Step.CARD, Step.FACE) and t.new is not t.old:
            (self.card_page if t.old is Step.CARD else self.face_page).leave()
        stage = {Step.CARD: "card", Step.FACE: "face"}.get(t.new, "idle")
        self.camera.worker.set_stage(stage)
        if t.new is Step.WELCOME:
            self._wipe_ui()
            if self.languages.language != self.settings.language:
                self.languages.set_language(self.settings.language)
            if t.event is Event.DECLINE:
                self.welcome.show_declined_note()
            self._show_page(self.welcome)
        elif t.new is Step.CONSENT:
            self._show_page(self.consent)
        elif t.new in (Step.CARD, Step.FACE):
            page = self.card_page if t.new is Step.CARD else self.face_page
            stage_name = "card" if t.new is Step.CARD else "face"
            page.enter(session.hint_key, session.attempts(stage_name) + 1, session.policy.max_attempts)
            self._show_page(page)
        elif t.new is Step.VERIFYING:
            self._start_verification()
        elif t.new is Step.RESULT:
            self._show_result()
        elif t.new is Step.OUT_OF_SERVICE:
            self._wipe_ui()
            self._show_page(self.out_of_service)
        self._arm_idle()

    def _audit_transition(self, t: Transition) -> None:
        """One audit record per session step (ids, steps, outcome codes and masked values only)."""
        audit = getattr(self.verifier, "audit", None)
        if t.old is Step.WELCOME and t.new is not Step.WELCOME:
            self._session_id = uuid.uuid4().hex[:12]
        if audit is None or not self._session_id:
            return
        extra: dict[str, Any] = {}
        if t.new is Step.RESULT and self.session.result is not None:
            extra = {"reason_code": self.session.result.message_key, "masked_id": self.session.result.masked_id,
                     "outcome_code": self.session.result.outcome.value}
        try:
            audit.session(session_id=self._session_id, step=t.new.value,
                          **{"outcome_code": t.event.value, **extra})
        except OSError:  # a full or read-only disk must not stop the kiosk
            log.warning("audit record not written")
        if t.new is Step.WELCOME:
            self._session_id = ""

    def _show_page(self, page: Page) -> None:
        if page is not self.stack.currentWidget():
            self._guard_taps()
        self.stack.setCurrentWidget(page)
        self._update_chrome()
        self.sig_page_shown.emit(page.name)

    def _start_verification(self) -> None:
        inputs = dataclasses.replace(self.session.begin_verification(), session_id=self._session_id)
        if self.verifier is None:  # start-up not finished (cannot happen in practice)
            self.session.verify_failed("err.out_of_service", inputs.ticket)
            return
        self.verifying.enter(card_done=inputs.card_result is not None)
        self._show_page(self.verifying)
        self.verify_deadline.start(int(self.settings.verify_deadline_s * 1000))
        self._pool.start(VerifyTask(self.verifier, inputs, self._verify_signals))

    def _show_result(self) -> None:
        result = self.session.result
        assert result is not None
        self._recent.appendleft((time.strftime("%H:%M:%S"), result.outcome.value, result.message_key))
        self.result_page.show_result(result, can_retry=result.can_retry)
        if result.outcome.value == "unavailable":
            self.check_health_now()  # the welcome page must know before the next customer
        self._result_left = int(self.session.result_timeout() or 0)
        self.result_page.set_seconds_left(self._result_left)
        self._show_page(self.result_page)
        self.result_timer.start()
        self.sig_session_ended.emit(result)

    def _wipe_ui(self) -> None:
        """Clear everything the UI shows about a customer (previews, masked data, hints)."""
        self.card_page.leave()
        self.face_page.leave()
        self.result_page.clear()
        self.camera.worker.slot.clear()
        self.idle_overlay.hide()

    # ---- page signals -> session ---------------------------------------------------------
    @Slot()
    def _on_start(self) -> None:
        self._guard_taps()
        if not self.service_ok:
            return
        self.session.start()

    @Slot()
    def _on_retry(self) -> None:
        self._guard_taps()
        self.session.retry()

    @Slot()
    def _on_accept(self) -> None:
        self._guard_taps()
        self.session.accept()

    @Slot()
    def _on_decline(self) -> None:
        self._guard_taps()
        self.session.decline()

    @Slot()
    def _on_done(self) -> None:
        self._guard_taps()
        self.session.reset()

    @Slot()
    def _on_manual_capture(self) -> None:
        self._guard_taps()
        self.camera.worker.request_manual_capture()

    # ---- verification job -> session -----------------------------------------------------
    @Slot(str, int)
    def _on_verify_progress(self, step: str, ticket: int) -> None:
        if self.session.step is Step.VERIFYING:
            self.verifying.progress(step)

    @Slot(object, int)
    def _on_verdict(self, verdict: Any, ticket: int) -> None:
        if self._closed:
            return
        self.session.verdict(verdict, ticket)

    @Slot(str, int)
    def _on_verify_failed(self, key: str, ticket: int) -> None:
        if self._closed:
            return
        self.session.verify_failed(key, ticket)
