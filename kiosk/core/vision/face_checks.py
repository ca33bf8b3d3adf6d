"""Face-stage checks: count, size, centring, head pose, eyes, exposure and blur.

``assess_face`` is called by :func:`kiosk.core.vision.quality.assess` (stage ``"face"``), which
validates the frame first. What only a face needs lives here:

* :func:`head_pose`: yaw from the nose tip's offset against the other four landmarks (along the
  eye line, in eye distances; exactly sign-flipped in the mirror image and independent of face
  size), pitch from ``cv2.solvePnP`` of the five landmarks against a 3D face model, roll from
  the eye line. :func:`symmetric_pose` averages the frame and its mirror image, because YuNet's
  landmarks themselves are not mirror-equivariant; :func:`refined_roll` re-reads a tilted head
  on de-rotated crops, because YuNet reads in-plane tilt at about half its angle.
* the measures that need no detector (sharpness, sunglass lenses, inner-face exposure) live in
  :mod:`kiosk.core.vision.face_measures`.

A face too small to judge is ``face_too_small``, never ``blurry``: blur is measured only on a
face of at least ``Thresholds.face_min_px``.

Threading: pure apart from the detector (one per thread, see ``quality.default_detector``).
"""

from __future__ import annotations

import math
import threading

import cv2
import numpy as np

from kiosk.core.vision.detector import Face, FaceDetector
from kiosk.core.vision.face_measures import inner_exposure, measure_eye_lenses, measure_face_sharpness
from kiosk.core.vision.quality import DEFAULT_THRESHOLDS, Assessment, Thresholds, _sorted, measure_exposure

__all__ = [
    "FACE_MODEL_3D",
    "assess_face",
    "face_guide",
    "head_pose",
    "measure_eye_lenses",
    "measure_face_sharpness",
    "nose_offset",
    "refined_roll",
    "symmetric_pose",
]

#: a generic adult face in mm, camera axes (x right, y down, z away from the camera), in
#: YuNet's landmark order: right eye, left eye (the subject's), nose tip, right and left mouth
#: corners. Symmetric in x, so a mirrored image gives the mirrored pose.
FACE_MODEL_3D = np.array(
    [[-32.0, -34.0, 0.0], [32.0, -34.0, 0.0], [0.0, 0.0, -28.0], [-25.0, 30.0, -6.0], [25.0, 30.0, -6.0]],
    np.float64,
)

#: a single-landmark-set yaw below / above these is clear either way (YuNet's mirror asymmetry
#: is up to ~10 deg); in between, symmetric_pose decides. Keeps frontal frames cheap.
_POSE_CLEAR = (12.0, 40.0)

#: nose offset (eye distances) per unit of tan(yaw) for YuNet's landmarks. A rigid 3D model
#: (FACE_MODEL_3D) gives 0.39, but YuNet pulls the far eye towards the nose on a turned head, so
#: real heads read more: the manifest's by-eye 40-45 deg heads read 0.4-1.1 (median 0.63).
#: 0.7 puts face_max_yaw (25 deg, the manifest's frontal/turned boundary) at an offset of 0.33,
#: in the gap between the tune half's frontal photos (<= 0.32) and its clearly turned heads
#: (>= 0.39); the held-out half has no frontal photo above 0.28.
_NOSE_OFFSET_PER_TAN_YAW = 0.7

#: the pose crop is detected at most this size (px)
_POSE_CROP = 112

#: an eye line tilted more than this (deg) is re-read on de-rotated crops (refined_roll), in
#: at most this many steps, each adding this multiple of the tilt read (YuNet reads a remaining
#: tilt at one half to two thirds); upright faces (most frames) skip it
_ROLL_CHECK = 7.0
_ROLL_STEPS = 4
_ROLL_GAIN = 1.5


def face_guide(w: int, h: int, t: Thresholds = DEFAULT_THRESHOLDS) -> tuple[float, float, float, float]:
    """The face oval for a ``w`` x ``h`` frame: (centre x, centre y, width, height) in pixels.

    The UI paints this oval and the checks use it: a face box that does not lie inside it (with
    15 % of the face's size as tolerance) is ``face_off_center``; the smallest accepted face
    (``face_min_frac``) is about a third of its width, the largest (``face_max_frac``) about its
    whole width.
    """
    short = float(min(w, h))
    gw = t.face_guide_width * short
    gh = min(gw * t.face_guide_aspect, 0.96 * h)
    cy = min(max(t.face_guide_cy * h, gh / 2.0), h - gh / 2.0)
    return (w / 2.0, cy, gw, gh)


