"""The verification pipeline: CheckIdCardInformation, the policy, then ImageRecognitionV2.

:class:`Verifier` turns two encoded images (a card crop and a face photo) into a
:class:`Verdict`, applying the policy of design.md:

* Pass = both calls ``Success``, card ``Sim`` and face ``Sim`` at or above the thresholds, and no
  blocking card warning.
* Card warnings: border / occlusion / blur -> retake the card; photocopy / re-shoot / tampering /
  temporary card -> fail and hand over to staff.
* Recapturable service codes return to the step they came from (card call -> card, face call ->
  face) with a specific message key.
* ``ImageRecognitionV2`` is never called with an ID number that fails the checksum.
* A card result can be passed back in (``card_result=``) so that retaking only the face does not
  re-bill the card call.
* Transport problems, account problems and unknown outcomes -> ``unavailable``. A call whose
  outcome is unknown (sent, no reliable answer) is never repeated here; it is counted in
  ``maybe_billed_calls`` and surfaced.

Threading: :meth:`Verifier.verify` blocks on the network (bounded by the client's timeouts) and
must run off the GUI thread. One ``Verifier`` may be shared; calls are independent. ``on_progress``
is called on the calling (worker) thread.

Ownership: the returned :class:`Verdict` holds the customer's name and ID number only inside
``card_result`` (for reuse within one session); every other field is masked. The session drops
the verdict on reset; nothing here writes PII anywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.core import idnumber
from kiosk.core.audit import AuditTrail
from kiosk.core.faceid import catalog
from kiosk.core.faceid.catalog import Category
from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.errors import (
    ApiError,
    BudgetExceededError,
    ConfigError,
    CredentialError,
    FaceIdError,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
)
from kiosk.core.faceid.models import (
    CardConfig,
    CheckIdCardInformationRequest,
    CheckIdCardInformationResponse,
    ImageRecognitionV2Request,
    ImageRecognitionV2Response,
)


class Outcome(StrEnum):
    """What the kiosk does next. Stable values: the UI, the audit trail and ``kiosk verify`` use them."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    RETAKE_CARD = "retake_card"
    RETAKE_FACE = "retake_face"
    FAIL = "fail"
    STAFF = "staff"
    REGISTRATION_OFFICE = "registration_office"
    UNAVAILABLE = "unavailable"


class Step(StrEnum):
    """Progress points reported through ``on_progress``."""

    CARD_CALL = "card_call"
    FACE_CALL = "face_call"
    DONE = "done"


@dataclass(frozen=True)
class Policy:
    """Verification policy; defaults from design.md (config section ``[policy]``)."""

    card_sim_threshold: float = 70.0
    face_sim_threshold: float = 70.0
    copy_warn: bool = True
    border_check_warn: bool = True
    reshoot_warn: bool = True
    detect_ps_warn: bool = True
    temp_id_warn: bool = True
    quality_warn: bool = True

    def card_config(self) -> CardConfig:
        return CardConfig(
            copy_warn=self.copy_warn,
            border_check_warn=self.border_check_warn,
            reshoot_warn=self.reshoot_warn,
            detect_ps_warn=self.detect_ps_warn,
            temp_id_warn=self.temp_id_warn,
            quality=self.quality_warn,
        )


