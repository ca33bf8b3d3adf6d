"""The manual "take photo now" capture keeps the basic checks (real VisionPipeline, real images)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kiosk.core import specimen
from kiosk.core.vision import degrade, synth
from kiosk.core.vision.detector import FaceDetector
from kiosk.ui.frame_analysis import VisionPipeline

PHOTO = Path(__file__).resolve().parents[1] / "assets" / "real" / "interfaces_001.jpg"


def _portrait() -> np.ndarray:
    img = cv2.imread(str(PHOTO), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def test_manual_card_capture_needs_a_card() -> None:
    p = VisionPipeline()
    p.set_stage("card")
    desk = synth.desk_background(seed=3, kind="wood")
    assert p.manual_capture(desk, p.assess(desk, "card")) is None  # "no card": nothing is sent
    photo = _portrait()
    card = synth.specimen_card(specimen.id_photo(photo, FaceDetector().detect(photo)[0].box))
    q = synth.card_corners(synth.CardPose((640, 360), 700, 2, 0, 0))
    frame = synth.compose_card_scene(card, desk, q)
    soft = degrade.defocus_disk(frame, 4)  # a little soft: the finer checks are waived, not the card
    a = p.assess(soft, "card")
    assert a.quad is not None
    cap = p.manual_capture(soft, a)
    assert cap is not None and cap.image.shape[:2] == (676, 1072) and cap.jpeg[:2] == b"\xff\xd8"


def test_manual_face_capture_needs_exactly_one_face() -> None:
    p = VisionPipeline()
    p.set_stage("face")
    room = synth.room_background(seed=2)
    assert p.manual_capture(room, p.assess(room, "face")) is None
    photo = _portrait()
    two = synth.compose_face_scene(
        photo, room, height_frac=0.8, center=(0.3, 0.5), bystanders=[(photo, 0.8, (0.72, 0.5))]
    )
    a = p.assess(two, "face")
    assert "multiple_faces" in a.problems and p.manual_capture(two, a) is None
    one = synth.compose_face_scene(photo, room, height_frac=1.0, center=(0.5, 0.5))
    cap = p.manual_capture(one, p.assess(one, "face"))
    assert cap is not None and cap.stage == "face"
