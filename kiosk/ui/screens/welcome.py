"""Welcome: the attract loop and the start button.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import palette, scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import make_button, make_label


class AttractArt(QWidget):
    """A looping how-to picture: card, then face, then done (painted, no assets)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame = 0
        scaling.scaled_size(self, min_w=320, min_h=220)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        # drawn for a 520x300 area, scaled to fit this widget
        k = max(0.3, min(self.width() / 520, self.height() / 300, 1.6))
        p.translate(self.width() / 2, self.height() / 2)
        p.scale(k, k)
        p.translate(-260, -150)
        w, h = 520, 300
        pal = palette.current()
        white = QColor(pal.text)
        accent = QColor(pal.accent)
        # a screen with a camera dot
        screen = QRectF(w * 0.5 - 130, h * 0.5 - 120, 260, 200)
        p.setPen(QPen(white, 6))
        p.setBrush(QColor(pal.art_screen))
        p.drawRoundedRect(screen, 16, 16)
        p.setBrush(white)
        p.drawEllipse(QPointF(screen.center().x(), screen.top() + 16), 6, 6)
        step = self.frame % 3
        if step == 0:  # card held up in front of the screen
            card = QRectF(screen.center().x() - 95, screen.center().y() - 40, 190, 120)
            p.setPen(QPen(accent, 5))
            p.setBrush(QColor(pal.art_card))
            p.drawRoundedRect(card, 12, 12)
            p.setBrush(QColor(pal.art_card_detail))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRect(QRectF(card.right() - 62, card.top() + 18, 44, 56))
            for i in range(3):
                p.drawRect(QRectF(card.left() + 16, card.top() + 22 + i * 22, 90 - i * 14, 10))
        elif step == 1:  # a face in an oval
            oval = QRectF(screen.center().x() - 56, screen.center().y() - 60, 112, 144)
            p.setPen(QPen(accent, 5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(oval)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(white)
            p.drawEllipse(QPointF(oval.center().x(), oval.center().y() - 8), 34, 42)
            p.drawChord(QRectF(oval.center().x() - 52, oval.bottom() - 30, 104, 80), 0, 180 * 16)
        else:  # a tick
            p.setPen(QPen(QColor(pal.art_tick), 16, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            c = screen.center()
            p.drawPolyline(
                [QPointF(c.x() - 50, c.y()), QPointF(c.x() - 12, c.y() + 38), QPointF(c.x() + 56, c.y() - 40)]
            )
        p.end()


class WelcomePage(Page):
    """Attract loop; touching anywhere (or the big button) starts a session."""

    name = "welcome"
    sig_start = Signal()
    """The customer wants to start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "hero")
        self.subtitle = make_label("", "subtitle")
        self.art = AttractArt()
        self.caption = make_label("", "caption")
        self.start_button = make_button("", "primary", 110)
        scaling.scaled_size(self.start_button, min_w=460)
        self.start_button.clicked.connect(self.sig_start)
        # "temporarily unavailable, please see staff" while the service health check fails
        self.status = make_label("", "serviceDown")
        self.status.setVisible(False)
        self._service_ok = True
        # after "No, thanks": where to go instead (shown for a while)
        self.note = make_label("", "nextStep")
        self.note.setVisible(False)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(12_000)
        self._note_timer.timeout.connect(lambda: self.note.setVisible(False))
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (60, 30, 60, 40), 16)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.art, 3)
        layout.addWidget(self.caption)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setInterval(2500)
        self._timer.timeout.connect(self._advance)

    def set_service_ok(self, ok: bool) -> None:
        """Service health: while it is down Start is disabled and the page says to see staff."""
        self._service_ok = ok
        self.start_button.setEnabled(ok)
        self.status.setVisible(not ok)
        self.caption.setVisible(ok)
        self.retranslate()

    def show_declined_note(self) -> None:
        """The customer said "No, thanks": tell them where to go instead."""
        self.note.setVisible(True)
        self._note_timer.start()

    @property
    def service_ok(self) -> bool:
        return self._service_ok

    def retranslate(self) -> None:
        self.title.setText(self.tr("Identity check"))
        self.subtitle.setText(self.tr("Verify yourself with your resident ID card in about one minute"))
        self.start_button.setText(self.tr("Touch to start"))
        self.status.setText(self.tr("Identity checks are temporarily unavailable. Please see a member of staff."))
        self.note.setText(self.tr("No problem: a member of staff at the counter can check your ID card instead."))
        self._caption()

    def _caption(self) -> None:
        captions = [
            self.tr("1. Show the photo side of your ID card"),
            self.tr("2. Look at the camera"),
            self.tr("3. Done: your identity is checked"),
        ]
        self.caption.setText(captions[self.art.frame % 3])

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().hideEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._service_ok:
            self.sig_start.emit()

    @Slot()
    def _advance(self) -> None:
        self.art.frame += 1
        self.art.update()
        self._caption()
