"""Preview frames: what the camera thread hands to the GUI thread (the latest frame wins).

* :class:`FramePacket`: one preview frame (an owning ``QImage``) and what the checks said
  about it (stage, hint, progress, normalised box or card outline).
* :class:`FrameSlot`: a one-element, lock-protected mailbox. The camera thread ``put`` s every
  packet, the newest replacing one the GUI has not taken yet, so nothing queues up when the GUI
  is slow; the GUI thread ``take`` s it when nudged by ``CameraWorker.sig_frame``.
* :func:`bgr_to_qimage`: the preview ``QImage`` of a camera frame, built from an owned,
  contiguous copy with explicit ``bytesPerLine`` and ``.copy()``, scaled down for display.

Threading: packets are built in the camera thread (:mod:`kiosk.ui.camera_worker`) and read on
the GUI thread (the preview widget, :mod:`kiosk.ui.widgets`); a packet is never changed after it
is put in the slot. A ``QImage`` may cross threads; ``QPixmap`` is made on the GUI thread only.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field

import cv2
import numpy as np
from PySide6.QtGui import QImage

# preview images are scaled down to at most this width in the worker (display only).
PREVIEW_MAX_WIDTH = 960


@dataclass
class FramePacket:
    """One preview frame and what the checks said about it (built in the camera thread)."""

    image: QImage
    stage: str
    ok: bool
    problems: tuple[str, ...]
    hint: str | None
    progress: float
    box: tuple[float, float, float, float] | None  # normalised 0..1 in the frame
    quad: np.ndarray | None  # normalised 0..1, shape (4, 2)
    seq: int
    t: float = field(default_factory=time.monotonic)


class FrameSlot:
    """A single-element, lock-protected mailbox: the newest packet replaces the older one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._packet: FramePacket | None = None
        self.dropped = 0

    def put(self, packet: FramePacket) -> bool:
        """Store ``packet``; returns True when the slot was empty (the GUI needs a nudge)."""
        with self._lock:
            was_empty = self._packet is None
            if not was_empty:
                self.dropped += 1
            self._packet = packet
            return was_empty

    def take(self) -> FramePacket | None:
        with self._lock:
            packet, self._packet = self._packet, None
            return packet

    def clear(self) -> None:
        with self._lock:
            self._packet = None


def bgr_to_qimage(frame: np.ndarray, max_width: int = PREVIEW_MAX_WIDTH) -> QImage:
    """An owning ``Format_RGB32`` QImage of ``frame`` (scaled down for display); safe across threads.

    Built in the camera thread: bilinear downscale (display only), BGR -> BGRA (the byte order of
    ``Format_RGB32`` on little-endian machines, so ``QPixmap.fromImage`` on the GUI thread does
    not convert), explicit ``bytesPerLine``, then ``.copy()`` so the image owns its pixels.
    """
    h, w = frame.shape[:2]
    if w > max_width:
        frame = cv2.resize(frame, (max_width, round(h * max_width / w)), interpolation=cv2.INTER_LINEAR)
    if sys.byteorder == "little":
        arr = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA))
        fmt = QImage.Format.Format_RGB32
    else:  # pragma: no cover - big-endian hosts
        arr = np.ascontiguousarray(frame)
        fmt = QImage.Format.Format_BGR888
    h, w = arr.shape[:2]
    image = QImage(arr.data, w, h, arr.strides[0], fmt)
    return image.copy()  # own the pixels: the numpy buffer may be reused or zeroed later
