"""The emulator's wire protocol with the official SDK over real sockets: TC3 authentication,
clock skew and the Date header, tokens, rate limits, GET, languages, encryption, TLS, threads."""

from __future__ import annotations

import base64
import email.utils
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from kiosk.core.faceid import signing
from kiosk.core.faceid.crypto import aes_cbc_decrypt, aes_cbc_encrypt, rsa_wrap_key
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.emulator.fixtures import (
    b64,
    check_request,
    demo_card_photo,
    demo_registry,
    face_photo,
    face_request,
    raw_call,
    sdk_client,
    shared_matcher,
)
from tests.emulator.fixtures import emulator as emulator  # noqa: PLC0414 - re-exported fixture
from tests.emulator.helpers import jpeg_bytes

CARD, FACE = "CheckIdCardInformation", "ImageRecognitionV2"


def zhao():
    return demo_registry().people[1]


def grace_jpeg() -> bytes:
    return jpeg_bytes(face_photo("grace_hopper.jpg").copy(), 85)


def assert_date_header(resp: requests.Response, offset: float = 0.0) -> None:
    date = resp.headers["Date"]
    assert date.endswith(" GMT")
    parsed = email.utils.parsedate_to_datetime(date)
    assert abs(parsed.timestamp() - (time.time() + offset)) < 5


def test_sdk_success_both_actions(emulator: EmulatorServer) -> None:
    client = sdk_client(emulator)
    card = client.CheckIdCardInformation(check_request(demo_card_photo(1), {"BorderCheckWarn": True}))
    assert card.Result == "Success" and card.Sim >= 70 and card.IdNum == zhao().id_number
    face = client.ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
    assert face.Result == "Success" and face.Sim >= 70 and face.RequestId


def test_get_requests_work(emulator: EmulatorServer) -> None:
    bryan = demo_registry().people[2]
    small = jpeg_bytes(face_photo("codait_bryan.png").copy(), 80)  # small enough for a 32 KB GET
    resp = sdk_client(emulator, method="GET").ImageRecognitionV2(face_request(bryan, small))
    assert resp.Result == "Success"


def test_every_answer_has_date_and_request_id(emulator: EmulatorServer) -> None:
    ok = raw_call(emulator, FACE, {"IdCard": zhao().id_number, "Name": zhao().name, "ImageBase64": b64(grace_jpeg())})
    bad = raw_call(emulator, FACE, {}, secret_key="nope")
    for resp in (ok, bad):
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"
        assert_date_header(resp)
        assert len(resp.json()["Response"]["RequestId"]) == 36
    assert ok.json()["Response"]["RequestId"] != bad.json()["Response"]["RequestId"]


def test_signature_checks(emulator: EmulatorServer) -> None:
    params = {"IdCard": zhao().id_number, "Name": zhao().name, "ImageBase64": "AAAA"}
    body = json.dumps(params).encode()
    ts = int(time.time())
    auth = signing.sign_tc3(
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        host=emulator.endpoint,
        method="POST",
        content_type="application/json",
        payload=body,
        canonical_query="",
        timestamp=ts,
    )
    # body changed after signing
    tampered = raw_call(emulator, FACE, authorization=auth, body=body.replace(b"AAAA", b"BBBB"), timestamp=ts)
    assert tampered.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    # signed for another host
    other_host = signing.sign_tc3(
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        host="faceid.intl.tencentcloudapi.com",
        method="POST",
        content_type="application/json",
        payload=body,
        canonical_query="",
        timestamp=ts,
    )
    resp = raw_call(emulator, FACE, authorization=other_host, body=body, timestamp=ts)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    # scope date that does not match the timestamp
    yesterday = auth.replace(signing.tc3_date(ts), signing.tc3_date(ts - 86400))
    resp = raw_call(emulator, FACE, authorization=yesterday, body=body, timestamp=ts)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    # correct signature passes authentication (then fails on the image, which proves it got through)
    resp = raw_call(emulator, FACE, authorization=auth, body=body, timestamp=ts)
    assert resp.json()["Response"]["Error"]["Code"] == "FailedOperation.ImageDecodeFailed"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Basic dXNlcjpwYXNz",
        "TC3-HMAC-SHA256 Credential=a/b/faceid/tc3_request",
        "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/faceid/tc3_request, SignedHeaders=content-type;host, Signature=zz",
        "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature="
        + "a" * 64,
    ],
)
def test_malformed_authorization(emulator: EmulatorServer, header: str) -> None:
    resp = raw_call(emulator, FACE, {}, authorization=header)
    assert resp.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


