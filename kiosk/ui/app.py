"""Application bootstrap: QApplication, bundled CJK font, theme, translators, single instance.

GUI thread only. :func:`create_application` is idempotent (tests reuse pytest-qt's app).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QLockFile, QObject, QStandardPaths, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

from kiosk.resources import resource
from kiosk.ui import qt_compat

log = logging.getLogger(__name__)

FONT_FILE = resource("fonts", "wqy-microhei.ttc")
# the bold face of the same family (a subset of Noto Sans CJK SC Bold, OFL; tools/make_bold_font.py)
BOLD_FONT_FILE = resource("fonts", "kiosk-bold.otf")
THEME_FILE = resource("theme", "kiosk.qss")
APP_ID = "idv-kiosk"

_font_family: str | None = None


def load_fonts() -> str | None:
    """Register the bundled CJK font (once) and return its family name."""
    global _font_family  # noqa: PLW0603 - process-wide registration, done once
    if _font_family is None:
        font_id = QFontDatabase.addApplicationFont(str(FONT_FILE))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            log.error("could not load the bundled font %s; Chinese may not render", FONT_FILE)
            return None
        _font_family = families[0]
        if QFontDatabase.addApplicationFont(str(BOLD_FONT_FILE)) < 0:
            log.warning("could not load the bold face %s; headlines render with synthetic bold", BOLD_FONT_FILE)
    return _font_family


def apply_theme(app: QApplication) -> None:
    """Bundled font as the default font, and the QSS theme."""
    family = load_fonts()
    if family:
        font = QFont(family)
        font.setPixelSize(28)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        app.setFont(font)
    app.setStyleSheet(THEME_FILE.read_text(encoding="utf-8"))


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (existing one reused), themed, with the bundled font."""
    qt_compat.check_binding()
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or ["kiosk"])
    app.setApplicationName(APP_ID)
    app.setOrganizationName("idv-kiosk")
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    return app  # type: ignore[return-value]


class SingleInstance(QObject):
    """One kiosk per user session: ``QLockFile`` plus a ``QLocalServer`` to raise the first one.

    ``acquire()`` returns False when another instance holds the lock; that instance is asked to
    raise its window (it emits :attr:`sig_raise_requested`). GUI thread only.
    """

    sig_raise_requested = Signal()
    """A second instance started and asked this one to come to the front."""

    def __init__(self, name: str = APP_ID, directory: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # the user's own runtime folder ($XDG_RUNTIME_DIR, mode 0700), not the shared temp
        # folder: there any local user could plant a lock (or a socket) and keep the kiosk from
        # starting (outside review); Qt makes a private fallback when the variable is unset
        base = (
            directory
            or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
            or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.TempLocation)
        )
        # the local server: a socket in that folder on POSIX; a named pipe (per session) on Windows
        self.name = name if sys.platform == "win32" else str(Path(base) / f"{name}.sock")
        self.lock = QLockFile(str(Path(base) / f"{name}.lock"))
        self.lock.setStaleLockTime(0)  # a long-lived lock: rely on PID + hostname for stale locks
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        if not self.lock.tryLock(100):
            self._notify_running()
            return False
        QLocalServer.removeServer(self.name)  # a stale socket from a crash
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._on_connection)
        if not self.server.listen(self.name):
            log.warning("single-instance server could not listen: %s", self.server.errorString())
        return True

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()

    def _notify_running(self) -> None:
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if sock.waitForConnected(500):
            sock.write(QByteArray(b"raise\n"))
            sock.waitForBytesWritten(500)
            sock.disconnectFromServer()

    @Slot()
    def _on_connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.disconnected.connect(conn.deleteLater)
            conn.disconnectFromServer()  # the message itself carries nothing but "raise"
        self.sig_raise_requested.emit()
