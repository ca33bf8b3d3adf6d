"""Finding the ID card in a frame and rectifying it.

Classic geometry, no model, on a downscaled grey frame (long side ``work_long_side``):

1. Edges (Canny) are closed into contours; each large contour's convex hull is simplified to a
   polygon. A four-cornered polygon whose side ratio is near ID-1 (85.6 / 54 = 1.586, with
   tolerance for perspective) is a card; a large card-like shape running into the frame border
   is a card that is cut off. A clean outline lying flat and square ends the search here.
2. Otherwise straight segments of every contour are merged into lines and the largest
   card-shaped quadrilateral of four lines is taken (:mod:`kiosk.core.vision.card_lines`): it
   completes sides that fingers cut into pieces and finds the card around a rectangle printed on
   it; three lines and the frame's border make a cut-off card.
3. Outlines pieced together from a picture's own edges are refused
   (:mod:`kiosk.core.vision.card_evidence`).

The corners are refined on the edge pixels before rectification.

Pure functions; safe from any thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.core.vision._imgutil import downscale
from kiosk.core.vision.card_evidence import borders_touched, card_part_across, one_sided, runs_on, spans_frame
from kiosk.core.vision.card_fit import quad_from_sides, refine_sides
from kiosk.core.vision.card_lines import lines_from_contours, long_edge_contours, quad_from_lines

__all__ = ["CARD_ASPECT", "RECTIFIED_SIZE", "UPLOAD_MARGIN", "CardCandidate", "find_card", "order_corners", "rectify"]

CARD_ASPECT = 85.6 / 54.0
#: rectified card size (about 300 dpi for an ID-1 card)
RECTIFIED_SIZE = (1012, 638)
#: surroundings kept around the card in the upload (share of the card size per side): 1072x676
UPLOAD_MARGIN = 0.03


@dataclass(frozen=True, slots=True)
class CardCandidate:
    """A card-shaped quadrilateral in full-frame coordinates.

    ``quad`` is float32 (4, 2) ordered TL, TR, BR, BL. ``cut_off`` means the shape runs into the
    frame border (part of the card is likely outside the frame); then ``quad`` is the visible part.
    ``aspect`` is the mean long side over the mean short side; ``rotation`` the in-plane angle in
    degrees of the long axis; ``side_ratio`` the smaller of (shorter/longer) for the two pairs of
    opposite sides (1.0 = no perspective); ``area_frac`` the quad's share of the frame area.
    """

    quad: np.ndarray
    cut_off: bool
    aspect: float
    rotation: float
    side_ratio: float
    area_frac: float
    width_px: float


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Order four points TL, TR, BR, BL (image coordinates), robust to in-plane rotation < 45°."""
    p = np.asarray(pts, np.float32).reshape(4, 2)
    c = p.mean(axis=0)
    ang = np.arctan2(p[:, 1] - c[1], p[:, 0] - c[0])
    p = p[np.argsort(ang)]  # clockwise in image coordinates, starting near -180°
    # start from the point with the smallest x + y (top-left)
    start = int(np.argmin(p[:, 0] + p[:, 1]))
    p = np.roll(p, -start, axis=0)
    # make sure the long side is TL->TR (landscape card)
    if np.linalg.norm(p[1] - p[0]) < np.linalg.norm(p[3] - p[0]):
        p = np.roll(p, -1, axis=0) if p[1, 0] > p[3, 0] else np.roll(p, 1, axis=0)
    return p


def _geometry(q: np.ndarray) -> tuple[float, float, float]:
    top, right = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1])
    bottom, left = np.linalg.norm(q[2] - q[3]), np.linalg.norm(q[3] - q[0])
    long_ = (top + bottom) / 2.0
    short = max(1e-6, (left + right) / 2.0)
    side_ratio = min(min(top, bottom) / max(top, bottom, 1e-6), min(left, right) / max(left, right, 1e-6))
    v = (q[1] - q[0]) + (q[2] - q[3])
    rotation = math.degrees(math.atan2(float(v[1]), float(v[0])))
    return float(long_ / short), float(side_ratio), rotation


