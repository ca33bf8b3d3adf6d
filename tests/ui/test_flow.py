"""The kiosk window driven like a customer would: every screen and transition."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from kiosk.core.session import Step
from kiosk.ui.screens import CapturePage
from kiosk.ui.widgets import COLOR_PROBLEM
from tests.ui._fakes import verdict

TIMEOUT = 5000


def walk_to(k, step: Step, qtbot) -> None:
    w = k.window
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.CONSENT and w.current_page() is w.consent
    if step is Step.CONSENT:
        return
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.CARD and w.current_page() is w.card_page
    if step is Step.CARD:
        return
    qtbot.waitUntil(lambda: w.session.step is Step.FACE, timeout=TIMEOUT)
    assert w.current_page() is w.face_page
    if step is Step.FACE:
        return
    qtbot.waitUntil(lambda: w.session.step is not Step.FACE, timeout=TIMEOUT)


def test_pass_flow_shows_masked_data_then_wipes(make_kiosk, qtbot) -> None:
    k = make_kiosk(verdicts=[verdict("pass")])
    w = k.window
    shown: list[str] = []
    w.sig_page_shown.connect(shown.append)
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert w.current_page() is w.result_page
    assert w.result_page.name == "result_pass"
    text = w.result_page.identity.text()
    assert "*三" in text and "1101**********0015" in text
    assert not w.result_page.reason.isVisible()
    assert w.result_page.title.text() == "Verified"
    call = k.verifier.calls[0]
    assert call["card"] == b"\xff\xd8card" and call["face"] == b"\xff\xd8face"
    qtbot.mouseClick(w.result_page.done_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.WELCOME and w.current_page() is w.welcome
    assert not w.session.has_customer_data()
    assert w.result_page.identity.text() == ""
    assert not w.card_page.preview.has_frame() and not w.face_page.preview.has_frame()
    assert shown[:5] == ["consent", "card_capture", "face_capture", "verifying", "result_pass"]
    assert shown[-1] == "welcome"


@pytest.mark.parametrize(
    ("outcome", "title", "next_words"),
    [
        ("fail", "Not verified", "staff"),
        ("staff", "Please see a member of staff", "staff"),
        ("registration_office", "Not verified", "registration office"),
        ("unavailable", "Service unavailable", "try again"),
    ],
)
def test_not_passed_results_say_why_and_what_next(make_kiosk, qtbot, outcome, title, next_words) -> None:
    k = make_kiosk(verdicts=[verdict(outcome)])
    w = k.window
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert w.result_page.title.text() == title
    assert next_words in w.result_page.next_step.text()
    assert w.result_page.reason.text()
    assert not w.result_page.identity.isVisible() and w.result_page.identity.text() == ""
    assert w.result_page.badge.kind == ("fail" if outcome == "fail" else "info")


def test_retake_face_returns_with_hint_and_reuses_card_result(make_kiosk, qtbot) -> None:
    card_result = object()
    gate = threading.Event()
    k = make_kiosk(verdicts=[verdict("retake_face", card_result=card_result), verdict("pass")])
    k.verifier.gate = gate
    w = k.window
    walk_to(k, Step.VERIFYING, qtbot)
    k.control.mode = "empty"  # the customer is not in front of the camera yet
    gate.set()
    qtbot.waitUntil(lambda: w.session.step is Step.FACE, timeout=TIMEOUT)
    page = w.face_page
    assert w.current_page() is page
    assert page.retake_note.text().startswith("No face was found in the picture.")
    assert page.attempt.text() == "Try 2 of 3"
    k.control.mode = "good"
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert k.verifier.calls[1]["card_result"] is card_result
    assert w.session.result.outcome.value == "pass"


def test_three_failed_card_attempts_end_with_staff(make_kiosk, qtbot) -> None:
    k = make_kiosk(verdicts=[verdict("retake_card")] * 3)
    w = k.window
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=3 * TIMEOUT)
    assert w.session.result.outcome.value == "staff"
    assert w.session.result.message_key == "err.too_many_attempts"
    assert len(k.verifier.calls) == 3


def test_verifying_screen_cannot_be_left(make_kiosk, qtbot) -> None:
    gate = threading.Event()
    k = make_kiosk(verdicts=[verdict("pass")], settings={"idle_timeout_s": 0.1, "capture_timeout_s": 30})
    k.verifier.gate = gate
    w = k.window
    walk_to(k, Step.VERIFYING, qtbot)
    assert w.session.step is Step.VERIFYING and w.current_page() is w.verifying
    qtbot.waitUntil(lambda: w.verifying.state()["card"] == "active", timeout=TIMEOUT)
    assert w.staff_button.isVisible()  # the customer can always ask for help (a hung service)
    assert not w.idle_timer.isActive()
    w.session.timeout()  # an idle timeout cannot end it
    w.open_staff()  # nor the staff gesture
    assert w.current_page() is w.verifying
    gate.set()
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)


def test_call_staff_while_verifying_ends_on_staff_and_ignores_the_late_verdict(make_kiosk, qtbot) -> None:
    gate = threading.Event()
    k = make_kiosk(verdicts=[verdict("pass")])
    k.verifier.gate = gate
    w = k.window
    walk_to(k, Step.VERIFYING, qtbot)
    qtbot.waitUntil(lambda: w.verifying.state()["card"] == "active", timeout=TIMEOUT)
    w.staff_button.click()
    assert w.session.step is Step.RESULT and w.session.result.outcome.value == "staff"
    gate.set()
    qtbot.wait(300)
    assert w.session.result.outcome.value == "staff"  # the late pass was ignored


def test_verifier_exception_shows_unavailable(make_kiosk, qtbot) -> None:
    k = make_kiosk()
    k.verifier.raise_exc = ConnectionError("down")
    w = k.window
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert w.session.result.outcome.value == "unavailable"


def test_hint_and_overlay_follow_the_checks(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="bad")
    w = k.window
    walk_to(k, Step.CARD, qtbot)
    page: CapturePage = w.card_page
    qtbot.waitUntil(lambda: page.hint_code == "blurry", timeout=TIMEOUT)
    assert page.hint.text() == "Hold still, the picture is blurry"
    assert page.preview.has_frame()
    assert page.preview.guide_color() == COLOR_PROBLEM
    k.control.mode = "good"
    qtbot.waitUntil(lambda: w.session.step is Step.FACE, timeout=TIMEOUT)


def test_manual_capture_button_appears_after_a_while(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="bad", settings={"manual_capture_after_s": 0.2})
    w = k.window
    walk_to(k, Step.CARD, qtbot)
    assert not w.card_page.manual_button.isVisible()
    qtbot.waitUntil(w.card_page.manual_button.isVisible, timeout=TIMEOUT)
    qtbot.mouseClick(w.card_page.manual_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.session.step is Step.FACE, timeout=TIMEOUT)


def test_decline_and_call_staff(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    walk_to(k, Step.CONSENT, qtbot)
    qtbot.mouseClick(w.consent.decline_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.WELCOME
    walk_to(k, Step.CARD, qtbot)
    assert w.staff_button.isVisible()
    qtbot.mouseClick(w.staff_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.RESULT and w.session.result.message_key == "msg.staff_called"
    assert w.result_page.title.text() == "Please see a member of staff"


def test_idle_warning_then_reset(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"idle_timeout_s": 0.2, "idle_warning_s": 1})
    w = k.window
    walk_to(k, Step.CONSENT, qtbot)
    qtbot.waitUntil(w.idle_overlay.isVisible, timeout=TIMEOUT)
    assert "still there" in w.idle_overlay.title.text()
    qtbot.waitUntil(lambda: w.session.step is Step.WELCOME, timeout=TIMEOUT)
    assert not w.idle_overlay.isVisible()


def test_idle_warning_still_here_keeps_the_session(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"idle_timeout_s": 0.2, "idle_warning_s": 2})
    w = k.window
    walk_to(k, Step.CONSENT, qtbot)
    qtbot.waitUntil(w.idle_overlay.isVisible, timeout=TIMEOUT)
    qtbot.mouseClick(w.idle_overlay.button, Qt.MouseButton.LeftButton)
    assert not w.idle_overlay.isVisible()
    assert w.session.step is Step.CONSENT
    assert w.idle_timer.isActive()


def test_result_times_out_to_welcome(make_kiosk, qtbot) -> None:
    k = make_kiosk(verdicts=[verdict("fail")], settings={"result_timeout_s": 1})
    w = k.window
    walk_to(k, Step.RESULT, qtbot)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=TIMEOUT)
    assert "1 s" in w.result_page.countdown.text()
    qtbot.waitUntil(lambda: w.session.step is Step.WELCOME, timeout=TIMEOUT)
    assert not w.session.has_customer_data()


def test_camera_loss_shows_out_of_service_and_recovers(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    walk_to(k, Step.CARD, qtbot)
    k.control.unplugged = True
    qtbot.waitUntil(lambda: w.current_page() is w.out_of_service, timeout=TIMEOUT)
    assert w.session.step is Step.OUT_OF_SERVICE and not w.session.has_customer_data()
    k.control.unplugged = False
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=TIMEOUT)


def test_camera_is_opened_and_closed_in_its_thread(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    qtbot.waitUntil(lambda: k.camera.worker.frames > 0, timeout=TIMEOUT)
    src = k.sources[0]
    assert src.opened_in != threading.main_thread().name
    k.window.shutdown()
    assert not k.camera.thread.isRunning()
    assert src.closed_in == src.opened_in


def test_close_is_refused_in_kiosk_mode(make_kiosk, qtbot) -> None:
    k = make_kiosk(settings={"fullscreen": True}, mode="empty")
    w = k.window
    w.close()
    assert w.isVisible()
    assert k.camera.thread.isRunning()
