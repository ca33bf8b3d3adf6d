"""Encryption round trips through the real client and a local server holding the private key."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.crypto import (
    aes_cbc_decrypt,
    encrypt_body,
    encrypt_response_fields,
    rsa_unwrap_key,
)
from kiosk.core.faceid.errors import DecryptionError
from kiosk.core.faceid.models import CheckIdCardInformationRequest, ImageRecognitionV2Request
from kiosk.core.faceid.settings import ClientSettings
from tests.core.faceid.fakeserver import SECRET_ID, SECRET_KEY, FakeFaceId, Recorded, body

ID = "440524188001010014"
NAME = "爱新觉罗永琪"
JPEG = b"\xff\xd8\xff\xe0" + os.urandom(2048) + b"\xff\xd9"


@pytest.fixture(scope="module")
def keypair() -> tuple[str, str]:
    priv = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    priv_pem = priv.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    pub_pem = priv.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    return pub_pem, priv_pem


@pytest.fixture
def server() -> Iterator[FakeFaceId]:
    with FakeFaceId() as srv:
        yield srv


def client_for(url: str, pub_pem: str, **kw: Any) -> FaceIdClient:
    settings = ClientSettings(endpoint=url, encryption_public_key_pem=pub_pem, **kw)
    return FaceIdClient(settings, StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY)))


def _request_key(req: Recorded, priv_pem: str) -> tuple[bytes, bytes, dict[str, Any]]:
    enc = req.json()["Encryption"]
    key = rsa_unwrap_key(priv_pem, enc["CiphertextBlob"])
    return key, base64.b64decode(enc["Iv"]), enc


def test_image_recognition_fields_encrypted(server: FakeFaceId, keypair: tuple[str, str]) -> None:
    pub, priv = keypair
    seen: dict[str, Any] = {}

    def step(req: Recorded) -> tuple[int, dict[str, str], bytes]:
        key, iv, enc = _request_key(req, priv)
        params = req.json()
        seen["keys"] = list(params)
        seen["enc"] = enc
        seen["id"] = aes_cbc_decrypt(key, iv, base64.b64decode(params["IdCard"])).decode()
        seen["name"] = aes_cbc_decrypt(key, iv, base64.b64decode(params["Name"])).decode()
        seen.setdefault("keys_used", []).append(key)
        return 200, {}, body({"Response": {"Result": "Success", "Sim": 88.0, "RequestId": "rid-enc"}})

    server.default = step
    with client_for(server.url, pub, encrypt_fields=True) as client:
        req = ImageRecognitionV2Request.from_image(JPEG, id_card=ID, name=NAME)
        assert client.image_recognition_v2(req).ok
        client.image_recognition_v2(req)
    assert seen["id"] == ID and seen["name"] == NAME
    assert seen["keys"] == ["IdCard", "Name", "ImageBase64", "Encryption"]
    assert list(seen["enc"]) == ["EncryptList", "CiphertextBlob", "Iv", "Algorithm", "TagList"]
    assert seen["enc"]["EncryptList"] == ["IdCard", "Name"]
    assert seen["enc"]["Algorithm"] == "AES-256-CBC" and seen["enc"]["TagList"] == []
    assert len(base64.b64decode(seen["enc"]["CiphertextBlob"])) == 128
    raw_bodies = [r.body for r in server.requests]
    assert all(ID.encode() not in b for b in raw_bodies)
    # a fresh key and IV per request
    assert len({r.json()["Encryption"]["Iv"] for r in server.requests}) == 2
    assert len(set(seen["keys_used"])) == 2 and all(len(k) == 32 for k in seen["keys_used"])


def test_per_request_override_disables_encryption(server: FakeFaceId, keypair: tuple[str, str]) -> None:
    pub, _ = keypair
    with client_for(server.url, pub, encrypt_fields=True) as client:
        client.image_recognition_v2(ImageRecognitionV2Request.from_image(JPEG, id_card=ID, name=NAME, encrypt=False))
    params = server.requests[0].json()
    assert params["IdCard"] == ID and "Encryption" not in params


def test_check_id_card_is_encrypt_fields(server: FakeFaceId, keypair: tuple[str, str]) -> None:
    pub, priv = keypair

    def step(req: Recorded) -> tuple[int, dict[str, str], bytes]:
        key, _iv, _enc = _request_key(req, priv)
        plain = {
            "Result": "Success",
            "Description": "成功",
            "Sim": 97.5,
            "Name": NAME,
            "IdNum": ID,
            "Sex": "男",
            "Nation": "满",
            "Birth": "1880/01/01",
            "Address": "北京",
            "Portrait": "",
            "Warnings": "",
            "Quality": 90,
            "RequestId": "rid-isenc",
        }
        fresh_iv = os.urandom(16)  # the service may use its own IV: the client must use the response's
        return 200, {}, body({"Response": encrypt_response_fields(plain, key, fresh_iv, ["IdNum", "Name"])})

    server.default = step
    with client_for(server.url, pub) as client:
        resp = client.check_id_card_information(CheckIdCardInformationRequest.from_image(JPEG, is_encrypt=True))
    assert resp.id_num == ID and resp.name == NAME and resp.sim == 97.5
    sent = server.requests[0].json()
    assert sent["IsEncrypt"] is True and sent["Encryption"]["EncryptList"] == []


def test_check_id_card_is_encrypt_response_body(server: FakeFaceId, keypair: tuple[str, str]) -> None:
    pub, priv = keypair

    def step(req: Recorded) -> tuple[int, dict[str, str], bytes]:
        key, _iv, _enc = _request_key(req, priv)
        iv = os.urandom(16)
        inner = {
            "Result": "FailedOperation.OcrWarningOccurred",
            "Sim": 0,
            "Warnings": "-8001",
            "IdNum": ID,
            "Name": NAME,
            "Description": "出现OCR告警",
        }
        payload = {
            "Response": {
                "EncryptedBody": encrypt_body(inner, key, iv),
                "Encryption": {"Iv": base64.b64encode(iv).decode(), "Algorithm": "AES-256-CBC", "TagList": []},
                "RequestId": "rid-body",
            }
        }
        return 200, {}, body(payload)

    server.default = step
    with client_for(server.url, pub) as client:
        resp = client.check_id_card_information(
            CheckIdCardInformationRequest.from_image(JPEG, is_encrypt_response=True)
        )
    assert resp.result == "FailedOperation.OcrWarningOccurred"
    assert resp.warnings == ("-8001",) and resp.id_num == ID and resp.request_id == "rid-body"
    assert resp.outcome.message_key == "warn.card_blurry"
    sent = server.requests[0].json()
    assert sent["IsEncryptResponse"] is True
    assert sent["Encryption"]["EncryptList"] == ["EncryptionBody"]


def test_undecryptable_response_is_decryption_error(server: FakeFaceId, keypair: tuple[str, str]) -> None:
    pub, _ = keypair
    garbage = base64.b64encode(os.urandom(32)).decode()
    server.default = lambda _req: (
        200,
        {},
        json.dumps(
            {
                "Response": {
                    "EncryptedBody": garbage,
                    "Encryption": {"Iv": base64.b64encode(os.urandom(16)).decode()},
                    "RequestId": "rid-bad",
                }
            }
        ).encode(),
    )
    with client_for(server.url, pub) as client, pytest.raises(DecryptionError) as info:
        client.check_id_card_information(CheckIdCardInformationRequest.from_image(JPEG, is_encrypt_response=True))
    assert info.value.request_id == "rid-bad" and info.value.billed is True
    assert len(server.requests) == 1
