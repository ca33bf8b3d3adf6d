"""Image synthesis for the virtual camera, the evaluation and the tests.

There are no photographs of people holding ID cards, so card scenes are composed: a card image
(the emulator's specimen renderer when available, otherwise a plain ID-1 stand-in drawn here) is
warped with a perspective onto a procedural desk texture, lit with a realistic gain (a white card
is not recorded as pure 255 by an auto-exposed webcam), optionally blurred, glared, or partly
covered by a thumb. Face scenes place a portrait photograph onto a room-like background with a
soft edge; a bystander is a much smaller, slightly defocused face further back.

Everything is deterministic given the ``rng``/``seed`` arguments. Pure functions, no shared state;
safe from any thread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = [
    "CARD_ASPECT",
    "CardPose",
    "add_glare",
    "add_thumb",
    "card_corners",
    "card_shape_mask",
    "compose_card_scene",
    "compose_face_scene",
    "defocus",
    "desk_background",
    "fallback_card",
    "load_card",
    "room_background",
    "specimen_card",
]

CARD_ASPECT = 85.6 / 54.0


def fallback_card(portrait_bgr: np.ndarray | None = None, width: int = 1012) -> np.ndarray:
    """A plain stand-in for the portrait side of a resident ID card (ID-1 proportions).

    Light patterned background, dark "text" lines on the left, the portrait on the right. Used
    only when :mod:`kiosk.core.specimen` is not available.
    """
    h = round(width / CARD_ASPECT)
    yy, xx = np.mgrid[0:h, 0:width].astype(np.float32)
    base = np.empty((h, width, 3), np.float32)
    wave = 6.0 * np.sin(xx / 23.0) * np.cos(yy / 31.0)
    base[..., 0] = 238 + wave
    base[..., 1] = 232 + wave - 10.0 * yy / h
    base[..., 2] = 220 + wave
    card = np.clip(base, 0, 255).astype(np.uint8)
    s = width / 1012.0
    for i, n in enumerate((3, 1, 1, 2, 8, 6)):
        y = round((70 + i * 75) * s)
        x0 = round(60 * s)
        cv2.putText(card, "X" * n, (x0, y), cv2.FONT_HERSHEY_SIMPLEX, 1.1 * s, (50, 40, 40), max(1, round(2 * s)))
        cv2.line(
            card,
            (round(200 * s), y - round(10 * s)),
            (round(560 * s), y - round(10 * s)),
            (60, 50, 50),
            max(1, round(5 * s)),
        )
    cv2.putText(
        card,
        "123456 19900101 1234",
        (round(60 * s), round(580 * s)),
        cv2.FONT_HERSHEY_SIMPLEX,
        1.2 * s,
        (30, 30, 30),
        max(1, round(3 * s)),
    )
    if portrait_bgr is not None:
        px0, py0, pw, ph = round(640 * s), round(80 * s), round(300 * s), round(380 * s)
        card[py0 : py0 + ph, px0 : px0 + pw] = _cover(portrait_bgr, pw, ph)
    return card


def specimen_card(portrait_bgr: np.ndarray) -> np.ndarray:
    """Render a card with :func:`kiosk.core.specimen.render_specimen` if it exists, else the stand-in."""
    try:
        from kiosk.core import specimen  # owned by the emulator author; may not exist yet
    except ImportError:
        return fallback_card(portrait_bgr)
    person = specimen.Person(
        name="张三",
        id_number="11010519491231002X",
        sex="女",
        nation="汉",
        birth="1949/12/31",
        address="北京市朝阳区示例路1号",
    )
    return np.ascontiguousarray(specimen.render_specimen(person, portrait_bgr))


def load_card(portrait_bgr: np.ndarray) -> np.ndarray:
    """Alias of :func:`specimen_card` (kept for readability in scripts)."""
    return specimen_card(portrait_bgr)


def card_shape_mask(card_bgr: np.ndarray) -> np.ndarray:
    """The card's outline mask (255 inside): the specimen's rounded corners when the image is
    the specimen's size, else the whole rectangle."""
    h, w = card_bgr.shape[:2]
    try:
        from kiosk.core import specimen

        if (w, h) == tuple(specimen.CARD_SIZE):
            return specimen.card_mask()
    except ImportError:
        pass
    return np.full((h, w), 255, np.uint8)


