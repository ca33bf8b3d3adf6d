"""Camera faults: the watchdog (WatchedSource) over the virtual camera with injected faults.

tests/core/vision/test_vision_sources.py covers the basic frozen / black / unplugged cycles;
this file adds what a kiosk meets in the field: an unplug in the middle of a capture (the stage
must survive the reopen), a camera that never comes back (give up to "lost", bounded effort),
faults that persist across reopens, a wrong or changing resolution, and corrupt frames (wrong
shape, dtype, not an array) from a broken driver. Time is virtual (injected clock and sleep),
so every case is deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from kiosk.core.vision.camera_watchdog import HEALTH_STATES, WatchedSource
from kiosk.core.vision.quality import assess
from kiosk.core.vision.sources import FaultInjectingSource, SourceInfo
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript
from kiosk.emulator.registry import Registry

FPS = 30.0
#: the stable problem codes of design.md (a precheck may only ever report these)
PROBLEM_CODES = {
    "blurry", "too_dark", "too_bright", "glare", "no_face", "multiple_faces", "face_too_small", "face_too_large",
    "face_off_center", "face_turned", "eyes_not_visible", "no_card", "card_cut_off", "card_too_small",
    "card_tilted", "image_too_small", "unreadable_image",
}


class Clock:
    """Virtual time, advanced by the reading loop and by the watchdog's own sleeps."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += max(0.0, s)


@pytest.fixture(scope="module")
def portrait(registry: Registry) -> np.ndarray:
    img = registry.portrait(registry.people[0])
    assert img is not None
    return img


@pytest.fixture
def camera(portrait: np.ndarray) -> VirtualCamera:
    return VirtualCamera(VirtualScript(face_image=portrait, seed=5), width=640, height=360)


def watch(inner: Any, clock: Clock, events: list[str] | None = None, **kw: Any) -> WatchedSource:
    kw.setdefault("backoff", (0.5, 1.0, 2.0))
    return WatchedSource(inner, clock=clock, sleep=clock.sleep,
                         on_health=events.append if events is not None else None, **kw)


def pump(src: WatchedSource, clock: Clock, seconds: float,
         check: Callable[[np.ndarray | None], None] | None = None) -> list[str]:
    """Read for ``seconds`` of virtual time at 30 fps; returns the health after each read."""
    seen: list[str] = []
    end = clock.t + seconds
    while clock.t < end:
        frame = src.read()
        if check is not None:
            check(frame)
        seen.append(src.health)
        clock.t += 1 / FPS
    return seen


def test_unplug_mid_capture_reopens_in_the_same_stage(camera: VirtualCamera) -> None:
    """Unplugged while the customer shows the card: lost -> reopened -> still filming the card."""
    clock = Clock()
    events: list[str] = []
    faulty = FaultInjectingSource(camera, [(45, 10_000, "fail")])
    src = watch(faulty, clock, events, lost_after_failures=5)
    src.open()
    src.set_stage("card")
    faulty.fail_opens = 2  # still unplugged for the first two reopen attempts
    seen = pump(src, clock, 8.0)
    assert seen[:45] == ["ok"] * 45
    assert "lost" in seen and seen[-1] == "ok"
    assert events[0] == "lost" and events[-1] == "ok" and set(events) <= set(HEALTH_STATES)
    assert camera.stage == "card"  # the reopened camera plays the step the kiosk is in
    assert src.reopens == 1 and faulty.opens == 4  # first open + 2 failed + 1 good


