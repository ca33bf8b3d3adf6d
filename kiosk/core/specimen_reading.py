"""Reading SPECIMEN cards from photos: find the marker's QR code, derive the card geometry.

:func:`locate_specimen` finds and decodes the QR marker of a card rendered by
:func:`kiosk.core.specimen.render_specimen` in a photo or crop (whole image and up-scaled
copies, so small or distant cards are found; perspective, rotation and JPEG compression are
tolerated) and returns a :class:`SpecimenReading`: the person, the flags and the card's outline,
derived from the QR corners (the symbol sits at a fixed place on the card), so the outline is
known even when the card edges are outside the image. :func:`rectify_card` warps the card to the
canonical card canvas. :func:`find_qr` / :func:`specimen_from_qr` split the search from the
interpretation (the emulator tells "no card" from "a code that is not a marker").

Threading: every function is pure (inputs are never modified, results are new arrays owned by
the caller); OpenCV QR detectors are created per call, so all functions are thread-safe.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.core.specimen import CARD_SIZE, QR_SYMBOL_BOX, Person, decode_marker_flags

__all__ = [
    "SpecimenReading",
    "find_qr",
    "locate_specimen",
    "read_specimen",
    "rectify_card",
    "specimen_from_qr",
]


@dataclass(frozen=True, slots=True)
class SpecimenReading:
    """A specimen card found in an image.

    ``homography`` maps card pixel coordinates (``CARD_SIZE`` canvas) to image coordinates;
    ``card_quad`` is the card outline in the image (TL, TR, BR, BL; may lie partly outside the
    image when the card is cut off); ``qr_quad`` the QR symbol corners as detected.
    """

    person: Person
    marker: str
    homography: np.ndarray
    card_quad: np.ndarray
    qr_quad: np.ndarray
    flags: str = ""


def _symbol_corners() -> np.ndarray:
    qx, qy, qw, qh = QR_SYMBOL_BOX
    return np.array([[qx, qy], [qx + qw, qy], [qx + qw, qy + qh], [qx, qy + qh]], np.float32)


def _card_corners() -> np.ndarray:
    w, h = CARD_SIZE
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)


def _decode_once(gray: np.ndarray) -> tuple[str, np.ndarray] | None:
    """One decoding attempt with each of OpenCV's QR detectors (classic first, then ArUco-based)."""
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        try:
            text, points, _ = detector.detectAndDecode(gray)
        except cv2.error:
            continue
        if text and points is not None and np.asarray(points).size == 8:
            return text, np.asarray(points, np.float32).reshape(4, 2)
    return None


def find_qr(image_bgr: np.ndarray) -> tuple[str, np.ndarray] | None:
    """Any decodable QR code in the image: (text, 4 corner points) or ``None``.

    Same search as :func:`locate_specimen` but without interpreting the text (the emulator uses
    it to tell "no card" from "a code that is not a specimen marker").
    """
    gray = _gray(image_bgr)
    return None if gray is None else _try_decode(gray)


def _gray(image_bgr: np.ndarray) -> np.ndarray | None:
    if image_bgr is None or not isinstance(image_bgr, np.ndarray) or image_bgr.size == 0:
        return None
    if image_bgr.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image_bgr.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        gray = cv2.cvtColor(image_bgr, code)
    else:
        gray = image_bgr
    if gray.dtype != np.uint8 or min(gray.shape[:2]) < 21:
        return None
    return gray


def _try_decode(gray: np.ndarray) -> tuple[str, np.ndarray] | None:
    """Try the whole image at several scales; points are returned in ``gray`` coordinates."""
    long_side = max(gray.shape[:2])
    scales = [1280 / long_side, 1.0] if long_side > 1600 else [1.0]
    # up-scaling helps OpenCV's decoder with small modules (distant cards, crops)
    scales += [f for f in (2.0, 1.5) if long_side * f <= 3200]
    for scale in scales:
        if scale == 1.0:
            img = gray
        else:
            interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
            img = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)
        found = _decode_once(img)
        if found is not None:
            return found[0], found[1] / scale
    return None


def locate_specimen(image_bgr: np.ndarray) -> SpecimenReading | None:
    """Find and decode a specimen card's marker in a photo or crop; ``None`` if there is none.

    Works on the whole image and on up-scaled copies (small or distant cards), tolerating
    perspective, rotation and JPEG compression. The card geometry is derived from the QR
    corners, so ``card_quad`` is known even when the card edges are outside the image.
    """
    found = find_qr(image_bgr)
    return None if found is None else specimen_from_qr(*found)


def specimen_from_qr(text: str, points: np.ndarray) -> SpecimenReading | None:
    """Interpret a decoded QR code (text and its 4 corners, as from :func:`find_qr`) as a
    specimen marker; ``None`` if the text is not a valid marker."""
    points = np.asarray(points, np.float32).reshape(4, 2)
    decoded = decode_marker_flags(text)
    if decoded is None:
        return None
    person, flags = decoded
    # The three finder-pattern corners are located precisely; the fourth (no finder pattern) is
    # often off by several pixels, which a 4-point homography would amplify ~5x at the far card
    # corners. An affine map from the three good corners is far more accurate in practice.
    affine = cv2.getAffineTransform(_symbol_corners()[[0, 1, 3]], points[[0, 1, 3]].astype(np.float32))
    homography = np.vstack([affine, [0.0, 0.0, 1.0]])
    card_quad = cv2.perspectiveTransform(_card_corners()[None], homography)[0]
    if not np.all(np.isfinite(card_quad)):
        return None
    return SpecimenReading(
        person=person, marker=text, homography=homography, card_quad=card_quad, qr_quad=points, flags=flags
    )


def read_specimen(image_bgr: np.ndarray) -> Person | None:
    """The :class:`Person` printed on a specimen card in ``image_bgr``, or ``None``."""
    reading = locate_specimen(image_bgr)
    return reading.person if reading is not None else None


def rectify_card(image_bgr: np.ndarray, reading: SpecimenReading, scale: float = 1.0) -> np.ndarray:
    """Warp the card in ``image_bgr`` to the canonical card canvas (times ``scale``).

    Areas of the card outside the image come out black. Returns a new array.
    """
    w, h = CARD_SIZE
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    to_canvas = np.diag([scale, scale, 1.0]) @ np.linalg.inv(reading.homography)
    return cv2.warpPerspective(
        image_bgr, to_canvas, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
    )
