"""The large-text, high-contrast mode: switched on from Welcome, kept for the session, reset on
the wipe, and fitting every display size at least as well as the standard look."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt

from kiosk.core.session import Outcome, ResultView, Step
from kiosk.ui import palette
from tests.ui.fit_check import DISPLAY_SIZES, problems, settle

TIMEOUT = 5000


def test_switched_on_from_welcome_lasts_for_the_session_and_resets_on_wipe(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    button = w.access.controls.large_text_button
    assert button.isVisible() and not w.access.large_text.enabled
    title_px = w.welcome.title.font().pixelSize()
    start_h = w.welcome.start_button.height()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle()
    assert w.access.large_text.enabled and button.isChecked()
    assert palette.current() is palette.HIGH_CONTRAST
    assert w.welcome.title.font().pixelSize() > title_px
    assert w.welcome.start_button.height() >= max(88, start_h)
    assert w.grab().toImage().pixelColor(5, w.height() - 5).name() == "#000000"
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.CONSENT and w.access.large_text.enabled, "lasts for the session"
    assert not button.isVisible(), "switched from Welcome only"
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)  # both languages
    assert w.access.large_text.enabled and k.languages.language == "zh_CN"
    qtbot.mouseClick(w.consent.decline_button, Qt.MouseButton.LeftButton)  # session over: wipe
    assert w.session.step is Step.WELCOME
    assert not w.access.large_text.enabled and not button.isChecked()
    assert palette.current() is palette.STANDARD
    assert w.welcome.title.font().pixelSize() == title_px


def _states(w) -> list[tuple[str, Callable[[], None]]]:
    def card() -> None:
        w.card_page.enter("err.card_blurry", 2, 3)
        w.card_page.set_hint("glare", False)
        w.card_page.manual_button.setVisible(True)
        w._show_page(w.card_page)

    def result(view: ResultView) -> Callable[[], None]:
        def show() -> None:
            w.result_page.show_result(view)
            w.result_page.set_seconds_left(15)
            w._show_page(w.result_page)

        return show

    def idle() -> None:
        w._show_page(w.consent)
        w.show_idle_warning()

    return [
        ("welcome", lambda: w._show_page(w.welcome)),
        ("consent", lambda: w._show_page(w.consent)),
        ("card", card),
        ("verifying", lambda: (w.verifying.enter(), w._show_page(w.verifying))),
        ("result_office", result(ResultView(Outcome.REGISTRATION_OFFICE, "err.reference_photo_poor"))),
        ("result_pass", result(ResultView(Outcome.PASS, "ok.pass", "*三", "1101**********0015"))),
        ("idle", idle),
    ]


def _key(problem: str) -> str:
    return "window" if problem.startswith("window is") else problem.split(":", 1)[0]


def _measure(w, size: tuple[int, int]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    w.resize(*size)
    settle()
    for name, show in _states(w):
        show()
        settle()
        out[name] = set(problems(w, size))
        w._arm_idle()
        w.idle_timer.stop()
    return out


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize(
    "size", DISPLAY_SIZES, ids=str
)
def test_large_text_fits_wherever_the_standard_look_fits(make_kiosk, size, language) -> None:
    k = make_kiosk(mode="empty", start=False, settings={"language": language})
    w = k.window
    standard = _measure(w, size)
    w.access.large_text.set_enabled(True)
    large = _measure(w, size)
    w.access.large_text.set_enabled(False)
    added = {
        state: sorted(p for p in found if _key(p) not in {_key(q) for q in standard[state]})
        for state, found in large.items()
    }
    assert {s: p for s, p in added.items() if p} == {}
    if size in ((1920, 1080), (1080, 1920), (1280, 1024)):  # the standard look fits these already
        assert {s: sorted(p) for s, p in large.items() if p} == {}
