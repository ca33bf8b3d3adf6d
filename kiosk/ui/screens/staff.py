"""The staff page: camera, service health and test, thresholds, staff calls, recent outcomes, exit.

Recent outcomes are shown in words (the result title and the real reason, including faults only
staff can fix, which customers never read). "Exit the kiosk" asks for confirmation first.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import i18n, scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import make_button, make_label


class StaffPage(Page):
    """Staff settings: camera, thresholds, service, clock offset, staff calls, recent outcomes, exit."""

    name = "staff"
    customer = False
    sig_back = Signal()
    """Return to the customer flow."""
    sig_exit = Signal()
    """Quit the kiosk (after the confirmation)."""
    sig_test_service = Signal()
    """Run a service test call (in a worker)."""
    sig_camera_selected = Signal(int)
    """Camera index chosen in the combo box."""
    sig_calls_answered = Signal()
    """Staff dealt with the open staff calls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = make_label("", "title")
        self.camera_combo = QComboBox()
        scaling.scaled_size(self.camera_combo, min_h=64, touch=True)
        for i in range(4):
            self.camera_combo.addItem(f"#{i}", i)
        self.camera_combo.activated.connect(self._on_camera)
        self.resolution = QLabel()
        self.fps = QLabel()
        self.thresholds = QLabel()
        self.endpoint = QLabel()
        self.service = QLabel()
        self.health = QLabel()
        self.clock = QLabel()
        self.calls = QListWidget()
        self.calls.setObjectName("recent")
        scaling.scaled_size(self.calls, min_h=90)
        self.calls.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.recent = QListWidget()
        self.recent.setObjectName("recent")
        scaling.scaled_size(self.recent, min_h=160)
        self.test_button = make_button("", "secondary", 72)
        self.answered_button = make_button("", "secondary", 72)
        self.back_button = make_button("", "primary", 72)
        self.exit_button = make_button("", "danger", 72)
        self.test_button.clicked.connect(self.sig_test_service)
        self.answered_button.clicked.connect(self.sig_calls_answered)
        self.back_button.clicked.connect(self._on_back)
        self.exit_button.clicked.connect(self._ask_exit)
        self.form = QFormLayout()
        scaling.scaled_layout(self.form, (0, 0, 0, 0), 14)
        fields: list[QWidget] = [
            self.camera_combo,
            self.resolution,
            self.fps,
            self.thresholds,
            self.endpoint,
            self.health,
            self.service,
            self.clock,
            self.calls,
            self.recent,
        ]
        self._labels = [QLabel() for _ in fields]
        for lab, field in zip(self._labels, fields, strict=True):
            lab.setObjectName("formLabel")
            if isinstance(field, QLabel):
                field.setObjectName("formValue")
                field.setWordWrap(True)
            self.form.addRow(lab, field)
        self.recent.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.buttons_box = QWidget()
        self.buttons = buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.buttons_box)
        scaling.scaled_layout(buttons, (0, 0, 0, 0), 24)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.answered_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.exit_button)
        # exit confirmation (replaces the buttons until answered)
        self.confirm_box = QFrame()
        self.confirm_box.setObjectName("confirmBox")
        self.confirm_text = make_label("", "body")
        self.confirm_exit_button = make_button("", "danger", 72)
        self.confirm_cancel_button = make_button("", "secondary", 72)
        self.confirm_exit_button.clicked.connect(self._confirm_exit)
        self.confirm_cancel_button.clicked.connect(self._cancel_exit)
        self.confirm_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        scaling.scaled_layout(self.confirm_row, (0, 0, 0, 0), 24)
        self.confirm_row.addWidget(self.confirm_text, 1)
        self.confirm_row.addWidget(self.confirm_cancel_button)
        self.confirm_row.addWidget(self.confirm_exit_button)
        cl = QVBoxLayout(self.confirm_box)
        scaling.scaled_layout(cl, (24, 16, 24, 16), 0)
        cl.addLayout(self.confirm_row)
        self.confirm_box.setVisible(False)
        layout = QVBoxLayout(self)
        scaling.scaled_layout(layout, (50, 20, 50, 24), 12)
        layout.addWidget(self.title)
        # the read-outs scroll when the screen is short (the buttons below always show)
        form_holder = QWidget()
        form_holder.setLayout(self.form)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("staffScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(form_holder)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons_box)
        layout.addWidget(self.confirm_box)
        self._service_state: tuple[str, str] = ("", "")
        self._health: tuple[bool | None, str, str] = (None, "", "")
        self._recent: list[tuple[str, str, str]] = []
        self._status: list[str] = []
        self._calls: list[tuple[str, str, str]] = []

    def set_portrait(self, portrait: bool) -> None:
        """Portrait: the buttons stack and each form label sits above its value."""
        super().set_portrait(portrait)
        direction = QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        self.buttons.setDirection(direction)
        self.confirm_row.setDirection(direction)
        self.form.setRowWrapPolicy(
            QFormLayout.RowWrapPolicy.WrapAllRows if portrait else QFormLayout.RowWrapPolicy.DontWrapRows
        )

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._cancel_exit()
        super().showEvent(event)

    @Slot(int)
    def _on_camera(self, index: int) -> None:
        self.sig_camera_selected.emit(int(self.camera_combo.itemData(index)))

    # ---- exit with confirmation ------------------------------------------------------------
    @Slot()
    def _ask_exit(self) -> None:
        self.buttons_box.setVisible(False)
        self.confirm_box.setVisible(True)
        self.confirm_cancel_button.setFocus()  # keys: the safe answer first (the exit button is gone)

    @Slot()
    def _cancel_exit(self) -> None:
        self.confirm_box.setVisible(False)
        self.buttons_box.setVisible(True)

    @Slot()
    def _confirm_exit(self) -> None:
        self._cancel_exit()
        self.sig_exit.emit()

    @Slot()
    def _on_back(self) -> None:
        self._cancel_exit()
        self.sig_back.emit()

    @property
    def asking_exit(self) -> bool:
        return self.confirm_box.isVisibleTo(self)

    # ---- read-outs ---------------------------------------------------------------------------
    def set_info(
        self,
        *,
        camera_index: int,
        resolution: str,
        fps: tuple[float, float],
        thresholds: str,
        endpoint: str,
        clock_offset_s: float | None,
        recent: list[tuple[str, str, str]],
        status: list[str] | None = None,
    ) -> None:
        """Fill the read-outs (GUI thread). ``recent``: (time, outcome, message key), newest first;
        ``status``: translated warning lines for staff shown above them (audit not written, ...)."""
        self.camera_combo.setCurrentIndex(max(0, self.camera_combo.findData(camera_index)))
        self.resolution.setText(resolution)
        self.fps.setText(f"{fps[0]:.1f} / {fps[1]:.1f}")
        self.thresholds.setText(thresholds)
        self.endpoint.setText(endpoint)
        self.clock.setText("—" if clock_offset_s is None else f"{clock_offset_s + 0.0:+.1f} s".replace("-0.0", "+0.0"))
        status = list(status or [])
        if recent != self._recent or status != self._status:
            self._recent, self._status = list(recent), status
            self._render_recent()

    def set_calls(self, calls: list[tuple[str, str, str]]) -> None:
        """Open staff calls: (local time, reason code, delivery state), newest first."""
        self._calls = list(calls)
        self._render_calls()

    def set_health(self, ok: bool | None, fault: str = "", detail: str = "") -> None:
        """The last service health check (None: not checked yet)."""
        self._health = (ok, fault, detail)
        self._render_health()

    def set_service_result(self, kind: str, detail: str = "") -> None:
        """kind: "running" | "ok" | "failed"."""
        self._service_state = (kind, detail)
        self.retranslate()

    def _render_recent(self) -> None:
        titles = i18n.outcome_titles()
        rows = [
            f"{t}  {titles.get(outcome, outcome)}: {i18n.message_text(key, outcome)}"
            for t, outcome, key in self._recent
        ]
        self.recent.clear()
        self.recent.addItems(self._status + rows or ["—"])

    def _render_calls(self) -> None:
        reasons = {
            "customer_request": self.tr("a customer asked for help"),
            "out_of_service": self.tr("a customer asked for help (kiosk out of service)"),
        }
        states = {
            "sending": self.tr("sending…"),
            "delivered": self.tr("delivered to the branch system"),
            "failed": self.tr("NOT delivered: go and help"),
            "not_configured": self.tr("no branch system configured"),
        }
        rows = [f"{t}  {reasons.get(r, r)} ({states.get(s, s)})" for t, r, s in self._calls]
        self.calls.clear()
        self.calls.addItems(rows or ["—"])
        self.answered_button.setEnabled(bool(self._calls))

    def _render_health(self) -> None:
        ok, fault, detail = self._health
        faults = {
            "unreachable": self.tr("the service cannot be reached"),
            "credentials": self.tr("the service credentials are not accepted"),
            "clock": self.tr("this kiosk's clock is wrong"),
            "account": self.tr("the service account cannot be used"),
        }
        if ok is None:
            text = self.tr("Not checked yet")
        elif ok:
            text = self.tr("Working")
        else:
            text = self.tr("Customers cannot start: %1").replace("%1", faults.get(fault, fault))
        self.health.setText(text + (f" ({detail})" if detail else ""))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff settings"))
        names = [
            self.tr("Camera"),
            self.tr("Resolution delivered"),
            self.tr("Camera frames / checks per second"),
            self.tr("Thresholds"),
            self.tr("Service"),
            self.tr("Service health"),
            self.tr("Service test"),
            self.tr("Clock offset"),
            self.tr("Open staff calls"),
            self.tr("Recent outcomes"),
        ]
        for lab, text in zip(self._labels, names, strict=True):
            lab.setText(text)
        kind, detail = self._service_state
        text = {"running": self.tr("Testing…"), "ok": self.tr("Reachable"), "failed": self.tr("Not reachable")}
        self.service.setText(text.get(kind, self.tr("Not tested")) + (f" ({detail})" if detail else ""))
        self.test_button.setText(self.tr("Test the service"))
        self.answered_button.setText(self.tr("Calls answered"))
        self.back_button.setText(self.tr("Back to customers"))
        self.exit_button.setText(self.tr("Exit the kiosk"))
        self.confirm_text.setText(self.tr("Exit the kiosk? Customers cannot use it until it is started again."))
        self.confirm_exit_button.setText(self.tr("Yes, exit"))
        self.confirm_cancel_button.setText(self.tr("No, stay"))
        self._render_recent()
        self._render_calls()
        self._render_health()
