"""Consent: the privacy notice with agree / decline.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import make_button, make_label


class ConsentPage(Page):
    """Privacy notice with accept / decline."""

    name = "consent"
    sig_accept = Signal()
    """The customer agreed."""
    sig_decline = Signal()
    """The customer declined."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "title")
        self.notice = make_label("", "notice", center=False)
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.notice)
        scroll.setObjectName("noticeScroll")
        self.accept_button = make_button("", "primary", 100)
        self.decline_button = make_button("", "secondary", 100)
        self.accept_button.clicked.connect(self.sig_accept)
        self.decline_button.clicked.connect(self.sig_decline)
        row = QHBoxLayout()
        scaling.scaled_layout(row, (0, 0, 0, 0), 40)
        row.addWidget(self.decline_button, 1)
        row.addWidget(self.accept_button, 2)
        self.scroll = scroll
        panel = QFrame()
        panel.setObjectName("panel")
        scaling.scaled_size(panel, max_w=1500)
        pl = QVBoxLayout(panel)
        scaling.scaled_layout(pl, (40, 30, 40, 30), 0)
        pl.addWidget(scroll)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (80, 20, 80, 30), 24)
        layout.addWidget(self.title)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(panel, 100)
        centred.addStretch(1)
        layout.addLayout(centred, 1)
        layout.addLayout(row)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Before we start"))
        items = [
            self.tr("The kiosk takes a photo of your ID card and a photo of your face."),
            self.tr(
                "They are sent over an encrypted connection to the identity verification service "
                "(Tencent Cloud FaceID) and compared with the photo on record."
            ),
            self.tr(
                "Nothing is stored on this kiosk. Photos, your name and your ID number are erased "
                "as soon as you finish or walk away."
            ),
            self.tr("You can stop at any time, or ask a member of staff to check your card instead."),
        ]
        self.notice.setText(
            "<ul style='margin-left:8px'>"
            + "".join(f"<li style='margin-bottom:22px'>{t}</li>" for t in items)
            + "</ul>"
        )
        self.accept_button.setText(self.tr("I agree, continue"))
        self.decline_button.setText(self.tr("No, thanks"))
