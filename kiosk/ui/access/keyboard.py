"""Keyboard and keypad operation, and a focus ring you can see from a metre away.

* Tab / Right / Down move to the next control, Shift+Tab / Left / Up to the previous one, in a
  fixed order per page (the page's own actions first, then the header: large text, repeat,
  language, call staff). On the "still there?" overlay only its button can be reached.
* Enter / Return / keypad Enter / Space press the focused control; with nothing focused they
  press the page's first action (Welcome: start; Consent: agree; Result: done). They obey the
  window's tap guard (``presses_guarded``): for half a second after a page change or a button
  they are swallowed like a second tap, so a double press cannot skip a page.
* F1 or the keypad's ``*`` repeats the spoken prompt; Page Up / Page Down scroll a long text
  (the privacy notice).
* PIN page (a USB numeric keypad works, NumLock on or off): digits, Backspace / Delete / keypad
  ``.`` erase, Enter submits (or cancels when Cancel is focused), Escape cancels.
* :class:`FocusRing`: a 5 px ring in the palette's ``focus_ring`` colour, 6 px outside the
  focused control, drawn on top of everything. It shows while the customer uses keys and hides
  on a touch, like a browser's ``:focus-visible``.

The order is given by the pages' attribute names (:data:`PAGE_ORDER`); buttons a page has that
are not named there still come after the named ones, in reading order, so a new button is
never unreachable. GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QScrollArea, QWidget

from kiosk.ui import palette

# page class -> attribute names of its controls, in the order the keyboard visits them
PAGE_ORDER: dict[str, tuple[str, ...]] = {
    "WelcomePage": ("start_button",),
    "ConsentPage": ("accept_button", "decline_button"),
    "CapturePage": ("manual_button",),
    # "Done" first (Enter with nothing focused ends the session, as before "Try again" existed)
    "ResultPage": ("done_button", "retry_button", "staff_close_button"),
    "StaffPage": (
        "camera_combo", "test_button", "answered_button", "back_button", "exit_button",
        "confirm_cancel_button", "confirm_exit_button",
    ),
}
HEADER_ORDER = ("large_text_button", "repeat_button", "lang_button", "staff_button")
PIN_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")

NEXT_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Right, Qt.Key.Key_Down}
PREV_KEYS = {Qt.Key.Key_Backtab, Qt.Key.Key_Left, Qt.Key.Key_Up}
PRESS_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}
ERASE_KEYS = {Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Period, Qt.Key.Key_Comma}
# a numeric keypad with NumLock off sends navigation keys (with the keypad modifier)
KEYPAD_NAV_DIGITS = {
    Qt.Key.Key_Insert: "0",
    Qt.Key.Key_End: "1",
    Qt.Key.Key_Down: "2",
    Qt.Key.Key_PageDown: "3",
    Qt.Key.Key_Left: "4",
    Qt.Key.Key_Clear: "5",
    Qt.Key.Key_Right: "6",
    Qt.Key.Key_Home: "7",
    Qt.Key.Key_Up: "8",
    Qt.Key.Key_PageUp: "9",
}
RING_WIDTH = 5
RING_GAP = 6


class FocusRing(QWidget):
    """The visible focus indicator: follows the focused control, ignores the mouse."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None
        self.hide()

    def follow(self, target: QWidget | None) -> None:
        """Put the ring around ``target`` (None or an invisible target hides it)."""
        self.target = target
        window = self.parentWidget()
        if target is None or window is None or not target.isVisibleTo(window):
            self.hide()
            return
        top_left = target.mapTo(window, target.rect().topLeft())
        pad = RING_GAP + RING_WIDTH
        rect = QRect(top_left, target.size()).adjusted(-pad, -pad, pad, pad)
        # a control at the window's edge (the header's buttons): the ring stays on screen
        rect = rect.intersected(window.rect())
        if self.geometry() != rect:
            self.setGeometry(rect)
        self.show()
        self.raise_()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(palette.current().focus_ring), RING_WIDTH)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        half = RING_WIDTH / 2
        p.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 24, 24)
        p.end()


