"""Readers of the request parameters both FaceID actions share: booleans, strings,
``ImageBase64`` images and the ``Encryption`` object.

Each reader validates one parameter and raises :class:`~kiosk.emulator.outcomes.ApiError` with
the code the service answers for it. An image is decoded by :func:`decoded_image`, a context
manager that holds the image's pixels in the emulator's
:class:`~kiosk.emulator.image_budget.ImageBudget` while the caller works on it (the bound on
concurrent image memory). Encryption: AES-256-CBC only (SM4-GCM needs SM2 key
wrapping, which ``cryptography`` lacks -> ``InvalidParameterValue``); a key that cannot be
unwrapped raises the caller's ``error`` code.

Threading: stateless functions (the budget they are given is thread-safe); what they return
belongs to the calling handler thread.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from kiosk.core.vision.imageio import ImageLoadError, decode_image, default_max_pixels, image_header
from kiosk.emulator.image_budget import ImageBudget
from kiosk.emulator.keys import RsaKeyPair
from kiosk.emulator.outcomes import ApiError

__all__ = [
    "AES_256_CBC",
    "AesKey",
    "bool_param",
    "decoded_image",
    "encryption_param",
    "reject_unknown_params",
    "str_param",
]

AES_256_CBC = "AES-256-CBC"
_B64_RE = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


@dataclass(frozen=True)
class AesKey:
    """The AES-256 key unwrapped from ``Encryption.CiphertextBlob`` and the request's ``Iv``."""

    key: bytes
    iv: bytes


def reject_unknown_params(params: dict[str, Any], known: set[str]) -> None:
    """``UnknownParameter`` for the first (sorted) parameter the action does not take."""
    unknown = set(params) - known
    if unknown:
        raise ApiError("UnknownParameter", f"unknown parameter {sorted(unknown)[0]}")


def bool_param(value: Any, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):  # GET form values
        return value.lower() in ("true", "1")
    raise ApiError("InvalidParameter", f"{name} must be a boolean")


def str_param(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError("InvalidParameter", f"{name} must be a string")
    return value


@contextmanager
def decoded_image(b64: str, budget: ImageBudget) -> Iterator[np.ndarray]:
    """Strict RFC 4648 base64 -> JPEG/PNG -> BGR, decoded and worked on inside the ``with`` block
    while its pixels are held in ``budget``.

    ``FailedOperation.ImageDecodeFailed`` for what is not such an image,
    ``FailedOperation.ImageSizeTooLarge`` for more pixels than the decoder's limit (both before
    any wait), ``RequestLimitExceeded`` when the budget stays full (see :mod:`.image_budget`).
    """
    data = _image_bytes(b64)
    try:  # header only: the pixel count, and an image bomb is refused before it is decoded
        _fmt, width, height = image_header(data)
    except ImageLoadError:
        raise ApiError("FailedOperation.ImageDecodeFailed", "the image cannot be decoded") from None
    if width * height > default_max_pixels():
        raise ApiError("FailedOperation.ImageSizeTooLarge", "the image is too large")
    with budget.hold(width * height):
        yield _decode(data)


def _image_bytes(b64: str) -> bytes:
    """The JPEG/PNG bytes of strict padded base64; ``ImageDecodeFailed`` otherwise."""
    if not _B64_RE.match(b64) or len(b64) % 4:
        raise ApiError("FailedOperation.ImageDecodeFailed", "ImageBase64 is not standard padded base64")
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("FailedOperation.ImageDecodeFailed", "ImageBase64 is not base64") from None
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise ApiError("FailedOperation.ImageDecodeFailed", "only JPEG and PNG images are supported")
    return data


def _decode(data: bytes) -> np.ndarray:
    try:  # header-checked pixel limit again, then decode (and the decoded size checked)
        return decode_image(data)
    except ImageLoadError as exc:
        if exc.reason in ("too_large", "too_many_pixels"):
            raise ApiError("FailedOperation.ImageSizeTooLarge", "the image is too large") from None
        raise ApiError("FailedOperation.ImageDecodeFailed", "the image cannot be decoded") from None


def encryption_param(params: dict[str, Any], keys: RsaKeyPair, *, error: str) -> tuple[AesKey, dict[str, Any]]:
    """Validate ``Encryption`` and unwrap its key; raises ``error`` when the key cannot be used."""
    enc = params.get("Encryption")
    if not isinstance(enc, dict):
        raise ApiError("InvalidParameter", "Encryption must be an object")
    algorithm = enc.get("Algorithm") or AES_256_CBC
    if algorithm != AES_256_CBC:
        raise ApiError("InvalidParameterValue", "the emulator supports Encryption.Algorithm AES-256-CBC only")
    blob, iv_text = enc.get("CiphertextBlob"), enc.get("Iv")
    if not isinstance(blob, str) or not blob:
        raise ApiError("MissingParameter", "Encryption.CiphertextBlob")
    if not isinstance(iv_text, str) or not iv_text:
        raise ApiError("MissingParameter", "Encryption.Iv")
    try:
        key = keys.unwrap(blob)
        iv = base64.b64decode(iv_text, validate=True)
    except (ValueError, binascii.Error):
        raise ApiError(error, "the key in CiphertextBlob or the Iv cannot be used") from None
    if len(key) != 32 or len(iv) != 16:
        raise ApiError(error, "AES-256-CBC needs a 32-byte key and a 16-byte Iv")
    return AesKey(key, iv), enc
