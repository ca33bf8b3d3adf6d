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

from kiosk.core.vision.card import CARD_ASPECT, CardCandidate, find_card, rectify
from kiosk.core.vision.detector import Face, FaceDetector

__all__ = [
    "PROBLEM_CODES",
    "Assessment",
    "Thresholds",
    "assess",
    "default_detector",
    "measure_blur",
    "measure_exposure",
    "measure_glare",
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
    face_blur_min: float = 30.0  #: measure_blur on the face box, below = blurry
    face_luma_min: float = 60.0  #: face mean luma; Yoti 40-215 [Y1], TF1 >= 85 (too strict for dark skin)
    face_luma_max: float = 210.0  #: face mean luma; Yoti's upper bound is 215 [Y1]
    face_clipped_max: float = 0.20  #: share of clipped (>= 250) face pixels -> too_bright
    face_min_px: int = 80  #: face box width; Huawei FRS > 80 px, recommends 120 [HW1]; AWS >= 50 [A7]
    face_min_frac: float = 0.15  #: face width / image short side
    face_max_frac: float = 0.75  #: face width / image short side (Yoti: face box 35-80 % [Y1])
    face_center_max_dx: float = 0.20  #: |face centre x / width - 0.5|; TF1 uses 18 %
    face_center_y_range: tuple[float, float] = (0.15, 0.72)  #: face centre y / height (portrait framing)
    face_max_yaw: float = 25.0  #: degrees; AWS < 45 [A6], Huawei <= 30 [HW1]
    #: degrees of eye-line angle. YuNet's landmarks under-report roll by about half (a 32 deg head
    #: tilt measures ~15 deg), so 10 here is ~20 deg of real tilt (ISO 19794-5: +-8 [VL1])
    face_max_roll: float = 10.0
    bystander_ratio: float = 0.40  #: a face narrower than this share of the main face does not block
    eye_patch_min_std: float = 10.0  #: grey std in each eye patch; below = covered / sunglasses
    eye_patch_min_mean: float = 25.0  #: grey mean in each eye patch; below = dark glasses
    # --- card ---
    card_blur_min: float = 200.0  #: measure_blur on the rectified card, below = blurry (the specimen QR fails ~150)
    card_luma_min: float = 70.0  #: rectified card mean luma
    card_luma_max: float = 230.0  #: rectified card mean luma
    card_frame_luma_min: float = 45.0  #: whole-frame mean luma when no card is found -> too_dark
    card_frame_luma_max: float = 225.0  #: whole-frame mean luma when no card is found -> too_bright
    card_clipped_max: float = 0.25  #: share of clipped card pixels: over-exposed (too_bright), not glare
    card_glare_value: int = 248  #: HSV V at or above = specular
    card_glare_sat_max: int = 45  #: ... with saturation at most this (white, not a bright colour)
    card_glare_max_share: float = 0.004  #: share of glare pixels on the card (Regula: max glare share [R2])
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


def measure_glare(bgr_region: np.ndarray, t: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """Share of specular pixels (very bright and nearly colourless) in a BGR region."""
    hsv = cv2.cvtColor(bgr_region, cv2.COLOR_BGR2HSV)
    spec = cv2.inRange(hsv, (0, 0, t.card_glare_value), (180, t.card_glare_sat_max, 255))
    return cv2.countNonZero(spec) / max(1, spec.size)


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
    if stage == "face":
        return _assess_face(frame, detector or default_detector(), t)
    return _assess_card(frame, detector, t)


# ----------------------------------------------------------------------------------------- face


def _eye_patches_ok(gray: np.ndarray, face: Face, t: Thresholds) -> tuple[bool, float]:
    re, le = face.landmarks[0], face.landmarks[1]
    d = float(np.hypot(*(le - re)))
    r = max(2, round(0.22 * d))
    worst = 1e9
    h, w = gray.shape[:2]
    ok = True
    for ex, ey in (re, le):
        x0, y0 = max(0, round(ex) - r), max(0, round(ey) - r)
        x1, y1 = min(w, round(ex) + r + 1), min(h, round(ey) + r + 1)
        if x1 - x0 < 3 or y1 - y0 < 3:
            return False, 0.0
        m, sd = cv2.meanStdDev(gray[y0:y1, x0:x1])
        worst = min(worst, float(sd[0, 0]))
        if float(sd[0, 0]) < t.eye_patch_min_std or float(m[0, 0]) < t.eye_patch_min_mean:
            ok = False
    # geometric plausibility: eyes above the nose, a sensible eye distance for the box
    bw = face.box[2]
    if not (0.2 * bw <= d <= 0.7 * bw) or face.landmarks[2][1] < min(re[1], le[1]):
        ok = False
    return ok, worst


def _assess_face(frame: np.ndarray, det: FaceDetector, t: Thresholds) -> Assessment:
    h, w = frame.shape[:2]
    short = min(h, w)
    problems: list[str] = []
    metrics: dict[str, float] = {"width": float(w), "height": float(h)}
    if short < t.face_min_image_short_side:
        problems.append("image_too_small")
    faces = det.detect(frame, long_side=t.detect_long_side)
    metrics["faces"] = float(len(faces))
    if not faces:
        problems.append("no_face")
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        mean, clipped = measure_exposure(gray)
        metrics.update(luma=mean, clipped=clipped)
        if mean < t.face_luma_min:
            problems.append("too_dark")
        elif mean > t.face_luma_max:
            problems.append("too_bright")
        return Assessment(False, _sorted(problems), metrics, stage="face")
    main = faces[0]
    blocking = [f for f in faces[1:] if f.box[2] >= t.bystander_ratio * main.box[2]]
    metrics["blocking_faces"] = float(1 + len(blocking))
    if blocking:
        problems.append("multiple_faces")
    x, y, bw, bh = main.box
    metrics.update(face_x=float(x), face_y=float(y), face_w=float(bw), face_h=float(bh), face_score=main.score)
    size_frac = bw / short
    metrics["face_frac"] = size_frac
    if bw < t.face_min_px or size_frac < t.face_min_frac:
        problems.append("face_too_small")
    elif size_frac > t.face_max_frac:
        problems.append("face_too_large")
    cx, cy = main.center
    dx, ry = cx / w - 0.5, cy / h
    metrics.update(face_dx=dx, face_cy=ry)
    if abs(dx) > t.face_center_max_dx or not (t.face_center_y_range[0] <= ry <= t.face_center_y_range[1]):
        problems.append("face_off_center")
    yaw, roll = main.pose()
    metrics.update(yaw=yaw, roll=roll)
    if abs(yaw) > t.face_max_yaw or abs(roll) > t.face_max_roll:
        problems.append("face_turned")
    gray_face = cv2.cvtColor(frame[y : y + bh, x : x + bw], cv2.COLOR_BGR2GRAY)
    # eye patches: work on a grey crop around the face (cheap) with landmark offsets
    pad = bw // 4
    ex0, ey0 = max(0, x - pad), max(0, y - pad)
    gray_full = cv2.cvtColor(frame[ey0 : min(h, y + bh + pad), ex0 : min(w, x + bw + pad)], cv2.COLOR_BGR2GRAY)
    shifted = Face(
        box=(x - ex0, y - ey0, bw, bh),
        landmarks=main.landmarks - np.array([ex0, ey0], np.float32),
        score=main.score,
    )
    eyes_ok, eye_sd = _eye_patches_ok(gray_full, shifted, t)
    metrics["eye_patch_std"] = eye_sd
    if not eyes_ok:
        problems.append("eyes_not_visible")
    # exposure and blur on the inner face (skip hair and background at the box corners)
    ix0, iy0 = bw // 6, bh // 8
    inner = gray_face[iy0 : bh - iy0, ix0 : bw - ix0]
    if inner.size == 0:
        inner = gray_face
    mean, clipped = measure_exposure(inner)
    metrics.update(luma=mean, clipped=clipped)
    if mean < t.face_luma_min:
        problems.append("too_dark")
    elif mean > t.face_luma_max or clipped > t.face_clipped_max:
        problems.append("too_bright")
    blur = measure_blur(gray_face, 160)
    metrics["blur"] = blur
    if blur < t.face_blur_min:
        problems.append("blurry")
    return Assessment(
        ok=not problems,
        problems=_sorted(problems),
        metrics=metrics,
        box=main.box,
        stage="face",
        face=main,
        others=tuple(f.box for f in faces[1:]),
    )


# ----------------------------------------------------------------------------------------- card

#: small rectified size used for the checks (the full 1012x638 crop is made only at capture)
_CHECK_SIZE = (320, 202)


def _card_checks(small_card: np.ndarray, t: Thresholds, problems: list[str], metrics: dict[str, float]) -> None:
    gray = cv2.cvtColor(small_card, cv2.COLOR_BGR2GRAY)
    # a 3 % inset keeps the background and the card edge out of the measurements
    mx, my = round(0.03 * gray.shape[1]), round(0.03 * gray.shape[0])
    inner_gray = gray[my:-my, mx:-mx]
    mean, clipped = measure_exposure(inner_gray)
    glare = measure_glare(small_card[my:-my, mx:-mx], t)
    blur = measure_blur(inner_gray, _CHECK_SIZE[0])
    metrics.update(luma=mean, clipped=clipped, glare=glare, blur=blur)
    if mean < t.card_luma_min:
        problems.append("too_dark")
    elif mean > t.card_luma_max or clipped > t.card_clipped_max:
        problems.append("too_bright")
    if glare > t.card_glare_max_share and "too_bright" not in problems:
        problems.append("glare")
    if blur < t.card_blur_min:
        problems.append("blurry")


def _card_has_portrait(small_card: np.ndarray, det: FaceDetector | None) -> bool:
    """Does the right half of a (rectified) card hold a face? Confirms a whole-image crop is a card."""
    d = det or default_detector()
    faces = d.detect(small_card)
    w = small_card.shape[1]
    return any(f.center[0] > 0.55 * w and f.box[2] > 0.05 * w for f in faces)


def _assess_card(frame: np.ndarray, det: FaceDetector | None, t: Thresholds) -> Assessment:
    h, w = frame.shape[:2]
    problems: list[str] = []
    metrics: dict[str, float] = {"width": float(w), "height": float(h)}
    if min(h, w) < t.card_min_image_short_side:
        problems.append("image_too_small")
    cand: CardCandidate | None = find_card(frame, work_long_side=t.card_work_long_side)
    quad: np.ndarray | None = None
    if cand is None or cand.cut_off or cand.area_frac < 0.5:
        # the image may already be a rectified card (our own upload or a scanner crop); then
        # the outline is the image border and what the finder sees is printed on the card
        img_aspect = w / h
        if abs(img_aspect / CARD_ASPECT - 1.0) <= t.card_fill_aspect_tolerance:
            small = cv2.resize(frame, _CHECK_SIZE, interpolation=cv2.INTER_AREA)
            if _card_has_portrait(cv2.resize(frame, (480, 303), interpolation=cv2.INTER_AREA), det):
                metrics.update(card_fills_image=1.0, card_width=float(w), card_width_frac=1.0)
                if w < t.card_min_width_px:
                    problems.append("card_too_small")
                _card_checks(small, t, problems, metrics)
                quad = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
                return Assessment(not problems, _sorted(problems), metrics, box=(0, 0, w, h), quad=quad, stage="card")
    if cand is None:
        problems.append("no_card")
        # a frame too dark or too bright to find anything: say so (the better hint)
        mean, clipped = measure_exposure(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)[::4, ::4])
        metrics.update(luma=mean, clipped=clipped)
        if mean < t.card_frame_luma_min:
            problems.append("too_dark")
        elif mean > t.card_frame_luma_max or clipped > 0.5:
            problems.append("too_bright")
        return Assessment(False, _sorted(problems), metrics, stage="card")
    quad = cand.quad
    bx, by, bw, bh = cv2.boundingRect(np.round(quad).astype(np.int32))
    metrics.update(
        card_width=cand.width_px,
        card_width_frac=cand.width_px / w,
        card_area_frac=cand.area_frac,
        card_aspect=cand.aspect,
        card_rotation=cand.rotation,
        card_side_ratio=cand.side_ratio,
    )
    if cand.cut_off:
        problems.append("card_cut_off")
        return Assessment(False, _sorted(problems), metrics, box=(bx, by, bw, bh), quad=quad, stage="card")
    if cand.width_px < t.card_min_width_px or cand.width_px / w < t.card_min_width_frac:
        problems.append("card_too_small")
    rot = cand.rotation
    if (
        abs(rot) > t.card_max_rotation
        or cand.side_ratio < t.card_min_side_ratio
        or abs(cand.aspect / CARD_ASPECT - 1.0) > t.card_aspect_tolerance
    ):
        problems.append("card_tilted")
    small = rectify(frame, quad, _CHECK_SIZE)
    _card_checks(small, t, problems, metrics)
    return Assessment(
        ok=not problems, problems=_sorted(problems), metrics=metrics, box=(bx, by, bw, bh), quad=quad, stage="card"
    )


def face_yaw_roll(face: Face) -> tuple[float, float]:
    """Convenience for overlays: (yaw, roll) in degrees, see :meth:`Face.pose`."""
    return face.pose()
