"""The real FaceIdClient against a scripted local server over real sockets."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.core.faceid.catalog import Category
from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.errors import (
    ApiError,
    BudgetExceededError,
    ConfigError,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
)
from kiosk.core.faceid.models import (
    CardConfig,
    CheckIdCardInformationRequest,
    ImageRecognitionV2Request,
)
from kiosk.core.faceid.settings import ClientSettings
from tests.core.faceid.fakeserver import (
    RESET,
    SECRET_ID,
    SECRET_KEY,
    FakeFaceId,
    error,
    hang,
    ok_card,
    ok_face,
    raw,
    unused_port,
)

ID = "11010519491231002X"
NAME = "张三"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"


class Sleeps:
    """Records backoff sleeps instead of sleeping (retry tests stay fast)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(url: str, *, sleep: Any = None, time_fn: Any = time.time, **kw: Any) -> FaceIdClient:
    settings = ClientSettings(endpoint=url, connect_timeout=1.0, read_timeout=2.0, **kw)
    return FaceIdClient(
        settings,
        StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY)),
        sleep=sleep or Sleeps(),
        time_fn=time_fn,
    )


def face_request(**kw: Any) -> ImageRecognitionV2Request:
    return ImageRecognitionV2Request.from_image(JPEG, id_card=ID, name=NAME, **kw)


@pytest.fixture
def server() -> Iterator[FakeFaceId]:
    with FakeFaceId() as srv:
        yield srv


# ------------------------------------------------------------------------------ happy path


def test_success_and_headers(server: FakeFaceId) -> None:
    with make_client(server.url, region="ap-singapore", language="zh_CN") as client:
        resp = client.image_recognition_v2(face_request())
    assert resp.ok and resp.sim == 91.5 and resp.request_id == "rid-face-ok"
    assert resp.outcome.category is Category.SUCCESS and resp.attempts == 1
    [req] = server.requests
    assert req.signature_ok
    h = req.headers
    assert h["X-TC-Action"] == "ImageRecognitionV2"
    assert h["X-TC-Version"] == "2018-03-01"
    assert h["X-TC-Region"] == "ap-singapore"
    assert h["X-TC-Language"] == "zh-CN"
    assert h["Content-Type"] == "application/json"
    assert h["Host"] == f"127.0.0.1:{server.port}"
    assert "X-TC-Token" not in h
    assert h["X-TC-RequestClient"].startswith("IDV_KIOSK_")
    assert req.json() == {"IdCard": ID, "Name": NAME, "ImageBase64": base64.b64encode(JPEG).decode()}
    assert b"\\u5f20\\u4e09" in req.body  # ensure_ascii, like the SDK


def test_token_and_no_region(server: FakeFaceId) -> None:
    settings = ClientSettings(endpoint=server.url)
    cred = Credential(SECRET_ID, SECRET_KEY, "STS-TOKEN-xyz")
    with FaceIdClient(settings, StaticCredentialProvider(cred)) as client:
        client.image_recognition_v2(face_request())
    h = server.requests[0].headers
    assert h["X-TC-Token"] == "STS-TOKEN-xyz"
    assert "X-TC-Region" not in h
    assert h["X-TC-Language"] == "en-US"


def test_keep_alive_reuses_one_connection(server: FakeFaceId) -> None:
    with make_client(server.url) as client:
        for _ in range(3):
            client.image_recognition_v2(face_request())
    assert len(server.requests) == 3
    assert len({r.peer for r in server.requests}) == 1  # one TCP connection for all three


# ------------------------------------------------------------------------------ both channels


def test_business_result_is_returned_not_raised(server: FakeFaceId) -> None:
    server.script = [ok_face(sim=26.04, result="FailedOperation.CompareLowSimilarity")]
    with make_client(server.url) as client:
        resp = client.image_recognition_v2(face_request())
    assert not resp.ok
    assert resp.result == "FailedOperation.CompareLowSimilarity"
    assert resp.outcome.category is Category.IDENTITY_FAIL and resp.billed
    assert len(server.requests) == 1


def test_card_warning_outcome(server: FakeFaceId) -> None:
    server.script = [ok_card(Result="FailedOperation.OcrWarningOccurred", Sim=0, Warnings="-9101|-9102")]
    with make_client(server.url) as client:
        resp = client.check_id_card_information(
            CheckIdCardInformationRequest.from_image(JPEG, config=CardConfig(copy_warn=True))
        )
    assert resp.warnings == ("-9101", "-9102")
    assert resp.outcome.category is Category.IDENTITY_FAIL
    assert resp.outcome.message_key == "warn.card_photocopy"
    assert json.loads(server.requests[0].json()["Config"]) == {"CopyWarn": True}


