"""Frame quality checks: ``assess(frame, stage)`` -> :class:`Assessment`.

The checks mirror what the FaceID service would otherwise reject after a (possibly billed) call:

======================  ===========================================================
service outcome          local problem code(s)
======================  ===========================================================
ImageBlur / card blur    ``blurry`` (measured on the face box or the rectified card)
LifePhotoDetectNoFaces   ``no_face``
LifePhotoDetectFaces     ``multiple_faces`` (a much smaller bystander is tolerated)
LifePhotoPoorQuality     ``too_dark``, ``too_bright``, ``face_too_small``, ``face_turned``,
                         ``eyes_not_visible``, ``face_off_center``, ``face_too_large``
LifePhotoSizeError       ``image_too_small``
ImageNoIdCard            ``no_card``
border warning (-9101)   ``card_cut_off``, ``card_too_small``, ``card_tilted``
reflection (-9107)       ``glare``
ImageSizeTooLarge        handled by :mod:`kiosk.core.vision.encoding`
======================  ===========================================================

``problems`` is ordered by priority: the first one is the most useful hint to show.

Threading: ``assess`` is pure apart from the detector. Pass your own :class:`FaceDetector`
(one per thread), or leave ``detector=None`` to use a lazily created per-thread default.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import cv2
import numpy as np

from kiosk.core.vision.detector import Face, FaceDetector

__all__ = [
    "PROBLEM_CODES",
    "Assessment",
    "Thresholds",
    "assess",
    "default_detector",
    "measure_blur",
    "measure_exposure",
]

#: Every problem code, in hint priority order (design.md: extend, never rename).
PROBLEM_CODES: tuple[str, ...] = (
    "unreadable_image",
    "image_too_small",
    "no_card",
    "no_face",
    "multiple_faces",
    "card_cut_off",
    "card_too_small",
    "face_too_small",
    "face_too_large",
    "face_off_center",
    "card_wrong_side",
    "card_tilted",
    "face_turned",
    "eyes_not_visible",
    "too_dark",
    "too_bright",
    "glare",
    "blurry",
)
_PRIORITY = {c: i for i, c in enumerate(PROBLEM_CODES)}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """All tunable limits in one place. Sources: capture-research.md section (d) where given.

    Blur scores are :func:`measure_blur` values (contrast-normalised Laplacian energy at a fixed
    size, x1000); they were calibrated on the shared photographs and composed cards with
    Gaussian defocus (tools/eval_prechecks.py), so retune per camera (LP1 says the same of raw
    Laplacian thresholds). They are not comparable with the service's own ``Quality`` score
    (threshold 50, [T2]), which is computed server-side on an unknown scale.
    """

    # --- image size (LifePhotoSizeError / IdPhotoPoorQuality) ---
    face_min_image_short_side: int = 240  #: px; smaller images cannot hold a usable face
    card_min_image_short_side: int = 400  #: px; Tencent recommends > 500x800 for ID OCR [T7]
    # --- face ---
    face_blur_min: float = 30.0  #: measure_blur on the face box (kept for reference; see face_sharpness_min)
    #: face_checks.measure_face_sharpness (mean of the eye band and the mouth), below = blurry.
    #: The middle of the tune half's best range (0.53-0.54: 4 of 136 sharp photos rejected, 4 of
    #: 136 defocused / motion-blurred ones passed); the held-out half: 2 of 116 and 1 of 116
    face_sharpness_min: float = 0.535
    face_luma_min: float = 60.0  #: frame mean luma when no face is found; Yoti 40-215 [Y1]
    #: 90th percentile of the inner face's luma, below = too_dark. The lit side of a face reaches
    #: mid grey whatever the skin tone; a mean threshold (TF1 >= 85) rejects dark skin in low-key
    #: light while passing a light skin the camera could not lift (real photos: good >= 99,
    #: under-exposed <= 70)
    face_highlight_min: float = 85.0
    face_luma_max: float = 210.0  #: face mean luma; Yoti's upper bound is 215 [Y1]
    face_clip_level: int = 245  #: grey level at or above which skin counts as burnt out
    #: share of burnt-out inner-face pixels -> too_bright (real photos: good <= 2.3 %, five
    #: times over-exposed >= 6 %)
    face_clipped_max: float = 0.04
    face_min_px: int = 80  #: face box width; Huawei FRS > 80 px, recommends 120 [HW1]; AWS >= 50 [A7]
    #: face width / image short side: a third of the on-screen oval's width (face_guide_width);
    #: still photos (STILL_THRESHOLDS) accept 0.15, a portrait photo's head-and-shoulders framing
    face_min_frac: float = 0.20
    face_max_frac: float = 0.75  #: face width / image short side (Yoti: face box 35-80 % [Y1])
    face_center_max_dx: float = 0.20  #: |face centre x / width - 0.5|; TF1 uses 18 % (also capped by the oval)
    #: the face oval (face_checks.face_guide): width / image short side, height / width, centre y
    #: / height. With ``face_guide_check`` (live camera frames) the face box must lie in the oval
    #: (15 % of the face's size tolerance) or it is face_off_center. Still photos (``kiosk
    #: precheck``, ``kiosk verify``: STILL_THRESHOLDS) are cropped around the face for upload,
    #: so only face_center_max_dx / face_center_y_range apply to them.
    face_guide_check: bool = True
    face_guide_width: float = 0.60
    face_guide_aspect: float = 1.30
    face_guide_cy: float = 0.45
    face_center_y_range: tuple[float, float] = (0.15, 0.72)  #: face centre y / height (portrait framing)
    #: degrees (face_checks.symmetric_pose: yaw from the nose offset); the real-photo manifest
    #: calls a face frontal below about 25 deg; AWS < 45 [A6], Huawei <= 30 [HW1]. Five landmarks
    #: cannot see every three-quarter view (some read frontal), so a lower limit would reject
    #: frontal photos without catching those
    face_max_yaw: float = 25.0
    #: degrees of in-plane head tilt (face_checks.refined_roll: YuNet's own eye line reads about
    #: half the angle). Natural head tilts of real frontal portraits read up to ~19; a head held
    #: clearly sideways does not pass (ISO 19794-5's +-8 [VL1] is for printed passport photos;
    #: a matcher aligns on the eyes)
    face_max_roll: float = 20.0
    bystander_ratio: float = 0.40  #: a face narrower than this share of the main face does not block
    #: detector score from which a second detection is surely a face: a weaker one (the detector
    #: keeps 0.6 for recall) beside a confident main face does not block (real photos: people in
    #: groups >= 0.90, a ball or a face's edge at the frame border 0.63-0.73)
    bystander_min_score: float = 0.80
    eye_patch_min_std: float = 10.0  #: grey std in each eye patch; below = covered / sunglasses
    eye_patch_min_mean: float = 25.0  #: grey mean in each eye patch; below = dark glasses
    #: face_checks.measure_eye_lenses, Lab units (0-255): the under-eye darker than the cheek
    #: by more than shadows make it (a dark lens), or of another colour (a tinted or mirrored
    #: lens) -> eyes_not_visible. Real photos: bare eyes (with or without glasses) <= 69 and
    #: <= 20 (a thick tortoise-shell frame across the under-eye: 30), sunglasses mostly >= 100
    #: or >= 36
    eye_lens_dark: float = 90.0
    eye_lens_tint: float = 34.0
    # --- card ---
    #: measure_blur on the rectified check-size card, below = blurry. On the real-portrait cards
    #: of tools/eval_prechecks.py 99 % of the sharp cards measure 264 or more and cards defocused
    #: or motion-blurred by 1-4 % of their width at most 145: the limit sits in the gap
    card_blur_min: float = 200.0
    card_luma_min: float = 70.0  #: rectified card mean luma
    card_luma_max: float = 230.0  #: rectified card mean luma
    card_frame_luma_min: float = 45.0  #: whole-frame mean luma when no card is found -> too_dark
    card_frame_luma_max: float = 225.0  #: whole-frame mean luma when no card is found -> too_bright
    #: share of clipped pixels in a frame whose card outline came out tilted or too small: the
    #: frame is washed out (too_bright), the outline unreliable
    card_frame_clipped_max: float = 0.35
    card_clipped_max: float = 0.25  #: share of clipped card pixels: over-exposed (too_bright), not glare
    card_glare_value: int = 248  #: HSV V at or above = specular
    card_glare_sat_max: int = 45  #: ... with saturation at most this (white, not a bright colour)
    card_glare_max_share: float = 0.004  #: share of glare pixels on the card (Regula: max glare share [R2])
    #: a saturated blob counts as a specular highlight when the ring just outside it is lifted
    #: this share of the way from the card's paper level to white (a soft fall-off); printed white
    #: (a QR quiet zone, white text, a flatbed scan) has a hard edge and no such halo
    card_glare_halo_lift: float = 0.30
    card_glare_min_area: float = 0.002  #: smallest specular blob, share of the card area
    card_min_width_px: float = 500.0  #: card long side in px (~150 dpi; Tencent wants >= 500x800 [T7])
    card_min_width_frac: float = 0.35  #: card long side / frame width
    card_max_rotation: float = 12.0  #: in-plane degrees
    card_min_side_ratio: float = 0.86  #: opposite sides shorter/longer (~30 deg of tilt; Scanbot 75 % [SB1])
    card_aspect_tolerance: float = 0.10  #: relative deviation from 85.6/54 for a flat-looking card
    card_fill_aspect_tolerance: float = 0.03  #: an image of these proportions may be a rectified crop
    # --- speed ---
    detect_long_side: int = 320  #: face detection input (MANIFEST: <= 640; 2 ms at 320x180)
    card_work_long_side: int = 480  #: card finder input

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_THRESHOLDS = Thresholds()
#: for still photos (files, scans): no on-screen oval to be inside of
STILL_THRESHOLDS = Thresholds(face_guide_check=False, face_min_frac=0.15)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of :func:`assess`.

    ``box`` is the main face box or the card's bounding box (x, y, w, h) in frame pixels, ``quad``
    the card corners (TL, TR, BR, BL, float32 (4, 2)) or ``None``. ``face`` is the main face (for
    overlays). Immutable; safe to hand to another thread.
    """

    ok: bool
    problems: tuple[str, ...]
    metrics: dict[str, float]
    box: tuple[int, int, int, int] | None = None
    quad: np.ndarray | None = None
    stage: str = "face"
    face: Face | None = field(default=None, repr=False)
    #: boxes of the other (tolerated or blocking) faces, for blurring bystanders out of an upload
    others: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def hint(self) -> str | None:
        """The most important problem, or ``None`` when ok."""
        return self.problems[0] if self.problems else None


