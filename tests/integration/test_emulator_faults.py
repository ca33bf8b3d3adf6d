"""Injected faults over real sockets: what a client (requests and the official SDK) experiences,
and whether the emulator processed (and possibly billed) the request anyway."""

from __future__ import annotations

import contextlib
import socket
import time

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from kiosk.emulator.faults import FaultPlan
from kiosk.emulator.server import EmulatorServer
from tests.emulator.fixtures import demo_registry, face_photo, face_request, raw_call, sdk_client, shared_matcher
from tests.emulator.helpers import jpeg_bytes

FACE = "ImageRecognitionV2"


def zhao_params() -> dict[str, str]:
    import base64

    p = demo_registry().people[1]
    image = base64.b64encode(jpeg_bytes(face_photo("grace_hopper.jpg").copy(), 85)).decode()
    return {"IdCard": p.id_number, "Name": p.name, "ImageBase64": image}


def server(faults: str, **kw: object) -> EmulatorServer:
    return EmulatorServer(registry=demo_registry(), faults=faults, matcher=shared_matcher(), **kw)  # type: ignore[arg-type]


@pytest.fixture
def sdk_face_request():
    return face_request(demo_registry().people[1], jpeg_bytes(face_photo("grace_hopper.jpg").copy(), 85))


def test_reset_before_body_is_not_processed(sdk_face_request) -> None:
    with server("reset@first:1") as emu:
        with pytest.raises(requests.exceptions.ConnectionError):
            raw_call(emu, FACE, zhao_params())
        (record,) = emu.calls
        assert record.channel == "fault" and not record.processed and not record.billed
        assert sdk_client(emu).ImageRecognitionV2(sdk_face_request).Result == "Success"  # then healthy


def test_reset_after_processing_may_be_billed(sdk_face_request) -> None:
    with server("reset_after") as emu:
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emu).ImageRecognitionV2(sdk_face_request)
        assert info.value.code == "ClientNetworkError"
        (record,) = emu.calls
        assert record.processed and record.billed and record.code == "Success" and record.fault == "reset_after"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_errors(status: int, sdk_face_request) -> None:
    with server(f"http{status}@1/2") as emu:
        ok = raw_call(emu, FACE, zhao_params())
        assert ok.status_code == 200
        resp = raw_call(emu, FACE, zhao_params())
        assert resp.status_code == status and resp.headers["Content-Type"] == "text/html"
        assert "Date" in resp.headers
        sdk_client(emu).ImageRecognitionV2(sdk_face_request)  # 3rd: fine
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emu).ImageRecognitionV2(sdk_face_request)  # 4th: status
        assert info.value.code == "ServerNetworkError"
        assert [r.processed for r in emu.calls] == [True, False, True, False]


def test_truncated_body_after_processing(sdk_face_request) -> None:
    with server("truncate") as emu:
        with pytest.raises(requests.exceptions.RequestException):
            raw_call(emu, FACE, zhao_params()).json()
        with pytest.raises(TencentCloudSDKException):
            sdk_client(emu).ImageRecognitionV2(sdk_face_request)
        assert all(r.processed and r.billed for r in emu.calls)


def test_non_json_body(sdk_face_request) -> None:
    with server("nonjson") as emu:
        resp = raw_call(emu, FACE, zhao_params())
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
        with pytest.raises(ValueError):
            resp.json()
        with pytest.raises(TencentCloudSDKException):
            sdk_client(emu).ImageRecognitionV2(sdk_face_request)
        assert not any(r.processed for r in emu.calls)


def test_latency_and_client_timeout() -> None:
    with server("latency=0.6") as emu:
        start = time.monotonic()
        assert raw_call(emu, FACE, zhao_params()).json()["Response"]["Result"] == "Success"
        assert time.monotonic() - start >= 0.6
        with pytest.raises(requests.exceptions.Timeout):
            raw_call(emu, FACE, zhao_params(), timeout=0.2)
        time.sleep(0.6)
        assert emu.calls[-1].billed  # processed although the client gave up: outcome unknown


def test_rate_limit_storm(sdk_face_request) -> None:
    with server("ratelimit_storm=0.5s") as emu:
        for _ in range(3):
            with pytest.raises(TencentCloudSDKException) as info:
                sdk_client(emu).ImageRecognitionV2(sdk_face_request)
            assert info.value.code == "RequestLimitExceeded"
        time.sleep(0.6)
        assert sdk_client(emu).ImageRecognitionV2(sdk_face_request).Result == "Success"


def test_injected_api_errors_and_action_filter(sdk_face_request) -> None:
    with server("error=InternalError~face,ratelimit~card") as emu:
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emu).ImageRecognitionV2(sdk_face_request)
        assert info.value.code == "InternalError"
        resp = raw_call(emu, "CheckIdCardInformation", {"ImageBase64": ""})
        assert resp.json()["Response"]["Error"]["Code"] == "RequestLimitExceeded"


def test_seeded_probabilities_are_reproducible() -> None:
    def run(seed: int) -> list[str]:
        with server("http500@0.3,reset@0.2", seed=seed) as emu:
            for _ in range(15):
                with contextlib.suppress(requests.exceptions.ConnectionError):
                    raw_call(emu, FACE, {"IdCard": "1", "Name": "x", "ImageBase64": "AAAA"})
            return [r.code for r in emu.calls]

    first, second = run(3), run(3)
    assert first == second and {"http", "reset"} & set(first)


def test_faults_plan_object_and_tls_reset() -> None:
    with EmulatorServer(
        registry=demo_registry(), tls=True, faults=FaultPlan("reset@first:1"), matcher=shared_matcher()
    ) as emu:
        with pytest.raises(requests.exceptions.ConnectionError):
            raw_call(emu, FACE, zhao_params())
        assert raw_call(emu, FACE, zhao_params()).json()["Response"]["Result"] == "Success"


def test_server_survives_garbage() -> None:
    with server("") as emu:
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
            sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            sock.recv(1024)
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            sock.shutdown(socket.SHUT_WR)  # body shorter than announced
            sock.recv(1024)
        assert raw_call(emu, FACE, zhao_params()).json()["Response"]["Result"] == "Success"
