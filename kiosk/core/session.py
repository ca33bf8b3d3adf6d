"""The verification flow as a pure state machine (no Qt).

::

    WELCOME --start--> CONSENT --accept--> CARD --card_captured--> FACE --face_captured--> VERIFYING
       ^                  |decline                                                             |
       |                  v                                                       verdict(Verdict)
       +------------- (wipe) <--timeout/reset-- RESULT <----------------------------------------+
                                                  (retake_card -> CARD, retake_face -> FACE,
                                                   at most ``max_attempts`` captures per step;
                                                   a face mismatch -> FACE ``face_retakes`` times)

Policy (design.md):

* a recapturable verdict (``retake_card`` / ``retake_face``) goes back to that capture step with
  the verdict's ``message_key`` as the hint; after ``max_attempts`` captures of a step the
  session ends on a ``staff`` result (``err.too_many_attempts``);
* a face that does not match the record (``FACE_MISMATCH_KEYS``) gets ``face_retakes`` more face
  captures (default 1) before the final result, reusing the card result (no second card call);
* the card result of a verdict is kept when only the face is retaken, so the card call is not
  billed twice; when the card is retaken the face already captured is reused (the customer is
  not asked for it again);
* an ``unavailable`` verdict whose failed call cannot have been billed (no maybe-billed call, no
  billed call other than a card call whose result is kept) ends on a result that offers "try
  again" (:meth:`Session.retry`, at most ``MAX_RETRIES``): the photos stay until the next wipe;
* ``reset`` (and every way back to WELCOME) drops every customer datum: capture images (numpy
  buffers the session owns are zero-filled), JPEG bytes, verdict, masked name / ID, hints;
* ``timeout`` is ignored while VERIFYING (that screen cannot be left by accident); the verifier
  has its own network timeouts and reports failures through :meth:`Session.verify_failed`;
* camera loss ends any capture in progress (wipe) and shows the out-of-service screen; a session
  already verifying finishes first and the out-of-service screen follows its result.

Threading contract: a :class:`Session` is not thread-safe. The kiosk calls it only from the GUI
thread; workers hand their results to the GUI thread (Qt signals) and the GUI thread calls the
session. Listeners run synchronously inside the call that changed the state.

Stale results: :meth:`Session.begin_verification` returns a ticket; :meth:`Session.verdict`
ignores a verdict whose ticket is not the current one (for instance a verdict that arrives after
the customer walked away and the session was reset).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.core.verification import Outcome  # one definition of the verdict outcomes

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kiosk.core.verification import Verdict

__all__ = [
    "CaptureLike",
    "Event",
    "Outcome",
    "ResultView",
    "Session",
    "SessionPolicy",
    "Step",
    "Transition",
    "VerifyInputs",
]

log = logging.getLogger(__name__)


class Step(StrEnum):
    """Where the customer is. The value is the screen name used in logs and screenshots."""

    WELCOME = "welcome"
    CONSENT = "consent"
    CARD = "card_capture"
    FACE = "face_capture"
    VERIFYING = "verifying"
    RESULT = "result"
    OUT_OF_SERVICE = "out_of_service"


class Event(StrEnum):
    """What can happen to a session."""

    START = "start"
    ACCEPT = "accept"
    DECLINE = "decline"
    CARD_CAPTURED = "card_captured"
    FACE_CAPTURED = "face_captured"
    VERDICT = "verdict"
    VERIFY_FAILED = "verify_failed"
    TIMEOUT = "timeout"
    RESET = "reset"
    CALL_STAFF = "call_staff"
    CAMERA_LOST = "camera_lost"
    CAMERA_RESTORED = "camera_restored"
    RETRY = "retry"


#: Message keys the session itself produces (the UI translates them like verdict keys).
KEY_TOO_MANY_ATTEMPTS = "err.too_many_attempts"
KEY_STAFF_CALLED = "msg.staff_called"
KEY_SERVICE_UNAVAILABLE = "err.service_unavailable"
KEY_UNKNOWN_OUTCOME = "err.unknown"
KEY_FACE_RETAKE = "msg.face_retake"
#: "try again" with the same photos at most this many times per session
MAX_RETRIES = 2
#: verdict message keys of a face that did not match the record (a retake may help: old card photos)
FACE_MISMATCH_KEYS = frozenset({"err.face_low_similarity", "err.low_similarity"})


class CaptureLike(Protocol):
    """What the session needs from ``kiosk.core.vision.Capture``."""

    stage: str
    image: Any  # np.ndarray
    jpeg: bytes


@dataclass(frozen=True)
class SessionPolicy:
    """Flow policy; every duration is in seconds.

    ``idle_timeout_s`` is how long a customer step may sit without input before the "still
    there?" warning, which lasts ``idle_warning_s`` before the reset. Capture steps get
    ``capture_timeout_s`` (the customer is busy holding a card, not touching the screen).
    """

    max_attempts: int = 3
    idle_timeout_s: float = 45.0
    capture_timeout_s: float = 90.0
    idle_warning_s: float = 20.0
    result_timeout_s: float = 20.0
    pass_timeout_s: float = 10.0
    # "staff are on their way" stays this long unless staff close it with the PIN
    staff_call_timeout_s: float = 300.0
    # extra face captures after a face mismatch (the card result is reused: no second card call)
    face_retakes: int = 1

    def idle_timeout_for(self, step: Step) -> float | None:
        """Seconds of inactivity before the idle warning on ``step``; None means never."""
        if step in (Step.CONSENT,):
            return self.idle_timeout_s
        if step in (Step.CARD, Step.FACE):
            return self.capture_timeout_s
        return None


@dataclass(frozen=True)
class ResultView:
    """What a result screen may show: nothing else about the customer leaves the session."""

    outcome: Outcome
    message_key: str
    masked_name: str = ""
    masked_id: str = ""
    can_retry: bool = False  # "try again" with the same photos is offered (nothing was billed)


@dataclass(frozen=True)
class VerifyInputs:
    """Arguments for ``Verifier.verify`` (``card_result`` is reused on a face-only retake)."""

    card_jpeg: bytes
    face_jpeg: bytes
    card_result: Any = None
    ticket: int = 0
    session_id: str = ""  # audit trail correlation only


@dataclass(frozen=True)
class Transition:
    """One state change, given to listeners."""

    event: Event
    old: Step
    new: Step


Listener = Callable[["Session", Transition], None]


@dataclass
class _CustomerData:
    """Everything about the current customer. Replaced wholesale on wipe."""

    card: Any = None  # CaptureLike
    face: Any = None  # CaptureLike
    card_result: Any = None
    verdict: Any = None
    result: ResultView | None = None
    hint_key: str | None = None
    attempts: dict[str, int] = field(default_factory=lambda: {"card": 0, "face": 0})
    mismatch_retakes: int = 0
    retries: int = 0


def _zero_capture(capture: Any) -> None:
    """Zero-fill the numpy image of a capture the session owns (bytes cannot be zeroed)."""
    image = getattr(capture, "image", None)
    try:
        if image is not None and getattr(image, "flags", None) is not None and image.flags.writeable:
            image.fill(0)
    except (AttributeError, ValueError, TypeError):  # pragma: no cover - defensive
        pass


class Session:
    """The verification flow of one kiosk; see the module docstring for policy and threading."""

    def __init__(self, policy: SessionPolicy | None = None) -> None:
        self.policy = policy or SessionPolicy()
        self._step = Step.WELCOME
        self._data = _CustomerData()
        self._listeners: list[Listener] = []
        self._ticket = 0
        self._camera_ok = True
        self.sessions_started = 0

    # ---- Public API: state ---------------------------------------------------------------
    @property
    def step(self) -> Step:
        """The current step."""
        return self._step

    @property
    def hint_key(self) -> str | None:
        """Message key of the reason the customer is asked to retake (None on a first try)."""
        return self._data.hint_key

    @property
    def result(self) -> ResultView | None:
        """The result to show on the RESULT step (None elsewhere)."""
        return self._data.result

    @property
    def last_verdict(self) -> Verdict | None:
        """The last verdict (kept only until the next wipe)."""
        return self._data.verdict

    @property
    def camera_ok(self) -> bool:
        return self._camera_ok

    def attempts(self, stage: str) -> int:
        """Captures taken so far at ``stage`` ("card" or "face") in this session."""
        return self._data.attempts[stage]

    def has_customer_data(self) -> bool:
        """True while anything about a customer is held (used by tests and the wipe check)."""
        d = self._data
        return any(x is not None for x in (d.card, d.face, d.card_result, d.verdict, d.result, d.hint_key))

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(session, transition)`` after every state change."""
        self._listeners.append(listener)

    def idle_timeout(self) -> float | None:
        """Seconds of inactivity allowed on the current step before the idle warning."""
        return self.policy.idle_timeout_for(self._step)

    def result_timeout(self) -> float | None:
        """Seconds a result stays on screen (None when not on a result)."""
        if self._step is not Step.RESULT or self._data.result is None:
            return None
        if self._data.result.outcome is Outcome.PASS:
            return self.policy.pass_timeout_s
        if self._data.result.message_key == KEY_STAFF_CALLED:
            return self.policy.staff_call_timeout_s
        return self.policy.result_timeout_s

    # ---- Public API: events --------------------------------------------------------------
    def start(self) -> bool:
        """The customer touched the welcome screen."""
        if self._step is not Step.WELCOME:
            return self._ignored(Event.START)
        self._wipe()
        self.sessions_started += 1
        return self._go(Event.START, Step.CONSENT)

    def accept(self) -> bool:
        """The customer accepted the privacy notice."""
        if self._step is not Step.CONSENT:
            return self._ignored(Event.ACCEPT)
        return self._go(Event.ACCEPT, Step.CARD)

    def decline(self) -> bool:
        """The customer declined the privacy notice: nothing was captured; back to WELCOME."""
        if self._step is not Step.CONSENT:
            return self._ignored(Event.DECLINE)
        return self._back_to_start(Event.DECLINE)

    def card_captured(self, capture: CaptureLike) -> bool:
        """The card auto-capture (or the manual button) produced ``capture``."""
        if self._step is not Step.CARD:
            _zero_capture(capture)
            return self._ignored(Event.CARD_CAPTURED)
        d = self._data
        if d.card is not None and d.card is not capture:
            _zero_capture(d.card)
        d.card = capture
        d.card_result = None  # a new card photo needs a new card call
        d.attempts["card"] += 1
        d.hint_key = None
        # On a card retake the face captured before is still good: go straight to verifying.
        return self._go(Event.CARD_CAPTURED, Step.VERIFYING if d.face is not None else Step.FACE)

    def face_captured(self, capture: CaptureLike) -> bool:
        """The face auto-capture (or the manual button) produced ``capture``."""
        if self._step is not Step.FACE:
            _zero_capture(capture)
            return self._ignored(Event.FACE_CAPTURED)
        d = self._data
        if d.face is not None and d.face is not capture:
            _zero_capture(d.face)
        d.face = capture
        d.attempts["face"] += 1
        d.hint_key = None
        return self._go(Event.FACE_CAPTURED, Step.VERIFYING)

    def begin_verification(self) -> VerifyInputs:
        """Inputs for the verifier, with a ticket that :meth:`verdict` must get back.

        Raises ``RuntimeError`` outside VERIFYING.
        """
        if self._step is not Step.VERIFYING or self._data.card is None or self._data.face is None:
            raise RuntimeError(f"nothing to verify in step {self._step}")
        self._ticket += 1
        d = self._data
        return VerifyInputs(d.card.jpeg, d.face.jpeg, d.card_result, self._ticket)

    def verdict(self, verdict: Verdict, ticket: int | None = None) -> bool:
        """The verifier's verdict; routes to a result or back to a capture step."""
        if self._step is not Step.VERIFYING or (ticket is not None and ticket != self._ticket):
            return self._ignored(Event.VERDICT)
        d = self._data
        d.verdict = verdict
        try:
            outcome = Outcome(verdict.outcome)
        except ValueError:
            log.warning("unknown verdict outcome %r; treated as staff", verdict.outcome)
            return self._finish(Outcome.STAFF, KEY_UNKNOWN_OUTCOME)
        key = verdict.message_key or KEY_UNKNOWN_OUTCOME
        if outcome is Outcome.RETAKE_CARD:
            return self._retake("card", Step.CARD, key, card_result=None)
        if outcome is Outcome.RETAKE_FACE:
            return self._retake("face", Step.FACE, key, card_result=getattr(verdict, "card_result", None))
        if outcome is Outcome.PASS:
            return self._finish(outcome, key, verdict.masked_name or "", verdict.masked_id or "")
        card_result = getattr(verdict, "card_result", None)
        if (
            outcome is Outcome.FAIL
            and key in FACE_MISMATCH_KEYS
            and card_result is not None
            and d.mismatch_retakes < self.policy.face_retakes
            and d.attempts["face"] < self.policy.max_attempts
        ):
            # one more face photo before the final result, with the card result kept
            d.mismatch_retakes += 1
            return self._retake("face", Step.FACE, KEY_FACE_RETAKE, card_result=card_result)
        if outcome is Outcome.UNAVAILABLE and self._retry_safe(verdict) and d.retries < MAX_RETRIES:
            # keep the photos (and a card result already paid for) for "try again"
            if card_result is not None:
                d.card_result = card_result
            d.result = ResultView(outcome, key, can_retry=True)
            d.hint_key = None
            return self._go(Event.VERDICT, Step.RESULT)
        return self._finish(outcome, key)

    def _retry_safe(self, verdict: Any) -> bool:
        """True when the call that failed cannot have been billed (so trying again is fair)."""
        if getattr(verdict, "maybe_billed_calls", 1) != 0:
            return False
        billed = getattr(verdict, "billed_calls", 1)
        # a card call that succeeded in this run was billed, and its result is kept for the retry
        card_paid_now = self._data.card_result is None and getattr(verdict, "card_result", None) is not None
        return billed - (1 if card_paid_now else 0) <= 0

    def can_retry(self) -> bool:
        """A "try again" with the same photos is possible now."""
        d = self._data
        return (self._step is Step.RESULT and d.result is not None and d.result.can_retry
                and d.card is not None and d.face is not None)

    def retry(self) -> bool:
        """The customer chose "try again": verify the same photos again (no new capture)."""
        if not self.can_retry():
            return self._ignored(Event.RETRY)
        self._data.retries += 1
        self._data.result = None
        return self._go(Event.RETRY, Step.VERIFYING)

    def verify_failed(self, message_key: str = KEY_SERVICE_UNAVAILABLE, ticket: int | None = None) -> bool:
        """The verifier raised instead of returning a verdict: service unavailable."""
        if self._step is not Step.VERIFYING or (ticket is not None and ticket != self._ticket):
            return self._ignored(Event.VERIFY_FAILED)
        return self._finish(Outcome.UNAVAILABLE, message_key, event=Event.VERIFY_FAILED)

    def timeout(self) -> bool:
        """Idle or result timeout: back to WELCOME. Ignored while VERIFYING or on WELCOME."""
        if self._step in (Step.VERIFYING, Step.WELCOME, Step.OUT_OF_SERVICE):
            return self._ignored(Event.TIMEOUT)
        return self._back_to_start(Event.TIMEOUT)

    def reset(self) -> bool:
        """Unconditional reset (the "done" button, the staff, start-up): wipe and WELCOME."""
        return self._back_to_start(Event.RESET)

    def call_staff(self) -> bool:
        """The customer pressed "call staff": the session ends on a staff result.

        Also while VERIFYING (a hung service must not hold the customer): the verdict still in
        flight becomes stale and is ignored.
        """
        if self._step is Step.VERIFYING:
            self._ticket += 1
        self._wipe()
        return self._finish(Outcome.STAFF, KEY_STAFF_CALLED, event=Event.CALL_STAFF)

    def camera_lost(self) -> bool:
        """The camera watchdog gave up: captures cannot go on."""
        self._camera_ok = False
        if self._step in (Step.VERIFYING, Step.RESULT, Step.OUT_OF_SERVICE):
            return False  # finish what does not need the camera; reset goes out of service
        self._wipe()
        return self._go(Event.CAMERA_LOST, Step.OUT_OF_SERVICE)

    def camera_restored(self) -> bool:
        """The camera works again."""
        self._camera_ok = True
        if self._step is not Step.OUT_OF_SERVICE:
            return False
        return self._go(Event.CAMERA_RESTORED, Step.WELCOME)

    # ---- Internals -----------------------------------------------------------------------
    def _retake(self, stage: str, step: Step, key: str, *, card_result: Any) -> bool:
        d = self._data
        if d.attempts[stage] >= self.policy.max_attempts:
            return self._finish(Outcome.STAFF, KEY_TOO_MANY_ATTEMPTS)
        old = d.card if stage == "card" else d.face
        if old is not None:
            _zero_capture(old)
        if stage == "card":
            d.card = None
            d.card_result = None
        else:
            d.face = None
            d.card_result = card_result
        d.hint_key = key
        return self._go(Event.VERDICT, step)

    def _finish(
        self,
        outcome: Outcome,
        key: str,
        masked_name: str = "",
        masked_id: str = "",
        *,
        event: Event = Event.VERDICT,
    ) -> bool:
        self._drop_images()
        self._data.result = ResultView(outcome, key, masked_name, masked_id)
        self._data.hint_key = None
        return self._go(event, Step.RESULT)

    def _back_to_start(self, event: Event) -> bool:
        self._wipe()
        self._ticket += 1  # any verdict still in flight is now stale
        return self._go(event, Step.WELCOME if self._camera_ok else Step.OUT_OF_SERVICE)

    def _drop_images(self) -> None:
        d = self._data
        for capture in (d.card, d.face):
            if capture is not None:
                _zero_capture(capture)
        d.card = d.face = None
        d.card_result = None

    def _wipe(self) -> None:
        """Drop every customer datum from memory (zero the buffers the session owns)."""
        self._drop_images()
        self._data = _CustomerData()

    def _go(self, event: Event, new: Step) -> bool:
        old = self._step
        self._step = new
        transition = Transition(event, old, new)
        log.debug("session %s: %s -> %s", event, old, new)
        for listener in list(self._listeners):
            listener(self, transition)
        return True

    def _ignored(self, event: Event) -> bool:
        log.debug("session: %s ignored in %s", event, self._step)
        return False
