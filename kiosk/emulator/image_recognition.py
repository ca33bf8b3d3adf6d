"""The emulated ``ImageRecognitionV2`` action: ID number + name + live photo vs the registry portrait.

Step by step: ``Extra`` 1-10 characters (else ``InvalidParameterValue``); ``Encryption`` decrypts
``IdCard``/``Name`` (other fields in ``EncryptList`` -> ``UnsupportEncryptField``; a key that
cannot be unwrapped -> ``FailedOperation.DecryptSystemError``); checksum/format ->
``IdFormatError``; name (CJK/Latin letters, ``·``, 1-30) -> ``NameFormatError``; empty or > 3 MB
-> ``LifePhotoSizeError``; undecodable -> ``ImageDecodeFailed``; then the registry
(:class:`~kiosk.emulator.references.ReferenceFaces`); then the live photo: no face ->
``LifePhotoDetectNoFaces``, a second face at least 30 % of the largest's area ->
``LifePhotoDetectFaces``, face < 32 px or blur < 10 -> ``LifePhotoPoorQuality``; else ``Sim``
live face vs registry portrait (>= 70 ``Success``, else ``CompareLowSimilarity``).

The photo is decoded and compared inside :func:`~kiosk.emulator.params.decoded_image`, which
holds its pixels in the emulator's :class:`~kiosk.emulator.image_budget.ImageBudget`
(``RequestLimitExceeded`` when it stays full).

Threading: no state of its own; :func:`image_recognition_v2` runs on the calling handler thread
and shares only the registry look-up, the key pair and the image budget, all thread-safe.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import cv2
import numpy as np

from kiosk.core import idnumber
from kiosk.core.faceid.crypto import aes_cbc_decrypt
from kiosk.core.vision.quality import measure_blur
from kiosk.emulator import codes
from kiosk.emulator.image_budget import ImageBudget
from kiosk.emulator.keys import RsaKeyPair
from kiosk.emulator.matcher import PASS_SIM, FaceMatcher, FaceTemplate
from kiosk.emulator.outcomes import ApiError, ServiceOutcome
from kiosk.emulator.params import decoded_image, encryption_param, reject_unknown_params, str_param
from kiosk.emulator.references import ReferenceFaces

__all__ = ["FACE_IMAGE_MAX_B64", "image_recognition_v2"]

#: ``ImageBase64`` limit after base64 (faceid-api.md §0).
FACE_IMAGE_MAX_B64 = 3 * 1024 * 1024
#: live-photo checks
MIN_FACE_PX = 32
FACE_BLUR_MIN = 10.0
SECOND_FACE_AREA_RATIO = 0.3

_FACE_PARAMS = {"IdCard", "Name", "ImageBase64", "Optional", "Encryption", "Extra"}
_ENCRYPTABLE_FACE_FIELDS = {"IdCard", "Name"}
_NAME_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fffA-Za-z][\u3400-\u4dbf\u4e00-\u9fffA-Za-z·•. ]{0,29}$")


def image_recognition_v2(
    params: dict[str, Any],
    language: str | None,
    references: ReferenceFaces,
    keys: RsaKeyPair,
    budget: ImageBudget,
) -> ServiceOutcome:
    """Emulate ``ImageRecognitionV2`` (see the module docstring)."""
    reject_unknown_params(params, _FACE_PARAMS)
    for name in ("IdCard", "Name", "ImageBase64"):
        if params.get(name) is None:
            raise ApiError("MissingParameter", f"the parameter {name} is required")
    id_card, name = str_param(params, "IdCard") or "", str_param(params, "Name") or ""
    image_b64 = str_param(params, "ImageBase64") or ""
    str_param(params, "Optional")
    extra = str_param(params, "Extra")
    if extra is not None and not 1 <= len(extra) <= 10:
        raise ApiError("InvalidParameterValue", "Extra must be 1-10 characters")
    if params.get("Encryption") is not None:
        id_card, name = _decrypt_fields(params, keys, id_card, name)
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
    sim: float | None = None
    log: dict[str, Any] = {}
    try:  # decoded (an undecodable photo is an error) before the registry decides
        with decoded_image(image_b64, budget) as image:
            reference = references.lookup(check.normalized, name)
            if isinstance(reference, str):
                result = reference
            else:
                result, sim, log = _compare_live(references.matcher, image, reference)
    except ApiError as exc:
        exc.masked_id = masked
        raise
    response: dict[str, Any] = {
        "Result": result,
        "Description": codes.description(result, language),
        "Sim": round(float(sim or 0.0), 2),
    }
    if extra is not None:
        response["Extra"] = extra
    return ServiceOutcome(response, result, masked_id=masked, sim=sim, extra_log=log)


def _decrypt_fields(params: dict[str, Any], keys: RsaKeyPair, id_card: str, name: str) -> tuple[str, str]:
    crypto, enc = encryption_param(params, keys, error="FailedOperation.DecryptSystemError")
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


def _compare_live(
    matcher: FaceMatcher, image: np.ndarray, reference: FaceTemplate
) -> tuple[str, float | None, dict[str, Any]]:
    faces = matcher.faces(image)
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
    template = matcher.template(image, face)
    sim = matcher.compare(reference, template) if template is not None else 0.0
    result = "Success" if sim >= PASS_SIM else "FailedOperation.CompareLowSimilarity"
    return result, sim, {"faces": 1}