_local = threading.local()


def default_detector() -> FaceDetector:
    """The calling thread's own lazily created :class:`FaceDetector`."""
    det = getattr(_local, "detector", None)
    if det is None:
        det = FaceDetector()
        _local.detector = det
    return det


def measure_blur(gray_region: np.ndarray, long_side: int = 160) -> float:
    """Sharpness of a grey region, resolution- and contrast-normalised (higher = sharper).

    The region is resized to ``long_side`` px on its long side (so a face box or a card of any
    size is judged at the same scale), lightly smoothed (sigma 0.5, to keep sensor noise from
    passing for detail), then ``1000 * var(Laplacian) / var(region)``: contrast-invariant, so a
    dim but sharp image is not called blurry (exposure has its own checks).
    """
    if gray_region.ndim == 3:
        gray_region = cv2.cvtColor(gray_region, cv2.COLOR_BGR2GRAY)
    h, w = gray_region.shape[:2]
    if h < 4 or w < 4:
        return 0.0
    s = long_side / max(h, w)
    size = (max(4, round(w * s)), max(4, round(h * s)))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    r = gray_region if size == (w, h) else cv2.resize(gray_region, size, interpolation=interp)
    r = cv2.GaussianBlur(r, (3, 3), 0.5).astype(np.float32)
    lap = cv2.Laplacian(r, cv2.CV_32F, ksize=1)
    _, lap_sd = cv2.meanStdDev(lap)
    _, sd = cv2.meanStdDev(r)
    var = float(sd[0, 0]) ** 2
    if var < 1.0:
        return 0.0
    return 1000.0 * float(lap_sd[0, 0]) ** 2 / var