def _outside_guide(box: tuple[int, int, int, int], w: int, h: int, t: Thresholds) -> bool:
    """Does the face box stick out of the :func:`face_guide` oval (beyond the tolerance)?"""
    gx, gy, gw, gh = face_guide(w, h, t)
    x, y, bw, bh = box
    # the box centre must lie in the oval shrunk by half the box (plus 15 % slack)
    ax = max(0.0, gw / 2.0 - bw / 2.0) + 0.15 * bw
    ay = max(0.0, gh / 2.0 - bh / 2.0) + 0.15 * bh
    dx, dy = (x + bw / 2.0 - gx) / ax, (y + bh / 2.0 - gy) / ay
    return dx * dx + dy * dy > 1.0


def nose_offset(face: Face) -> float:
    """The nose tip's offset from the centroid of the eyes and mouth corners, along the eye line,
    in eye distances (> 0: towards the image's right). 0 for a frontal face; it grows with
    tan(yaw) whatever the face's size, position and in-plane tilt, and flips sign exactly in the
    mirror image (the landmarks mirrored)."""
    re, le, nose, rm, lm = face.landmarks.astype(np.float64)
    eye_line = le - re
    d = float(np.hypot(*eye_line))
    if d < 1e-6:
        return 0.0
    centre = (re + le + rm + lm) / 4.0
    return float(np.dot(nose - centre, eye_line)) / (d * d)