def test_camera_that_never_returns_stays_lost_with_bounded_effort(camera: VirtualCamera) -> None:
    """Give up to "lost": reopen attempts are paced by the backoff (no busy loop), reads never raise."""
    clock = Clock()
    faulty = FaultInjectingSource(camera, [(10, 10_000, "fail")])
    src = watch(faulty, clock, lost_after_failures=5, backoff=(0.5, 1.0, 2.0, 4.0))
    src.open()
    faulty.fail_opens = 10**6  # unplugged for good after the first open
    seen = pump(src, clock, 60.0)
    tail = seen[len(seen) // 2:]
    assert set(tail) <= {"lost", "reopening"} and tail[-1] == "lost"
    # 60 s with waits 0.5, 1, 2, 4, 4, ...: about 16 attempts, not one per frame
    assert 10 <= faulty.opens <= 20, faulty.opens
    assert src.failed_reopens == faulty.opens - 1


@pytest.mark.parametrize("kind", ["freeze", "black"])
def test_persistent_fault_is_never_reported_healthy_for_long(camera: VirtualCamera, kind: str) -> None:
    """A fault that survives every reopen keeps the watchdog out of "ok" most of the time,
    so the UI's lost_after_s timer fires (the kiosk shows its out-of-service screen)."""
    clock = Clock()
    faulty = FaultInjectingSource(camera, [(0, 10_000, kind)], persistent=True)
    src = watch(faulty, clock, frozen_after=2.0, black_after=1.0, backoff=(0.5,))
    src.open()
    seen = pump(src, clock, 20.0)
    assert src.last_fault == ("frozen" if kind == "freeze" else "black")
    assert faulty.opens >= 4  # it keeps trying
    # the longest run of "ok" reads is bounded by the detection time (plus one frame)
    longest, run = 0, 0
    for h in seen:
        run = run + 1 if h == "ok" else 0
        longest = max(longest, run)
    assert longest <= (2.0 if kind == "freeze" else 1.0) * FPS + 2


def test_fault_then_recovery_resets_the_backoff(camera: VirtualCamera) -> None:
    """After a good stretch, the next fault starts again at the shortest wait."""
    clock = Clock()
    faulty = FaultInjectingSource(camera, [(10, 10_000, "fail")], persistent=False)
    src = watch(faulty, clock, lost_after_failures=3, backoff=(0.5, 4.0))
    src.open()
    faulty.fail_opens = 1
    pump(src, clock, 8.0)
    assert src.health == "ok" and src.failed_reopens == 0
    faulty.faults = [(0, 10_000, "fail")]  # unplugged again
    faulty.persistent = True
    t_lost = None
    events: list[tuple[float, str]] = []
    src.on_health = lambda h: events.append((clock.t, h))
    pump(src, clock, 2.0)
    t_lost = next(t for t, h in events if h == "lost")
    t_retry = next(t for t, h in events if h == "reopening")
    assert t_retry - t_lost <= 0.5 + 1 / FPS  # not the 4 s of a long outage


class ResolutionSource:
    """A camera that claims 1280x720 but delivers other sizes (a driver ignoring set())."""

    def __init__(self, camera: VirtualCamera, sizes: list[tuple[int, int]], every: int = 30) -> None:
        self.camera, self.sizes, self.every, self.n = camera, sizes, every, 0

    def open(self) -> SourceInfo:
        self.camera.open()
        return SourceInfo(1280, 720, 30.0, "claims-720p")

    def read(self) -> np.ndarray | None:
        import cv2

        frame = self.camera.read()
        w, h = self.sizes[(self.n // self.every) % len(self.sizes)]
        self.n += 1
        return None if frame is None else cv2.resize(frame, (w, h))

    def close(self) -> None:
        self.camera.close()

    def set_stage(self, stage: str) -> None:
        self.camera.set_stage(stage)


def test_wrong_and_changing_resolution_is_not_a_fault(camera: VirtualCamera) -> None:
    """Frames keep flowing (health ok) whatever size the driver delivers; the prechecks handle
    the size (``image_too_small`` for a tiny stream), never crash."""
    clock = Clock()
    sizes = [(640, 480), (320, 240), (1920, 1080), (160, 120)]
    src = watch(ResolutionSource(camera, sizes, every=10), clock)
    src.open()
    src.set_stage("face")
    frames: list[np.ndarray] = []
    seen = pump(src, clock, 45 / FPS, check=lambda f: frames.append(f) if f is not None else None)
    assert set(seen) == {"ok"} and len(frames) == 45
    for frame in frames[::10]:
        a = assess(frame, "face")
        assert set(a.problems) <= PROBLEM_CODES
    tiny = assess(frames[35], "face")  # the 160x120 stretch
    assert not tiny.ok and "image_too_small" in tiny.problems


CORRUPT: dict[str, Any] = {
    "one_dimensional": np.full(1000, 80, np.uint8),
    "five_channels": np.full((360, 640, 5), 80, np.uint8),
    "float64": np.full((360, 640, 3), 0.3),
    "uint16": np.full((360, 640, 3), 30000, np.uint16),
    "grayscale": np.full((360, 640), 80, np.uint8),
    "bgra": np.full((360, 640, 4), 80, np.uint8),
    "batch_4d": np.full((2, 360, 640, 3), 80, np.uint8),
    "one_pixel": np.full((1, 1, 3), 80, np.uint8),
    "not_an_array": [[1, 2, 3]],
}


class CorruptingSource:
    """Good frames, then ``bad`` for frames [start, stop) (a driver bug), then good again."""

    def __init__(self, camera: VirtualCamera, bad: Any, start: int, stop: int) -> None:
        self.camera, self.bad, self.start, self.stop, self.n = camera, bad, start, stop, 0
        self.opens = 0

    def open(self) -> SourceInfo:
        self.opens += 1
        return self.camera.open()

    def read(self) -> Any:
        i, self.n = self.n, self.n + 1
        frame = self.camera.read()
        return self.bad if self.start <= i < self.stop else frame

    def close(self) -> None:
        self.camera.close()

    def set_stage(self, stage: str) -> None:
        self.camera.set_stage(stage)


def _is_bgr_frame(frame: Any) -> bool:
    return (isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3
            and frame.shape[2] == 3 and frame.shape[0] >= 16 and frame.shape[1] >= 16)


@pytest.mark.parametrize("kind", list(CORRUPT))
def test_corrupt_frames_never_escape_the_watchdog(camera: VirtualCamera, kind: str) -> None:
    """A broken driver's frame is a failed read: ``read()`` never raises and never hands on
    anything but a BGR uint8 image (FrameSource contract); a stream of them ends "lost", and
    the watchdog recovers once good frames return."""
    clock = Clock()
    inner = CorruptingSource(camera, CORRUPT[kind], start=10, stop=40)
    src = watch(inner, clock, lost_after_failures=5, backoff=(0.2,))
    src.open()
    bad: list[str] = []

    def check(frame: Any) -> None:
        if frame is not None and not _is_bgr_frame(frame):
            bad.append(f"{type(frame).__name__} {getattr(frame, 'shape', '')} {getattr(frame, 'dtype', '')}")

    try:
        seen = pump(src, clock, 4.0, check=check)
    except Exception as exc:  # what the camera thread would die of
        pytest.fail(f"WatchedSource.read() raised {type(exc).__name__}: {exc}")
    assert not bad, f"corrupt frames handed on to the pipeline: {bad[:2]}"
    assert "lost" in seen, "30 corrupt frames in a row must count as a lost stream"
    assert seen[-1] == "ok"
