"""Finding the card's outline from straight line segments fitted to its known shape.

The contour finder in :mod:`kiosk.core.vision.card` needs the outline to be one closed edge. A
card held in a hand breaks that: fingers cut the sides into pieces and join them to their own
outlines, a palm of about the card's brightness weakens them, and the strongest closed shape
left is often a rectangle printed on the card (the portrait). What survives is the visible parts
of the four straight sides. So:

1. the edge contours are simplified to straight segments (every contour, not one);
2. collinear segments are merged into lines, each remembering which stretches of it are seen;
3. two roughly parallel lines and two more across them make a quadrilateral; it is kept when
   its corners are inside the frame, its shape is a card's (ID-1, 85.6 x 54 mm, up to the
   perspective of a card tilted ~45 deg) and enough of each side is seen (a finger may cover a
   stretch of a side, not most of it);
4. the largest such quadrilateral wins: a card's outline encloses whatever is printed on it;
5. three lines and one of the frame's borders make the part of a card that is cut off, kept when
   its sides run into the border (and stop at its inner corners) and its shape is a card's part.

Works on the finder's downscaled edge map; returns corners in that map's pixels. Pure functions,
safe from any thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Line", "LineQuad", "lines_from_contours", "long_edge_contours", "quad_from_lines"]

#: ID-1 long side / short side
_ASPECT = 85.6 / 54.0


@dataclass(slots=True)
class Line:
    """A straight line ``n . p = rho`` (unit normal ``n`` at angle ``theta`` in [0, pi)) with the
    stretches along it (``t`` = position along the direction ``(-n_y, n_x)``) where edges were
    seen, merged into disjoint intervals."""

    theta: float
    rho: float
    intervals: list[tuple[float, float]]
    weight: float

    @property
    def normal(self) -> np.ndarray:
        return np.array([math.cos(self.theta), math.sin(self.theta)])

    @property
    def direction(self) -> np.ndarray:
        return np.array([-math.sin(self.theta), math.cos(self.theta)])

    def seen(self, t0: float, t1: float) -> float:
        """Length of ``[t0, t1]`` covered by the seen stretches."""
        lo, hi = min(t0, t1), max(t0, t1)
        return sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in self.intervals)


def _segments(contours: list[np.ndarray], min_len: float, max_count: int = 96) -> np.ndarray:
    """The ``max_count`` longest straight segments (N, 4: x0, y0, x1, y1) of at least
    ``min_len`` px along edge contours."""
    out = []
    for cnt in contours:
        if len(cnt) < min_len:
            continue
        poly = cv2.approxPolyDP(cnt, 1.5, True).reshape(-1, 2)
        if len(poly) < 2:
            continue
        seg = np.hstack([poly, np.vstack([poly[1:], poly[:1]])])
        d = seg[:, 2:] - seg[:, :2]
        keep = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] >= min_len * min_len
        if keep.any():
            out.append(seg[keep])
    if not out:
        return np.zeros((0, 4))
    segs = np.vstack(out).astype(np.float64)
    if len(segs) > max_count:
        d = segs[:, 2:] - segs[:, :2]
        segs = segs[np.argsort(-(d[:, 0] ** 2 + d[:, 1] ** 2))[:max_count]]
    return segs


def long_edge_contours(edges: np.ndarray, min_len: float) -> list[np.ndarray]:
    """Contours of the edge map's connected pieces that are at least ``min_len`` px across
    (the only ones that can hold a segment that long): text and texture are dropped in one pass
    before the contours are traced."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(edges, connectivity=8)
    big = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= min_len
    big[0] = False
    if not big.any():
        return []
    mask = big.astype(np.uint8)[labels] * 255
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    return list(contours)


