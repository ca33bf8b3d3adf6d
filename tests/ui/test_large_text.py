"""The large-text, high-contrast mode: switched on from Welcome, kept for the session, reset on
the wipe, taking effect through the window's theme hooks, and fitting every display size (helper
i15's layout checker, every page state, both languages)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.core.session import Step
from kiosk.ui import palette
from kiosk.ui.access.large_text import large_style_sheet
from tests.ui.layout_check import SIZES, every_size_every_state, settle

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
    # targets: the large sheet's 88 design px at the display's scale (this window: 1280x800)
    assert w.welcome.start_button.height() >= round(88 * w.ui_scale) and w.welcome.start_button.height() > start_h
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


def test_the_mode_goes_through_the_window_theme_hooks_and_follows_the_display(make_kiosk) -> None:
    """The window's own scaled style sheet would hide an overlay: the mode is part of it."""
    k = make_kiosk(mode="empty", start=False)
    w = k.window
    sizes: dict[tuple[int, int], tuple[int, int]] = {}
    for size in ((1920, 1080), (1280, 720), (800, 1280)):
        w.resize(*size)
        settle()
        standard = w.welcome.title.font().pixelSize()
        w.access.large_text.set_enabled(True)
        settle()
        assert "#FFFF00" in w.styleSheet() and w.theme_qss.endswith(large_style_sheet())
        assert w.text_scale == 1.0  # the large sheet has its own font sizes
        sizes[size] = (standard, w.welcome.title.font().pixelSize())
        w.access.large_text.set_enabled(False)
        settle()
        assert w.text_scale == 1.0 and "#FFFF00" not in w.styleSheet()
    for standard, large in sizes.values():
        assert large > standard, sizes
    assert sizes[(1280, 720)][1] < sizes[(1920, 1080)][1], "large text scales with the display"
    w.access.large_text.set_enabled(True)
    w.resize(1920, 1080)  # a resize while the mode is on: still the large look, at the new scale
    settle()
    assert w.welcome.title.font().pixelSize() == sizes[(1920, 1080)][1]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_large_text_fits_every_display(make_kiosk, language) -> None:
    """Helper i15's layout checker, every page state, every display size, in the large mode."""
    k = make_kiosk(mode="empty", start=False, settings={"language": language})
    w = k.window
    w.access.large_text.set_enabled(True)
    visited, problems = every_size_every_state(w)
    assert w.access.large_text.enabled and palette.current() is palette.HIGH_CONTRAST
    assert visited >= len(SIZES) * 21
    assert not problems, "\n".join(problems)
