"""Typed request/response models for CheckIdCardInformation and ImageRecognitionV2.

Requests serialise exactly like the official SDK (faceid-api.md §1.1): keys in the SDK's
declaration order, ``None`` dropped, ``json.dumps`` with default separators and
``ensure_ascii=True`` (Chinese names travel as ``\\uXXXX``). ``Config`` is a JSON *string*.

Responses are parsed defensively: a missing required field or a wrong-typed field raises
:class:`~kiosk.core.faceid.errors.MalformedResponseError` (never KeyError/TypeError/...).

PII: ``repr``/``str`` of every model masks the name and ID number, leaves out the address and
birth date and shows only the *size* of images. All models are frozen dataclasses: immutable
and safe to hand from the worker thread to the UI thread.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self

from kiosk.core.faceid.catalog import SUCCESS, CatalogEntry, classify_result
from kiosk.core.faceid.crypto import EncryptionSession
from kiosk.core.faceid.errors import InvalidRequestError, MalformedResponseError
from kiosk.core.faceid.masking import mask_id, mask_name, size_hint
from kiosk.core.faceid.settings import ACTION_CHECK_ID_CARD, ACTION_IMAGE_RECOGNITION_V2
from kiosk.core.textsafe import clip

__all__ = [
    "CardConfig",
    "CheckIdCardInformationRequest",
    "CheckIdCardInformationResponse",
    "ErrorEnvelope",
    "ImageRecognitionV2Request",
    "ImageRecognitionV2Response",
    "ResponseEncryption",
    "encode_body",
    "split_envelope",
]

CHECK_ID_CARD_MAX_BASE64 = 7 * 1024 * 1024
IMAGE_RECOGNITION_MAX_BASE64 = 3 * 1024 * 1024
_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")

#: RequestId, Error.Code and Result from the service are cut to this many characters (a real
#: RequestId is a 36-character UUID): a 6 MB RequestId must not reach the verdict or the audit
MAX_ID_CHARS = 128


def encode_body(params: Mapping[str, Any]) -> bytes:
    """The exact POST body: ``json.dumps`` defaults (``", "``/``": "``, ``ensure_ascii=True``)."""
    return json.dumps(params).encode("ascii")


def _check_image_base64(value: str, limit: int, field_name: str) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(f"{field_name} is required")
    if value.startswith("data:"):
        raise InvalidRequestError(f"{field_name} must be plain base64 without a data: prefix")
    if len(value) > limit:
        raise InvalidRequestError(f"{field_name} exceeds {limit} bytes after base64")


# --------------------------------------------------------------------------------------------
# requests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardConfig:
    """The CheckIdCardInformation ``Config`` flags (all default False)."""

    copy_warn: bool = False
    border_check_warn: bool = False
    reshoot_warn: bool = False
    detect_ps_warn: bool = False
    temp_id_warn: bool = False
    quality: bool = False

    _KEYS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("copy_warn", "CopyWarn"),
        ("border_check_warn", "BorderCheckWarn"),
        ("reshoot_warn", "ReshootWarn"),
        ("detect_ps_warn", "DetectPsWarn"),
        ("temp_id_warn", "TempIdWarn"),
        ("quality", "Quality"),
    )

    @classmethod
    def all_warnings(cls) -> CardConfig:
        """Every warning enabled (the kiosk default)."""
        return cls(True, True, True, True, True, True)

    def to_json(self) -> str | None:
        """The ``Config`` string: enabled flags only, in doc order; None when nothing is enabled."""
        enabled = {api: True for attr, api in self._KEYS if getattr(self, attr)}
        return json.dumps(enabled) if enabled else None


@dataclass(frozen=True, slots=True, repr=False)
class CheckIdCardInformationRequest:
    """CheckIdCardInformation input. Exactly one of ``image_base64``/``image_url`` is expected
    (the service prefers ImageUrl when both are sent)."""

    image_base64: str | None = None
    image_url: str | None = None
    config: CardConfig | None = None
    is_encrypt: bool | None = None
    is_encrypt_response: bool | None = None

    action: ClassVar[str] = ACTION_CHECK_ID_CARD

    @classmethod
    def from_image(
        cls,
        image: bytes,
        *,
        config: CardConfig | None = None,
        is_encrypt: bool | None = None,
        is_encrypt_response: bool | None = None,
    ) -> Self:
        """Build from JPEG/PNG bytes (base64-encoded here)."""
        return cls(
            image_base64=base64.b64encode(image).decode("ascii"),
            config=config,
            is_encrypt=is_encrypt,
            is_encrypt_response=is_encrypt_response,
        )

    @property
    def needs_encryption(self) -> bool:
        return bool(self.is_encrypt or self.is_encrypt_response)

    def validate(self) -> None:
        """Raise InvalidRequestError for requests the service would reject anyway."""
        if self.image_base64 is None and not self.image_url:
            raise InvalidRequestError("ImageBase64 or ImageUrl is required")
        if self.image_base64 is not None:
            _check_image_base64(self.image_base64, CHECK_ID_CARD_MAX_BASE64, "ImageBase64")
        if self.image_url is not None and not re.match(r"^https?://", self.image_url):
            raise InvalidRequestError("ImageUrl must be an http(s) URL")

    def to_params(self, encryption: EncryptionSession | None = None) -> dict[str, Any]:
        """Parameters in SDK order; ``encryption`` is required when IsEncrypt/IsEncryptResponse."""
        params: dict[str, Any] = {
            "ImageBase64": self.image_base64,
            "ImageUrl": self.image_url,
            "Config": self.config.to_json() if self.config is not None else None,
            "IsEncrypt": self.is_encrypt,
            "IsEncryptResponse": self.is_encrypt_response,
            "Encryption": None,
        }
        if self.needs_encryption:
            if encryption is None:
                raise InvalidRequestError("IsEncrypt/IsEncryptResponse needs an encryption session")
            # Go demo: EncryptList ["EncryptionBody"] for response-body encryption (§3.5).
            params["Encryption"] = encryption.encryption_object(["EncryptionBody"] if self.is_encrypt_response else [])
        return {k: v for k, v in params.items() if v is not None}

    def __repr__(self) -> str:
        return (
            f"CheckIdCardInformationRequest(image_base64={size_hint(self.image_base64)}, "
            f"image_url={'<set>' if self.image_url else None}, config={self.config!r}, "
            f"is_encrypt={self.is_encrypt}, is_encrypt_response={self.is_encrypt_response})"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True, repr=False)
class ImageRecognitionV2Request:
    """ImageRecognitionV2 input: ID number, name and the live face photo.

    ``encrypt``: None = follow ``ClientSettings.encrypt_fields``; True/False overrides it.
    """

    id_card: str
    name: str
    image_base64: str
    optional: str | None = None
    extra: str | None = None
    encrypt: bool | None = None

    action: ClassVar[str] = ACTION_IMAGE_RECOGNITION_V2

    @classmethod
    def from_image(
        cls,
        image: bytes,
        *,
        id_card: str,
        name: str,
        optional: str | None = None,
        extra: str | None = None,
        encrypt: bool | None = None,
    ) -> Self:
        """Build from JPEG/PNG bytes (base64-encoded here)."""
        return cls(
            id_card=id_card,
            name=name,
            image_base64=base64.b64encode(image).decode("ascii"),
            optional=optional,
            extra=extra,
            encrypt=encrypt,
        )

    def validate(self) -> None:
        """Format checks only (18 characters, ``X`` upper-case); the checksum is policy."""
        if not isinstance(self.id_card, str) or not _ID_FORMAT.match(self.id_card):
            raise InvalidRequestError("IdCard must be 17 digits and a digit or X")
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 64:
            raise InvalidRequestError("Name must be 1..64 characters")
        _check_image_base64(self.image_base64, IMAGE_RECOGNITION_MAX_BASE64, "ImageBase64")

    def to_params(self, encryption: EncryptionSession | None = None) -> dict[str, Any]:
        """Parameters in SDK order; with ``encryption`` IdCard and Name are AES-encrypted."""
        id_card: str = self.id_card
        name: str = self.name
        enc_obj: dict[str, Any] | None = None
        if encryption is not None:
            id_card = encryption.encrypt_field(self.id_card)
            name = encryption.encrypt_field(self.name)
            enc_obj = encryption.encryption_object(["IdCard", "Name"])
        params: dict[str, Any] = {
            "IdCard": id_card,
            "Name": name,
            "ImageBase64": self.image_base64,
            "Optional": self.optional,
            "Encryption": enc_obj,
            "Extra": self.extra,
        }
        return {k: v for k, v in params.items() if v is not None}

    def __repr__(self) -> str:
        return (
            f"ImageRecognitionV2Request(id_card={mask_id(self.id_card)!r}, name={mask_name(self.name)!r}, "
            f"image_base64={size_hint(self.image_base64)}, optional={'<set>' if self.optional else None}, "
            f"extra={'<set>' if self.extra else None}, encrypt={self.encrypt})"
        )

    __str__ = __repr__


# --------------------------------------------------------------------------------------------
# response parsing helpers
# --------------------------------------------------------------------------------------------


def _malformed(detail: str, request_id: str | None = None) -> MalformedResponseError:
    return MalformedResponseError(detail, request_id=request_id)


def _get_str(data: Mapping[str, Any], key: str, *, required: bool = False, rid: str | None = None) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _malformed(f"field {key} is missing", rid)
        return ""
    if not isinstance(value, str):
        raise _malformed(f"field {key} has the wrong type", rid)
    return value


def _get_number(data: Mapping[str, Any], key: str, *, rid: str | None = None) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _malformed(f"field {key} has the wrong type", rid)
    number = float(value)
    if not math.isfinite(number):
        raise _malformed(f"field {key} is not finite", rid)
    return number


def _result_fields(data: Any) -> tuple[str, str, float | None]:
    """``RequestId``, ``Result`` and ``Sim`` of an inner ``Response``, checked alike for both actions."""
    if not isinstance(data, Mapping):
        raise _malformed("Response is not an object")
    rid = clip(_get_str(data, "RequestId", required=True), MAX_ID_CHARS)
    result = clip(_get_str(data, "Result", required=True, rid=rid), MAX_ID_CHARS)
    sim = _get_number(data, "Sim", rid=rid)
    if result == SUCCESS and sim is None:
        raise _malformed("field Sim is missing", rid)
    if sim is not None and not 0.0 <= sim <= 100.0:
        raise _malformed("field Sim is out of range", rid)
    return rid, result, sim


@dataclass(frozen=True, slots=True, repr=False)
class ResponseEncryption:
    """The ``Encryption`` object of a response (IsEncrypt / IsEncryptResponse)."""

    encrypt_list: tuple[str, ...] = ()
    ciphertext_blob: str = ""
    iv: str = ""
    algorithm: str = ""
    tag_list: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: Any, rid: str | None = None) -> ResponseEncryption | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise _malformed("field Encryption has the wrong type", rid)

        def str_list(key: str) -> tuple[str, ...]:
            items = value.get(key)
            if items is None:
                return ()
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise _malformed(f"field Encryption.{key} has the wrong type", rid)
            return tuple(items)

        return cls(
            encrypt_list=str_list("EncryptList"),
            ciphertext_blob=_get_str(value, "CiphertextBlob", rid=rid),
            iv=_get_str(value, "Iv", rid=rid),
            algorithm=_get_str(value, "Algorithm", rid=rid),
            tag_list=str_list("TagList"),
        )

    def __repr__(self) -> str:
        return f"ResponseEncryption(algorithm={self.algorithm!r}, encrypt_list={self.encrypt_list!r})"


@dataclass(frozen=True, slots=True)
class ErrorEnvelope:
    """``Response.Error`` of an API error (``message`` is free text from the service)."""

    code: str
    message: str = field(repr=False)
    request_id: str | None


def split_envelope(data: Any) -> tuple[dict[str, Any], ErrorEnvelope | None]:
    """Validate ``{"Response": {...}}`` and return (inner, error-or-None).

    Raises MalformedResponseError when the shape is wrong (no Response object, Error without a
    string Code, RequestId of the wrong type).
    """
    if not isinstance(data, dict):
        raise _malformed("body is not a JSON object")
    inner = data.get("Response")
    if not isinstance(inner, dict):
        raise _malformed("body has no Response object")
    rid_raw = inner.get("RequestId")
    if rid_raw is not None and not isinstance(rid_raw, str):
        raise _malformed("field RequestId has the wrong type")
    rid = clip(rid_raw, MAX_ID_CHARS) if rid_raw else None
    err = inner.get("Error")
    if err is None:
        return inner, None
    if not isinstance(err, dict):
        raise _malformed("field Error has the wrong type", rid)
    code = err.get("Code")
    if not isinstance(code, str) or not code:
        raise _malformed("field Error.Code is missing", rid)
    message = err.get("Message")
    return inner, ErrorEnvelope(clip(code, MAX_ID_CHARS), clip(message, 2000) if isinstance(message, str) else "", rid)


# --------------------------------------------------------------------------------------------
# responses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class CheckIdCardInformationResponse:
    """CheckIdCardInformation answer (Success or a business ``Result``).

    ``outcome`` is the catalog entry for ``result`` (for OcrWarningOccurred: decided by the
    most severe warning). ``attempts`` and ``elapsed_ms`` describe the client call.
    """

    request_id: str
    result: str
    description: str
    sim: float | None
    name: str
    sex: str
    nation: str
    birth: str
    address: str
    id_num: str
    portrait: str
    warnings: tuple[str, ...]
    quality: float | None
    encryption: ResponseEncryption | None
    encrypted_body: str
    outcome: CatalogEntry
    attempts: int = 1
    elapsed_ms: float = 0.0

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        """Parse the inner ``Response`` object; raises MalformedResponseError."""
        rid, result, sim = _result_fields(data)
        raw_warnings = data.get("Warnings")
        if raw_warnings is None:
            warnings: tuple[str, ...] = ()
        elif isinstance(raw_warnings, str):
            warnings = tuple(w.strip() for w in raw_warnings.split("|") if w.strip())
        else:
            raise _malformed("field Warnings has the wrong type", rid)
        return cls(
            request_id=rid,
            result=result,
            description=_get_str(data, "Description", rid=rid),
            sim=sim,
            name=_get_str(data, "Name", rid=rid),
            sex=_get_str(data, "Sex", rid=rid),
            nation=_get_str(data, "Nation", rid=rid),
            birth=_get_str(data, "Birth", rid=rid),
            address=_get_str(data, "Address", rid=rid),
            id_num=_get_str(data, "IdNum", rid=rid),
            portrait=_get_str(data, "Portrait", rid=rid),
            warnings=warnings,
            quality=_get_number(data, "Quality", rid=rid),
            encryption=ResponseEncryption.parse(data.get("Encryption"), rid),
            encrypted_body=_get_str(data, "EncryptedBody", rid=rid),
            outcome=classify_result(result, warnings),
        )

    @property
    def ok(self) -> bool:
        return self.result == SUCCESS

    @property
    def billed(self) -> bool:
        return self.outcome.billed

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_num)

    def with_call_info(self, attempts: int, elapsed_ms: float) -> Self:
        return replace(self, attempts=attempts, elapsed_ms=elapsed_ms)

    def __repr__(self) -> str:
        return (
            f"CheckIdCardInformationResponse(request_id={self.request_id!r}, result={self.result!r}, "
            f"sim={self.sim}, warnings={self.warnings!r}, quality={self.quality}, "
            f"name={self.masked_name!r}, id_num={self.masked_id!r}, portrait={size_hint(self.portrait)}, "
            f"category={self.outcome.category.value}, attempts={self.attempts})"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True, repr=False)
class ImageRecognitionV2Response:
    """ImageRecognitionV2 answer (Success or a business ``Result``)."""

    request_id: str
    result: str
    description: str
    sim: float | None
    extra: str
    outcome: CatalogEntry
    attempts: int = 1
    elapsed_ms: float = 0.0

    @classmethod
    def from_response(cls, data: Mapping[str, Any]) -> Self:
        """Parse the inner ``Response`` object; raises MalformedResponseError."""
        rid, result, sim = _result_fields(data)
        return cls(
            request_id=rid,
            result=result,
            description=_get_str(data, "Description", rid=rid),
            sim=sim,
            extra=_get_str(data, "Extra", rid=rid),
            outcome=classify_result(result),
        )

    @property
    def ok(self) -> bool:
        return self.result == SUCCESS

    @property
    def billed(self) -> bool:
        return self.outcome.billed

    def with_call_info(self, attempts: int, elapsed_ms: float) -> Self:
        return replace(self, attempts=attempts, elapsed_ms=elapsed_ms)

    def __repr__(self) -> str:
        return (
            f"ImageRecognitionV2Response(request_id={self.request_id!r}, result={self.result!r}, "
            f"sim={self.sim}, category={self.outcome.category.value}, attempts={self.attempts})"
        )

    __str__ = __repr__
