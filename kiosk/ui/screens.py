"""The pages of the kiosk. Each page is a plain widget with ``retranslate()``.

Pages hold stable keys (hint codes, message keys, outcomes), never translated text, and render
them in ``retranslate()`` so a language switch re-renders everything. Pages emit ``sig_*``
signals for what the customer did; the shell (:mod:`kiosk.ui.shell`) turns them into session
events. GUI thread only.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.session import ResultView
from kiosk.ui import i18n
from kiosk.ui.widgets import PinPad, PreviewWidget, ResultBadge, StepDots, make_button, make_label


class Page(QWidget):
    """Base page: a name (used for screenshots) and ``retranslate()``."""

    name = "page"
    customer = True  # shows the language toggle and the call-staff button

    def retranslate(self) -> None:  # pragma: no cover - overridden
        pass


# ---- Welcome (attract loop) ------------------------------------------------------------------
class AttractArt(QWidget):
    """A looping how-to picture: card, then face, then done (painted, no assets)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame = 0
        self.setMinimumSize(520, 300)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        white = QColor("#FFFFFF")
        accent = QColor("#FFD54F")
        # a screen with a camera dot
        screen = QRectF(w * 0.5 - 130, h * 0.5 - 120, 260, 200)
        p.setPen(QPen(white, 6))
        p.setBrush(QColor("#16385C"))
        p.drawRoundedRect(screen, 16, 16)
        p.setBrush(white)
        p.drawEllipse(QPointF(screen.center().x(), screen.top() + 16), 6, 6)
        step = self.frame % 3
        if step == 0:  # card held up in front of the screen
            card = QRectF(screen.center().x() - 95, screen.center().y() - 40, 190, 120)
            p.setPen(QPen(accent, 5))
            p.setBrush(QColor("#E8EEF5"))
            p.drawRoundedRect(card, 12, 12)
            p.setBrush(QColor("#9BB0C5"))
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
            p.setPen(QPen(QColor("#00C853"), 16, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
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
        self.start_button.setMinimumWidth(460)
        self.start_button.clicked.connect(self.sig_start)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 50)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.art, 3)
        layout.addWidget(self.caption)
        layout.addSpacing(24)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setInterval(2500)
        self._timer.timeout.connect(self._advance)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Identity check"))
        self.subtitle.setText(self.tr("Verify yourself with your resident ID card in about one minute"))
        self.start_button.setText(self.tr("Touch to start"))
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
        self.sig_start.emit()

    @Slot()
    def _advance(self) -> None:
        self.art.frame += 1
        self.art.update()
        self._caption()


