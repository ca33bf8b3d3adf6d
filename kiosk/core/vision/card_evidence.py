"""Is an outline the finder found really a card? Tests beyond its shape.

Straight edges are everywhere in a picture; these tests reject outlines that are card-shaped
but cannot be a card held in front of the camera:

* :func:`one_sided`: a card against a desk, a palm or a scanner bed is a step of one sign all
  round (brighter than its surroundings, or darker); an outline pieced together from the edges
  of faces, hair and clothes changes sides.
* :func:`spans_frame`: a "cut-off card" reaching two opposite borders is wider or taller than
  the frame: the picture's own structure (a split screen, a wall).
* :func:`card_part_across`: along a border lies at most one whole side of the card and across it
  at most the other: a door running out of the frame is longer across than that.
* :func:`runs_on`: a card's sides end at its corners; the lines of ruled paper or a shelf run on.

Pure functions on the finder's downscaled grey frame; safe from any thread.
"""

from __future__ import annotations

import numpy as np

__all__ = ["borders_touched", "card_part_across", "one_sided", "runs_on", "spans_frame"]


def one_sided(gray: np.ndarray, quad: np.ndarray, *, step: float = 3.0, agree: float = 0.75) -> bool:
    """Is the outline ``quad`` a one-sided step: the inside brighter than the outside (or darker)
    at ``agree`` of the places along it where the two differ? A card against a desk, a palm or
    a scanner bed is; an outline pieced together from the edges of faces, hair and clothes in
    a photograph changes sides. Sampled at 24 places per side, ``step`` px either side."""
    q = np.asarray(quad, np.float64)
    c = q.mean(axis=0)
    f = np.linspace(0.1, 0.9, 24)
    inside, outside = [], []
    h, w = gray.shape[:2]
    near = step + 2.0
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        if (
            (a[0] <= near and b[0] <= near)
            or (a[1] <= near and b[1] <= near)
            or (a[0] >= w - 1 - near and b[0] >= w - 1 - near)
            or (a[1] >= h - 1 - near and b[1] >= h - 1 - near)
        ):
            continue  # a side along the frame's border (a cut-off card): nothing beyond it
        d = b - a
        n = np.array([-d[1], d[0]]) / max(1e-6, float(np.hypot(*d)))
        if n @ (c - a) < 0:
            n = -n  # towards the centre
        pts = a + np.outer(f, d)
        inside.append(pts + step * n)
        outside.append(pts - step * n)
    if not inside:
        return False

    def at(p: np.ndarray) -> np.ndarray:
        x = np.clip(np.round(p[:, 0]).astype(int), 0, w - 1)
        y = np.clip(np.round(p[:, 1]).astype(int), 0, h - 1)
        return gray[y, x].astype(np.float64)

    diff = at(np.vstack(inside)) - at(np.vstack(outside))
    differ = np.abs(diff) >= 4.0
    if differ.sum() < 0.25 * len(diff):
        return False
    pos = float((diff[differ] > 0).mean())
    return max(pos, 1.0 - pos) >= agree


def card_part_across(q: np.ndarray, w: int, h: int, margin: float) -> bool:
    """Could the points ``q`` (running into the frame's border) be the part of a card left in
    the frame? Along a border lies at most one whole side of the card and across it at most the
    other: a shape longer across the border than 1.8 times its length along it (a door, a
    window frame) is not one."""
    lo, hi = q.min(axis=0), q.max(axis=0)
    ext_x, ext_y = float(hi[0] - lo[0]), float(hi[1] - lo[1])
    ok = False
    if lo[0] <= margin or hi[0] >= w - 1 - margin:  # a left or right border: along is y
        ok |= ext_x <= 1.8 * ext_y
    if lo[1] <= margin or hi[1] >= h - 1 - margin:  # top or bottom: along is x
        ok |= ext_y <= 1.8 * ext_x
    return ok


def spans_frame(q: np.ndarray, w: int, h: int, margin: float) -> bool:
    """Do the points ``q`` reach two opposite borders of the frame (a shape wider or taller than
    the frame: the picture's own structure, not a card held in front of the camera)?"""
    lo, hi = q.min(axis=0), q.max(axis=0)
    return bool((lo[0] <= margin and hi[0] >= w - 1 - margin) or (lo[1] <= margin and hi[1] >= h - 1 - margin))


def borders_touched(q: np.ndarray, w: int, h: int, margin: float) -> int:
    """How many of the frame's four borders the points ``q`` reach."""
    lo, hi = q.min(axis=0), q.max(axis=0)
    return int(lo[0] <= margin) + int(lo[1] <= margin) + int(hi[0] >= w - 1 - margin) + int(hi[1] >= h - 1 - margin)


def runs_on(edges: np.ndarray, quad: np.ndarray, margin: float) -> bool:
    """Do the sides of a cut-off ``quad`` that run into the frame's border carry on past its
    far corners? Each such side is extended beyond its inner corner by 10-40 % of its length
    and the ``edges`` map is sampled there: a card's side ends at the corner (the desk or palm
    lies beyond), ruled paper or a shelf edge goes on. True when any does at most of 8 places."""
    h, w = edges.shape[:2]
    q = np.asarray(quad, np.float64)

    def at_border(p: np.ndarray) -> bool:
        return bool(p[0] <= margin + 1 or p[1] <= margin + 1 or p[0] >= w - 2 - margin or p[1] >= h - 2 - margin)

    f = np.linspace(0.1, 0.4, 8)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        if at_border(a) == at_border(b):
            continue  # along the border, or an inner side
        inner, outer = (a, b) if at_border(b) else (b, a)
        d = inner - outer  # from the border towards (and past) the inner corner
        pts = inner + np.outer(f, d)
        x = np.round(pts[:, 0]).astype(int)
        y = np.round(pts[:, 1]).astype(int)
        keep = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        if keep.sum() >= 4 and float((edges[y[keep], x[keep]] > 0).mean()) > 0.5:
            return True
    return False
