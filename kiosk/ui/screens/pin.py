"""Staff PIN entry.

GUI thread only.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import PinPad, make_label


class PinPage(Page):
    """PIN pad in front of the staff screen."""

    name = "staff_pin"
    customer = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "title")
        self.message = make_label("", "pinMessage")
        self.pad = PinPad()
        self._message: tuple[str, int] = ("", 0)
        # the lock message counts down once a second, then clears itself
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._on_countdown)
        holder = QWidget()
        scaling.scaled_size(holder, fixed_w=620)
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.pad)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (40, 20, 40, 20), 10)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def set_message(self, kind: str, number: int = 0) -> None:
        """kind: "" | "wrong" (number = tries left) | "locked" (number = seconds) | "not_configured"."""
        self._message = (kind, number)
        if kind == "locked" and number > 0:
            self._countdown.start()
        else:
            self._countdown.stop()
        self.retranslate()

    def _on_countdown(self) -> None:
        kind, left = self._message
        left -= 1
        if kind != "locked" or left <= 0:
            self._countdown.stop()
            self._message = ("", 0)
        else:
            self._message = ("locked", left)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff only: enter PIN"))
        self.pad.retranslate()
        kind, n = self._message
        if kind == "wrong":
            text = self.tr("Wrong PIN. %1 tries left.").replace("%1", str(n))
        elif kind == "locked":
            text = self.tr("Too many wrong PINs. Try again in %1 s.").replace("%1", str(max(1, math.ceil(n))))
        elif kind == "not_configured":
            text = self.tr("No staff PIN is configured on this kiosk.")
        else:
            text = ""
        self.message.setText(text)
