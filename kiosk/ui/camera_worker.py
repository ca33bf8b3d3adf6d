"""The camera thread: :class:`CameraWorker` reads the frame source and feeds the preview and the
analyzer; :class:`CameraController` owns the camera and analysis threads.

* Both workers are ``QObject`` s moved to their own ``QThread`` ("camera", "analysis");
  ``thread.started`` runs their loop, which ends when ``request_stop()`` sets a
  ``threading.Event``. The frame source is opened **and** closed inside the camera thread; the
  vision pipeline lives in the analysis thread (:mod:`kiosk.ui.frame_analysis`).
* Per frame, in the camera thread: a preview ``QImage`` (:func:`~kiosk.ui.preview_frames.bgr_to_qimage`),
  then the frame goes to the analyzer, which checks the newest frame only (latest wins), so the
  preview keeps the camera's frame rate even when the checks are slower.
* Latest frame wins: the packet goes into a one-element :class:`~kiosk.ui.preview_frames.FrameSlot`;
  ``sig_frame`` is emitted only when the GUI has taken the previous one, so nothing queues up if
  the GUI is slow.
* Commands from the GUI thread (stage, manual capture, new source) are plain thread-safe
  setters read by the loop at the top of each iteration (the loop never returns to the
  thread's event loop, so queued slots would never run).
* Camera health: failed reads, or a watched source's fault lasting ``lost_after_s``, are
  reported once as ``sig_health("lost")``, and ``"ok"`` when frames flow again.

Threading: the controller lives on the GUI thread, which calls ``start`` and ``stop`` (stop
joins both threads). The workers never touch widgets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk.ui.frame_analysis import Analysis, FrameAnalyzer, FramePipeline, VisionPipeline, ema
from kiosk.ui.preview_frames import FramePacket, FrameSlot, bgr_to_qimage

# the logger keeps the name of the module this code came from (kiosk.ui.workers): same log lines
log = logging.getLogger("kiosk.ui.workers")

# consecutive failed reads before the camera is reported lost (when the source has no health).
LOST_AFTER_FAILED_READS = 15


def _health_of(source: Any) -> str | None:
    """A WatchedSource-like ``health`` as "ok" / "lost" / "degraded" (None: the source has none).

    WatchedSource reports "ok", "lost", or a fault it is recovering from ("frozen", "black",
    "reopening"); a fault that lasts longer than ``CameraWorker.lost_after_s`` counts as lost.
    """
    value = getattr(source, "health", None)
    if value is None:
        return None
    name = str(getattr(value, "value", value)).lower()
    if name in ("ok", "healthy"):
        return "ok"
    if name in ("lost", "failed", "unplugged", "dead"):
        return "lost"
    return "degraded"


class CameraWorker(QObject):
    """Reads the camera and feeds the preview and the analyzer; lives in its own QThread.

    ``source_factory`` is called inside this thread, so the camera device is created, read and
    released by this thread only. Every frame becomes a preview packet (at the camera's rate)
    and is handed to the :class:`FrameAnalyzer` (which keeps only the newest).
    """

    sig_opened = Signal(object)
    """The source opened: its ``SourceInfo`` (width, height, fps, name)."""
    sig_frame = Signal()
    """A new packet is in :attr:`slot` (emitted only when the slot was empty)."""
    sig_health = Signal(str)
    """Camera health changed: "ok" or "lost"."""
    sig_finished = Signal()
    """The loop ended and the source is closed (always emitted, also after an error)."""

    def __init__(
        self,
        source_factory: Callable[[], Any],
        analyzer: FrameAnalyzer | None = None,
        *,
        pace_fps: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._source_factory = source_factory
        self.analyzer = analyzer
        self._pace_fps = pace_fps
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._stage = "idle"
        self._stage_dirty = True
        self._manual = False
        self._new_factory: Callable[[], Any] | None = None
        self.slot = FrameSlot()
        # a camera fault (frozen, black, reopening) lasting this long is reported as lost
        self.lost_after_s = 3.0
        self.frames = 0
        self.fps = 0.0  # frames read and shown per second (updated about once a second)
        self.cpu_ms = 0.0  # CPU time per frame in this thread: read + preview image (moving average)
        self._fps_t0 = time.monotonic()
        self._fps_n0 = 0
        self.source_info: Any = None

    # ---- commands (any thread) --------------------------------------------------------------
    def request_stop(self) -> None:
        """Ask the loop to end; it closes the source and emits ``sig_finished``."""
        self._stop.set()

    def set_stage(self, stage: str) -> None:
        """ "card", "face" or "idle": what to check for (also told to a virtual camera)."""
        with self._lock:
            if stage != self._stage:
                self._stage = stage
                self._stage_dirty = True
                self._manual = False

    def stage_captured(self, stage: str) -> None:
        """The analyzer captured ``stage``: go idle unless the GUI has moved on already."""
        with self._lock:
            if self._stage == stage:
                self._stage = "idle"
                self._stage_dirty = True

    def request_manual_capture(self) -> None:
        """Capture the next frame of the current stage regardless of the checks."""
        with self._lock:
            self._manual = True

    def replace_source(self, factory: Callable[[], Any]) -> None:
        """Close the current source and open ``factory()`` instead (in the worker thread)."""
        with self._lock:
            self._new_factory = factory
            self._stage_dirty = True

    # ---- the loop (worker thread) -----------------------------------------------------------
    @Slot()
    def run(self) -> None:
        source = None
        try:
            source = self._open(self._source_factory)
            failures = 0
            lost = False
            bad_since: float | None = None
            stage = "idle"
            next_t = time.monotonic()
            while not self._stop.is_set():
                with self._lock:
                    factory, self._new_factory = self._new_factory, None
                    changed, self._stage_dirty = self._stage_dirty, False
                    stage = self._stage
                    manual, self._manual = self._manual, False
                if factory is not None:
                    self._close(source)
                    source = self._open(factory)
                if changed:
                    if source is not None and hasattr(source, "set_stage"):
                        source.set_stage(stage)
                    self.slot.clear()
                cpu0 = time.thread_time()
                try:
                    frame = source.read() if source is not None else None
                except Exception:  # a driver fault must not end the camera thread for good
                    log.warning("camera read failed", exc_info=True)
                    frame = None
                health = _health_of(source)
                now = time.monotonic()
                if frame is None or health in ("lost", "degraded"):
                    failures = failures + 1 if frame is None else failures
                    bad_since = now if bad_since is None else bad_since
                    gone = health == "lost" or (health is None and failures >= LOST_AFTER_FAILED_READS)
                    if not lost and (gone or now - bad_since >= self.lost_after_s):
                        lost = True
                        self.sig_health.emit("lost")
                    if frame is None:
                        self._stop.wait(0.05 if not lost else 0.2)
                        continue
                else:
                    failures = 0
                    bad_since = None
                    if lost:
                        lost = False
                        self.sig_health.emit("ok")
                try:
                    self._process(frame, stage, manual, self._now(source))
                except Exception:  # one bad frame must not stop the camera
                    log.exception("frame processing failed")
                    self._stop.wait(0.05)
                self.cpu_ms = ema(self.cpu_ms, (time.thread_time() - cpu0) * 1000)
                if self._pace_fps:
                    next_t += 1.0 / self._pace_fps
                    delay = next_t - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                    else:
                        next_t = time.monotonic()
        except Exception:
            log.exception("camera worker failed")
            self.sig_health.emit("lost")
        finally:
            self._close(source)
            self.slot.clear()
            self.sig_finished.emit()

    def _now(self, source: Any) -> float:
        """Capture timing clock: a virtual camera's own time (deterministic when unpaced), else ours."""
        virtual = getattr(source, "now", None)
        if virtual is None:  # a watchdog wrapper around a virtual camera
            virtual = getattr(getattr(source, "inner", None), "now", None)
        return float(virtual) if isinstance(virtual, int | float) else self._clock()

    def _open(self, factory: Callable[[], Any]) -> Any:
        """Create and open a source; on failure the loop's failed reads report the loss."""
        source = factory()
        try:
            self.source_info = source.open()
            self.sig_opened.emit(self.source_info)
        except Exception as exc:  # SourceError, or a driver error: the watchdog logic takes over
            log.warning("camera open failed: %s: %s", type(exc).__name__, exc)
            self.source_info = None
        return source

    @staticmethod
    def _close(source: Any) -> None:
        if source is not None:
            try:
                source.close()
            except Exception:  # closing must never stop the loop from ending
                log.exception("camera close failed")

    def _process(self, frame: np.ndarray, stage: str, manual: bool, now: float) -> None:
        self.frames += 1
        tick = time.monotonic()
        if tick - self._fps_t0 >= 1.0:
            self.fps = (self.frames - self._fps_n0) / (tick - self._fps_t0)
            self._fps_t0, self._fps_n0 = tick, self.frames
        image = bgr_to_qimage(frame)  # before the hand-over: the analyzer owns the frame after
        analysis = Analysis(stage)
        if self.analyzer is not None:
            self.analyzer.submit(frame, stage, now, manual)
            latest = self.analyzer.latest()
            if latest.stage == stage:
                analysis = latest
        packet = FramePacket(
            image=image,
            stage=stage,
            ok=analysis.ok,
            problems=analysis.problems,
            hint=analysis.hint,
            progress=analysis.progress,
            box=analysis.box,
            quad=analysis.quad,
            seq=self.frames,
        )
        if self.slot.put(packet):
            self.sig_frame.emit()


class CameraController(QObject):
    """Owns the camera and analysis QThreads and their workers (GUI thread).

    ``start()`` starts both; ``stop()`` asks both loops to end and joins both threads.
    """

    def __init__(
        self,
        source_factory: Callable[[], Any],
        pipeline_factory: Callable[[], FramePipeline] = VisionPipeline,
        *,
        pace_fps: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.analyzer = FrameAnalyzer(pipeline_factory, on_captured=self._stage_captured)
        self.worker = CameraWorker(source_factory, self.analyzer, pace_fps=pace_fps)
        self.thread = QThread()
        self.thread.setObjectName("camera")
        self.analysis_thread = QThread()
        self.analysis_thread.setObjectName("analysis")
        self.worker.moveToThread(self.thread)
        self.analyzer.moveToThread(self.analysis_thread)
        self.thread.started.connect(self.worker.run)
        self.worker.sig_finished.connect(self.thread.quit)
        self.analysis_thread.started.connect(self.analyzer.run)
        self.analyzer.sig_finished.connect(self.analysis_thread.quit)

    def _stage_captured(self, stage: str) -> None:
        """Called in the analysis thread after a capture (thread-safe)."""
        self.worker.stage_captured(stage)

    def start(self) -> None:
        self.analysis_thread.start()
        self.thread.start()

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Stop both loops and join both threads; True when they ended within ``timeout_ms``."""
        self.worker.request_stop()
        self.analyzer.request_stop()
        ok = True
        for thread in (self.thread, self.analysis_thread):
            if thread.isRunning():
                thread.quit()
                if not thread.wait(timeout_ms):
                    log.error("%s thread did not stop within %d ms", thread.objectName(), timeout_ms)
                    ok = False
        return ok
