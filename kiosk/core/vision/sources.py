"""Frame sources behind one interface, and a watchdog around any of them.

``FrameSource``: ``open() -> SourceInfo``, ``read() -> ndarray | None`` (BGR uint8, the caller owns
the array), ``close()``, ``set_stage(stage)`` (only the virtual camera acts on it).

* :class:`WebcamSource` - a camera by index. On Windows it tries DirectShow first (MSMF can take
  seconds to minutes to open, opencv#17687), then MSMF, then any backend. It requests a size and
  frame rate, then reads a real frame and reports what was *delivered* (``set()`` can return
  True without applying anything, opencv#23533).
* :class:`VideoFileSource`, :class:`ImageFolderSource` - recorded material (tests, demos, tuning).
* :class:`VirtualCamera` (in :mod:`kiosk.core.vision.virtual_camera`, re-exported here) - a
  scripted customer.
* :class:`WatchedSource` - notices frozen (identical frames for N s), black, or vanished streams
  (``read()`` failing) and reopens with backoff, exposing ``health`` for the UI.
* :class:`FaultInjectingSource` - wraps a source and freezes, blacks out or fails it on cue
  (tests and the demo's camera-fault scenarios).

Threading/ownership: a source is opened, read and closed by ONE thread (the camera thread; the
design rule is that the camera is opened and released inside the thread that reads it).
``WatchedSource.health`` / ``info`` are plain attributes and may be read from any thread.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

__all__ = [
    "HEALTH_STATES",
    "FaultInjectingSource",
    "FrameSource",
    "ImageFolderSource",
    "SourceError",
    "SourceInfo",
    "VideoFileSource",
    "WatchedSource",
    "WebcamSource",
    "backend_order",
    "probe_camera",
]

HEALTH_STATES = ("ok", "frozen", "black", "lost", "reopening")
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


def _is_frame(frame: object) -> bool:
    """A usable BGR frame: uint8, height x width x 3, at least 16 px each way."""
    return (
        isinstance(frame, np.ndarray)
        and frame.dtype == np.uint8
        and frame.ndim == 3
        and frame.shape[2] == 3
        and min(frame.shape[:2]) >= 16
    )


class WatchedSource:
    """Watchdog wrapper: detects frozen / black / lost streams and reopens with backoff.

    * frozen: consecutive frames bit-identical on a sparse grid of raw pixels (every 8th row and
      column) for ``frozen_after`` seconds. Raw pixels, not a thumbnail: averaging removes the
      sensor noise that tells a still scene from a stalled driver repeating its last buffer
      (opencv#5221);
    * black: thumbnail mean below ``black_luma``, or below ``covered_luma`` with a grey standard
      deviation under ``covered_std`` (a covered lens: only amplified noise), for ``black_after``
      seconds (lens covered, privacy shutter, dead sensor);
    * lost: ``lost_after_failures`` consecutive failed reads (unplugged), or ``open()`` failing.

    On a fault ``health`` becomes the fault's name, the inner source is closed and reopened after
    ``backoff[k]`` seconds (k = failed reopens so far, the last value repeats); ``health`` is
    ``"reopening"`` from the reopen until frames flow again (a frame that is neither black nor
    a repeat of the one before), then ``"ok"``. ``failed_reopens``
    counts consecutive failures so the UI can switch to the staff screen after a few.
    While waiting, ``read()`` returns ``None`` after sleeping at most ``idle_sleep`` seconds, so a
    reading loop does not spin. ``clock``/``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        inner: FrameSource,
        *,
        frozen_after: float = 2.0,
        black_after: float = 1.0,
        black_luma: float = 8.0,
        covered_luma: float = 40.0,
        covered_std: float = 4.0,
        lost_after_failures: int = 5,
        backoff: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0),
        idle_sleep: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_health: Callable[[str], None] | None = None,
    ) -> None:
        self.inner = inner
        self.frozen_after = frozen_after
        self.black_after = black_after
        self.black_luma = black_luma
        self.covered_luma = covered_luma
        self.covered_std = covered_std
        self.lost_after_failures = lost_after_failures
        self.backoff = tuple(backoff) or (1.0,)
        self.idle_sleep = idle_sleep
        self.clock = clock
        self.sleep = sleep
        self.on_health = on_health
        self.health = "ok"
        self.info: SourceInfo | None = None
        self.reopens = 0
        self.failed_reopens = 0
        self.last_fault: str | None = None
        self._stage = "idle"
        self._reset_detectors()
        self._next_attempt: float | None = None

    # -- helpers
    def _set_health(self, h: str) -> None:
        if h != self.health:
            self.health = h
            if self.on_health is not None:
                self.on_health(h)

    def _reset_detectors(self) -> None:
        self._failures = 0
        self._prev_thumb: np.ndarray | None = None
        self._same_since: float | None = None
        self._black_since: float | None = None

    def _fault(self, kind: str) -> None:
        self.last_fault = kind
        self._set_health(kind)
        with contextlib.suppress(Exception):  # a broken driver must not kill the watchdog
            self.inner.close()
        delay = self.backoff[min(self.failed_reopens, len(self.backoff) - 1)]
        self._next_attempt = self.clock() + delay

    # -- FrameSource
    def open(self) -> SourceInfo:
        """Open the inner source; raises :class:`SourceError` if that fails (nothing to watch yet)."""
        self.info = self.inner.open()
        self.inner.set_stage(self._stage)
        self._reset_detectors()
        self._next_attempt = None
        self._set_health("ok")
        return self.info

    def _try_reopen(self) -> None:
        self._set_health("reopening")
        try:
            self.info = self.inner.open()
            self.inner.set_stage(self._stage)
        except Exception:
            self.failed_reopens += 1
            self._fault("lost")
            return
        self.reopens += 1
        self._reset_detectors()
        self._next_attempt = None
        # health stays "reopening" until a frame shows the stream is really back (not black, not
        # a repeat): a covered lens or a stalled driver then reads as one long fault, which the
        # UI turns into the out-of-service path, instead of "ok" blinking between faults

    def read(self) -> np.ndarray | None:
        if self._next_attempt is not None:
            now = self.clock()
            if now < self._next_attempt:
                self.sleep(min(self.idle_sleep, self._next_attempt - now))
                return None
            self._try_reopen()
            if self._next_attempt is not None:
                return None
        try:
            frame = self.inner.read()
        except Exception:
            frame = None
        if frame is not None and not _is_frame(frame):
            frame = None  # a broken driver's buffer counts as a failed read, never reaches the checks
        now = self.clock()
        if frame is None:
            self._failures += 1
            if self._failures >= self.lost_after_failures:
                self._fault("lost")
            return None
        self._failures = 0
        thumb = np.ascontiguousarray(frame[::8, ::8])
        # black: nearly no light, or a dark frame without structure (a covered lens with the
        # sensor's gain turned up shows noise around a low mean, not a dark scene's edges)
        mean, sd = cv2.meanStdDev(thumb if thumb.ndim == 2 else cv2.cvtColor(thumb, cv2.COLOR_BGR2GRAY))
        if float(mean[0, 0]) < self.black_luma or (
            float(mean[0, 0]) < self.covered_luma and float(sd[0, 0]) < self.covered_std
        ):
            self._black_since = self._black_since if self._black_since is not None else now
            if now - self._black_since >= self.black_after:
                self._fault("black")
                return frame
        else:
            self._black_since = None
        # frozen
        prev = self._prev_thumb
        self._prev_thumb = thumb
        if prev is not None and prev.shape == thumb.shape and np.array_equal(prev, thumb):
            self._same_since = self._same_since if self._same_since is not None else now
            if now - self._same_since >= self.frozen_after:
                self._fault("frozen")
                return frame
        else:
            self._same_since = None
        if self.health != "ok" and self._black_since is None and self._same_since is None and prev is not None:
            self._set_health("ok")
        self.failed_reopens = 0
        return frame

    def close(self) -> None:
        self._next_attempt = None
        self.inner.close()

    def set_stage(self, stage: str) -> None:
        self._stage = stage
        self.inner.set_stage(stage)


def __getattr__(name: str) -> object:  # lazy re-export (virtual_camera imports this module)
    if name == "VirtualCamera":
        from kiosk.core.vision.virtual_camera import VirtualCamera

        return VirtualCamera
    raise AttributeError(name)
