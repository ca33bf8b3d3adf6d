"""Image helpers shared by the emulator tests (compositing cards into scenes, re-shooting faces)."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.core.specimen import CARD_SIZE, card_mask
from tests.support.assets import image, negative


def jpeg(img: np.ndarray, quality: int = 70) -> np.ndarray:
    """Round-trip ``img`` through JPEG at ``quality``."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def jpeg_bytes(img: np.ndarray, quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def scene(size: tuple[int, int] = (1280, 720)) -> np.ndarray:
    """A textured desk-like background (deterministic)."""
    bg = image(negative("coffee.png"))
    return cv2.resize(bg, size, interpolation=cv2.INTER_LINEAR)


def composite(
    card: np.ndarray,
    *,
    width: float = 760,
    angle: float = 0.0,
    squeeze: float = 0.0,
    center: tuple[float, float] = (640, 360),
    size: tuple[int, int] = (1280, 720),
    background: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Place ``card`` into a scene with rotation ``angle`` (deg) and a perspective ``squeeze`` (px
    the left edge is pulled in). Returns (image, true card quad TL,TR,BR,BL in image pixels)."""
    w, h = CARD_SIZE
    s = width / w
    quad = np.float32([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]]) * s
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    quad = quad @ rot.T
    quad[0, 1] += squeeze
    quad[3, 1] -= squeeze
    quad += np.float32(center)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    hom = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    bg = scene(size) if background is None else background.copy()
    warped = cv2.warpPerspective(card, hom, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(card_mask(), hom, size)
    out = np.where(mask[..., None] > 127, warped, bg)
    return out, quad


def face_crop(img: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.6) -> np.ndarray:
    """Crop around a face box with ``margin`` (fraction of the box size) on each side."""
    x, y, w, h = box
    mx, my = int(w * margin), int(h * margin)
    x0, y0 = max(0, x - mx), max(0, y - my)
    x1, y1 = min(img.shape[1], x + w + mx), min(img.shape[0], y + h + my)
    return img[y0:y1, x0:x1].copy()
