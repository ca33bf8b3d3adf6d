"""Screen-reader names: every interactive widget of every page, and every result, has an
accessible name and description in the current language, as QAccessible reports them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from kiosk.core.session import Outcome, ResultView
from kiosk.ui.access.names import AccessibleNames
from tests.ui.layout_check import settle


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _reported(widget) -> tuple[str, str]:
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None and iface.isValid()
    return iface.text(QAccessible.Text.Name), iface.text(QAccessible.Text.Description)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_interactive_widget_of_every_page_is_named(make_kiosk, qtbot, language) -> None:
    k = make_kiosk(mode="empty", settings={"language": language, "manual_capture_after_s": 0.1})
    w = k.window
    shown = [w.welcome, w.consent, w.card_page, w.face_page, w.verifying, w.result_page, w.out_of_service,
             w.pin_page, w.staff_page]
    checked = 0
    for page in shown:
        w._show_page(page)
        settle()
        for control in [*AccessibleNames.interactive(page), *AccessibleNames.interactive(w.header),
                        w.idle_overlay.button]:
            name, description = _reported(control)
            where = f"{type(page).__name__}: {type(control).__name__} {control.objectName()!r} {name!r}"
            assert name.strip(), f"no accessible name: {where}"
            assert description.strip(), f"no accessible description: {where}"
            if language == "zh_CN":
                assert _cjk(description), f"description not in Chinese: {where}: {description!r}"
            checked += 1
        if page.customer:
            assert page.accessibleName() or page is w.result_page, type(page).__name__
    assert checked > 60


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_result_says_what_happened_and_what_next(make_kiosk, qtbot, outcome) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w.result_page.show_result(ResultView(outcome, "err.low_similarity", "*三", "1101**********0015"))
    w._show_page(w.result_page)
    name, description = _reported(w.result_page)
    assert name == w.result_page.title.text() and name
    assert w.result_page.next_step.text() in description
    if outcome is Outcome.PASS:
        assert "1101**********0015" in description
    else:
        assert w.result_page.reason.text() in description
    assert _reported(w.result_page.badge)[0] == name


def test_names_follow_the_language_switch(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    assert _reported(w.welcome.start_button) == ("Touch to start", "Starts the identity check.")
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    name, description = _reported(w.welcome.start_button)
    assert _cjk(name) and _cjk(description)
    assert _reported(w.pin_page.pad.keys["⌫"])[0] == "删除"
    settle()  # Qt delivers LanguageChange to the step indicator on the next event-loop turn
    step = w.card_page.dots
    assert _reported(step)[0] == "第 1 步，共 3 步：身份证"
