"""Demo mode: the real kiosk against the built-in emulator and the scripted virtual camera.

* :class:`DemoWorld` starts :class:`kiosk.emulator.EmulatorServer` in-process on loopback (demo
  credentials, its own RSA key for the encrypted fields), builds the real FaceID client and
  :class:`~kiosk.core.verification.Verifier`, and makes :class:`~kiosk.core.vision.VirtualCamera`
  sources that play a scenario's customer (people from the emulator's built-in registry, cards
  rendered with the specimen renderer).
* :class:`Autopilot` walks the flow like a customer (taps, waits for the virtual camera's
  auto-captures), prints every step and verdict, takes screenshots, checks each session ended
  as its scenario expects and finally quits the app with exit code 0 (all as expected) or 1.

Threading: both classes are used on the GUI thread. The emulator serves on its own thread; the
verifier runs on the pool (via the window); :class:`SwitchVerifier` is only re-targeted on the
welcome page, when no verification is in flight.
"""

from __future__ import annotations

import functools
import gc
import logging
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from kiosk.core.session import Step
from kiosk.ui.launch import rss_mb
from kiosk.ui.shell import KioskWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario:
    """One scripted customer: who is on the card, whose face is shown, what goes wrong."""

    name: str
    expected: str  # the result page the session must end on (Verdict.outcome)
    card_person: int = 0
    face_person: int = 0
    bystander_person: int | None = None
    blurry_first: bool = False
    service_down: bool = False
    # extra VirtualScript fields (timings of the customer's moves)
    script: tuple[tuple[str, float], ...] = ()


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        # live faces use the two large portraits (the others are 115 px thumbnails, far too
        # small to pass as a 720p webcam face); the small ones serve as bystanders
        Scenario("pass", "pass", card_person=0, face_person=0),
        Scenario("other_face", "fail", card_person=0, face_person=1),
        Scenario("bystander", "pass", card_person=1, face_person=1, bystander_person=3),
        Scenario(
            "blurry_card_then_good",
            "pass",
            card_person=1,
            face_person=1,
            blurry_first=True,
            # quick entry, then 1.6 s out of focus: long enough for the kiosk to say "blurry"
            script=(("enter_s", 0.3), ("blurry_s", 1.6)),
        ),
        Scenario("service_down", "unavailable", card_person=0, face_person=0, service_down=True),
    )
}


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SwitchVerifier:
    """Delegates ``verify`` to ``target``; the autopilot re-targets it between sessions."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.policy = getattr(target, "policy", None)

    def verify(self, *args: Any, **kwargs: Any) -> Any:
        return self.target.verify(*args, **kwargs)

    @property
    def audit(self) -> Any:
        """The target's audit trail (the window writes its session records there)."""
        return getattr(self.target, "audit", None)


class UnpluggedCamera:
    """A FrameSource whose device is gone (for the camera-lost screen in the screenshot tour)."""

    def open(self) -> Any:
        from kiosk.core.vision import SourceError

        raise SourceError("camera unplugged (demo)")

    def read(self) -> None:
        return None

    def set_stage(self, stage: str) -> None:
        pass

    def close(self) -> None:
        pass


class IdleCamera:
    """A FrameSource showing an empty grey scene at 30 fps (until the demo world is ready)."""

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 30.0) -> None:
        self.width, self.height, self.fps = width, height, fps
        self._next = 0.0
        self._n = 0

    def open(self) -> Any:
        from kiosk.core.vision import SourceInfo

        self._next = time.monotonic()
        return SourceInfo(self.width, self.height, self.fps, "idle")

    def read(self) -> Any:
        import numpy as np

        self._next += 1.0 / self.fps
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._n += 1
        return np.full((self.height, self.width, 3), 40 + self._n % 2, np.uint8)

    def set_stage(self, stage: str) -> None:
        pass

    def close(self) -> None:
        pass


