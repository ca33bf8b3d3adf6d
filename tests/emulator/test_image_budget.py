"""The emulator's image budget (kiosk.emulator.image_budget): how much decoded image is in work
at once. The ImageBudget itself (FIFO, bounded waits), then a real emulator on 127.0.0.1 with a
small budget: requests queue for it, and one that waits too long is answered
RequestLimitExceeded (not processed, not billed). The memory figures with 40-megapixel photos
are in tests/reliability/test_hostile_emulator_load.py."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.core.vision.imageio import DEFAULT_MAX_PIXELS
from kiosk.emulator.image_budget import DEFAULT_BUDGET_PIXELS, DEFAULT_WAIT_S, ImageBudget, shared_budget
from kiosk.emulator.outcomes import ApiError
from kiosk.emulator.server import EmulatorServer
from tests.emulator.fixtures import (
    UNLIMITED,
    demo_registry,
    error_code,
    face_photo,
    raw_call,
    shared_matcher,
)
from tests.emulator.helpers import jpeg_bytes

FACE = "ImageRecognitionV2"


def _face_params() -> tuple[dict[str, str], int]:
    """A passing ImageRecognitionV2 request for demo person 1, and its photo's pixel count."""
    person = demo_registry().people[1]
    photo = face_photo("grace_hopper.jpg")
    data = base64.b64encode(jpeg_bytes(photo.copy(), 85)).decode("ascii")
    return {"IdCard": person.id_number, "Name": person.name, "ImageBase64": data}, photo.shape[0] * photo.shape[1]


def test_waits_are_first_come_first_served() -> None:
    """A small image that would fit does not overtake a large one waiting before it."""
    budget = ImageBudget(max_pixels=10, wait_s=5)
    order: list[str] = []

    def take(name: str, pixels: int) -> None:
        with budget.hold(pixels):
            order.append(name)

    with budget.hold(6):
        big = threading.Thread(target=take, args=("big", 10))
        big.start()
        time.sleep(0.1)  # big is queued first
        small = threading.Thread(target=take, args=("small", 2))
        small.start()
        time.sleep(0.1)
        assert order == []  # small (6 + 2 <= 10) still waits behind big
    big.join(5)
    small.join(5)
    assert order == ["big", "small"]
    assert budget.in_use == 0 and budget.peak_pixels == 10


def test_a_wait_past_the_deadline_is_request_limit_exceeded() -> None:
    budget = ImageBudget(max_pixels=100, wait_s=0.2)
    with budget.hold(100):
        started = time.monotonic()
        with pytest.raises(ApiError) as info, budget.hold(1):
            pass
        waited = time.monotonic() - started
    assert info.value.code == "RequestLimitExceeded" and 0.2 <= waited < 1.0
    assert budget.refused == 1
    with budget.hold(10**9):  # larger than the whole budget: holds all of it, never waits for ever
        assert budget.in_use == 100


@pytest.fixture
def small_budget_emulator() -> Iterator[tuple[EmulatorServer, ImageBudget, int]]:
    _params, pixels = _face_params()
    budget = ImageBudget(max_pixels=pixels, wait_s=0.3)  # exactly one photo at a time
    with EmulatorServer(
        registry=demo_registry(), rate_limits=UNLIMITED, matcher=shared_matcher(), image_budget=budget
    ) as emu:
        yield emu, budget, pixels


def test_a_request_that_cannot_get_its_pixels_is_throttled_not_processed(
    small_budget_emulator: tuple[EmulatorServer, ImageBudget, int],
) -> None:
    emu, budget, pixels = small_budget_emulator
    params, _ = _face_params()
    with budget.hold(pixels):  # another request's image in work
        started = time.monotonic()
        answer = raw_call(emu, FACE, params, timeout=10)
        waited = time.monotonic() - started
    assert error_code(answer) == "RequestLimitExceeded" and 0.3 <= waited < 3
    record = emu.calls[-1]
    assert record.code == "RequestLimitExceeded" and not record.billed and not record.processed
    assert "the emulator is busy with other images" in answer.json()["Response"]["Error"]["Message"]
    # the pixels are given back: the same request now passes
    assert raw_call(emu, FACE, params, timeout=10).json()["Response"]["Result"] == "Success"
    assert budget.in_use == 0


def test_parallel_requests_queue_for_the_budget_and_all_pass(
    small_budget_emulator: tuple[EmulatorServer, ImageBudget, int],
) -> None:
    emu, budget, pixels = small_budget_emulator
    budget.wait_s = 30.0  # queue rather than refuse (the object is the emulator's own)
    params, _ = _face_params()
    results: list[str] = []

    def call() -> None:
        results.append(raw_call(emu, FACE, params, timeout=30).json()["Response"].get("Result", "error"))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == ["Success"] * 4
    assert budget.peak_pixels == pixels  # one photo in work at a time, never four
    assert budget.refused == 0 and budget.in_use == 0


def test_undecodable_and_oversized_images_are_refused_before_any_wait(
    small_budget_emulator: tuple[EmulatorServer, ImageBudget, int],
) -> None:
    emu, budget, pixels = small_budget_emulator
    params, _ = _face_params()
    # a JPEG header claiming 50000 x 50000 (2.5 GP): refused from its header, budget untouched
    bomb = b"\xff\xd8\xff\xc0\x00\x11\x08" + (50000).to_bytes(2, "big") * 2 + b"\x03" + b"\x00" * 9 + b"\xff\xd9"
    with budget.hold(pixels):
        started = time.monotonic()
        too_big = raw_call(emu, FACE, {**params, "ImageBase64": base64.b64encode(bomb).decode()}, timeout=10)
        broken = raw_call(emu, FACE, {**params, "ImageBase64": base64.b64encode(b"\xff\xd8\xff\x00").decode()})
        assert time.monotonic() - started < 0.3  # neither waited for the held budget
    assert error_code(too_big) == "FailedOperation.ImageSizeTooLarge"
    assert error_code(broken) == "FailedOperation.ImageDecodeFailed"


def test_production_defaults_are_sane() -> None:
    # one image of the largest size decoded fits (clamped anyway); never more than two at once
    assert DEFAULT_MAX_PIXELS <= DEFAULT_BUDGET_PIXELS <= 2 * DEFAULT_MAX_PIXELS
    # longer than a queue of a few large card photos (~1.3 s each), shorter than a client timeout
    assert 5.0 <= DEFAULT_WAIT_S <= 20.0
    emu = EmulatorServer(registry=demo_registry(), matcher=shared_matcher())
    assert emu.service.image_budget is shared_budget()  # memory is per process, so is the budget
    assert shared_budget().max_pixels == DEFAULT_BUDGET_PIXELS and shared_budget().wait_s == DEFAULT_WAIT_S
