"""Card-stage checks: finding the card, its framing, exposure, glare, blur and which side shows.

``assess_card`` is called by :func:`kiosk.core.vision.quality.assess` (stage ``"card"``), which
validates the frame first. The measures shared with the face stage (blur, exposure) live in
:mod:`kiosk.core.vision.quality`; what only a card needs lives here:

* :func:`measure_specular`: glare as specular highlights. A highlight on a laminated card is a
  compact saturated blob whose surroundings are lifted towards white (the light falls off
  softly); white print, a white QR quiet zone and a flatbed scan are as white but end at a hard
  edge, so the ring around them sits at the paper's own level.
* :func:`has_portrait`: the photo side shows a face on its right half (either way up); the
  national-emblem side shows none (``card_wrong_side``).

Threading: pure apart from the detector (one per thread, see ``quality.default_detector``).
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from kiosk.core.vision.card import CARD_ASPECT, CardCandidate, find_card, rectify
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.quality import (
    DEFAULT_THRESHOLDS,
    Assessment,
    Thresholds,
    _sorted,
    default_detector,
    measure_blur,
    measure_exposure,
)

__all__ = ["CHECK_SIZE", "assess_card", "has_portrait", "measure_specular", "paper_share"]

#: the portrait search runs on the card's half at most this size (the face is ~30 px there)
_PORTRAIT_LONG_SIDE = 112

#: small rectified size used for the checks (the full 1012x638 crop is made only at capture)
CHECK_SIZE = (320, 202)


def measure_specular(bgr_card: np.ndarray, t: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """Share of a (rectified, inset) card covered by specular highlights; 0.0 when none.

    A highlight is a connected blob of saturated, nearly colourless pixels (HSV V >=
    ``card_glare_value``, S <= ``card_glare_sat_max``) of at least ``card_glare_min_area`` of the
    card, compact (not wrapped around something, as a photo's white backdrop is), whose light
    falls off softly all round: in nearly every direction the ring just outside it (about the
    blob's radius wide) is lifted at least ``card_glare_halo_lift`` of the way from what lies
    further out (the ring at two to four radii: the card's own print and paper there) to white.
    White print, a white QR quiet zone, a flatbed scan and a washed-out sky in the portrait end
    at a hard edge on at least one side. Measured against the local surroundings, so a highlight
    over the dark portrait counts as well as one over the pale paper. A blob covering more than
    half the card is over-exposure, not glare (``too_bright`` says so).
    """
    hsv = cv2.cvtColor(bgr_card, cv2.COLOR_BGR2HSV)
    core = cv2.inRange(hsv, (0, 0, t.card_glare_value), (180, t.card_glare_sat_max, 255))
    if cv2.countNonZero(core) == 0:
        return 0.0
    core = cv2.morphologyEx(core, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    v = hsv[..., 2]
    # the rounded corners show what lies behind the card (a white scanner bed, a white desk):
    # neither a highlight nor part of one's halo
    valid = np.full(v.shape, 255, np.uint8)
    cw, chh = max(2, round(0.05 * v.shape[1])), max(2, round(0.08 * v.shape[0]))
    for ys in (slice(0, chh), slice(v.shape[0] - chh, v.shape[0])):
        for xs in (slice(0, cw), slice(v.shape[1] - cw, v.shape[1])):
            valid[ys, xs] = 0
    core = cv2.bitwise_and(core, valid)
    area = float(v.size)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    total = 0.0
    for k in range(1, n):
        a = float(stats[k, cv2.CC_STAT_AREA])
        if a < t.card_glare_min_area * area or a > 0.5 * area:
            continue
        x, y, w, h = (int(stats[k, i]) for i in range(4))
        r = max(2, round(0.5 * np.sqrt(a / np.pi)))
        pad = 4 * r + 2
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(v.shape[1], x + w + pad), min(v.shape[0], y + h + pad)
        blob = (labels[y0:y1, x0:x1] == k).astype(np.uint8)
        ok = valid[y0:y1, x0:x1] > 0
        # rings by distance from the blob (one pass, whatever the blob's size)
        dist = cv2.distanceTransform(1 - blob, cv2.DIST_L2, 3)
        inner = ((dist > 1) & (dist <= max(2, r)) & ok).astype(np.uint8)
        outer = ((dist > 2 * r) & (dist <= 4 * r) & ok).astype(np.uint8)
        if cv2.countNonZero(inner) < 4 or cv2.countNonZero(outer) < 4:
            continue
        # a highlight is a compact spot; white print (a photo's backdrop around a head, a frame)
        # wraps around things
        hull = cv2.convexHull(cv2.findNonZero(blob))
        if a < 0.6 * max(1.0, cv2.contourArea(hull)):
            continue
        # the fall-off, direction by direction: the near ring is lifted towards white against the
        # far ring on (nearly) every side of a highlight; a washed-out sky in the portrait or a
        # white patch of print ends at a hard edge on at least one side
        if _lifted_all_round(v[y0:y1, x0:x1], blob, inner, outer, t.card_glare_halo_lift):
            total += a
    return total / area


#: a card-shaped image with no card in it and at least this much pale paper is a crop of the
#: card's back (the national-emblem side: paper, print and a small emblem)
_BACK_PAPER_SHARE = 0.7


def paper_share(small_card: np.ndarray) -> float:
    """Share of a (small, rectified) card image that is pale, nearly colourless paper: HSV
    saturation at most 60 and value at least 0.6 of the image's 95th percentile (so a dim scan
    counts too), in the central 90 %."""
    h, w = small_card.shape[:2]
    hsv = cv2.cvtColor(small_card[h // 20 : h - h // 20, w // 20 : w - w // 20], cv2.COLOR_BGR2HSV)
    v = hsv[..., 2]
    bright = 0.6 * float(np.percentile(v[::2, ::2], 95))
    return float(np.mean((hsv[..., 1] <= 60) & (v >= bright)))


def _looks_like_back(small: np.ndarray, det: FaceDetector | None, t: Thresholds) -> bool:
    """A card-shaped image with no card found in it: is it a crop of the card's back? Mostly
    pale paper, sharply printed (a portrait photographed against a white wall is soft), and no
    face anywhere in it."""
    if paper_share(small) < _BACK_PAPER_SHARE:
        return False
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    if measure_blur(gray, CHECK_SIZE[0]) < t.card_blur_min:
        return False
    return not (det or default_detector()).detect(small, long_side=CHECK_SIZE[0])


def _lifted_all_round(
    v: np.ndarray, blob: np.ndarray, inner: np.ndarray, outer: np.ndarray, lift: float, sectors: int = 8
) -> bool:
    """Is the ``inner`` ring around ``blob`` brighter than the ``outer`` ring (by ``lift`` of the
    headroom to white and at least 15 levels) in at least three quarters of the directions
    (``sectors`` around the blob's centre) where both rings can be seen, and are they seen in at
    least half of them? The paper in each ring is its bright part (75th percentile): print in
    either ring is darker either way."""
    ys, xs = np.nonzero(blob)
    cy, cx = float(ys.mean()), float(xs.mean())

    def by_sector(ring: np.ndarray) -> list[np.ndarray]:
        ry, rx = np.nonzero(ring)
        sec = ((np.arctan2(ry - cy, rx - cx) + np.pi) / (2 * np.pi) * sectors).astype(int) % sectors
        vals = v[ry, rx]
        return [vals[sec == k] for k in range(sectors)]

    lifted = judged = 0
    for near, far in zip(by_sector(inner), by_sector(outer), strict=True):
        if len(near) < 2 or len(far) < 2:
            continue
        judged += 1
        n, f = float(np.percentile(near, 75)), float(np.percentile(far, 75))
        lifted += int((n - f) / max(1.0, 255.0 - f) >= lift and n - f >= 15.0)
    return judged >= sectors // 2 and lifted >= 0.75 * judged


def has_portrait(small_card: np.ndarray, det: FaceDetector | None) -> bool:
    """Does a rectified card (either way up) show a face on its right half, as the photo side
    does? ``False`` for the national-emblem side.

    Only the half where the portrait sits is searched (the right half, or the left half of a
    card held upside down, turned), which halves the detector's cost."""
    d = det or default_detector()
    w = small_card.shape[1]
    half = w // 2
    for img in (small_card[:, half:], cv2.rotate(small_card[:, : w - half], cv2.ROTATE_180)):
        faces = d.detect(np.ascontiguousarray(img), long_side=_PORTRAIT_LONG_SIDE)
        hw = img.shape[1]
        # where an ID card's portrait sits: its centre at 60-95 % of the card's width (the middle
        # of the right half, about 77 % on a real card), the whole face within that half, at
        # most 65 % of its width and 60 % of the card's height (about 40 % and 35 % on a real
        # card); a face in the middle of an ordinary photograph is not
        if any(
            0.2 * hw <= f.center[0] <= 0.9 * hw
            and f.box[0] >= 0
            and f.box[1] >= 0
            and f.box[0] + f.box[2] <= hw
            and f.box[1] + f.box[3] <= img.shape[0]
            and 0.1 * hw < f.box[2] <= 0.65 * hw
            and f.box[3] <= 0.6 * img.shape[0]
            and (f.landmarks[:, 0] >= 0).all()
            for f in faces
        ):
            return True
    return False


def _card_checks(
    small_card: np.ndarray,
    det: FaceDetector | None,
    t: Thresholds,
    problems: list[str],
    metrics: dict[str, float],
) -> None:
    gray = cv2.cvtColor(small_card, cv2.COLOR_BGR2GRAY)
    # a 3 % inset keeps the background and the card edge out of the measurements
    mx, my = round(0.03 * gray.shape[1]), round(0.03 * gray.shape[0])
    inner_gray = gray[my:-my, mx:-mx]
    mean, clipped = measure_exposure(inner_gray)
    glare = measure_specular(small_card[my:-my, mx:-mx], t)
    blur = measure_blur(inner_gray, CHECK_SIZE[0])
    metrics.update(luma=mean, clipped=clipped, glare=glare, blur=blur)
    if "too_dark" in problems or "too_bright" in problems:
        pass  # the whole frame's exposure was told already (the outline found is unreliable)
    elif mean < t.card_luma_min:
        problems.append("too_dark")
    elif mean > t.card_luma_max or clipped > t.card_clipped_max:
        problems.append("too_bright")
    if glare > t.card_glare_max_share and "too_bright" not in problems:
        problems.append("glare")
    if blur < t.card_blur_min:
        problems.append("blurry")
    # which side: only judged on a card that is readable (a blurred or dark portrait may be
    # missed by the detector; those problems are told first anyway)
    if not problems:
        portrait = has_portrait(small_card, det)
        metrics["portrait"] = float(portrait)
        if not portrait:
            problems.append("card_wrong_side")


def _frame_exposure(frame: np.ndarray, t: Thresholds, clipped_max: float, problems: list[str]) -> tuple[float, float]:
    """The whole frame's exposure (every 4th pixel each way): adds ``too_dark`` / ``too_bright``
    (mean luma outside the card_frame_luma limits, or more than ``clipped_max`` clipped) to
    ``problems``; returns (mean luma, clipped share)."""
    mean, clipped = measure_exposure(cv2.cvtColor(frame[::4, ::4], cv2.COLOR_BGR2GRAY))
    if mean < t.card_frame_luma_min:
        problems.append("too_dark")
    elif mean > t.card_frame_luma_max or clipped > clipped_max:
        problems.append("too_bright")
    return mean, clipped


def assess_card(frame: np.ndarray, det: FaceDetector | None, t: Thresholds) -> Assessment:
    """The card-stage checks on a validated BGR frame (see :func:`quality.assess`)."""
    h, w = frame.shape[:2]
    problems: list[str] = []
    metrics: dict[str, float] = {"width": float(w), "height": float(h)}
    if min(h, w) < t.card_min_image_short_side:
        problems.append("image_too_small")
    # a camera frame twice the finder's size or more is halved once (exactly: even sizes, the
    # fast 2x path) before the finder, which needs no more than half its detail
    k = 2 if min(h, w) >= 2 * CHECK_SIZE[1] and max(h, w) >= 2 * t.card_work_long_side else 1
    src = frame
    if k == 2:
        even = frame[: h // 2 * 2, : w // 2 * 2]
        src = cv2.resize(even, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    cand: CardCandidate | None = find_card(src, work_long_side=t.card_work_long_side)
    if cand is not None and k != 1:
        cand = replace(cand, quad=cand.quad * np.float32(k), width_px=cand.width_px * k)
    quad: np.ndarray | None = None
    if cand is None or cand.cut_off or cand.area_frac < 0.5:
        # the image may already be a rectified card (our own upload or a scanner crop); then
        # the outline is the image border and what the finder sees is printed on the card
        img_aspect = w / h
        if abs(img_aspect / CARD_ASPECT - 1.0) <= t.card_fill_aspect_tolerance:
            small = cv2.resize(frame, CHECK_SIZE, interpolation=cv2.INTER_AREA)
            # a crop of the photo side shows the portrait beside printed text; a crop of the back
            # shows paper
            gray_small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
            half = CHECK_SIZE[0] // 2
            text = max(measure_blur(gray_small[:, :half], half), measure_blur(gray_small[:, half:], half))
            printed = text >= 0.5 * t.card_blur_min  # the text side (either way up) is sharp print
            if (printed and has_portrait(small, det)) or (cand is None and _looks_like_back(small, det, t)):
                metrics.update(card_fills_image=1.0, card_width=float(w), card_width_frac=1.0)
                if w < t.card_min_width_px:
                    problems.append("card_too_small")
                _card_checks(small, det, t, problems, metrics)
                quad = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
                return Assessment(not problems, _sorted(problems), metrics, box=(0, 0, w, h), quad=quad, stage="card")
    if cand is None:
        problems.append("no_card")
        # a frame too dark or too bright to find anything: say so (the better hint)
        mean, clipped = _frame_exposure(frame, t, 0.5, problems)
        metrics.update(luma=mean, clipped=clipped)
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
    if "card_tilted" in problems or "card_too_small" in problems:
        # a washed-out or very dark frame leaves only part of the outline to find: the whole
        # frame's exposure is then the better hint
        _frame_exposure(frame, t, t.card_frame_clipped_max, problems)
    # the checks' own view is rectified from the full frame: a small card keeps its detail
    small = rectify(frame, quad, CHECK_SIZE)
    _card_checks(small, det, t, problems, metrics)
    return Assessment(
        ok=not problems, problems=_sorted(problems), metrics=metrics, box=(bx, by, bw, bh), quad=quad, stage="card"
    )
