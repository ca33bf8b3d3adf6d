"""FaceID data encryption (faceid-api.md §3): AES-256-CBC fields, RSA PKCS#1 v1.5 key wrapping.

Client side (what :class:`EncryptionSession` does for one request):

* a fresh random 32-byte AES key and 16-byte IV per request (never reused across requests);
* each sensitive request field -> ``base64(AES-256-CBC(PKCS#7(utf8(value))))``;
* ``Encryption = {EncryptList, CiphertextBlob, Iv, Algorithm, TagList: []}`` (SDK key order),
  ``CiphertextBlob = base64(RSA-PKCS1v15(public key, aes key))``, ``Iv = base64(iv)``;
* decryption of ``IsEncrypt`` responses by walking ``Encryption.EncryptList`` paths such as
  ``Response.IdNum`` and of ``IsEncryptResponse`` ``EncryptedBody`` with the *response's* Iv.

Server side helpers (:func:`rsa_unwrap_key`, :func:`encrypt_response_fields`,
:func:`encrypt_body`) exist for the emulator and the tests.

Ownership/threading: an :class:`EncryptionSession` belongs to exactly one client call (one
thread); it holds the plaintext key in memory only for that call and never exposes it in
``repr``. Module functions are pure and thread-safe.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "AES_256_CBC",
    "TENCENT_RSA_PUBLIC_KEY_PEM",
    "CryptoError",
    "EncryptionSession",
    "aes_cbc_decrypt",
    "aes_cbc_encrypt",
    "decrypt_body",
    "decrypt_response_fields",
    "encrypt_body",
    "encrypt_response_fields",
    "load_rsa_public_key",
    "rsa_unwrap_key",
    "rsa_wrap_key",
]

AES_256_CBC = "AES-256-CBC"
KEY_BYTES = 32
IV_BYTES = 16

TENCENT_RSA_PUBLIC_KEY_PEM = """-----BEGIN RSA PUBLIC KEY-----
MIGJAoGBAMRJoaUkZN1d5Mp8F5V6itXmSLNM5Z771afayoI49SndkFtsspHS402Z
EUUPQfqbuZk/VuSh59LtA/fBKzb4BP5bV8aqogVhG4e/q+NDkwlaq0i31HwLyBla
EojE/EEHpXBsuEkVTbKEy5elRq9toL7IZ80i+H2mtfU5CPsar+R3AgMBAAE=
-----END RSA PUBLIC KEY-----
"""
"""Tencent's published 1024-bit FaceID RSA key (PKCS#1 PEM; DER SHA-256 63350c29...1c30)."""


class CryptoError(ValueError):
    """Encryption/decryption failed. Messages never include key material or plaintext."""


# --------------------------------------------------------------------------------------------
# primitives
# --------------------------------------------------------------------------------------------


