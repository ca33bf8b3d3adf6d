"""Face-stage checks: count, size, centring, head pose, eyes, exposure and blur.

``assess_face`` is called by :func:`kiosk.core.vision.quality.assess` (stage ``"face"``), which
validates the frame first. What only a face needs lives here:

* :func:`head_pose`: yaw, pitch and roll from ``cv2.solvePnP`` of YuNet's five landmarks against
  a mirror-symmetric 3D face model, with a pinhole camera whose principal point is the image
  centre. The same head therefore reads the same angle at any face size and, with the sign
  flipped, in the mirror image (the old nose-offset ratio changed with both).
* :func:`measure_face_sharpness`: sharpness of the eye band and the mouth, aligned on the
  landmarks at a fixed eye distance, measured as how much gradient energy a further slight blur
  removes (1 - E(blurred) / E(region), in the least sharp of four directions). Contrast and
  skin texture change both energies alike, so smooth skin and soft light do not read as blur;
  defocus and motion (which leave nothing for the re-blur to remove) do.

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
from kiosk.core.vision.quality import DEFAULT_THRESHOLDS, Assessment, Thresholds, _sorted, measure_exposure

__all__ = [
    "FACE_MODEL_3D",
    "assess_face",
    "face_guide",
    "head_pose",
    "measure_eye_lenses",
    "measure_face_sharpness",
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

#: the pose crop is detected at most this size (px)
_POSE_CROP = 112

#: eye distance (px) the sharpness regions are resampled to
_SHARP_EYE_DIST = 32.0


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


def head_pose(face: Face, image_size: tuple[int, int]) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of ``face`` in an image of ``image_size`` (w, h).

    Yaw > 0: the face is turned towards the image's right (the subject's own left). Roll is the
    eye line's angle in the image. The focal length is taken as the image width (a ~53 deg
    webcam field of view); the estimate is insensitive to it for faces that fill less than half
    the frame.
    """
    w, h = image_size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2.0], [0, f, h / 2.0], [0, 0, 1]], np.float64)
    pts = face.landmarks.astype(np.float64).reshape(5, 1, 2)
    re, le = face.landmarks[0], face.landmarks[1]
    roll = math.degrees(math.atan2(float(le[1] - re[1]), float(le[0] - re[0])))
    try:
        ok, rvec, _tvec = cv2.solvePnP(FACE_MODEL_3D, pts, cam, None, flags=cv2.SOLVEPNP_SQPNP)
    except cv2.error:
        ok = False
    if not ok:
        return (90.0, 0.0, roll)
    rot, _ = cv2.Rodrigues(rvec)
    # the face's forward axis (towards the camera is -z) in camera coordinates
    fwd = rot @ np.array([0.0, 0.0, -1.0])
    yaw = math.degrees(math.atan2(-fwd[0], -fwd[2]))
    pitch = math.degrees(math.atan2(fwd[1], math.hypot(fwd[0], fwd[2])))
    # the camera looks along +z: a face looking straight at it has fwd = (0, 0, -1); correct for
    # the direction in which the camera sees the face (off-axis faces look turned otherwise)
    c = face.center
    ray_yaw = math.degrees(math.atan2(c[0] - w / 2.0, f))
    ray_pitch = math.degrees(math.atan2(c[1] - h / 2.0, f))
    return (-(yaw + ray_yaw), pitch + ray_pitch, roll)


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
    # eyes at (1.0 e, 1.0 e) and (2.0 e, 1.0 e) of a 3 e x 2 e canvas
    m[0, 2] += 1.5 * e - mid[0]
    m[1, 2] += 1.0 * e - mid[1]
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    aligned = cv2.warpAffine(bgr, m, (round(3 * e), round(2 * e)), flags=interp, borderMode=cv2.BORDER_REPLICATE)
    lab = cv2.cvtColor(aligned, cv2.COLOR_BGR2LAB)

    def median(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        p = lab[round((cy - ry) * e) : round((cy + ry) * e), round((cx - rx) * e) : round((cx + rx) * e)]
        return np.median(p.reshape(-1, 3).astype(np.float32), axis=0)

    dark, tint = [], []
    for ex, side in ((1.0, -1.0), (2.0, 1.0)):
        under = median(ex, 1.28, 0.2, 0.07)
        cheek = median(ex + 0.05 * side, 1.65, 0.18, 0.1)
        dark.append(float(cheek[0] - under[0]))
        tint.append(float(np.hypot(under[1] - cheek[1], under[2] - cheek[2])))
    return max(dark), max(tint)


def _inner_exposure(inner: np.ndarray, clip_level: int) -> tuple[float, float, float]:
    """(mean, 90th percentile, share at or above ``clip_level``) of an inner-face grey region.

    The 90th percentile is the face's lit side and highlights: a well exposed face reaches mid
    grey there whatever the skin tone (a dark-skinned face in low-key light has a low mean but
    not low highlights); an under-exposed one does not. The near-clipped share is burnt-out
    skin, which a light skin in bright but correct light does not have."""
    hist = cv2.calcHist([inner], [0], None, [256], [0, 256]).ravel()
    n = float(hist.sum())
    if n <= 0:
        return 0.0, 0.0, 0.0
    mean = float(np.dot(hist, np.arange(256, dtype=np.float32)) / n)
    p90 = float(np.searchsorted(np.cumsum(hist), 0.9 * n))
    return mean, p90, float(hist[clip_level:].sum() / n)


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
    main = faces[0]
    blocking = [f for f in faces[1:] if f.box[2] >= t.bystander_ratio * main.box[2]]
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
        yaw, pitch, roll = symmetric_pose(frame, main, det)
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
    mean, highlight, clipped = _inner_exposure(inner, t.face_clip_level)
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
