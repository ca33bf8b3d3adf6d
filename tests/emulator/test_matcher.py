"""The classic (fallback) matcher on the test photographs: same photo re-shot >= 70, others < 70.

The ResNet matcher has its own tests (test_matcher_resnet.py); these keep the fallback honest.

The figures (minimum same-person Sim, maximum different-person Sim) are printed with ``-s``.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest

from kiosk.emulator.matcher import PASS_SIM
from kiosk.emulator.matcher_classic import ClassicMatcher as FaceMatcher
from kiosk.emulator.matcher_classic import ClassicTemplate as FaceTemplate
from kiosk.emulator.matcher_classic import align_face, similarity_from_score
from tests.emulator.fixtures import classic_matcher as shared_matcher
from tests.emulator.fixtures import face_photo
from tests.emulator.helpers import (
    card_portrait,
    different_person_sims,
    face_crop,
    jpeg,
    matcher_templates,
    same_person_sims,
)
from tests.support.assets import negative

PHOTOS = [
    "astronaut_eileen_collins.png",
    "grace_hopper.jpg",
    "codait_bryan.png",
    "codait_luciano.png",
    "pexels_woman_neutral.jpeg",
    "pexels_man_santa_costume.jpeg",
]


def _variants(img: np.ndarray, m: FaceMatcher) -> dict[str, np.ndarray]:
    """The same photograph 're-shot': other crop, scale, JPEG, brightness, rotation, printed card."""
    face = m.faces(img)[0]
    h, w = img.shape[:2]
    out = {
        "tight_crop": face_crop(img, face.box, 0.4),
        "half_scale": cv2.resize(img, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
        "upscaled_jpeg50": jpeg(cv2.resize(img, None, fx=1.6, fy=1.6), 50),
        "brighter": cv2.convertScaleAbs(img, alpha=1.1, beta=40),
        "darker": cv2.convertScaleAbs(img, alpha=0.7, beta=-10),
    }
    for angle in (-8, 8):
        rot = cv2.getRotationMatrix2D(face.center, angle, 1.0)
        out[f"rotated{angle:+d}"] = cv2.warpAffine(img, rot, (w, h), borderMode=cv2.BORDER_REFLECT)
    out["card_portrait"], out["card_photo"] = card_portrait(img, face.box, width=760, angle=5)
    return out


@functools.cache
def _templates() -> tuple[dict[str, FaceTemplate], dict[str, dict[str, FaceTemplate]]]:
    m = shared_matcher()
    return matcher_templates(m, PHOTOS, face_photo, lambda img: _variants(img, m))


def test_same_photograph_reshot_passes() -> None:
    sims = same_person_sims(shared_matcher(), *_templates())
    assert all(s >= PASS_SIM for s in sims.values()), {k: v for k, v in sims.items() if v < PASS_SIM}


def test_different_people_fail_for_all_pairs() -> None:
    sims = different_person_sims(shared_matcher(), *_templates())
    assert all(s < PASS_SIM for s in sims.values()), {k: v for k, v in sims.items() if v >= PASS_SIM}


def test_score_is_symmetric_and_identity_is_high() -> None:
    refs, _ = _templates()
    m = shared_matcher()
    a, b = refs[PHOTOS[0]], refs[PHOTOS[1]]
    assert m.score(a, b) == pytest.approx(m.score(b, a))
    assert m.compare(a, a) > 95


def test_no_face_gives_none() -> None:
    m = shared_matcher()
    cat = cv2.imread(str(negative("chelsea_cat.png")))
    assert m.template(cat) is None
    assert m.similarity(cat, face_photo(PHOTOS[0]).copy()) is None


def test_calibration_curve() -> None:
    assert similarity_from_score(0.735) == pytest.approx(70.0, abs=0.05)
    assert similarity_from_score(1.0) > 95 and similarity_from_score(0.3) < 1
    values = [similarity_from_score(s) for s in np.linspace(-1, 1, 21)]
    assert values == sorted(values) and values[0] >= 0 and values[-1] <= 100


def test_align_face_output() -> None:
    img = face_photo(PHOTOS[1]).copy()
    face = shared_matcher().faces(img)[0]
    aligned = align_face(img, face.landmarks)
    assert aligned.shape == (112, 112) and aligned.dtype == np.uint8
