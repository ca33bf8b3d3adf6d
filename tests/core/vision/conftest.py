"""Fixtures for the vision tests: the test photographs and composed scenes.

The photographs are in the repository (tests/support/assets.py says where); a missing file is a
broken checkout and fails loudly instead of skipping.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.core.vision import synth
from kiosk.core.vision.detector import FaceDetector
from tests.support import assets

GOOD_FACES = (
    "astronaut_eileen_collins.png",
    "codait_luciano.png",
    "grace_hopper.jpg",
    "pexels_man_santa_costume.jpeg",
    "pexels_woman_neutral.jpeg",
)


def asset(rel: str) -> Path:
    """``faces/NAME`` or ``negatives/NAME``: the file's path inside the repository."""
    kind, _, name = rel.partition("/")
    lookup = {"faces": assets.face, "negatives": assets.negative}
    if kind not in lookup:
        pytest.fail(f"unknown test asset kind: {rel}")
    return lookup[kind](name)


def load(rel: str) -> np.ndarray:
    return assets.image(asset(rel))


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
