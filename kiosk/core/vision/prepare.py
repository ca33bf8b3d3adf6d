"""Prepare a still image (a file) for upload exactly as a live capture would be prepared.

Used by ``kiosk verify``: decode the file, run the same checks as the camera path
(:func:`~kiosk.core.vision.quality.assess`), cut the same upload image as a live capture
(:func:`~kiosk.core.vision.capture.upload_image`), encode within the upload budget and
re-check the decoded JPEG. Any problem raises :class:`PrepareError` with the stable problem codes,
so nothing is sent for an image the service would reject.

Pure functions; thread-safe (the detector is per thread inside ``assess``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.core.vision.capture import upload_image
from kiosk.core.vision.encoding import EncodedImage, EncodingError, encode_checked
from kiosk.core.vision.imageio import DEFAULT_MAX_BYTES, ImageLoadError, load_image
from kiosk.core.vision.quality import STILL_THRESHOLDS, assess

__all__ = ["MAX_FILE_BYTES", "PrepareError", "decode_image_file", "prepare_image", "prepare_upload"]

#: refuse to decode anything larger (a camera still is a few MB at most)
MAX_FILE_BYTES = DEFAULT_MAX_BYTES


class PrepareError(ValueError):
    """The image cannot be uploaded; ``problems`` are stable problem codes (design.md)."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        self.problems = problems or ("unreadable_image",)
        super().__init__(", ".join(self.problems))


def decode_image_file(path: Path, max_pixels: int | None = None) -> np.ndarray:
    """Decode a JPEG/PNG/BMP/WebP/TIFF file to BGR through :func:`~kiosk.core.vision.imageio.load_image`
    (size and pixel limits checked before decoding); raises PrepareError(("unreadable_image",))
    for a missing, corrupt, unsupported or too large file (``__cause__`` says which)."""
    try:
        return load_image(path, max_pixels=max_pixels, max_bytes=MAX_FILE_BYTES)
    except ImageLoadError as exc:
        raise PrepareError(("unreadable_image",)) from exc


def prepare_image(image: np.ndarray, kind: str) -> EncodedImage:
    """Check, (rectify,) encode and re-check one decoded image of ``kind`` ("card" or "face")."""
    assessment = assess(image, kind, thresholds=STILL_THRESHOLDS)  # a still photo: no on-screen oval
    if not assessment.ok:
        raise PrepareError(assessment.problems)
    image = upload_image(image, assessment)  # the same crop a live capture uploads
    try:
        encoded, _checked = encode_checked(image, kind, thresholds=STILL_THRESHOLDS)
    except EncodingError as exc:
        problems = tuple(p for p in str(exc).rpartition(": ")[2].split(", ") if p and " " not in p)
        raise PrepareError(problems or ("unreadable_image",)) from None
    return encoded


def prepare_upload(path: Path, kind: str, max_pixels: int | None = None) -> EncodedImage:
    """:func:`decode_image_file` then :func:`prepare_image`."""
    return prepare_image(decode_image_file(path, max_pixels), kind)