def _cover(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """Resize-and-crop ``img`` to exactly (w, h), keeping the centre."""
    ih, iw = img.shape[:2]
    s = max(w / iw, h / ih)
    r = cv2.resize(img, (max(w, round(iw * s)), max(h, round(ih * s))), interpolation=cv2.INTER_AREA)
    y0 = (r.shape[0] - h) // 2
    x0 = (r.shape[1] - w) // 2
    return r[y0 : y0 + h, x0 : x0 + w].copy()


def desk_background(w: int = 1280, h: int = 720, *, seed: int = 0, kind: str = "wood") -> np.ndarray:
    """A procedural desk surface: ``wood`` (brown grain), ``dark`` or ``light`` (grey laminate) or
    ``cloth``."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "wood":
        freq = rng.uniform(0.02, 0.05)
        grain = np.sin(yy * freq + 3.0 * np.sin(xx / rng.uniform(150, 300)) + rng.uniform(0, 6))
        v = 0.5 + 0.25 * grain
        col = np.array(rng.choice([[40, 75, 120], [35, 60, 95], [60, 95, 140]]), np.float32)
    elif kind == "dark":
        v = np.full((h, w), 0.5, np.float32)
        col = np.array([70, 72, 75], np.float32)
    elif kind == "light":  # pale laminate, about as bright as the card itself
        v = np.full((h, w), 0.5, np.float32)
        col = np.array([172, 176, 178], np.float32)
    else:
        v = 0.5 + 0.1 * np.sin(xx / 3.0) * np.sin(yy / 3.0)
        col = np.array(rng.choice([[110, 60, 40], [60, 90, 60], [90, 90, 100]]), np.float32)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 2.0)
    light = 0.8 + 0.35 * np.exp(-(((xx - w * rng.uniform(0.3, 0.7)) / w) ** 2 + ((yy - h * 0.3) / h) ** 2) * 2)
    img = (col[None, None, :] * (0.6 + 0.8 * v)[..., None] + 6.0 * noise[..., None]) * light[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def room_background(w: int = 1280, h: int = 720, *, seed: int = 0) -> np.ndarray:
    """A soft, defocused indoor background (wall gradient, a door and a shelf shape, mild noise)."""
    rng = np.random.default_rng(seed)
    sw, sh = max(8, w // 4), max(8, h // 4)  # drawn small and defocused, then scaled up (fast)
    yy = np.mgrid[0:sh, 0:sw][0].astype(np.float32)
    wall = np.array(rng.choice([[185, 195, 200], [160, 175, 190], [200, 200, 195]]), np.float32)
    img = wall[None, None, :] * (0.75 + 0.25 * (1 - yy / sh))[..., None]
    x0 = int(rng.uniform(0.05, 0.25) * sw)
    cv2.rectangle(img, (x0, int(0.1 * sh)), (x0 + int(0.15 * sw), sh), (90, 110, 130), -1)
    x1 = int(rng.uniform(0.7, 0.85) * sw)
    cv2.rectangle(img, (x1, int(0.25 * sh)), (x1 + int(0.12 * sw), int(0.7 * sh)), (60, 80, 90), -1)
    img = cv2.resize(cv2.GaussianBlur(img, (0, 0), 1.5), (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0, 255).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class CardPose:
    """Where a card lies in the frame.

    ``center`` in pixels, ``width`` of the card's long side in pixels, ``angle`` in-plane rotation
    in degrees, ``tilt_x``/``tilt_y`` out-of-plane tilt in degrees (perspective foreshortening).
    """

    center: tuple[float, float]
    width: float
    angle: float = 0.0
    tilt_x: float = 0.0
    tilt_y: float = 0.0


def card_corners(pose: CardPose) -> np.ndarray:
    """The four image corners (TL, TR, BR, BL) of a card at ``pose``; float32 (4, 2)."""
    w = pose.width
    h = w / CARD_ASPECT
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]], np.float64)
    ax, ay, az = (math.radians(v) for v in (pose.tilt_x, pose.tilt_y, pose.angle))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    p = pts @ (rz @ ry @ rx).T
    f = 1400.0  # focal length in pixels, a typical 720p webcam
    z = f + p[:, 2]
    out = np.stack([pose.center[0] + f * p[:, 0] / z, pose.center[1] + f * p[:, 1] / z], axis=1)
    return out.astype(np.float32)


def compose_card_scene(
    card_bgr: np.ndarray,
    background: np.ndarray,
    corners: np.ndarray,
    *,
    gain: float = 0.86,
    rng: np.random.Generator | None = None,
    noise: float = 2.0,
) -> np.ndarray:
    """Warp ``card_bgr`` onto a copy of ``background`` at ``corners`` (TL, TR, BR, BL).

    ``gain`` is the exposure of the card's white (0.86 puts paper white near 220), with a mild
    lighting gradient; sensor noise of ``noise`` grey levels is added to the whole frame.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    h, w = background.shape[:2]
    ch, cw = card_bgr.shape[:2]
    src = np.array([[0, 0], [cw - 1, 0], [cw - 1, ch - 1], [0, ch - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, np.asarray(corners, np.float32))
    lit = card_bgr.astype(np.float32) * gain
    grad = np.linspace(1.0, rng.uniform(0.9, 1.0), cw, dtype=np.float32)[None, :, None]
    lit = np.clip(lit * grad, 0, 255).astype(np.uint8)
    warped = cv2.warpPerspective(lit, m, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(card_shape_mask(card_bgr), m, (w, h), flags=cv2.INTER_LINEAR)
    # soft shadow under the card
    shifted = cv2.warpAffine(mask, np.float32([[1, 0, 6], [0, 1, 6]]), (w, h))
    shadow = cv2.GaussianBlur(shifted, (0, 0), 6).astype(np.float32) / 255.0
    out = background.astype(np.float32) * (1.0 - 0.35 * shadow)[..., None]
    a = mask.astype(np.float32)[..., None] / 255.0
    out = out * (1 - a) + warped.astype(np.float32) * a
    if noise > 0:
        out += rng.normal(0, noise, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def add_glare(img: np.ndarray, center: tuple[float, float], radius: float, *, strength: float = 1.0) -> np.ndarray:
    """A specular highlight: a white, clipped, soft-edged blob (as from a ceiling light)."""
    out = img.copy()
    h, w = img.shape[:2]
    r3 = int(3 * radius) + 1
    x0, y0 = max(0, int(center[0]) - r3), max(0, int(center[1]) - r3)
    x1, y1 = min(w, int(center[0]) + r3), min(h, int(center[1]) + r3)
    if x1 <= x0 or y1 <= y0:
        return out
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d2 = ((xx - center[0]) ** 2 + (yy - center[1]) ** 2 * 2.0) / (radius**2)
    a = np.clip(1.6 * np.exp(-d2) * strength, 0, 1)[..., None]
    roi = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(roi * (1 - a) + 255.0 * a, 0, 255).astype(np.uint8)
    return out


def add_thumb(img: np.ndarray, corners: np.ndarray, *, side: str = "bottom") -> np.ndarray:
    """A skin-coloured thumb over the middle of one card edge (holding the card, corners visible)."""
    out = img.copy()
    c = np.asarray(corners, np.float32)
    if side == "bottom":
        p, q = c[3], c[2]
    else:
        p, q = c[0], c[3]
    mid = (p + q) / 2.0
    edge = q - p
    length = float(np.hypot(*edge))
    ang = math.degrees(math.atan2(edge[1], edge[0]))
    center = (int(mid[0]), int(mid[1] + 0.02 * length)) if side == "bottom" else (int(mid[0]), int(mid[1]))
    axes = (max(4, int(0.09 * length)), max(4, int(0.16 * length)))
    cv2.ellipse(out, center, axes, ang + 90, 0, 360, (120, 150, 200), -1, cv2.LINE_AA)
    return out


def defocus(img: np.ndarray, sigma: float) -> np.ndarray:
    """Out-of-focus blur (Gaussian of ``sigma`` pixels); identity for sigma <= 0."""
    if sigma <= 0:
        return img
    return cv2.GaussianBlur(img, (0, 0), sigma)


def _paste_soft(dst: np.ndarray, src: np.ndarray, x: int, y: int, feather: float) -> None:
    """Alpha-paste ``src`` at (x, y) with an elliptical soft mask; clips at the borders."""
    h, w = src.shape[:2]
    H, W = dst.shape[:2]
    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (w // 2, h // 2), (int(w * 0.48), int(h * 0.52)), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, feather * min(w, h)))
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    s = src[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
    a = mask[y0 - y : y1 - y, x0 - x : x1 - x, None]
    d = dst[y0:y1, x0:x1].astype(np.float32)
    dst[y0:y1, x0:x1] = np.clip(d * (1 - a) + s * a, 0, 255).astype(np.uint8)


def compose_face_scene(
    portrait_bgr: np.ndarray,
    background: np.ndarray,
    *,
    height_frac: float = 0.95,
    center: tuple[float, float] = (0.5, 0.55),
    bystanders: Sequence[tuple[np.ndarray, float, tuple[float, float]]] = (),
    rng: np.random.Generator | None = None,
    noise: float = 2.0,
) -> np.ndarray:
    """Place a portrait photo (scaled to ``height_frac`` of the frame height, centred at
    ``center`` in frame fractions) onto ``background``.

    ``bystanders`` are drawn first (behind): (photo, height fraction, centre) each, defocused a
    little as a person further from the camera would be.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    out = background.copy()
    H, W = out.shape[:2]
    for photo, hf, (cx, cy) in bystanders:
        ph = max(8, int(H * hf))
        pw = max(8, int(photo.shape[1] * ph / photo.shape[0]))
        small = defocus(cv2.resize(photo, (pw, ph), interpolation=cv2.INTER_AREA), 0.6)
        _paste_soft(out, small, int(cx * W - pw / 2), int(cy * H - ph / 2), 0.06)
    ph = max(8, int(H * height_frac))
    pw = max(8, int(portrait_bgr.shape[1] * ph / portrait_bgr.shape[0]))
    interp = cv2.INTER_AREA if ph < portrait_bgr.shape[0] else cv2.INTER_CUBIC
    main = cv2.resize(portrait_bgr, (pw, ph), interpolation=interp)
    _paste_soft(out, main, int(center[0] * W - pw / 2), int(center[1] * H - ph / 2), 0.05)
    if noise > 0:
        out = np.clip(out.astype(np.float32) + rng.normal(0, noise, out.shape).astype(np.float32), 0, 255)
        out = out.astype(np.uint8)
    return out
