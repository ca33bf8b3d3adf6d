"""Hostile answers against the real client over real loopback sockets (in process, fast).

The service here is :class:`tests.support.hostile_service.HostileService`. Each case asserts the
error class (which decides billing and retries), the time taken against the one deadline
(connect + read timeout) and what reaches the verdict and the audit trail. The same cases
through ``kiosk verify`` in a subprocess, with peak memory, are in test_hostile_cli.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kiosk.core.audit import AuditTrail
from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.errors import MalformedResponseError, NetworkError, OutcomeUnknownError
from kiosk.core.faceid.models import CheckIdCardInformationRequest, ImageRecognitionV2Request
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.verification import Outcome, Verifier
from tests.support.hostile_service import HostileService

CONNECT_S, READ_S = 1.0, 2.0
DEADLINE_S = CONNECT_S + READ_S
SLACK_S = 2.0
CRED = StaticCredentialProvider(Credential("AKIDhostileEXAMPLE", "hostileSecretKeyEXAMPLE"))
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def _client(url: str, ca: Path | None = None, **kw: object) -> FaceIdClient:
    settings = ClientSettings(endpoint=url, connect_timeout=CONNECT_S, read_timeout=READ_S, max_attempts=1,
                              ca_bundle=str(ca) if ca else None, **kw)  # type: ignore[arg-type]
    return FaceIdClient(settings, CRED)


def _card_call(client: FaceIdClient) -> object:
    return client.check_id_card_information(CheckIdCardInformationRequest.from_image(JPEG))


@pytest.mark.parametrize("behaviour", ["huge_body", "chunked_huge", "gzip_bomb"])
def test_oversized_answers_stop_at_the_cap_as_outcome_unknown(behaviour: str) -> None:
    with HostileService([behaviour]) as svc, _client(svc.url, max_answer_bytes=1_000_000) as client:
        start = time.monotonic()
        with pytest.raises(OutcomeUnknownError) as info:
            _card_call(client)
        took = time.monotonic() - start
    assert "larger than 1000000 bytes" in str(info.value)
    assert info.value.billed  # sent and maybe processed: never repeated, counted as maybe billed
    assert took < DEADLINE_S + SLACK_S
    assert svc.requests == 1


def test_a_dripped_status_line_gets_one_deadline_not_minutes() -> None:
    with HostileService(["drip_status"], drip_s=0.2) as svc, _client(svc.url) as client:
        start = time.monotonic()
        with pytest.raises(OutcomeUnknownError) as info:
            _card_call(client)
        took = time.monotonic() - start
    assert "within 3.0 s" in str(info.value)
    assert DEADLINE_S - 0.2 < took < DEADLINE_S + SLACK_S  # each byte came well within the read timeout


def test_nested_json_is_an_unavailable_verdict_with_its_audit_record(tmp_path: Path) -> None:
    audit = AuditTrail(tmp_path)
    with HostileService(["nested"]) as svc, _client(svc.url) as client:
        verdict = Verifier(client, audit=audit).verify(JPEG, JPEG, session_id="s-nested")
    audit.close()
    assert verdict.outcome is Outcome.UNAVAILABLE
    assert verdict.maybe_billed_calls == 1
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["action"], r["session_id"]) for r in records] == [
        ("call", "CheckIdCardInformation", "s-nested")]
    assert records[0]["outcome_code"] == verdict.reason_code


def test_nested_json_raises_malformed_not_recursion_error() -> None:
    with HostileService(["nested"]) as svc, _client(svc.url) as client, pytest.raises(MalformedResponseError):
        _card_call(client)


def test_a_far_future_date_does_not_break_later_calls() -> None:
    with HostileService(["date_9999", "ok"]) as svc, _client(svc.url) as client:
        first = _card_call(client)
        assert client.clock_offset == 0.0  # not believed
        second = client.image_recognition_v2(ImageRecognitionV2Request.from_image(
            JPEG, id_card="11010519491231002X", name="王小明"))
    assert first.result == "Success" and second.result == "Success"  # type: ignore[attr-defined]
    assert svc.requests == 2


def test_a_huge_request_id_is_cut_before_the_verdict() -> None:
    with HostileService(["huge_request_id"]) as svc, _client(svc.url) as client:
        response = _card_call(client)
    rid = response.request_id  # type: ignore[attr-defined]
    assert len(rid) < 200 and rid.startswith("RRRR") and rid.endswith("chars]")


def test_escape_sequences_in_an_error_stay_data(tmp_path: Path) -> None:
    audit = AuditTrail(tmp_path)
    with HostileService(["escapes"]) as svc, _client(svc.url) as client:
        verdict = Verifier(client, audit=audit).verify(JPEG, JPEG, session_id="s-esc")
    audit.close()
    assert verdict.outcome is Outcome.UNAVAILABLE
    text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\x85" not in text
    assert len(text.splitlines()) == 1
    assert "\\u001b[2J" in text


# ---------------------------------------------------------------------------------------- TLS
@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from kiosk.emulator.keys import make_tls_files

    return make_tls_files(tmp_path_factory.mktemp("tls"), ["localhost", "127.0.0.1"])


def test_a_tls_failure_after_the_whole_body_is_possibly_billed(tls) -> None:  # type: ignore[no-untyped-def]
    with HostileService(["garbage_after"], tls=(tls.cert_file, tls.key_file)) as svc, \
            _client(svc.url, ca=tls.ca_file) as client, pytest.raises(OutcomeUnknownError) as info:
        _card_call(client)
    assert info.value.billed and not isinstance(info.value, NetworkError)
    assert svc.requests == 1  # the service had the whole request


def test_a_stalled_tls_handshake_is_nothing_sent(tls) -> None:  # type: ignore[no-untyped-def]
    with HostileService(["stall"], tls=(tls.cert_file, tls.key_file)) as svc, \
            _client(svc.url, ca=tls.ca_file) as client:
        start = time.monotonic()
        with pytest.raises(NetworkError) as info:
            _card_call(client)
        took = time.monotonic() - start
    assert not info.value.billed
    assert took < DEADLINE_S + SLACK_S
    assert svc.requests == 0
