"""Result: pass, fail or unavailable, with the reason and the next step.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.session import KEY_STAFF_CALLED, ResultView
from kiosk.ui import i18n, scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import ResultBadge, make_button, make_label

NOWRAP = "style='white-space:nowrap'"  # Qt rich text ignores the bare "nowrap" attribute


class ResultPage(Page):
    """Pass shows the masked name and ID only; anything else says why and what to do next."""

    sig_done = Signal()
    """The customer pressed "Done" (back to the start)."""
    sig_retry = Signal()
    """The customer pressed "Try again" (same photos, after a failure that was not billed)."""
    sig_staff_close = Signal()
    """"Staff: close" on the staff-called screen (opens the PIN pad)."""
    sig_call_state = Signal(str)
    """The staff call's delivery state changed (voice guidance says the new state)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: ResultView | None = None
        self.badge = ResultBadge()
        self.title = make_label("", "hero")
        self.reason = make_label("", "subtitle")
        self.identity = make_label("", "identity")
        self.identity.setWordWrap(False)  # a table of two short rows: its natural size, never wrapped
        scaling.scaled_size(self.identity, min_w=600)
        self.next_step = make_label("", "nextStep")
        self.countdown = make_label("", "small")
        self.done_button = make_button("", "primary", 100)
        scaling.scaled_size(self.done_button, min_w=420)
        self.done_button.clicked.connect(self.sig_done)
        # "try again with the same photos" after a failure that cannot have been billed
        self.retry_button = make_button("", "secondary", 100)
        scaling.scaled_size(self.retry_button, min_w=420)
        self.retry_button.setVisible(False)
        self.retry_button.clicked.connect(self.sig_retry)
        # staff called: the customer waits; staff close the message with the PIN
        self.staff_close_button = make_button("", "secondary", 88)
        scaling.scaled_size(self.staff_close_button, min_w=300)
        self.staff_close_button.setVisible(False)
        self.staff_close_button.clicked.connect(self.sig_staff_close)
        self._call_state = ""
        self._left = 0
        self.buttons = buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        scaling.scaled_layout(buttons, (0, 0, 0, 0), 40)
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.staff_close_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (80, 20, 80, 30), 12)
        layout.addStretch(1)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        layout.addWidget(self.reason)
        identity_row = QHBoxLayout()
        identity_row.addStretch(1)
        identity_row.addWidget(self.identity)
        identity_row.addStretch(1)
        layout.addLayout(identity_row)
        layout.addWidget(self.next_step)
        layout.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.countdown)

    def set_portrait(self, portrait: bool) -> None:
        """Portrait: "Try again" above "Done" (narrow screens)."""
        super().set_portrait(portrait)
        self.buttons.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)

    @property
    def name(self) -> str:  # type: ignore[override]
        outcome = self.result.outcome.value if self.result else "none"
        return f"result_{outcome}"

    @property
    def staff_called(self) -> bool:
        return self.result is not None and self.result.message_key == KEY_STAFF_CALLED

    def show_result(self, result: ResultView, *, can_retry: bool = False) -> None:
        self.result = result
        self._call_state = ""
        self.retry_button.setVisible(can_retry)
        self.done_button.setVisible(not self.staff_called)
        self.staff_close_button.setVisible(self.staff_called)
        outcome = result.outcome.value
        self.badge.set_kind("pass" if outcome == "pass" else "fail" if outcome == "fail" else "info")
        self.retranslate()

    def set_seconds_left(self, seconds: int) -> None:
        self._left = seconds
        self.countdown.setText(self.tr("Back to the start in %1 s").replace("%1", str(seconds)) if seconds else "")

    def set_call_state(self, state: str) -> None:
        """Delivery of the staff call: "sending", "delivered", "failed" or "not_configured"."""
        changed = state != self._call_state
        self._call_state = state
        if self.staff_called:
            # nobody is coming: the customer may leave (Done) instead of waiting for staff
            undelivered = state in ("failed", "not_configured")
            self.done_button.setVisible(undelivered)
            self.staff_close_button.setVisible(not undelivered)
        self.retranslate()
        if changed:
            self.sig_call_state.emit(state)

    @property
    def call_state(self) -> str:
        """The staff call's delivery state on the staff-called screen ("" before it is known)."""
        return self._call_state

    def clear(self) -> None:
        """Forget the masked name and ID (wipe)."""
        self.result = None
        self._call_state = ""
        self.retry_button.setVisible(False)
        self.staff_close_button.setVisible(False)
        self.done_button.setVisible(True)
        self.identity.clear()
        self.reason.clear()
        self.title.clear()

    def retranslate(self) -> None:
        self.done_button.setText(self.tr("Done"))
        self.retry_button.setText(self.tr("Try again"))
        self.staff_close_button.setText(self.tr("Staff: close"))
        self.set_seconds_left(self._left)
        r = self.result
        if r is None:
            return
        outcome = r.outcome.value
        if self.staff_called:
            self.badge.set_kind("info")
            self.identity.setVisible(False)
            self.reason.setVisible(True)
            if self._call_state in ("failed", "not_configured"):
                # nobody was told: do not make the customer wait for no one
                self.title.setText(i18n.outcome_titles()["staff"])
                self.reason.setText(self.tr("Staff could not be called from this kiosk."))
                self.next_step.setText(self.tr("Please go to the counter, a member of staff will help you there."))
            else:
                self.title.setText(self.tr("Help is on the way"))
                self.reason.setText(i18n.message_text(r.message_key, outcome))
                self.next_step.setText(self.tr("Please wait here."))
            return
        self.title.setText(i18n.outcome_titles().get(outcome, ""))
        self.next_step.setText(i18n.customer_next_step(outcome, r.message_key))
        if outcome == "pass":
            self.reason.setVisible(False)
            self.identity.setVisible(True)
            name_label = self.tr("Name")
            id_label = self.tr("ID number")
            self.identity.setText(
                f"<table cellspacing='8'>"
                f"<tr><td {NOWRAP}>{name_label}</td><td {NOWRAP}><b>{r.masked_name}</b></td></tr>"
                f"<tr><td {NOWRAP}>{id_label}</td><td {NOWRAP}><b>{r.masked_id}</b></td></tr></table>"
            )
        else:
            self.identity.setVisible(False)
            self.identity.clear()
            self.reason.setVisible(True)
            self.reason.setText(i18n.customer_text(r.message_key, outcome))
