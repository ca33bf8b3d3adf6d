"""The idle "still there?" overlay.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import scaling
from kiosk.ui.widgets import make_button, make_label


class IdleOverlay(QWidget):
    """ "Are you still there?" on top of the current page (non-modal, no exec())."""

    sig_still_here = Signal()
    """The customer touched "I'm still here"."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.panel = QFrame(self)
        self.panel.setObjectName("idlePanel")
        scaling.scaled_size(self.panel, min_w=1000)  # the large look's line fits in one line
        self.title = make_label("", "title")
        self.body = make_label("", "subtitle")
        self.button = make_button("", "primary", 110)
        scaling.scaled_size(self.button, min_w=460)
        self.button.clicked.connect(self.sig_still_here)
        pl = QVBoxLayout(self.panel)
        scaling.scaled_layout(pl, (60, 50, 60, 50), 24)
        pl.addWidget(self.title)
        pl.addWidget(self.body)
        pl.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.panel, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        self._left = 0
        self.hide()

    def set_seconds_left(self, seconds: int) -> None:
        self._left = seconds
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Are you still there?"))
        self.body.setText(self.tr("For your privacy this session ends in %1 s.").replace("%1", str(self._left)))
        self.button.setText(self.tr("I'm still here"))
