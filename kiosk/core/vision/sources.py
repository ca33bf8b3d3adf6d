"""Frame sources behind one interface.

``FrameSource``: ``open() -> SourceInfo``, ``read() -> ndarray | None`` (BGR uint8, the caller owns
the array), ``close()``, ``set_stage(stage)`` (only the virtual camera acts on it).

* :class:`WebcamSource` - a camera by index. On Windows it tries DirectShow first (MSMF can take
  seconds to minutes to open, opencv#17687), then MSMF, then any backend. It requests a size and
  frame rate, then reads a real frame and reports what was *delivered* (``set()`` can return
  True without applying anything, opencv#23533).
* :class:`VideoFileSource`, :class:`ImageFolderSource` - recorded material (tests, demos, tuning).
* :class:`VirtualCamera` (in :mod:`kiosk.core.vision.virtual_camera`, re-exported here) - a
  scripted customer.
* :class:`FaultInjectingSource` - wraps a source and freezes, blacks out or fails it on cue
  (tests and the demo's camera-fault scenarios).

The watchdog around any of them, :class:`~kiosk.core.vision.camera_watchdog.WatchedSource`, is in
:mod:`kiosk.core.vision.camera_watchdog`.

Threading/ownership: a source is opened, read and closed by ONE thread (the camera thread; the
design rule is that the camera is opened and released inside the thread that reads it).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

__all__ = [
    "FaultInjectingSource",
    "FrameSource",
    "ImageFolderSource",
    "SourceError",
    "SourceInfo",
    "VideoFileSource",
    "WebcamSource",
    "backend_order",
    "probe_camera",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


class SourceError(RuntimeError):
    """A source cannot be opened."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a source delivers: frame ``width`` x ``height`` (from a real frame), ``fps``, ``name``;
    for webcams also the ``backend`` used and the ``requested`` (w, h, fps)."""

    width: int
    height: int
    fps: float
    name: str
    backend: str = ""
    requested: tuple[int, int, float] | None = None
    fourcc: str = ""


@runtime_checkable
class FrameSource(Protocol):
    """The interface every frame source implements (see the module docstring)."""

    def open(self) -> SourceInfo: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...

    def set_stage(self, stage: str) -> None: ...


def _backend_name(api: int) -> str:
    names = {cv2.CAP_ANY: "ANY", cv2.CAP_DSHOW: "DSHOW", cv2.CAP_MSMF: "MSMF"}
    if hasattr(cv2, "CAP_V4L2"):
        names[cv2.CAP_V4L2] = "V4L2"
    if hasattr(cv2, "CAP_AVFOUNDATION"):
        names[cv2.CAP_AVFOUNDATION] = "AVFOUNDATION"
    return names.get(api, str(api))


def backend_order(platform: str | None = None) -> list[int]:
    """Capture backends to try, best first, for ``platform`` (default: this one)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return [cv2.CAP_DSHOW, cv2.CAP_MSMF, cv2.CAP_ANY]
    if platform.startswith("linux") and hasattr(cv2, "CAP_V4L2"):
        return [cv2.CAP_V4L2, cv2.CAP_ANY]
    return [cv2.CAP_ANY]


class WebcamSource:
    """A webcam by index. ``open()`` raises :class:`SourceError` if no backend delivers a frame."""

    def __init__(
        self,
        index: int = 0,
        *,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        backends: Sequence[int] | None = None,
        first_frame_timeout: float = 3.0,
        fourcc: str | None = "MJPG",
    ) -> None:
        self.index = index
        #: compressed MJPG lets USB 2 webcams deliver 720p at 30 fps (raw YUY2 often gives 5-10
        #: fps); set before the size, the order some drivers need (opencv#9084). None = leave it.
        self.fourcc = fourcc
        self.requested = (width, height, fps)
        self.backends = list(backends) if backends is not None else backend_order()
        self.first_frame_timeout = first_frame_timeout
        self._cap: cv2.VideoCapture | None = None
        self._first: np.ndarray | None = None
        self.info: SourceInfo | None = None

    def open(self) -> SourceInfo:
        self.close()
        w, h, fps = self.requested
        errors = []
        for api in self.backends:
            cap = cv2.VideoCapture(self.index, api)
            if not cap.isOpened():
                cap.release()
                errors.append(f"{_backend_name(api)}: not opened")
                continue
            if self.fourcc:
                cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.fourcc))
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
            cap.set(cv2.CAP_PROP_FPS, fps)
            frame = None
            deadline = time.monotonic() + self.first_frame_timeout
            while time.monotonic() < deadline:
                ok, frame = cap.read()
                if ok and frame is not None and frame.size:
                    break
                frame = None
                time.sleep(0.05)
            if frame is None:
                cap.release()
                errors.append(f"{_backend_name(api)}: no frame")
                continue
            got_fps = cap.get(cv2.CAP_PROP_FPS)
            code = int(cap.get(cv2.CAP_PROP_FOURCC)) & 0xFFFFFFFF
            fourcc = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)) if code else ""
            self._cap, self._first = cap, frame
            self.info = SourceInfo(
                width=int(frame.shape[1]),
                height=int(frame.shape[0]),
                fps=float(got_fps) if got_fps and got_fps > 0 else float(fps),
                name=f"webcam:{self.index}",
                backend=_backend_name(api),
                requested=(w, h, fps),
                fourcc=fourcc.strip("\x00 "),
            )
            return self.info
        raise SourceError(f"camera {self.index} not available ({'; '.join(errors) or 'no backends'})")

    def read(self) -> np.ndarray | None:
        if self._first is not None:
            f, self._first = self._first, None
            return f
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        return frame if ok and frame is not None and frame.size else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap, self._first = None, None

    def set_stage(self, stage: str) -> None:
        """No-op: a real camera films whatever the customer does."""


