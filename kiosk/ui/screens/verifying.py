"""Verifying: progress of the two service calls, with a spinner.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import palette, scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import make_label

# after this long on the verifying page the note says it is slow and points to "Call staff"
SLOW_AFTER_MS = 8000


class Spinner(QWidget):
    """A rotating arc while the service works (its timer runs only while visible)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        scaling.scaled_size(self, fixed_w=140, fixed_h=140)
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._tick)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().hideEvent(event)

    @Slot()
    def _tick(self) -> None:
        self._angle = (self._angle + 12) % 360
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = max(4.0, self.width() / 10)
        r = QRectF(self.rect()).adjusted(pen, pen, -pen, -pen)
        pal = palette.current()
        p.setPen(QPen(QColor(pal.spinner_track), pen))
        p.drawEllipse(r)
        p.setPen(QPen(QColor(pal.spinner_arc), pen, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawArc(r, -self._angle * 16, 100 * 16)
        p.end()


class VerifyingPage(Page):
    """Progress through the two service calls; has no way out (cannot be left by accident)."""

    name = "verifying"
    STEPS = ("card", "face")
    sig_slow = Signal()
    """The check is taking longer than usual (the note changed; voice guidance says it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "title")
        self.spinner = Spinner()
        self.rows: dict[str, QLabel] = {s: make_label("", "stepRow", center=False) for s in self.STEPS}
        self.note = make_label("", "small")
        self._state = {s: "pending" for s in self.STEPS}
        self._slow = False
        self._slow_timer = QTimer(self)
        self._slow_timer.setSingleShot(True)
        self._slow_timer.setInterval(SLOW_AFTER_MS)
        self._slow_timer.timeout.connect(self._on_slow)
        box = QVBoxLayout()
        scaling.scaled_layout(box, (0, 0, 0, 0), 18)
        for row in self.rows.values():
            box.addWidget(row)
        # the rows are left-aligned in a centred column; the column keeps their height for
        # their width (a wrapped row is never cut)
        self.column = QWidget()
        self.column.setLayout(box)
        scaling.scaled_size(self.column, max_w=900)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.column, 100)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (60, 30, 60, 40), 30)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(centred)
        layout.addWidget(self.note)
        layout.addStretch(2)

    def enter(self, card_done: bool = False) -> None:
        self._state = {"card": "done" if card_done else "active", "face": "active" if card_done else "pending"}
        self._slow = False
        self._slow_timer.start()
        self.retranslate()

    @Slot()
    def _on_slow(self) -> None:
        """Still waiting: say so, and where help is (the call-staff button stays on this page)."""
        self._slow = True
        self.retranslate()
        self.sig_slow.emit()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._slow_timer.stop()
        super().hideEvent(event)

    @property
    def slow(self) -> bool:
        return self._slow

    def progress(self, step: str) -> None:
        """Verifier progress: the name of the call that starts ("card"/"face" or API names)."""
        s = step.lower()
        if "face" in s or "imagerecognition" in s or "image_recognition" in s or "live" in s:
            self._state = {"card": "done", "face": "active"}
        elif "card" in s or "idcard" in s or "ocr" in s:
            self._state = {"card": "active", "face": "pending"}
        elif "done" in s or "verdict" in s:
            self._state = {"card": "done", "face": "done"}
        self.retranslate()

    def state(self) -> dict[str, str]:
        return dict(self._state)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Checking, please wait…"))
        texts = {"card": self.tr("Reading your ID card"), "face": self.tr("Comparing your face with the record")}
        marks = {"pending": "○", "active": "◉", "done": "✔"}
        for step, label in self.rows.items():
            label.setText(f"{marks[self._state[step]]}  {texts[step]}")
            label.setProperty("state", self._state[step])
            label.style().unpolish(label)
            label.style().polish(label)
        if self._slow:
            self.note.setText(self.tr("This is taking longer than usual. If you need help, touch \"Call staff\"."))
        else:
            self.note.setText(self.tr("This usually takes a few seconds."))
