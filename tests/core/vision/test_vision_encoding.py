"""Upload encoding: within budget, quality search, downscale, still passing after encoding."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.core.vision.card import rectify
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.encoding import BUDGETS, MAX_QUALITY, EncodingError, encode_checked, encode_for_upload
from kiosk.core.vision.quality import assess
from tests.core.vision.conftest import card_scene, face_scene


def test_face_frame_within_budget_and_still_passes(detector: FaceDetector, woman: np.ndarray) -> None:
    frame = face_scene(woman)
    enc, a = encode_checked(frame, "face", detector=detector)
    assert len(enc.jpeg) <= BUDGETS["face"] == 150_000
    assert (enc.width, enc.height) == (1280, 720)
    assert a.ok
    assert enc.jpeg[:2] == b"\xff\xd8" and len(enc.base64()) <= 3 * 1024 * 1024


def test_card_crop_within_budget_and_still_passes(detector: FaceDetector, card_image: np.ndarray) -> None:
    frame, _ = card_scene(card_image)
    quad = assess(frame, "card", detector=detector).quad
    crop = rectify(frame, quad)
    enc, a = encode_checked(crop, "card", detector=detector)
    assert len(enc.jpeg) <= BUDGETS["card"] == 400_000
    assert a.ok and (enc.width, enc.height) == (1012, 638)


def test_quality_is_the_highest_that_fits(woman: np.ndarray) -> None:
    frame = face_scene(woman)
    enc = encode_for_upload(frame, "face")
    if enc.quality < MAX_QUALITY:
        _, above = cv2.imencode(
            ".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, enc.quality + 1, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
        )
        assert len(above.tobytes()) > BUDGETS["face"]


def test_tight_budget_downscales(woman: np.ndarray) -> None:
    frame = face_scene(woman)
    enc = encode_for_upload(frame, "face", budget=25_000)
    assert len(enc.jpeg) <= 25_000
    assert enc.width < 1280 and enc.width >= 640


def test_impossible_budget_raises(woman: np.ndarray) -> None:
    noise = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    with pytest.raises(EncodingError):
        encode_for_upload(noise, "face", budget=2_000)
    with pytest.raises(ValueError):
        encode_for_upload(noise, "passport")


def test_encoded_image_that_no_longer_passes_is_refused(detector: FaceDetector, woman: np.ndarray) -> None:
    # a face that only just passes before encoding: a 20 KB budget smears it into "blurry"
    frame = face_scene(woman)
    with pytest.raises(EncodingError, match="fails the prechecks"):
        encode_checked(cv2.GaussianBlur(frame, (0, 0), 1.6), "face", detector=detector, budget=12_000)
