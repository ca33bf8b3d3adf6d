"""More scene synthesis for the evaluation and the tests: the back of the card, fingers holding
a card, a palm behind it, a flatbed scanner bed.

Complements :mod:`kiosk.core.vision.synth` (desks, rooms, the card's portrait side). The back
is drawn as the resident ID card's national-emblem side looks: a red and gold emblem-like
motif at the top left, "中华人民共和国 / 居民身份证" beside it, the issuing authority and the
validity period at the bottom, on the same pale guilloche as the front. It carries no portrait,
which is what the ``card_wrong_side`` check relies on.

Pure functions (deterministic for a given ``rng``/seed); safe from any thread.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.core import specimen

__all__ = ["add_fingers", "palm_background", "render_card_back", "scanner_bed", "skin_tone"]

_RED = (38, 30, 200)
_GOLD = (40, 190, 235)


def _text(
    img: np.ndarray, text: str, org: tuple[int, int], color: tuple[int, int, int], size: int, weight: int
) -> None:
    cv2.putText(img, text, org, color, cv2.FontFace("sans"), size, weight)


def _star(img: np.ndarray, c: tuple[float, float], r: float, color: tuple[int, int, int], rot: float = -90.0) -> None:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else 0.4 * r
        a = math.radians(rot + 36 * k)
        pts.append((c[0] + rr * math.cos(a), c[1] + rr * math.sin(a)))
    cv2.fillPoly(img, [np.round(np.array(pts)).astype(np.int32)], color, cv2.LINE_AA)


def _emblem(img: np.ndarray, cx: int, cy: int, r: int) -> None:
    """An emblem-like motif: a red disc in a gold ring of rays, five gold stars, a gold gate
    shape and a cogwheel base (a plausible stand-in, not the real emblem)."""
    for k in range(36):  # the ring of rays (wheat-ear stand-in)
        a = math.radians(10 * k)
        p = (cx + 1.05 * r * math.cos(a), cy + 1.05 * r * math.sin(a))
        cv2.ellipse(img, (round(p[0]), round(p[1])), (max(2, r // 7), max(1, r // 16)), 10 * k + 90, 0, 360, _GOLD, -1)
    cv2.circle(img, (cx, cy), r, _GOLD, -1, cv2.LINE_AA)
    cv2.circle(img, (cx, cy), round(0.86 * r), _RED, -1, cv2.LINE_AA)
    _star(img, (cx, cy - 0.45 * r), 0.22 * r, _GOLD)
    for k in range(4):
        a = math.radians(-150 + 40 * k)
        _star(
            img, (cx + 0.5 * r * math.cos(a) * 0.9, cy - 0.45 * r + 0.35 * r * math.sin(a) + 0.1 * r), 0.08 * r, _GOLD
        )
    # gate: a roof and a base
    x0, x1 = cx - round(0.5 * r), cx + round(0.5 * r)
    cv2.rectangle(img, (x0, cy + round(0.05 * r)), (x1, cy + round(0.38 * r)), _GOLD, -1)
    cv2.fillPoly(
        img,
        [
            np.array(
                [[x0 - r // 8, cy + round(0.05 * r)], [cx, cy - round(0.12 * r)], [x1 + r // 8, cy + round(0.05 * r)]]
            )
        ],
        _GOLD,
        cv2.LINE_AA,
    )
    for k in range(3):
        gx = cx + round((k - 1) * 0.3 * r)
        cv2.rectangle(img, (gx - r // 14, cy + round(0.16 * r)), (gx + r // 14, cy + round(0.38 * r)), _RED, -1)
    cv2.circle(img, (cx, cy + round(0.72 * r)), round(0.2 * r), _GOLD, -1, cv2.LINE_AA)


def render_card_back(
    authority: str = "北京市公安局朝阳分局", validity: str = "2016.05.12-2036.05.12", *, variant: int = 0
) -> np.ndarray:
    """The national-emblem side of a resident ID card at the specimen's size (1012 x 638 BGR),
    white outside the rounded corners like :func:`kiosk.core.specimen.render_specimen`.

    ``variant`` shifts the layout slightly (emblem size, text position) so that a set of backs is
    not one picture.
    """
    card = specimen._background().copy()  # the same guilloche as the portrait side
    r = 92 + 6 * (variant % 3)
    _emblem(card, 150 + 4 * (variant % 4), 150 + 3 * (variant % 3), r)
    _text(card, "中华人民共和国", (300, 120 + 2 * (variant % 3)), (30, 30, 30), 56, 700)
    _text(card, "居民身份证", (320, 240 + 2 * (variant % 3)), (30, 30, 30), 84, 700)
    _text(card, "签发机关", (160, 470), (40, 40, 40), 30, 400)
    _text(card, authority, (330, 472), (25, 25, 25), 32, 500)
    _text(card, "有效期限", (160, 550), (40, 40, 40), 30, 400)
    _text(card, validity, (330, 552), (25, 25, 25), 32, 500)
    _text(card, "样本 SPECIMEN", (700, 620), (170, 170, 235), 26, 700)
    mask = specimen.card_mask()
    card[mask == 0] = 255
    edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    card[(edge > 0) & (mask > 0)] = (190, 190, 190)
    return card


def skin_tone(rng: np.random.Generator) -> np.ndarray:
    """A plausible BGR skin colour (light to dark), float32 (3,)."""
    tones = np.array(
        [[150, 175, 225], [125, 155, 205], [100, 135, 185], [80, 110, 160], [55, 80, 120], [40, 60, 95]], np.float32
    )
    i = rng.uniform(0, len(tones) - 1)
    lo = int(i)
    f = i - lo
    return tones[lo] * (1 - f) + tones[min(lo + 1, len(tones) - 1)] * f


def palm_background(w: int, h: int, tone: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A palm filling the frame behind a held card: skin of ``tone`` with soft shading, creases
    and out-of-focus surroundings at the frame's edges."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.4, 0.6), h * rng.uniform(0.45, 0.6)
    d = np.hypot((xx - cx) / (0.55 * w), (yy - cy) / (0.75 * h))
    shade = 1.05 - 0.35 * d**2
    img = tone[None, None, :] * shade[..., None]
    creases = np.zeros((h, w), np.float32)
    for _ in range(4):
        p0 = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        p1 = (int(p0[0] + rng.uniform(-0.4, 0.4) * w), int(p0[1] + rng.uniform(-0.3, 0.3) * h))
        cv2.line(creases, p0, p1, 0.5, max(2, w // 200), cv2.LINE_AA)
    creases = cv2.GaussianBlur(creases, (0, 0), 3)
    img *= (1 - 0.18 * creases)[..., None]
    outside = np.clip((d - 1.0) * 3, 0, 1)[..., None]
    room = np.array(rng.choice([[70, 70, 75], [150, 160, 170], [60, 90, 120]]), np.float32)
    img = img * (1 - outside) + room * outside
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 1.5)
    img += 4.0 * noise[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _finger(img: np.ndarray, base: np.ndarray, tip: np.ndarray, width: float, tone: np.ndarray) -> None:
    """One finger from ``base`` to ``tip`` (pixels): a shaded capsule with a nail near the tip."""
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.float32)
    p0, p1 = tuple(np.round(base).astype(int)), tuple(np.round(tip).astype(int))
    cv2.line(mask, p0, p1, 1.0, max(2, round(width)), cv2.LINE_AA)
    cv2.circle(mask, p1, max(1, round(width / 2)), 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.8, width / 10))
    # shading across the finger: darker at its sides
    dist = cv2.distanceTransform((mask > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    shade = 0.72 + 0.38 * np.clip(dist / max(1.0, width / 2), 0, 1)
    col = tone[None, None, :] * shade[..., None]
    d = tip - base
    n = d / max(1e-6, float(np.hypot(*d)))
    nail_c = tip - n * 0.45 * width
    nail = np.zeros((h, w), np.float32)
    ang = math.degrees(math.atan2(n[1], n[0]))
    cv2.ellipse(
        nail,
        tuple(np.round(nail_c).astype(int)),
        (max(1, round(0.4 * width)), max(1, round(0.3 * width))),
        ang,
        0,
        360,
        1.0,
        -1,
        cv2.LINE_AA,
    )
    col = col * (1 - 0.25 * nail[..., None]) + (tone * 0.9 + 30)[None, None, :] * (0.25 * nail[..., None])
    a = mask[..., None]
    img[:] = np.clip(img.astype(np.float32) * (1 - a) + col * a, 0, 255).astype(np.uint8)


def add_fingers(
    img: np.ndarray, corners: np.ndarray, rng: np.random.Generator, *, tone: np.ndarray | None = None, count: int = 3
) -> np.ndarray:
    """Fingers over the card's edges as a hand holds it: a thumb over one long edge and
    ``count - 1`` fingers over another edge or corner, each covering 8-22 % of the card's height
    inward. ``corners`` are the card's TL, TR, BR, BL in image pixels. A new array."""
    out = img.copy()
    c = np.asarray(corners, np.float64)
    tone = tone if tone is not None else skin_tone(rng)
    card_h = float(np.hypot(*(c[3] - c[0])))
    centre = c.mean(axis=0)
    edges = [(c[0], c[1]), (c[1], c[2]), (c[2], c[3]), (c[3], c[0])]
    first = int(rng.choice([0, 2]))  # the thumb over a long edge
    chosen = [first] + [int(rng.choice([1, 3, (first + 2) % 4])) for _ in range(max(0, count - 1))]
    for k, e in enumerate(chosen):
        p, q = edges[e]
        t = rng.uniform(0.2, 0.8)
        on_edge = p + (q - p) * t
        inward = centre - on_edge
        inward /= max(1e-6, float(np.hypot(*inward)))
        width = card_h * (rng.uniform(0.16, 0.22) if k == 0 else rng.uniform(0.12, 0.17))
        depth = card_h * rng.uniform(0.08, 0.22)
        tip = on_edge + inward * depth
        base = on_edge - inward * card_h * 0.45
        _finger(out, base, tip, width, tone)
    return out


