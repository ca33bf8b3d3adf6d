"""Start-up guard against a reference-counting bug of PySide6 6.12 on Python 3.11.

PySide6 6.12.0 (abi3 wheels) returns ``None`` from every ``void`` method (``widget.update()``,
``label.setText()``, ``timer.start()``...) and ``True`` from ``SignalInstance.emit()`` without
taking a reference, as if they were immortal objects (they are on Python >= 3.12, PEP 683). On
Python 3.11 each call steals one reference, and after minutes of live preview the interpreter
aborts with ``Fatal Python error: none_dealloc``.

pyproject.toml excludes 6.12 (``PySide6-Essentials<6.12``). :func:`check_binding` measures the leak
on the running binding at start-up and refuses to run on a leaking one, with a message that says
what to install, instead of crashing in front of a customer some minutes later. GUI thread only.
"""

from __future__ import annotations

import ctypes
import sys

import PySide6
from PySide6.QtCore import QObject, QTimer, Signal

__all__ = ["BrokenBindingError", "check_binding", "leaks_singletons"]

_PROBES = 256
_checked = False


class BrokenBindingError(RuntimeError):
    """The installed Qt binding would crash the kiosk (see the module docstring)."""


class _Probe(QObject):
    sig = Signal()


def leaks_singletons() -> bool:
    """True when void calls or ``emit()`` of the running binding steal None/True references.

    The probe's own losses (at most ``_PROBES`` each) are given back, so measuring is harmless.
    """
    if sys.version_info >= (3, 12):
        return False  # None/True/False are immortal there
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        timer.stop()  # a void method
    lost_none = before - sys.getrefcount(None)
    probe = _Probe()
    before = sys.getrefcount(True)
    results = [probe.sig.emit() for _ in range(_PROBES)]  # hold the results: a proper new ref each
    lost_true = before + sum(r is True for r in results) - sys.getrefcount(True)
    del results
    _give_back(None, max(0, lost_none))
    _give_back(True, max(0, lost_true))
    return lost_none >= _PROBES // 2 or lost_true >= _PROBES // 2


def _give_back(obj: object, count: int) -> None:
    """Restore references the probe itself lost (only ever the probe's own, bounded count)."""
    if count:
        cell = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field of a PyObject
        cell.value += count


def check_binding() -> None:
    """Raise :class:`BrokenBindingError` on a leaking binding (measured once per process)."""
    global _checked  # noqa: PLW0603 - process-wide, once
    if _checked:
        return
    if leaks_singletons():
        raise BrokenBindingError(
            f"PySide6 {PySide6.__version__} leaks None/True references on Python "
            f"{sys.version_info.major}.{sys.version_info.minor} and would crash the kiosk; "
            "install PySide6-Essentials<6.12 (see pyproject.toml)"
        )
    _checked = True
