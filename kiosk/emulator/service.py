"""The emulated FaceID business logic: ``CheckIdCardInformation`` and ``ImageRecognitionV2``.

Transport-free: :class:`FaceIdService` takes decoded request parameters and returns the inner
``Response`` object (without ``RequestId``), or raises :class:`ApiError` for the
``Response.Error`` channel. The HTTP layer (:mod:`kiosk.emulator.server`) adds authentication,
rate limits, faults and the envelope. Which code goes into which channel, and which is billed,
is defined once in :mod:`kiosk.emulator.codes`.

Card reading: cards are SPECIMEN cards read through their QR marker
(:func:`kiosk.core.specimen.locate_specimen`); there is no OCR. Faces: YuNet detection and the
matcher of :mod:`kiosk.emulator.matcher` (dlib's ResNet face recognition when the ``face`` extra
is installed, else the classic same-photograph matcher; both calibrated to the pass mark 70).

CheckIdCardInformation, step by step: ``ImageUrl`` -> ``DownLoadError`` (the emulator downloads
nothing); empty ``ImageBase64`` -> ``EmptyImageError``; > 7 MB -> ``ImageSizeTooLarge``; not strict
padded base64 of a JPEG/PNG -> ``ImageDecodeFailed``; no QR code -> ``ImageNoIdCard``; a QR code
that is not a specimen marker -> ``OcrFailed``; then the card fields ("OCR"), ``Quality`` and the
portrait crop, then the warnings enabled in ``Config``:

* -9101 (``BorderCheckWarn``): a card corner, derived from the marker, lies more than 4 % of the
  card width outside the photo (a rectified crop whose edges touch the border is fine);
* -9105 (``BorderCheckWarn``): no face in the card's portrait area (covered portrait);
* -9102 (``CopyWarn``): the photo has (almost) no colour (mean HSV saturation < 12), or flag ``C``;
* -9103 (``ReshootWarn``), -9104 (``TempIdWarn``), -9106 (``DetectPsWarn``): specimen flags
  ``R``, ``T``, ``P`` (training cards; the emulator cannot detect re-shoots or tampering);
* -8001 (``Quality``): ``Quality`` < 50. ``Quality`` = 0..100 from
  :func:`kiosk.core.vision.quality.measure_blur` on the text side of the rectified card
  (``100 * (blur - 60) / 300``): 100 for a sharp photo, ~50 for a Gaussian defocus of sigma
  ~1 px on a 900 px wide card, which is also about where the marker stops being readable.

Any warning -> ``Result`` ``OcrWarningOccurred``, ``Sim`` 0, the fields still returned. Else the
registry decides: unknown ID -> ``IdNoExistSystem``, other name -> ``IdNameMisMatch``, no photo on
file -> ``IdPhotoNoExist``, no face in it -> ``IdPhotoPoorQuality``, no face in the card portrait
-> ``LifePhotoDetectNoFaces``, else ``Sim`` card portrait vs registry portrait (>= 70 ``Success``,
else ``CompareLowSimilarity``). Encryption: AES-256-CBC only (SM4-GCM needs SM2 key wrapping,
which ``cryptography`` lacks -> ``InvalidParameterValue``); a key that cannot be unwrapped ->
``FailedOperation.EncryptSystemError`` (CheckIdCardInformation) or ``DecryptSystemError``
(ImageRecognitionV2).

ImageRecognitionV2: ``Extra`` 1-10 characters (else ``InvalidParameterValue``); ``Encryption``
decrypts ``IdCard``/``Name`` (other fields in ``EncryptList`` -> ``UnsupportEncryptField``);
checksum/format -> ``IdFormatError``; name (CJK/Latin letters, ``·``, 1-30) -> ``NameFormatError``;
empty or > 3 MB -> ``LifePhotoSizeError``; undecodable -> ``ImageDecodeFailed``; registry as above;
live photo: no face -> ``LifePhotoDetectNoFaces``, a second face at least 30 % of the largest's area
-> ``LifePhotoDetectFaces``, face < 32 px or blur < 10 -> ``LifePhotoPoorQuality``; else ``Sim``.

Threading: one :class:`FaceIdService` serves all handler threads. It holds no per-request state;
the registry is immutable, the matcher is thread-safe, and the template cache is guarded by a lock.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from kiosk.core import idnumber
from kiosk.core.faceid.crypto import aes_cbc_decrypt, aes_cbc_encrypt
from kiosk.core.specimen import (
    PORTRAIT_BOX,
    Person,
    SpecimenReading,
    find_qr,
    rectify_card,
    specimen_from_qr,
)
from kiosk.core.vision.imageio import ImageLoadError, decode_image
from kiosk.core.vision.quality import measure_blur
from kiosk.emulator import codes
from kiosk.emulator.keys import RsaKeyPair
from kiosk.emulator.matcher import PASS_SIM, FaceMatcher, FaceTemplate, default_matcher
from kiosk.emulator.registry import Registry

__all__ = [
    "CARD_IMAGE_MAX_B64",
    "FACE_IMAGE_MAX_B64",
    "ApiError",
    "FaceIdService",
    "ServiceOutcome",
]

#: ``ImageBase64`` limits after base64 (faceid-api.md §0).
CARD_IMAGE_MAX_B64 = 7 * 1024 * 1024
FACE_IMAGE_MAX_B64 = 3 * 1024 * 1024
#: a card corner may lie this far (fraction of the card width) outside the image before -9101.
BORDER_TOLERANCE = 0.04
#: card Quality below this is "blurry" (-8001), as documented for the service.
QUALITY_THRESHOLD = 50
#: live-photo checks
MIN_FACE_PX = 32
FACE_BLUR_MIN = 10.0
SECOND_FACE_AREA_RATIO = 0.3
#: card photos with a mean saturation below this look like a (black and white) photocopy.
COPY_SATURATION = 12.0

_CONFIG_KEYS = ("CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn", "TempIdWarn", "Quality")
_CHECK_PARAMS = {"ImageBase64", "ImageUrl", "Config", "IsEncrypt", "IsEncryptResponse", "Encryption"}
_FACE_PARAMS = {"IdCard", "Name", "ImageBase64", "Optional", "Encryption", "Extra"}
_ENCRYPTABLE_FACE_FIELDS = {"IdCard", "Name"}
_NAME_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fffA-Za-z][\u3400-\u4dbf\u4e00-\u9fffA-Za-z·•. ]{0,29}$")
_B64_RE = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
AES_256_CBC = "AES-256-CBC"


class ApiError(Exception):
    """An answer in the ``Response.Error`` channel; ``detail`` is safe to show (no PII)."""

    def __init__(self, code: str, detail: str | None = None, *, masked_id: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.masked_id = masked_id


@dataclass
class ServiceOutcome:
    """A processed request: the inner ``Response`` (no ``RequestId``) and facts for the log."""

    response: dict[str, Any]
    result: str
    masked_id: str = ""
    sim: float | None = None
    extra_log: dict[str, Any] = field(default_factory=dict)

    @property
    def billed(self) -> bool:
        return codes.info(self.result).billed


@dataclass(frozen=True)
class _Crypto:
    key: bytes
    iv: bytes


# --------------------------------------------------------------------------------------------
# helpers


def _bool(value: Any, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):  # GET form values
        return value.lower() in ("true", "1")
    raise ApiError("InvalidParameter", f"{name} must be a boolean")


def _string(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError("InvalidParameter", f"{name} must be a string")
    return value


def _decode_image(b64: str, *, allow_empty: bool = False) -> np.ndarray:
    """Strict RFC 4648 base64 -> JPEG/PNG -> BGR; ``FailedOperation.ImageDecodeFailed`` otherwise."""
    if not _B64_RE.match(b64) or len(b64) % 4:
        raise ApiError("FailedOperation.ImageDecodeFailed", "ImageBase64 is not standard padded base64")
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("FailedOperation.ImageDecodeFailed", "ImageBase64 is not base64") from None
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise ApiError("FailedOperation.ImageDecodeFailed", "only JPEG and PNG images are supported")
    try:  # header-checked pixel limit before decoding (an image bomb is refused, not decoded)
        return decode_image(data)
    except ImageLoadError as exc:
        if exc.reason in ("too_large", "too_many_pixels"):
            raise ApiError("FailedOperation.ImageSizeTooLarge", "the image is too large") from None
        raise ApiError("FailedOperation.ImageDecodeFailed", "the image cannot be decoded") from None


def _b64_jpeg(image: np.ndarray, quality: int = 90) -> str:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""


def _encryption(params: dict[str, Any], keys: RsaKeyPair, *, error: str) -> tuple[_Crypto, dict[str, Any]]:
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
    return _Crypto(key, iv), enc


def _gray_mean_saturation(image: np.ndarray) -> float:
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    return float(hsv[..., 1].mean())


# --------------------------------------------------------------------------------------------
# the service


class FaceIdService:
    """Answers the two FaceID actions from a :class:`Registry` (see the module docstring)."""

    def __init__(self, registry: Registry, keys: RsaKeyPair, matcher: FaceMatcher | None = None) -> None:
        self.registry = registry
        self.keys = keys
        self.matcher = matcher or default_matcher()
        self._templates: dict[str, FaceTemplate | None] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ registry portraits
    def reference_template(self, person: Person) -> FaceTemplate | None:
        """Features of the registry portrait (cached); ``None`` if it has no usable face."""
        with self._lock:
            if person.id_number in self._templates:
                return self._templates[person.id_number]
        portrait = self.registry.portrait(person)
        template = None if portrait is None else self.matcher.template(portrait)
        with self._lock:
            self._templates[person.id_number] = template
        return template

    def _reference_or_result(self, person: Person) -> FaceTemplate | str:
        if not self.registry.has_portrait(person):
            return "FailedOperation.IdPhotoNoExist"
        template = self.reference_template(person)
        return "FailedOperation.IdPhotoPoorQuality" if template is None else template

    # ------------------------------------------------------------------ CheckIdCardInformation
    def check_id_card_information(self, params: dict[str, Any], language: str | None) -> ServiceOutcome:
        """Emulate ``CheckIdCardInformation`` (card photo: read, warn, look up, compare)."""
        unknown = set(params) - _CHECK_PARAMS
        if unknown:
            raise ApiError("UnknownParameter", f"unknown parameter {sorted(unknown)[0]}")
        image_b64 = _string(params, "ImageBase64")
        image_url = _string(params, "ImageUrl")
        config = self._config(_string(params, "Config"))
        is_encrypt = _bool(params.get("IsEncrypt"), "IsEncrypt")
        is_encrypt_response = _bool(params.get("IsEncryptResponse"), "IsEncryptResponse")
        crypto = None
        if is_encrypt or is_encrypt_response:
            crypto, _ = _encryption(params, self.keys, error="FailedOperation.EncryptSystemError")
        if image_url:
            raise ApiError("FailedOperation.DownLoadError", "the emulator does not download ImageUrl")
        if not image_b64:
            raise ApiError("FailedOperation.EmptyImageError")
        if len(image_b64) > CARD_IMAGE_MAX_B64:
            raise ApiError("FailedOperation.ImageSizeTooLarge", "ImageBase64 is larger than 7 MB")
        image = _decode_image(image_b64)

        code = find_qr(image)
        reading = specimen_from_qr(*code) if code is not None else None
        if reading is None:
            result = "FailedOperation.OcrFailed" if code is not None else "FailedOperation.ImageNoIdCard"
            response = self._card_response(result, language, None, quality=0)
            return ServiceOutcome(response, result)
        person = reading.person
        masked = idnumber.mask(person.id_number)
        flat = rectify_card(image, reading, 0.5)
        inside = np.full(image.shape[:2], 255, np.uint8)
        quality = self._card_quality(flat, rectify_card(inside, reading, 0.5))
        px, py, pw, ph = (v // 2 for v in PORTRAIT_BOX)
        portrait_crop = flat[py : py + ph, px : px + pw]
        portrait_faces = self.matcher.faces(portrait_crop)

        warnings = self._warnings(config, image, reading, quality, bool(portrait_faces))
        if warnings:
            result = "FailedOperation.OcrWarningOccurred"
            response = self._card_response(
                result, language, person, quality=quality, portrait=portrait_crop, warnings=warnings
            )
            return self._finish_card(
                response,
                result,
                masked,
                None,
                crypto,
                is_encrypt,
                is_encrypt_response,
                {"warnings": "|".join(warnings)},
            )

        entry = self.registry.by_id(person.id_number)
        if entry is None:
            result = "FailedOperation.IdNoExistSystem"
        elif entry.name != person.name:
            result = "FailedOperation.IdNameMisMatch"
        else:
            reference = self._reference_or_result(entry)
            if isinstance(reference, str):
                result = reference
            elif not portrait_faces:
                result = "FailedOperation.LifePhotoDetectNoFaces"
            else:
                template = self.matcher.template(portrait_crop, portrait_faces[0])
                sim = self.matcher.compare(reference, template) if template is not None else 0.0
                result = "Success" if sim >= PASS_SIM else "FailedOperation.CompareLowSimilarity"
                response = self._card_response(
                    result, language, person, quality=quality, portrait=portrait_crop, sim=sim
                )
                return self._finish_card(response, result, masked, sim, crypto, is_encrypt, is_encrypt_response, {})
        response = self._card_response(result, language, person, quality=quality, portrait=portrait_crop)
        return self._finish_card(response, result, masked, None, crypto, is_encrypt, is_encrypt_response, {})

    @staticmethod
    def _config(text: str | None) -> dict[str, bool]:
        if not text:
            return dict.fromkeys(_CONFIG_KEYS, False)
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ApiError("InvalidParameter", "Config is not a JSON string") from None
        if not isinstance(data, dict):
            raise ApiError("InvalidParameter", "Config must be a JSON object")
        unknown = set(data) - set(_CONFIG_KEYS)
        if unknown:
            raise ApiError("InvalidParameterValue", f"unknown Config key {sorted(unknown)[0]}")
        if not all(isinstance(v, bool) for v in data.values()):
            raise ApiError("InvalidParameterValue", "Config values must be true or false")
        return {key: bool(data.get(key, False)) for key in _CONFIG_KEYS}

    @staticmethod
    def _card_quality(flat_half: np.ndarray, valid: np.ndarray) -> int:
        """0..100 sharpness of the card's text side (left 60 % of the rectified card), measured
        only where the card is inside the photo (``valid`` mask of the rectified canvas)."""
        width = int(flat_half.shape[1] * 0.6)
        side, ok = flat_half[:, :width], valid[:, :width] > 0
        cols = np.flatnonzero(ok.mean(axis=0) > 0.95)
        if cols.size < 20:
            return 0
        rows = np.flatnonzero(ok[:, cols[0] : cols[-1] + 1].mean(axis=1) > 0.99)
        if rows.size < 20:
            return 0
        region = side[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        blur = measure_blur(cv2.cvtColor(region, cv2.COLOR_BGR2GRAY), 400)
        return int(np.clip(round(100.0 * (blur - 60.0) / 300.0), 0, 100))

    @staticmethod
    def _warnings(
        config: dict[str, bool], image: np.ndarray, reading: SpecimenReading, quality: int, portrait_has_face: bool
    ) -> list[str]:
        found: list[str] = []
        h, w = image.shape[:2]
        quad = reading.card_quad
        card_width = float(np.linalg.norm(quad[1] - quad[0]))
        tol = BORDER_TOLERANCE * max(card_width, 1.0)
        cut_off = bool(
            (quad[:, 0] < -tol).any()
            or (quad[:, 1] < -tol).any()
            or (quad[:, 0] > w + tol).any()
            or (quad[:, 1] > h + tol).any()
        )
        flags = reading.flags
        if config["BorderCheckWarn"] and cut_off:
            found.append("-9101")
        if config["CopyWarn"] and ("C" in flags or _gray_mean_saturation(image) < COPY_SATURATION):
            found.append("-9102")
        if config["ReshootWarn"] and "R" in flags:
            found.append("-9103")
        if config["TempIdWarn"] and "T" in flags:
            found.append("-9104")
        if config["BorderCheckWarn"] and not portrait_has_face:
            found.append("-9105")
        if config["DetectPsWarn"] and "P" in flags:
            found.append("-9106")
        if config["Quality"] and quality < QUALITY_THRESHOLD:
            found.append("-8001")
        return found

    @staticmethod
    def _card_response(
        result: str,
        language: str | None,
        person: Person | None,
        *,
        quality: int,
        portrait: np.ndarray | None = None,
        warnings: list[str] | None = None,
        sim: float = 0.0,
    ) -> dict[str, Any]:
        return {
            "Result": result,
            "Description": codes.description(result, language),
            "Name": person.name if person else "",
            "Sex": person.sex if person else "",
            "Nation": person.nation if person else "",
            "Birth": person.birth if person else "",
            "Address": person.address if person else "",
            "IdNum": person.id_number if person else "",
            "Portrait": _b64_jpeg(portrait) if portrait is not None and portrait.size else "",
            "Warnings": "|".join(warnings or []),
            "Quality": quality,
            "Sim": round(float(sim), 2),
            "Encryption": None,
        }

    def _finish_card(
        self,
        response: dict[str, Any],
        result: str,
        masked: str,
        sim: float | None,
        crypto: _Crypto | None,
        is_encrypt: bool,
        is_encrypt_response: bool,
        log: dict[str, Any],
    ) -> ServiceOutcome:
        if crypto is not None and is_encrypt:
            iv = os.urandom(16)
            for name in ("IdNum", "Name"):
                value = response.get(name)
                if isinstance(value, str) and value:
                    response[name] = base64.b64encode(aes_cbc_encrypt(crypto.key, iv, value.encode("utf-8"))).decode(
                        "ascii"
                    )
            response["Encryption"] = {
                "EncryptList": ["Response.IdNum", "Response.Name"],
                "CiphertextBlob": "",
                "Iv": base64.b64encode(iv).decode("ascii"),
                "Algorithm": AES_256_CBC,
                "TagList": [],
            }
        if crypto is not None and is_encrypt_response:
            iv = os.urandom(16)
            plain = json.dumps(response, ensure_ascii=False).encode("utf-8")
            response = {
                "EncryptedBody": base64.b64encode(aes_cbc_encrypt(crypto.key, iv, plain)).decode("ascii"),
                "Encryption": {
                    "EncryptList": ["EncryptedBody"],
                    "CiphertextBlob": "",
                    "Iv": base64.b64encode(iv).decode("ascii"),
                    "Algorithm": AES_256_CBC,
                    "TagList": [],
                },
            }
        return ServiceOutcome(response, result, masked_id=masked, sim=sim, extra_log=log)

    # ------------------------------------------------------------------ ImageRecognitionV2
    def image_recognition_v2(self, params: dict[str, Any], language: str | None) -> ServiceOutcome:
        """Emulate ``ImageRecognitionV2`` (ID number + name + live photo vs the registry portrait)."""
        unknown = set(params) - _FACE_PARAMS
        if unknown:
            raise ApiError("UnknownParameter", f"unknown parameter {sorted(unknown)[0]}")
        for name in ("IdCard", "Name", "ImageBase64"):
            if params.get(name) is None:
                raise ApiError("MissingParameter", f"the parameter {name} is required")
        id_card, name = _string(params, "IdCard") or "", _string(params, "Name") or ""
        image_b64 = _string(params, "ImageBase64") or ""
        _string(params, "Optional")
        extra = _string(params, "Extra")
        if extra is not None and not 1 <= len(extra) <= 10:
            raise ApiError("InvalidParameterValue", "Extra must be 1-10 characters")
        if params.get("Encryption") is not None:
            id_card, name = self._decrypt_fields(params, id_card, name)
        check = idnumber.check(id_card)
        masked = idnumber.mask(id_card)
        if not check.ok:
            raise ApiError("FailedOperation.IdFormatError", masked_id=masked)
        if not _NAME_RE.match(name.strip()) or name != name.strip():
            raise ApiError("FailedOperation.NameFormatError", masked_id=masked)
        if not image_b64 or len(image_b64) > FACE_IMAGE_MAX_B64:
            raise ApiError(
                "FailedOperation.LifePhotoSizeError", "ImageBase64 is empty or larger than 3 MB", masked_id=masked
            )
        try:
            image = _decode_image(image_b64)
        except ApiError as exc:
            exc.masked_id = masked
            raise

        person = self.registry.by_id(check.normalized)
        sim: float | None = None
        log: dict[str, Any] = {}
        if person is None:
            result = "FailedOperation.IdNoExistSystem"
        elif person.name != name:
            result = "FailedOperation.IdNameMisMatch"
        else:
            reference = self._reference_or_result(person)
            if isinstance(reference, str):
                result = reference
            else:
                result, sim, log = self._compare_live(image, reference)
        response: dict[str, Any] = {
            "Result": result,
            "Description": codes.description(result, language),
            "Sim": round(float(sim or 0.0), 2),
        }
        if extra is not None:
            response["Extra"] = extra
        return ServiceOutcome(response, result, masked_id=masked, sim=sim, extra_log=log)

    def _decrypt_fields(self, params: dict[str, Any], id_card: str, name: str) -> tuple[str, str]:
        crypto, enc = _encryption(params, self.keys, error="FailedOperation.DecryptSystemError")
        fields = enc.get("EncryptList")
        if fields is None:
            fields = []
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ApiError("InvalidParameter", "Encryption.EncryptList must be a list of strings")
        unsupported = [f for f in fields if f not in _ENCRYPTABLE_FACE_FIELDS]
        if unsupported:
            raise ApiError("InvalidParameter.UnsupportEncryptField", f"field {unsupported[0]} cannot be encrypted")
        values = {"IdCard": id_card, "Name": name}
        for field_name in fields:
            try:
                raw = base64.b64decode(values[field_name], validate=True)
                values[field_name] = aes_cbc_decrypt(crypto.key, crypto.iv, raw).decode("utf-8")
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise ApiError("FailedOperation.DecryptSystemError", f"{field_name} cannot be decrypted") from None
        return values["IdCard"], values["Name"]

    def _compare_live(self, image: np.ndarray, reference: FaceTemplate) -> tuple[str, float | None, dict[str, Any]]:
        faces = self.matcher.faces(image)
        if not faces:
            return "FailedOperation.LifePhotoDetectNoFaces", None, {"faces": 0}
        largest = faces[0].box[2] * faces[0].box[3]
        comparable = [f for f in faces if f.box[2] * f.box[3] >= SECOND_FACE_AREA_RATIO * largest]
        if len(comparable) > 1:
            return "FailedOperation.LifePhotoDetectFaces", None, {"faces": len(comparable)}
        face = faces[0]
        x, y, w, h = face.box
        blur = measure_blur(cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY), 112)
        if min(w, h) < MIN_FACE_PX or blur < FACE_BLUR_MIN:
            return "FailedOperation.LifePhotoPoorQuality", None, {"face_px": int(w), "blur": round(blur, 1)}
        template = self.matcher.template(image, face)
        sim = self.matcher.compare(reference, template) if template is not None else 0.0
        result = "Success" if sim >= PASS_SIM else "FailedOperation.CompareLowSimilarity"
        return result, sim, {"faces": 1}
