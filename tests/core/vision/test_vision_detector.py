"""YuNet face detection: checksum at load, full-frame coordinates, landmarks, pose."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.core.vision.detector import MODEL_PATH, MODEL_SHA256, FaceDetector, ModelError, verify_model
from tests.core.vision.conftest import GOOD_FACES, load


def test_model_checksum_is_verified() -> None:
    assert verify_model() == MODEL_SHA256


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "yunet.onnx"
    shutil.copy(MODEL_PATH, bad)
    data = bytearray(bad.read_bytes())
    data[1000] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        FaceDetector(bad)
    with pytest.raises(ModelError, match="not readable"):
        FaceDetector(tmp_path / "missing.onnx")


@pytest.mark.parametrize("name", [*GOOD_FACES, "codait_bryan.png"])
def test_one_face_in_each_portrait(detector: FaceDetector, name: str) -> None:
    img = load(f"faces/{name}")
    faces = detector.detect(img)
    assert len(faces) == 1
    f = faces[0]
    x, y, w, h = f.box
    assert x >= 0 and y >= 0 and x + w <= img.shape[1] and y + h <= img.shape[0]
    # the five landmarks lie inside the (slightly grown) box; eyes above the mouth
    lm = f.landmarks
    assert lm.shape == (5, 2)
    assert (lm[:, 0] > x - 0.1 * w).all() and (lm[:, 0] < x + 1.1 * w).all()
    assert (lm[:, 1] > y - 0.1 * h).all() and (lm[:, 1] < y + 1.1 * h).all()
    assert max(lm[0, 1], lm[1, 1]) < min(lm[3, 1], lm[4, 1])
    assert lm[0, 0] < lm[1, 0]  # the subject's right eye is on the image's left


@pytest.mark.parametrize("name", ["chelsea_cat.png", "coffee.png"])
def test_no_face_in_negatives(detector: FaceDetector, name: str) -> None:
    assert detector.detect(load(f"negatives/{name}")) == []


def test_boxes_are_in_full_frame_coordinates(detector: FaceDetector, grace: np.ndarray) -> None:
    small = detector.detect(grace)[0]
    big_img = cv2.resize(grace, None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
    big = detector.detect(big_img)[0]
    assert big.box[2] == pytest.approx(2.5 * small.box[2], rel=0.1)
    assert big.center[0] == pytest.approx(2.5 * small.center[0], rel=0.05)
    np.testing.assert_allclose(big.landmarks, 2.5 * small.landmarks, atol=0.04 * big.box[2])


def test_large_close_up_face_is_found(detector: FaceDetector, woman: np.ndarray) -> None:
    # the face fills most of a 1280x720 frame: YuNet misses this at full resolution (MANIFEST)
    crop = woman[250:950, 150:850]
    frame = cv2.resize(crop, (1280, 720), interpolation=cv2.INTER_CUBIC)
    faces = detector.detect(frame)
    assert len(faces) == 1 and faces[0].box[2] > 500


def test_pose_frontal_and_rolled(detector: FaceDetector, grace: np.ndarray) -> None:
    yaw, roll = detector.detect(grace)[0].pose()
    assert abs(yaw) < 15 and abs(roll) < 5
    h, w = grace.shape[:2]
    rolled = cv2.warpAffine(
        grace, cv2.getRotationMatrix2D((w / 2, h / 2), 35, 1.0), (w, h), borderMode=cv2.BORDER_REFLECT
    )
    _, roll2 = detector.detect(rolled)[0].pose()
    assert abs(roll2) > 10
    flipped = detector.detect(cv2.flip(grace, 1))[0].pose()[0]
    assert np.sign(flipped) == -np.sign(yaw)


def test_pose_maths_on_known_landmarks() -> None:
    from kiosk.core.vision.detector import Face

    def face(nose_x: float, left_eye_y: float = 100.0) -> Face:
        lm = np.array([[80, 100], [120, left_eye_y], [nose_x, 125], [85, 150], [115, 150]], np.float32)
        return Face(box=(60, 70, 80, 100), landmarks=lm, score=0.9)

    assert face(100).pose() == pytest.approx((0.0, 0.0), abs=1e-6)
    assert face(110).pose()[0] == pytest.approx(30.0, abs=1e-4)  # nose halfway to the left eye
    assert face(130).pose()[0] == pytest.approx(90.0)  # beyond the eye: clamped to profile
    yaw, roll = face(100, left_eye_y=140).pose()  # eye line at 45 degrees
    assert roll == pytest.approx(45.0) and abs(yaw) < 25
