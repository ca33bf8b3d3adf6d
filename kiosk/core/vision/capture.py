"""Auto-capture: take a frame only after the checks pass for a short steady run.

:class:`AutoCapture` is fed every assessed frame of one capture step. It

* keeps a *run* of consecutive passing frames whose box (face) or corners (card) move little
  between frames; any failing or jumpy frame restarts the run;
* after ``steady_frames`` frames spanning at least ``min_steady_s`` seconds (8 frames and
  0.25 s by default, about 0.3 s at 30 fps: BlinkID/Regula-style "hold still" gating), takes the
  sharpest frame of the run and makes the upload image from it: the card rectified to 1012x638
  (plus a 3 % margin so the edges show) and turned the right way up (portrait on the right), or
  a head-and-shoulders crop of the face with any tolerated bystander blurred out (the service
  counts faces too); encodes it within the upload budget, decodes the JPEG and re-runs the
  same checks; only then returns a :class:`Capture` (once; call :meth:`reset` for another);
* exposes ``progress`` (0..1, for a visible countdown) and a debounced ``hint`` (the hint key of
  :func:`kiosk.core.vision.guidance.hint_for`: the problem code or a directional refinement
  such as ``face_turned_left``): a problem must
  persist ``hint_delay`` seconds (0.5 s) before it is shown and a shown hint is held at least
  ``hint_hold`` seconds (1 s; BlinkID shows each state >= 1 s, capture-research section d).

Threading/ownership: one instance per capture step, used from one thread (the camera thread).
``hint`` and ``progress`` are plain attributes and may be read from the GUI thread. ``feed``
copies the frame it keeps; the caller keeps ownership of the frames it passes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.core.vision.card import RECTIFIED_SIZE, UPLOAD_MARGIN, rectify
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.encoding import EncodedImage, EncodingError, encode_checked
from kiosk.core.vision.guidance import hint_for
from kiosk.core.vision.quality import Assessment, Thresholds, default_detector

__all__ = [
    "AutoCapture",
    "Capture",
    "HintDebouncer",
    "face_upload_crop",
    "motion_between",
    "orient_card",
    "upload_image",
]

#: head-and-shoulders crop around the face: width in face widths, height / width (3:4 portrait)
FACE_CROP_WIDTH = 2.4
FACE_CROP_ASPECT = 4 / 3
#: the face may fill at most this share of the crop's short side (below Thresholds.face_max_frac)
FACE_CROP_MAX_FILL = 0.6
#: never narrower than this (px) when the frame allows: a small face still gets a 480x640 photo
#: (face-compare services want >= 640x480-class images, e.g. Alibaba [AL1])
FACE_CROP_MIN_WIDTH = 480.0


@dataclass(frozen=True, slots=True)
class Capture:
    """A finished capture: ``image`` is the rectified card crop (1012x638 card + 3 % margin =
    1072x676) or the face crop,
    ``jpeg`` its upload encoding, ``assessment`` the checks on the *decoded JPEG*;
    ``frame_assessment`` the checks on the original frame."""

    stage: str
    image: np.ndarray
    jpeg: bytes
    assessment: Assessment
    encoded: EncodedImage | None = field(default=None, repr=False)
    frame_assessment: Assessment | None = field(default=None, repr=False)


class HintDebouncer:
    """Debounce a stream of problem codes into a calm on-screen hint.

    A new value (a code, or ``None`` = nothing to say) must be seen continuously for ``delay``
    seconds before it replaces the shown one, and a shown value stays at least ``hold`` seconds.
    """

    def __init__(self, delay: float = 0.5, hold: float = 1.0) -> None:
        self.delay = delay
        self.hold = hold
        self.reset()

    def reset(self) -> None:
        self.shown: str | None = None
        self._shown_at = -1e18
        self._candidate: str | None = None
        self._candidate_since = 0.0

    def update(self, code: str | None, now: float) -> str | None:
        if code != self._candidate:
            self._candidate = code
            self._candidate_since = now
        if (
            self._candidate != self.shown
            and now - self._candidate_since >= self.delay
            and now - self._shown_at >= self.hold
        ):
            self.shown = self._candidate
            self._shown_at = now
        return self.shown


def face_upload_crop(frame: np.ndarray, assessment: Assessment) -> np.ndarray:
    """The face photo to upload: a head-and-shoulders crop around the main face, with any other
    (tolerated, smaller) face inside it blurred beyond recognition.

    The service counts faces itself (``LifePhotoDetectFaces``), so a bystander we tolerate on
    screen must not reach it. The crop is 2.4 face widths (at least 480 px) wide and 3:4
    (portrait), clamped to the frame and widened if the face would fill more than 60 % of it;
    never upscaled. A new array.
    """
    if assessment.box is None:
        return frame.copy()
    fh, fw = frame.shape[:2]
    x, y, w, h = assessment.box
    cw = min(float(fw), max(FACE_CROP_WIDTH * w, FACE_CROP_MIN_WIDTH))
    ch = min(float(fh), cw * FACE_CROP_ASPECT)
    cw = min(float(fw), max(cw, ch / FACE_CROP_ASPECT, w / FACE_CROP_MAX_FILL))
    if min(cw, ch) < w / FACE_CROP_MAX_FILL:  # a very large face: keep more of the frame
        cw, ch = float(fw), float(fh)
    cx, cy = x + w / 2.0, y + h / 2.0 + 0.1 * h
    x0 = round(min(max(0.0, cx - cw / 2), fw - cw))
    y0 = round(min(max(0.0, cy - ch / 2), fh - ch))
    crop = frame[y0 : y0 + int(ch), x0 : x0 + int(cw)].copy()
    for ox, oy, ow, oh in assessment.others:
        # the other face's box, grown a little, in crop coordinates
        gx0, gy0 = max(0, ox - ow // 4 - x0), max(0, oy - oh // 4 - y0)
        gx1 = min(crop.shape[1], ox + ow + ow // 4 - x0)
        gy1 = min(crop.shape[0], oy + oh + oh // 4 - y0)
        if gx1 - gx0 > 2 and gy1 - gy0 > 2:
            region = crop[gy0:gy1, gx0:gx1]
            crop[gy0:gy1, gx0:gx1] = cv2.GaussianBlur(region, (0, 0), max(3.0, ow / 3.0))
    return crop


def orient_card(crop: np.ndarray, detector: FaceDetector | None = None) -> np.ndarray:
    """Turn a rectified card crop the right way up: the portrait belongs on the right.

    The card finder cannot tell a card held upside down from one held upright; the portrait
    photo can (an upside-down face is not detected, so both ways are tried). Returns ``crop``
    itself, or a rotated copy when only the turned card shows an upright face on the right.
    """
    det = detector or default_detector()
    small = cv2.resize(crop, (480, round(480 * crop.shape[0] / crop.shape[1])), interpolation=cv2.INTER_AREA)

    def portrait_right(img: np.ndarray) -> bool:
        return any(f.center[0] > 0.55 * img.shape[1] for f in det.detect(img))

    if portrait_right(small):
        return crop
    if portrait_right(cv2.rotate(small, cv2.ROTATE_180)):
        return cv2.rotate(crop, cv2.ROTATE_180)
    return crop


def upload_image(frame: np.ndarray, assessment: Assessment, *, detector: FaceDetector | None = None) -> np.ndarray:
    """The image to encode and upload for an assessed frame (``assessment.stage``): the card
    rectified to 1012x638 plus a 3 % margin (1072x676) and turned the right way up (portrait on
    the right), or the head-and-shoulders face crop with
    bystanders blurred. The one place that decides it, for auto, manual and file captures alike.
    A new array (``frame`` is not modified)."""
    if assessment.stage == "card":
        if assessment.quad is None:
            raise ValueError("a card assessment without a card outline")
        return orient_card(rectify(frame, assessment.quad, RECTIFIED_SIZE, margin=UPLOAD_MARGIN), detector)
    return face_upload_crop(frame, assessment)


def motion_between(a: Assessment, b: Assessment) -> float:
    """Relative motion between two assessments of the same stage (0 = still).

    Card: mean corner displacement over the card width. Face: centre displacement plus size
    change, over the face width. ``inf`` when either lacks a box.
    """
    if a.quad is not None and b.quad is not None:
        width = float(np.linalg.norm(a.quad[1] - a.quad[0])) or 1.0
        return float(np.linalg.norm(a.quad - b.quad, axis=1).mean()) / width
    if a.box is None or b.box is None:
        return float("inf")
    ax, ay, aw, ah = a.box
    bx, by, bw, bh = b.box
    d = np.hypot((ax + aw / 2) - (bx + bw / 2), (ay + ah / 2) - (by + bh / 2)) + abs(aw - bw)
    return float(d) / max(1.0, float(aw))


class AutoCapture:
    """Steady-run auto-capture for one stage ("card" or "face"); see the module docstring."""

    def __init__(
        self,
        stage: str,
        *,
        steady_frames: int = 8,
        min_steady_s: float = 0.25,
        max_motion: float = 0.03,
        hint_delay: float = 0.5,
        hint_hold: float = 1.0,
        detector: FaceDetector | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        if stage not in ("card", "face"):
            raise ValueError(f"stage must be 'card' or 'face', not {stage!r}")
        self.stage = stage
        self.steady_frames = steady_frames
        self.min_steady_s = min_steady_s
        self.max_motion = max_motion
        self.detector = detector
        self.thresholds = thresholds
        self._hints = HintDebouncer(hint_delay, hint_hold)
        self.reset()

    def reset(self) -> None:
        """Forget the run, the hint and any capture (a new attempt). The kept frame copy is
        zeroed (see :meth:`wipe`); the last :class:`Capture` belongs to whoever received it."""
        if getattr(self, "_buf", None) is not None:
            self._buf.fill(0)
        self._buf: np.ndarray | None = None
        self._hints.reset()
        self.hint: str | None = None
        self.progress = 0.0
        self.captured: Capture | None = None
        self.rejected_encodings = 0
        self._restart_run()

    def _restart_run(self) -> None:
        self._count = 0
        self._start = 0.0
        self._prev: Assessment | None = None
        self._best_frame: np.ndarray | None = None  # a view of self._buf while a run is on
        self._best: Assessment | None = None
        self._best_sharpness = -1.0

    def feed(self, frame: np.ndarray, assessment: Assessment, now: float) -> Capture | None:
        """Account for one assessed frame taken at ``now`` (seconds, monotonic); a
        :class:`Capture` the first time the run completes and the encoded image passes."""
        if self.captured is not None:
            return None
        # the hint names a direction where it can (guidance.hint_for); debounced like the code
        self.hint = self._hints.update(hint_for(assessment), now)
        if not assessment.ok:
            self._restart_run()
            self.progress = 0.0
            return None
        if self._prev is not None and motion_between(self._prev, assessment) > self.max_motion:
            self._restart_run()
        if self._count == 0:
            self._start = now
        self._count += 1
        self._prev = assessment
        sharp = float(assessment.metrics.get("blur", 0.0))
        if sharp > self._best_sharpness:
            self._best_sharpness = sharp
            # one reused buffer: no stray copies of the customer's face or card left for the GC
            if self._buf is None or self._buf.shape != frame.shape or self._buf.dtype != frame.dtype:
                if self._buf is not None:
                    self._buf.fill(0)
                self._buf = np.empty_like(frame)
            np.copyto(self._buf, frame)
            self._best_frame = self._buf
            self._best = assessment
        frames_part = self._count / self.steady_frames
        time_part = (now - self._start) / self.min_steady_s if self.min_steady_s > 0 else 1.0
        self.progress = float(min(1.0, frames_part, time_part))
        if self._count < self.steady_frames or now - self._start < self.min_steady_s:
            return None
        return self._take()

    def wipe(self) -> None:
        """Zero every pixel this instance still holds of the customer and start over (privacy
        reset). A :class:`Capture` already returned is the receiver's to wipe."""
        self.reset()

    def _take(self) -> Capture | None:
        assert self._best_frame is not None and self._best is not None
        best, frame = self._best, self._best_frame
        image = upload_image(frame, best, detector=self.detector)
        try:
            enc, checked = encode_checked(image, self.stage, detector=self.detector, thresholds=self.thresholds)
        except EncodingError:
            self.rejected_encodings += 1
            self._restart_run()
            self.progress = 0.0
            return None
        self.captured = Capture(
            stage=self.stage, image=image, jpeg=enc.jpeg, assessment=checked, encoded=enc, frame_assessment=best
        )
        self.progress = 1.0
        return self.captured
