"""Finding faces and their five landmarks for the emulator's matchers (YuNet, no Qt).

Both matchers (:mod:`.matcher_resnet` and :mod:`.matcher_classic`) start the same way:

1. YuNet (:class:`kiosk.core.vision.detector.FaceDetector`) finds the faces; images smaller than
   240 px on the long side are up-scaled first (pre-aligned 150 x 150 face chips are otherwise
   often missed);
2. the landmarks of the chosen face are re-detected on a crop around it scaled to 320 px (YuNet's
   landmarks on small faces jitter by several pixels, which spoils the alignment).

Threading: :class:`FaceFinder` is thread-safe; it keeps one ``FaceDetector`` per thread
(``threading.local``) because the OpenCV detector is not re-entrant.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from kiosk.core.vision.detector import Face, FaceDetector

__all__ = ["FaceFinder"]

#: images with a long side below this are up-scaled before detection.
_MIN_DETECT_SIDE = 240
#: the long side the landmark-refinement crop is scaled to.
_REFINE_SIDE = 320.0


class FaceFinder:
    """Faces and refined landmarks (thread-safe: one detector per thread, created lazily)."""

    def __init__(self, *, detect_long_side: int = 640) -> None:
        self._detect_long_side = detect_long_side
        self._local = threading.local()

    def detector(self) -> FaceDetector:
        """This thread's face detector."""
        det = getattr(self._local, "detector", None)
        if det is None:
            det = FaceDetector(detect_long_side=self._detect_long_side)
            self._local.detector = det
        return det

    def faces(self, bgr: np.ndarray) -> list[Face]:
        """All faces in ``bgr``, largest first (small images are up-scaled for the detector)."""
        h, w = bgr.shape[:2]
        scale = 1.0
        if max(h, w) < _MIN_DETECT_SIDE:
            scale = _MIN_DETECT_SIDE / max(h, w)
            bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        found = self.detector().detect(bgr)
        if scale == 1.0:
            return found
        inv = 1.0 / scale
        return [
            Face(
                box=tuple(round(v * inv) for v in f.box),  # type: ignore[arg-type]
                landmarks=(f.landmarks * inv).astype(np.float32),
                score=f.score,
            )
            for f in found
        ]

    def refined_landmarks(self, bgr: np.ndarray, face: Face) -> np.ndarray:
        """Landmarks re-detected on a crop around ``face`` scaled to the detector's sweet spot."""
        x, y, w, h = face.box
        half = max(w, h) * 1.1
        cx, cy = x + w / 2.0, y + h / 2.0
        x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
        x1, y1 = min(bgr.shape[1], int(cx + half)), min(bgr.shape[0], int(cy + half))
        crop = bgr[y0:y1, x0:x1]
        if crop.size == 0:
            return face.landmarks
        scale = _REFINE_SIDE / max(crop.shape[:2])
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        resized = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interp)
        found = self.detector().detect(resized)
        if not found:
            return face.landmarks
        return (found[0].landmarks / scale + np.float32([x0, y0])).astype(np.float32)

    def largest(self, bgr: np.ndarray, face: Face | None) -> Face | None:
        """``face`` itself, else the largest face in ``bgr`` (``None`` when there is none)."""
        if face is not None:
            return face
        found = self.faces(bgr)
        return found[0] if found else None
