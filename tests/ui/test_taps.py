"""Double taps: taps are ignored for a moment after a page changes, and a button acts once."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from kiosk.core.session import Step
from tests.ui._fakes import Capture, verdict
from tests.ui.layout_check import settle

GUARD = {"tap_guard_s": 0.5}


def tap_at(window: QWidget, pos: QPoint, qtbot) -> None:
    """Press and release at ``pos`` (window coordinates) on whatever widget is there now."""
    target = window.childAt(pos) or window
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(window, pos))


def centre(window: QWidget, widget: QWidget) -> QPoint:
    return widget.mapTo(window, widget.rect().center())


def kiosk_1366(make_kiosk):
    k = make_kiosk(start=False, settings=GUARD)
    k.window.resize(1366, 768)
    settle()
    return k


def test_double_tap_on_start_does_not_accept_consent(make_kiosk, qtbot) -> None:
    k = kiosk_1366(make_kiosk)
    w = k.window
    pos = centre(w, w.welcome.start_button)
    tap_at(w, pos, qtbot)
    assert w.session.step is Step.CONSENT
    # the second tap of the double tap lands on the consent page 0.1 s later
    qtbot.wait(100)
    tap_at(w, centre(w, w.consent.accept_button), qtbot)
    tap_at(w, pos, qtbot)
    assert w.session.step is Step.CONSENT
    qtbot.wait(600)  # a deliberate tap after the guard works
    tap_at(w, centre(w, w.consent.accept_button), qtbot)
    assert w.session.step is Step.CARD


def test_double_tap_on_no_thanks_does_not_restart(make_kiosk, qtbot) -> None:
    k = kiosk_1366(make_kiosk)
    w = k.window
    w.welcome.start_button.click()
    qtbot.wait(600)
    pos = centre(w, w.consent.decline_button)
    tap_at(w, pos, qtbot)
    assert w.session.step is Step.WELCOME
    tap_at(w, pos, qtbot)  # lands on the welcome page, where any tap starts
    assert w.session.step is Step.WELCOME


def test_double_tap_on_done_does_not_start_a_new_session(make_kiosk, qtbot) -> None:
    k = make_kiosk(start=False, settings=GUARD, verdicts=[verdict("fail", "err.id_name_mismatch")])
    w = k.window
    w.resize(1366, 768)
    settle()
    w.session.start()
    w.session.accept()
    w.session.card_captured(Capture("card", np.zeros((4, 4, 3), np.uint8), b"card"))
    w.session.face_captured(Capture("face", np.zeros((4, 4, 3), np.uint8), b"face"))
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=5000)
    qtbot.wait(600)
    pos = centre(w, w.result_page.done_button)
    tap_at(w, pos, qtbot)
    assert w.session.step is Step.WELCOME
    tap_at(w, pos, qtbot)
    assert w.session.step is Step.WELCOME
    assert w.session.sessions_started == 1


def test_double_tap_on_language_switches_once(make_kiosk, qtbot) -> None:
    k = kiosk_1366(make_kiosk)
    w = k.window
    qtbot.wait(600)
    before = k.languages.language
    pos = centre(w, w.lang_button)
    tap_at(w, pos, qtbot)
    tap_at(w, pos, qtbot)
    assert k.languages.language != before
    qtbot.wait(600)
    tap_at(w, pos, qtbot)
    assert k.languages.language == before


def test_the_guard_lasts_about_half_a_second(make_kiosk, qtbot) -> None:
    k = kiosk_1366(make_kiosk)
    w = k.window
    w.welcome.start_button.click()
    t0 = time.monotonic()
    pos = centre(w, w.consent.accept_button)
    while time.monotonic() - t0 < 0.4:
        tap_at(w, pos, qtbot)
        assert w.session.step is Step.CONSENT
        qtbot.wait(50)
    qtbot.waitUntil(lambda: (tap_at(w, pos, qtbot), w.session.step is Step.CARD)[1], timeout=1000)
    assert time.monotonic() - t0 < 1.2