class DemoWorld:
    """The emulator, the verifiers and the virtual customers (see the module docstring)."""

    def __init__(self, *, realtime: bool = True, language: str = "zh_CN") -> None:
        from kiosk.core.audit import AuditTrail, default_audit_dir
        from kiosk.core.faceid.client import FaceIdClient
        from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
        from kiosk.core.faceid.settings import ClientSettings
        from kiosk.core.verification import Policy, Verifier
        from kiosk.emulator.registry import Registry
        from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer

        self.realtime = realtime
        self.registry = Registry.builtin()
        self.people = [p for p in self.registry.people if self.registry.has_portrait(p)]
        self.server = EmulatorServer(
            registry=self.registry, host="127.0.0.1", port=0, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY
        )
        self.server.start()
        credentials = StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY))
        api_language = "zh-CN" if language == "zh_CN" else "en-US"

        def client(endpoint: str, **kw: Any) -> FaceIdClient:
            return FaceIdClient(
                ClientSettings(
                    endpoint=endpoint,
                    language=api_language,
                    encrypt_fields=True,
                    encryption_public_key_pem=self.server.public_key_pem,
                    **kw,
                ),
                credentials,
            )

        self.client = client(self.server.url)
        # "service down": nothing listens there; short timeouts so the demo does not drag
        self.down_client = client(f"http://127.0.0.1:{_dead_port()}", connect_timeout=1.0, read_timeout=2.0)
        policy = Policy()
        # The demo keeps an audit trail like a real kiosk (masked, no PII), in the platform folder.
        self.audit = AuditTrail(default_audit_dir() / "demo")
        self.verifier = Verifier(self.client, policy, audit=self.audit)
        self.down_verifier = Verifier(self.down_client, policy, audit=self.audit)
        self.switch = SwitchVerifier(self.verifier)
        self._cards: dict[int, Any] = {}

    @property
    def url(self) -> str:
        return str(self.server.url)

    def card(self, index: int) -> Any:
        """The rendered specimen card of person ``index`` (cached)."""
        if index not in self._cards:
            self._cards[index] = self.registry.specimen(self.people[index % len(self.people)])
        return self._cards[index]

    def portrait(self, index: int) -> Any:
        return self.registry.portrait(self.people[index % len(self.people)])

    def source_factory(self, scenario: Scenario, seed: int = 0) -> Callable[[], Any]:
        """A factory (called in the camera thread) for the scenario's virtual customer."""
        from kiosk.core.vision import VirtualCamera, VirtualScript, WatchedSource

        script = VirtualScript(
            face_image=self.portrait(scenario.face_person),
            card_image=self.card(scenario.card_person),
            bystander_image=None if scenario.bystander_person is None else self.portrait(scenario.bystander_person),
            blurry_first=scenario.blurry_first,
            seed=seed,
            **dict(scenario.script),
        )
        realtime = self.realtime

        def make() -> Any:
            return WatchedSource(VirtualCamera(script, realtime=realtime))

        return make

    def use(self, scenario: Scenario) -> None:
        """Point the kiosk's verifier at the scenario's service (GUI thread, between sessions)."""
        self.switch.target = self.down_verifier if scenario.service_down else self.verifier
        self.server.clear_calls()  # the emulator keeps a call log for tests; the demo does not need it

    def health(self) -> Any:
        """The service health check against the emulator (pool thread)."""
        from kiosk.core.service_health import check_service

        return check_service(self.client)

    @staticmethod
    def notifier() -> Any:
        """The demo's "branch system": a command that prints each staff call on the console."""
        import sys

        from kiosk.core.staff_call import StaffNotifier

        script = "import sys; print('kiosk demo: staff call to the branch system:', sys.stdin.read(), flush=True)"
        return StaffNotifier(command=(sys.executable, "-c", script), timeout_s=10, attempts=2, retry_delay_s=1)

    def probe(self) -> tuple[bool, str, float | None]:
        from kiosk.ui.service_tasks import http_probe

        return http_probe(self.url)

    def close(self) -> None:
        for c in (self.client, self.down_client):
            try:
                c.close()
            except Exception:  # closing must not mask the demo's result
                log.exception("client close failed")
        self.server.stop()


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


