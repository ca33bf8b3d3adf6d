"""Fixtures for the UI tests: offscreen Qt, a kiosk window factory, thread-leak detection."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QThread, QThreadPool

from kiosk.ui.app import create_application
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.i18n import LanguageManager
from kiosk.ui.pin import hash_pin
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell import KioskWindow
from tests.ui._fakes import ScriptedPipeline, ScriptedSource, ScriptedVerifier

TEST_PIN = "135790"
#: hashing with the production iteration count is slow; tests use a cheap hash of the same form
TEST_PIN_HASH = hash_pin(TEST_PIN, n=2**8)


@pytest.fixture(autouse=True)
def _themed_app(qapp) -> None:
    create_application()


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a QThread (or a pool job) running (napari-style detector)."""
    started: list[QThread] = []
    original = QThread.start

    def start(self: QThread, *args: Any) -> None:
        started.append(self)
        original(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = [t for t in started if _alive(t)]
    pool_ok = QThreadPool.globalInstance().waitForDone(2000)
    for t in running:  # stop them so the next test starts clean, then fail
        t.quit()
        t.wait(2000)
    assert not running, f"test left {len(running)} QThread(s) running: {[t.objectName() for t in running]}"
    assert pool_ok, "test left QThreadPool jobs running"


def _alive(thread: QThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # C++ object already deleted: not running
        return False


@pytest.fixture
def make_kiosk(qtbot) -> Iterator[Callable[..., SimpleNamespace]]:
    """Factory: a real KioskWindow over a scripted camera, pipeline and verifier.

    Returns a namespace with ``window``, ``control`` (camera/pipeline knobs), ``verifier``,
    ``source`` (the last opened source) and ``languages``. Teardown stops the threads.
    """
    made: list[KioskWindow] = []
    managers: list[LanguageManager] = []

    def factory(
        *,
        verdicts: list[Any] | None = None,
        settings: dict[str, Any] | None = None,
        mode: str = "good",
        steady: int = 4,
        start: bool = True,
        pin_clock: Callable[[], float] | None = None,
    ) -> SimpleNamespace:
        control = SimpleNamespace(mode=mode, unplugged=False)
        sources: list[ScriptedSource] = []

        def source_factory() -> ScriptedSource:
            src = ScriptedSource(control=control)
            sources.append(src)
            return src

        base = {"staff_pin_hash": TEST_PIN_HASH, "fullscreen": False, "language": "en", "pin_lockout_s": 60.0,
                "tap_guard_s": 0.0}  # the double-tap guard has its own tests (test_taps.py)
        base.update(settings or {})
        ui = UiSettings(**base)
        camera = CameraController(source_factory, lambda: ScriptedPipeline(control, steady), pace_fps=60)
        verifier = ScriptedVerifier(list(verdicts or []))
        languages = LanguageManager()
        managers.append(languages)
        languages.set_language(ui.language)
        kwargs: dict[str, Any] = {}
        if pin_clock is not None:
            kwargs["pin_clock"] = pin_clock
        window = KioskWindow(ui, camera, verifier, languages, **kwargs)
        window.resize(1280, 800)
        qtbot.addWidget(window)
        window.show()
        if start:
            window.start()
        made.append(window)
        return SimpleNamespace(
            window=window, control=control, verifier=verifier, sources=sources, languages=languages, camera=camera
        )

    yield factory
    for w in made:
        w.allow_close()
        w.shutdown()
    for m in managers:  # translators are process-wide: back to English for the next test
        m.set_language("en")