def _merge(a: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Union of intervals, bridging gaps up to ``gap`` (a dropped edge pixel or two)."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(a):
        if out and lo <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def lines_from_contours(contours: list[np.ndarray], *, min_len: float, max_lines: int = 16) -> list[Line]:
    """The ``max_lines`` best-supported lines through the straight parts of edge contours
    (``cv2.findContours`` of an edge map, every point kept).

    Segments within 4 deg and 2.5 px of a line join it (a contour runs along both sides of a
    thin edge, and a side cut by a finger is two segments); lines are ranked by the length seen.
    """
    segs = _segments(contours, min_len)
    if len(segs) == 0:
        return []
    d = segs[:, 2:] - segs[:, :2]
    order = np.argsort(-(d[:, 0] ** 2 + d[:, 1] ** 2))
    segs = segs[order]
    theta_s = (np.arctan2(d[order, 1], d[order, 0]) + math.pi / 2) % math.pi
    cs, ss = np.cos(theta_s), np.sin(theta_s)
    rho_s = cs * (segs[:, 0] + segs[:, 2]) / 2 + ss * (segs[:, 1] + segs[:, 3]) / 2
    # fits[a, b]: segment b lies on segment a's line (within 4 deg, both ends within 2.5 px;
    # rho flips sign across the angle wrap, the distances do not)
    da = np.abs((theta_s[:, None] - theta_s[None, :] + math.pi / 2) % math.pi - math.pi / 2)
    dist = np.maximum(
        np.abs(cs[:, None] * segs[None, :, 0] + ss[:, None] * segs[None, :, 1] - rho_s[:, None]),
        np.abs(cs[:, None] * segs[None, :, 2] + ss[:, None] * segs[None, :, 3] - rho_s[:, None]),
    )
    fits = (da <= math.radians(4.0)) & (dist <= 2.5)
    # the longest segment not yet on a line starts one and takes every free segment on it
    free = np.ones(len(segs), bool)
    lines: list[Line] = []
    for k in range(len(segs)):
        if not free[k]:
            continue
        mine = np.flatnonzero(fits[k] & free)
        free[mine] = False
        u = (-ss[k], cs[k])
        t0 = u[0] * segs[mine, 0] + u[1] * segs[mine, 1]
        t1 = u[0] * segs[mine, 2] + u[1] * segs[mine, 3]
        intervals = _merge(list(zip(np.minimum(t0, t1).tolist(), np.maximum(t0, t1).tolist(), strict=True)), 3.0)
        lines.append(Line(float(theta_s[k]), float(rho_s[k]), intervals, sum(b - a for a, b in intervals)))
    lines.sort(key=lambda ln: -ln.weight)
    return lines[:max_lines]


@dataclass(frozen=True, slots=True)
class LineQuad:
    """A quadrilateral made of four lines: ``quad`` TL, TR, BR, BL (float32, work-map pixels),
    ``seen`` the mean share of its sides seen, ``cut_off`` when one side is the frame's border
    (the part of a card that is in the frame)."""

    quad: np.ndarray
    seen: float
    cut_off: bool
    area: float
    #: both sides that run into the border are seen up to it (strong evidence of a cut card)
    reaches: bool = True


def _border_lines(w: int, h: int) -> list[Line]:
    """The frame's four borders as lines seen all along (a cut-off card's fourth side)."""
    span = [(-2.0 * (w + h), 2.0 * (w + h))]
    return [
        Line(0.0, 0.0, span, 0.0),
        Line(0.0, float(w - 1), span, 0.0),
        Line(math.pi / 2, 0.0, span, 0.0),
        Line(math.pi / 2, float(h - 1), span, 0.0),
    ]


def quad_from_lines(
    lines: list[Line],
    size: tuple[int, int],
    *,
    min_area: float,
    margin: float,
    min_side_seen: float = 0.35,
    min_mean_seen: float = 0.6,
    cut_side_seen: float = 0.6,
) -> tuple[LineQuad | None, LineQuad | None]:
    """The largest card-shaped quadrilateral made of four of ``lines`` inside a ``size`` (w, h)
    image, and the largest card part cut off by the frame's border: (whole, cut), either None.

    Whole: convex, corners at least ``margin`` inside the image, area at least ``min_area``,
    long/short side ratio within 0.6-1.8 of ID-1's (a card tilted up to ~45 deg towards the
    camera; the checks report the tilt), opposite sides at least half as long as each other, at
    least ``min_side_seen`` of every side and ``min_mean_seen`` of all four seen.

    Cut: one side on the frame's border, the other three seen at least ``cut_side_seen`` each and
    none of them running along a border (a photograph's own frame), no longer across the border
    than 1.8 times its length along it (a card's part: at most its other side, in perspective),
    a side that runs into the border seen right up to it (a card that stops short of the border
    is whole, however near it lies; a finger may hide where the other side meets it), and the
    sides that run into the border not seen on past the card's far corners (ruled paper).

    Every combination is tested at once with numpy (20 lines: a few thousand quadrilaterals).
    """
    from kiosk.core.vision.card import order_corners  # no import cycle at module load

    w, h = size
    n_real = len(lines)
    if n_real < 2:
        return None, None
    lines = [*lines, *_border_lines(w, h)]
    n = len(lines)
    border = np.zeros(n, bool)
    border[n_real:] = True
    theta = np.array([ln.theta for ln in lines])
    rho = np.array([ln.rho for ln in lines])
    c, s = np.cos(theta), np.sin(theta)
    # pairwise intersections X[i, j] of n_i . p = rho_i and n_j . p = rho_j
    det = c[:, None] * s[None, :] - s[:, None] * c[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = (rho[:, None] * s[None, :] - s[:, None] * rho[None, :]) / det
        ys = (c[:, None] * rho[None, :] - rho[:, None] * c[None, :]) / det
    ang = np.degrees(np.abs((theta[:, None] - theta[None, :] + np.pi / 2) % np.pi - np.pi / 2))
    # pairs of nearly parallel lines (up to 25 deg apart: perspective), far enough apart; two
    # opposite borders never pair (that would be the whole frame)
    ii, jj = np.triu_indices(n, 1)
    mid_t = np.array([(ln.intervals[0][0] + ln.intervals[-1][1]) / 2 for ln in lines])
    mid_t[n_real:] = [h / 2, h / 2, -w / 2, -w / 2]  # the middle of each border
    px = c * rho - s * mid_t  # a point in the middle of each line's seen part
    py = s * rho + c * mid_t
    sep = np.abs(c[ii] * px[jj] + s[ii] * py[jj] - rho[ii])
    keep = (ang[ii, jj] <= 25.0) & (sep >= 0.08 * min(w, h)) & ~(border[ii] & border[jj])
    pi_, pj = ii[keep], jj[keep]
    if len(pi_) < 2:
        return None, None
    p, q = np.triu_indices(len(pi_), 1)
    i, j, k, m = pi_[p], pj[p], pi_[q], pj[q]
    ok = (i != k) & (i != m) & (j != k) & (j != m) & (ang[i, k] >= 55.0)
    i, j, k, m = i[ok], j[ok], k[ok], m[ok]
    if len(i) == 0:
        return None, None
    side_line = np.stack([i, m, j, k], axis=1)  # side 0 on a1, 1 on b2, 2 on a2, 3 on b1
    on_border = border[side_line]
    n_border = on_border.sum(1)
    # corners a1^b1, a1^b2, a2^b2, a2^b1 with a = (i, j), b = (k, m)
    qx = np.stack([xs[i, k], xs[i, m], xs[j, m], xs[j, k]], axis=1)
    qy = np.stack([ys[i, k], ys[i, m], ys[j, m], ys[j, k]], axis=1)
    lo_m = np.where(n_border[:, None] > 0, -1.0, margin)
    with np.errstate(invalid="ignore"):
        inside = (qx.min(1) >= lo_m[:, 0]) & (qy.min(1) >= lo_m[:, 0])
        inside &= (qx.max(1) <= w - 1 - lo_m[:, 0]) & (qy.max(1) <= h - 1 - lo_m[:, 0])
    ex, ey = np.roll(qx, -1, axis=1) - qx, np.roll(qy, -1, axis=1) - qy
    cross = ex * np.roll(ey, -1, axis=1) - ey * np.roll(ex, -1, axis=1)
    convex = (cross > 0).all(1) | (cross < 0).all(1)
    area = 0.5 * np.abs((qx * np.roll(qy, -1, axis=1) - np.roll(qx, -1, axis=1) * qy).sum(1))
    lens = np.hypot(ex, ey)
    s1, s2 = (lens[:, 0] + lens[:, 2]) / 2, (lens[:, 1] + lens[:, 3]) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.maximum(s1, s2) / np.minimum(s1, s2) / _ASPECT
        opp = np.minimum(
            np.minimum(lens[:, 0], lens[:, 2]) / np.maximum(lens[:, 0], lens[:, 2]),
            np.minimum(lens[:, 1], lens[:, 3]) / np.maximum(lens[:, 1], lens[:, 3]),
        )
    whole_shape = (n_border == 0) & (ratio >= 0.6) & (ratio <= 1.8) & (opp >= 0.5)
    # a cut card's visible part: three of its sides and the border, a band along the border
    # (not a sliver); none of the three hugs a border (that is the picture's own frame)
    hug = np.zeros(n, bool)
    near = 0.02 * min(w, h)
    for li in range(n_real):
        ad = np.degrees(abs((theta[li] + np.pi / 2) % (np.pi / 2) - np.pi / 4))  # 45 = axis-parallel
        if ad >= 40.0:
            ts = np.array([lines[li].intervals[0][0], lines[li].intervals[-1][1]])
            pts = np.stack([c[li] * rho[li] - s[li] * ts, s[li] * rho[li] + c[li] * ts], axis=1)
            hug[li] = bool(
                (pts[:, 0] <= near).all()
                or (pts[:, 0] >= w - 1 - near).all()
                or (pts[:, 1] <= near).all()
                or (pts[:, 1] >= h - 1 - near).all()
            )
    # along the border lies one whole side of the card, across it at most the other (with some
    # perspective): a door or a window running out of the frame is longer across than that
    b_side = np.argmax(on_border, axis=1)
    rows = np.arange(len(i))
    along = lens[rows, b_side]
    across = (lens[rows, (b_side + 1) % 4] + lens[rows, (b_side + 3) % 4]) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        cut_shape = (n_border == 1) & ~hug[side_line].any(1) & (across <= 1.8 * along)
    good = inside & convex & (area >= min_area) & (whole_shape | cut_shape)
    if not good.any():
        return None, None
    sel = np.flatnonzero(good)
    # the share of each side seen: sample it at 24 points, look each up in its line's coverage
    reach = int(np.ceil(np.hypot(w, h))) + 2
    cover = np.zeros((n, 2 * reach + 1), bool)
    for li, ln in enumerate(lines):
        for a, b in ln.intervals:
            cover[li, max(0, int(np.floor(a)) + reach) : min(2 * reach, int(np.ceil(b)) + reach) + 1] = True
    sl = side_line[sel]
    x0, y0 = qx[sel], qy[sel]
    x1, y1 = np.roll(x0, -1, axis=1), np.roll(y0, -1, axis=1)
    f = np.linspace(0.02, 0.98, 24)
    sx = x0[..., None] + (x1 - x0)[..., None] * f  # (S, 4, 24)
    sy = y0[..., None] + (y1 - y0)[..., None] * f
    t = -s[sl][..., None] * sx + c[sl][..., None] * sy
    idx = np.clip(np.round(t).astype(np.int64) + reach, 0, 2 * reach)
    hits = cover[sl[..., None], idx]  # (S, 4, 24)
    seen = hits.mean(axis=2)
    ob = on_border[sel]
    real_seen = np.where(ob, 1.0, seen)
    whole = whole_shape[sel] & (seen.min(1) >= min_side_seen) & (seen.mean(1) >= min_mean_seen)
    # a side running into the border: the side before a border side ends at it (its last
    # samples), the side after one starts at it (its first samples)
    ends_at = np.roll(ob, -1, axis=1) & ~ob
    starts_at = np.roll(ob, 1, axis=1) & ~ob
    # seen within a few pixels of the border (not within a share of the side: a card lying a
    # little way from the border would "reach" it then)
    t0 = -s[sl] * x0 + c[sl] * y0  # (S, 4): each side's start and end along its line
    t1 = -s[sl] * x1 + c[sl] * y1
    step = np.sign(t1 - t0)[..., None] * np.array([2.0, 4.0, 6.0, 8.0])

    def seen_at(tt: np.ndarray) -> np.ndarray:
        ii = np.clip(np.round(tt).astype(np.int64) + reach, 0, 2 * reach)
        return cover[sl[..., None], ii].mean(axis=2)

    # (both: right at the border, and over the side's last sixth)
    tail = np.minimum(seen_at(t1[..., None] - step), hits[..., -4:].mean(axis=2))
    head = np.minimum(seen_at(t0[..., None] + step), hits[..., :4].mean(axis=2))
    # ... and stop at the card's far corner: a ruled line or a shelf runs on past it
    far = (t1 - t0)[..., None] * np.array([0.1, 0.2, 0.3, 0.4])  # past whatever lies at the corner
    beyond_start = seen_at(t0[..., None] - far)
    beyond_end = seen_at(t1[..., None] + far)
    stops = ((~ends_at) | (beyond_start <= 0.5)) & ((~starts_at) | (beyond_end <= 0.5))
    # (one of the two may be hidden by the fingers holding the card there: then the part is
    # reported, but does not outrank a whole card found inside it)
    reaches = (ends_at & (tail >= 0.5)) | (starts_at & (head >= 0.5))
    both = ((~ends_at) | (tail >= 0.5)) & ((~starts_at) | (head >= 0.5))
    cut = cut_shape[sel] & (real_seen.min(1) >= cut_side_seen) & reaches.any(1) & stops.all(1)

    def pick(mask: np.ndarray, is_cut: bool) -> LineQuad | None:
        if not mask.any():
            return None
        r = np.flatnonzero(mask)[int(np.argmax(area[sel][mask]))]
        quad = np.stack([qx[sel][r], qy[sel][r]], axis=1).astype(np.float32)
        quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
        quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
        return LineQuad(
            order_corners(quad), float(real_seen[r].mean()), is_cut, float(area[sel][r]), bool(both[r].all())
        )

    return pick(whole, False), pick(cut, True)
