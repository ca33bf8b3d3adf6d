"""Face measures that need no detector: sharpness, sunglass lenses, exposure of the inner face.

Used by :func:`kiosk.core.vision.face_checks.assess_face`; each takes a grey or BGR image and a
:class:`Face` whose landmarks are in that image's pixels.

* :func:`measure_face_sharpness`: sharpness of the eye band and the mouth, aligned on the
  landmarks at a fixed eye distance, measured as how much gradient energy a further slight blur
  removes (1 - E(blurred) / E(region), in the least sharp of four directions). Contrast and
  skin texture change both energies alike, so smooth skin and soft light do not read as blur;
  defocus and motion (which leave nothing for the re-blur to remove) do.
* :func:`measure_eye_lenses`: the under-eye against the cheek in Lab (sunglasses).
* :func:`inner_exposure`: mean, highlights and burnt-out share of the inner face.

Threading: pure functions of their arguments; safe from any thread.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.core.vision.detector import Face

__all__ = ["inner_exposure", "measure_eye_lenses", "measure_face_sharpness"]

#: eye distance (px) the sharpness regions are resampled to
_SHARP_EYE_DIST = 32.0


def _shift_energy(img: np.ndarray, dx: int, dy: int) -> float:
    """Mean squared difference between ``img`` and itself shifted by (dx, dy), dx >= 0."""
    a = img[max(0, dy) : img.shape[0] + min(0, dy), dx:]
    c = img[max(0, -dy) : img.shape[0] + min(0, -dy), : img.shape[1] - dx]
    d = a - c
    return float(np.mean(d * d))


def _directional_sharpness(region: np.ndarray) -> float:
    """1 - (gradient energy after a slight blur) / (gradient energy), least of four directions."""
    if region.shape[0] < 3 or region.shape[1] < 3:
        return 0.0
    r = region.astype(np.float32)
    b = cv2.GaussianBlur(r, (0, 0), 1.0)  # tuned with eye distance 32 (tools/eval_prechecks.py)
    worst = 1.0
    for dx, dy in ((1, 0), (0, 1), (1, 1), (1, -1)):
        e = _shift_energy(r, dx, dy)
        if e < 1e-3:
            return 0.0
        worst = min(worst, 1.0 - _shift_energy(b, dx, dy) / e)
    return worst


def measure_face_sharpness(gray: np.ndarray, face: Face) -> float:
    """Sharpness (0 = no fine detail, ~0.5+ = crisp) of the eye band and the mouth of ``face``
    in a grey image: the mean of the two. A motion streak along the lips or the eyelids leaves
    one region's least sharp direction almost untouched, so the larger of the two (used before)
    let 10 %-of-face-width motion through; glasses or a moustache soften one region a little,
    which the mean halves."""
    re, le = face.landmarks[0].astype(np.float64), face.landmarks[1].astype(np.float64)
    d = float(np.hypot(*(le - re)))
    if d < 4:
        return 0.0
    s = _SHARP_EYE_DIST / d
    ang = math.degrees(math.atan2(le[1] - re[1], le[0] - re[0]))
    mid = (re + le) / 2.0
    m = cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), ang, s)
    # put the eye midpoint at (1.0 d, 0.6 d) of a 2 d x 2.2 d canvas
    e = _SHARP_EYE_DIST
    m[0, 2] += e - mid[0]
    m[1, 2] += 0.6 * e - mid[1]
    size = (round(2 * e), round(2.2 * e))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    aligned = cv2.warpAffine(gray, m, size, flags=interp, borderMode=cv2.BORDER_REPLICATE)
    eyes = aligned[round(0.6 * e - 0.3 * e) : round(0.6 * e + 0.3 * e), round(0.35 * e) : round(1.65 * e)]
    mouth_y = 0.6 * e + 1.05 * e  # mouth corners lie about 1.05 eye distances below the eyes
    mouth = aligned[round(mouth_y - 0.25 * e) : round(mouth_y + 0.25 * e), round(0.55 * e) : round(1.45 * e)]
    return 0.5 * (_directional_sharpness(eyes) + _directional_sharpness(mouth))


#: eye distance (px) of the colour crop the lens check reads
_LENS_EYE_DIST = 32.0


def measure_eye_lenses(bgr: np.ndarray, face: Face) -> tuple[float, float]:
    """(darkness, tint) of what lies just below each eye, against the cheek below it.

    Aligned on the eyes (eye distance d), the skin just under each eye (0.21-0.35 d below it)
    is compared with the cheek on the same side (0.55-0.75 d below the eyes) in CIE Lab (8-bit
    OpenCV scale): ``darkness`` is how much darker (L) the under-eye is, ``tint`` how far its
    colour (a, b) is from the cheek's. Bare skin differs from the cheek only by shadows and
    dark circles; a sunglass lens covers the under-eye too and is much darker (a dark lens) or
    of another colour (a tinted or mirrored lens). Each value is the larger of the two eyes (a
    gradient lens or a reflection can hide one side). Comparing each under-eye with the cheek
    on its own side makes it insensitive to side lighting and to skin tone."""
    re, le = face.landmarks[0].astype(np.float64), face.landmarks[1].astype(np.float64)
    d = float(np.hypot(*(le - re)))
    if d < 4:
        return 0.0, 0.0
    e = _LENS_EYE_DIST
    s = e / d
    ang = math.degrees(math.atan2(le[1] - re[1], le[0] - re[0]))
    mid = (re + le) / 2.0
    m = cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), ang, s)
    # eyes at (1.0 e, 1.0 e) and (2.0 e, 1.0 e); only the band below them, from (ox, oy), is
    # resampled (what the patches below read)
    ox, oy = round(0.75 * e), round(1.2 * e)
    m[0, 2] += 1.5 * e - mid[0] - ox
    m[1, 2] += 1.0 * e - mid[1] - oy
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    size = (round(2.3 * e) - ox, round(1.8 * e) - oy)
    lab = cv2.cvtColor(cv2.warpAffine(bgr, m, size, flags=interp, borderMode=cv2.BORDER_REPLICATE), cv2.COLOR_BGR2LAB)

    def median(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        y0, y1 = round((cy - ry) * e) - oy, round((cy + ry) * e) - oy
        x0, x1 = round((cx - rx) * e) - ox, round((cx + rx) * e) - ox
        return np.median(lab[y0:y1, x0:x1].reshape(-1, 3), axis=0)

    dark, tint = [], []
    for ex, side in ((1.0, -1.0), (2.0, 1.0)):
        under = median(ex, 1.28, 0.2, 0.07)
        cheek = median(ex + 0.05 * side, 1.65, 0.18, 0.1)
        dark.append(float(cheek[0] - under[0]))
        tint.append(float(np.hypot(under[1] - cheek[1], under[2] - cheek[2])))
    return max(dark), max(tint)


def inner_exposure(inner: np.ndarray, clip_level: int) -> tuple[float, float, float]:
    """(mean, 90th percentile, share at or above ``clip_level``) of an inner-face grey region.

    The 90th percentile is the face's lit side and highlights: a well exposed face reaches mid
    grey there whatever the skin tone (a dark-skinned face in low-key light has a low mean but
    not low highlights); an under-exposed one does not. The near-clipped share is burnt-out
    skin, which a light skin in bright but correct light does not have."""
    hist = np.bincount(inner.ravel(), minlength=256).astype(np.float64)  # (no thread pool for a small region)
    n = float(hist.sum())
    if n <= 0:
        return 0.0, 0.0, 0.0
    mean = float(np.dot(hist, np.arange(256, dtype=np.float32)) / n)
    p90 = float(np.searchsorted(np.cumsum(hist), 0.9 * n))
    return mean, p90, float(hist[clip_level:].sum() / n)