def test_error_channel_raises_api_error(server: FakeFaceId) -> None:
    server.script = [error("UnauthorizedOperation.Arrears", request_id="rid-arrears")]
    with make_client(server.url) as client, pytest.raises(ApiError) as info:
        client.image_recognition_v2(face_request())
    exc = info.value
    assert exc.code == "UnauthorizedOperation.Arrears"
    assert exc.request_id == "rid-arrears"
    assert exc.entry.category is Category.ACCOUNT_CONFIG
    assert exc.billed is False and exc.attempts == 1
    assert "11010519491231002X" not in str(exc) and "11010519491231002X" not in repr(exc)
    assert exc.server_message.startswith("message")
    assert len(server.requests) == 1


def test_error_json_with_non_200_status_is_still_parsed(server: FakeFaceId) -> None:
    server.script = [error("InvalidParameterValue", status=400)]
    with make_client(server.url) as client, pytest.raises(ApiError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == "InvalidParameterValue" and info.value.http_status == 400


def test_json_with_odd_content_type_is_parsed(server: FakeFaceId) -> None:
    payload = json.dumps({"Response": {"Result": "Success", "Sim": 80.0, "RequestId": "r"}}).encode()
    server.script = [raw(200, payload, "text/html; charset=gbk")]
    with make_client(server.url) as client:
        assert client.image_recognition_v2(face_request()).sim == 80.0


@pytest.mark.parametrize(
    ("step", "code"),
    [
        (raw(502, b"<html>Bad gateway</html>"), "ServerNetworkError"),
        (raw(200, b'{"Response": {"Result": "Succ', "application/json"), "MalformedResponse"),
        (raw(200, b'{"Response": {"Result": "Success", "RequestId": "r"}}', "application/json"), "MalformedResponse"),
        (raw(200, b'{"Response": {"Result": "Success", "Sim": "high", "RequestId": "r"}}'), "MalformedResponse"),
        (raw(200, b"[]", "application/json"), "MalformedResponse"),
    ],
)
def test_bad_answers_are_malformed_and_not_retried(server: FakeFaceId, step: Any, code: str) -> None:
    server.script = [step]
    with make_client(server.url) as client, pytest.raises(MalformedResponseError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == code
    assert info.value.billed is True  # sent: conservatively possibly billed
    assert len(server.requests) == 1


# ------------------------------------------------------------------------------ retries


def test_request_limit_exceeded_is_retried_with_backoff(server: FakeFaceId) -> None:
    server.script = [error("RequestLimitExceeded"), error("RequestLimitExceeded.UinLimitExceeded")]
    sleeps = Sleeps()
    with make_client(server.url, sleep=sleeps, backoff_base=0.2, backoff_cap=5.0) as client:
        resp = client.image_recognition_v2(face_request())
    assert resp.ok and resp.attempts == 3
    assert len(server.requests) == 3
    assert len(sleeps.calls) == 2
    assert 0.1 <= sleeps.calls[0] <= 0.2 and 0.2 <= sleeps.calls[1] <= 0.4


def test_request_limit_gives_up_after_max_attempts(server: FakeFaceId) -> None:
    server.default = error("RequestLimitExceeded")
    with make_client(server.url, max_attempts=4) as client, pytest.raises(ApiError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == "RequestLimitExceeded" and info.value.attempts == 4
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    "code",
    [
        "FailedOperation.RequestLimitExceeded",
        "InternalError",
        "FailedOperation.UnKnown",
        "AuthFailure.SignatureFailure",
    ],
)
def test_possibly_billed_or_permanent_errors_are_not_retried(server: FakeFaceId, code: str) -> None:
    server.script = [error(code)]
    sleeps = Sleeps()
    with make_client(server.url, sleep=sleeps) as client, pytest.raises(ApiError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == code
    assert len(server.requests) == 1 and sleeps.calls == []


def test_read_timeout_is_outcome_unknown_and_not_repeated(server: FakeFaceId) -> None:
    server.script = [hang(1.5)]
    settings = ClientSettings(endpoint=server.url, connect_timeout=1.0, read_timeout=0.3)
    client = FaceIdClient(settings, StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY)), sleep=Sleeps())
    t0 = time.monotonic()
    with client, pytest.raises(OutcomeUnknownError) as info:
        client.image_recognition_v2(face_request())
    assert time.monotonic() - t0 < 1.4
    assert not isinstance(info.value, MalformedResponseError)
    assert info.value.billed is True and info.value.attempts == 1
    assert len(server.requests) == 1


def test_reset_after_sending_is_outcome_unknown(server: FakeFaceId) -> None:
    server.script = [RESET]
    with make_client(server.url) as client, pytest.raises(OutcomeUnknownError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == "OutcomeUnknown"
    assert len(server.requests) == 1
    # the client is still usable afterwards
    with make_client(server.url) as client:
        assert client.image_recognition_v2(face_request()).ok


def test_connection_refused_is_retried_then_network_error() -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{unused_port()}"
    with make_client(url, sleep=sleeps, max_attempts=3) as client, pytest.raises(NetworkError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == "ClientNetworkError" and info.value.billed is False
    assert info.value.attempts == 3 and len(sleeps.calls) == 2


def test_connect_timeout_is_network_error_within_bound() -> None:
    # A listening socket whose accept queue is full: further SYNs are dropped -> connect timeout.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
    time.sleep(0.05)
    try:
        settings = ClientSettings(
            endpoint=f"http://127.0.0.1:{port}", connect_timeout=0.3, read_timeout=5, max_attempts=2
        )
        sleeps = Sleeps()
        client = FaceIdClient(settings, StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY)), sleep=sleeps)
        t0 = time.monotonic()
        with client, pytest.raises(NetworkError) as info:
            client.image_recognition_v2(face_request())
        elapsed = time.monotonic() - t0
        assert info.value.code == "ClientNetworkError"
        assert info.value.attempts == 2 and len(sleeps.calls) == 1
        assert 0.55 <= elapsed < 3.0  # two real connect timeouts of 0.3 s, not a refusal
    finally:
        for s in fillers:
            s.close()
        listener.close()


def test_token_failure_refreshes_credentials_once(server: FakeFaceId) -> None:
    class Rotating:
        def __init__(self) -> None:
            self.refreshes = 0

        def get(self) -> Credential:
            return Credential(SECRET_ID, SECRET_KEY, f"token-{self.refreshes}")

        def refresh(self) -> Credential:
            self.refreshes += 1
            return self.get()

    provider = Rotating()
    server.script = [error("AuthFailure.TokenFailure")]
    with FaceIdClient(ClientSettings(endpoint=server.url), provider, sleep=Sleeps()) as client:
        assert client.image_recognition_v2(face_request()).ok
    assert provider.refreshes == 1
    assert [r.headers["X-TC-Token"] for r in server.requests] == ["token-0", "token-1"]

    server.script = [error("AuthFailure.TokenFailure"), error("AuthFailure.TokenFailure")]
    server.requests.clear()
    client = FaceIdClient(ClientSettings(endpoint=server.url), provider, sleep=Sleeps())
    with client, pytest.raises(ApiError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == "AuthFailure.TokenFailure" and len(server.requests) == 2


# ------------------------------------------------------------------------------ clock skew


def test_kiosk_clock_one_hour_behind_recovers_after_one_rejection(server: FakeFaceId) -> None:
    def skewed() -> float:
        return time.time() - 3600

    with make_client(server.url, time_fn=skewed) as client:
        resp = client.image_recognition_v2(face_request())
        assert resp.ok and resp.attempts == 2
        assert abs(client.clock_offset - 3600) < 3
        stamps = [int(r.headers["X-TC-Timestamp"]) for r in server.requests]
        assert abs(stamps[0] - (time.time() - 3600)) < 10  # first signed with the wrong clock
        assert abs(stamps[1] - time.time()) < 10  # retried with the corrected clock
        # the next call is right the first time
        assert client.image_recognition_v2(face_request()).attempts == 1
    assert len(server.requests) == 3


def test_clock_ahead_learned_from_any_response(server: FakeFaceId) -> None:
    server.skew = -7200.0  # the service's clock is 2 h behind the kiosk; no rejection needed to learn
    server.check_time = False
    server.date_header = "date"  # header names are case-insensitive
    with make_client(server.url) as client:
        client.image_recognition_v2(face_request())
        assert abs(client.clock_offset + 7200) < 3


def test_signature_expire_without_date_is_not_retried(server: FakeFaceId) -> None:
    server.send_date = False

    def skewed() -> float:
        return time.time() + 4000

    with make_client(server.url, time_fn=skewed) as client, pytest.raises(ApiError) as info:
        client.image_recognition_v2(face_request())
    assert info.value.code == "AuthFailure.SignatureExpire" and len(server.requests) == 1


# ------------------------------------------------------------------------------ limits


def test_rate_limit_spreads_calls_over_time(server: FakeFaceId) -> None:
    with make_client(server.url, sleep=time.sleep, rate_limits={"ImageRecognitionV2": 5.0}) as client:
        t0 = time.monotonic()
        for _ in range(7):
            client.image_recognition_v2(face_request())
        elapsed = time.monotonic() - t0
    arrivals = [r.arrived for r in server.requests]
    assert len(arrivals) == 7
    assert elapsed >= 0.95
    for i in range(len(arrivals) - 5):
        assert arrivals[i + 5] - arrivals[i] >= 0.9  # never more than 5 in any 1 s window (+ jitter slack)


def test_rate_limit_bounded_wait_raises_without_sending(server: FakeFaceId) -> None:
    with make_client(
        server.url, sleep=time.sleep, rate_limits={"ImageRecognitionV2": 2.0}, rate_limit_max_wait=0.1
    ) as client:
        client.image_recognition_v2(face_request())
        client.image_recognition_v2(face_request())
        with pytest.raises(RateLimitedError) as info:
            client.image_recognition_v2(face_request())
    assert isinstance(info.value, NetworkError) and info.value.billed is False
    assert len(server.requests) == 2


def test_daily_budget(server: FakeFaceId) -> None:
    server.script = [ok_face(), error("InvalidParameter"), ok_face()]
    with make_client(server.url, daily_budget=2) as client:
        client.image_recognition_v2(face_request())
        assert client.budget_remaining == 1
        with pytest.raises(ApiError):
            client.image_recognition_v2(face_request())  # not billed: slot given back
        assert client.budget_remaining == 1
        client.image_recognition_v2(face_request())
        assert client.budget_remaining == 0
        with pytest.raises(BudgetExceededError):
            client.image_recognition_v2(face_request())
    assert len(server.requests) == 3


# ------------------------------------------------------------------------------ config


@pytest.mark.parametrize(
    "endpoint",
    ["http://faceid.intl.tencentcloudapi.com", "http://10.0.0.5:8080", "ftp://127.0.0.1", "https://x/path"],
)
def test_plain_http_only_for_loopback(endpoint: str) -> None:
    with pytest.raises(ConfigError):
        FaceIdClient(ClientSettings(endpoint=endpoint), StaticCredentialProvider(Credential("a", "b")))


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:1", "http://127.8.9.1", "http://[::1]:99", "http://localhost"])
def test_loopback_http_accepted(endpoint: str) -> None:
    FaceIdClient(ClientSettings(endpoint=endpoint), StaticCredentialProvider(Credential("a", "b"))).close()


def test_invalid_request_is_rejected_before_sending(server: FakeFaceId) -> None:
    from kiosk.core.faceid.errors import InvalidRequestError

    with make_client(server.url) as client, pytest.raises(InvalidRequestError):
        client.image_recognition_v2(ImageRecognitionV2Request(id_card="123", name=NAME, image_base64="AAAA"))
    assert server.requests == []


# ------------------------------------------------------------------------------ logs


def test_no_secret_or_pii_in_logs_during_full_cycle(server: FakeFaceId, caplog: pytest.LogCaptureFixture) -> None:
    token = "STS-SECRET-TOKEN-9f8e7d"
    cred = Credential(SECRET_ID, SECRET_KEY, token)
    server.script = [
        error("RequestLimitExceeded"),
        ok_face(),
        ok_card(),
        error("FailedOperation.IdNameMisMatch"),
        RESET,
    ]
    image_b64 = base64.b64encode(JPEG).decode()
    caplog.set_level(logging.DEBUG)
    with FaceIdClient(
        ClientSettings(endpoint=server.url, encrypt_fields=False), StaticCredentialProvider(cred), sleep=Sleeps()
    ) as client:
        client.image_recognition_v2(face_request())
        card = client.check_id_card_information(CheckIdCardInformationRequest.from_image(JPEG))
        with pytest.raises(ApiError) as e1:
            client.image_recognition_v2(face_request())
        with pytest.raises(OutcomeUnknownError) as e2:
            client.image_recognition_v2(face_request())
    texts = [r.getMessage() for r in caplog.records]
    texts += [repr(card), str(card), repr(e1.value), str(e2.value), repr(client), repr(cred)]
    assert any("request_id=rid-face-ok" in t for t in texts)
    forbidden = [SECRET_KEY, token, ID, NAME, "北京市", image_b64[:40], "1949/12/31"]
    for text in texts:
        for secret in forbidden:
            assert secret not in text, (secret, text)
    assert card.id_num == ID  # the data itself is intact, only its representations are masked
