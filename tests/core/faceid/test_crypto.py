"""AES-256-CBC / RSA PKCS#1 v1.5: vendor vector, round trips, failure modes."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.faceid.crypto import (
    TENCENT_RSA_PUBLIC_KEY_PEM,
    CryptoError,
    EncryptionSession,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    decrypt_body,
    decrypt_response_fields,
    encrypt_body,
    encrypt_response_fields,
    load_rsa_public_key,
    rsa_unwrap_key,
    rsa_wrap_key,
)

# Tencent's faceid-api-crypto-nodejs example (decrypt of a mocked GetDetectInfoEnhanced answer)
VENDOR_KEY = base64.b64decode("XJKXDwFwoYHoORb/g1ReMJ+POptUa7Ax4R+CRI0GLgU=")
VENDOR_RESPONSE = {
    "Encryption": {
        "CiphertextBlob": "unused-here",
        "EncryptList": ["Response.Text.IdCard", "Response.Text.Name"],
        "Iv": "vTjCqg1Xz6Lh0pJZCNjAAQ==",
        "TagList": [],
    },
    "RequestId": "d55782f3-dc0f-4484-a067-ff2046fe659e",
    "Text": {
        "IdCard": "8TEJyC4YWALmK5U9cw+R+1Rvs4LuNRAAm8LQkwrJEa4=",
        "Name": "QR3meQHDzArXCIuJIyETLzRtOjg0vjRxcYdKQTOE7vw=",
    },
}


@pytest.fixture(scope="module")
def keypair() -> tuple[str, str]:
    priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        priv.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
        priv.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode(),
    )


def test_vendor_vector() -> None:
    out = decrypt_response_fields(VENDOR_RESPONSE, VENDOR_KEY)
    assert out["Text"] == {"IdCard": "440111111111111111", "Name": "爱新觉罗永琪"}
    assert VENDOR_RESPONSE["Text"]["IdCard"].startswith("8TEJ")  # input not mutated


def test_vendor_vector_with_wrong_key_fails() -> None:
    with pytest.raises(CryptoError):
        decrypt_response_fields(VENDOR_RESPONSE, bytes(32))


def test_tencent_public_key_constant() -> None:
    key = load_rsa_public_key(TENCENT_RSA_PUBLIC_KEY_PEM)
    assert key.key_size == 1024 and key.public_numbers().e == 65537
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    assert hashlib.sha256(der).hexdigest() == "63350c29ad1c5d2736f041dbed79428a47666f2e7d3055472d7908af12cc1c30"
    assert len(base64.b64decode(rsa_wrap_key(TENCENT_RSA_PUBLIC_KEY_PEM, os.urandom(32)))) == 128


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_aes_round_trip(data: bytes) -> None:
    key, iv = os.urandom(32), os.urandom(16)
    ct = aes_cbc_encrypt(key, iv, data)
    assert len(ct) % 16 == 0 and len(ct) > len(data)
    assert aes_cbc_decrypt(key, iv, ct) == data


def test_aes_known_answer() -> None:
    # NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt), first block, plus our PKCS#7 block
    key = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
    iv = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    pt = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
    assert aes_cbc_encrypt(key, iv, pt)[:16].hex() == "f58c4c04d6e5f1ba779eabfb5f7bfbd6"


@pytest.mark.parametrize(
    ("key", "iv", "ct"),
    [
        (b"k" * 31, b"i" * 16, b"x" * 16),
        (b"k" * 32, b"i" * 15, b"x" * 16),
        (b"k" * 32, b"i" * 16, b""),
        (b"k" * 32, b"i" * 16, b"x" * 17),
    ],
)
def test_aes_rejects_bad_inputs(key: bytes, iv: bytes, ct: bytes) -> None:
    with pytest.raises(CryptoError):
        aes_cbc_decrypt(key, iv, ct)


def test_rsa_wrap_round_trip(keypair: tuple[str, str]) -> None:
    pub, priv = keypair
    key = os.urandom(32)
    assert rsa_unwrap_key(priv, rsa_wrap_key(pub, key)) == key
    with pytest.raises(CryptoError):
        rsa_wrap_key("not a key", key)
    with pytest.raises(CryptoError):
        rsa_unwrap_key(priv, "!!!")


def test_session_fresh_key_and_iv_and_masked_repr(keypair: tuple[str, str]) -> None:
    pub, priv = keypair
    a, b = EncryptionSession(pub), EncryptionSession(pub)
    assert a.key != b.key and a.iv != b.iv and len(a.key) == 32 and len(a.iv) == 16
    assert a.key.hex() not in repr(a) and "masked" in repr(a)
    obj = a.encryption_object(["IdCard", "Name"])
    assert list(obj) == ["EncryptList", "CiphertextBlob", "Iv", "Algorithm", "TagList"]
    assert rsa_unwrap_key(priv, obj["CiphertextBlob"]) == a.key
    assert base64.b64decode(obj["Iv"]) == a.iv
    assert obj["CiphertextBlob"] == a.ciphertext_blob  # wrapped once per session


def test_response_fields_round_trip() -> None:
    key, iv = os.urandom(32), os.urandom(16)
    plain = {"Result": "Success", "IdNum": "440524188001010014", "Name": "张三", "Sim": 90.0, "Sex": "男"}
    enc = encrypt_response_fields(plain, key, iv, ["IdNum", "Name"])
    assert enc["IdNum"] != plain["IdNum"] and enc["Sex"] == "男"
    session = EncryptionSession(TENCENT_RSA_PUBLIC_KEY_PEM, key=key, iv=os.urandom(16))
    out = session.decrypt_response(enc)
    assert out["IdNum"] == plain["IdNum"] and out["Name"] == "张三"  # used the response's IV


def test_response_body_round_trip() -> None:
    key, iv = os.urandom(32), os.urandom(16)
    inner = {"Result": "Success", "Sim": 88.5, "Name": "韦小宝"}
    blob = encrypt_body(inner, key, iv)
    assert decrypt_body(blob, key, iv) == inner
    session = EncryptionSession(TENCENT_RSA_PUBLIC_KEY_PEM, key=key)
    out = session.decrypt_response(
        {"EncryptedBody": blob, "Encryption": {"Iv": base64.b64encode(iv).decode()}, "RequestId": "r"}
    )
    assert out["Sim"] == 88.5 and out["RequestId"] == "r" and out["EncryptedBody"] == ""


@pytest.mark.parametrize(
    "response",
    [
        {"Encryption": {"EncryptList": ["Response.IdNum"], "Iv": "%%%"}, "IdNum": "AAAA"},
        {
            "Encryption": {"EncryptList": ["Response.IdNum"], "Iv": base64.b64encode(b"i" * 16).decode()},
            "IdNum": "not base64!",
        },
        {"Encryption": {"EncryptList": ["Response..x"]}, "IdNum": "AAAA"},
        {"Encryption": {"EncryptList": ["Response.IdNum"], "Algorithm": "SM4-GCM"}, "IdNum": "AAAA"},
        {"Encryption": {"EncryptList": "Response.IdNum"}, "IdNum": "AAAA"},
        {"EncryptedBody": base64.b64encode(b"x" * 16).decode()},
    ],
)
def test_bad_encrypted_responses_raise_crypto_error(response: dict[str, object]) -> None:
    session = EncryptionSession(TENCENT_RSA_PUBLIC_KEY_PEM, key=b"k" * 32, iv=b"i" * 16)
    with pytest.raises(CryptoError) as info:
        session.decrypt_response(response)
    assert "k" * 8 not in str(info.value)


def test_missing_listed_field_is_left_alone() -> None:
    session = EncryptionSession(TENCENT_RSA_PUBLIC_KEY_PEM, key=b"k" * 32, iv=b"i" * 16)
    out = session.decrypt_response(
        {"Encryption": {"EncryptList": ["Response.IdNum", "Response.Name"]}, "Name": "", "Result": "X"}
    )
    assert out["Name"] == "" and "IdNum" not in out
