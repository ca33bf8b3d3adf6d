"""Image helpers shared by the emulator tests (compositing cards into scenes, re-shooting faces) and
the matcher tests' template and similarity tables."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import cv2
import numpy as np

from kiosk.core.specimen import (
    CARD_SIZE,
    PORTRAIT_BOX,
    Person,
    card_mask,
    id_photo,
    render_specimen,
)
from kiosk.core.specimen_reading import locate_specimen, rectify_card
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


#: the fictional holder of the specimen cards the matcher tests print portraits on
CARD_PERSON = Person("林晓雨", "310104198605190426", "女", "汉", "1986/05/19", "上海市徐汇区漕溪北路88号")


def card_portrait(
    img: np.ndarray, box: tuple[int, int, int, int], *, width: int, angle: float
) -> tuple[np.ndarray, np.ndarray]:
    """The face at ``box`` in ``img`` printed on a specimen card, the card photographed (``width``
    px wide, turned ``angle`` deg, JPEG 70) and its portrait cut back out: (portrait, photo)."""
    card = render_specimen(CARD_PERSON, id_photo(img, box))
    photo = jpeg(composite(card, width=width, angle=angle)[0], 70)
    reading = locate_specimen(photo)
    assert reading is not None
    x, y, pw, ph = PORTRAIT_BOX
    return rectify_card(photo, reading)[y : y + ph, x : x + pw], photo


def matcher_templates(
    m: Any,
    names: Iterable[str],
    load: Callable[[str], np.ndarray],
    variants: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``m``'s template of each named photo, and of each of its ``variants``: (refs, variants)."""
    refs: dict[str, Any] = {}
    var_templates: dict[str, dict[str, Any]] = {}
    for name in names:
        img = load(name).copy()
        ref = m.template(img)
        assert ref is not None, name
        refs[name] = ref
        var_templates[name] = {}
        for key, var in variants(img).items():
            t = m.template(var)
            assert t is not None, (name, key)
            var_templates[name][key] = t
    return refs, var_templates


def same_person_sims(m: Any, refs: dict[str, Any], variants: dict[str, dict[str, Any]]) -> dict[tuple[str, str], float]:
    """Sim of each photo's reference against each of its own variants; prints the lowest."""
    sims = {(n, k): m.compare(refs[n], t) for n in refs for k, t in variants[n].items()}
    worst = min(sims, key=sims.__getitem__)
    print(f"\nsame-person min Sim {sims[worst]:.2f} at {worst}")
    return sims


def different_person_sims(
    m: Any, refs: dict[str, Any], variants: dict[str, dict[str, Any]]
) -> dict[tuple[str, str, str], float]:
    """Sim of each photo's reference against every other photo and its variants; prints the highest."""
    sims = {}
    for a, b in itertools.permutations(refs, 2):
        sims[(a, b, "reference")] = m.compare(refs[a], refs[b])
        for key, t in variants[b].items():
            sims[(a, b, key)] = m.compare(refs[a], t)
    worst = max(sims, key=sims.__getitem__)
    print(f"\ndifferent-person max Sim {sims[worst]:.2f} at {worst}")
    return sims