def head_pose(face: Face, image_size: tuple[int, int]) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of ``face`` in an image of ``image_size`` (w, h).

    Yaw > 0: the face is turned towards the image's right (the subject's own left), relative to
    the line of sight (a face looking at the camera from the side of the frame reads 0): from
    :func:`nose_offset`. On the real photographs the nose offset ranks turned and frontal heads
    better than the solvePnP yaw of the same five points (which mixes in the noisy mouth corners
    and eye distance). Pitch comes from ``cv2.solvePnP`` (the focal length taken as the image's
    long side, corrected for the direction in which the camera sees the face). Roll is the eye
    line's angle in the image.
    """
    w, h = image_size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2.0], [0, f, h / 2.0], [0, 0, 1]], np.float64)
    pts = face.landmarks.astype(np.float64).reshape(5, 1, 2)
    re, le = face.landmarks[0], face.landmarks[1]
    roll = math.degrees(math.atan2(float(le[1] - re[1]), float(le[0] - re[0])))
    yaw = math.degrees(math.atan(nose_offset(face) / _NOSE_OFFSET_PER_TAN_YAW))
    try:
        ok, rvec, _tvec = cv2.solvePnP(FACE_MODEL_3D, pts, cam, None, flags=cv2.SOLVEPNP_SQPNP)
    except cv2.error:
        ok = False
    if not ok:
        return (yaw, 0.0, roll)
    rot, _ = cv2.Rodrigues(rvec)
    # the face's forward axis (towards the camera is -z) in camera coordinates
    fwd = rot @ np.array([0.0, 0.0, -1.0])
    pitch = math.degrees(math.atan2(fwd[1], math.hypot(fwd[0], fwd[2])))
    ray_pitch = math.degrees(math.atan2(face.center[1] - h / 2.0, f))
    return (yaw, pitch + ray_pitch, roll)


_local = threading.local()


def _pose_detector(det: FaceDetector) -> FaceDetector:
    """A second detector for the small pose crops, one per thread and main detector.

    YuNet re-allocates when its input size changes; sharing the frame detector would switch it
    between the frame size and the crop size twice per frame."""
    cache = getattr(_local, "pose", None)
    if cache is None or cache[0] is not det:
        try:
            pose = FaceDetector()
        except Exception:  # the model checks already passed for ``det``; fall back to it
            pose = det
        cache = (det, pose)
        _local.pose = cache
    return cache[1]


def symmetric_pose(frame: np.ndarray, face: Face, det: FaceDetector) -> tuple[float, float, float]:
    """(yaw, pitch, roll) of ``face`` averaged over the frame and its mirror image.

    YuNet's landmarks are not mirror-equivariant (the same head can read 14 deg one way and 24
    the other), so the face is detected again in a square crop around it and in the mirrored
    crop, and the two estimates are averaged with the mirrored one's sign flipped: the result
    is exactly antisymmetric under mirroring. Falls back to the frame's own landmarks when the
    crop detection fails.
    """
    h, w = frame.shape[:2]
    bw, bh = face.box[2], face.box[3]
    side = round(1.8 * max(bw, bh))
    cx, cy = face.center
    x0, y0 = round(cx - side / 2), round(cy - side / 2)
    crop = np.zeros((side, side, 3), np.uint8)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x0 + side), min(h, y0 + side)
    crop[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = frame[sy0:sy1, sx0:sx1]
    s = min(1.0, _POSE_CROP / side)
    small = cv2.resize(crop, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else crop
    estimates = []
    pose_det = _pose_detector(det)
    for mirrored in (False, True):
        img = cv2.flip(small, 1) if mirrored else small
        found = pose_det.detect(img, long_side=max(img.shape[:2]))
        if not found:
            return head_pose(face, (w, h))
        c = img.shape[1] / 2.0
        best = min(found, key=lambda f: (f.center[0] - c) ** 2 + (f.center[1] - img.shape[0] / 2.0) ** 2)
        lm = best.landmarks.astype(np.float64)
        bx0 = float(best.box[0])
        if mirrored:  # flipped-crop x -> original-crop x
            lm = np.stack([img.shape[1] - 1 - lm[:, 0], lm[:, 1]], axis=1)
            bx0 = img.shape[1] - best.box[0] - best.box[2]
        lm = lm / s + np.array([x0, y0])
        box = [bx0 / s + x0, best.box[1] / s + y0, best.box[2] / s, best.box[3] / s]
        if mirrored:  # original-frame x -> mirrored-frame x (the frame flipped about its centre)
            lm[:, 0] = w - 1 - lm[:, 0]
            box[0] = w - box[0] - box[2]
        f = Face(box=tuple(round(v) for v in box), landmarks=lm.astype(np.float32), score=best.score)
        estimates.append(head_pose(f, (w, h)))
    (y1, p1, r1), (y2, p2, r2) = estimates
    return ((y1 - y2) / 2.0, (p1 + p2) / 2.0, (r1 - r2) / 2.0)


def _eye_line(face: Face) -> float:
    """The eye line's angle in degrees (image axes, y down)."""
    re, le = face.landmarks[0], face.landmarks[1]
    return math.degrees(math.atan2(float(le[1] - re[1]), float(le[0] - re[0])))