@dataclass(frozen=True)
class CardResult:
    """What the card call established, kept for reuse within one session only.

    Holds the customer's name and ID number in memory; ``repr`` masks them.
    """

    name: str = field(repr=False)
    id_number: str = field(repr=False)
    sim: float
    request_id: str

    @property
    def masked_name(self) -> str:
        return idnumber.mask_name(self.name)

    @property
    def masked_id(self) -> str:
        return idnumber.mask(self.id_number)

    def __repr__(self) -> str:
        return (f"CardResult(name={self.masked_name!r}, id={self.masked_id!r}, sim={self.sim}, "
                f"request_id={self.request_id!r})")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one verification attempt (masked; see the module docstring)."""

    outcome: Outcome
    reason_code: str
    message_key: str
    masked_name: str = ""
    masked_id: str = ""
    card_sim: float | None = None
    face_sim: float | None = None
    request_ids: tuple[str, ...] = ()
    billed_calls: int = 0
    maybe_billed_calls: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)
    card_result: CardResult | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def to_json(self) -> dict[str, Any]:
        """The masked, JSON-ready form (``kiosk verify``, the audit trail)."""
        return {
            "verdict": self.outcome.value,
            "reason_code": self.reason_code,
            "message_key": self.message_key,
            "masked_name": self.masked_name,
            "masked_id": self.masked_id,
            "card_sim": self.card_sim,
            "face_sim": self.face_sim,
            "request_ids": list(self.request_ids),
            "billed_calls": self.billed_calls,
            "maybe_billed_calls": self.maybe_billed_calls,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


ProgressCallback = Callable[[Step], None]


@dataclass
class _Tally:
    """Mutable bookkeeping for one ``verify`` call."""

    request_ids: list[str] = field(default_factory=list)
    billed: int = 0
    maybe_billed: int = 0
    timings: dict[str, float] = field(default_factory=dict)


class Verifier:
    """Runs the two calls with the policy. See the module docstring for the threading contract."""

    def __init__(self, client: FaceIdClient, policy: Policy | None = None, audit: AuditTrail | None = None) -> None:
        self._client = client
        self.policy = policy or Policy()
        #: the audit trail calls are recorded in (None: not recorded); the kiosk window writes
        #: its per-session records to the same trail.
        self.audit = audit

    # ---- public API -------------------------------------------------------------------------
    def verify(
        self,
        card_jpeg: bytes | None,
        face_jpeg: bytes,
        *,
        card_result: CardResult | None = None,
        on_progress: ProgressCallback | None = None,
        session_id: str = "",
    ) -> Verdict:
        """Verify one customer. ``card_jpeg`` may be None when ``card_result`` is given."""
        tally = _Tally()
        started = time.perf_counter()
        progress = on_progress or (lambda _step: None)
        try:
            if card_result is None:
                if not card_jpeg:
                    raise ValueError("need a card image or a card result")
                progress(Step.CARD_CALL)
                card_or_verdict = self._card_call(card_jpeg, tally, session_id)
                if isinstance(card_or_verdict, Verdict):
                    return card_or_verdict
                card_result = card_or_verdict
            progress(Step.FACE_CALL)
            return self._face_call(card_result, face_jpeg, tally, session_id)
        finally:
            tally.timings["total"] = (time.perf_counter() - started) * 1000
            progress(Step.DONE)

    # ---- the card call ----------------------------------------------------------------------
    def _card_call(self, card_jpeg: bytes, tally: _Tally, session_id: str) -> CardResult | Verdict:
        request = CheckIdCardInformationRequest.from_image(card_jpeg, config=self.policy.card_config())
        t0 = time.perf_counter()
        try:
            response = self._client.check_id_card_information(request)
        except FaceIdError as exc:
            tally.timings["card"] = (time.perf_counter() - t0) * 1000
            return self._error_verdict(exc, "card", tally, session_id)
        tally.timings["card"] = (time.perf_counter() - t0) * 1000
        self._count(response.request_id, response.result, tally)
        verdict = self._judge_card(response, tally)
        self._record(session_id, "CheckIdCardInformation", response.result, response.request_id,
                     response.sim, tally.timings["card"], idnumber.mask(response.id_num))
        return verdict

    def _judge_card(self, r: CheckIdCardInformationResponse, tally: _Tally) -> CardResult | Verdict:
        masked = {"masked_name": idnumber.mask_name(r.name), "masked_id": idnumber.mask(r.id_num)}
        if r.result == "FailedOperation.OcrWarningOccurred":
            return self._warning_verdict(r, tally, masked)
        if r.result != "Success":
            entry = catalog.lookup(r.result)
            return self._verdict(self._category_outcome(entry.category, "card"), r.result, entry.message_key,
                                 tally, card_sim=r.sim, **masked)
        if r.sim is None or r.sim < self.policy.card_sim_threshold:
            return self._verdict(Outcome.FAIL, "card_low_similarity", "err.card_low_similarity", tally,
                                 card_sim=r.sim, **masked)
        if not idnumber.is_valid(r.id_num or "") or not (r.name or "").strip():
            # Never send an ID number that fails the checksum: treat it as a misread card.
            return self._verdict(Outcome.RETAKE_CARD, "card_id_invalid", "err.card_id_invalid", tally,
                                 card_sim=r.sim, **masked)
        return CardResult(name=r.name.strip(), id_number=idnumber.normalize(r.id_num), sim=r.sim,
                          request_id=r.request_id)

    def _warning_verdict(self, r: CheckIdCardInformationResponse, tally: _Tally, masked: dict[str, str]) -> Verdict:
        worst = catalog.worst_warning(r.warnings)
        if worst is None:
            return self._verdict(Outcome.STAFF, r.result, "err.card_warning", tally, card_sim=r.sim, **masked)
        outcome = Outcome.RETAKE_CARD if worst.action == "recapture" else Outcome.STAFF
        return self._verdict(outcome, f"warning{worst.code}", worst.message_key, tally, card_sim=r.sim, **masked)

    # ---- the face call ----------------------------------------------------------------------
    def _face_call(self, card: CardResult, face_jpeg: bytes, tally: _Tally, session_id: str) -> Verdict:
        masked = {"masked_name": card.masked_name, "masked_id": card.masked_id, "card_sim": card.sim}
        if not idnumber.is_valid(card.id_number):  # a caller-supplied card result: same rule
            return self._verdict(Outcome.RETAKE_CARD, "card_id_invalid", "err.card_id_invalid", tally, **masked)
        request = ImageRecognitionV2Request.from_image(face_jpeg, id_card=card.id_number, name=card.name)
        t0 = time.perf_counter()
        try:
            response = self._client.image_recognition_v2(request)
        except FaceIdError as exc:
            tally.timings["face"] = (time.perf_counter() - t0) * 1000
            return self._error_verdict(exc, "face", tally, session_id, card=card)
        tally.timings["face"] = (time.perf_counter() - t0) * 1000
        self._count(response.request_id, response.result, tally)
        self._record(session_id, "ImageRecognitionV2", response.result, response.request_id, response.sim,
                     tally.timings["face"], card.masked_id)
        return self._judge_face(response, card, tally, masked)

    def _judge_face(self, r: ImageRecognitionV2Response, card: CardResult, tally: _Tally,
                    masked: dict[str, Any]) -> Verdict:
        if r.result != "Success":
            entry = catalog.lookup(r.result)
            return self._verdict(self._category_outcome(entry.category, "face"), r.result, entry.message_key,
                                 tally, face_sim=r.sim, card=card, **masked)
        if r.sim is None or r.sim < self.policy.face_sim_threshold:
            return self._verdict(Outcome.FAIL, "face_low_similarity", "err.face_low_similarity", tally,
                                 face_sim=r.sim, card=card, **masked)
        return self._verdict(Outcome.PASS, "Success", "ok.pass", tally, face_sim=r.sim, card=card, **masked)

    # ---- shared helpers ---------------------------------------------------------------------
    @staticmethod
    def _category_outcome(category: Category, step: str) -> Outcome:
        if category is Category.RECAPTURE:
            return Outcome.RETAKE_CARD if step == "card" else Outcome.RETAKE_FACE
        return {
            Category.IDENTITY_FAIL: Outcome.FAIL,
            Category.REGISTRATION_OFFICE: Outcome.REGISTRATION_OFFICE,
            Category.INPUT: Outcome.RETAKE_CARD if step == "card" else Outcome.STAFF,
            Category.TRANSIENT: Outcome.UNAVAILABLE,
            Category.ACCOUNT_CONFIG: Outcome.UNAVAILABLE,
            Category.ENCRYPTION: Outcome.UNAVAILABLE,
        }.get(category, Outcome.UNAVAILABLE)

    def _error_verdict(self, exc: FaceIdError, step: str, tally: _Tally, session_id: str,
                       card: CardResult | None = None) -> Verdict:
        action = "CheckIdCardInformation" if step == "card" else "ImageRecognitionV2"
        if exc.request_id:
            tally.request_ids.append(exc.request_id)
        if isinstance(exc, OutcomeUnknownError):
            tally.maybe_billed += 1
        elif exc.billed:
            tally.billed += 1
        self._record(session_id, action, exc.code, exc.request_id or "", None, tally.timings.get(step, 0.0),
                     card.masked_id if card else "")
        masked: dict[str, Any] = {}
        if card is not None:
            masked = {"masked_name": card.masked_name, "masked_id": card.masked_id, "card_sim": card.sim,
                      "card": card}
        if isinstance(exc, ApiError):
            outcome = self._category_outcome(exc.entry.category, step)
            return self._verdict(outcome, exc.code, exc.entry.message_key, tally, **masked)
        if exc.code == "ClientNetworkError.TLS":
            return self._verdict(Outcome.UNAVAILABLE, exc.code, "err.tls", tally, **masked)
        key = {
            RateLimitedError: "err.service_busy",
            OutcomeUnknownError: "err.outcome_unknown",
            NetworkError: "err.service_unreachable",
            MalformedResponseError: "err.service_error",
            BudgetExceededError: "err.budget_exceeded",
            CredentialError: "err.out_of_service",
            ConfigError: "err.out_of_service",
        }.get(type(exc), "err.service_error")
        return self._verdict(Outcome.UNAVAILABLE, exc.code, key, tally, **masked)

    @staticmethod
    def _count(request_id: str, result: str, tally: _Tally) -> None:
        if request_id:
            tally.request_ids.append(request_id)
        if catalog.lookup(result).billed:
            tally.billed += 1

    @staticmethod
    def _verdict(outcome: Outcome, reason: str, key: str, tally: _Tally, *, card: CardResult | None = None,
                 **fields: Any) -> Verdict:
        return Verdict(outcome=outcome, reason_code=reason, message_key=key,
                       request_ids=tuple(tally.request_ids), billed_calls=tally.billed,
                       maybe_billed_calls=tally.maybe_billed, timings_ms=tally.timings,
                       card_result=card, **fields)

    def _record(self, session_id: str, action: str, code: str, request_id: str, sim: float | None,
                elapsed_ms: float, masked_id: str) -> None:
        if self.audit is not None:
            self.audit.call(session_id=session_id, action=action, outcome_code=code, request_id=request_id,
                             sim=sim, elapsed_ms=elapsed_ms, masked_id=masked_id)