def test_missing_timestamp_and_unsigned_payload(emulator: EmulatorServer) -> None:
    resp = raw_call(emulator, FACE, {}, headers={"X-TC-Timestamp": None})
    assert resp.json()["Response"]["Error"]["Code"] == "MissingParameter"
    params = {"IdCard": "1", "Name": "x", "ImageBase64": "AAAA"}
    body = json.dumps(params).encode()
    ts = int(time.time())
    auth = signing.sign_tc3(
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        host=emulator.endpoint,
        method="POST",
        content_type="application/json",
        payload=body,
        canonical_query="",
        timestamp=ts,
        unsigned_payload=True,
    )
    resp = raw_call(
        emulator, FACE, authorization=auth, body=body, timestamp=ts, headers={"X-TC-Content-SHA256": "UNSIGNED-PAYLOAD"}
    )
    assert resp.json()["Response"]["Error"]["Code"] == "FailedOperation.IdFormatError"


@pytest.mark.parametrize("offset", [-360, 360])
def test_clock_skew_and_date_header(offset: int) -> None:
    with EmulatorServer(registry=demo_registry(), clock=lambda: time.time() + offset, matcher=shared_matcher()) as emu:
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emu).ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
        assert info.value.code == "AuthFailure.SignatureExpire"
        # a client that corrects its clock from the Date header gets through
        resp = raw_call(emu, FACE, {}, timestamp=int(time.time()) + offset)
        assert_date_header(resp, offset)
        server_now = email.utils.parsedate_to_datetime(resp.headers["Date"]).timestamp()
        fixed = raw_call(emu, FACE, {"IdCard": "1", "Name": "x", "ImageBase64": "AAAA"}, timestamp=int(server_now))
        assert fixed.json()["Response"]["Error"]["Code"] == "FailedOperation.IdFormatError"
    # 4 minutes off is still accepted
    with EmulatorServer(registry=demo_registry(), clock=lambda: time.time() + 240, matcher=shared_matcher()) as emu:
        assert sdk_client(emu).ImageRecognitionV2(face_request(zhao(), grace_jpeg())).Result == "Success"


def test_token() -> None:
    with EmulatorServer(registry=demo_registry(), token="sts-token-1", matcher=shared_matcher()) as emu:
        assert sdk_client(emu, token="sts-token-1").ImageRecognitionV2(face_request(zhao(), grace_jpeg())).Sim > 70
        for token in ("sts-token-2", None):
            with pytest.raises(TencentCloudSDKException) as info:
                sdk_client(emu, token=token).ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
            assert info.value.code == "AuthFailure.TokenFailure"


def test_custom_credentials_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_EMULATOR_SECRET_ID", "AKIDfromEnvironment")
    monkeypatch.setenv("KIOSK_EMULATOR_SECRET_KEY", "keyFromEnvironment")
    with EmulatorServer(registry=demo_registry(), matcher=shared_matcher()) as emu:
        assert emu.secret_id == "AKIDfromEnvironment"
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emu).ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
        assert info.value.code == "AuthFailure.SecretIdNotFound"
        ok = sdk_client(emu, secret_id="AKIDfromEnvironment", secret_key="keyFromEnvironment")
        assert ok.ImageRecognitionV2(face_request(zhao(), grace_jpeg())).Result == "Success"
    with EmulatorServer(registry=demo_registry(), secret_id="AKIDexplicit", secret_key="explicit") as emu:
        assert (emu.secret_id, emu.secret_key) == ("AKIDexplicit", "explicit")


