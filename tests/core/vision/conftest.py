"""Shared fixtures for the vision tests: the shared photographs and composed scenes.

The photographs live in ``../shared/assets`` beside the repository (CI has them there too);
a missing folder is a setup error and fails loudly instead of skipping.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.core.vision import synth
from kiosk.core.vision.detector import FaceDetector

REPO = Path(__file__).resolve().parents[3]
ASSETS = REPO.parent / "shared" / "assets"
GOOD_FACES = (
    "astronaut_eileen_collins.png",
    "codait_luciano.png",
    "grace_hopper.jpg",
    "pexels_man_santa_costume.jpeg",
    "pexels_woman_neutral.jpeg",
)


def load(rel: str) -> np.ndarray:
    path = ASSETS / rel
    if not path.is_file():
        pytest.fail(f"test asset missing: {path} (../shared/assets must sit beside the repo)")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert img is not None, path
    return img


@pytest.fixture(scope="session")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture(scope="session")
def grace() -> np.ndarray:
    return load("faces/grace_hopper.jpg")


@pytest.fixture(scope="session")
def woman() -> np.ndarray:
    return load("faces/pexels_woman_neutral.jpeg")


@pytest.fixture(scope="session")
def luciano() -> np.ndarray:
    return load("faces/codait_luciano.png")


@pytest.fixture(scope="session")
def card_image(woman: np.ndarray) -> np.ndarray:
    """The portrait side of a specimen card (the emulator's renderer when present)."""
    return synth.specimen_card(woman)


def card_scene(
    card: np.ndarray,
    pose: synth.CardPose | None = None,
    *,
    seed: int = 0,
    kind: str = "wood",
    gain: float = 0.86,
    thumb: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A 1280x720 frame of ``card`` on a desk at ``pose``; returns (frame, true corners)."""
    pose = pose or synth.CardPose((640, 360), 780, 3.0, 6.0, -4.0)
    q = synth.card_corners(pose)
    frame = synth.compose_card_scene(
        card, synth.desk_background(seed=seed, kind=kind), q, gain=gain, rng=np.random.default_rng(seed)
    )
    if thumb:
        frame = synth.add_thumb(frame, q)
    return frame, q


def face_scene(portrait: np.ndarray, *, seed: int = 0, **kw: object) -> np.ndarray:
    """A 1280x720 kiosk frame of ``portrait`` in a room."""
    return synth.compose_face_scene(
        portrait,
        synth.room_background(seed=seed),
        rng=np.random.default_rng(seed),
        **kw,  # type: ignore[arg-type]
    )