class KeyboardNavigator(QObject):
    """Application event filter that gives the kiosk window its keyboard behaviour."""

    def __init__(self, window: Any, repeat: Any) -> None:
        super().__init__(window)
        self.window = window
        self._repeat = repeat
        self.keyboard_mode = False
        self.ring = FocusRing(window)
        self._sync = QTimer(self)
        self._sync.setInterval(120)
        self._sync.timeout.connect(self._follow_focus)
        window.sig_page_shown.connect(self._on_page)
        window.idle_overlay.sig_still_here.connect(lambda: QTimer.singleShot(0, self.focus_first))
        QApplication.instance().installEventFilter(self)

    # ---- order ---------------------------------------------------------------------------------
    def chain(self) -> list[QWidget]:
        """The controls the keyboard can reach now, in order."""
        w = self.window
        if w.idle_overlay.isVisible():
            return [w.idle_overlay.button]
        page = w.current_page()
        named: list[QWidget] = []
        if page is w.pin_page:
            named = [page.pad.keys[k] for k in PIN_KEYS if k in page.pad.keys] + [page.pad.cancel_button]
        else:
            named = [getattr(page, n) for n in PAGE_ORDER.get(type(page).__name__, ()) if hasattr(page, n)]
        others = [
            c for c in page.findChildren(QWidget)
            if isinstance(c, QAbstractButton | QComboBox) and c not in named
        ]
        others.sort(key=lambda c: (c.mapTo(w, c.rect().topLeft()).y(), c.mapTo(w, c.rect().topLeft()).x()))
        header = [getattr(w, n, None) or getattr(w.access.controls, n, None) for n in HEADER_ORDER]
        return [c for c in [*named, *others, *header] if c is not None and self._reachable(c)]

    def _reachable(self, c: QWidget) -> bool:
        return c.isVisibleTo(self.window) and c.isEnabled() and c.focusPolicy() != Qt.FocusPolicy.NoFocus

    def focus_first(self) -> None:
        chain = self.chain()
        if chain:
            chain[0].setFocus(Qt.FocusReason.OtherFocusReason)
        self._follow_focus()

    def move(self, step: int) -> None:
        chain = self.chain()
        if not chain:
            return
        current = QApplication.focusWidget()
        i = chain.index(current) if current in chain else (-1 if step > 0 else 0)
        chain[(i + step) % len(chain)].setFocus(
            Qt.FocusReason.TabFocusReason if step > 0 else Qt.FocusReason.BacktabFocusReason
        )
        self._follow_focus()

    # ---- events --------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin) and self.keyboard_mode:
            self.keyboard_mode = False
            self._sync.stop()
            self.ring.hide()
            return False
        if kind != QEvent.Type.KeyPress or not isinstance(obj, QWidget) or obj.window() is not self.window:
            return False
        if getattr(self.window, "_closed", False) or self.window.current_page() is None:
            return False
        handled = self._on_key(event)  # type: ignore[arg-type]
        if handled and not self.keyboard_mode:
            self.keyboard_mode = True
            self._sync.start()
        if handled:
            self._follow_focus()
        return handled

    def _on_key(self, event: QKeyEvent) -> bool:
        key = Qt.Key(event.key())
        w = self.window
        if w.current_page() is w.pin_page and not w.idle_overlay.isVisible() and self._pin_key(event, key):
            return True
        focus = QApplication.focusWidget()
        if isinstance(focus, QComboBox) and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return False  # the staff page's camera list takes its own arrows
        if key in NEXT_KEYS and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.move(+1)
            return True
        if key in PREV_KEYS or (key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.move(-1)
            return True
        if key in PRESS_KEYS:
            return self._press(focus)
        if key in (Qt.Key.Key_F1, Qt.Key.Key_Asterisk) and w.current_page().customer:
            self._repeat()
            return True
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            return self._scroll(+1 if key == Qt.Key.Key_PageDown else -1)
        return False

    def _scroll(self, direction: int) -> bool:
        areas = [a for a in self.window.current_page().findChildren(QScrollArea) if a.isVisibleTo(self.window)]
        if not areas:
            return False
        bar = areas[0].verticalScrollBar()
        bar.setValue(bar.value() + direction * bar.pageStep())
        return True

    def _guarded(self) -> bool:
        """The window's tap guard (after a page change or a button) holds for keys as well: a
        double Enter must not agree to the privacy notice the customer has not seen."""
        guarded = getattr(self.window, "presses_guarded", None)
        return bool(guarded is not None and guarded())

    def _press(self, focus: QWidget | None) -> bool:
        if self._guarded():
            return True  # swallowed, like a tap during the guard
        chain = self.chain()
        target = focus if focus in chain else (chain[0] if chain else None)
        if isinstance(target, QAbstractButton):
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            target.click()
            return True
        if isinstance(target, QComboBox):
            target.showPopup()
            return True
        return False

    def _pin_key(self, event: QKeyEvent, key: Qt.Key) -> bool:
        pad = self.window.pin_page.pad
        keypad = bool(event.modifiers() & Qt.KeyboardModifier.KeypadModifier)
        text = event.text()
        digit = text if len(text) == 1 and text.isdigit() else None
        if digit is None and keypad:
            digit = KEYPAD_NAV_DIGITS.get(key)
        if digit is not None:
            pad.keys[digit].click()
            return True
        if key in ERASE_KEYS and (keypad or key not in (Qt.Key.Key_Period, Qt.Key.Key_Comma)):
            pad.keys["⌫"].click()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._guarded():
                return True
            focus = QApplication.focusWidget()
            (pad.cancel_button if focus is pad.cancel_button else pad.keys["OK"]).click()
            return True
        if key == Qt.Key.Key_Escape:
            pad.cancel_button.click()
            return True
        return False

    @Slot(str)
    def _on_page(self, name: str) -> None:
        QTimer.singleShot(0, self.focus_first)

    @Slot()
    def _follow_focus(self) -> None:
        if not self.keyboard_mode:
            self.ring.hide()
            return
        focus = QApplication.focusWidget()
        self.ring.follow(focus if focus is not None and focus.window() is self.window else None)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