def _burst(emu: EmulatorServer, action: str, n: int) -> tuple[list[str | None], float]:
    session = requests.Session()
    params = {"IdCard": "1", "Name": "x", "ImageBase64": "AAAA"} if action == FACE else {"ImageBase64": ""}
    body = json.dumps(params).encode()
    codes_seen: list[str | None] = []
    start = time.monotonic()
    for _ in range(n):
        ts = int(time.time())
        auth = signing.sign_tc3(
            secret_id=DEMO_SECRET_ID,
            secret_key=DEMO_SECRET_KEY,
            host=emu.endpoint,
            method="POST",
            content_type="application/json",
            payload=body,
            canonical_query="",
            timestamp=ts,
        )
        resp = session.post(
            emu.url,
            data=body,
            timeout=10,
            headers={
                "Authorization": auth,
                "Content-Type": "application/json",
                "X-TC-Action": action,
                "X-TC-Version": "2018-03-01",
                "X-TC-Timestamp": str(ts),
            },
        )
        codes_seen.append(resp.json()["Response"].get("Error", {}).get("Code"))
    return codes_seen, time.monotonic() - start


@pytest.mark.parametrize(("action", "limit"), [(FACE, 20), (CARD, 100)])
def test_rate_limits(action: str, limit: int) -> None:
    with EmulatorServer(registry=demo_registry(), matcher=shared_matcher()) as emu:
        seen, elapsed = _burst(emu, action, limit + 5)
        if elapsed >= 1.0:
            pytest.skip(f"machine too slow for a one-second burst ({elapsed:.2f} s)")
        limited = [c for c in seen if c == "RequestLimitExceeded"]
        assert len(limited) == 5 and "RequestLimitExceeded" not in seen[:limit]
        time.sleep(1.05)
        again, _ = _burst(emu, action, 1)
        assert again != ["RequestLimitExceeded"]
        # through the SDK: the code it raises
        for _ in range(limit + 1):
            try:
                if action == FACE:
                    sdk_client(emu).ImageRecognitionV2(face_request(("1", "x"), "AAAA"))
                else:
                    sdk_client(emu).CheckIdCardInformation(check_request(""))
            except TencentCloudSDKException as exc:
                last = exc.code
        assert last in ("RequestLimitExceeded", "FailedOperation.IdFormatError", "FailedOperation.EmptyImageError")


def test_languages(emulator: EmulatorServer) -> None:
    zh = sdk_client(emulator, language="zh-CN").ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
    en = sdk_client(emulator, language="en-US").ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
    assert (zh.Description, en.Description) == ("成功", "Success")
    for language, text in (("zh-CN", "密钥不存在"), ("en-US", "does not exist")):
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emulator, secret_id="AKIDx", language=language).ImageRecognitionV2(
                face_request(zhao(), grace_jpeg())
            )
        assert text in info.value.message


def test_request_encryption_image_recognition(emulator: EmulatorServer) -> None:
    key, iv = b"K" * 32, b"V" * 16
    req = face_request(zhao(), grace_jpeg())
    req.IdCard = base64.b64encode(aes_cbc_encrypt(key, iv, zhao().id_number.encode())).decode()
    req.Name = base64.b64encode(aes_cbc_encrypt(key, iv, zhao().name.encode())).decode()
    req.Encryption = {
        "Algorithm": "AES-256-CBC",
        "EncryptList": ["IdCard", "Name"],
        "CiphertextBlob": rsa_wrap_key(emulator.public_key_pem, key),
        "Iv": base64.b64encode(iv).decode(),
        "TagList": [],
    }
    from tencentcloud.faceid.v20180301 import models

    enc = models.Encryption()
    enc._deserialize(req.Encryption)
    req.Encryption = enc
    resp = sdk_client(emulator).ImageRecognitionV2(req)
    assert resp.Result == "Success"
    # a different key for the fields than the one wrapped: decryption fails
    req.Name = base64.b64encode(aes_cbc_encrypt(b"X" * 32, iv, zhao().name.encode())).decode()
    with pytest.raises(TencentCloudSDKException) as info:
        sdk_client(emulator).ImageRecognitionV2(req)
    assert info.value.code == "FailedOperation.DecryptSystemError"


def _encryption(emu: EmulatorServer, key: bytes) -> dict:
    return {
        "Algorithm": "AES-256-CBC",
        "CiphertextBlob": rsa_wrap_key(emu.public_key_pem, key),
        "Iv": base64.b64encode(b"I" * 16).decode(),
        "EncryptList": ["EncryptionBody"],
    }