# ---- Consent ---------------------------------------------------------------------------------
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
        row.setSpacing(40)
        row.addWidget(self.decline_button, 1)
        row.addWidget(self.accept_button, 2)
        panel = QFrame()
        panel.setObjectName("panel")
        panel.setMaximumWidth(1500)
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(40, 30, 40, 30)
        pl.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 20, 80, 40)
        layout.addWidget(self.title)
        layout.addSpacing(10)
        layout.addWidget(panel, 1, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(30)
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


# ---- Capture ---------------------------------------------------------------------------------
class CapturePage(Page):
    """Live preview for the card or the face, with one hint, a countdown and a manual button."""

    sig_manual_capture = Signal()
    """The customer pressed the manual capture button."""

    def __init__(self, stage: str, manual_after_s: float = 10.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.name = "card_capture" if stage == "card" else "face_capture"
        self.dots = StepDots(3)
        self.dots.set_current(0 if stage == "card" else 1)
        self.title = make_label("", "title")
        self.preview = PreviewWidget()
        self.preview.set_stage(stage)
        self.hint = make_label("", "hint")
        self.hint.setMinimumHeight(86)
        self.retake_note = make_label("", "retake")
        self.attempt = make_label("", "small")
        self.manual_button = make_button("", "secondary", 88)
        self.manual_button.setVisible(False)
        self.manual_button.clicked.connect(self.sig_manual_capture)
        self._hint_code: str | None = None
        self._retake_key: str | None = None
        self._attempt = (1, 3)
        self._manual_timer = QTimer(self)
        self._manual_timer.setSingleShot(True)
        self._manual_timer.setInterval(int(manual_after_s * 1000))
        self._manual_timer.timeout.connect(self._show_manual)
        bottom = QHBoxLayout()
        bottom.addWidget(self.attempt, 1)
        bottom.addWidget(self.manual_button, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 4, 40, 24)
        layout.setSpacing(10)
        layout.addWidget(self.dots)
        layout.addWidget(self.title)
        layout.addWidget(self.retake_note)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.hint)
        layout.addLayout(bottom)

    def enter(self, retake_key: str | None, attempt: int, max_attempts: int) -> None:
        """Called when the page becomes current."""
        self._retake_key = retake_key
        self._attempt = (attempt, max_attempts)
        self._hint_code = None
        self.preview.set_stage(self.stage)
        self.manual_button.setVisible(False)
        self._manual_timer.start()
        self.retranslate()

    def leave(self) -> None:
        self._manual_timer.stop()
        self.manual_button.setVisible(False)
        self.preview.clear()
        self._hint_code = None
        self._retake_key = None

    def set_hint(self, code: str | None, ok: bool) -> None:
        """One hint at a time (already debounced by AutoCapture); "hold still" when passing."""
        code = "hold_still" if ok else code
        if code != self._hint_code:
            self._hint_code = code
            self.hint.setText(i18n.hint_text(code))
            self.hint.setProperty("state", "ok" if ok else ("problem" if code else "idle"))
            self.hint.style().unpolish(self.hint)
            self.hint.style().polish(self.hint)

    @property
    def hint_code(self) -> str | None:
        return self._hint_code

    @Slot()
    def _show_manual(self) -> None:
        self.manual_button.setVisible(True)

    def retranslate(self) -> None:
        if self.stage == "card":
            self.title.setText(self.tr("Hold the photo side of your ID card inside the frame"))
            self.manual_button.setText(self.tr("Take the card photo now"))
        else:
            self.title.setText(self.tr("Look at the camera and keep your face inside the oval"))
            self.manual_button.setText(self.tr("Take my photo now"))
        if self._retake_key:
            self.retake_note.setText(i18n.message_text(self._retake_key) + " " + self.tr("Let's try again."))
            self.retake_note.setVisible(True)
        else:
            self.retake_note.setVisible(False)
        attempt, total = self._attempt
        self.attempt.setText(self.tr("Try %1 of %2").replace("%1", str(attempt)).replace("%2", str(total)))
        self.hint.setText(i18n.hint_text(self._hint_code))


# ---- Verifying -------------------------------------------------------------------------------
class Spinner(QWidget):
    """A rotating arc while the service works (its timer runs only while visible)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(140, 140)
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
        r = QRectF(self.rect()).adjusted(12, 12, -12, -12)
        p.setPen(QPen(QColor("#2B4C6F"), 14))
        p.drawEllipse(r)
        p.setPen(QPen(QColor("#FFFFFF"), 14, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawArc(r, -self._angle * 16, 100 * 16)
        p.end()


class VerifyingPage(Page):
    """Progress through the two service calls; has no way out (cannot be left by accident)."""

    name = "verifying"
    STEPS = ("card", "face")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "title")
        self.spinner = Spinner()
        self.rows: dict[str, QLabel] = {s: make_label("", "stepRow", center=False) for s in self.STEPS}
        self.note = make_label("", "small")
        self._state = {s: "pending" for s in self.STEPS}
        box = QVBoxLayout()
        box.setSpacing(18)
        for row in self.rows.values():
            box.addWidget(row)
        holder = QWidget()
        holder.setLayout(box)
        holder.setMaximumWidth(900)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 60)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addSpacing(20)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(30)
        layout.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(30)
        layout.addWidget(self.note)
        layout.addStretch(2)

    def enter(self, card_done: bool = False) -> None:
        self._state = {"card": "done" if card_done else "active", "face": "active" if card_done else "pending"}
        self.retranslate()

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
        self.note.setText(self.tr("This usually takes a few seconds."))


# ---- Result ----------------------------------------------------------------------------------
class ResultPage(Page):
    """Pass shows the masked name and ID only; anything else says why and what to do next."""

    sig_done = Signal()
    """The customer pressed "Done" (back to the start)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: ResultView | None = None
        self.badge = ResultBadge()
        self.title = make_label("", "hero")
        self.reason = make_label("", "subtitle")
        self.identity = make_label("", "identity")
        self.identity.setMinimumWidth(760)
        self.next_step = make_label("", "nextStep")
        self.countdown = make_label("", "small")
        self.done_button = make_button("", "primary", 100)
        self.done_button.setMinimumWidth(420)
        self.done_button.clicked.connect(self.sig_done)
        self._left = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 20, 80, 40)
        layout.addStretch(1)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(10)
        layout.addWidget(self.title)
        layout.addWidget(self.reason)
        layout.addWidget(self.identity, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(10)
        layout.addWidget(self.next_step)
        layout.addStretch(1)
        layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.countdown)

    @property
    def name(self) -> str:  # type: ignore[override]
        outcome = self.result.outcome.value if self.result else "none"
        return f"result_{outcome}"

    def show_result(self, result: ResultView) -> None:
        self.result = result
        outcome = result.outcome.value
        self.badge.set_kind("pass" if outcome == "pass" else "fail" if outcome == "fail" else "info")
        self.retranslate()

    def set_seconds_left(self, seconds: int) -> None:
        self._left = seconds
        self.countdown.setText(self.tr("Back to the start in %1 s").replace("%1", str(seconds)) if seconds else "")

    def clear(self) -> None:
        """Forget the masked name and ID (wipe)."""
        self.result = None
        self.identity.clear()
        self.reason.clear()
        self.title.clear()

    def retranslate(self) -> None:
        self.done_button.setText(self.tr("Done"))
        self.set_seconds_left(self._left)
        r = self.result
        if r is None:
            return
        outcome = r.outcome.value
        self.title.setText(i18n.outcome_titles().get(outcome, ""))
        self.next_step.setText(i18n.outcome_next_steps().get(outcome, ""))
        if outcome == "pass":
            self.reason.setVisible(False)
            self.identity.setVisible(True)
            name_label = self.tr("Name")
            id_label = self.tr("ID number")
            self.identity.setText(
                f"<table cellspacing='8'><tr><td>{name_label}</td><td><b>{r.masked_name}</b></td></tr>"
                f"<tr><td>{id_label}</td><td><b>{r.masked_id}</b></td></tr></table>"
            )
        else:
            self.identity.setVisible(False)
            self.identity.clear()
            self.reason.setVisible(True)
            self.reason.setText(i18n.message_text(r.message_key, outcome))


