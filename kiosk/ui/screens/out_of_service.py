"""Out of service: shown while the camera is lost.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import ResultBadge, make_label


class OutOfServicePage(Page):
    """Shown while the camera is lost; recovers by itself when the camera returns."""

    name = "out_of_service"
    customer = True  # the language and call-staff buttons stay (a customer may be waiting)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = ResultBadge()
        self.badge.set_kind("info")
        self.title = make_label("", "hero")
        self.body = make_label("", "subtitle")
        self.status = make_label("", "small")
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (60, 30, 60, 30), 16)
        layout.addStretch(1)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Temporarily out of service"))
        self.body.setText(self.tr("Please see a member of staff at the counter."))
        self.status.setText(
            self.tr("Staff: check the camera cable. The kiosk restarts by itself when the camera is back.")
        )
