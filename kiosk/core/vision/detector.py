"""Face detection with OpenCV's YuNet (``cv2.FaceDetectorYN``).

The model file ships in ``resources/models`` and is verified by SHA-256 before OpenCV sees it: a
truncated or swapped model must fail loudly at start-up, not silently detect nothing.

Detection runs on a downscaled copy of the frame (long side <= ``detect_long_side``, 320 px by
default): it is about 2 ms at 320x180 on this machine, and YuNet misses very large close-up faces
at full resolution anyway (see the asset MANIFEST). Boxes and landmarks are mapped back to
full-frame coordinates.

Threading: a :class:`FaceDetector` wraps one ``cv2.FaceDetectorYN`` and is NOT thread-safe; create
one per thread (the camera thread owns its own). Creating one costs a few milliseconds.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from kiosk.core.vision._imgutil import downscale
from kiosk.resources import resource

__all__ = [
    "MODEL_PATH",
    "MODEL_SHA256",
    "Face",
    "FaceDetector",
    "ModelError",
    "read_verified_model",
    "verify_model",
]

MODEL_PATH: Path = resource("models", "face_detection_yunet_2023mar.onnx")
MODEL_SHA256 = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"


class ModelError(RuntimeError):
    """The face model is missing or its checksum does not match."""


def read_verified_model(path: Path | str, sha256: str) -> bytes:
    """The bytes of the model file at ``path`` after checking their SHA-256 (not cached: every
    model loader that must refuse a damaged file calls this); raises :class:`ModelError`."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ModelError(f"face model not readable: {p} ({exc.strerror})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ModelError(f"face model checksum mismatch: {p} has sha256 {digest}, expected {sha256}")
    return data


# the detector's verified bytes, cached per (path, digest): detectors are created per thread
_read_verified = lru_cache(maxsize=4)(read_verified_model)


def verify_model(path: Path | str = MODEL_PATH, sha256: str = MODEL_SHA256) -> str:
    """Check the model file's SHA-256; return the digest or raise :class:`ModelError`.

    The verified bytes are cached per (path, digest), so repeated detector creation does not
    re-hash the file.
    """
    _read_verified(str(path), sha256)
    return sha256


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face in full-frame pixel coordinates.

    ``landmarks`` rows: right eye, left eye (from the subject's point of view, i.e. the right eye
    is on the image's left), nose tip, right mouth corner, left mouth corner.
    """

    box: tuple[int, int, int, int]
    landmarks: np.ndarray
    score: float

    @property
    def width(self) -> int:
        return self.box[2]

    @property
    def center(self) -> tuple[float, float]:
        x, y, w, h = self.box
        return (x + w / 2.0, y + h / 2.0)

    def pose(self) -> tuple[float, float]:
        """Rough (yaw, roll) in degrees from the five landmarks.

        Yaw: horizontal offset of the nose tip from the eye midpoint, relative to half the eye
        distance, mapped through ``asin`` (0 = frontal, ~±90 = profile). Roll: angle of the eye
        line. Both are coarse but monotonic, which is what a "look straight" hint needs.
        """
        re, le, nose = self.landmarks[0], self.landmarks[1], self.landmarks[2]
        dx, dy = float(le[0] - re[0]), float(le[1] - re[1])
        eye_dist = math.hypot(dx, dy)
        if eye_dist < 1e-6:
            return (90.0, 0.0)
        roll = math.degrees(math.atan2(dy, dx))
        mid = (re + le) / 2.0
        # project the nose offset onto the eye line so roll does not masquerade as yaw
        ux, uy = dx / eye_dist, dy / eye_dist
        off = float((nose[0] - mid[0]) * ux + (nose[1] - mid[1]) * uy)
        ratio = max(-1.0, min(1.0, off / (eye_dist / 2.0)))
        return (math.degrees(math.asin(ratio)), roll)


class FaceDetector:
    """YuNet wrapper: ``detect(bgr) -> list[Face]`` in full-frame coordinates, largest first.

    One instance per thread (``cv2.FaceDetectorYN`` keeps per-call state). The input size is
    updated lazily when the frame size changes.
    """

    def __init__(
        self,
        model_path: Path | str = MODEL_PATH,
        *,
        detect_long_side: int = 320,
        score_threshold: float = 0.6,
        nms_threshold: float = 0.3,
        sha256: str = MODEL_SHA256,
    ) -> None:
        data = _read_verified(str(model_path), sha256)
        self.detect_long_side = int(detect_long_side)
        self._size = (320, 240)
        buf = np.frombuffer(data, dtype=np.uint8)
        # creation logs a harmless "setPreferableTarget ... not supported" warning (MANIFEST);
        # keep it out of the kiosk's stderr
        logging = getattr(getattr(cv2, "utils", None), "logging", None)
        old_level = logging.getLogLevel() if logging is not None else None
        if logging is not None:
            logging.setLogLevel(logging.LOG_LEVEL_ERROR)
        try:
            # from the verified bytes, so the checked file is the file that is used
            self._yn = cv2.FaceDetectorYN.create(
                "onnx", buf, np.empty(0, np.uint8), self._size, score_threshold, nms_threshold, 5000
            )
        except (cv2.error, TypeError):  # bindings without the buffer overload
            self._yn = cv2.FaceDetectorYN.create(str(model_path), "", self._size, score_threshold, nms_threshold, 5000)
        finally:
            if logging is not None and old_level is not None:
                logging.setLogLevel(old_level)

    def detect(self, bgr: np.ndarray, *, long_side: int | None = None) -> list[Face]:
        """Detect faces in a BGR (or grayscale) uint8 image; largest face first.

        ``long_side`` overrides the detection input size for this call (default: the instance's
        ``detect_long_side``)."""
        if bgr.ndim == 2:
            bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR)
        h, w = bgr.shape[:2]
        if h < 8 or w < 8:
            return []
        scale = min(1.0, (long_side or self.detect_long_side) / max(h, w))
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        small = bgr if scale == 1.0 else downscale(bgr, (sw, sh))
        if (sw, sh) != self._size:
            self._yn.setInputSize((sw, sh))
            self._size = (sw, sh)
        _, rows = self._yn.detect(np.ascontiguousarray(small))
        if rows is None:
            return []
        inv = 1.0 / scale
        faces: list[Face] = []
        for r in rows:
            x, y, bw, bh = (float(v) * inv for v in r[:4])
            x0, y0 = max(0.0, x), max(0.0, y)
            x1, y1 = min(float(w), x + bw), min(float(h), y + bh)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            box = (round(x0), round(y0), round(x1 - x0), round(y1 - y0))
            lm = (np.asarray(r[4:14], dtype=np.float32).reshape(5, 2) * inv).astype(np.float32)
            faces.append(Face(box=box, landmarks=lm, score=float(r[14])))
        faces.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
        return faces
