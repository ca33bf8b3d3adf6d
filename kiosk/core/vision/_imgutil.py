"""Small image helpers shared by the vision modules (pure functions, thread-safe)."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["downscale"]


def downscale(img: np.ndarray, size: tuple[int, int], *, remainder: int = cv2.INTER_AREA) -> np.ndarray:
    """Resize ``img`` down to ``size`` (w, h) with area averaging, fast.

    OpenCV's INTER_AREA has a fast path for exact 2x reductions but is ~7x slower for other
    factors (1.15 ms vs 0.16 ms for 1280x720 here), so halve first while the factor exceeds 2,
    then do the (small) remainder with ``remainder`` interpolation.
    """
    w, h = size
    cur = img
    while cur.shape[1] >= 2 * w and cur.shape[0] >= 2 * h and cur.shape[1] % 2 == 0 and cur.shape[0] % 2 == 0:
        cur = cv2.resize(cur, (cur.shape[1] // 2, cur.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if (cur.shape[1], cur.shape[0]) == (w, h):
        return cur
    interp = remainder if cur.shape[1] > w else cv2.INTER_LINEAR
    return cv2.resize(cur, (w, h), interpolation=interp)
