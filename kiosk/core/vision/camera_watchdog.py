"""The camera watchdog: :class:`WatchedSource` wraps any frame source and keeps it alive.

It notices frozen (identical frames for N s), black (covered lens, privacy shutter, dead
sensor) and vanished streams (``read()`` failing, ``open()`` failing), closes the inner source and
reopens it with backoff, and exposes ``health`` (one of :data:`HEALTH_STATES`) for the UI, which
turns a lasting fault into the out-of-service screen. Frames that are not usable BGR images (a
broken driver's buffers) count as failed reads and never reach the checks.

Threading/ownership: like every :class:`~kiosk.core.vision.sources.FrameSource`, a
:class:`WatchedSource` and the source it wraps are opened, read and closed by ONE thread (the
camera thread). ``health`` / ``info`` / ``failed_reopens`` are plain attributes and may be read
from any thread; ``on_health`` is called on the reading thread.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from kiosk.core.vision.sources import FrameSource, SourceInfo

__all__ = ["HEALTH_STATES", "WatchedSource"]

HEALTH_STATES = ("ok", "frozen", "black", "lost", "reopening")


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