class Autopilot(QObject):
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

    # ---- screenshot tour of the non-flow screens --------------------------------------------
    _tour_active = False
    _done = False

    def _start_tour(self) -> None:
        if self.screenshots is None:
            self._finish()
            return
        self._tour_active = True
        self._say("screens outside the customer flow")
        steps: list[Callable[[], int | None]] = []
        for language in ("zh_CN", "en"):
            for step in (
                self._tour_idle_warning,
                self._tour_idle_dismiss,
                self._tour_pin,
                self._tour_pin_wrong,
                self._tour_staff,
                self._tour_staff_shot,
                self._tour_staff_back,
                self._tour_unplug,
                self._tour_unplug_shot,
                self._tour_replug,
            ):
                steps.append(functools.partial(self._in_language, language, step))
        steps.append(self._finish)
        self._tour = steps
        self._later(300, self._tour_next)

    def _in_language(self, language: str, step: Callable[[], int | None]) -> int | None:
        """Run a tour step in ``language`` (a return to welcome resets the language).

        A step may return how long to wait (ms) before the next one.
        """
        if self.window.languages.language != language:
            self.window.languages.set_language(language)
        return step()

    def _tour_next(self) -> None:
        step = self._tour.pop(0)
        wait = step()
        if self._tour:
            self._later(wait or 700, self._tour_next)

    def _tour_idle_warning(self) -> None:
        self.window.welcome.start_button.click()
        self.window.show_idle_warning()
        self._shot("idle_warning")

    def _tour_idle_dismiss(self) -> None:
        self.window.idle_overlay.button.click()
        self.window.consent.decline_button.click()

    def _tour_pin(self) -> None:
        self.window.open_staff()
        self._shot("staff_pin")

    def _tour_pin_wrong(self) -> None:
        self.window.pin_page.pad.enter("0000OK")
        self._shot("staff_pin_wrong")

    def _tour_staff(self) -> None:
        self.window.pin_page.pad.enter(self.pin + "OK")
        self.window.staff_page.test_button.click()

    def _tour_staff_shot(self) -> None:
        self._shot("staff")

    def _tour_staff_back(self) -> None:
        self.window.staff_page.back_button.click()

    def _tour_unplug(self) -> int:
        self.window.camera.worker.replace_source(UnpluggedCamera)
        return 2500  # the camera watchdog needs a moment to declare the camera lost

    def _tour_unplug_shot(self) -> None:
        if self.window.session.step is Step.OUT_OF_SERVICE:
            self._shot("out_of_service")
        self.window.camera.worker.replace_source(self.world.source_factory(SCENARIOS["pass"]))

    def _tour_replug(self) -> None:
        pass  # the camera thread reports "ok" once frames flow; the window returns to welcome

    # ---- the end ----------------------------------------------------------------------------
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


class ScenarioRotator(QObject):
    """Interactive demo: each time the welcome page shows, the next scenario's customer steps up."""

    def __init__(self, window: KioskWindow, world: DemoWorld, scenarios: list[str]) -> None:
        super().__init__(window)
        self.window = window
        self.world = world
        self.scenarios = [SCENARIOS[name] for name in scenarios]
        self._index = 0
        window.sig_page_shown.connect(self._on_page)

    def start(self) -> None:
        self._apply()

    def _apply(self) -> None:
        scenario = self.scenarios[self._index % len(self.scenarios)]
        self.world.use(scenario)
        self.window.camera.worker.replace_source(self.world.source_factory(scenario, seed=self._index))

    @Slot(str)
    def _on_page(self, name: str) -> None:
        if name.startswith("result_"):
            self._index += 1
        elif name == "welcome":
            self._apply()
