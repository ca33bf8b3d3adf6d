"""The screens the customer gets for each fault, and the camera watchdog inside the real kiosk.

* Every (outcome, message key) the fault matrix produces, fed into the real result screen in both
  languages: the right headline and next step for the outcome, a specific reason (never the
  generic fallback), translated in zh_CN.
* The real KioskWindow with the real camera thread, VisionPipeline and WatchedSource over the
  virtual camera: an unplugged camera -> out-of-service screen -> back to welcome when it
  returns; a broken driver's frames must not kill the camera thread.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool

from kiosk.core import messages
from kiosk.core.session import ResultView
from kiosk.core.verification import Outcome
from kiosk.core.vision.camera_watchdog import WatchedSource
from kiosk.core.vision.sources import FaultInjectingSource, SourceInfo
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript
from kiosk.emulator.registry import Registry
from kiosk.ui import i18n
from kiosk.ui.app import create_application
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.frame_analysis import VisionPipeline
from kiosk.ui.i18n import LanguageManager
from kiosk.ui.screens import ResultPage
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell import KioskWindow
from tests.reliability.test_fault_matrix import ROWS

TIMEOUT_MS = 20_000


@pytest.fixture(autouse=True)
def _app(qapp: Any) -> Iterator[None]:
    create_application()
    yield
    QThreadPool.globalInstance().waitForDone(2000)


@pytest.fixture
def languages() -> Iterator[LanguageManager]:
    manager = LanguageManager()
    manager.set_language("en")
    yield manager
    manager.set_language("en")


def _screens() -> list[tuple[str, str]]:
    pairs = {(r.outcome, r.key) for r in ROWS}
    pairs |= {("retake_card", "err.card_blurry"), ("retake_face", "err.no_face"), ("fail", "err.low_similarity"),
              ("staff", "warn.card_photocopy"), ("registration_office", "err.id_not_in_database")}
    assert {o for o, _ in pairs} == {o.value for o in Outcome}  # every outcome has a screen under test
    return sorted(pairs)


SCREENS = _screens()


@pytest.mark.parametrize(("outcome", "key"), SCREENS, ids=[f"{o}-{k}" for o, k in SCREENS])
def test_result_screen_for_each_verdict(outcome: str, key: str, qtbot: Any, languages: LanguageManager) -> None:
    page = ResultPage()
    qtbot.addWidget(page)
    page.show_result(ResultView(Outcome(outcome), key, "林**", "310***********0426"))
    page.show()
    english = {}
    for lang in ("en", "zh_CN"):
        languages.set_language(lang)
        page.retranslate()
        assert page.name == f"result_{outcome}"
        assert page.title.text() == i18n.outcome_titles()[outcome] != ""
        # a staff-only fault or a fraud signal sends the customer to the counter (issue 15)
        assert page.next_step.text() == i18n.customer_next_step(outcome, key) != ""
        if outcome == "pass":
            assert page.identity.isVisibleTo(page) and "林**" in page.identity.text()
            assert "310***********0426" in page.identity.text()
        else:
            assert not page.identity.isVisibleTo(page) and page.identity.text() == ""
            reason = page.reason.text()
            assert reason == i18n.customer_text(key, outcome) != ""
            if key in messages.FRAUD_KEYS | messages.STAFF_FAULT_KEYS:  # neutral: never the precise text
                assert reason != i18n.message_text(key, outcome)
                assert "try again in a few minutes" not in page.next_step.text()
            if key != "err.unknown":  # a specific reason, not the catch-all sentence
                assert reason != i18n.message_text("err.unknown"), f"{key} has no text of its own"
        english.setdefault(lang, (page.title.text(), page.reason.text(), page.next_step.text()))
    en, zh = english["en"], english["zh_CN"]
    assert zh[0] != en[0] and zh[2] != en[2], f"{outcome}: not translated to zh_CN"
    if outcome != "pass":
        assert zh[1] != en[1], f"{key}: reason not translated to zh_CN ({en[1]!r})"


# ------------------------------------------------------------------ the real kiosk + camera
@pytest.fixture(scope="module")
def portrait(registry: Registry) -> np.ndarray:
    img = registry.portrait(registry.people[0])
    assert img is not None
    return img


@pytest.fixture
def kiosk(qtbot: Any, languages: LanguageManager) -> Iterator[Callable[[Callable[[], Any]], KioskWindow]]:
    windows: list[KioskWindow] = []

    def make(source_factory: Callable[[], Any]) -> KioskWindow:
        settings = UiSettings(language="en", fullscreen=False)
        camera = CameraController(source_factory, VisionPipeline, pace_fps=30)
        window = KioskWindow(settings, camera, None, languages)
        window.resize(1280, 800)
        qtbot.addWidget(window)
        window.show()
        window.start()
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.allow_close()
        w.shutdown()


def test_unplugged_camera_shows_out_of_service_then_recovers(kiosk: Any, qtbot: Any, portrait: np.ndarray) -> None:
    sources: list[FaultInjectingSource] = []

    def factory() -> WatchedSource:
        cam = VirtualCamera(VirtualScript(face_image=portrait, seed=1), width=640, height=360)
        faulty = FaultInjectingSource(cam, [(90, 10**9, "fail")])  # unplugged after 3 s
        sources.append(faulty)
        return WatchedSource(faulty, lost_after_failures=5, backoff=(0.3, 0.6, 1.2))

    w = kiosk(factory)
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(sources) and sources[0].opens >= 1, timeout=TIMEOUT_MS)
    sources[0].fail_opens = 2  # the first two reopen attempts fail: still unplugged
    qtbot.waitUntil(lambda: w.current_page() is w.out_of_service, timeout=TIMEOUT_MS)
    assert not w.session.has_customer_data()
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=TIMEOUT_MS)  # plugged back in
    assert sources[0].opens >= 4 and w.camera.thread.isRunning()


class BrokenDriverSource:
    """Good frames; from the ``start``-th frame on, ``seconds`` of a broken driver's buffers
    (1-D arrays), then good frames again (wall-clock, whatever the reader does meanwhile)."""

    def __init__(self, camera: VirtualCamera, start: int, seconds: float) -> None:
        self.camera, self.start, self.seconds, self.n = camera, start, seconds, 0
        self.broken_since: float | None = None

    def open(self) -> SourceInfo:
        return self.camera.open()

    def read(self) -> Any:
        self.n += 1
        frame = self.camera.read()
        if self.n >= self.start and self.broken_since is None:
            self.broken_since = time.monotonic()
        if self.broken_since is not None and time.monotonic() - self.broken_since < self.seconds:
            return np.full(4096, 7, np.uint8)
        return frame

    def close(self) -> None:
        self.camera.close()

    def set_stage(self, stage: str) -> None:
        self.camera.set_stage(stage)


def test_broken_driver_frames_do_not_kill_the_camera_thread(kiosk: Any, qtbot: Any, portrait: np.ndarray) -> None:
    """A camera that hands out garbage for 2 s, then recovers: the kiosk must see frames again
    (today WatchedSource.read() raises IndexError, CameraWorker.run ends, the camera is gone
    until the kiosk is restarted)."""

    def factory() -> WatchedSource:
        cam = VirtualCamera(VirtualScript(face_image=portrait, seed=2), width=640, height=360)
        return WatchedSource(BrokenDriverSource(cam, 30, 2.0), lost_after_failures=5, backoff=(0.3,))

    w = kiosk(factory)
    qtbot.waitUntil(lambda: w.camera.worker.frames > 10, timeout=TIMEOUT_MS)
    qtbot.wait(4000)  # garbage from frame 30 to 90 (2 s at 30 fps), then good frames
    before = w.camera.worker.frames
    qtbot.wait(1000)
    assert w.camera.thread.isRunning(), "the camera thread died on a corrupt frame"
    assert w.camera.worker.frames > before + 10, "no frames after the driver recovered"
    assert w.current_page() is w.welcome