def refined_roll(frame: np.ndarray, face: Face, det: FaceDetector, steps: int = _ROLL_STEPS) -> float:
    """In-plane tilt in degrees, corrected for YuNet's pull towards upright.

    YuNet's landmarks read a tilted head at about half its angle (a photo rotated by 35 deg reads
    ~15). So the face is cropped again, rotated by the angle read so far, and detected again;
    the eye line of that detection is the remaining tilt, added on with a gain of 1.5 (up to
    ``steps`` times). Eight portraits rotated by +-35 deg, and their mirror images, then read
    20-41 deg but for one (11); natural head tilts of real frontal portraits read at most ~19.
    Falls back to the last estimate when a crop holds no face.
    """
    total = _eye_line(face)
    side = 1.8 * max(face.box[2], face.box[3])
    s = min(1.0, _POSE_CROP / side)
    n = max(16, round(side * s))
    cx, cy = face.center
    pose_det = _pose_detector(det)
    for _ in range(steps):
        m = cv2.getRotationMatrix2D((float(cx), float(cy)), total, s)
        m[0, 2] += n / 2.0 - cx
        m[1, 2] += n / 2.0 - cy
        crop = cv2.warpAffine(frame, m, (n, n), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
        found = pose_det.detect(crop, long_side=n)
        if not found:
            break
        best = min(found, key=lambda f: (f.center[0] - n / 2.0) ** 2 + (f.center[1] - n / 2.0) ** 2)
        rest = _eye_line(best)
        total += _ROLL_GAIN * rest
        if abs(rest) < 0.5:  # converged
            break
    return total


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


def assess_face(frame: np.ndarray, det: FaceDetector, t: Thresholds) -> Assessment:
    """The face-stage checks on a validated BGR frame (see :func:`quality.assess`)."""
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
    sure = t.bystander_min_score
    if faces[0].score < sure and any(f.score >= sure for f in faces):
        # a larger but weak detection (a ball, a pattern) is not the customer
        faces = [f for f in faces if f.score >= sure] + [f for f in faces if f.score < sure]
    main = faces[0]
    # another face blocks when it is large enough and at least as face-like as the main one or
    # clearly a face (a weak detection beside a confident face is an object)
    blocking = [
        f for f in faces[1:] if f.box[2] >= t.bystander_ratio * main.box[2] and f.score >= min(sure, main.score)
    ]
    metrics["blocking_faces"] = float(1 + len(blocking))
    if blocking:
        problems.append("multiple_faces")
    x, y, bw, bh = main.box
    metrics.update(face_x=float(x), face_y=float(y), face_w=float(bw), face_h=float(bh), face_score=main.score)
    size_frac = bw / short
    metrics["face_frac"] = size_frac
    too_small = bw < t.face_min_px or size_frac < t.face_min_frac
    if too_small:
        problems.append("face_too_small")
    elif size_frac > t.face_max_frac:
        problems.append("face_too_large")
    cx, cy = main.center
    dx, ry = cx / w - 0.5, cy / h
    metrics.update(face_dx=dx, face_cy=ry)
    if (
        abs(dx) > t.face_center_max_dx
        or not (t.face_center_y_range[0] <= ry <= t.face_center_y_range[1])
        or (t.face_guide_check and _outside_guide(main.box, w, h, t))
    ):
        problems.append("face_off_center")
    yaw, pitch, roll = head_pose(main, (w, h))
    if _POSE_CLEAR[0] <= abs(yaw) <= _POSE_CLEAR[1]:
        # near the limit: the mirror-averaged estimate (two small extra detections) decides
        # (roll stays the frame's own: refined below when the head looks tilted)
        yaw, pitch, _ = symmetric_pose(frame, main, det)
    if abs(roll) > _ROLL_CHECK:
        roll = refined_roll(frame, main, det)
    metrics.update(yaw=yaw, pitch=pitch, roll=roll)
    if abs(yaw) > t.face_max_yaw or abs(roll) > t.face_max_roll:
        problems.append("face_turned")
    # eye patches and blur: work on a grey crop around the face (cheap) with landmark offsets
    pad = bw // 4
    ex0, ey0 = max(0, x - pad), max(0, y - pad)
    gray_full = cv2.cvtColor(frame[ey0 : min(h, y + bh + pad), ex0 : min(w, x + bw + pad)], cv2.COLOR_BGR2GRAY)
    shifted = Face(
        box=(x - ex0, y - ey0, bw, bh),
        landmarks=main.landmarks - np.array([ex0, ey0], np.float32),
        score=main.score,
    )
    eyes_ok, eye_sd = _eye_patches_ok(gray_full, shifted, t)
    lens_dark, lens_tint = measure_eye_lenses(frame[ey0 : min(h, y + bh + pad), ex0 : min(w, x + bw + pad)], shifted)
    metrics.update(eye_patch_std=eye_sd, lens_dark=lens_dark, lens_tint=lens_tint)
    if not eyes_ok or lens_dark > t.eye_lens_dark or lens_tint > t.eye_lens_tint:
        problems.append("eyes_not_visible")
    # exposure on the inner face (skip hair and background at the box corners)
    gray_face = gray_full[y - ey0 : y - ey0 + bh, x - ex0 : x - ex0 + bw]
    ix0, iy0 = bw // 6, bh // 8
    inner = gray_face[iy0 : bh - iy0, ix0 : bw - ix0]
    if inner.size == 0:
        inner = gray_face
    mean, highlight, clipped = inner_exposure(inner, t.face_clip_level)
    metrics.update(luma=mean, highlight=highlight, clipped=clipped)
    if highlight < t.face_highlight_min:
        problems.append("too_dark")
    elif mean > t.face_luma_max or clipped > t.face_clipped_max:
        problems.append("too_bright")
    sharp = measure_face_sharpness(gray_full, shifted)
    metrics["blur"] = sharp
    if not too_small and sharp < t.face_sharpness_min:
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
