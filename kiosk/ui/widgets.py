"""Reusable widgets: camera preview with overlay, header bar, result badge, PIN pad.

All widgets live on the GUI thread. The preview turns a worker's ``QImage`` into a ``QPixmap``
here (GUI thread), never in the worker.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.vision.face_checks import face_guide
from kiosk.ui import palette, scaling
from kiosk.ui.preview_frames import FramePacket

# overlay colours: neutral (nothing found yet), working (problems), good (about to capture).
COLOR_NEUTRAL = QColor("#FFFFFF")
COLOR_PROBLEM = QColor("#FFB300")
COLOR_GOOD = QColor("#00C853")
COLOR_DIM = QColor(0, 0, 0, 150)
# ID-1 card aspect ratio (85.6 x 54 mm).
CARD_ASPECT = 85.6 / 54.0


def make_button(text: str, role: str = "primary", min_height: int = 88) -> QPushButton:
    """A large touch button styled by the theme's ``role`` property (>= 64 px tall).

    It takes keyboard focus (Tab, and a click); :mod:`kiosk.ui.access.keyboard` draws the ring.
    """
    button = QPushButton(text)
    button.setProperty("role", role)
    scaling.scaled_size(button, min_h=max(64, min_height), min_w=160, touch=True)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def make_label(text: str = "", name: str = "body", *, wrap: bool = True, center: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    if center:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class PreviewWidget(QWidget):
    """Live camera preview with a guide overlay (card frame or face oval) and a countdown ring.

    Fed by :meth:`show_packet` (GUI thread). The guide is white while nothing is found, amber
    while the checks report problems, green when the frame passes; the ring fills with
    ``AutoCapture.progress`` and shows the seconds left. Both previews are mirrored (the customer
    sees a mirror, so moving left moves left on screen; the hints name directions the same way,
    see ``kiosk.core.vision.guidance``). The face oval is
    ``kiosk.core.vision.face_checks.face_guide``: the same region and size band the face checks
    use, so green means inside the oval and the right size. :meth:`freeze` holds the last frame
    with a tick ("captured") until the page leaves.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        scaling.scaled_size(self, min_w=480, min_h=300)
        self._pixmap: QPixmap | None = None
        self._stage = "card"
        self._ok = False
        self._found = False
        self._progress = 0.0
        self._box: tuple[float, float, float, float] | None = None
        self._quad = None
        self._frame_size: tuple[int, int] | None = None
        self._countdown_s = 1.0
        self._frozen = False
        self._times: deque[float] = deque(maxlen=240)

    # ---- public --------------------------------------------------------------------------
    def set_stage(self, stage: str) -> None:
        self._stage = stage
        self.clear()

    def set_countdown(self, seconds: float) -> None:
        """How long a full countdown ring lasts (``AutoCapture.min_steady_s``), for the number shown."""
        self._countdown_s = max(0.0, float(seconds))

    def freeze(self) -> None:
        """Keep the current frame with a full ring and a tick (the capture is done)."""
        self._frozen = True
        self._ok = True
        self._progress = 1.0
        self.update()

    def show_packet(self, packet: FramePacket) -> None:
        """Display one frame (GUI thread): QImage -> QPixmap happens here."""
        if self._frozen:
            return
        self._pixmap = QPixmap.fromImage(packet.image)
        self._frame_size = (packet.image.width(), packet.image.height())
        self._ok = packet.ok
        self._found = packet.box is not None or packet.quad is not None
        self._progress = packet.progress
        self._box = packet.box
        self._quad = packet.quad
        self._times.append(time.monotonic())
        self.update()

    def clear(self) -> None:
        """Forget the last frame (used on every wipe)."""
        self._pixmap = None
        self._box = None
        self._quad = None
        self._ok = self._found = False
        self._frozen = False
        self._progress = 0.0
        self._frame_size = None
        self._times.clear()
        self.update()

    def has_frame(self) -> bool:
        return self._pixmap is not None

    def fps(self, window_s: float = 2.0) -> float:
        """Frames shown per second over the last ``window_s`` seconds (0 when too few)."""
        if len(self._times) < 2:
            return 0.0
        now = time.monotonic()
        recent = [t for t in self._times if now - t <= window_s]
        if len(recent) < 2:
            return 0.0
        span = max(now - recent[0], recent[-1] - recent[0])
        return (len(recent) - 1) / span if span > 0 else 0.0

    def guide_color(self) -> QColor:
        if self._ok:
            return COLOR_GOOD
        return COLOR_PROBLEM if self._found else COLOR_NEUTRAL

    # ---- painting ------------------------------------------------------------------------
    def _image_rect(self) -> QRectF:
        """Where the whole camera frame lands (fitted, letterboxed), in widget coordinates.

        The frame is shown whole so the guide matches what the checks see.
        """
        w, h = self.width(), self.height()
        if self._pixmap is None or self._pixmap.isNull():
            pw, ph = 16.0, 9.0
        else:
            pw, ph = float(self._pixmap.width()), float(self._pixmap.height())
        scale = min(w / pw, h / ph)
        sw, sh = pw * scale, ph * scale
        return QRectF((w - sw) / 2, (h - sh) / 2, sw, sh)

    def _guide_rect(self) -> QRectF:
        """The card frame (about 2/3 of the frame width) or the face oval, inside the image."""
        img = self._image_rect()
        if self._stage == "face":
            fw, fh = self._frame_size or (round(img.width()), round(img.height()))
            cx, cy, gw, gh = face_guide(fw, fh)  # frame pixels
            s = img.width() / max(1, fw)
            return QRectF(img.x() + (cx - gw / 2) * s, img.y() + (cy - gh / 2) * s, gw * s, gh * s)
        else:
            gw = min(img.width() * 0.66, img.height() * 0.86 * CARD_ASPECT)
            gh = gw / CARD_ASPECT
        c = img.center()
        return QRectF(c.x() - gw / 2, c.y() - gh / 2, gw, gh)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(palette.current().page))  # letterbox bars: the page colour
        mirror = True  # both stages, like a mirror
        target = self._image_rect()
        p.fillRect(target, QColor("#000000"))
        if self._pixmap is not None:
            p.save()
            if mirror:
                p.translate(self.width(), 0)
                p.scale(-1, 1)
            p.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
            p.restore()
        guide = self._guide_rect()
        shape = QPainterPath()
        if self._stage == "face":
            shape.addEllipse(guide)
        else:
            shape.addRoundedRect(guide, 24, 24)
        outside = QPainterPath()
        outside.addRect(target)
        p.fillPath(outside.subtracted(shape), COLOR_DIM)
        color = self.guide_color()
        p.setPen(QPen(color, 8))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(shape)
        self._paint_detection(p, target, mirror, color)
        if self._progress > 0:
            self._paint_countdown(p, guide)
        p.end()

    def _map(self, target: QRectF, x: float, y: float, mirror: bool) -> QPointF:
        px = target.x() + x * target.width()
        if mirror:
            px = self.width() - px
        return QPointF(px, target.y() + y * target.height())

    def _paint_detection(self, p: QPainter, target: QRectF, mirror: bool, color: QColor) -> None:
        pen = QPen(color, 3, Qt.PenStyle.DashLine)
        p.setPen(pen)
        if self._quad is not None and self._stage == "card":
            poly = QPolygonF([self._map(target, float(x), float(y), mirror) for x, y in self._quad])
            p.drawPolygon(poly)
        elif self._box is not None and self._stage == "face":
            x, y, w, h = self._box
            a = self._map(target, x, y, mirror)
            b = self._map(target, x + w, y + h, mirror)
            p.drawRect(QRectF(a, b).normalized())

    def _paint_countdown(self, p: QPainter, guide: QRectF) -> None:
        radius = 54
        if self._stage == "face":  # beside the oval, not over the face
            img = self._image_rect()
            x = min(guide.right() + radius + 24, img.right() - radius - 8)
            center = QPointF(x, guide.center().y())
        else:
            center = QPointF(guide.center().x(), guide.bottom() - radius - 24)
        ring = QRectF(center.x() - radius, center.y() - radius, radius * 2, radius * 2)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawEllipse(ring)
        p.setPen(QPen(COLOR_GOOD, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(ring.adjusted(8, 8, -8, -8), 90 * 16, -int(360 * 16 * min(1.0, self._progress)))
        if self._progress < 1.0 and self._countdown_s > 0:  # the seconds left, counting down
            left = max(1, math.ceil((1.0 - self._progress) * self._countdown_s))
            font = p.font()
            font.setPixelSize(44)
            font.setBold(True)
            p.setFont(font)
            p.setPen(QPen(QColor("#FFFFFF")))
            p.drawText(ring, Qt.AlignmentFlag.AlignCenter, str(left))
        if self._progress >= 1.0:  # captured: a tick in the ring
            p.setPen(QPen(COLOR_GOOD, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            c = ring.center()
            p.drawPolyline(
                QPolygonF([QPointF(c.x() - 20, c.y()), QPointF(c.x() - 5, c.y() + 16), QPointF(c.x() + 22, c.y() - 16)])
            )


class ResultBadge(QWidget):
    """A large round badge: a tick (pass), a cross (fail) or an exclamation mark (other)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "pass"
        scaling.scaled_size(self, fixed_w=200, fixed_h=200)

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        pal = palette.current()
        kind = {"pass": "ok", "fail": "fail"}.get(self.kind, "info")
        fill, mark = QColor(getattr(pal, f"badge_{kind}")), QColor(getattr(pal, f"mark_{kind}"))
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        p.setPen(QPen(QColor(pal.badge_outline), 4))  # the outline sets the badge off any page
        p.setBrush(fill)
        p.drawEllipse(r)
        c = r.center()
        s = r.width() / 2
        width = max(4.0, s * 0.19)
        p.setPen(QPen(mark, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        if self.kind == "pass":
            p.drawPolyline(
                QPolygonF(
                    [
                        QPointF(c.x() - s * 0.45, c.y()),
                        QPointF(c.x() - s * 0.1, c.y() + s * 0.35),
                        QPointF(c.x() + s * 0.5, c.y() - s * 0.35),
                    ]
                )
            )
        elif self.kind == "fail":
            d = s * 0.38
            p.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
            p.drawLine(QPointF(c.x() + d, c.y() - d), QPointF(c.x() - d, c.y() + d))
        else:
            p.drawLine(QPointF(c.x(), c.y() - s * 0.5), QPointF(c.x(), c.y() + s * 0.12))
            p.setBrush(mark)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(QPointF(c.x(), c.y() + s * 0.45), s * 0.12, s * 0.12)
        p.end()


class _Dots(QWidget):
    """The painted dots of :class:`StepDots` (current and earlier steps filled)."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = count
        self.current = 0
        self.setFixedSize(count * 60, 28)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        pal = palette.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i in range(self.count):
            rect = QRectF(i * 60 + 8, 4, 44, 20)
            if i <= self.current:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(pal.dot_active))
            else:  # the steps still to come: an outline (shape, not only colour, tells them apart)
                p.setPen(QPen(QColor(pal.dot_inactive), 4))
                p.setBrush(Qt.BrushStyle.NoBrush)
                rect = rect.adjusted(2, 2, -2, -2)
            p.drawRoundedRect(rect, 10, 10)
        p.end()


class StepDots(QWidget):
    """The labelled step indicator: "Step 1 of 3: ID card" beside dots for the three steps.

    The label is translated here (on ``LanguageChange``) and is also the widget's accessible
    name, so a screen reader says it. Steps: 1 ID card, 2 face photo, 3 result.
    """

    def __init__(self, count: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = count
        self.current = 0
        self.setObjectName("stepIndicator")
        self.label = make_label("", "stepLabel", wrap=False)
        self.dots = _Dots(count)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(24)
        row.addStretch(1)
        row.addWidget(self.label)
        row.addWidget(self.dots, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        self.retranslate()

    def set_current(self, index: int) -> None:
        self.current = index
        self.dots.current = index
        self.retranslate()
        self.dots.update()

    def step_names(self) -> list[str]:
        return [self.tr("ID card"), self.tr("Face photo"), self.tr("Result")]

    def text(self) -> str:
        names = self.step_names()
        name = names[self.current] if 0 <= self.current < len(names) else ""
        return (
            self.tr("Step %1 of %2: %3")
            .replace("%1", str(self.current + 1))
            .replace("%2", str(self.count))
            .replace("%3", name)
        )

    def retranslate(self) -> None:
        text = self.text()
        self.label.setText(text)
        self.setAccessibleName(text)
        self.dots.setAccessibleName(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class PinPad(QWidget):
    """Numeric keypad for the staff PIN (no system keyboard needed on a touch screen)."""

    sig_submitted = Signal(str)
    """The entered PIN (the pad is cleared right after)."""
    sig_cancelled = Signal()
    """The cancel key was pressed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._digits = ""
        self.display = make_label("", "pinDisplay")
        scaling.scaled_size(self.display, fixed_h=96)
        grid = QGridLayout()
        scaling.scaled_layout(grid, (0, 0, 0, 0), 14)
        self.keys: dict[str, QPushButton] = {}
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
        for i, text in enumerate(labels):
            b = make_button(text, "key", 96)
            scaling.scaled_size(b, min_w=180)
            b.clicked.connect(self._on_key)
            b.setProperty("key", text)
            grid.addWidget(b, i // 3, i % 3)
            self.keys[text] = b
        self.cancel_button = make_button("", "secondary")
        self.cancel_button.clicked.connect(self._on_cancel)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (0, 0, 0, 0), 14)
        layout.addWidget(self.display)
        layout.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self._refresh()

    def retranslate(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))

    def enter(self, keys: str) -> None:
        """Press ``keys`` ("1357OK", "12⌫"): tests and the autopilot use the same path as a finger."""
        for key in re.findall(r"OK|⌫|\d", keys):
            self.keys[key].click()

    def clear(self) -> None:
        self._digits = ""
        self._refresh()

    @Slot()
    def _on_key(self) -> None:
        key = self.sender().property("key")
        if key == "⌫":
            self._digits = self._digits[:-1]
        elif key == "OK":
            pin, self._digits = self._digits, ""
            self._refresh()
            self.sig_submitted.emit(pin)
            return
        elif len(self._digits) < 12:
            self._digits += key
        self._refresh()

    @Slot()
    def _on_cancel(self) -> None:
        self.clear()
        self.sig_cancelled.emit()

    def _refresh(self) -> None:
        self.display.setText("●" * len(self._digits) if self._digits else "")