# ---- Out of service (camera lost) ------------------------------------------------------------
class OutOfServicePage(Page):
    """Shown while the camera is lost; recovers by itself when the camera returns."""

    name = "out_of_service"
    customer = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = ResultBadge()
        self.badge.set_kind("info")
        self.title = make_label("", "hero")
        self.body = make_label("", "subtitle")
        self.status = make_label("", "small")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Temporarily out of service"))
        self.body.setText(self.tr("The camera is not working. Please ask a member of staff for help."))
        self.status.setText(
            self.tr("Staff: check the camera cable. The kiosk restarts by itself when the camera is back.")
        )


# ---- Staff PIN and staff screen --------------------------------------------------------------
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
        holder = QWidget()
        holder.setFixedWidth(620)
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.pad)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def set_message(self, kind: str, number: int = 0) -> None:
        """kind: "" | "wrong" (number = tries left) | "locked" (number = seconds) | "not_configured"."""
        self._message = (kind, number)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff only: enter PIN"))
        self.pad.retranslate()
        kind, n = self._message
        if kind == "wrong":
            text = self.tr("Wrong PIN. %1 tries left.").replace("%1", str(n))
        elif kind == "locked":
            text = self.tr("Too many wrong PINs. Locked for %1 min.").replace("%1", str(max(1, math.ceil(n / 60))))
        elif kind == "not_configured":
            text = self.tr("No staff PIN is configured on this kiosk.")
        else:
            text = ""
        self.message.setText(text)


