"""The service health probe: the real client against the real emulator over loopback.

The probe is a signed ImageRecognitionV2 with an empty body: the service authenticates it, then
rejects it for the missing parameters, before anything billable happens.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.errors import ApiError
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.service_health import check_service, classify
from kiosk.emulator.server import EmulatorServer

SECRET_ID, SECRET_KEY = "AKIDhealthcheck0000000000000000000", "healthcheck-secret-key-000000000"


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(host="127.0.0.1", port=0, secret_id=SECRET_ID, secret_key=SECRET_KEY,
                            clock=lambda: time.time() + 3600)  # its clock one hour ahead of ours
    server.start()
    yield server
    server.stop()


def client(url: str, key: str = SECRET_KEY) -> FaceIdClient:
    return FaceIdClient(ClientSettings(endpoint=url, connect_timeout=1.0, read_timeout=2.0),
                        StaticCredentialProvider(Credential(SECRET_ID, key)))


def test_a_healthy_service_answers_the_probe_without_billing(emulator: EmulatorServer) -> None:
    with client(emulator.url) as c:
        health = check_service(c)
    assert health.ok and health.fault == "" and "MissingParameter" in health.detail
    assert health.clock_offset_s is not None and abs(health.clock_offset_s - 3600) < 5  # clock learned
    assert emulator.calls, "the probe reached the emulator"
    assert all(not r.billed and not r.processed for r in emulator.calls)


def test_wrong_credentials_are_a_staff_fault(emulator: EmulatorServer) -> None:
    with client(emulator.url, key="not-the-key-0000000000000000000000") as c:
        health = check_service(c)
    assert not health.ok and health.fault == "credentials" and health.staff_only
    assert all(not r.billed for r in emulator.calls)


def test_a_service_that_is_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with client(f"http://127.0.0.1:{port}") as c:
        health = check_service(c)
    assert not health.ok and health.fault == "unreachable" and not health.staff_only


@pytest.mark.parametrize(
    ("code", "fault"),
    [
        ("AuthFailure.SignatureExpire", "clock"),
        ("AuthFailure.SecretIdNotFound", "credentials"),
        ("UnauthorizedOperation.Arrears", "account"),
        ("InternalError", "unreachable"),
        ("InvalidParameter", ""),
    ],
)
def test_classification(code: str, fault: str) -> None:
    health = classify(ApiError("x", code=code))
    assert health.fault == fault and health.ok == (fault == "")