def measure_exposure(gray_region: np.ndarray) -> tuple[float, float]:
    """(mean luma, share of clipped pixels >= 250) of a grey region."""
    mean = float(cv2.mean(gray_region)[0])
    clipped = float(np.count_nonzero(gray_region >= 250)) / max(1, gray_region.size)
    return mean, clipped


def _sorted(problems: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(problems), key=lambda c: _PRIORITY.get(c, 999)))


def assess(
    frame: np.ndarray | None,
    stage: str,
    *,
    detector: FaceDetector | None = None,
    thresholds: Thresholds | None = None,
) -> Assessment:
    """Check one frame for the ``stage`` (``"card"`` or ``"face"``); never raises for bad input.

    A frame that is ``None``, empty or not an 8-bit image gives ``unreadable_image``.
    """
    t = thresholds or DEFAULT_THRESHOLDS
    if stage not in ("card", "face"):
        raise ValueError(f"stage must be 'card' or 'face', not {stage!r}")
    if (
        frame is None
        or not isinstance(frame, np.ndarray)
        or frame.dtype != np.uint8
        or frame.ndim not in (2, 3)
        or frame.size == 0
        or (frame.ndim == 3 and frame.shape[2] not in (1, 3, 4))
    ):
        return Assessment(False, ("unreadable_image",), {}, stage=stage)
    if frame.ndim == 2 or frame.shape[2] == 1:
        frame = cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2BGR)
    elif frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    # the stage modules build on the shared measures above (imported here: no import cycle)
    if stage == "face":
        from kiosk.core.vision.face_checks import assess_face

        return assess_face(frame, detector or default_detector(), t)
    from kiosk.core.vision.card_checks import assess_card

    return assess_card(frame, detector, t)


def face_yaw_roll(face: Face) -> tuple[float, float]:
    """Convenience for overlays: (yaw, roll) in degrees, see :meth:`Face.pose`."""
    return face.pose()
