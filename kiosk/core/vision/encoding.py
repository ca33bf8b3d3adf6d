"""JPEG encoding for upload, sized under the API limits and the kiosk's upload budget.

Limits: ImageRecognitionV2 takes Base64 <= 3 MB, CheckIdCardInformation Base64 <= 7 MB
(capture-research.md section d). The kiosk's own budget is tighter, to keep uploads fast on
branch networks: a face photo <= 150 KB, a card photo <= 400 KB (design.md, Targets).

The quality is the highest (binary search between ``MIN_QUALITY`` and ``MAX_QUALITY``) that fits;
if even ``MIN_QUALITY`` does not fit, the image is downscaled by 15 % steps (never below
``MIN_LONG_SIDE``) and searched again. :func:`encode_checked` also decodes the result and runs the
same prechecks on it, so a capture never degrades into something the service would reject.

Pure functions; thread-safe.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.imageio import ImageLoadError, decode_image
from kiosk.core.vision.quality import Assessment, Thresholds, assess

__all__ = [
    "BASE64_LIMITS",
    "BUDGETS",
    "EncodedImage",
    "EncodingError",
    "encode_checked",
    "encode_for_upload",
]

#: upload budget in bytes of JPEG per kind (design.md: face <= 150 KB, card <= 400 KB)
BUDGETS: dict[str, int] = {"face": 150 * 1000, "card": 400 * 1000}
#: API limits on the Base64 text (ImageRecognitionV2 3 MB, CheckIdCardInformation 7 MB)
BASE64_LIMITS: dict[str, int] = {"face": 3 * 1024 * 1024, "card": 7 * 1024 * 1024}
MIN_QUALITY = 60
MAX_QUALITY = 95
#: never shrink below this long side (px): the face check and the card OCR need the pixels
MIN_LONG_SIDE: dict[str, int] = {"face": 640, "card": 800}


class EncodingError(RuntimeError):
    """The image cannot be encoded within the budget (or fails the prechecks once encoded)."""


@dataclass(frozen=True, slots=True)
class EncodedImage:
    """A JPEG ready for upload: ``jpeg`` bytes, the encoded ``width`` x ``height`` and ``quality``."""

    jpeg: bytes
    width: int
    height: int
    quality: int

    @property
    def size_kb(self) -> float:
        return len(self.jpeg) / 1000.0

    def base64(self) -> str:
        return base64.b64encode(self.jpeg).decode("ascii")


def _encode(img: np.ndarray, q: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(q), cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise EncodingError("JPEG encoding failed")
    return buf.tobytes()


def _fits(data: bytes, budget: int, b64_limit: int) -> bool:
    return len(data) <= budget and 4 * ((len(data) + 2) // 3) <= b64_limit


def encode_for_upload(image: np.ndarray, kind: str, *, budget: int | None = None) -> EncodedImage:
    """Encode ``image`` (BGR uint8) as the best JPEG within the budget for ``kind`` ("face"/"card")."""
    if kind not in BUDGETS:
        raise ValueError(f"kind must be 'face' or 'card', not {kind!r}")
    if image is None or image.dtype != np.uint8 or image.ndim not in (2, 3) or image.size == 0:
        raise EncodingError("not an 8-bit image")
    limit = budget if budget is not None else BUDGETS[kind]
    b64 = BASE64_LIMITS[kind]
    img = image
    while True:
        h, w = img.shape[:2]
        top = _encode(img, MAX_QUALITY)  # the common case: the best quality already fits
        if _fits(top, limit, b64):
            return EncodedImage(top, w, h, MAX_QUALITY)
        data = _encode(img, MIN_QUALITY)
        if _fits(data, limit, b64):
            lo, hi, best_q, best = MIN_QUALITY, MAX_QUALITY - 1, MIN_QUALITY, data
            while lo < hi:  # highest quality that fits
                mid = (lo + hi + 1) // 2
                cand = _encode(img, mid)
                if _fits(cand, limit, b64):
                    lo, best_q, best = mid, mid, cand
                else:
                    hi = mid - 1
            return EncodedImage(best, w, h, best_q)
        new_w, new_h = round(w * 0.85), round(h * 0.85)
        if max(new_w, new_h) < MIN_LONG_SIDE[kind]:
            raise EncodingError(f"{kind} image does not fit {limit} bytes at {w}x{h}")
        img = cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_AREA)


def encode_checked(
    image: np.ndarray,
    kind: str,
    *,
    detector: FaceDetector | None = None,
    thresholds: Thresholds | None = None,
    budget: int | None = None,
) -> tuple[EncodedImage, Assessment]:
    """:func:`encode_for_upload`, then decode the JPEG and run :func:`assess` on it.

    Returns ``(encoded, assessment_of_the_decoded_jpeg)``; raises :class:`EncodingError` when the
    encoded image no longer passes (the caller keeps waiting for a better frame).
    """
    enc = encode_for_upload(image, kind, budget=budget)
    try:
        decoded = decode_image(enc.jpeg)
    except ImageLoadError as exc:
        raise EncodingError(f"encoded {kind} image cannot be decoded: {exc}") from None
    a = assess(decoded, kind, detector=detector, thresholds=thresholds)
    if not a.ok:
        raise EncodingError(f"encoded {kind} image fails the prechecks: {', '.join(a.problems)}")
    return enc, a
