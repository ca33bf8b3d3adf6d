"""AutoCapture: steady run, sharpest frame, motion, debounced hints, reset."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from kiosk.core.vision import synth
from kiosk.core.vision.capture import AutoCapture, HintDebouncer, face_upload_crop
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.encoding import BUDGETS
from kiosk.core.vision.quality import assess
from tests.core.vision.conftest import card_scene, face_scene

DT = 1 / 30


@pytest.fixture(scope="module")
def face_frames(woman: np.ndarray) -> list[np.ndarray]:
    """Ten good, slightly different kiosk frames (a person holding still)."""
    return [face_scene(woman, seed=s, height_frac=1.0, center=(0.5 + 0.001 * s, 0.55)) for s in range(10)]


def test_hint_debounce_ignores_flicker_and_holds() -> None:
    d = HintDebouncer(delay=0.5, hold=1.0)
    t = 0.0
    # a problem that flickers for 0.3 s at a time is never shown
    for code in ["blurry"] * 9 + [None] * 9 + ["blurry"] * 9:
        assert d.update(code, t) is None
        t += DT
    # a persistent one is shown after 0.5 s, not before
    start = t
    shown_at = None
    while shown_at is None:
        if d.update("glare", t) == "glare":
            shown_at = t
        t += DT
    assert 0.5 <= shown_at - start < 0.5 + 2 * DT
    # when the problem goes away the hint stays for >= 1 s after it was shown
    cleared_at = None
    while cleared_at is None:
        if d.update(None, t) is None:
            cleared_at = t
        t += DT
    assert cleared_at - shown_at >= 1.0


def test_steady_run_captures_sharpest_frame(detector: FaceDetector, face_frames: list[np.ndarray]) -> None:
    frames = [f.copy() for f in face_frames]
    frames = [synth.defocus(f, 0.8) if i != 5 else f for i, f in enumerate(frames)]  # frame 5 is sharpest
    ac = AutoCapture("face", detector=detector)
    progress = []
    captured = None
    for i, f in enumerate(frames):
        a = assess(f, "face", detector=detector)
        assert a.ok, a.problems
        captured = ac.feed(f, a, i * DT)
        progress.append(ac.progress)
        if captured:
            break
    assert captured is not None
    assert i == 8  # 9th frame: 8 frames spanning >= 0.25 s
    assert progress == sorted(progress) and progress[-1] == 1.0 and progress[0] < 0.2
    # the upload is a head-and-shoulders crop of frame 5
    assert np.array_equal(captured.image, face_upload_crop(frames[5], assess(frames[5], "face", detector=detector)))
    assert captured.stage == "face" and len(captured.jpeg) <= BUDGETS["face"]
    assert captured.assessment.ok
    decoded = cv2.imdecode(np.frombuffer(captured.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == captured.image.shape
    assert captured.image.shape[0] == 720 and 0.6 < captured.image.shape[1] / 720 < 1.0
    # once captured, nothing more until reset
    assert ac.feed(frames[0], assess(frames[0], "face", detector=detector), 1.0) is None
    ac.reset()
    assert ac.captured is None and ac.progress == 0.0


def test_failing_frame_restarts_run(detector: FaceDetector, face_frames: list[np.ndarray]) -> None:
    ac = AutoCapture("face", detector=detector)
    good = [assess(f, "face", detector=detector) for f in face_frames]
    blurred = synth.defocus(face_frames[0], 6)
    bad = assess(blurred, "face", detector=detector)
    assert not bad.ok
    t = 0.0
    for i in range(6):
        assert ac.feed(face_frames[i], good[i], t) is None
        t += DT
    assert ac.progress > 0.5
    assert ac.feed(blurred, bad, t) is None
    assert ac.progress == 0.0
    n = 0
    while ac.captured is None:
        t += DT
        ac.feed(face_frames[n % 10], good[n % 10], t)
        n += 1
    assert n == 9  # a whole new run: 8 frames spanning >= 0.25 s is the 9th frame at 30 fps


def test_motion_restarts_run(detector: FaceDetector, woman: np.ndarray) -> None:
    # the customer keeps moving sideways 40 px per frame: checks pass, but never steady
    ac = AutoCapture("face", detector=detector)
    frames = [face_scene(woman, seed=s, height_frac=1.0, center=(0.47 + 0.03 * s, 0.55)) for s in (0, 1)]
    checks = [assess(f, "face", detector=detector) for f in frames]
    assert all(a.ok for a in checks)
    for i in range(20):
        assert ac.feed(frames[i % 2], checks[i % 2], i * DT) is None
    assert ac.progress < 0.2


def test_card_capture_is_rectified_and_within_budget(detector: FaceDetector, card_image: np.ndarray) -> None:
    ac = AutoCapture("card", detector=detector)
    cap = None
    for i in range(12):
        frame, _ = card_scene(card_image, synth.CardPose((640 + 0.3 * i, 360), 780, 3.0, 6.0, -4.0), seed=i)
        cap = ac.feed(frame, assess(frame, "card", detector=detector), i * DT)
        if cap:
            break
    assert cap is not None
    assert cap.image.shape == (676, 1072, 3)  # the card at 1012x638 plus a 3 % margin
    assert len(cap.jpeg) <= BUDGETS["card"]
    assert cap.assessment.ok and cap.assessment.metrics["card_width"] == pytest.approx(1012, abs=8)
    assert cap.frame_assessment is not None and cap.frame_assessment.quad is not None


def test_hint_follows_persistent_problem(detector: FaceDetector, card_image: np.ndarray) -> None:
    ac = AutoCapture("card", detector=detector)
    frame, q = card_scene(card_image)
    c = q.mean(axis=0)
    glared = synth.add_glare(frame, (float(c[0]) + 150, float(c[1]) - 60), 60)
    a = assess(glared, "card", detector=detector)
    hints = [None]
    for i in range(30):
        ac.feed(glared, a, i * DT)
        hints.append(ac.hint)
    assert hints[10] is None and hints[-1] == "glare"
    assert ac.captured is None and ac.progress == 0.0


def test_wrong_stage_is_refused() -> None:
    with pytest.raises(ValueError):
        AutoCapture("passport")


def test_upload_crop_blurs_a_tolerated_bystander(
    detector: FaceDetector, woman: np.ndarray, luciano: np.ndarray
) -> None:
    # a small face right beside the customer: tolerated on screen, but must not reach the service
    frame = face_scene(woman, height_frac=1.0, bystanders=[(luciano, 0.2, (0.3, 0.13))])
    a = assess(frame, "face", detector=detector)
    assert a.ok and a.metrics["faces"] == 2 and len(a.others) == 1
    unblurred = face_upload_crop(frame, dataclasses.replace(a, others=()))
    assert len(detector.detect(unblurred)) == 2  # the bystander is inside the crop ...
    crop = face_upload_crop(frame, a)
    assert crop.shape == unblurred.shape
    assert len(detector.detect(crop)) == 1  # ... and blurred out of it
    checked = assess(crop, "face", detector=detector)
    assert checked.ok and checked.metrics["faces"] == 1


def test_upside_down_card_is_captured_the_right_way_up(detector: FaceDetector, card_image: np.ndarray) -> None:
    upside_down = cv2.rotate(card_image, cv2.ROTATE_180)
    ac = AutoCapture("card", detector=detector)
    cap = None
    for i in range(12):
        frame, _ = card_scene(upside_down, synth.CardPose((640, 360 + 0.2 * i), 780, 2.0, 5.0, -3.0), seed=i)
        a = assess(frame, "card", detector=detector)
        assert a.ok, a.problems
        cap = ac.feed(frame, a, i * DT) or cap
    assert cap is not None
    faces = detector.detect(cap.image)
    assert faces and faces[0].center[0] > 0.6 * cap.image.shape[1]  # portrait on the right


def test_wipe_zeroes_the_kept_frame(detector: FaceDetector, face_frames: list[np.ndarray]) -> None:
    ac = AutoCapture("face", detector=detector)
    for i in range(4):
        ac.feed(face_frames[i], assess(face_frames[i], "face", detector=detector), i * DT)
    kept = ac._best_frame  # the one buffer holding the customer's face between frames
    assert kept is not None and kept.any()
    ac.wipe()
    assert not kept.any() and ac._best_frame is None and ac.progress == 0.0


def test_upload_image_for_card_and_face(detector: FaceDetector, card_image: np.ndarray, woman: np.ndarray) -> None:
    from kiosk.core.vision.capture import upload_image

    frame, _ = card_scene(card_image)
    card = upload_image(frame, assess(frame, "card", detector=detector), detector=detector)
    assert card.shape == (676, 1072, 3)
    face = face_scene(woman)
    crop = upload_image(face, assess(face, "face", detector=detector), detector=detector)
    assert crop.shape[0] == 720 and crop.shape[1] < 1280
    with pytest.raises(ValueError):
        upload_image(frame, assess(synth.desk_background(), "card", detector=detector))
