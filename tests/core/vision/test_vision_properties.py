"""Property tests for the small pure pieces: corner ordering, hint debouncing, encoding budget."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.vision import synth
from kiosk.core.vision.capture import HintDebouncer
from kiosk.core.vision.card import order_corners
from kiosk.core.vision.encoding import EncodingError, encode_for_upload


@given(
    cx=st.floats(300, 900),
    cy=st.floats(250, 450),
    width=st.floats(200, 700),
    angle=st.floats(-40, 40),
    tilt_x=st.floats(-20, 20),
    tilt_y=st.floats(-20, 20),
)
def test_order_corners_is_independent_of_input_order(
    cx: float, cy: float, width: float, angle: float, tilt_x: float, tilt_y: float
) -> None:
    truth = synth.card_corners(synth.CardPose((cx, cy), width, angle, tilt_x, tilt_y))
    for perm in itertools.permutations(range(4)):
        np.testing.assert_allclose(order_corners(truth[list(perm)]), truth, atol=1e-4)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from([None, "blurry", "glare", "no_card"]), st.integers(1, 40)), max_size=25))
def test_hint_debouncer_properties(runs: list[tuple[str | None, int]]) -> None:
    dt = 1 / 30
    d = HintDebouncer(delay=0.5, hold=1.0)
    raw: list[str | None] = [code for code, n in runs for _ in range(n)]
    shown_at: list[tuple[float, str | None]] = [(-1e9, None)]
    for i, code in enumerate(raw):
        t = i * dt
        before = d.shown
        now = d.update(code, t)
        if now != before:
            # shown only after the raw value was the same for >= 0.5 s ...
            k = round(0.5 / dt)
            assert i >= k and all(c == now for c in raw[i - k : i + 1])
            # ... and at least 1 s after the previous change
            assert t - shown_at[-1][0] >= 1.0 - 1e-9
            shown_at.append((t, now))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), budget=st.integers(3_000, 200_000), kind=st.sampled_from(["face", "card"]))
def test_encoding_is_within_budget_or_refused(seed: int, budget: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    img = synth.desk_background(1012, 638, seed=seed, kind=["wood", "cloth", "dark"][seed % 3])
    img = np.clip(img.astype(np.int16) + rng.integers(-20, 20, img.shape), 0, 255).astype(np.uint8)
    try:
        enc = encode_for_upload(img, kind, budget=budget)
    except EncodingError:
        return
    assert len(enc.jpeg) <= budget
    assert enc.jpeg[:2] == b"\xff\xd8"
    assert max(enc.width, enc.height) >= (640 if kind == "face" else 800)
