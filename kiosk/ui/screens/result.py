"""Result: pass, fail or unavailable, with the reason and the next step.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from kiosk.core.session import ResultView
from kiosk.ui import i18n
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import ResultBadge, make_button, make_label


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
