"""Realistic camera degradations for the evaluation and the tests.

Each function models one thing a real webcam does to a picture, with its size given in pixels
or relative to what it lands on, so a label can be derived from how an image was made:

* :func:`defocus_disk`: out-of-focus blur, a uniform disk (the lens aperture), not a Gaussian;
* :func:`motion_blur`: a straight motion streak of ``length`` px at ``angle`` degrees;
* :func:`expose`: a gain on linear light (gamma 2.2) plus shot/read noise, then clipping, as an
  under- or over-exposed sensor records it;
* :func:`webcam_jpeg`: the chroma subsampling and blocking of a low-quality JPEG stream;
* :func:`specular_glare`: a compact saturated highlight with a soft fall-off (a ceiling light on
  a laminated card).

Pure functions returning new arrays; safe from any thread.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["defocus_disk", "expose", "motion_blur", "specular_glare", "webcam_jpeg"]


def defocus_disk(img: np.ndarray, radius: float) -> np.ndarray:
    """Blur with a uniform disk of ``radius`` px (anti-aliased edge); identity below 0.5 px."""
    if radius < 0.5:
        return img.copy()
    r = math.ceil(radius)
    size = 2 * r + 1
    k = np.zeros((size * 4, size * 4), np.float32)
    cv2.circle(k, (size * 2, size * 2), round(radius * 4), 1.0, -1, cv2.LINE_AA)
    k = cv2.resize(k, (size, size), interpolation=cv2.INTER_AREA)
    k /= max(1e-6, float(k.sum()))
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)


def motion_blur(img: np.ndarray, length: float, angle: float = 0.0) -> np.ndarray:
    """A linear motion streak of ``length`` px at ``angle`` degrees (0 = horizontal)."""
    if length < 1.0:
        return img.copy()
    size = math.ceil(length) | 1
    k = np.zeros((size * 4, size * 4), np.float32)
    c = size * 2
    dx, dy = math.cos(math.radians(angle)) * length * 2, math.sin(math.radians(angle)) * length * 2
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 4, cv2.LINE_AA)
    k = cv2.resize(k, (size, size), interpolation=cv2.INTER_AREA)
    k /= max(1e-6, float(k.sum()))
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)


def expose(img: np.ndarray, gain: float, rng: np.random.Generator, *, noise: float = 2.0) -> np.ndarray:
    """Scale linear light by ``gain`` and add sensor noise (grey levels at mid-grey; shot noise
    grows with the signal, read noise is fixed), then clip to 8 bits.

    A dim scene that the auto-exposure could not lift (``gain`` < 1) comes out dark and noisy;
    ``gain`` > 1 saturates the highlights.
    """
    lin = (img.astype(np.float32) / 255.0) ** 2.2 * gain
    out = np.clip(lin, 0, 1) ** (1 / 2.2) * 255.0
    sd = noise * (0.5 + 0.5 * np.sqrt(np.clip(out / 128.0, 0, 4)))
    out = out + rng.normal(0, 1, out.shape).astype(np.float32) * sd
    return np.clip(out, 0, 255).astype(np.uint8)


def webcam_jpeg(img: np.ndarray, quality: int = 70) -> np.ndarray:
    """Encode and decode as a webcam's MJPEG stream would (4:2:0, given quality)."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        return img.copy()
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def specular_glare(
    img: np.ndarray, center: tuple[float, float], radius: float, *, elongation: float = 1.6, angle: float = 0.0
) -> np.ndarray:
    """A specular highlight centred at ``center``: a saturated core of about ``radius`` px that
    washes out what is under it, falling off softly over about two more radii.

    ``elongation`` stretches it along ``angle`` (a tube light's reflection is elongated).
    """
    out = img.astype(np.float32)
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    u = ((xx - center[0]) * ca + (yy - center[1]) * sa) / (radius * elongation)
    v = (-(xx - center[0]) * sa + (yy - center[1]) * ca) / radius
    d2 = u * u + v * v
    # 1 inside the core, a Gaussian tail outside
    a = np.clip(np.exp(-np.maximum(d2 - 1.0, 0.0) / 1.8), 0, 1)
    a = a[..., None] if img.ndim == 3 else a
    out = out * (1 - a) + 255.0 * a
    return np.clip(out, 0, 255).astype(np.uint8)
