"""Thread workers: the camera loop (QObject in a QThread) and the verification job (QRunnable).

Camera (:class:`CameraWorker` + :class:`FrameAnalyzer`, driven by :class:`CameraController`)
    * Both are ``QObject`` s moved to their own ``QThread`` ("camera", "analysis");
      ``thread.started`` runs their loop, which ends when ``request_stop()`` sets a
      ``threading.Event``. The frame source is opened **and** closed inside the camera thread;
      the vision pipeline (face detector, auto-capture) lives in the analysis thread.
    * Per frame, in the camera thread: a preview ``QImage`` built from an owned, contiguous copy
      with explicit ``bytesPerLine`` and ``.copy()``; then the frame goes to the analyzer, which
      runs ``assess`` + ``AutoCapture.feed`` on the newest frame only (latest wins), so the
      preview keeps the camera's frame rate even when the checks are slower.
    * Latest frame wins: the packet goes into a one-element :class:`FrameSlot`; ``sig_frame`` is
      emitted only when the GUI has taken the previous one, so nothing queues up if the GUI is
      slow. ``QPixmap`` is made on the GUI thread only (in the preview widget).
    * Commands from the GUI thread (stage, manual capture, new source) are plain thread-safe
      setters read by the loop at the top of each iteration (the loop never returns to the
      thread's event loop, so queued slots would never run).

Verification (:class:`VerifyTask`)
    * One ``Verifier.verify`` call per task on the global ``QThreadPool``; progress, verdict and
      failure are signals of a GUI-thread ``QObject`` (:class:`VerifySignals`) connected to
      ``@Slot`` methods of the shell. The task never touches widgets.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThread, Signal, Slot
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

# preview images are scaled down to at most this width in the worker (display only).
PREVIEW_MAX_WIDTH = 960
# consecutive failed reads before the camera is reported lost (when the source has no health).
LOST_AFTER_FAILED_READS = 15


# ---- Frame pipeline (vision seam) ------------------------------------------------------------
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


# ---- Latest-frame slot -----------------------------------------------------------------------
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


def _ema(previous: float, value: float, alpha: float = 0.05) -> float:
    """Exponential moving average (the first value seeds it)."""
    return value if previous == 0.0 else previous + alpha * (value - previous)


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


# ---- Analysis -----------------------------------------------------------------------------
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
            self.cpu_ms = _ema(self.cpu_ms, (time.thread_time() - cpu0) * 1000)

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


# ---- Camera worker ---------------------------------------------------------------------------
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
                self.cpu_ms = _ema(self.cpu_ms, (time.thread_time() - cpu0) * 1000)
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


# ---- Verification job ------------------------------------------------------------------------
class VerifySignals(QObject):
    """Signals of one :class:`VerifyTask` (this object lives in the GUI thread)."""

    sig_progress = Signal(str, int)
    """(step name from ``Verifier.verify``'s ``on_progress``, ticket)."""
    sig_verdict = Signal(object, int)
    """(``Verdict``, ticket)."""
    sig_failed = Signal(str, int)
    """(message key, ticket): the verifier raised instead of returning a verdict."""


def _failure_key(exc: BaseException) -> str:
    entry = getattr(exc, "entry", None)
    key = getattr(entry, "message_key", None)
    if isinstance(key, str) and key:
        return key
    if isinstance(exc, TimeoutError):
        return "err.service_timeout"
    return "err.service_unavailable"


class VerifyTask(QRunnable):
    """Runs ``verifier.verify(...)`` on a pool thread; reports through ``signals``."""

    def __init__(self, verifier: Any, inputs: Any, signals: VerifySignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._verifier = verifier
        self._inputs = inputs
        self.signals = signals

    def run(self) -> None:
        ticket = self._inputs.ticket

        def progress(*args: Any, **_kw: Any) -> None:
            self.signals.sig_progress.emit(str(args[0]) if args else "", ticket)

        try:
            verdict = self._verifier.verify(
                self._inputs.card_jpeg,
                self._inputs.face_jpeg,
                card_result=self._inputs.card_result,
                on_progress=progress,
                session_id=getattr(self._inputs, "session_id", ""),
            )
        except Exception as exc:
            log.warning("verification failed: %s", type(exc).__name__)
            self.signals.sig_failed.emit(_failure_key(exc), ticket)
        else:
            self.signals.sig_verdict.emit(verdict, ticket)
        finally:
            self._inputs = None  # drop the JPEG references as soon as possible


class ProbeTask(QRunnable):
    """Runs a service probe callable on a pool thread; reports ``(ok, detail, offset)``."""

    def __init__(self, probe: Callable[[], tuple[bool, str, float | None]], signals: VerifySignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._probe = probe
        self.signals = signals

    def run(self) -> None:
        try:
            result = self._probe()
        except Exception as exc:
            result = (False, type(exc).__name__, None)
        self.signals.sig_verdict.emit(result, 0)


def http_probe(url: str, timeout_s: float = 5.0) -> tuple[bool, str, float | None]:
    """Reachability and clock offset of an HTTP(S) endpoint (any HTTP answer counts as reachable).

    Runs on a worker thread. The offset is the service's ``Date`` header minus local time.
    """
    import email.utils
    import urllib.error
    import urllib.request

    started = time.time()
    try:
        if not url.startswith(("http://", "https://")):
            return False, "not an http(s) URL", None
        req = urllib.request.Request(url, method="GET")  # noqa: S310 - scheme checked above
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - configured URL
            status, date = resp.status, resp.headers.get("Date")
    except urllib.error.HTTPError as exc:
        status, date = exc.code, exc.headers.get("Date")
    except (OSError, ValueError) as exc:
        return False, type(exc).__name__, None
    elapsed = time.time() - started
    offset = None
    if date:
        try:
            offset = email.utils.parsedate_to_datetime(date).timestamp() - (started + elapsed / 2)
        except (TypeError, ValueError):
            offset = None
    return True, f"HTTP {status}, {elapsed * 1000:.0f} ms", offset