def scanner_bed(card_bgr: np.ndarray, rng: np.random.Generator, *, dpi_scale: float = 1.0) -> np.ndarray:
    """A flatbed scan of a card: the card slightly rotated on a near-white bed with a margin,
    evenly lit (no shading, no glare), at ``dpi_scale`` times the card image's size."""
    ch, cw = card_bgr.shape[:2]
    cw2, ch2 = round(cw * dpi_scale), round(ch * dpi_scale)
    card = cv2.resize(card_bgr, (cw2, ch2), interpolation=cv2.INTER_AREA if dpi_scale < 1 else cv2.INTER_LINEAR)
    mx, my = round(rng.uniform(0.08, 0.25) * cw2), round(rng.uniform(0.1, 0.3) * ch2)
    W, H = cw2 + 2 * mx, ch2 + 2 * my
    bed_level = rng.uniform(238, 252)
    out = np.full((H, W, 3), bed_level, np.float32)
    ang = rng.uniform(-2.5, 2.5)
    m = cv2.getRotationMatrix2D((cw2 / 2, ch2 / 2), ang, 1.0)
    m[:, 2] += (mx, my)
    mask = specimen.card_mask() if (cw, ch) == tuple(specimen.CARD_SIZE) else np.full((ch, cw), 255, np.uint8)
    mask = cv2.resize(mask, (cw2, ch2), interpolation=cv2.INTER_LINEAR)
    warped = cv2.warpAffine(card, m, (W, H), flags=cv2.INTER_LINEAR)
    a = cv2.warpAffine(mask, m, (W, H), flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255.0
    # a scanner's light sits at the card's edge: a faint grey outline where the card's thickness shows
    edge = cv2.morphologyEx((a[..., 0] > 0.5).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    out[edge > 0] *= 0.85
    out = out * (1 - a) + warped.astype(np.float32) * a
    out += rng.normal(0, 1.2, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)
