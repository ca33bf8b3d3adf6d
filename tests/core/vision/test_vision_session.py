"""The virtual camera plays a whole scripted session through assess + AutoCapture."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.core.vision.camera_watchdog import WatchedSource
from kiosk.core.vision.capture import AutoCapture, Capture
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.encoding import BUDGETS
from kiosk.core.vision.quality import assess
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript


def play(
    cam: VirtualCamera | WatchedSource, stage: str, detector: FaceDetector, max_s: float, clock: VirtualCamera
) -> tuple[Capture | None, list[str | None], list[tuple[str, ...]]]:
    """Feed the camera's frames for ``stage`` until a capture (or ``max_s`` virtual seconds)."""
    cam.set_stage(stage)
    ac = AutoCapture(stage, detector=detector)
    hints: list[str | None] = []
    problems: list[tuple[str, ...]] = []
    while clock.frame_index < max_s * clock.fps:
        frame = cam.read()
        assert frame is not None
        a = assess(frame, stage, detector=detector)
        problems.append(a.problems)
        cap = ac.feed(frame, a, clock.now)
        hints.append(ac.hint)
        if cap is not None:
            return cap, hints, problems
    return None, hints, problems


def test_whole_session_captures_card_then_face(detector: FaceDetector, woman: np.ndarray, luciano: np.ndarray) -> None:
    script = VirtualScript(
        face_image=woman, bystander_image=luciano, blurry_first=True, glare=True, bystander_window=(0.0, 10.0)
    )
    cam = VirtualCamera(script)
    watched = WatchedSource(cam, clock=lambda: cam.now)
    watched.open()
    card, hints, problems = play(watched, "card", detector, 8.0, cam)
    assert card is not None, set(problems)
    # the customer was told about what went wrong, in the order it happened
    shown = [h for i, h in enumerate(hints) if h and (i == 0 or hints[i - 1] != h)]
    assert "blurry" in shown and "glare" in shown
    assert shown.index("blurry") < shown.index("glare")
    # no capture before the blurry and the glare phases were over
    t_glare_end = script.enter_s + script.blurry_s + script.glare_s
    assert cam.frame_index / cam.fps >= t_glare_end
    assert card.image.shape == (676, 1072, 3) and len(card.jpeg) <= BUDGETS["card"]
    assert card.assessment.ok
    face, _, face_problems = play(watched, "face", detector, 4.0, cam)
    assert face is not None, set(face_problems)
    # the bystander was in the frame all along and did not block
    assert face.frame_assessment is not None and face.frame_assessment.metrics["faces"] == 2
    assert len(face.jpeg) <= BUDGETS["face"] and face.assessment.ok
    assert watched.health == "ok" and watched.reopens == 0


def test_card_capture_is_readable_by_the_emulator(detector: FaceDetector, woman: np.ndarray) -> None:
    from kiosk.core import specimen_reading as specimen

    cam = VirtualCamera(VirtualScript(face_image=woman))
    cam.open()
    card, _, problems = play(cam, "card", detector, 5.0, cam)
    assert card is not None, set(problems)
    decoded = cv2.imdecode(np.frombuffer(card.jpeg, np.uint8), cv2.IMREAD_COLOR)
    person = specimen.read_specimen(decoded)
    assert person is not None and person.id_number == "11010519491231002X"


def test_large_bystander_blocks_the_face_capture(
    detector: FaceDetector, woman: np.ndarray, luciano: np.ndarray
) -> None:
    script = VirtualScript(
        face_image=woman,
        bystander_image=luciano,
        bystander_height_frac=0.8,
        bystander_pos=(0.0, 0.1),
        bystander_window=(0.0, 10.0),
        face_height_frac=0.9,
    )
    cam = VirtualCamera(script)
    cam.open()
    face, hints, problems = play(cam, "face", detector, 2.0, cam)
    assert face is None
    assert all("multiple_faces" in p for p in problems[5:])
    assert hints[-1] == "multiple_faces"
