"""Entry point of the frozen kiosk (PyInstaller one-folder bundle): ``kiosk.cli:main``.

Two additions that only make sense in the installed bundle, kept here so kiosk/ stays untouched:

* Child processes (the credential command, e.g. an STS helper) must not inherit the bundle's
  library path: PyInstaller's bootloader may change ``LD_LIBRARY_PATH`` (saving the caller's
  value as ``LD_LIBRARY_PATH_ORIG``) and ``import cv2`` prepends ``<bundle>/lib64:``. The
  dynamic loader of *this* process read the variable at exec time already, so restoring it in
  ``os.environ`` before each child starts only affects children.
* A liveness heartbeat for the watchdogs (installers/linux/kiosk.service, the Windows task):
  when ``NOTIFY_SOCKET`` (systemd, ``Type=notify`` + ``WatchdogSec=``) or
  ``KIOSK_HEARTBEAT_FILE`` is set and the command opens the kiosk window (``run``, ``demo``,
  plain ``kiosk``), a QTimer on the GUI thread sends ``READY=1`` / ``WATCHDOG=1`` and touches
  the file while ``QApplication.exec`` runs. A hung GUI thread stops the beats, and the
  watchdog restarts the kiosk. If ``kiosk.ui.launch`` grows its own heartbeat
  (``kiosk.ui.launch.HEARTBEAT = True``), this one stands aside.
"""

from __future__ import annotations

import os
import socket
import sys

GUI_COMMANDS = {"run", "demo"}


_CHILD_SPAWN_EVENTS = {"subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn", "os.system"}


def _restore_child_environment() -> None:
    """Children get the library path the kiosk was started with, not the bundle's.

    The bootloader may have saved the caller's value as ``*_ORIG``; later, ``import cv2`` prepends
    ``<bundle>/lib64`` (and leaves an empty entry, i.e. the current folder, when there was no
    value). An audit hook puts the caller's value back just before any child process starts.
    """
    caller: dict[str, str | None] = {}
    for var in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"):
        orig = os.environ.pop(f"{var}_ORIG", None)
        value = orig if orig is not None else os.environ.get(var)
        bundle = getattr(sys, "_MEIPASS", None)
        if orig is None and value and bundle:
            # no saved value: the caller had none, and the bootloader put the bundle folder here
            kept = [p for p in value.split(os.pathsep) if p and os.path.normpath(p) != os.path.normpath(bundle)]
            value = os.pathsep.join(kept) or None
        caller[var] = value
        if caller[var] is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = caller[var]

    def restore(event: str, _args: tuple) -> None:
        if event in _CHILD_SPAWN_EVENTS:
            # a credential helper that is itself a PyInstaller program must start as a fresh
            # top-level program, not as a child of this bundle (PyInstaller >= 6.9)
            os.environ["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
            for var, value in caller.items():
                if value is None:
                    os.environ.pop(var, None)
                elif os.environ.get(var) != value:
                    os.environ[var] = value

    sys.addaudithook(restore)


def _command(argv: list[str]) -> str | None:
    """The subcommand name, skipping global options (``--config X``)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--config":
            skip = True
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def _sd_notify(message: str) -> None:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode("ascii"), address)
    except OSError:
        pass


def _install_heartbeat(argv: list[str]) -> None:
    """Beat from the Qt GUI thread while the kiosk's event loop runs.

    Wraps ``QApplication.exec`` (whatever creates the application, the loop is what must stay
    alive), so it does not depend on how kiosk.ui builds its window. The first beat, a
    zero-time timer, fires once the loop runs: the welcome screen is shown by then.
    """
    beat_file = os.environ.get("KIOSK_HEARTBEAT_FILE")
    if not (os.environ.get("NOTIFY_SOCKET") or beat_file):
        return
    command = _command(argv)
    if command is not None and command not in GUI_COMMANDS:
        return
    try:
        from kiosk.ui import launch

        if getattr(launch, "HEARTBEAT", False):  # the app beats by itself
            return
    except ImportError:
        pass
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    try:
        interval_ms = int(os.environ.get("WATCHDOG_USEC", "0")) // 1000 // 3
    except ValueError:
        interval_ms = 0
    if interval_ms < 1000:
        interval_ms = 5000
    original_exec = QApplication.exec
    state = {"ready": False}

    def beat() -> None:
        if not state["ready"]:
            state["ready"] = True
            _sd_notify("READY=1\nSTATUS=welcome screen shown")
        _sd_notify("WATCHDOG=1")
        if beat_file:
            try:
                with open(beat_file, "a", encoding="ascii"):
                    pass
                os.utime(beat_file)
            except OSError:
                pass

    def exec_with_heartbeat(*_args):
        app = QCoreApplication.instance()
        timer = QTimer(app)
        timer.setInterval(interval_ms)
        timer.timeout.connect(beat)
        timer.start()
        QTimer.singleShot(0, beat)
        try:
            return original_exec()
        finally:
            timer.stop()
            _sd_notify("STOPPING=1")

    QApplication.exec = exec_with_heartbeat


def main() -> int:
    _restore_child_environment()
    try:
        _install_heartbeat(sys.argv[1:])
    except Exception as exc:  # never stop the kiosk because of the heartbeat
        print(f"kiosk: heartbeat not installed: {type(exc).__name__}: {exc}", file=sys.stderr)
    from kiosk.cli import main as kiosk_main

    return kiosk_main()


if __name__ == "__main__":
    sys.exit(main())