def probe_camera(index: int, *, width: int = 1280, height: int = 720, fps: float = 30.0) -> SourceInfo | str:
    """Open camera ``index`` once, report what it really delivers, close it again (for
    ``kiosk doctor``). Returns the :class:`SourceInfo` or the error text. Probe only configured
    indexes: probing blindly freezes some capture cards and floods logs (opencv#23844)."""
    cam = WebcamSource(index, width=width, height=height, fps=fps)
    try:
        return cam.open()
    except SourceError as exc:
        return str(exc)
    finally:
        cam.close()


class VideoFileSource:
    """Frames of a video file; ``read()`` returns ``None`` at the end unless ``loop``."""

    def __init__(self, path: str | Path, *, loop: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> SourceInfo:
        self.close()
        cap = cv2.VideoCapture(str(self.path))
        ok, frame = cap.read() if cap.isOpened() else (False, None)
        if not ok or frame is None:
            cap.release()
            raise SourceError(f"cannot read video {self.path}")
        cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._cap = cap
        return SourceInfo(
            int(frame.shape[1]), int(frame.shape[0]), float(fps) if fps > 0 else 30.0, f"video:{self.path.name}"
        )

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        if not ok and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap = None

    def set_stage(self, stage: str) -> None:
        """No-op."""


def _load_or_none(path: Path) -> np.ndarray | None:
    """One image through the size/pixel-limited loader; ``None`` when it is refused."""
    from kiosk.core.vision.imageio import ImageLoadError, load_image

    try:
        return load_image(path)
    except ImageLoadError:
        return None


class ImageFolderSource:
    """The images of a folder in name order (unreadable files are skipped); ``loop`` cycles."""

    def __init__(self, folder: str | Path, *, loop: bool = False, fps: float = 30.0) -> None:
        self.folder = Path(folder)
        self.loop = loop
        self.fps = fps
        self._files: list[Path] = []
        self._i = 0

    def open(self) -> SourceInfo:
        if not self.folder.is_dir():
            raise SourceError(f"not a folder: {self.folder}")
        self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        self._i = 0
        for p in self._files:
            img = _load_or_none(p)
            if img is not None:
                return SourceInfo(int(img.shape[1]), int(img.shape[0]), self.fps, f"folder:{self.folder.name}")
        raise SourceError(f"no readable images in {self.folder}")

    def read(self) -> np.ndarray | None:
        tried = 0
        while self._files and tried < len(self._files):
            if self._i >= len(self._files):
                if not self.loop:
                    return None
                self._i = 0
            p = self._files[self._i]
            self._i += 1
            tried += 1
            img = _load_or_none(p)
            if img is not None:
                return img
        return None

    def close(self) -> None:
        self._files, self._i = [], 0

    def set_stage(self, stage: str) -> None:
        """No-op."""


class FaultInjectingSource:
    """Wraps a source and misbehaves on cue, counted in frames read since the last ``open()``.

    ``faults``: (first_frame, last_frame_exclusive, kind) with kind ``"freeze"`` (repeat the
    last good frame), ``"black"`` (all-zero frames) or ``"fail"`` (``read()`` returns ``None``).
    ``fail_opens``: the next N ``open()`` calls raise :class:`SourceError` (camera unplugged).
    ``persistent``: faults apply on every (re)open; otherwise only until the first reopen.
    """

    def __init__(
        self,
        inner: FrameSource,
        faults: Sequence[tuple[int, int, str]] = (),
        *,
        fail_opens: int = 0,
        persistent: bool = False,
    ) -> None:
        self.inner = inner
        self.faults = list(faults)
        self.fail_opens = fail_opens
        self.persistent = persistent
        self.opens = 0
        self._n = 0
        self._last: np.ndarray | None = None

    def open(self) -> SourceInfo:
        self.opens += 1
        if self.fail_opens > 0:
            self.fail_opens -= 1
            raise SourceError("injected: camera not available")
        if self.opens > 1 and not self.persistent:
            self.faults = []
        self._n = 0
        return self.inner.open()

    def read(self) -> np.ndarray | None:
        i = self._n
        self._n += 1
        kind = next((k for a, b, k in self.faults if a <= i < b), None)
        if kind == "fail":
            return None
        frame = self.inner.read()
        if kind == "freeze" and self._last is not None:
            return self._last.copy()
        if kind == "black" and frame is not None:
            return np.zeros_like(frame)
        if frame is not None:
            self._last = frame.copy()
        return frame

    def close(self) -> None:
        self.inner.close()

    def set_stage(self, stage: str) -> None:
        self.inner.set_stage(stage)


def __getattr__(name: str) -> object:  # lazy re-export (virtual_camera imports this module)
    if name == "VirtualCamera":
        from kiosk.core.vision.virtual_camera import VirtualCamera

        return VirtualCamera
    raise AttributeError(name)
