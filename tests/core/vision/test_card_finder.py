"""The card finder on the cases issue 13 names: sides cut by fingers, a printed rectangle inside
the card, a card cut off by the frame or too small (never ``no_card`` while a card is visible),
pictures with no card that are full of straight lines, and an over-exposed frame.

Cards are the specimen renderer's with a CC0 portrait from tests/assets; scenes are composed
with kiosk.core.vision.synth / synth_scenes (real objects throughout, nothing mocked).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.core import specimen
from kiosk.core.vision import degrade, synth, synth_scenes
from kiosk.core.vision.card import find_card
from kiosk.core.vision.card_lines import lines_from_contours, quad_from_lines
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.quality import assess
from tests.support.assets import ASSETS


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture(scope="module")
def card(detector: FaceDetector) -> np.ndarray:
    img = cv2.imread(str(ASSETS / "real" / "interfaces_040.jpg"), cv2.IMREAD_COLOR)
    assert img is not None
    return synth.specimen_card(specimen.id_photo(img, detector.detect(img)[0].box))


def _contours(edges: np.ndarray) -> list[np.ndarray]:
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    return list(contours)


def test_line_finder_completes_sides_cut_into_pieces() -> None:
    """A card outline with a third of two sides missing (fingers) and a complete rectangle
    printed inside it: the outline is completed, and it wins over the printed rectangle."""
    edges = np.zeros((270, 480), np.uint8)
    tl, br = (90, 60), (390, 249)  # 300 x 189: ID-1 proportions
    cv2.rectangle(edges, tl, br, 255, 1)
    edges[60, 150:250] = 0  # a finger over the top side
    edges[120:190, 390] = 0  # another over the right side
    cv2.rectangle(edges, (280, 80), (360, 180), 255, 1)  # the portrait's frame
    lines = lines_from_contours(_contours(edges), min_len=24)
    whole, cut = quad_from_lines(lines, (480, 270), min_area=0.04 * 480 * 270, margin=3)
    assert whole is not None and cut is None
    expected = np.array([tl, (br[0], tl[1]), br, (tl[0], br[1])], np.float32)
    assert float(np.abs(whole.quad - expected).max()) < 3.0
    assert 0.6 < whole.seen < 0.95  # most, not all, of the outline is seen


def test_line_finder_reports_a_card_cut_off_by_the_border() -> None:
    edges = np.zeros((270, 480), np.uint8)
    cv2.line(edges, (0, 70), (200, 70), 255, 1)  # top side, running out of the left border
    cv2.line(edges, (200, 70), (200, 250), 255, 1)  # right side
    cv2.line(edges, (0, 250), (200, 250), 255, 1)  # bottom side, running out too
    whole, cut = quad_from_lines(lines_from_contours(_contours(edges), min_len=24), (480, 270), min_area=5000, margin=3)
    assert whole is None and cut is not None and cut.cut_off
    assert float(cut.quad[:, 0].min()) <= 1.0  # one side is the frame's left border


def test_a_card_near_the_border_is_whole_not_cut_off(card: np.ndarray, detector: FaceDetector) -> None:
    rng = np.random.default_rng(3)
    q = synth.card_corners(synth.CardPose((470, 360), 800, 0, 0, 0))  # 70 px from the left border
    frame = synth.compose_card_scene(card, synth.desk_background(seed=4, kind="cloth"), q, rng=rng)
    a = assess(frame, "card", detector=detector)
    assert a.ok, a.problems


def _scene(card: np.ndarray, q: np.ndarray, rng: np.random.Generator, *, held: bool, desk: str) -> np.ndarray:
    """The card at corners ``q`` held by two fingers over a palm, or lying on a ``desk``."""
    if not held:
        return synth.compose_card_scene(card, synth.desk_background(seed=6, kind=desk), q, rng=rng)
    tone = synth_scenes.skin_tone(rng)
    frame = synth.compose_card_scene(card, synth_scenes.palm_background(1280, 720, tone, rng), q, rng=rng)
    return synth_scenes.add_fingers(frame, q, rng, tone=tone, count=2)


@pytest.mark.parametrize("held", [False, True])
@pytest.mark.parametrize("side", ["left", "right", "top", "bottom"])
def test_cut_off_card_is_never_no_card(card: np.ndarray, detector: FaceDetector, side: str, held: bool) -> None:
    rng = np.random.default_rng(11)
    cx, cy = {"left": (230, 360), "right": (1050, 360), "top": (640, 80), "bottom": (640, 640)}[side]
    q = synth.card_corners(synth.CardPose((cx, cy), 820, 2, 0, 0))
    a = assess(_scene(card, q, rng, held=held, desk="wood"), "card", detector=detector)
    assert a.hint == "card_cut_off", a.problems


@pytest.mark.parametrize("held", [False, True])
def test_small_card_is_too_small_not_no_card(card: np.ndarray, detector: FaceDetector, held: bool) -> None:
    rng = np.random.default_rng(12)
    q = synth.card_corners(synth.CardPose((560, 330), 330, 2, 0, 0))
    a = assess(_scene(card, q, rng, held=held, desk="dark"), "card", detector=detector)
    assert a.hint == "card_too_small", a.problems


def test_split_screen_picture_is_no_card(detector: FaceDetector) -> None:
    """Two photographs side by side (a TV debate): the dividing line and the frame make
    card-like rectangles that run into two opposite borders; that is the picture's structure."""
    halves = []
    for name in ("pexels_woman_neutral.jpeg", "pexels_man_santa_costume.jpeg"):
        img = cv2.imread(str(ASSETS / "faces" / name), cv2.IMREAD_COLOR)
        assert img is not None
        h, w = img.shape[:2]
        cw = min(w, round(h * 640 / 720))  # the middle of the photo in 640:720 proportions
        ch = round(cw * 720 / 640)
        x0, y0 = (w - cw) // 2, max(0, (h - ch) // 2)
        halves.append(cv2.resize(img[y0 : y0 + ch, x0 : x0 + cw], (640, 720), interpolation=cv2.INTER_AREA))
    frame = np.hstack(halves)
    frame[:, 636:644] = (30, 30, 30)
    a = assess(frame, "card", detector=detector)
    assert a.problems[0] == "no_card", a.problems


