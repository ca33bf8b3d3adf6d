"""Start the kiosk application: shared by ``kiosk run`` and ``kiosk demo``.

GUI thread only. :func:`run_kiosk` builds the application, the window and the camera thread,
runs the event loop and tears everything down in order (window timers, camera thread, verify
pool, single-instance lock) before returning the exit code.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication

from kiosk.ui.app import SingleInstance, create_application
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.frame_analysis import VisionPipeline
from kiosk.ui.i18n import LanguageManager
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell import KioskWindow

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """Set-up after the first paint failed (bad configuration or credentials): exit with code 2."""


def process_age_s() -> float | None:
    """Seconds since this process started (Linux ``/proc``), for the cold-start figure."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def rss_mb() -> float:
    """Current resident set size in MB (Linux ``/proc``; 0 when unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def ensure_display() -> None:
    """Use the offscreen platform when there is no display (CI, SSH, the demo autopilot)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _stop_on_signals(app: QApplication) -> dict[int, Any]:
    """SIGINT/SIGTERM end the event loop cleanly (threads joined, camera released).

    Python runs signal handlers only when the interpreter gets control, so a 200 ms timer keeps
    waking it while Qt's loop runs. Returns the previous handlers.
    """
    previous: dict[int, Any] = {}

    def handler(signum: int, _frame: Any) -> None:
        log.warning("signal %d: stopping", signum)
        app.exit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    waker = QTimer(app)
    waker.setObjectName("signal-waker")
    waker.timeout.connect(_noop)
    waker.start(200)
    return previous


@Slot()
def _noop() -> None:
    """Gives the interpreter a chance to run pending signal handlers."""


class _Raiser(QObject):
    """Brings the window to the front when a second instance starts (GUI thread)."""

    def __init__(self, window: KioskWindow) -> None:
        super().__init__(window)
        self._window = window

    @Slot()
    def raise_window(self) -> None:
        if self._window.settings.fullscreen:
            self._window.showFullScreen()
        else:
            self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()


def run_kiosk(
    settings: UiSettings,
    *,
    source_factory: Callable[[], Any],
    verifier: Any = None,
    client: Any = None,
    service_probe: Callable[[], tuple[bool, str, float | None]] | None = None,
    camera_factory: Callable[[int], Any] | None = None,
    pace_fps: float | None = None,
    instance_name: str | None = "idv-kiosk",
    window_size: tuple[int, int] = (1920, 1080),
    on_ready: Callable[[KioskWindow], None] | None = None,
) -> int:
    """Run the kiosk until staff exit (or ``on_ready``'s driver quits the app); returns the exit code.

    ``instance_name`` names the single-instance lock; None runs without one (the demo autopilot,
    which may run in parallel with a real kiosk or another autopilot, e.g. in CI).

    ``on_ready(window)`` runs once the welcome page is painted; slow set-up (the FaceID client,
    the demo's emulator) belongs there and ends with ``window.attach_service(...)``. If it raises
    :class:`StartupError`, the message is printed and the kiosk exits with code 2.
    """
    started = time.perf_counter()
    app = create_application([sys.argv[0]])
    single = SingleInstance(instance_name) if instance_name else None
    if single is not None and not single.acquire():
        print("kiosk: already running; asked it to come to the front", file=sys.stderr)
        return 1
    languages = LanguageManager()
    languages.set_language(settings.language)
    camera = CameraController(source_factory, VisionPipeline, pace_fps=pace_fps)
    window = KioskWindow(settings, camera, verifier, languages, service_probe=service_probe, client=client)
    window.camera_factory = camera_factory
    raiser = _Raiser(window)
    if single is not None:
        single.sig_raise_requested.connect(raiser.raise_window)
    window.sig_exit_requested.connect(app.quit)
    if settings.fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.setCursor(Qt.CursorShape.BlankCursor)
        # a kiosk often runs on a bare X server with no window manager to honour "fullscreen":
        # take the screen's geometry ourselves so the layout fits that display
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.resize(*window_size)
        window.show()
    window.start()
    QApplication.processEvents()  # first paint of the welcome page
    window.startup_s = process_age_s() or (time.perf_counter() - started)
    log.info("welcome screen after %.2f s", window.startup_s)
    previous: dict[int, Any] = {}
    try:
        if on_ready is not None:
            on_ready(window)
        previous = _stop_on_signals(app)
        code = app.exec()
    except StartupError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        window.exit_code = 2
        code = 2
    finally:
        window.allow_close()
        window.shutdown()
        window.close()
        if single is not None:
            single.release()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return window.exit_code if window.exit_code is not None else int(code)
