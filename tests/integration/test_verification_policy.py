"""The verification policy (design.md), with the real client over real sockets.

A scripted server answers each call with a chosen service response, so every policy branch is
reached, including warnings the emulator cannot produce (photocopy, re-shoot, tampering).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.audit import AuditTrail
from kiosk.core.faceid import catalog
from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.verification import CardResult, Outcome, Policy, Step, Verifier
from tests.support.scripted_service import ScriptedService

ID = "11010519491231002X"
NAME = "韦小宝"
CARD_OK = {"Result": "Success", "Description": "成功", "Sim": 95.5, "Name": NAME, "IdNum": ID, "Sex": "男",
           "Nation": "汉", "Birth": "1949/12/31", "Address": "北京市", "Portrait": "", "Warnings": "",
           "Quality": 98, "Encryption": None}
FACE_OK = {"Result": "Success", "Description": "成功", "Sim": 88.2}
CARD_JPEG = b"\xff\xd8card-bytes\xff\xd9"
FACE_JPEG = b"\xff\xd8face-bytes\xff\xd9"


@pytest.fixture
def service() -> Iterator[ScriptedService]:
    with ScriptedService() as svc:
        yield svc


def make_verifier(svc: ScriptedService, policy: Policy | None = None, audit: AuditTrail | None = None,
                  read_timeout: float = 5.0) -> Verifier:
    settings = ClientSettings(endpoint=svc.url, read_timeout=read_timeout, connect_timeout=2.0, backoff_base=0.01)
    client = FaceIdClient(settings, StaticCredentialProvider(Credential("AKIDpolicytest", "policy-secret")))
    return Verifier(client, policy, audit=audit)


def test_pass_sends_the_card_values_to_the_face_call(service: ScriptedService) -> None:
    service.script("CheckIdCardInformation", CARD_OK)
    service.script("ImageRecognitionV2", FACE_OK)
    steps: list[Step] = []
    verdict = make_verifier(service).verify(CARD_JPEG, FACE_JPEG, on_progress=steps.append)
    assert verdict.outcome is Outcome.PASS and verdict.passed
    assert (verdict.card_sim, verdict.face_sim) == (95.5, 88.2)
    assert verdict.masked_id == "110***********002X" and verdict.masked_name == "韦**"
    assert len(verdict.request_ids) == 2 and verdict.billed_calls == 2
    assert steps == [Step.CARD_CALL, Step.FACE_CALL, Step.DONE]
    assert set(verdict.timings_ms) == {"card", "face", "total"}
    (_, card_req), (_, face_req) = service.requests
    assert "Config" in card_req and '"CopyWarn": true' in card_req["Config"]
    assert face_req["IdCard"] == ID and face_req["Name"] == NAME
    dumped = repr(verdict) + str(verdict.to_json())
    assert ID not in dumped and NAME not in dumped


@pytest.mark.parametrize(
    ("warnings", "outcome"),
    [("-9101", Outcome.RETAKE_CARD), ("-9105", Outcome.RETAKE_CARD), ("-8001", Outcome.RETAKE_CARD),
     ("-9102", Outcome.STAFF), ("-9103", Outcome.STAFF), ("-9106", Outcome.STAFF), ("-9104", Outcome.STAFF),
     ("-9101|-9103", Outcome.STAFF), ("-9999", Outcome.STAFF)],
)
def test_card_warnings(service: ScriptedService, warnings: str, outcome: Outcome) -> None:
    service.script("CheckIdCardInformation", {**CARD_OK, "Result": "FailedOperation.OcrWarningOccurred",
                                              "Sim": 0, "Warnings": warnings})
    verdict = make_verifier(service).verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is outcome
    assert service.actions() == ["CheckIdCardInformation"]  # the face call is never made
    assert verdict.card_result is None


@pytest.mark.parametrize(
    ("result", "outcome"),
    [("FailedOperation.IdNoExistSystem", Outcome.REGISTRATION_OFFICE),
     ("FailedOperation.IdPhotoNoExist", Outcome.REGISTRATION_OFFICE),
     ("FailedOperation.IdNameMisMatch", Outcome.FAIL),
     ("FailedOperation.ImageBlur", Outcome.RETAKE_CARD),
     ("FailedOperation.ImageNoIdCard", Outcome.RETAKE_CARD),
     ("FailedOperation.CompareSystemError", Outcome.UNAVAILABLE)],
)
def test_card_results(service: ScriptedService, result: str, outcome: Outcome) -> None:
    service.script("CheckIdCardInformation", {"Result": result, "Description": "x", "Sim": 0})
    verdict = make_verifier(service).verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is outcome and verdict.reason_code == result
    assert verdict.message_key == catalog.lookup(result).message_key
    assert service.actions() == ["CheckIdCardInformation"]


def test_an_id_number_failing_the_checksum_is_never_sent(service: ScriptedService) -> None:
    service.script("CheckIdCardInformation", {**CARD_OK, "IdNum": "11204416541220243X"})
    verdict = make_verifier(service).verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is Outcome.RETAKE_CARD and verdict.reason_code == "card_id_invalid"
    assert service.actions() == ["CheckIdCardInformation"]
    with pytest.raises(ValueError, match="card image"):
        make_verifier(service).verify(None, FACE_JPEG)
    bad = CardResult(name=NAME, id_number="11204416541220243X", sim=90, request_id="r")
    assert make_verifier(service).verify(None, FACE_JPEG, card_result=bad).outcome is Outcome.RETAKE_CARD
    assert service.actions() == ["CheckIdCardInformation"]


def test_thresholds_are_policy(service: ScriptedService) -> None:
    service.script("CheckIdCardInformation", {**CARD_OK, "Sim": 69.9})
    v = make_verifier(service).verify(CARD_JPEG, FACE_JPEG)
    assert v.outcome is Outcome.FAIL and v.reason_code == "card_low_similarity"
    service.script("CheckIdCardInformation", CARD_OK)
    service.script("ImageRecognitionV2", {**FACE_OK, "Sim": 75.0})
    strict = make_verifier(service, Policy(face_sim_threshold=80))
    v = strict.verify(CARD_JPEG, FACE_JPEG)
    assert v.outcome is Outcome.FAIL and v.reason_code == "face_low_similarity" and v.face_sim == 75.0


@pytest.mark.parametrize(
    ("result", "outcome"),
    [("FailedOperation.LifePhotoDetectFaces", Outcome.RETAKE_FACE),
     ("FailedOperation.LifePhotoDetectNoFaces", Outcome.RETAKE_FACE),
     ("FailedOperation.LifePhotoPoorQuality", Outcome.RETAKE_FACE),
     ("FailedOperation.CompareLowSimilarity", Outcome.FAIL),
     ("FailedOperation.IdentityAuthLimitExceeded", Outcome.REGISTRATION_OFFICE),
     ("FailedOperation.CompareLibServiceUnavailable", Outcome.UNAVAILABLE)],
)
def test_face_results_keep_the_card_result_for_reuse(service: ScriptedService, result: str, outcome: Outcome) -> None:
    service.script("CheckIdCardInformation", CARD_OK)
    service.script("ImageRecognitionV2", {"Result": result, "Description": "x", "Sim": 30.5})
    verifier = make_verifier(service)
    verdict = verifier.verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is outcome
    assert verdict.card_result is not None and verdict.card_result.id_number == ID
    assert ID not in repr(verdict.card_result)
    # Retaking the face reuses the card result: no second card call (no second bill).
    service.script("ImageRecognitionV2", FACE_OK)
    again = verifier.verify(None, FACE_JPEG, card_result=verdict.card_result)
    assert again.outcome is Outcome.PASS and again.card_sim == 95.5
    assert service.actions() == ["CheckIdCardInformation", "ImageRecognitionV2", "ImageRecognitionV2"]
    assert again.billed_calls == 1


def test_api_error_is_unavailable_and_not_repeated(service: ScriptedService) -> None:
    service.script("CheckIdCardInformation", {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}})
    verdict = make_verifier(service).verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is Outcome.UNAVAILABLE and verdict.reason_code == "AuthFailure.SignatureFailure"
    assert service.actions() == ["CheckIdCardInformation"] and len(verdict.request_ids) == 1


def test_a_broken_answer_after_sending_is_surfaced_not_repeated(service: ScriptedService) -> None:
    service.script("CheckIdCardInformation", CARD_OK)
    service.script("ImageRecognitionV2", lambda: (502, b"<html>bad gateway</html>"))
    verdict = make_verifier(service).verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is Outcome.UNAVAILABLE
    assert verdict.maybe_billed_calls == 1 and verdict.billed_calls == 1  # the card call was billed
    assert service.actions() == ["CheckIdCardInformation", "ImageRecognitionV2"]


def test_unreachable_service_is_unavailable() -> None:
    settings = ClientSettings(endpoint="http://127.0.0.1:9", connect_timeout=0.5, max_attempts=2, backoff_base=0.01)
    client = FaceIdClient(settings, StaticCredentialProvider(Credential("AKIDx", "y")))
    verdict = Verifier(client).verify(CARD_JPEG, FACE_JPEG)
    assert verdict.outcome is Outcome.UNAVAILABLE and verdict.message_key == "err.service_unreachable"
    assert verdict.billed_calls == 0 and verdict.maybe_billed_calls == 0


def test_audit_records_every_call_without_pii(service: ScriptedService, tmp_path: Path) -> None:
    service.script("CheckIdCardInformation", CARD_OK)
    service.script("ImageRecognitionV2", {"Result": "FailedOperation.CompareLowSimilarity", "Sim": 20.0})
    audit = AuditTrail(tmp_path)
    verdict = make_verifier(service, audit=audit).verify(CARD_JPEG, FACE_JPEG, session_id="sess-1")
    audit.close()
    records = audit.records()
    assert [r["action"] for r in records] == ["CheckIdCardInformation", "ImageRecognitionV2"]
    assert [r["request_id"] for r in records] == list(verdict.request_ids)
    assert records[1]["outcome_code"] == "FailedOperation.CompareLowSimilarity" and records[1]["sim"] == 20.0
    text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert ID not in text and NAME not in text and "110***********002X" in text
