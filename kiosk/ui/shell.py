"""The kiosk window: maps the pure :class:`~kiosk.core.session.Session` onto pages.

The shell is the only place where session events are raised from the UI: page signals, camera
worker signals and verification signals arrive at ``@Slot`` methods here (GUI thread) and are
turned into session calls; a session listener switches the page, tells the camera what to look
for, starts verification and arms the timers.

Kiosk behaviour handled here: idle timeout with a "still there?" overlay, result timeouts, a
verification deadline, the staff PIN (with lockout) in front of the staff page, camera loss,
language switching, and the wipe on every return to the welcome page (the session drops its
data; the shell clears previews, labels and pixmaps).

Threading: GUI thread only. Workers: :class:`~kiosk.ui.camera_worker.CameraController` (QThread) and
:class:`~kiosk.ui.service_tasks.VerifyTask` (QThreadPool). :meth:`KioskWindow.shutdown` stops both.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.core.session import Event, Session, Step, Transition
from kiosk.core.textsafe import escape
from kiosk.ui import i18n, qt_compat, scaling
from kiosk.ui.access import install as install_accessibility
from kiosk.ui.app import THEME_FILE
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.pin import PinGuard
from kiosk.ui.preview_frames import FramePacket
from kiosk.ui.screens import (
    CapturePage,
    ConsentPage,
    IdleOverlay,
    OutOfServicePage,
    Page,
    PinPage,
    ResultPage,
    StaffPage,
    VerifyingPage,
    WelcomePage,
)
from kiosk.ui.service_tasks import ProbeTask, VerifySignals, VerifyTask
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell_display import DisplayMixin
from kiosk.ui.shell_service import ServiceMixin
from kiosk.ui.staff_calls import StaffCallDesk
from kiosk.ui.widgets import make_button, make_label

log = logging.getLogger(__name__)

STAFF_IDLE_MS = 60_000

# presses that a tap guard swallows (the release of a swallowed press does nothing on a button)
_PRESSES = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchBegin}

_USER_INPUT = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}


class KioskWindow(DisplayMixin, ServiceMixin, QWidget):
    """The one top-level window of the kiosk.

    Parameters
    ----------
    settings:
        UI settings (timeouts, PIN hash, language...).
    camera:
        A started-or-not :class:`CameraController`; the window starts it and owns its shutdown.
    verifier:
        Anything with ``verify(card_jpeg, face_jpeg, *, card_result, on_progress) -> Verdict``;
        called only on a pool thread. May be None at first (see :meth:`attach_service`).
    languages:
        The :class:`~kiosk.ui.i18n.LanguageManager` of the application.
    client:
        The FaceID client, only read for its ``clock_offset`` on the staff page.
    service_probe:
        Optional callable run on a pool thread by the staff "test the service" button; returns
        ``(ok, detail, clock_offset_s | None)``.
    voice_player:
        The :class:`~kiosk.ui.voice.AudioPlayer` for voice guidance; None: chosen from the
        ``voice_player`` setting (see :func:`kiosk.ui.voice.choose_player`).
    """

    sig_page_shown = Signal(str)
    """The name of the page that just became visible (screenshots, autopilot, logs)."""
    sig_exit_requested = Signal()
    """Staff chose "exit" after entering the PIN."""
    sig_session_ended = Signal(object)
    """A customer session ended on a result: the ``ResultView`` (masked data only)."""
    sig_frame_shown = Signal(str, float, str)
    """A preview frame was shown: (stage, auto-capture progress, hint code or "")."""
    staff_call_requested = Signal(str)
    """A customer asked for staff (the reason code); emitted at once, before any delivery."""
    sig_health_changed = Signal(bool)
    """The service health check changed between usable (True) and not (False)."""

    def __init__(
        self,
        settings: UiSettings,
        camera: CameraController,
        verifier: Any | None,
        languages: i18n.LanguageManager,
        *,
        service_probe: Callable[[], tuple[bool, str, float | None]] | None = None,
        client: Any = None,
        pin_clock: Callable[[], float] = time.monotonic,
        voice_player: Any = None,
        notifier: Any = None,
        health_check: Callable[[], Any] | None = None,
    ) -> None:
        qt_compat.check_binding()
        super().__init__()
        self.setObjectName("kioskWindow")
        self.setWindowTitle("Identity check")
        self.settings = settings
        self.camera = camera
        self.verifier = verifier
        self.languages = languages
        self.session = Session(settings.policy())
        self.pin = PinGuard(
            settings.staff_pin_hash,
            max_tries=settings.pin_max_tries,
            lockout_s=settings.pin_lockout_s,
            clock=pin_clock,
            state_file=settings.pin_state_file,
        )
        self._service_probe = service_probe
        self._client = client
        # staff camera choice -> a new source for that index (set by the launcher)
        self.camera_factory: Callable[[int], Any] | None = None
        # seconds from process start to the first welcome paint (set by the launcher)
        self.startup_s: float | None = None
        self._pool = QThreadPool.globalInstance()
        self._verify_signals = VerifySignals(self)
        self._verify_signals.sig_progress.connect(self._on_verify_progress)
        self._verify_signals.sig_verdict.connect(self._on_verdict)
        self._verify_signals.sig_failed.connect(self._on_verify_failed)
        self._probe_signals = VerifySignals(self)
        self._probe_signals.sig_verdict.connect(self._on_probe_done)
        # recent results for the staff page: (time, outcome, message key); codes only, no PII
        self._recent: deque[tuple[str, str, str]] = deque(maxlen=20)
        self.staff_calls = StaffCallDesk(settings.kiosk_id, notifier, self)
        self.staff_calls.sig_changed.connect(self._on_staff_calls_changed)
        self._current_call = ""
        # service health (see check_health_now): None until the first check answered
        self._health_check = health_check
        self.health: Any = None
        self._health_running = False
        self._health_signals = VerifySignals(self)
        self._health_signals.sig_verdict.connect(self._on_health)
        self._session_id = ""  # audit correlation id of the current customer
        self._allow_close = False
        self._staff_open = False
        self._brand_taps: deque[float] = deque(maxlen=5)
        self._clock_offset: float | None = None
        self._last_fps = 0.0
        self._closed = False
        self._tap_block_until = 0.0
        self._capture_paused = ""  # the stage paused behind the idle warning
        # display fit (see _fit_to): scale of the 1920x1080 / 1080x1920 design, shape, theme
        self.ui_scale = 1.0
        self.text_scale = 1.0
        self.portrait = False
        self.theme_qss = THEME_FILE.read_text(encoding="utf-8")
        self._layout_key: tuple[float, bool] | None = None
        # the process exit code (the demo autopilot sets it)
        self.exit_code: int | None = None

        self._build()
        self._build_timers()
        # accessibility hook: voice, keyboard, large text, accessible names (kiosk.ui.access)
        self.access = install_accessibility(self, voice_player=voice_player)
        self.session.subscribe(self._on_transition)
        camera.worker.sig_frame.connect(self._on_frame)
        camera.analyzer.sig_captured.connect(self._on_captured)
        camera.worker.sig_health.connect(self._on_camera_health)
        QApplication.instance().installEventFilter(self)
        languages.language_changed.connect(self._on_language_changed)
        self._on_language_changed(languages.language)
        self._show_page(self.welcome)

    # ---- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.brand = make_label("", "brand", center=False)
        self.brand.mousePressEvent = self._on_brand_tap  # type: ignore[method-assign]
        self.lang_button = make_button("", "lang", 72)
        self.lang_button.clicked.connect(self._on_toggle_language)
        self.staff_button = make_button("", "staffCall", 72)
        self.staff_button.clicked.connect(self._on_call_staff)
        # The customer tools: one container for the buttons every customer page offers. It sits
        # in the header in landscape and in the footer (lower half, within reach) in portrait.
        # Other features add their buttons to ``customer_tools_layout``.
        self.customer_tools = QWidget()
        self.customer_tools.setObjectName("customerTools")
        self.customer_tools_layout = QHBoxLayout(self.customer_tools)
        scaling.scaled_layout(self.customer_tools_layout, (0, 0, 0, 0), 20)
        self.customer_tools_layout.addWidget(self.lang_button)
        self.customer_tools_layout.addWidget(self.staff_button)
        self.header = QWidget()
        self.header.setObjectName("header")
        self.header_layout = hl = QHBoxLayout(self.header)
        scaling.scaled_layout(hl, (32, 10, 32, 10), 20)
        hl.addWidget(self.brand, 1)
        hl.addWidget(self.customer_tools)
        self.footer = QWidget()
        self.footer.setObjectName("footer")
        self.footer_layout = QHBoxLayout(self.footer)
        scaling.scaled_layout(self.footer_layout, (32, 16, 32, 24), 20)
        self.footer_layout.addStretch(1)
        self.footer.setVisible(False)

        s = self.settings
        self.welcome = WelcomePage()
        self.consent = ConsentPage()
        self.card_page = CapturePage("card", s.manual_capture_after_s)
        self.face_page = CapturePage("face", s.manual_capture_after_s)
        self.verifying = VerifyingPage()
        self.result_page = ResultPage()
        self.out_of_service = OutOfServicePage()
        self.pin_page = PinPage()
        self.staff_page = StaffPage()
        self.pages: list[Page] = [
            self.welcome,
            self.consent,
            self.card_page,
            self.face_page,
            self.verifying,
            self.result_page,
            self.out_of_service,
            self.pin_page,
            self.staff_page,
        ]
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)

        self.welcome.sig_start.connect(self._on_start)
        self.consent.sig_accept.connect(self._on_accept)
        self.consent.sig_decline.connect(self._on_decline)
        self.card_page.sig_manual_capture.connect(self._on_manual_capture)
        self.face_page.sig_manual_capture.connect(self._on_manual_capture)
        self.result_page.sig_done.connect(self._on_done)
        self.result_page.sig_retry.connect(self._on_retry)
        self.result_page.sig_staff_close.connect(self.open_staff)
        self.staff_page.sig_calls_answered.connect(self._on_calls_answered)
        self.pin_page.pad.sig_submitted.connect(self._on_pin_submitted)
        self.pin_page.pad.sig_cancelled.connect(self._on_staff_back)
        self.staff_page.sig_back.connect(self._on_staff_back)
        self.staff_page.sig_exit.connect(self._on_staff_exit)
        self.staff_page.sig_test_service.connect(self._on_test_service)
        self.staff_page.sig_camera_selected.connect(self._on_camera_selected)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # the window never takes its minimum size from its pages: it is the screen's size and
        # the pages fit themselves to it (see _fit_to); a page that cannot is a layout bug
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footer)
        self.idle_overlay = IdleOverlay(self)
        self.idle_overlay.sig_still_here.connect(self._on_still_here)

        # development / staff keyboard access (a touch kiosk has no keyboard for customers)
        QShortcut(QKeySequence("Ctrl+Alt+S"), self, activated=self.open_staff)

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

    # ---- public API ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the camera thread and show the welcome page."""
        self.camera.start()

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

    def current_page(self) -> Page:
        return self.stack.currentWidget()  # type: ignore[return-value]

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

    def recent_outcomes(self) -> list[tuple[str, str, str]]:
        """Recent results, newest first: (time, outcome, message key)."""
        return list(self._recent)

    def shutdown(self) -> None:
        """Stop the timers and the threads (GUI thread; blocks up to a few seconds)."""
        if self._closed:
            return
        self._closed = True
        for t in (
            self.idle_timer,
            self.warning_timer,
            self.result_timer,
            self.verify_deadline,
            self.staff_refresh,
            self.staff_idle,
            self.health_timer,
        ):
            t.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.access.shutdown()
        self.camera.stop()
        self._pool.waitForDone(int(self.settings.verify_deadline_s * 1000))
        self._wipe_ui()

    # ---- Qt overrides --------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._allow_close and self.settings.fullscreen:
            event.ignore()  # Alt+F4 and friends: only the staff PIN exits a kiosk
            return
        self.shutdown()
        event.accept()

    def allow_close(self) -> None:
        self._allow_close = True

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._fit_to(self.width(), self.height())
        self.idle_overlay.setGeometry(self.rect())
        super().resizeEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _USER_INPUT and not self._closed:
            self._poke()
            if (
                event.type() in _PRESSES
                and time.monotonic() < self._tap_block_until
                and isinstance(obj, QWidget)
                and (obj is self or self.isAncestorOf(obj))
            ):
                log.debug("tap ignored (guard after a page change or a button)")
                return True
        return False

    def _guard_taps(self) -> None:
        """Ignore presses for ``tap_guard_s`` (the second tap of a double tap lands on nothing)."""
        self._tap_block_until = time.monotonic() + self.settings.tap_guard_s

    def presses_guarded(self) -> bool:
        """True while the tap guard is on: the keyboard's Enter / Space obey it too."""
        return time.monotonic() < self._tap_block_until

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

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

    # ---- timers --------------------------------------------------------------------------
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

    @Slot()
    def _on_toggle_language(self) -> None:
        self._guard_taps()
        self.languages.toggle()

    @Slot(str)
    def _on_language_changed(self, code: str) -> None:
        self._retranslate()

    def _retranslate(self) -> None:
        self.brand.setText(self.tr("Identity check"))
        other = i18n.LANGUAGES[(i18n.LANGUAGES.index(self.languages.language) + 1) % len(i18n.LANGUAGES)]
        self.lang_button.setText(i18n.language_name(other))
        self.staff_button.setText(self.tr("Call staff"))
        for page in self.pages:
            page.retranslate()
        self.idle_overlay.retranslate()
        self.access.retranslate()

    # ---- workers -> session --------------------------------------------------------------
    @Slot()
    def _on_frame(self) -> None:
        packet: FramePacket | None = self.camera.worker.slot.take()
        if packet is None:
            return
        page = self.current_page()
        if isinstance(page, CapturePage) and packet.stage == page.stage:
            page.preview.show_packet(packet)
            page.set_hint(packet.hint, packet.ok)
            self._last_fps = page.preview.fps()
            self.sig_frame_shown.emit(packet.stage, packet.progress, packet.hint or "")

    @Slot(object)
    def _on_captured(self, capture: Any) -> None:
        if self._closed:
            return
        stage = getattr(capture, "stage", None)
        if self._closed:  # queued before the shutdown
            return

        def deliver() -> None:
            if self._closed:  # "Captured" was still showing when the window shut down
                return
            if stage == "card":
                self.session.card_captured(capture)
            elif stage == "face":
                self.session.face_captured(capture)

        page = self.current_page()
        if isinstance(page, CapturePage) and page.stage == stage and not page.confirming:
            page.show_captured(deliver)  # "Captured" on screen first (issue 13)
        else:
            deliver()

    @Slot(str)
    def _on_camera_health(self, state: str) -> None:
        if self._closed:  # a signal queued before shutdown: the window no longer drives anything
            return
        log.warning("camera %s", state)
        if self._closed:  # a report queued before the shutdown: no more session changes
            return
        if state == "lost":
            self.session.camera_lost()
        else:
            self.session.camera_restored()

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

    # ---- staff ---------------------------------------------------------------------------
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

    def _audit_status(self) -> list[str]:
        """Status lines for staff: the audit trail cannot be written (disk full), the PIN hash
        is outdated; nothing when all is well."""
        audit = getattr(self.verifier, "audit", None)
        failure = getattr(audit, "failure", None)
        lines = []
        if failure:
            lines.append(self.tr("Audit trail NOT being written: %1 (run kiosk doctor)").replace(
                "%1", escape(failure, 120)))
        if self.pin.outdated:
            lines.append(self.tr("The staff PIN hash is outdated: make a new one (kiosk doctor --hash-pin)"))
        return lines

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
