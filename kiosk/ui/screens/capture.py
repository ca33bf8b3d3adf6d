"""Card and face capture: live preview, one hint, countdown, "captured" confirmation, manual capture.

GUI thread only. Layout belongs to the layout owner; the logic here is: the hint bar starts
empty on every visit, shows one debounced hint (directional where the checks know the
direction, ``kiosk.core.vision.guidance``), "Hold still" with the countdown ring while the
frame passes, and "Captured" with the frozen frame for :data:`CAPTURED_CONFIRM_MS` before the
capture is handed on (:meth:`CapturePage.show_captured`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.session import KEY_FACE_RETAKE
from kiosk.ui import i18n, scaling
from kiosk.ui.frame_analysis import COUNTDOWN_S
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import PreviewWidget, StepDots, make_button, make_label

#: how long "Captured" and the frozen frame stay on screen before the next step
CAPTURED_CONFIRM_MS = 900


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
        self.preview.set_countdown(COUNTDOWN_S)
        self.hint = make_label("", "hint")
        scaling.scaled_size(self.hint, min_h=86)
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
        self._captured_timer = QTimer(self)
        self._captured_timer.setSingleShot(True)
        self._captured_timer.setInterval(CAPTURED_CONFIRM_MS)
        self._captured_timer.timeout.connect(self._deliver_captured)
        self._on_captured: Callable[[], None] | None = None
        bottom = QHBoxLayout()
        scaling.scaled_layout(bottom, (0, 0, 0, 0), 16)
        bottom.addWidget(self.attempt, 1)
        bottom.addWidget(self.manual_button, 0)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (40, 4, 40, 20), 10)
        layout.addWidget(self.dots)
        layout.addWidget(self.title)
        layout.addWidget(self.retake_note)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.hint)
        layout.addLayout(bottom)
        # portrait: the preview takes the width at the camera's shape, the hint and the buttons
        # follow right under it, the rest of the height stays free (reachable lower half)
        layout.addStretch(0)
        self._layout = layout

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self._layout.setStretch(self._layout.count() - 1, 1 if portrait else 0)
        self._layout.setStretch(self._layout.indexOf(self.preview), 0 if portrait else 1)
        self._fit_preview()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_preview()

    def _fit_preview(self) -> None:
        """Portrait: the preview is as tall as the camera frame at the page's width (16:9)."""
        if self.portrait:
            m = self._layout.contentsMargins()
            self.preview.setFixedHeight(max(1, round((self.width() - m.left() - m.right()) * 9 / 16)))
        else:
            self.preview.setMaximumHeight(16777215)

    def enter(self, retake_key: str | None, attempt: int, max_attempts: int) -> None:
        """Called when the page becomes current."""
        self._retake_key = retake_key
        self._attempt = (attempt, max_attempts)
        self._captured_timer.stop()
        self._on_captured = None
        self.preview.set_stage(self.stage)
        self.manual_button.setVisible(False)
        self._manual_timer.start()
        self._show_hint(None, "idle")  # a fresh hint bar on every visit (no stale hint or colour)
        self.retranslate()

    def leave(self) -> None:
        self._manual_timer.stop()
        self._captured_timer.stop()  # a capture confirmed after the page left is dropped
        self._on_captured = None
        self.manual_button.setVisible(False)
        self.preview.clear()
        self._hint_code = None
        self._retake_key = None

    def set_hint(self, code: str | None, ok: bool) -> None:
        """One hint at a time (already debounced by AutoCapture); "hold still" when passing.
        Ignored while "Captured" is shown."""
        if self._captured_timer.isActive():
            return
        code = "hold_still" if ok else code
        if code != self._hint_code:
            self._show_hint(code, "ok" if ok else ("problem" if code else "idle"))

    def _show_hint(self, code: str | None, state: str) -> None:
        self._hint_code = code
        self.hint.setText(i18n.hint_text(code))
        self.hint.setProperty("state", state)
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)

    def show_captured(self, on_done: Callable[[], None]) -> None:
        """Freeze the preview with a tick, say "Captured", and call ``on_done`` after
        :data:`CAPTURED_CONFIRM_MS` (not at all if the page is left first)."""
        self.preview.freeze()
        self.manual_button.setVisible(False)
        self._manual_timer.stop()
        self._show_hint("captured", "ok")
        self._on_captured = on_done
        self._captured_timer.start()

    @property
    def confirming(self) -> bool:
        """True while "Captured" is shown."""
        return self._captured_timer.isActive()

    @Slot()
    def _deliver_captured(self) -> None:
        done, self._on_captured = self._on_captured, None
        if done is not None:
            done()

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
            note = i18n.customer_text(self._retake_key)
            if self._retake_key != KEY_FACE_RETAKE:  # that one already says "once more"
                note += " " + self.tr("Let's try again.")
            self.retake_note.setText(note)
            self.retake_note.setVisible(True)
        else:
            self.retake_note.setVisible(False)
        attempt, total = self._attempt
        self.attempt.setText(self.tr("Try %1 of %2").replace("%1", str(attempt)).replace("%2", str(total)))
        self.hint.setText(i18n.hint_text(self._hint_code))
