"""The installed Qt binding does not leak None/True references (the PySide6 6.12 / Python 3.11 bug)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from kiosk.ui import qt_compat


class _Emitter(QObject):
    sig = Signal(str)


def test_installed_binding_is_not_the_leaking_one(qapp) -> None:
    assert not qt_compat.leaks_singletons()
    qt_compat.check_binding()  # does not raise


def test_many_void_calls_and_emits_keep_reference_counts(qapp) -> None:
    label, timer, emitter = QLabel(), QTimer(), _Emitter()
    received: list[str] = []
    emitter.sig.connect(received.append)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(30_000):
        label.setText("x")
        timer.stop()
        if i % 3 == 0:
            emitter.sig.emit("x")
    assert len(received) == 10_000
    # A leaking binding would lose ~30,000 references to None and ~10,000 to True here.
    assert sys.getrefcount(None) > none_before - 1000
    assert sys.getrefcount(True) > true_before - 1000