class StaffPage(Page):
    """Staff settings: camera, thresholds, service test, clock offset, recent outcomes, exit."""

    name = "staff"
    customer = False
    sig_back = Signal()
    """Return to the customer flow."""
    sig_exit = Signal()
    """Quit the kiosk."""
    sig_test_service = Signal()
    """Run a service test call (in a worker)."""
    sig_camera_selected = Signal(int)
    """Camera index chosen in the combo box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "title")
        self.camera_combo = QComboBox()
        self.camera_combo.setMinimumHeight(64)
        for i in range(4):
            self.camera_combo.addItem(f"#{i}", i)
        self.camera_combo.activated.connect(self._on_camera)
        self.resolution = QLabel()
        self.fps = QLabel()
        self.thresholds = QLabel()
        self.endpoint = QLabel()
        self.service = QLabel()
        self.clock = QLabel()
        self.recent = QListWidget()
        self.recent.setObjectName("recent")
        self.test_button = make_button("", "secondary", 72)
        self.back_button = make_button("", "primary", 72)
        self.exit_button = make_button("", "danger", 72)
        self.test_button.clicked.connect(self.sig_test_service)
        self.back_button.clicked.connect(self.sig_back)
        self.exit_button.clicked.connect(self.sig_exit)
        self.form = QFormLayout()
        self.form.setVerticalSpacing(14)
        self.form.setHorizontalSpacing(30)
        self._labels = [QLabel() for _ in range(8)]
        for lab in self._labels:
            lab.setObjectName("formLabel")
        for lab, field in zip(
            self._labels,
            [
                self.camera_combo,
                self.resolution,
                self.fps,
                self.thresholds,
                self.endpoint,
                self.service,
                self.clock,
                self.recent,
            ],
            strict=True,
        ):
            if isinstance(field, QLabel):
                field.setObjectName("formValue")
                field.setWordWrap(True)
            self.form.addRow(lab, field)
        self.recent.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.exit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(50, 20, 50, 30)
        layout.addWidget(self.title)
        layout.addLayout(self.form, 1)
        layout.addLayout(buttons)
        self._service_state: tuple[str, str] = ("", "")

    @Slot(int)
    def _on_camera(self, index: int) -> None:
        self.sig_camera_selected.emit(int(self.camera_combo.itemData(index)))

    def set_info(
        self,
        *,
        camera_index: int,
        resolution: str,
        fps: tuple[float, float],
        thresholds: str,
        endpoint: str,
        clock_offset_s: float | None,
        recent: list[str],
    ) -> None:
        """Fill the read-outs (GUI thread)."""
        self.camera_combo.setCurrentIndex(max(0, self.camera_combo.findData(camera_index)))
        self.resolution.setText(resolution)
        self.fps.setText(f"{fps[0]:.1f} / {fps[1]:.1f}")
        self.thresholds.setText(thresholds)
        self.endpoint.setText(endpoint)
        self.clock.setText("—" if clock_offset_s is None else f"{clock_offset_s + 0.0:+.1f} s".replace("-0.0", "+0.0"))
        self.recent.clear()
        self.recent.addItems(recent or ["—"])

    def set_service_result(self, kind: str, detail: str = "") -> None:
        """kind: "running" | "ok" | "failed"."""
        self._service_state = (kind, detail)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff settings"))
        names = [
            self.tr("Camera"),
            self.tr("Resolution delivered"),
            self.tr("Camera frames / checks per second"),
            self.tr("Thresholds"),
            self.tr("Service"),
            self.tr("Service test"),
            self.tr("Clock offset"),
            self.tr("Recent outcomes"),
        ]
        for lab, text in zip(self._labels, names, strict=True):
            lab.setText(text)
        kind, detail = self._service_state
        text = {"running": self.tr("Testing…"), "ok": self.tr("Reachable"), "failed": self.tr("Not reachable")}
        self.service.setText(text.get(kind, self.tr("Not tested")) + (f" ({detail})" if detail else ""))
        self.test_button.setText(self.tr("Test the service"))
        self.back_button.setText(self.tr("Back to customers"))
        self.exit_button.setText(self.tr("Exit the kiosk"))


# ---- Idle warning overlay --------------------------------------------------------------------
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
        self.panel.setMinimumWidth(1000)
        self.title = make_label("", "title")
        self.body = make_label("", "subtitle")
        self.button = make_button("", "primary", 110)
        self.button.setMinimumWidth(460)
        self.button.clicked.connect(self.sig_still_here)
        pl = QVBoxLayout(self.panel)
        pl.setContentsMargins(60, 50, 60, 50)
        pl.setSpacing(24)
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