def _candidate(
    quad: np.ndarray, scale: float, area_total: float, cut_off: bool, geometry: tuple[float, float, float]
) -> CardCandidate:
    """A :class:`CardCandidate` from a ``quad`` in work-map pixels (``scale`` of the frame) and its
    :func:`_geometry` (aspect, side ratio, rotation)."""
    aspect, side_ratio, rotation = geometry
    full_quad = quad / scale
    return CardCandidate(
        quad=full_quad.astype(np.float32),
        cut_off=cut_off,
        aspect=aspect,
        rotation=rotation,
        side_ratio=side_ratio,
        area_frac=float(cv2.contourArea(quad)) / area_total,
        width_px=float((np.linalg.norm(full_quad[1] - full_quad[0]) + np.linalg.norm(full_quad[2] - full_quad[3])) / 2),
    )


def _support(edges: np.ndarray, poly: np.ndarray, w: int, h: int, margin: float) -> float:
    """Share of the polygon's outline that lies on an edge pixel.

    Segments running along the frame border (both ends near the same border) are skipped: that
    is where a cut-off card leaves the frame, and there is no edge to find.
    """
    outline = np.zeros((h, w), np.uint8)
    near = 3.0 * margin + 2.0
    pts = np.round(poly).astype(np.int32).reshape(-1, 2)
    for i in range(len(pts)):
        p, q = pts[i], pts[(i + 1) % len(pts)]
        along = (
            (p[0] <= near and q[0] <= near)
            or (p[1] <= near and q[1] <= near)
            or (p[0] >= w - 1 - near and q[0] >= w - 1 - near)
            or (p[1] >= h - 1 - near and q[1] >= h - 1 - near)
        )
        if not along:
            cv2.line(outline, (int(p[0]), int(p[1])), (int(q[0]), int(q[1])), 255, 1)
    m = math.ceil(margin) + 1
    outline[:m, :] = 0
    outline[-m:, :] = 0
    outline[:, :m] = 0
    outline[:, -m:] = 0
    total = cv2.countNonZero(outline)
    if total == 0:
        return 0.0
    return cv2.countNonZero(cv2.bitwise_and(outline, edges)) / total


def _complete_quad(
    cnt: np.ndarray,
    hull: np.ndarray,
    hull_area: float,
    support_map: np.ndarray,
    w: int,
    h: int,
    margin: float,
    min_support: float,
) -> np.ndarray | None:
    """The best-supported whole-card quadrilateral for a contour (inside the frame), or None.

    Two proposals: the simplified convex hull (a clean outline) and four sides fitted to the
    contour's straight runs (a thumb over an edge); each is refined to the edge pixels.
    """
    pts = cnt.reshape(-1, 2).astype(np.float64)
    best: tuple[float, np.ndarray] | None = None
    for propose in (_polygon, quad_from_sides):  # lazily: the second only if the first fails
        proposal = propose(hull) if propose is _polygon else propose(cnt)
        if proposal is None:
            continue
        q = refine_sides(order_corners(proposal), pts)
        # inside the frame, and not a small quad within a bigger blob (a thumb may add ~10 %)
        if borders_touched(q, w, h, margin) or cv2.contourArea(q) < 0.8 * hull_area:
            continue
        sup = _support(support_map, q, w, h, margin)
        if sup >= min_support and (best is None or sup > best[0]):
            best = (sup, q)
        if sup >= 0.85:
            break  # a clean outline: the side fit would only confirm it
    return None if best is None else best[1]


def _polygon(hull: np.ndarray) -> np.ndarray | None:
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.035, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    return None


