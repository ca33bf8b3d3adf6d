"""Camera trouble on the capture page: a black picture, a covered lens or a frozen stream is
reported by the watchdog and leads to the out-of-service page (never "no card" forever), and the
kiosk comes back when the picture does. The real WatchedSource and CameraController; the frames
come from a scripted source."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from kiosk.core.session import Step
from kiosk.core.vision.camera_watchdog import WatchedSource
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.i18n import LanguageManager
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell import KioskWindow
from tests.ui._fakes import ScriptedPipeline, ScriptedSource, ScriptedVerifier
from tests.ui.conftest import TEST_PIN_HASH

TIMEOUT = 8000


class TroubledSource(ScriptedSource):
    """A scripted camera whose picture can go black, dark-and-flat (lens covered) or frozen."""

    def read(self) -> np.ndarray | None:
        trouble = getattr(self.control, "trouble", None)
        if trouble == "frozen":
            return np.full((self.height, self.width, 3), 90, np.uint8)  # the same buffer again and again
        frame = super().read()
        if frame is None:
            return None
        rng = np.random.default_rng(self._n)
        if trouble == "black":
            return np.zeros_like(frame)
        if trouble == "covered":  # a hand over the lens: dark, only the sensor's noise
            return np.clip(18 + rng.normal(0, 2.0, frame.shape), 0, 255).astype(np.uint8)
        return np.clip(frame.astype(np.int16) + rng.integers(0, 60, frame.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def troubled_kiosk(qtbot):
    made: list[KioskWindow] = []
    languages = LanguageManager()

    def factory() -> SimpleNamespace:
        control = SimpleNamespace(mode="empty", unplugged=False, trouble=None)

        def source_factory() -> WatchedSource:
            return WatchedSource(TroubledSource(control=control), black_after=0.2, frozen_after=0.3, backoff=(0.1,))

        camera = CameraController(source_factory, lambda: ScriptedPipeline(control, 4), pace_fps=60)
        camera.worker.lost_after_s = 1.0
        ui = UiSettings(staff_pin_hash=TEST_PIN_HASH, fullscreen=False, language="en", pin_lockout_s=60.0,
                        tap_guard_s=0.0)  # the double-tap guard has its own tests (test_taps.py)
        languages.set_language("en")
        window = KioskWindow(ui, camera, ScriptedVerifier([]), languages)
        window.resize(1280, 800)
        qtbot.addWidget(window)
        window.show()
        window.start()
        made.append(window)
        return SimpleNamespace(window=window, control=control)

    yield factory
    for w in made:
        w.allow_close()
        w.shutdown()


@pytest.mark.parametrize("trouble", ["black", "covered", "frozen"])
def test_camera_trouble_on_the_card_page_goes_out_of_service(troubled_kiosk, qtbot, trouble: str) -> None:
    k = troubled_kiosk()
    w = k.window
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.card_page
    k.control.trouble = trouble
    qtbot.waitUntil(lambda: w.current_page() is w.out_of_service, timeout=TIMEOUT)
    assert w.session.step is Step.OUT_OF_SERVICE and not w.session.has_customer_data()
    k.control.trouble = None
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=TIMEOUT)