def test_response_field_encryption_check_id_card(emulator: EmulatorServer) -> None:
    key = b"F" * 32
    resp = raw_call(
        emulator,
        CARD,
        {"ImageBase64": b64(demo_card_photo(1)), "IsEncrypt": True, "Encryption": _encryption(emulator, key)},
    ).json()["Response"]
    assert resp["Result"] == "Success"
    enc = resp["Encryption"]
    assert enc["EncryptList"] == ["Response.IdNum", "Response.Name"] and enc["Algorithm"] == "AES-256-CBC"
    iv = base64.b64decode(enc["Iv"])
    assert iv != b"I" * 16  # the response has its own Iv
    assert aes_cbc_decrypt(key, iv, base64.b64decode(resp["IdNum"])).decode() == zhao().id_number
    assert aes_cbc_decrypt(key, iv, base64.b64decode(resp["Name"])).decode() == zhao().name
    assert resp["Address"] == zhao().address  # other fields stay plain


def test_response_body_encryption_check_id_card(emulator: EmulatorServer) -> None:
    key = b"B" * 32
    resp = raw_call(
        emulator,
        CARD,
        {"ImageBase64": b64(demo_card_photo(1)), "IsEncryptResponse": True, "Encryption": _encryption(emulator, key)},
    ).json()["Response"]
    assert set(resp) == {"EncryptedBody", "Encryption", "RequestId"}
    plain = aes_cbc_decrypt(key, base64.b64decode(resp["Encryption"]["Iv"]), base64.b64decode(resp["EncryptedBody"]))
    body = json.loads(plain)
    assert body["Result"] == "Success" and body["IdNum"] == zhao().id_number and body["Sim"] >= 70


def test_client_crypto_helpers_interoperate(emulator: EmulatorServer) -> None:
    """The FaceID client's own helpers decrypt what the emulator encrypts."""
    from kiosk.core.faceid import crypto

    key = b"C" * 32
    resp = raw_call(
        emulator,
        CARD,
        {"ImageBase64": b64(demo_card_photo(1)), "IsEncrypt": True, "Encryption": _encryption(emulator, key)},
    ).json()
    plain = crypto.decrypt_response_fields(resp["Response"], key)
    assert plain["IdNum"] == zhao().id_number and plain["Name"] == zhao().name


def test_tls_with_ca_file() -> None:
    with EmulatorServer(registry=demo_registry(), tls=True, matcher=shared_matcher()) as emu:
        assert emu.url.startswith("https://") and emu.ca_file is not None and emu.ca_file.is_file()
        client = sdk_client(emu, ca_file=str(emu.ca_file))
        assert client.ImageRecognitionV2(face_request(zhao(), grace_jpeg())).Result == "Success"
        resp = raw_call(emu, FACE, {})
        assert_date_header(resp)
        with pytest.raises(requests.exceptions.SSLError):
            requests.post(emu.url, data=b"{}", timeout=5)  # not trusted without the CA file
        with pytest.raises(TencentCloudSDKException) as info:
            sdk_client(emu).ImageRecognitionV2(face_request(zhao(), grace_jpeg()))
        assert info.value.code == "ClientNetworkError"
        ca = emu.ca_file
    assert not ca.exists()  # temporary key material is removed on stop


def test_concurrent_clients(emulator: EmulatorServer) -> None:
    people = demo_registry().people

    def one(i: int) -> str:
        person = people[1] if i % 2 else people[3]
        image = grace_jpeg() if i % 2 else jpeg_bytes(face_photo("codait_luciano.png").copy(), 85)
        return sdk_client(emulator).ImageRecognitionV2(face_request(person, image)).Result

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(one, range(12)))
    assert results == ["Success"] * 12


def test_stop_is_clean_and_idempotent() -> None:
    emu = EmulatorServer(registry=demo_registry(), matcher=shared_matcher()).start()
    session = requests.Session()  # keep-alive connection open during stop
    assert session.post(emu.url, data=b"{}", timeout=5).status_code == 200
    emu.stop()
    emu.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        session.post(emu.url, data=b"{}", timeout=5)
    assert datetime.now(UTC)  # no hang
