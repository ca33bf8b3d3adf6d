"""The session state machine, without Qt."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from kiosk.core.session import (
    KEY_STAFF_CALLED,
    KEY_TOO_MANY_ATTEMPTS,
    Event,
    Outcome,
    Session,
    SessionPolicy,
    Step,
    Transition,
)


@dataclass
class FakeCapture:
    """Same fields as kiosk.core.vision.Capture that the session uses."""

    stage: str
    image: np.ndarray = field(default_factory=lambda: np.full((8, 8, 3), 200, np.uint8))
    jpeg: bytes = b"\xff\xd8jpeg"


@dataclass
class FakeVerdict:
    """Same fields as kiosk.core.verification.Verdict that the session uses."""

    outcome: str
    message_key: str = ""
    masked_name: str = ""
    masked_id: str = ""
    reason_code: str = ""
    card_result: Any = None


def to_verifying(s: Session) -> tuple[FakeCapture, FakeCapture]:
    card, face = FakeCapture("card"), FakeCapture("face")
    assert s.start() and s.accept()
    assert s.card_captured(card)
    assert s.step is Step.FACE
    assert s.face_captured(face)
    assert s.step is Step.VERIFYING
    return card, face


def test_happy_path_and_wipe() -> None:
    s = Session()
    seen: list[Transition] = []
    s.subscribe(lambda _s, t: seen.append(t))
    card, face = to_verifying(s)
    inputs = s.begin_verification()
    assert inputs.card_jpeg == card.jpeg and inputs.face_jpeg == face.jpeg and inputs.card_result is None
    assert s.verdict(FakeVerdict("pass", "ok.pass", "*三", "1101**********0015"), inputs.ticket)
    assert s.step is Step.RESULT
    assert s.result is not None and s.result.outcome is Outcome.PASS
    assert s.result.masked_name == "*三" and s.result.masked_id.startswith("1101")
    # images are zeroed as soon as the result is known
    assert not card.image.any() and not face.image.any()
    assert s.result_timeout() == s.policy.pass_timeout_s
    assert s.timeout()
    assert s.step is Step.WELCOME and not s.has_customer_data()
    assert [t.new for t in seen] == [Step.CONSENT, Step.CARD, Step.FACE, Step.VERIFYING, Step.RESULT, Step.WELCOME]


def test_decline_goes_home_without_data() -> None:
    s = Session()
    s.start()
    assert s.decline()
    assert s.step is Step.WELCOME and not s.has_customer_data()


def test_events_out_of_order_are_ignored() -> None:
    s = Session()
    assert not s.accept()
    assert not s.face_captured(FakeCapture("face"))
    stray = FakeCapture("card")
    assert not s.card_captured(stray)
    assert not stray.image.any(), "a stray capture is zeroed, not kept"
    assert not s.timeout()
    assert s.step is Step.WELCOME
    with pytest.raises(RuntimeError):
        s.begin_verification()


def test_retake_face_reuses_card_result() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    card_result = object()
    assert s.verdict(FakeVerdict("retake_face", "err.face_blurry", card_result=card_result), t.ticket)
    assert s.step is Step.FACE and s.hint_key == "err.face_blurry"
    assert s.face_captured(FakeCapture("face"))
    t2 = s.begin_verification()
    assert t2.card_result is card_result, "the card call is not billed again"
    assert s.hint_key is None


def test_retake_card_keeps_face_and_drops_card_result() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    assert s.verdict(FakeVerdict("retake_card", "err.card_blurry", card_result=object()), t.ticket)
    assert s.step is Step.CARD and s.hint_key == "err.card_blurry"
    new_card = FakeCapture("card", jpeg=b"new")
    assert s.card_captured(new_card)
    assert s.step is Step.VERIFYING, "the face captured before is reused"
    t2 = s.begin_verification()
    assert t2.card_jpeg == b"new" and t2.card_result is None


@pytest.mark.parametrize(("outcome", "stage"), [("retake_card", "card"), ("retake_face", "face")])
def test_three_attempts_then_staff(outcome: str, stage: str) -> None:
    s = Session(SessionPolicy(max_attempts=3))
    to_verifying(s)
    for attempt in range(1, 4):
        t = s.begin_verification()
        assert s.attempts(stage) == attempt
        s.verdict(FakeVerdict(outcome, f"err.{stage}_blurry"), t.ticket)
        if attempt < 3:
            assert s.step is (Step.CARD if stage == "card" else Step.FACE)
            (s.card_captured if stage == "card" else s.face_captured)(FakeCapture(stage))
    assert s.step is Step.RESULT
    assert s.result is not None and s.result.outcome is Outcome.STAFF
    assert s.result.message_key == KEY_TOO_MANY_ATTEMPTS


@pytest.mark.parametrize("outcome", ["fail", "staff", "registration_office", "unavailable"])
def test_final_outcomes_show_no_pii(outcome: str) -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    s.verdict(FakeVerdict(outcome, f"err.{outcome}", "*三", "1101**********0015"), t.ticket)
    assert s.step is Step.RESULT
    assert s.result is not None and s.result.outcome == outcome
    assert s.result.masked_name == "" and s.result.masked_id == ""
    assert s.result_timeout() == s.policy.result_timeout_s


def test_unknown_outcome_is_staff() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    s.verdict(FakeVerdict("weird"), t.ticket)
    assert s.result is not None and s.result.outcome is Outcome.STAFF


def test_stale_verdict_after_reset_is_ignored() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    assert s.reset()
    assert not s.has_customer_data()
    to_verifying(s)
    assert not s.verdict(FakeVerdict("pass"), t.ticket), "the old ticket is stale"
    assert s.step is Step.VERIFYING
    assert not s.verify_failed(ticket=t.ticket)


def test_verifying_cannot_time_out_but_verify_failed_ends_it() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    assert not s.timeout()
    assert s.step is Step.VERIFYING
    assert s.verify_failed(ticket=t.ticket)
    assert s.result is not None and s.result.outcome is Outcome.UNAVAILABLE


def test_call_staff_from_capture_drops_images() -> None:
    s = Session()
    s.start()
    s.accept()
    card = FakeCapture("card")
    s.card_captured(card)
    assert s.call_staff()
    assert not card.image.any()
    assert s.result is not None and s.result.message_key == KEY_STAFF_CALLED
    assert s.reset() and s.step is Step.WELCOME


def test_camera_loss_and_recovery() -> None:
    s = Session()
    s.start()
    s.accept()
    assert s.camera_lost()
    assert s.step is Step.OUT_OF_SERVICE and not s.has_customer_data()
    assert not s.start()
    assert s.camera_restored()
    assert s.step is Step.WELCOME


def test_camera_loss_while_verifying_finishes_first() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    assert not s.camera_lost()
    s.verdict(FakeVerdict("pass", "ok.pass", "*三", "1***"), t.ticket)
    assert s.step is Step.RESULT
    s.timeout()
    assert s.step is Step.OUT_OF_SERVICE
    s.camera_restored()
    assert s.step is Step.WELCOME


def test_idle_timeouts_per_step() -> None:
    p = SessionPolicy(idle_timeout_s=5, capture_timeout_s=7)
    s = Session(p)
    assert s.idle_timeout() is None
    s.start()
    assert s.idle_timeout() == 5
    s.accept()
    assert s.idle_timeout() == 7
    assert s.timeout() and s.step is Step.WELCOME


def test_listener_sees_events() -> None:
    s = Session()
    events: list[Event] = []
    s.subscribe(lambda _s, t: events.append(t.event))
    s.start()
    s.call_staff()
    s.reset()
    assert events == [Event.START, Event.CALL_STAFF, Event.RESET]


def test_no_qt_imported() -> None:
    code = "import sys, kiosk.core.session; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- face retake after a mismatch; try again after an unbilled failure (issue 15) -------------
def test_face_mismatch_gets_one_more_face_capture_with_the_card_result_kept() -> None:
    from kiosk.core.session import KEY_FACE_RETAKE

    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    assert t.card_result is None
    card_result = object()
    s.verdict(FakeVerdict("fail", "err.face_low_similarity", card_result=card_result), t.ticket)
    assert s.step is Step.FACE and s.hint_key == KEY_FACE_RETAKE
    assert s.face_captured(FakeCapture("face", jpeg=b"second"))
    t2 = s.begin_verification()
    assert t2.card_result is card_result and t2.face_jpeg == b"second"  # no second card call
    s.verdict(FakeVerdict("fail", "err.face_low_similarity", card_result=card_result), t2.ticket)
    assert s.step is Step.RESULT and s.result.outcome is Outcome.FAIL  # then the final result
    assert s.result.message_key == "err.face_low_similarity"


@pytest.mark.parametrize("retakes", [0, 2])
def test_face_retakes_are_configurable(retakes: int) -> None:
    s = Session(SessionPolicy(face_retakes=retakes))
    to_verifying(s)
    for _ in range(retakes):
        t = s.begin_verification()
        s.verdict(FakeVerdict("fail", "err.face_low_similarity", card_result=object()), t.ticket)
        assert s.step is Step.FACE
        s.face_captured(FakeCapture("face"))
    t = s.begin_verification()
    s.verdict(FakeVerdict("fail", "err.face_low_similarity", card_result=object()), t.ticket)
    assert s.step is Step.RESULT


def test_other_failures_get_no_face_retake() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    s.verdict(FakeVerdict("fail", "err.id_name_mismatch", card_result=object()), t.ticket)
    assert s.step is Step.RESULT


@dataclass
class BilledVerdict(FakeVerdict):
    billed_calls: int = 0
    maybe_billed_calls: int = 0


def test_unbilled_failure_offers_try_again_with_the_same_photos() -> None:
    s = Session()
    card, face = to_verifying(s)
    t = s.begin_verification()
    card_result = object()  # the card call succeeded (billed), the face call never reached the service
    s.verdict(BilledVerdict("unavailable", "err.service_unreachable", card_result=card_result, billed_calls=1),
              t.ticket)
    assert s.step is Step.RESULT and s.result.can_retry and s.can_retry()
    assert s.retry()
    assert s.step is Step.VERIFYING
    t2 = s.begin_verification()
    assert t2.card_jpeg == card.jpeg and t2.face_jpeg == face.jpeg
    assert t2.card_result is card_result  # the paid card call is not repeated


@pytest.mark.parametrize(("billed", "maybe"), [(0, 1), (1, 0)])
def test_a_failure_that_may_have_been_billed_offers_no_try_again(billed: int, maybe: int) -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    s.verdict(BilledVerdict("unavailable", "err.outcome_unknown", billed_calls=billed, maybe_billed_calls=maybe),
              t.ticket)
    assert s.step is Step.RESULT and not s.result.can_retry
    assert not s.retry() and s.step is Step.RESULT
    assert s._data.card is None and s._data.face is None  # the photos are dropped at once


def test_try_again_is_dropped_on_reset() -> None:
    s = Session()
    to_verifying(s)
    t = s.begin_verification()
    s.verdict(BilledVerdict("unavailable", "err.service_unreachable"), t.ticket)
    assert s.can_retry() and s.has_customer_data()
    s.reset()
    assert not s.has_customer_data() and not s.retry()


def test_staff_call_result_stays_longer_and_works_out_of_service() -> None:
    s = Session(SessionPolicy(staff_call_timeout_s=300))
    s.call_staff()
    assert s.result.message_key == KEY_STAFF_CALLED and s.result_timeout() == 300
    s.reset()
    s.camera_lost()
    assert s.step is Step.OUT_OF_SERVICE
    assert s.call_staff() and s.step is Step.RESULT
