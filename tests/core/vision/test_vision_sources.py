"""Frame sources and the watchdog (with a fault-injecting source and a controllable clock)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.core.vision.camera_watchdog import WatchedSource
from kiosk.core.vision.sources import (
    FaultInjectingSource,
    FrameSource,
    ImageFolderSource,
    SourceError,
    VideoFileSource,
    WebcamSource,
    backend_order,
)
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript

FPS = 30.0


class FakeClock:
    """Virtual time for the watchdog: advanced by the test and by the watchdog's own sleeps."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


@pytest.fixture
def camera(woman: np.ndarray) -> VirtualCamera:
    cam = VirtualCamera(VirtualScript(face_image=woman, seed=3))
    cam.set_stage("idle")
    return cam


def run(src: WatchedSource, clock: FakeClock, seconds: float) -> list[str]:
    """Read for ``seconds`` of virtual time at 30 fps; the health after each read."""
    seen = []
    end = clock.t + seconds
    while clock.t < end:
        src.read()
        seen.append(src.health)
        clock.t += 1 / FPS
    return seen


def test_sources_implement_the_interface(tmp_path: Path, woman: np.ndarray) -> None:
    cam = VirtualCamera(VirtualScript(face_image=woman))
    for src in (
        WebcamSource(0),
        VideoFileSource(tmp_path / "x.avi"),
        ImageFolderSource(tmp_path),
        cam,
        WatchedSource(cam),
        FaultInjectingSource(cam),
    ):
        assert isinstance(src, FrameSource)


def test_virtual_camera_frames(camera: VirtualCamera) -> None:
    info = camera.open()
    assert (info.width, info.height, info.fps) == (1280, 720, 30.0)
    a, b = camera.read(), camera.read()
    assert a.shape == (720, 1280, 3) and a.dtype == np.uint8
    assert not np.array_equal(a, b)  # fresh sensor noise: a still scene is not a frozen stream
    assert camera.now == pytest.approx(2 / 30)
    with pytest.raises(ValueError):
        camera.set_stage("dance")
    camera.close()
    assert camera.read() is None


def test_image_folder_source(tmp_path: Path, grace: np.ndarray, woman: np.ndarray) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), grace)
    (tmp_path / "b.jpg").write_bytes(b"not a jpeg")
    cv2.imwrite(str(tmp_path / "c.jpg"), woman)
    src = ImageFolderSource(tmp_path)
    info = src.open()
    assert (info.width, info.height) == (grace.shape[1], grace.shape[0])
    frames = [src.read(), src.read(), src.read()]
    assert frames[0].shape == grace.shape and frames[1].shape == woman.shape and frames[2] is None
    looped = ImageFolderSource(tmp_path, loop=True)
    looped.open()
    assert [looped.read().shape for _ in range(3)] == [grace.shape, woman.shape, grace.shape]
    with pytest.raises(SourceError):
        ImageFolderSource(tmp_path / "empty_or_missing").open()


def test_video_file_source(tmp_path: Path, camera: VirtualCamera) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (320, 180))
    assert writer.isOpened()
    camera.open()
    for _ in range(12):
        writer.write(cv2.resize(camera.read(), (320, 180)))
    writer.release()
    src = VideoFileSource(path)
    info = src.open()
    assert (info.width, info.height) == (320, 180) and info.fps == pytest.approx(30.0)
    n = 0
    while src.read() is not None:
        n += 1
    assert n == 12
    src.close()
    with pytest.raises(SourceError):
        VideoFileSource(tmp_path / "missing.avi").open()


def test_webcam_absent_raises_quickly() -> None:
    src = WebcamSource(97, backends=[cv2.CAP_ANY], first_frame_timeout=0.5)
    with pytest.raises(SourceError, match="camera 97"):
        src.open()
    assert src.read() is None


def test_backend_order_prefers_dshow_on_windows() -> None:
    assert backend_order("win32") == [cv2.CAP_DSHOW, cv2.CAP_MSMF, cv2.CAP_ANY]
    assert backend_order("darwin") == [cv2.CAP_ANY]


