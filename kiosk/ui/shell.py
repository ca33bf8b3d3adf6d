"""The kiosk window: maps the pure :class:`~kiosk.core.session.Session` onto pages.

:class:`KioskWindow` is the one top-level window. This module holds its construction, its public
API, its Qt event handlers, the tap guard, the language switch and the slots that receive the
signals of other threads; the rest of what it does is in its mixins, one module each:

* :mod:`kiosk.ui.shell_display`: the window's widgets and layout, and their fit to the display
  (scale, landscape or portrait);
* :mod:`kiosk.ui.shell_flow`: session transitions -> pages, page signals -> session calls, the
  wipe on every return to the welcome page;
* :mod:`kiosk.ui.shell_timers`: idle timeout with a "still there?" overlay, result timeouts, the
  verification deadline;
* :mod:`kiosk.ui.shell_staff`: the staff PIN (with lockout) in front of the staff page and the
  staff page's actions (test the service, camera choice, exit);
* :mod:`kiosk.ui.shell_service`: the service attached after start-up, staff calls and the
  service health check.

Every user input passes the window's event filter: it keeps the idle timer from firing and,
right after a page change or a button, swallows presses (the tap guard against double taps).
``self.tr()`` strings stay in :class:`KioskWindow` itself: ``lupdate`` files them under the
enclosing class, the "KioskWindow" context of the translations.

The camera threads' signals (preview frames, captures, camera health) arrive at ``@Slot``
methods declared in :class:`KioskWindow` itself, queued to the GUI thread, and become session
calls; a signal queued before :meth:`KioskWindow.shutdown` changes nothing after it. They stay
out of the mixins on purpose: with PySide6 6.11 a ``@Slot`` inherited from a plain mixin class
runs in the thread of the object that sends the signal once the window has a dynamic slot. The
pool jobs report through :class:`~kiosk.ui.service_tasks.VerifySignals` objects that live on the
GUI thread, so their answers may go to mixin slots.

Threading: GUI thread only. Workers: :class:`~kiosk.ui.camera_worker.CameraController` (QThread) and
:class:`~kiosk.ui.service_tasks.VerifyTask` (QThreadPool). :meth:`KioskWindow.shutdown` stops both.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core.session import Session
from kiosk.core.textsafe import escape
from kiosk.ui import i18n, qt_compat
from kiosk.ui.access import install as install_accessibility
from kiosk.ui.app import THEME_FILE
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.pin import PinGuard
from kiosk.ui.preview_frames import FramePacket
from kiosk.ui.screens import CapturePage, Page
from kiosk.ui.service_tasks import VerifySignals
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell_display import DisplayMixin
from kiosk.ui.shell_flow import SessionFlowMixin
from kiosk.ui.shell_service import ServiceMixin
from kiosk.ui.shell_staff import StaffMixin
from kiosk.ui.shell_timers import TimersMixin
from kiosk.ui.staff_calls import StaffCallDesk

log = logging.getLogger(__name__)

# presses that a tap guard swallows (the release of a swallowed press does nothing on a button)
_PRESSES = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchBegin}

_USER_INPUT = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}


class KioskWindow(DisplayMixin, ServiceMixin, SessionFlowMixin, StaffMixin, TimersMixin, QWidget):
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

    # ---- public API ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the camera thread and show the welcome page."""
        self.camera.start()

    def current_page(self) -> Page:
        return self.stack.currentWidget()  # type: ignore[return-value]

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

    # ---- language ------------------------------------------------------------------------
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

    # ---- camera threads -> session -------------------------------------------------------
    # Signals of the camera worker and the frame analyzer, QObjects living in their own QThreads.
    # These slots are the window's own, not a mixin's: with PySide6 6.11 a @Slot inherited from
    # a plain mixin class runs in the sender's thread once the window has a dynamic slot (a
    # connection to a method that is no @Slot, as open_staff). Declared here, they are queued to
    # the GUI thread.
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

    # ---- staff page text (tr() here: the KioskWindow context) ----------------------------
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