def test_door_running_out_of_the_frame_is_not_a_cut_off_card() -> None:
    """Three straight sides and the bottom border, but longer across the border than any part of
    a card could be: a door or a window, not a card held too low."""
    frame = np.full((720, 1280, 3), 200, np.uint8)
    cv2.rectangle(frame, (560, 120), (740, 719), (70, 90, 120), -1)  # a door, 180 x 600
    assert find_card(frame) is None


def test_over_exposed_frame_says_too_bright(card: np.ndarray, detector: FaceDetector) -> None:
    rng = np.random.default_rng(13)
    q = synth.card_corners(synth.CardPose((640, 360), 780, 2, 4, 0))
    tone = synth_scenes.skin_tone(rng)
    frame = synth.compose_card_scene(card, synth_scenes.palm_background(1280, 720, tone, rng), q, rng=rng)
    over = degrade.expose(frame, 4.0, rng, noise=2.0)
    a = assess(over, "card", detector=detector)
    assert "too_bright" in a.problems, a.problems


def test_a_crop_of_the_back_is_the_wrong_side(detector: FaceDetector) -> None:
    """A scanner crop of the national-emblem side (the image is the card): turn it over."""
    from kiosk.core.vision.quality import STILL_THRESHOLDS

    for variant in range(3):
        back = synth_scenes.render_card_back(variant=variant)
        a = assess(back, "card", detector=detector, thresholds=STILL_THRESHOLDS)
        assert a.problems == ("card_wrong_side",), (variant, a.problems)


@pytest.mark.parametrize("name", ["faces/pexels_woman_neutral.jpeg", "faces/pexels_man_santa_costume.jpeg"])
def test_a_photo_cut_to_card_proportions_is_not_a_card(detector: FaceDetector, name: str) -> None:
    """A portrait on a pale wall, cut to exactly the card's proportions: its face is in the
    middle, not where an ID card's portrait sits, and a soft wall is not printed paper."""
    from kiosk.core.vision.quality import STILL_THRESHOLDS

    img = cv2.imread(str(ASSETS / name), cv2.IMREAD_COLOR)
    assert img is not None
    h, w = img.shape[:2]
    ch = min(h, round(w / 1.586))
    cw = round(ch * 1.586)
    crop = img[(h - ch) // 2 : (h - ch) // 2 + ch, (w - cw) // 2 : (w - cw) // 2 + cw]
    a = assess(crop, "card", detector=detector, thresholds=STILL_THRESHOLDS)
    assert "no_card" in a.problems, a.problems


def test_photographs_without_a_card_are_no_card(detector: FaceDetector) -> None:
    """Every photograph in the test assets (portraits, a cat, a coffee cup) shown at the card
    stage: no card. Faces, hair, clothes and backgrounds have straight edges too."""
    from kiosk.core.vision.quality import STILL_THRESHOLDS

    photos = sorted(p for d in ("faces", "real", "negatives") for p in (ASSETS / d).iterdir())
    assert len(photos) >= 8
    for path in photos:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        assert img is not None, path
        a = assess(img, "card", detector=detector, thresholds=STILL_THRESHOLDS)
        assert "no_card" in a.problems, (path.name, a.problems)


@pytest.mark.parametrize("width", [330, 520, 800])
def test_found_corners_are_the_cards_corners(card: np.ndarray, detector: FaceDetector, width: int) -> None:
    """The outline reported for a steady card on a desk lies on its true corners (full-frame
    pixels, whatever scale the finder worked at), within a few pixels."""
    rng = np.random.default_rng(width)
    q = synth.card_corners(synth.CardPose((640, 360), width, 3, 0, 0))
    frame = synth.compose_card_scene(card, synth.desk_background(seed=9, kind="cloth"), q, rng=rng)
    a = assess(frame, "card", detector=detector)
    assert a.quad is not None, a.problems
    assert float(np.abs(a.quad - q).max()) < 0.012 * width + 2.0, (a.quad, q)


def test_a_large_highlight_is_glare(card: np.ndarray, detector: FaceDetector) -> None:
    rng = np.random.default_rng(14)
    q = synth.card_corners(synth.CardPose((640, 360), 800, 2, 0, 0))
    frame = synth.compose_card_scene(card, synth.desk_background(seed=10, kind="dark"), q, rng=rng)
    a = assess(degrade.specular_glare(frame, (560.0, 340.0), 70.0), "card", detector=detector)
    assert "glare" in a.problems, a.problems


def test_sides_that_run_on_past_the_corners_are_not_a_cards_sides() -> None:
    """A cut-off card's sides end at its inner corners; ruled lines carry on past them."""
    from kiosk.core.vision.card_evidence import runs_on

    quad = np.array([[0, 100], [300, 100], [300, 200], [0, 200]], np.float32)  # cut by the left border
    card = np.zeros((270, 480), np.uint8)
    for y in (100, 200):
        card[y, 0:301] = 255
    card[100:201, 300] = 255
    ruled = card.copy()
    ruled[100, 300:] = 255
    ruled[200, 300:] = 255
    assert not runs_on(card, quad, margin=2.0)
    assert runs_on(ruled, quad, margin=2.0)