def test_watchdog_healthy_stream_stays_ok(camera: VirtualCamera) -> None:
    clock = FakeClock()
    src = WatchedSource(camera, clock=clock, sleep=clock.sleep)
    src.open()
    assert set(run(src, clock, 3.0)) == {"ok"}
    assert src.reopens == 0


def test_watchdog_frozen_stream_is_reopened(camera: VirtualCamera) -> None:
    clock = FakeClock()
    faulty = FaultInjectingSource(camera, [(30, 10_000, "freeze")])
    events: list[str] = []
    src = WatchedSource(
        faulty, frozen_after=2.0, backoff=(0.5,), clock=clock, sleep=clock.sleep, on_health=events.append
    )
    src.open()
    seen = run(src, clock, 6.0)
    assert seen[:29] == ["ok"] * 29
    first_frozen = seen.index("frozen")
    assert 2.0 <= (first_frozen - 30) / FPS <= 2.2  # noticed after 2 s of identical frames
    assert events[:3] == ["frozen", "reopening", "ok"]
    assert src.reopens == 1 and faulty.opens == 2
    assert seen[-1] == "ok"


def test_watchdog_black_stream(camera: VirtualCamera) -> None:
    clock = FakeClock()
    events: list[str] = []
    src = WatchedSource(
        FaultInjectingSource(camera, [(10, 10_000, "black")]),
        black_after=1.0,
        clock=clock,
        sleep=clock.sleep,
        on_health=events.append,
    )
    src.open()
    run(src, clock, 4.0)
    assert events[:3] == ["black", "reopening", "ok"]
    assert src.last_fault == "black" and src.health == "ok"


def test_watchdog_unplugged_camera_backs_off_then_recovers(camera: VirtualCamera) -> None:
    clock = FakeClock()
    faulty = FaultInjectingSource(camera, [(10, 10_000, "fail")])
    events: list[str] = []
    src = WatchedSource(
        faulty, lost_after_failures=5, backoff=(0.5, 1.0, 2.0), clock=clock, sleep=clock.sleep, on_health=events.append
    )
    src.open()
    faulty.fail_opens = 3  # the first three reopen attempts fail: still unplugged
    seen = run(src, clock, 8.0)
    assert seen.count("lost") > 0 and seen[-1] == "ok"
    assert events[0] == "lost" and events[-1] == "ok"
    assert events.count("reopening") == 4 and src.reopens == 1
    # waits grow: 0.5, 1, 2, 2 s before the successful fourth attempt
    assert src.failed_reopens == 0


def test_watchdog_reports_failed_reopens_for_the_staff_screen(camera: VirtualCamera) -> None:
    clock = FakeClock()
    faulty = FaultInjectingSource(camera, [(0, 10_000, "fail")], persistent=True)
    src = WatchedSource(faulty, lost_after_failures=3, backoff=(0.2,), clock=clock, sleep=clock.sleep)
    src.open()
    run(src, clock, 3.0)
    assert src.health in ("lost", "reopening")
    assert src.failed_reopens == 0  # opens succeed but the stream stays dead ...
    assert faulty.opens > 5  # ... so the watchdog keeps trying, paced by its backoff


def test_watchdog_passes_stage_through(woman: np.ndarray) -> None:
    cam = VirtualCamera(VirtualScript(face_image=woman))
    src = WatchedSource(cam)
    src.open()
    src.set_stage("face")
    assert cam.stage == "face"


def test_virtual_camera_realtime_pacing(woman: np.ndarray) -> None:
    import time

    cam = VirtualCamera(VirtualScript(face_image=woman), realtime=True)
    cam.open()
    t0 = time.monotonic()
    for _ in range(7):
        cam.read()
    assert time.monotonic() - t0 >= 6 / 30 - 0.01


def test_virtual_customer_who_keeps_the_card_cut_off(detector, woman: np.ndarray) -> None:
    from kiosk.core.vision.quality import assess

    cam = VirtualCamera(VirtualScript(face_image=woman, card_center=(0.95, 0.5)))
    cam.open()
    cam.set_stage("card")
    for _ in range(40):
        frame = cam.read()
    assert assess(frame, "card", detector=detector).problems[0] == "card_cut_off"
