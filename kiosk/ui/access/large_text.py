"""The large-text, high-contrast mode a customer switches on from the welcome page.

On: ``resources/theme/kiosk-large.qss`` is appended to the window's standard theme through the
window's display hook ``set_theme_qss`` (the design-px theme the window scales to the display
and sets as its own style sheet, which would hide any other overlay), so the bigger type and
targets, white and yellow on black, follow the display's scale like the standard look; the
painted widgets switch to :data:`kiosk.ui.palette.HIGH_CONTRAST`. The large sheet carries its
own design font sizes (1.1-1.35x the standard ones, per element), so the window's other hook,
``set_text_scale``, stays at 1.0: with it, every page state fits all six supported displays in
both languages (``tests/ui/test_large_text.py``, helper i15's layout checker).
It lasts for the customer's session and is switched off on every return to the welcome page
(the wipe), and at shutdown. Layouts are untouched: pages grow with their fonts. GUI thread only.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from kiosk.core.session import Step
from kiosk.resources import resource
from kiosk.ui import palette

log = logging.getLogger(__name__)

LARGE_THEME_FILE = resource("theme", "kiosk-large.qss")


def large_style_sheet() -> str:
    try:
        return LARGE_THEME_FILE.read_text(encoding="utf-8")
    except OSError:
        log.error("large-text theme %s missing: the mode only changes the painted colours", LARGE_THEME_FILE)
        return ""


class LargeTextMode(QObject):
    """Switches the mode; ``button`` (checkable) shows and toggles it."""

    sig_changed = Signal(bool)
    """The mode was switched (True: large text and high contrast)."""

    def __init__(self, window: Any, button: Any) -> None:
        super().__init__(window)
        self.window = window
        self.button = button
        self.enabled = False
        self._sheet = large_style_sheet()
        self._standard: str | None = None
        button.toggled.connect(self.set_enabled)
        window.session.subscribe(self._on_transition)

    @Slot(bool)
    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if self.button.isChecked() != on:
            self.button.blockSignals(True)
            self.button.setChecked(on)
            self.button.blockSignals(False)
        if on == self.enabled:
            return
        self.enabled = on
        palette.set_high_contrast(on)
        w = self.window
        if self._standard is None:
            self._standard = w.theme_qss  # the window's standard theme (design px)
        w.set_theme_qss(self._standard + "\n" + self._sheet if on else self._standard)
        for child in self.window.findChildren(QWidget):
            child.update()  # the painted widgets read the palette at paint time
        self.sig_changed.emit(on)

    def _on_transition(self, session: Any, t: Any) -> None:
        if t.new is Step.WELCOME and t.old is not Step.WELCOME:
            self.set_enabled(False)  # the next customer starts with the standard look
