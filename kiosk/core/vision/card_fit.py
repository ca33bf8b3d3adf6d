"""Fitting a card's four straight sides to edge points (used by :mod:`kiosk.core.vision.card`).

* :func:`quad_from_sides`: four sides fitted to the long straight runs of one contour and
  intersected: a thumb over an edge or a corner leaves the hull no quadrilateral, but the
  visible parts of the sides are still straight and collinear.
* :func:`refine_sides`: each side of a quadrilateral re-fitted to the edge pixels along its
  middle part, so that the corners sit where the straight sides meet (rounded card corners pull
  polygon vertices off them).

Pure functions; safe from any thread.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["quad_from_sides", "refine_sides"]


def _line_through(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vx, vy, x0, y0 = cv2.fitLine(pts.astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    return np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)


def _intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    (p, r), (q, s) = l1, l2
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-6:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / den
    return p + t * r


def quad_from_sides(cnt: np.ndarray) -> np.ndarray | None:
    """Fit four card sides to the long straight runs of a contour and intersect them.

    Handles a thumb or a finger over part of an edge or a corner: the hull then is not a
    quadrilateral, but the visible parts of the four sides still are straight and collinear.
    """
    # the hull's perimeter, not the contour's: a thin edge band is traversed out and back, and
    # clutter touching the outline would make the tolerance needlessly coarse
    peri = cv2.arcLength(cv2.convexHull(cnt), True)
    poly = cv2.approxPolyDP(cnt, 0.008 * peri, True).reshape(-1, 2).astype(np.float64)
    n = len(poly)
    if n < 4:
        return None
    a, b = poly, np.roll(poly, -1, axis=0)
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])
    keep = length >= 0.04 * peri
    if keep.sum() < 4:
        return None
    a, b, d, length = a[keep], b[keep], d[keep], length[keep]
    ang = np.degrees(np.arctan2(d[:, 1], d[:, 0])) % 180.0
    main = ang[int(np.argmax(length))]

    def diff(x: np.ndarray, ref: float) -> np.ndarray:
        return np.abs((x - ref + 90.0) % 180.0 - 90.0)

    lines = []
    for ref in (main, (main + 90.0) % 180.0):
        sel = diff(ang, ref) < 25.0
        if sel.sum() < 2:
            return None
        normal = np.array([-math.sin(math.radians(ref)), math.cos(math.radians(ref))])
        mid = (a[sel] + b[sel]) / 2.0
        off = mid @ normal
        lo, hi = off.min(), off.max()
        if hi - lo < 0.08 * peri:
            return None
        # group parallel runs by offset; on each half keep the group with the most length (a
        # thumb's outline beside or beyond a side is shorter than the side itself)
        seg_len = length[sel]
        order = np.argsort(off)
        tol = max(4.0, 0.03 * peri)
        groups: list[list[int]] = [[int(order[0])]]
        for k in order[1:]:
            if off[k] - off[groups[-1][-1]] <= tol:
                groups[-1].append(int(k))
            else:
                groups.append([int(k)])
        mid_off = (lo + hi) / 2.0
        for lower in (True, False):
            cands = [g for g in groups if (np.mean(off[g]) < mid_off) == lower]
            if not cands:
                return None
            g = max(cands, key=lambda g: float(seg_len[g].sum()))
            pts = np.concatenate([a[sel][g], b[sel][g]])
            lines.append(_line_through(pts))
    a1, a2, b1, b2 = lines
    corners = [_intersect(a1, b1), _intersect(a1, b2), _intersect(a2, b2), _intersect(a2, b1)]
    if any(c is None for c in corners):
        return None
    quad = np.array(corners, np.float32)
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2)):
        return None
    return quad


def refine_sides(quad: np.ndarray, edge_pts: np.ndarray) -> np.ndarray:
    """Re-fit each side of ``quad`` to the edge pixels along its middle part.

    Rounded card corners pull polygon vertices off the true sides; fitting each side to the edge
    pixels within a few pixels of it (away from the corners) and intersecting the four lines puts
    the corners where the straight sides meet. Returns ``quad`` unchanged if a side lacks support.
    """
    lines = []
    for i in range(4):
        p, q = quad[i].astype(np.float64), quad[(i + 1) % 4].astype(np.float64)
        d = q - p
        length = float(np.hypot(*d))
        if length < 8:
            return quad
        u = d / length
        n = np.array([-u[1], u[0]])
        rel = edge_pts - p
        t = rel @ u
        dist = np.abs(rel @ n)
        sel = (t > 0.1 * length) & (t < 0.9 * length) & (dist < max(3.0, 0.025 * length))
        if sel.sum() < 0.3 * length:
            return quad
        lines.append(_line_through(edge_pts[sel]))
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    out = np.array(corners, np.float32)
    if float(np.abs(out - quad).max()) > 0.05 * float(np.hypot(*(quad[1] - quad[0]))):
        return quad
    return out
