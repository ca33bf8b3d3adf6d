"""Keyboard and keypad: a whole session with key presses only, the focus ring, the PIN keypad."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.core.session import Step
from kiosk.ui import palette
from kiosk.ui.camera_worker import CameraController
from kiosk.ui.demo_scenarios import SCENARIOS
from kiosk.ui.demo_world import DemoWorld
from kiosk.ui.frame_analysis import VisionPipeline
from kiosk.ui.i18n import LanguageManager
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell import KioskWindow
from kiosk.ui.voice import MemoryPlayer
from tests.ui.conftest import TEST_PIN

TIMEOUT = 5000
KEYPAD = Qt.KeyboardModifier.KeypadModifier


def press(qtbot, window, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press as the keyboard delivers it: to the focused widget, else to the window."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


def wait_out_the_guard(qtbot, window) -> None:
    """A real customer reads the page before pressing: the tap guard (0.5 s) has passed."""
    qtbot.waitUntil(lambda: not window.presses_guarded(), timeout=TIMEOUT)


def focused():
    return QApplication.focusWidget()


@pytest.mark.timeout(240)
def test_keyboard_only_session_passes_against_the_emulator(qtbot) -> None:
    world = DemoWorld(realtime=False, language="en")
    languages = LanguageManager()
    languages.set_language("en")
    settings = UiSettings(fullscreen=False, language="en")
    camera = CameraController(world.source_factory(SCENARIOS["pass"]), VisionPipeline)
    player = MemoryPlayer(clock=lambda: 0.0)
    window = KioskWindow(settings, camera, world.switch, languages, client=world.client, voice_player=player)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    try:
        world.use(SCENARIOS["pass"])
        window.start()
        qtbot.waitUntil(lambda: focused() is window.welcome.start_button, timeout=TIMEOUT)
        wait_out_the_guard(qtbot, window)
        press(qtbot, window, Qt.Key.Key_Return)
        assert window.session.step is Step.CONSENT
        press(qtbot, window, Qt.Key.Key_Return)  # a double press: swallowed by the tap guard
        assert window.session.step is Step.CONSENT, "a second Enter must not agree unseen"
        consent = window.consent
        qtbot.waitUntil(lambda: focused() is consent.accept_button, timeout=TIMEOUT)
        press(qtbot, window, Qt.Key.Key_Tab)
        assert focused() is consent.decline_button
        assert window.access.keyboard.ring.isVisible(), "keys make the focus ring visible"
        ring = window.access.keyboard.ring.geometry()
        button = consent.decline_button
        assert ring.contains(button.mapTo(window, button.rect().center()))
        press(qtbot, window, Qt.Key.Key_Backtab)
        assert focused() is consent.accept_button
        wait_out_the_guard(qtbot, window)
        press(qtbot, window, Qt.Key.Key_Space)
        assert window.session.step is Step.CARD
        # the virtual customer shows the card and the face; the kiosk captures both by itself
        qtbot.waitUntil(lambda: window.session.step is Step.RESULT, timeout=120_000)
        assert window.session.result.outcome.value == "pass"
        qtbot.waitUntil(lambda: focused() is window.result_page.done_button, timeout=TIMEOUT)
        wait_out_the_guard(qtbot, window)
        press(qtbot, window, Qt.Key.Key_Enter, KEYPAD)
        assert window.session.step is Step.WELCOME
        assert not window.session.has_customer_data()
        spoken = player.keys()
        for prompt in (("step.consent",), ("step.card",), ("outcome.pass", "next.pass")):
            assert prompt in spoken
    finally:
        window.allow_close()
        window.shutdown()
        world.close()
        languages.set_language("en")


def test_every_customer_page_has_an_order_and_a_first_action(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"manual_capture_after_s": 0.1})
    w = k.window
    nav = w.access.keyboard
    header = [w.access.controls.large_text_button, w.access.controls.repeat_button, w.lang_button, w.staff_button]
    assert nav.chain() == [w.welcome.start_button, *header]
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert nav.chain() == [w.consent.accept_button, w.consent.decline_button, *header[1:]]
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.card_page.manual_button.isVisible, timeout=TIMEOUT)
    assert nav.chain() == [w.card_page.manual_button, *header[1:]]
    chain = nav.chain()
    start = focused()
    assert start in chain
    seen = []
    for _ in range(len(chain)):  # Right goes round the whole chain and back
        press(qtbot, w, Qt.Key.Key_Right)
        seen.append(focused())
    assert focused() is start and set(seen) == set(chain)
    press(qtbot, w, Qt.Key.Key_Up)
    assert focused() is chain[chain.index(start) - 1]


def test_the_focus_ring_hides_on_touch_and_stands_out(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    nav = w.access.keyboard
    qtbot.waitUntil(lambda: focused() is w.welcome.start_button, timeout=TIMEOUT)
    press(qtbot, w, Qt.Key.Key_Tab)
    assert nav.ring.isVisible() and nav.keyboard_mode
    image = w.grab().toImage()
    ring = nav.ring.geometry()
    color = image.pixelColor(ring.center().x(), ring.top() + 2).name().upper()
    assert color == palette.current().focus_ring.upper()
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    assert not nav.ring.isVisible() and not nav.keyboard_mode


def test_usb_keypad_enters_the_staff_pin(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w.open_staff()
    qtbot.waitUntil(lambda: focused() is w.pin_page.pad.keys["1"], timeout=TIMEOUT)
    press(qtbot, w, Qt.Key.Key_9, KEYPAD)
    press(qtbot, w, Qt.Key.Key_Delete, KEYPAD)  # keypad "." / Del erases
    press(qtbot, w, Qt.Key.Key_Backspace)
    assert w.pin_page.pad.display.text() == ""
    press(qtbot, w, Qt.Key.Key_1, KEYPAD)
    press(qtbot, w, Qt.Key.Key_PageDown, KEYPAD)  # NumLock off: 3
    press(qtbot, w, Qt.Key.Key_5)
    press(qtbot, w, Qt.Key.Key_Home, KEYPAD)  # NumLock off: 7
    press(qtbot, w, Qt.Key.Key_PageUp, KEYPAD)  # NumLock off: 9
    press(qtbot, w, Qt.Key.Key_Insert, KEYPAD)  # NumLock off: 0
    assert w.pin_page.pad.display.text() == "●●●●●●"
    assert TEST_PIN == "135790"
    press(qtbot, w, Qt.Key.Key_Enter, KEYPAD)
    assert w.current_page() is w.staff_page


def test_staff_page_and_result_buttons_have_their_places(make_kiosk, qtbot) -> None:
    from kiosk.core.session import ResultView
    from kiosk.core.verification import Outcome

    k = make_kiosk(mode="empty")
    w = k.window
    nav = w.access.keyboard
    s = w.staff_page
    w._refresh_staff()
    w._show_page(s)
    assert nav.chain() == [s.camera_combo, s.test_button, s.back_button, s.exit_button], "no calls: disabled"
    s.set_calls([("10:00:00", "customer_request", "delivered")])
    assert nav.chain() == [s.camera_combo, s.test_button, s.answered_button, s.back_button, s.exit_button]
    qtbot.waitUntil(lambda: focused() is s.camera_combo, timeout=TIMEOUT)  # the page's first control
    s.exit_button.setFocus()
    press(qtbot, w, Qt.Key.Key_Return)  # "Exit the kiosk" asks first; the safe answer has the focus
    assert s.asking_exit and focused() is s.confirm_cancel_button
    assert nav.chain() == [s.camera_combo, s.confirm_cancel_button, s.confirm_exit_button]
    press(qtbot, w, Qt.Key.Key_Return)
    assert not s.asking_exit and w.current_page() is s
    header = [w.access.controls.repeat_button, w.lang_button, w.staff_button]
    r = w.result_page
    w.result_page.show_result(ResultView(Outcome.UNAVAILABLE, "err.service_timeout"), can_retry=True)
    w._show_page(r)
    assert nav.chain() == [r.done_button, r.retry_button, *header]
    w.result_page.show_result(ResultView(Outcome.STAFF, "msg.staff_called"))
    assert nav.chain() == [r.staff_close_button, *header]


def test_keypad_wrong_pin_and_escape(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w.open_staff()
    for key in (Qt.Key.Key_0, Qt.Key.Key_0, Qt.Key.Key_0, Qt.Key.Key_0, Qt.Key.Key_Return):
        press(qtbot, w, key)
    assert w.current_page() is w.pin_page and "Wrong PIN" in w.pin_page.message.text()
    press(qtbot, w, Qt.Key.Key_Escape)
    assert w.current_page() is w.welcome


def test_f1_repeats_the_prompt(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    player = MemoryPlayer(clock=lambda: 0.0)
    w.access.voice.player = player
    w.access.voice.say(["step.welcome"])
    qtbot.waitUntil(lambda: len(player.played) == 1, timeout=TIMEOUT)
    press(qtbot, w, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: len(player.played) == 2, timeout=TIMEOUT)
    assert player.played[1].keys == ("step.welcome",)


def test_enter_answers_the_idle_warning_and_page_keys_scroll_the_notice(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"idle_timeout_s": 0.3, "idle_warning_s": 5})
    w = k.window
    press(qtbot, w, Qt.Key.Key_Return)  # Welcome: start
    assert w.session.step is Step.CONSENT
    qtbot.waitUntil(w.idle_overlay.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: focused() is w.idle_overlay.button, timeout=TIMEOUT)
    assert w.access.keyboard.chain() == [w.idle_overlay.button], "only the overlay's button is reachable"
    press(qtbot, w, Qt.Key.Key_Return)
    assert not w.idle_overlay.isVisible() and w.session.step is Step.CONSENT
    assert w.idle_timer.isActive(), "the session goes on"
    from PySide6.QtWidgets import QScrollArea

    # large text on a full-HD panel: the notice is longer than its view (the large look scales
    # with the display since it goes through the window's theme, so a smaller window fits it)
    w.resize(1920, 1080)
    w.access.large_text.set_enabled(True)
    qtbot.waitUntil(lambda: w.consent.findChild(QScrollArea).verticalScrollBar().maximum() > 0, timeout=TIMEOUT)
    bar = w.consent.findChild(QScrollArea).verticalScrollBar()
    press(qtbot, w, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    press(qtbot, w, Qt.Key.Key_PageUp)
    assert bar.value() == 0
