"""The demo's screenshot tour: the screens outside the customer flow, in both languages.

A mixin of :class:`~kiosk.ui.demo_autopilot.Autopilot`. After the last session (and only when
screenshots are asked for) the tour shows and photographs "still there?", the staff PIN pad
(also with a wrong PIN), the staff page with a service test, and the out-of-service page of an
unplugged camera, then hands over to the autopilot's ``_finish``.

GUI thread only: each step runs from the autopilot's step timer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from kiosk.core.session import Step
from kiosk.ui.demo_scenarios import SCENARIOS
from kiosk.ui.demo_world import UnpluggedCamera


class ScreenTourMixin:
    """The screenshot tour of :class:`~kiosk.ui.demo_autopilot.Autopilot` (GUI thread)."""

    # provided by Autopilot
    window: Any
    world: Any
    screenshots: Any
    pin: str
    _tour: list[Callable[[], int | None]]

    _tour_active = False  # while it runs, the autopilot's customer-flow handlers stand aside

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
