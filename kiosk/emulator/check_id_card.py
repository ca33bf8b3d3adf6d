"""The emulated ``CheckIdCardInformation`` action: read a card photo, warn, look up, compare.

Cards are SPECIMEN cards read through their QR marker (:mod:`kiosk.core.specimen_reading`);
there is no OCR. Step by step: ``ImageUrl`` -> ``DownLoadError`` (the emulator downloads
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
registry decides (:class:`~kiosk.emulator.references.ReferenceFaces`); no face in the card
portrait -> ``LifePhotoDetectNoFaces``, else ``Sim`` card portrait vs registry portrait (>= 70
``Success``, else ``CompareLowSimilarity``). ``IsEncrypt`` encrypts ``IdNum`` and ``Name``,
``IsEncryptResponse`` the whole answer (AES-256-CBC); a key that cannot be unwrapped ->
``FailedOperation.EncryptSystemError``.

The decoded photo and all the work on it stay inside
:func:`~kiosk.emulator.params.decoded_image`, which holds its pixels in the emulator's
:class:`~kiosk.emulator.image_budget.ImageBudget` (``RequestLimitExceeded`` when it stays full).

Threading: stateless functions, called on the handler thread of one request with the shared
(thread-safe) :class:`~kiosk.emulator.references.ReferenceFaces`, key pair and image budget.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import cv2
import numpy as np

from kiosk.core import idnumber
from kiosk.core.faceid.crypto import aes_cbc_encrypt
from kiosk.core.specimen import PORTRAIT_BOX, Person
from kiosk.core.specimen_reading import SpecimenReading, find_qr, rectify_card, specimen_from_qr
from kiosk.core.vision.quality import measure_blur
from kiosk.emulator import codes
from kiosk.emulator.image_budget import ImageBudget
from kiosk.emulator.keys import RsaKeyPair
from kiosk.emulator.matcher import PASS_SIM
from kiosk.emulator.outcomes import ApiError, ServiceOutcome
from kiosk.emulator.params import (
    AES_256_CBC,
    AesKey,
    bool_param,
    decoded_image,
    encryption_param,
    reject_unknown_params,
    str_param,
)
from kiosk.emulator.references import ReferenceFaces

__all__ = ["CARD_IMAGE_MAX_B64", "check_id_card_information"]

#: ``ImageBase64`` limit after base64 (faceid-api.md §0).
CARD_IMAGE_MAX_B64 = 7 * 1024 * 1024
#: a card corner may lie this far (fraction of the card width) outside the image before -9101.
BORDER_TOLERANCE = 0.04
#: card Quality below this is "blurry" (-8001), as documented for the service.
QUALITY_THRESHOLD = 50
#: card photos with a mean saturation below this look like a (black and white) photocopy.
COPY_SATURATION = 12.0

_CONFIG_KEYS = ("CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn", "TempIdWarn", "Quality")
_CHECK_PARAMS = {"ImageBase64", "ImageUrl", "Config", "IsEncrypt", "IsEncryptResponse", "Encryption"}


def check_id_card_information(
    params: dict[str, Any],
    language: str | None,
    references: ReferenceFaces,
    keys: RsaKeyPair,
    budget: ImageBudget,
) -> ServiceOutcome:
    """Emulate ``CheckIdCardInformation`` (see the module docstring)."""
    reject_unknown_params(params, _CHECK_PARAMS)
    image_b64 = str_param(params, "ImageBase64")
    image_url = str_param(params, "ImageUrl")
    config = _config(str_param(params, "Config"))
    is_encrypt = bool_param(params.get("IsEncrypt"), "IsEncrypt")
    is_encrypt_response = bool_param(params.get("IsEncryptResponse"), "IsEncryptResponse")
    crypto = None
    if is_encrypt or is_encrypt_response:
        crypto, _ = encryption_param(params, keys, error="FailedOperation.EncryptSystemError")
    if image_url:
        raise ApiError("FailedOperation.DownLoadError", "the emulator does not download ImageUrl")
    if not image_b64:
        raise ApiError("FailedOperation.EmptyImageError")
    if len(image_b64) > CARD_IMAGE_MAX_B64:
        raise ApiError("FailedOperation.ImageSizeTooLarge", "ImageBase64 is larger than 7 MB")
    with decoded_image(image_b64, budget) as image:  # the pixels are held until the answer is built
        return _check_card(image, language, references, config, crypto, is_encrypt, is_encrypt_response)


def _check_card(
    image: np.ndarray,
    language: str | None,
    references: ReferenceFaces,
    config: dict[str, bool],
    crypto: AesKey | None,
    is_encrypt: bool,
    is_encrypt_response: bool,
) -> ServiceOutcome:
    """Read the card, warn, look up, compare (the per-image work of the action)."""
    code = find_qr(image)
    reading = specimen_from_qr(*code) if code is not None else None
    if reading is None:
        result = "FailedOperation.OcrFailed" if code is not None else "FailedOperation.ImageNoIdCard"
        response = _card_response(result, language, None, quality=0)
        return ServiceOutcome(response, result)
    person = reading.person
    masked = idnumber.mask(person.id_number)
    flat = rectify_card(image, reading, 0.5)
    inside = np.full(image.shape[:2], 255, np.uint8)
    quality = _card_quality(flat, rectify_card(inside, reading, 0.5))
    px, py, pw, ph = (v // 2 for v in PORTRAIT_BOX)
    portrait_crop = flat[py : py + ph, px : px + pw]
    matcher = references.matcher
    portrait_faces = matcher.faces(portrait_crop)

    warnings = _warnings(config, image, reading, quality, bool(portrait_faces))
    if warnings:
        result = "FailedOperation.OcrWarningOccurred"
        response = _card_response(result, language, person, quality=quality, portrait=portrait_crop, warnings=warnings)
        return _finish(
            response, result, masked, None, crypto, is_encrypt, is_encrypt_response, {"warnings": "|".join(warnings)}
        )

    reference = references.lookup(person.id_number, person.name)
    sim: float | None = None
    if isinstance(reference, str):
        result = reference
    elif not portrait_faces:
        result = "FailedOperation.LifePhotoDetectNoFaces"
    else:
        template = matcher.template(portrait_crop, portrait_faces[0])
        sim = matcher.compare(reference, template) if template is not None else 0.0
        result = "Success" if sim >= PASS_SIM else "FailedOperation.CompareLowSimilarity"
    response = _card_response(
        result, language, person, quality=quality, portrait=portrait_crop, sim=0.0 if sim is None else sim
    )
    return _finish(response, result, masked, sim, crypto, is_encrypt, is_encrypt_response, {})


def _config(text: str | None) -> dict[str, bool]:
    if not text:
        return dict.fromkeys(_CONFIG_KEYS, False)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # malformed, an over-long int literal, nested too deep
        raise ApiError("InvalidParameter", "Config is not a JSON string") from None
    if not isinstance(data, dict):
        raise ApiError("InvalidParameter", "Config must be a JSON object")
    unknown = set(data) - set(_CONFIG_KEYS)
    if unknown:
        raise ApiError("InvalidParameterValue", f"unknown Config key {sorted(unknown)[0]}")
    if not all(isinstance(v, bool) for v in data.values()):
        raise ApiError("InvalidParameterValue", "Config values must be true or false")
    return {key: bool(data.get(key, False)) for key in _CONFIG_KEYS}


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
    if config["CopyWarn"] and ("C" in flags or _mean_saturation(image) < COPY_SATURATION):
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


def _mean_saturation(image: np.ndarray) -> float:
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    return float(hsv[..., 1].mean())


def _b64_jpeg(image: np.ndarray, quality: int = 90) -> str:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""


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


def _finish(
    response: dict[str, Any],
    result: str,
    masked: str,
    sim: float | None,
    crypto: AesKey | None,
    is_encrypt: bool,
    is_encrypt_response: bool,
    log: dict[str, Any],
) -> ServiceOutcome:
    """The outcome, with ``IdNum``/``Name`` (``IsEncrypt``) or the whole answer (``IsEncryptResponse``) encrypted."""
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
