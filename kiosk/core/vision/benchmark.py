"""Vision performance figures for ``kiosk bench``: ``run_benchmark() -> dict``.

Measures on this machine, with ``time.perf_counter``:

* ``assess()`` on 1280x720 card and face frames from the virtual camera (median and p95 ms;
  target <= 8 ms median, design.md);
* the camera thread's loop (paced 30 fps virtual camera -> assess -> AutoCapture): frames per
  second (target >= 29, i.e. assessing keeps up with the camera);
* JPEG encoding for upload of a captured card crop (1072x676: the card plus a margin) and face crop (head and
  shoulders from a 1280x720 frame, as AutoCapture makes it): size
  in KB (targets: card <= 400, face <= 150), quality, and time for the quality search alone and
  with the decode-and-recheck (``encode_checked``).

Needs no camera, network or Qt. YuNet needs a real face, so the portrait is the first readable
photo in ``resources/demo_people`` or ``../shared/assets/faces`` (the installer ships the first,
CI has the second); without either, the result says so instead of reporting made-up figures.

Runs in the calling thread; creates its own detector.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.core.vision.capture import upload_image
from kiosk.core.vision.detector import FaceDetector
from kiosk.core.vision.encoding import encode_checked, encode_for_upload
from kiosk.core.vision.imageio import ImageLoadError, load_image
from kiosk.core.vision.quality import assess
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript
from kiosk.resources import resource

__all__ = ["find_face_photo", "run_benchmark"]

_ROOT = Path(__file__).resolve().parents[3]
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def find_face_photo() -> np.ndarray | None:
    """A portrait photo for synthetic frames: demo people first, then the shared test assets."""
    for folder in (resource("demo_people"), _ROOT.parent / "shared" / "assets" / "faces"):
        if not folder.is_dir():
            continue
        for p in sorted(folder.rglob("*")):
            if p.suffix.lower() in _IMAGE_SUFFIXES:
                try:
                    img = load_image(p)
                except ImageLoadError:
                    continue
                if min(img.shape[:2]) >= 300:
                    return img
    return None


def _stats(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return {"median_ms": round(statistics.median(s) * 1000, 3), "p95_ms": round(p95 * 1000, 3), "n": len(s)}


def _time_assess(frames: list[np.ndarray], stage: str, det: FaceDetector, repeats: int) -> dict[str, Any]:
    for f in frames[:3]:
        assess(f, stage, detector=det)  # warm-up
    times = []
    oks = 0
    for _ in range(repeats):
        for f in frames:
            t0 = time.perf_counter()
            a = assess(f, stage, detector=det)
            times.append(time.perf_counter() - t0)
            oks += a.ok
    out = _stats(times)
    out["frames_ok_share"] = round(oks / max(1, len(times)), 3)
    return out


def _pipeline_fps(face: np.ndarray, det: FaceDetector, seconds: float) -> dict[str, float]:
    """Frames per second of the camera thread's loop (read a paced 30 fps virtual camera, assess,
    feed AutoCapture) over ``seconds``: >= 29 means assessing does not slow the preview down."""
    from kiosk.core.vision.capture import AutoCapture

    cam = VirtualCamera(VirtualScript(face_image=face, seed=2), realtime=True)
    cam.open()
    cam.set_stage("face")
    ac = AutoCapture("face", detector=det, steady_frames=10**9)  # never finishes: steady state
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        frame = cam.read()
        if frame is None:
            break
        ac.feed(frame, assess(frame, "face", detector=det), time.perf_counter())
        n += 1
    elapsed = time.perf_counter() - t0
    cam.close()
    return {"fps": round(n / elapsed, 2), "source_fps": 30.0, "seconds": round(elapsed, 2)}


def run_benchmark(*, repeats: int = 5, frames_per_stage: int = 30, pipeline_seconds: float = 3.0) -> dict[str, Any]:
    """Run the vision benchmark; returns a JSON-ready dict (see the module docstring)."""
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "opencv": cv2.__version__,
            "opencv_threads": cv2.getNumThreads(),
            "python": platform.python_version(),
            "load_avg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        },
        "frame_size": [1280, 720],
    }
    face = find_face_photo()
    if face is None:
        result["error"] = "no portrait photo found (resources/demo_people or ../shared/assets/faces)"
        return result
    det = FaceDetector()
    cam = VirtualCamera(VirtualScript(face_image=face, seed=1))
    cam.open()
    frames: dict[str, list[np.ndarray]] = {}
    for stage, skip in (("card", 45), ("face", 0)):
        cam.set_stage(stage)
        for _ in range(skip):  # past the card's entrance
            cam.read()
        frames[stage] = [f for f in (cam.read() for _ in range(frames_per_stage)) if f is not None]
    cam.close()
    for stage in ("card", "face"):
        result[f"assess_{stage}"] = _time_assess(frames[stage], stage, det, repeats)
    # encoding: the card crop and the face frame as AutoCapture would produce them
    card_frame = frames["card"][-1]
    a = assess(card_frame, "card", detector=det)
    face_frame = frames["face"][-1]
    images = {"face": upload_image(face_frame, assess(face_frame, "face", detector=det), detector=det)}
    if a.quad is not None:
        images["card"] = upload_image(card_frame, a, detector=det)
    for kind, img in images.items():
        t0 = time.perf_counter()
        enc = encode_for_upload(img, kind)
        t_enc = time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            _, checked = encode_checked(img, kind, detector=det)
            recheck_ok = checked.ok
        except Exception:
            recheck_ok = False
        t_checked = time.perf_counter() - t0
        result[f"encode_{kind}"] = {
            "kb": round(enc.size_kb, 1),
            "quality": enc.quality,
            "size": [enc.width, enc.height],
            "encode_ms": round(t_enc * 1000, 1),
            "encode_and_recheck_ms": round(t_checked * 1000, 1),
            "recheck_ok": recheck_ok,
        }
    if pipeline_seconds > 0:
        result["camera_loop"] = _pipeline_fps(face, det, pipeline_seconds)
    result["targets"] = {"assess_median_ms": 8.0, "face_kb": 150, "card_kb": 400, "camera_loop_fps": 29}
    return result


if __name__ == "__main__":  # pragma: no cover - manual use
    import json

    print(json.dumps(run_benchmark(), indent=2))
