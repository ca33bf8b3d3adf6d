"""The demo's autopilot: walks the kiosk through scripted customers like a customer would.

:class:`Autopilot` taps through each session (welcome, consent, the virtual camera's
auto-captures), prints every step, hint and verdict, takes screenshots, checks that each session
ended as its scenario expects, measures the preview rate, CPU per frame and memory, runs the
screenshot tour (:mod:`kiosk.ui.demo_tour`) and finally quits the app with exit code 0 (all as
expected) or 1. ``kiosk demo --autopilot``, the soak tool and the UI tests drive it.

Threading: GUI thread only. It lives on the window (its parent), acts from its own timers and
from the window's ``sig_page_shown`` / ``sig_frame_shown`` and never touches the worker threads
except through the window's camera controller.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from kiosk.ui.demo_scenarios import SCENARIOS
from kiosk.ui.demo_tour import ScreenTourMixin
from kiosk.ui.demo_world import DemoWorld
from kiosk.ui.launch import rss_mb
from kiosk.ui.shell import KioskWindow


@dataclass
class SessionRecord:
    index: int
    scenario: str
    language: str
    expected: str
    outcome: str = ""
    reason: str = ""
    seconds: float = 0.0
    hints: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome == self.expected


# sessions after which the autopilot prints the RSS (and every 50th)
RSS_CHECKPOINTS = frozenset({1, 5, 10, 25})
WARM_UP_SESSIONS = 10


class Autopilot(ScreenTourMixin, QObject):
    """Drives a :class:`KioskWindow` through ``sessions`` scripted customers (GUI thread)."""

    sig_finished = Signal(int)
    """All sessions (and the screenshot tour) are done: 0 when every session ended as expected."""

    def __init__(
        self,
        window: KioskWindow,
        world: DemoWorld,
        scenarios: list[str],
        sessions: int,
        *,
        screenshots: Path | None = None,
        pin: str = "",
        session_timeout_s: float = 90.0,
        quit_app: bool = True,
        out: Callable[[str], None] = print,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.world = world
        self.scenarios = [SCENARIOS[name] for name in scenarios]
        self.sessions = sessions
        self.screenshots = screenshots
        self.pin = pin
        self.out = out
        self.quit_app = quit_app
        self.records: list[SessionRecord] = []
        self.fps_samples: list[float] = []
        self.worker_fps: list[float] = []
        self.cpu_ms: list[tuple[float, float]] = []
        self._page_frames = 0
        self._page_t0 = 0.0
        self._page_first = self._page_last = 0.0  # first / last preview frame shown on the page
        self.steady_fps: list[float] = []
        self.rss: dict[str | int, float] = {}
        self._index = -1
        self._record: SessionRecord | None = None
        self._shots = 0
        self._shot_pages: set[str] = set()
        self._page = ""
        self._started = 0.0
        self._tour: list[Callable[[], int | None]] = []
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.setInterval(int(session_timeout_s * 1000))
        self._watchdog.timeout.connect(self._on_stuck)
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.timeout.connect(self._on_step)
        self._pending: Callable[[], None] | None = None
        window.sig_page_shown.connect(self._on_page)
        window.sig_frame_shown.connect(self._on_frame)
        if screenshots is not None:
            screenshots.mkdir(parents=True, exist_ok=True)

    # ---- driving ----------------------------------------------------------------------------
    def start(self) -> None:
        self.rss["start"] = rss_mb()
        self.out(f"startup: welcome screen after {self.window.startup_s or 0:.2f} s, RSS {self.rss['start']:.0f} MB")
        self._later(300, self._next_session)

    def _later(self, ms: int, action: Callable[[], None]) -> None:
        """Run ``action`` after ``ms`` on the GUI thread (one pending action at a time)."""
        self._pending = action
        self._step_timer.start(ms)

    @Slot()
    def _on_step(self) -> None:
        action, self._pending = self._pending, None
        if action is not None:
            action()

    def _lang(self) -> str:
        return "zh" if self.window.languages.language == "zh_CN" else "en"

    def _shot(self, page: str) -> None:
        if self.screenshots is None:
            return
        QApplication.processEvents()
        self._shots += 1
        path = self.screenshots / f"{self._shots:03d}_{page}_{self._lang()}.png"
        self.window.grab().save(str(path))

    def _next_session(self) -> None:
        self._index += 1
        if self._index in RSS_CHECKPOINTS or (self._index and self._index % 50 == 0):
            gc.collect()
            self.rss[self._index] = rss_mb()
            self.out(f"  RSS after {self._index} sessions: {self.rss[self._index]:.0f} MB")
        if self._index >= self.sessions:
            self._start_tour()
            return
        scenario = self.scenarios[self._index % len(self.scenarios)]
        # alternate the language per session (both languages in every run of 2+ sessions)
        language = "zh_CN" if self._index % 2 == 0 else "en"
        self.window.languages.set_language(language)
        self.world.use(scenario)
        self.window.camera.worker.replace_source(self.world.source_factory(scenario, seed=self._index))
        self._record = SessionRecord(self._index + 1, scenario.name, language, scenario.expected)
        self._started = time.monotonic()
        self._say("welcome")
        self._shot("welcome")
        self._watchdog.start()
        self._later(400, self.window.welcome.start_button.click)

    def _page_fps(self) -> None:
        """Preview frames shown per second over the capture page that just ended."""
        span = time.monotonic() - self._page_t0
        if self._page_frames >= 10 and span > 0:
            self.fps_samples.append(self._page_frames / span)
            if self._page_last > self._page_first:
                # from the first frame shown to the last: the preview rate once the stream runs
                self.steady_fps.append((self._page_frames - 1) / (self._page_last - self._page_first))
            self.worker_fps.append(self.window.camera.analyzer.fps)
            self.cpu_ms.append((self.window.camera.worker.cpu_ms, self.window.camera.analyzer.cpu_ms))

    def _say(self, what: str) -> None:
        r = self._record
        tag = f"[{r.index:03d} {r.scenario} {r.language}]" if r else "[tour]"
        self.out(f"{tag} {what}")

    @Slot(str)
    def _on_page(self, name: str) -> None:
        self._page = name
        if self._tour_active or self._done:
            return
        if name == "welcome":
            if self._record is None:  # the previous session is over
                self._later(200, self._next_session)
            return
        if self._record is None:
            return
        if name == "consent":
            self._say("consent")
            if self._index % 4 == 3:  # switch the language on a customer screen now and then
                self.window.lang_button.click()
                self._say(f"language switched to {self.window.languages.language}")
            self._shot("consent")
            self._later(300, self.window.consent.accept_button.click)
        elif name in ("card_capture", "face_capture"):
            if name == "face_capture":
                self._page_fps()
            self._say(name)
            self._shot_pages.discard(name)
            self._page_frames = 0
            self._page_t0 = time.monotonic()
            self._page_first = self._page_last = 0.0
        elif name == "verifying":
            self._page_fps()
            self._say("verifying")
            self._shot("verifying")
        elif name.startswith("result_"):
            self._on_result(name)

    @Slot(str, float, str)
    def _on_frame(self, stage: str, progress: float, hint: str) -> None:
        if self._record is None or self._tour_active:
            return
        page = "card_capture" if stage == "card" else "face_capture"
        if page == self._page:
            self._page_frames += 1
            now = time.monotonic()
            self._page_first = self._page_first or now
            self._page_last = now
        if hint and hint not in self._record.hints:
            self._record.hints = (*self._record.hints, hint)
            self._say(f"hint: {hint}")
        if page == self._page and page not in self._shot_pages and (progress > 0.3 or hint):
            self._shot_pages.add(page)
            self._shot(page)

    def _on_result(self, name: str) -> None:
        r = self._record
        assert r is not None
        self._watchdog.stop()
        verdict = self.window.session.last_verdict
        result = self.window.session.result
        r.outcome = result.outcome.value if result else name.removeprefix("result_")
        r.reason = getattr(verdict, "reason_code", "") or (result.message_key if result else "")
        r.seconds = time.monotonic() - self._started
        self.records.append(r)
        sims = ""
        if verdict is not None:
            sims = f" card_sim={verdict.card_sim} face_sim={verdict.face_sim} billed={verdict.billed_calls}"
        status = "OK" if r.ok else "UNEXPECTED"
        self._say(f"verdict: {r.outcome} ({r.reason}){sims}; expected {r.expected}: {status} [{r.seconds:.1f} s]")
        self._shot(name)
        self._record = None
        self._later(500, self.window.result_page.done_button.click)

    @Slot()
    def _on_stuck(self) -> None:
        r = self._record
        if r is not None:
            r.outcome = f"stuck on {self._page}"
            self.records.append(r)
            self._say(f"no result within the time limit (on {self._page}); resetting")
            self._record = None
        self.window.session.reset()

    # ---- the end ----------------------------------------------------------------------------
    _done = False

    def _finish(self) -> None:
        self._tour_active = False
        self._done = True  # late page changes (camera recovering...) start nothing new
        gc.collect()
        self.rss["end"] = rss_mb()
        good = sum(r.ok for r in self.records)
        self.out(f"sessions: {len(self.records)}, as expected: {good}")
        for r in self.records:
            if not r.ok:
                self.out(f"  UNEXPECTED session {r.index} {r.scenario}: {r.outcome} (expected {r.expected})")
        if self.fps_samples:
            self.out(
                f"preview fps on the capture pages (frames shown / time on page, median of "
                f"{len(self.fps_samples)} pages): {statistics.median(self.fps_samples):.1f}; "
                f"from the first frame shown (steady stream): "
                f"{statistics.median(self.steady_fps) if self.steady_fps else 0.0:.1f}; "
                f"frames checked per second by the analysis thread (median): {statistics.median(self.worker_fps):.1f}"
            )
        if self.cpu_ms:
            cam = statistics.median(c for c, _ in self.cpu_ms)
            ana = statistics.median(a for _, a in self.cpu_ms)
            self.out(
                f"CPU per frame (thread time, median): camera thread {cam:.1f} ms (read + preview image), "
                f"analysis thread {ana:.1f} ms (checks + auto-capture)"
            )
        start, end = self.rss["start"], self.rss["end"]
        # warm-up: every scenario and both languages seen twice (caches, thread arenas, glyphs)
        warm_at = min((n for n in self.rss if isinstance(n, int) and n >= WARM_UP_SESSIONS), default=None)
        if warm_at is not None:
            warm = self.rss[warm_at]
            self.out(
                f"RSS: start {start:.0f} MB, after {warm_at} sessions (warm) {warm:.0f} MB, end {end:.0f} MB "
                f"(growth after warm-up {end - warm:+.1f} MB over {self.sessions - warm_at} sessions)"
            )
        else:
            self.out(f"RSS: start {start:.0f} MB, end {end:.0f} MB")
        if self.screenshots is not None:
            self.out(f"screenshots: {self._shots} PNG in {self.screenshots}")
        ok = good == len(self.records) == self.sessions
        self.window.exit_code = 0 if ok else 1
        self.sig_finished.emit(self.window.exit_code)
        if self.quit_app:
            self.window.allow_close()
            QApplication.instance().exit(self.window.exit_code)
