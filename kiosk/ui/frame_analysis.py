"""Frame analysis: the vision checks and auto-capture on the newest camera frame, in their own thread.

* :class:`FramePipeline` is what the analyzer needs from the vision package;
  :class:`VisionPipeline` implements it over :mod:`kiosk.core.vision` (face detector,
  ``assess``, ``AutoCapture``, the manual capture's basic checks).
* :class:`FrameAnalyzer` is a ``QObject`` moved to its own ``QThread`` ("analysis", by
  :class:`~kiosk.ui.camera_worker.CameraController`); ``thread.started`` runs its loop, which
  ends when ``request_stop()`` sets a ``threading.Event``. The camera thread :meth:`~FrameAnalyzer.submit` s
  every frame; a frame not yet analysed when the next one arrives is replaced (latest wins), so
  a slow check never slows the preview. What it found is an immutable :class:`Analysis` the
  camera thread reads for the next preview packet.

Threading: the pipeline (and its face detector) is created, used and dropped in the analysis
thread. ``submit``, ``latest`` and ``request_stop`` are safe from any thread (a condition
variable and an event). A capture reaches the GUI thread as ``sig_captured`` (queued); nothing
here touches widgets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

# the logger keeps the name of the module this code came from (kiosk.ui.workers): same log lines
log = logging.getLogger("kiosk.ui.workers")


class FramePipeline(Protocol):
    """What the frame analyzer needs from the vision package; built inside the analysis thread."""

    def assess(self, frame: np.ndarray, stage: str) -> Any: ...
    def feed(self, frame: np.ndarray, assessment: Any, now: float) -> Any: ...
    def set_stage(self, stage: str) -> None: ...
    def manual_capture(self, frame: np.ndarray, assessment: Any) -> Any: ...
    @property
    def hint(self) -> str | None: ...
    @property
    def progress(self) -> float: ...


#: the steady run before an auto-capture: the countdown ring the customer sees (>= 1 s)
COUNTDOWN_S = 1.2


class VisionPipeline:
    """:class:`FramePipeline` over :mod:`kiosk.core.vision` (created and used in the analysis thread)."""

    def __init__(self) -> None:
        from kiosk.core import vision

        self._vision = vision
        self._detector = vision.FaceDetector()
        self._stage = "idle"
        self._auto: Any = None

    def set_stage(self, stage: str) -> None:
        self._wipe()
        self._stage = stage
        self._auto = (
            self._vision.AutoCapture(stage, detector=self._detector, min_steady_s=COUNTDOWN_S)
            if stage in ("card", "face")
            else None
        )

    def _wipe(self) -> None:
        """Zero the frame copy the finished AutoCapture kept (it shows the customer's card or face).

        ``AutoCapture`` has no public wipe yet (asked for); until then its documented best-frame
        copy is zeroed here. The capture handed to the session is zeroed by the session.
        """
        best = getattr(self._auto, "_best_frame", None)
        if isinstance(best, np.ndarray) and best.flags.writeable:
            best.fill(0)

    def assess(self, frame: np.ndarray, stage: str) -> Any:
        return self._vision.assess(frame, stage, detector=self._detector)

    def feed(self, frame: np.ndarray, assessment: Any, now: float) -> Any:
        return None if self._auto is None else self._auto.feed(frame, assessment, now)

    @property
    def hint(self) -> str | None:
        return None if self._auto is None else self._auto.hint

    @property
    def progress(self) -> float:
        return 0.0 if self._auto is None else float(self._auto.progress)

    def manual_capture(self, frame: np.ndarray, assessment: Any) -> Any:
        """A capture of the current frame when the customer presses the manual button.

        The manual button skips the steady-run wait and the finer checks (the customer has been
        trying for a while), never the basic ones: a card must have been found (its outline is
        what gets rectified and sent) and exactly one face must be in view. Otherwise ``None``:
        no capture, the live hint keeps telling what is wrong, and no billed call is made on a
        picture the service would only refuse.
        """
        v = self._vision
        stage = self._stage
        problems = set(getattr(assessment, "problems", ()) or ())
        basic = {"unreadable_image", "image_too_small"}
        if stage == "card":
            basic |= {"no_card", "card_cut_off", "card_wrong_side"}
            if getattr(assessment, "quad", None) is None:
                return None
        else:
            basic |= {"no_face", "multiple_faces"}
            if getattr(assessment, "box", None) is None:
                return None
        if problems & basic:
            log.info("manual %s capture refused: %s", stage, ",".join(sorted(problems & basic)))
            return None
        image = np.ascontiguousarray(v.upload_image(frame, assessment, detector=self._detector)).copy()
        encoded = v.encode_for_upload(image, stage)
        return v.Capture(stage=stage, image=image, jpeg=encoded.jpeg, assessment=assessment)


def ema(previous: float, value: float, alpha: float = 0.05) -> float:
    """Exponential moving average (the first value seeds it)."""
    return value if previous == 0.0 else previous + alpha * (value - previous)


@dataclass(frozen=True)
class Analysis:
    """What the checks said about the latest analysed frame (normalised geometry)."""

    stage: str
    ok: bool = False
    problems: tuple[str, ...] = ()
    hint: str | None = None
    progress: float = 0.0
    box: tuple[float, float, float, float] | None = None
    quad: np.ndarray | None = None


class FrameAnalyzer(QObject):
    """Runs ``assess`` + auto-capture on the newest camera frame, in its own QThread.

    The camera thread :meth:`submit` s every frame; a frame not yet analysed when the next one
    arrives is replaced (latest wins), so a slow check never slows the preview. The pipeline
    (and its face detector) is created, used and dropped in this thread.
    """

    sig_captured = Signal(object)
    """Auto or manual capture: a ``kiosk.core.vision.Capture`` (the receiver owns it)."""
    sig_finished = Signal()
    """The loop ended (always emitted, also after an error)."""

    def __init__(self, pipeline_factory: Callable[[], FramePipeline], on_captured: Callable[[str], None]) -> None:
        super().__init__()
        self._pipeline_factory = pipeline_factory
        self._on_captured = on_captured  # thread-safe callback into the camera worker
        self._cond = threading.Condition()
        self._pending: tuple[np.ndarray, str, float, bool] | None = None
        self._stop = threading.Event()
        self._latest = Analysis("idle")
        self.frames = 0
        self.fps = 0.0
        self.cpu_ms = 0.0  # CPU time per analysed frame in this thread (moving average)
        self._fps_t0 = time.monotonic()
        self._fps_n0 = 0

    # ---- any thread -----------------------------------------------------------------------------
    def submit(self, frame: np.ndarray, stage: str, now: float, manual: bool) -> None:
        """Hand over the newest frame (the analyzer owns it from now on)."""
        with self._cond:
            if self._pending is not None and self._pending[3]:
                manual = True  # never lose a manual capture request to "latest wins"
            self._pending = (frame, stage, now, manual)
            self._cond.notify()

    def latest(self) -> Analysis:
        """The newest analysis (immutable)."""
        return self._latest

    def request_stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify()

    # ---- the loop (analysis thread) -----------------------------------------------------------
    @Slot()
    def run(self) -> None:
        pipeline: FramePipeline | None = None
        stage = "idle"
        try:
            pipeline = self._pipeline_factory()
            pipeline.set_stage(stage)
            while not self._stop.is_set():
                with self._cond:
                    if self._pending is None:
                        self._cond.wait(0.1)
                    item, self._pending = self._pending, None
                if item is None:
                    continue
                frame, frame_stage, now, manual = item
                if frame_stage != stage:
                    stage = frame_stage
                    pipeline.set_stage(stage)
                    self._latest = Analysis(stage)
                if stage not in ("card", "face"):
                    continue
                try:
                    self._analyse(pipeline, frame, stage, now, manual)
                except Exception:  # one bad frame (or a failed manual encode) must not stop the checks
                    log.exception("frame analysis failed")
        except Exception:
            log.exception("frame analyzer failed")
        finally:
            if pipeline is not None:
                pipeline.set_stage("idle")  # wipes what the last auto-capture kept
            self._latest = Analysis("idle")
            self.sig_finished.emit()

    def _analyse(self, pipeline: FramePipeline, frame: np.ndarray, stage: str, now: float, manual: bool) -> None:
        self.frames += 1
        cpu0 = time.thread_time()
        tick = time.monotonic()
        if tick - self._fps_t0 >= 1.0:
            self.fps = (self.frames - self._fps_n0) / (tick - self._fps_t0)
            self._fps_t0, self._fps_n0 = tick, self.frames
        try:
            self._analyse_frame(pipeline, frame, stage, now, manual)
        finally:
            self.cpu_ms = ema(self.cpu_ms, (time.thread_time() - cpu0) * 1000)

    def _analyse_frame(self, pipeline: FramePipeline, frame: np.ndarray, stage: str, now: float, manual: bool) -> None:
        h, w = frame.shape[:2]
        assessment = pipeline.assess(frame, stage)
        capture = pipeline.manual_capture(frame, assessment) if manual else None
        if capture is None:
            capture = pipeline.feed(frame, assessment, now)
        box = getattr(assessment, "box", None)
        quad = getattr(assessment, "quad", None)
        self._latest = Analysis(
            stage=stage,
            ok=bool(getattr(assessment, "ok", False)),
            problems=tuple(getattr(assessment, "problems", ()) or ()),
            hint=pipeline.hint,
            progress=pipeline.progress,
            box=None if box is None else (box[0] / w, box[1] / h, box[2] / w, box[3] / h),
            quad=None if quad is None else np.asarray(quad, dtype=np.float32) / np.array([w, h], np.float32),
        )
        if capture is not None:
            self._on_captured(stage)  # stop checking until the GUI says which stage comes next
            self.sig_captured.emit(capture)
