"""The emulator's fallback face matcher (classical features). **This is not a biometric matcher.**

The emulator uses it when the optional face-recognition model (the ``face`` extra, see
:mod:`kiosk.emulator.matcher_resnet`) is not installed, or when asked for it with
``kiosk emulator --matcher classic``. It compares faces with classical image features:

1. YuNet (:class:`kiosk.core.vision.detector.FaceDetector`) finds the face; the landmarks are then
   re-detected on an up-scaled crop around it (YuNet's landmarks on small faces jitter by several
   pixels, which matters for step 4);
2. a similarity transform (rotation, uniform scale, translation) maps the five landmarks onto the
   canonical 112 x 112 ArcFace template, giving an aligned grey face crop;
3. illumination normalisation: CLAHE;
4. features: (a) the aligned face at 56 x 56 for a normalised cross-correlation of its central
   40 x 40 part, searched over small shifts, +-5 degrees and +-6 % scale (absorbs the remaining
   alignment error); (b) uniform-LBP histograms (radius 1, 59 bins) on a 7 x 7 grid,
   Hellinger-normalised, compared by cosine. (A HOG descriptor and plain low-resolution pixels
   were evaluated too and separated the test photographs worse, so they are not used.)
5. raw score = 0.7 * NCC + 0.3 * LBP cosine, mapped to ``Sim`` 0..100 by a logistic curve
   calibrated so that 70 (the FaceID pass mark) separates the project's test photographs: the
   same photograph re-shot (other crop, scale, JPEG quality, brightness, +-8 degrees rotation,
   printed on a specimen card and photographed) scores >= 70 and different people < 70. On the
   six shared photographs (tests/emulator/test_matcher.py) the raw same-photo minimum was ~0.79
   (Sim ~84) and the different-people maximum ~0.68 (Sim ~50); the pass mark sits at raw 0.735.

What it can do: recognise *the same photograph* (or a close re-capture of it) through typical
capture changes, which is exactly what the demo and the tests need (the registry portrait is the
photo printed on the specimen card and used as the "live" face). What it cannot do: recognise a
person across different photographs, ages, expressions or poses, or resist any deliberate attack.
Its false-accept rate on a real population is unknown and certainly far above the service's
1/10,000 at Sim 70. Measured through the emulator on real photographs (issue 14): a different
photo of the same person was rejected in 184 of 202 pairs, 6 of 808 different-person pairs passed.
Never use it to make a real identity decision.

Threading: :class:`ClassicMatcher` is thread-safe (one ``FaceDetector`` per thread, see
:class:`kiosk.emulator.facefind.FaceFinder`). Templates are immutable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.core.vision.detector import Face
from kiosk.emulator.facefind import FaceFinder

__all__ = [
    "ALIGNED_SIZE",
    "ClassicMatcher",
    "ClassicTemplate",
    "align_face",
    "similarity_from_score",
]

#: side of the aligned face crop.
ALIGNED_SIZE = 112

#: ArcFace 112 x 112 reference landmarks (right eye, left eye, nose, right/left mouth corner).
_REFERENCE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    np.float32,
)

# score -> Sim calibration (see module docstring and tests/emulator/test_matcher.py):
# Sim = 100 / (1 + exp(-(score - _MID) * _SLOPE)); Sim 70 at score _MID + ln(7/3) / _SLOPE = 0.735.
_SLOPE = 15.0
_MID = 0.735 - math.log(7.0 / 3.0) / _SLOPE
_W_NCC = 0.7
_W_LBP = 0.3
_NCC_SIZE = 56
_NCC_INNER = (slice(10, 50), slice(8, 48))  # 40 x 40: eyes to chin, without the background
_NCC_SEARCH = [(scale, angle) for scale in (0.94, 1.0, 1.06) for angle in (-5.0, 0.0, 5.0)]


def _uniform_lut() -> np.ndarray:
    lut = np.full(256, 58, np.uint8)
    label = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        transitions = sum(bits[i] != bits[(i + 1) % 8] for i in range(8))
        if transitions <= 2:
            lut[code] = label
            label += 1
    return lut


_LUT = _uniform_lut()


@dataclass(frozen=True, slots=True)
class ClassicTemplate:
    """Features of one aligned face, plus where the face was found (treat as immutable)."""

    face: np.ndarray  # 56 x 56 float32 CLAHE-normalised aligned face
    lbp: np.ndarray  # unit-length LBP grid histogram
    box: tuple[int, int, int, int]
    score: float


def align_face(bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 112 x 112 grey face crop aligned to the canonical landmarks (similarity transform)."""
    matrix, _ = cv2.estimateAffinePartial2D(np.asarray(landmarks, np.float32), _REFERENCE, method=cv2.LMEDS)
    if matrix is None:
        raise ValueError("cannot align face")
    gray = bgr if bgr.ndim == 2 else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return cv2.warpAffine(
        gray, matrix, (ALIGNED_SIZE, ALIGNED_SIZE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


def _unit(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.float32).ravel()
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else v


def _lbp_hist(gray: np.ndarray, grid: int = 7) -> np.ndarray:
    g = gray.astype(np.int16)
    c = g[1:-1, 1:-1]
    neighbours = (g[:-2, :-2], g[:-2, 1:-1], g[:-2, 2:], g[1:-1, 2:], g[2:, 2:], g[2:, 1:-1], g[2:, :-2], g[1:-1, :-2])
    code = np.zeros(c.shape, np.uint8)
    for bit, n in enumerate(neighbours):
        code |= (n >= c).astype(np.uint8) << bit
    labels = _LUT[code]
    h, w = labels.shape
    hists = []
    for i in range(grid):
        for j in range(grid):
            cell = labels[i * h // grid : (i + 1) * h // grid, j * w // grid : (j + 1) * w // grid]
            hist = np.bincount(cell.ravel(), minlength=59).astype(np.float32)
            hists.append(np.sqrt(hist / max(1.0, hist.sum())))
    return _unit(np.concatenate(hists))


def _features(aligned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    eq = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4)).apply(aligned)
    small = cv2.resize(eq, (_NCC_SIZE, _NCC_SIZE), interpolation=cv2.INTER_AREA).astype(np.float32)
    return small, _lbp_hist(cv2.GaussianBlur(eq, (3, 3), 0.8))


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    """Best normalised cross-correlation of ``a``'s centre within ``b`` over small warps."""
    best = -1.0
    centre = (_NCC_SIZE / 2.0, _NCC_SIZE / 2.0 + 2.0)
    for scale, angle in _NCC_SEARCH:
        warp = cv2.getRotationMatrix2D(centre, angle, scale)
        moved = cv2.warpAffine(a, warp, (_NCC_SIZE, _NCC_SIZE), borderMode=cv2.BORDER_REPLICATE)
        result = cv2.matchTemplate(b, np.ascontiguousarray(moved[_NCC_INNER]), cv2.TM_CCOEFF_NORMED)
        best = max(best, float(result.max()))
    return best


def similarity_from_score(score: float) -> float:
    """Map the raw feature similarity (weighted cosine, -1..1) to ``Sim`` 0..100 (2 decimals)."""
    return round(100.0 / (1.0 + math.exp(-(score - _MID) * _SLOPE)), 2)


class ClassicMatcher(FaceFinder):
    """Detect, align, describe and compare faces (demo grade; see the module docstring).

    Thread-safe: one detector per thread is created lazily (:class:`FaceFinder`).
    """

    #: short name printed by ``kiosk emulator``, the demo and ``kiosk selftest``.
    name = "classic"
    description = "classic image features (NCC + LBP): recognises the same photograph, not the same person"

    def template(self, bgr: np.ndarray, face: Face | None = None) -> ClassicTemplate | None:
        """Features of ``face`` (default: the largest face) in ``bgr``; ``None`` without a face."""
        face = self.largest(bgr, face)
        if face is None:
            return None
        aligned = align_face(bgr, self.refined_landmarks(bgr, face))
        small, lbp = _features(aligned)
        return ClassicTemplate(face=small, lbp=lbp, box=face.box, score=face.score)

    @staticmethod
    def score(a: ClassicTemplate, b: ClassicTemplate) -> float:
        """Raw similarity ``0.7 * NCC + 0.3 * LBP cosine`` (about -1..1), symmetric."""
        ncc = max(_ncc(a.face, b.face), _ncc(b.face, a.face))
        return _W_NCC * ncc + _W_LBP * float(a.lbp @ b.lbp)

    def compare(self, a: ClassicTemplate, b: ClassicTemplate) -> float:
        """``Sim`` 0..100 between two templates."""
        return similarity_from_score(self.score(a, b))

    def similarity(self, image_a: np.ndarray, image_b: np.ndarray) -> float | None:
        """``Sim`` between the largest faces of two images; ``None`` if either has no face."""
        ta, tb = self.template(image_a), self.template(image_b)
        if ta is None or tb is None:
            return None
        return self.compare(ta, tb)