def find_card(
    frame: np.ndarray,
    *,
    work_long_side: int = 480,
    min_area_frac: float = 0.04,
    aspect_tolerance: float = 0.30,
    border_margin_frac: float = 0.006,
    min_support: float = 0.75,
) -> CardCandidate | None:
    """Find the most likely card in ``frame`` (BGR or grey uint8); ``None`` if nothing card-like.

    A complete card (not touching the border) is preferred over a cut-off one; among equals the
    largest wins. ``aspect_tolerance`` is the relative deviation from 1.586 accepted for a complete
    card (perspective changes the apparent ratio).
    """
    h, w = frame.shape[:2]
    scale = min(1.0, work_long_side / max(h, w))
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    # halvings by area, then the remainder (< 2x) by linear interpolation: five times cheaper
    # than area averaging for such a factor, and the Gaussian below removes what it aliases
    small = gray if scale == 1.0 else downscale(gray, (sw, sh), remainder=cv2.INTER_LINEAR)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    med = float(cv2.mean(small)[0])
    area_total = float(sw * sh)
    margin = max(1.0, border_margin_frac * max(sw, sh))
    args = (scale, area_total, min_area_frac, aspect_tolerance, margin)
    # Pass 1 with moderate Canny thresholds (texture on the desk stays out of the card outline).
    # Pass 2, only if pass 1 found no plausible whole card, with low thresholds for a card on a
    # background of about its own brightness (a white card on a light desk).
    best = _find_pass(
        small, max(24.0, min(120.0, 0.6 * med)), *args, min_support, line_hi=max(16.0, min(40.0, 0.3 * med))
    )
    settled = best is not None and not best[1].cut_off and _flat_and_square(best[1])
    if not settled and (best is None or best[1].cut_off or best[1].area_frac < 0.2):
        # weak edges break up: accept a less complete outline (the shape tests still apply)
        second = _find_pass(small, max(16.0, min(40.0, 0.3 * med)), *args, min_support - 0.15, check_polarity=True)
        if second is not None and (best is None or second[0] > best[0]):
            # a "complete card" inside a cut-off one is something printed on that card
            inside = (
                best is not None
                and best[1].cut_off
                and not second[1].cut_off
                and cv2.pointPolygonTest(best[1].quad.reshape(-1, 1, 2), _centre(second[1].quad), False) >= 0
            )
            if not inside:
                best = second
    if best is None and min(sw, sh) >= 120:
        # a defocused or motion-blurred card: its edges are too soft for Canny at this scale,
        # half the resolution makes them twice as sharp
        half = cv2.resize(small, (sw // 2, sh // 2), interpolation=cv2.INTER_AREA)
        args_half = (scale * (sw // 2) / sw, area_total / 4.0, min_area_frac, aspect_tolerance, max(1.0, margin / 2))
        best = _find_pass(half, max(16.0, min(60.0, 0.3 * med)), *args_half, min_support, check_polarity=True)
        # only a whole outline here (a card seen nearly face on, see ``check_polarity``): soft
        # blobs at low resolution are easily mistaken for one (a mug, a face)
        if best is not None and best[1].cut_off:
            best = None
    return None if best is None else best[1]


def _flat_and_square(c: CardCandidate) -> bool:
    """A card seen face on and upright: ID-1 proportions within 6 %, opposite sides within 8 %,
    turned less than 8 deg (well inside every limit of the checks)."""
    return abs(c.aspect / CARD_ASPECT - 1.0) <= 0.06 and c.side_ratio >= 0.92 and abs(c.rotation) <= 8.0


def _centre(quad: np.ndarray) -> tuple[float, float]:
    c = quad.mean(axis=0)
    return (float(c[0]), float(c[1]))


def _find_pass(
    small: np.ndarray,
    hi: float,
    scale: float,
    area_total: float,
    min_area_frac: float,
    aspect_tolerance: float,
    margin: float,
    min_support: float,
    line_hi: float | None = None,
    check_polarity: bool = False,
) -> tuple[float, CardCandidate] | None:
    """One edge-threshold pass of :func:`find_card`: (ranking key, candidate) or None.

    ``check_polarity``: the outline is found on weak evidence (low edge thresholds, or half the
    resolution), where outlines are easily pieced together from any picture's edges: it must
    also be a one-sided step (:func:`kiosk.core.vision.card_evidence.one_sided`; for a cut-off
    card, its in-frame sides), and a whole one must look like a card seen nearly face on (ID-1
    proportions within 15 %, opposite sides within 30 %: a small card's corners are imprecise;
    turned at most 20 deg), and a cut-off one may run into one border only.
    """
    sh, sw = small.shape[:2]
    edges = cv2.Canny(small, 0.5 * hi, hi)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    support_map = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    # largest shapes first: once a complete card is found, nothing smaller can beat it
    shapes = []
    for cnt in contours:
        if len(cnt) < 4:
            continue
        _, _, bw, bh = cv2.boundingRect(cnt)
        if bw * bh < min_area_frac * area_total:
            continue
        hull = cv2.convexHull(cnt)
        hull_area = cv2.contourArea(hull)
        if min_area_frac * area_total <= hull_area <= 0.97 * area_total:
            shapes.append((hull_area, cnt, hull))
    shapes.sort(key=lambda s: s[0], reverse=True)
    best: tuple[float, CardCandidate] | None = None
    for hull_area, cnt, hull in shapes:
        if best is not None and not best[1].cut_off:
            break
        hull_pts = hull.reshape(-1, 2).astype(np.float32)
        found = _complete_quad(cnt, hull, hull_area, support_map, sw, sh, margin, min_support)
        cut = False
        if found is not None:
            quad = found
            aspect, side_ratio, rotation = _geometry(quad)
            r = aspect / CARD_ASPECT
            # a large whole quadrilateral may be a card tilted far towards or away from the camera
            # (45 deg shortens one pair of sides by 30 %): found, and reported as card_tilted
            steep = 0.6 <= r <= 1.8 and cv2.contourArea(quad) >= 0.12 * area_total
            misshapen = (abs(r - 1.0) > aspect_tolerance and not steep) or side_ratio < 0.5
            # found on weak edges only: it must also look like a card seen nearly face on
            weak = check_polarity and (
                abs(r - 1.0) > 0.15 or side_ratio < 0.7 or abs(rotation) > 20.0 or not one_sided(small, quad)
            )
            if misshapen or weak:
                found = None
        if found is None:
            # a "cut-off card" covering nearly the whole frame, or running into two opposite
            # borders (larger than the frame across), is the frame's own clutter
            if (
                not borders_touched(hull_pts, sw, sh, margin)
                or hull_area > 0.9 * area_total
                or spans_frame(hull_pts, sw, sh, margin)
            ):
                continue
            if not card_part_across(hull_pts, sw, sh, margin):
                continue
            cut = True
            # the hull itself (not a simplified polygon) hugs a card's straight sides and rounded
            # corners; over the concavities of other shapes it bridges empty space
            if _support(support_map, hull_pts, sw, sh, margin) < min_support:
                continue
            rect = cv2.minAreaRect(hull)
            quad = order_corners(cv2.boxPoints(rect).astype(np.float32))
            if hull_area < 0.8 * rect[1][0] * rect[1][1]:
                continue
            # on weak edges, a corner of the frame cut off is too little to go on: shadows and
            # backgrounds make such shapes everywhere (a card's part along one border is not)
            if check_polarity and (borders_touched(hull_pts, sw, sh, margin) > 1 or not one_sided(small, quad)):
                continue
            aspect, side_ratio, rotation = _geometry(quad)
            # the visible part of a card: a band along the border, not a sliver
            if not 0.25 <= aspect <= 4.0:
                continue
        cand = _candidate(quad, scale, area_total, cut, (aspect, side_ratio, rotation))
        # a complete card wins over a cut-off shape unless that is much larger (then the
        # "complete" one is likely a feature printed on the cut-off card)
        key = cand.area_frac * (1.0 if cut else 2.0)
        if best is None or key > best[0]:
            best = (key, cand)
    # the outline from straight segments: finds a card whose sides fingers cut into pieces, and
    # the card around a printed rectangle the contours took for it. Not needed (and skipped: it
    # costs about as much again) when the contours found a whole card lying flat and square.
    if best is not None and not best[1].cut_off and _flat_and_square(best[1]):
        return best
    min_len = 0.05 * max(sw, sh)
    weak_edges = edges
    if line_hi is not None:
        # straight lines survive clutter: weaker edges (a white card on a light desk) may join
        weak_edges = cv2.Canny(small, 0.5 * line_hi, line_hi)
        contours = long_edge_contours(weak_edges, min_len)
    lines = lines_from_contours(contours, min_len=min_len)
    line_whole, line_cut = quad_from_lines(lines, (sw, sh), min_area=min_area_frac * area_total, margin=margin)
    ranked: list[tuple[float, CardCandidate]] = [] if best is None else [best]
    weak_cut: CardCandidate | None = None
    edge_pts: np.ndarray | None = None
    for lq in (line_whole, line_cut):
        if lq is None:
            continue
        quad = lq.quad
        if not lq.cut_off:
            # rounded corners and the segment fit leave the corners a pixel or two off: re-fit
            # each side to the edge pixels along it, as for the contour outlines
            if edge_pts is None:
                edge_pts = np.column_stack(np.nonzero(weak_edges)[::-1]).astype(np.float64)
            quad = refine_sides(quad, edge_pts)
        aspect, side_ratio, rotation = _geometry(quad)
        r = aspect / CARD_ASPECT
        if not lq.cut_off and abs(r - 1.0) > aspect_tolerance and lq.area < 0.12 * area_total:
            continue  # far from card-shaped, and too small to be a card tilted far back
        if lq.cut_off and runs_on(cv2.dilate(weak_edges, np.ones((3, 3), np.uint8)), quad, margin):
            continue  # its sides run on past its corners: ruled paper, shelves, not a card
        cand = _candidate(quad, scale, area_total, lq.cut_off, (aspect, side_ratio, rotation))
        ranked.append(((1.0 if lq.cut_off else 2.0) * cand.area_frac, cand))
        if lq.cut_off and not lq.reaches:
            weak_cut = cand
    # a "whole card" inside a larger cut-off one is something printed on that card (unless the
    # cut-off one has a side hidden where it meets the border: that may be a whole card's side
    # extended by lines that happen to run on to the border)
    cuts = [c for _, c in ranked if c.cut_off and c is not weak_cut]
    ranked = [
        (key, c)
        for key, c in ranked
        if c.cut_off
        or not any(
            k.area_frac > c.area_frac and cv2.pointPolygonTest(k.quad.reshape(-1, 1, 2), _centre(c.quad), False) >= 0
            for k in cuts
        )
    ]
    return max(ranked, key=lambda kc: kc[0]) if ranked else None


def rectify(
    frame: np.ndarray, quad: np.ndarray, size: tuple[int, int] = RECTIFIED_SIZE, *, margin: float = 0.0
) -> np.ndarray:
    """Warp the card at ``quad`` (TL, TR, BR, BL) to a flat ``size`` (w, h) crop; a new array.

    ``margin`` keeps that share of the card's width/height of surroundings on every side (the
    output is then larger than ``size`` by ``2 * margin``, same proportions): ID-card OCR wants to
    see the card's edges (Tencent's border warning -9101), so uploads keep a thin margin.
    """
    w, h = size
    mx, my = round(margin * w), round(margin * h)
    dst = np.array([[mx, my], [mx + w - 1, my], [mx + w - 1, my + h - 1], [mx, my + h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(np.asarray(quad, np.float32), dst)
    out = (w + 2 * mx, h + 2 * my)
    return cv2.warpPerspective(frame, m, out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