def _check_key_iv(key: bytes, iv: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise CryptoError("AES-256 key must be 32 bytes")
    if len(iv) != IV_BYTES:
        raise CryptoError("AES-CBC IV must be 16 bytes")


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """AES-256-CBC with PKCS#7 padding."""
    _check_key_iv(key, iv)
    padder = sym_padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(padded) + enc.finalize()


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`aes_cbc_encrypt`; raises :class:`CryptoError` on bad length/padding."""
    _check_key_iv(key, iv)
    if not ciphertext or len(ciphertext) % 16:
        raise CryptoError("ciphertext length is not a positive multiple of the block size")
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(ciphertext) + dec.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise CryptoError("bad PKCS#7 padding (wrong key or IV?)") from None


def load_rsa_public_key(public_key_pem: str | bytes) -> rsa.RSAPublicKey:
    """Load a PKCS#1 (``RSA PUBLIC KEY``) or SubjectPublicKeyInfo (``PUBLIC KEY``) PEM."""
    data = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CryptoError("not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise CryptoError("public key is not RSA")
    return key


def rsa_wrap_key(public_key_pem: str | bytes, key: bytes) -> str:
    """``base64(RSA-PKCS#1-v1.5-encrypt(public key, key))`` (the ``CiphertextBlob``)."""
    pub = load_rsa_public_key(public_key_pem)
    return base64.b64encode(pub.encrypt(key, asym_padding.PKCS1v15())).decode("ascii")


def rsa_unwrap_key(private_key_pem: str | bytes, blob_b64: str) -> bytes:
    """Server side: recover the AES key from a ``CiphertextBlob``."""
    data = private_key_pem.encode("ascii") if isinstance(private_key_pem, str) else private_key_pem
    try:
        priv = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CryptoError("not a PEM private key") from None
    if not isinstance(priv, rsa.RSAPrivateKey):
        raise CryptoError("private key is not RSA")
    try:
        return priv.decrypt(_b64decode(blob_b64), asym_padding.PKCS1v15())
    except ValueError:
        raise CryptoError("key unwrap failed") from None


def _b64decode(value: Any) -> bytes:
    if not isinstance(value, str):
        raise CryptoError("encrypted value is not a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise CryptoError("encrypted value is not valid base64") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decrypt_text(key: bytes, iv: bytes, value: Any) -> str:
    plain = aes_cbc_decrypt(key, iv, _b64decode(value))
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise CryptoError("decrypted value is not UTF-8") from None


# --------------------------------------------------------------------------------------------
# response side
# --------------------------------------------------------------------------------------------


def _walk_path(envelope: dict[str, Any], path: str) -> tuple[dict[str, Any], str] | None:
    """(parent, leaf) for ``path``; None when the path is absent from the response."""
    parts = path.split(".")
    if len(parts) < 2 or not all(parts):
        raise CryptoError("malformed EncryptList path")
    node: Any = envelope
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        return None
    return node, parts[-1]


def decrypt_response_fields(
    response: Mapping[str, Any], key: bytes, *, fallback_iv: bytes | None = None
) -> dict[str, Any]:
    """Decrypt an ``IsEncrypt`` response in a copy: every ``Encryption.EncryptList`` path.

    ``response`` is the inner ``Response`` object. Paths are relative to the envelope
    (``Response.IdNum``); a path without the ``Response.`` prefix is taken as relative to
    ``Response``. The IV is the response's ``Encryption.Iv`` (else ``fallback_iv``). Missing
    , ``null`` or empty values at a listed path are left alone. Raises :class:`CryptoError`.
    """
    copy: dict[str, Any] = json.loads(json.dumps(response))
    enc = copy.get("Encryption")
    if not isinstance(enc, dict):
        raise CryptoError("response has no Encryption object")
    algorithm = enc.get("Algorithm") or AES_256_CBC
    if algorithm != AES_256_CBC:
        raise CryptoError("unsupported response encryption algorithm")
    paths = enc.get("EncryptList") or []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise CryptoError("EncryptList is not a list of strings")
    iv_value = enc.get("Iv")
    iv = _b64decode(iv_value) if iv_value else fallback_iv
    if iv is None:
        raise CryptoError("no IV for response decryption")
    envelope = {"Response": copy}
    for path in paths:
        if path == "EncryptionBody":
            continue
        full = path if path.startswith("Response.") else f"Response.{path}"
        found = _walk_path(envelope, full)
        if found is None:
            continue
        parent, leaf = found
        if parent[leaf] in (None, ""):
            continue
        parent[leaf] = _decrypt_text(key, iv, parent[leaf])
    return copy


def decrypt_body(encrypted_body: str, key: bytes, iv: bytes) -> dict[str, Any]:
    """Decrypt an ``IsEncryptResponse`` ``EncryptedBody`` into the JSON object it contains."""
    text = _decrypt_text(key, iv, encrypted_body)
    try:
        data = json.loads(text)
    except ValueError:
        raise CryptoError("decrypted body is not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("Response"), dict):
        data = data["Response"]
    if not isinstance(data, dict):
        raise CryptoError("decrypted body is not a JSON object")
    return data


def encrypt_response_fields(
    response: Mapping[str, Any], key: bytes, iv: bytes, fields: Iterable[str]
) -> dict[str, Any]:
    """Server side (emulator/tests): encrypt ``fields`` of an inner ``Response`` object in a copy
    and add the matching ``Encryption`` object (paths ``Response.<field>``)."""
    copy = dict(response)
    paths: list[str] = []
    for name in fields:
        value = copy.get(name)
        if isinstance(value, str) and value:
            copy[name] = _b64(aes_cbc_encrypt(key, iv, value.encode("utf-8")))
        paths.append(f"Response.{name}")
    copy["Encryption"] = {
        "EncryptList": paths,
        "CiphertextBlob": "",
        "Iv": _b64(iv),
        "Algorithm": AES_256_CBC,
        "TagList": [],
    }
    return copy


def encrypt_body(body: Mapping[str, Any], key: bytes, iv: bytes) -> str:
    """Server side (emulator/tests): ``base64(AES(json(body)))`` for ``EncryptedBody``."""
    return _b64(aes_cbc_encrypt(key, iv, json.dumps(dict(body), ensure_ascii=False).encode("utf-8")))


# --------------------------------------------------------------------------------------------
# one request
# --------------------------------------------------------------------------------------------


class EncryptionSession:
    """Key material for exactly one FaceID call (request fields and response decryption).

    Create one per call (``EncryptionSession(public_key_pem)``); it draws a fresh random key and
    IV. ``key``/``iv`` may be injected only by tests. Not shared between threads.
    """

    __slots__ = ("_blob", "_iv", "_key", "_public_key_pem")

    def __init__(self, public_key_pem: str | bytes, *, key: bytes | None = None, iv: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(KEY_BYTES)
        self._iv = iv if iv is not None else secrets.token_bytes(IV_BYTES)
        _check_key_iv(self._key, self._iv)
        self._public_key_pem = public_key_pem
        self._blob: str | None = None

    def __repr__(self) -> str:
        return "EncryptionSession(<key masked>)"

    @property
    def key(self) -> bytes:
        """The plaintext AES key (for the caller's response decryption only)."""
        return self._key

    @property
    def iv(self) -> bytes:
        return self._iv

    @property
    def ciphertext_blob(self) -> str:
        """The RSA-wrapped key (computed once, lazily)."""
        if self._blob is None:
            self._blob = rsa_wrap_key(self._public_key_pem, self._key)
        return self._blob

    def encrypt_field(self, value: str) -> str:
        """``base64(AES-256-CBC(utf8(value)))`` with this session's key and IV."""
        return _b64(aes_cbc_encrypt(self._key, self._iv, value.encode("utf-8")))

    def encryption_object(self, encrypt_list: Iterable[str]) -> dict[str, Any]:
        """The request's ``Encryption`` object in the SDK's key order."""
        return {
            "EncryptList": list(encrypt_list),
            "CiphertextBlob": self.ciphertext_blob,
            "Iv": _b64(self._iv),
            "Algorithm": AES_256_CBC,
            "TagList": [],
        }

    def decrypt_response(self, response: Mapping[str, Any]) -> dict[str, Any]:
        """Decrypt ``EncryptedBody`` (merged over the plain fields) and/or EncryptList fields.

        Returns a new inner ``Response`` dict; raises :class:`CryptoError`.
        """
        data: dict[str, Any] = dict(response)
        body = data.get("EncryptedBody")
        enc = data.get("Encryption")
        if isinstance(body, str) and body:
            iv_value = enc.get("Iv") if isinstance(enc, dict) else None
            iv = _b64decode(iv_value) if iv_value else self._iv
            inner = decrypt_body(body, self._key, iv)
            merged = {**data, **inner}
            merged["EncryptedBody"] = ""
            data = merged
            enc = data.get("Encryption")
        if isinstance(enc, dict) and enc.get("EncryptList"):
            paths = (
                [p for p in enc["EncryptList"] if p != "EncryptionBody"]
                if isinstance(enc["EncryptList"], list)
                else enc["EncryptList"]
            )
            if paths:
                data = decrypt_response_fields(data, self._key, fallback_iv=self._iv)
        return data
