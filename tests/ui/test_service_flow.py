"""Issue 15 behaviours in the real window: staff calls that reach staff, service health on the
welcome page, "try again" with the same photos, one face retake, the idle pause."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt

from kiosk.core.service_health import Health
from kiosk.core.session import Step
from kiosk.core.staff_call import StaffNotifier
from tests.core.test_staff_call import BranchSystem, dead_url
from tests.ui._fakes import verdict
from tests.ui.conftest import TEST_PIN
from tests.ui.test_flow import TIMEOUT, walk_to


# ---- call staff ------------------------------------------------------------------------------
def test_call_staff_reaches_the_branch_system_and_waits_for_staff(make_kiosk, qtbot) -> None:
    branch = BranchSystem()
    try:
        k = make_kiosk(settings={"kiosk_id": "kiosk-42"})
        w = k.window
        w.staff_calls.notifier = StaffNotifier(url=branch.url, timeout_s=2, attempts=2, retry_delay_s=0.1)
        reasons: list[str] = []
        w.staff_call_requested.connect(reasons.append)
        walk_to(k, Step.CONSENT, qtbot)
        qtbot.mouseClick(w.staff_button, Qt.MouseButton.LeftButton)
        assert reasons == ["customer_request"]  # the signal for a local sound, at once
        assert w.session.step is Step.RESULT and w.result_page.staff_called
        qtbot.waitUntil(lambda: len(branch.bodies) == 1, timeout=TIMEOUT)
        assert branch.bodies[0]["kiosk_id"] == "kiosk-42"
        qtbot.waitUntil(lambda: w.staff_calls.open_calls()[0].state == "delivered", timeout=TIMEOUT)
        assert w.result_page.title.text() == "Help is on the way"
        assert not w.result_page.done_button.isVisible() and w.result_page.staff_close_button.isVisible()
        assert w._result_left >= 299  # shown until staff close it (or the configured time)
        # staff close it with the PIN; the staff page lists the open call
        qtbot.mouseClick(w.result_page.staff_close_button, Qt.MouseButton.LeftButton)
        assert w.current_page() is w.pin_page
        w.pin_page.pad.enter(TEST_PIN + "OK")
        assert w.current_page() is w.staff_page
        assert "a customer asked for help" in w.staff_page.calls.item(0).text()
        assert "delivered" in w.staff_page.calls.item(0).text()
        w.staff_page.answered_button.click()
        assert w.staff_calls.open_calls() == [] and w.staff_page.calls.item(0).text() == "—"
        w.staff_page.back_button.click()
        assert w.session.step is Step.WELCOME
    finally:
        branch.close()


def test_call_staff_with_the_branch_system_down_sends_the_customer_to_the_counter(make_kiosk, qtbot) -> None:
    k = make_kiosk()
    w = k.window
    w.staff_calls.notifier = StaffNotifier(url=dead_url(), timeout_s=1, attempts=2, retry_delay_s=0.1)
    qtbot.mouseClick(w.staff_button, Qt.MouseButton.LeftButton)
    assert w.result_page.title.text() == "Help is on the way"  # while sending
    qtbot.waitUntil(lambda: w.staff_calls.open_calls()[0].state == "failed", timeout=TIMEOUT)
    assert "counter" in w.result_page.next_step.text()
    assert w.result_page.reason.text() == "Staff could not be called from this kiosk."
    assert w.result_page.done_button.isVisible() and not w.result_page.staff_close_button.isVisible()
    assert w._result_left <= 20  # nobody is coming: the screen is not held for staff


def test_call_staff_from_out_of_service(make_kiosk, qtbot) -> None:
    k = make_kiosk()
    w = k.window
    k.control.unplugged = True
    qtbot.waitUntil(lambda: w.session.step is Step.OUT_OF_SERVICE, timeout=15000)
    assert w.staff_button.isVisible() and w.lang_button.isVisible()
    w.staff_button.click()
    assert w.session.step is Step.RESULT and w.staff_calls.open_calls()[0].call.reason == "out_of_service"


def test_a_slow_service_says_so_and_offers_call_staff(make_kiosk, qtbot) -> None:
    gate = threading.Event()
    k = make_kiosk(verdicts=[verdict("pass")])
    k.verifier.gate = gate
    w = k.window
    w.verifying._slow_timer.setInterval(200)
    walk_to(k, Step.VERIFYING, qtbot)
    assert w.verifying.note.text() == "This usually takes a few seconds."
    qtbot.waitUntil(lambda: w.verifying.slow, timeout=TIMEOUT)
    assert "Call staff" in w.verifying.note.text() and w.staff_button.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)


# ---- service health --------------------------------------------------------------------------
class Probe:
    def __init__(self, health: Health) -> None:
        self.health = health
        self.calls = 0
        self.threads: list[str] = []

    def __call__(self) -> Health:
        self.calls += 1
        self.threads.append(threading.current_thread().name)
        return self.health


def test_service_down_disables_start_and_says_see_staff(make_kiosk, qtbot) -> None:
    k = make_kiosk()
    w = k.window
    probe = Probe(Health(False, "credentials", "AuthFailure.SignatureFailure"))
    w.attach_service(k.verifier, health_check=probe)
    qtbot.waitUntil(lambda: w.health is not None, timeout=TIMEOUT)
    assert probe.threads[0] != threading.main_thread().name  # off the GUI thread
    assert not w.welcome.start_button.isEnabled()
    assert w.welcome.status.isVisible() and "temporarily unavailable" in w.welcome.status.text()
    assert "credential" not in w.welcome.status.text().lower()  # nothing technical for customers
    qtbot.mouseClick(w.welcome, Qt.MouseButton.LeftButton)  # touching the page does not start
    w._on_start()
    assert w.session.step is Step.WELCOME
    w.open_staff()
    w.pin_page.pad.enter(TEST_PIN + "OK")
    assert "credentials" in w.staff_page.health.text()  # the staff page says what is wrong
    w.staff_page.back_button.click()
    # the service comes back: the next check enables Start
    probe.health = Health(True, "", "reachable (MissingParameter)")
    w.check_health_now()
    qtbot.waitUntil(w.welcome.start_button.isEnabled, timeout=TIMEOUT)
    assert not w.welcome.status.isVisible()
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.CONSENT


def test_health_is_checked_periodically(make_kiosk, qtbot) -> None:
    k = make_kiosk(settings={"health_check_interval_s": 0.2})
    w = k.window
    probe = Probe(Health(True))
    w.attach_service(k.verifier, health_check=probe)
    qtbot.waitUntil(lambda: probe.calls >= 3, timeout=TIMEOUT)


# ---- try again, face retake ------------------------------------------------------------------
def test_try_again_with_the_same_photos_after_an_unbilled_failure(make_kiosk, qtbot) -> None:
    from kiosk.core.verification import CardResult

    card = CardResult(name="张三", id_number="11010519491231002X", sim=90.0, request_id="r1")
    k = make_kiosk(verdicts=[verdict("unavailable", "err.service_unreachable", card_result=card, billed_calls=1),
                             verdict("pass")])
    w = k.window
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert w.result_page.retry_button.isVisible()
    qtbot.mouseClick(w.result_page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.session.result is not None and w.session.result.outcome.value == "pass",
                    timeout=TIMEOUT)
    first, second = k.verifier.calls
    assert second["card"] == first["card"] and second["face"] == first["face"]  # the same photos
    assert second["card_result"] is card  # the paid card call is not made again


def test_no_try_again_when_the_failed_call_may_have_been_billed(make_kiosk, qtbot) -> None:
    k = make_kiosk(verdicts=[verdict("unavailable", "err.outcome_unknown", maybe_billed_calls=1)])
    w = k.window
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert not w.result_page.retry_button.isVisible()


def test_one_face_retake_after_a_mismatch_without_a_second_card_call(make_kiosk, qtbot) -> None:
    card = object()
    k = make_kiosk(verdicts=[verdict("fail", "err.face_low_similarity", card_result=card),
                             verdict("fail", "err.face_low_similarity", card_result=card)])
    w = k.window
    shown: list[str] = []
    notes: list[str] = []

    def on_page(name: str) -> None:
        shown.append(name)
        if name == "face_capture":
            notes.append(w.face_page.retake_note.text() if w.face_page.retake_note.isVisibleTo(w) else "")

    w.sig_page_shown.connect(on_page)
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=2 * TIMEOUT)
    assert shown.count("face_capture") == 2
    # the second face page says so, neutrally (no "does not match" before the final result)
    assert notes[0] == "" and notes[1] == "Let's take your photo once more."
    assert "match" not in notes[1]
    first, second = k.verifier.calls
    assert first["card_result"] is None and second["card_result"] is card  # card called once
    assert w.session.result.outcome.value == "fail"


# ---- idle pause ------------------------------------------------------------------------------
def test_capture_is_paused_behind_the_idle_warning(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="bad", settings={"capture_timeout_s": 0.3, "idle_warning_s": 20})
    w = k.window
    walk_to(k, Step.CARD, qtbot)
    qtbot.waitUntil(w.idle_overlay.isVisible, timeout=TIMEOUT)
    assert w.capture_paused and w._warning_left == 20
    k.control.mode = "good"  # a card in front of the camera now must not be captured
    stages: list[Any] = []
    qtbot.wait(600)
    stages.append(w.session.step)
    assert w.session.step is Step.CARD
    qtbot.mouseClick(w.idle_overlay.button, Qt.MouseButton.LeftButton)
    assert not w.capture_paused and not w.idle_overlay.isVisible()
    qtbot.waitUntil(lambda: w.session.step is Step.FACE, timeout=TIMEOUT)  # capture resumed
