"""Vision: everything between the camera and a capture the FaceID service will accept.

Public API (see docs/contracts.md):

* sources: :class:`FrameSource`, :class:`SourceInfo`, :class:`WebcamSource`,
  :class:`VideoFileSource`, :class:`ImageFolderSource`, :class:`VirtualCamera` /
  :class:`VirtualScript`, :class:`FaultInjectingSource`; the camera watchdog :class:`WatchedSource`
* detection: :class:`FaceDetector`, :class:`Face`
* checks: :func:`assess` -> :class:`Assessment`, :class:`Thresholds`, :func:`measure_blur`,
  :data:`PROBLEM_CODES`; the card finder :func:`find_card` / :func:`rectify`
* capture: :class:`AutoCapture` -> :class:`Capture`, :class:`HintDebouncer`,
  :func:`upload_image` (card crop or face crop for any assessed frame: auto, manual or file),
  :func:`face_upload_crop`, :func:`orient_card`
* encoding: :func:`encode_for_upload` -> :class:`EncodedImage`, :func:`encode_checked`

No Qt here (import-linter contract). Threading rules are in each module's docstring: sources
and detectors belong to one thread; ``assess`` is pure given its detector.
"""

from kiosk.core.vision.camera_watchdog import WatchedSource
from kiosk.core.vision.capture import (
    AutoCapture,
    Capture,
    HintDebouncer,
    face_upload_crop,
    orient_card,
    upload_image,
)
from kiosk.core.vision.card import RECTIFIED_SIZE, CardCandidate, find_card, rectify
from kiosk.core.vision.detector import MODEL_PATH, MODEL_SHA256, Face, FaceDetector, ModelError, verify_model
from kiosk.core.vision.encoding import EncodedImage, EncodingError, encode_checked, encode_for_upload
from kiosk.core.vision.quality import PROBLEM_CODES, Assessment, Thresholds, assess, measure_blur
from kiosk.core.vision.sources import (
    FaultInjectingSource,
    FrameSource,
    ImageFolderSource,
    SourceError,
    SourceInfo,
    VideoFileSource,
    WebcamSource,
)
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript

__all__ = [
    "MODEL_PATH",
    "MODEL_SHA256",
    "PROBLEM_CODES",
    "RECTIFIED_SIZE",
    "Assessment",
    "AutoCapture",
    "Capture",
    "CardCandidate",
    "EncodedImage",
    "EncodingError",
    "Face",
    "FaceDetector",
    "FaultInjectingSource",
    "FrameSource",
    "HintDebouncer",
    "ImageFolderSource",
    "ModelError",
    "SourceError",
    "SourceInfo",
    "Thresholds",
    "VideoFileSource",
    "VirtualCamera",
    "VirtualScript",
    "WatchedSource",
    "WebcamSource",
    "assess",
    "encode_checked",
    "encode_for_upload",
    "face_upload_crop",
    "find_card",
    "measure_blur",
    "orient_card",
    "rectify",
    "upload_image",
    "verify_model",
]
