"""The staff page: camera, service check, thresholds, recent outcomes, exit.

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

from kiosk.ui import scaling
from kiosk.ui.screens.base import Page
from kiosk.ui.widgets import make_button, make_label


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
        scaling.scaled_size(self.camera_combo, min_h=64, touch=True)
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
        scaling.scaled_layout(self.form, (0, 0, 0, 0), 14)
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
        self.buttons = buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        scaling.scaled_layout(buttons, (0, 0, 0, 0), 24)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.exit_button)
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
        layout.addLayout(buttons)
        self._service_state: tuple[str, str] = ("", "")

    def set_portrait(self, portrait: bool) -> None:
        """Portrait: the buttons stack and each form label sits above its value."""
        super().set_portrait(portrait)
        self.buttons.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self.form.setRowWrapPolicy(
            QFormLayout.RowWrapPolicy.WrapAllRows if portrait else QFormLayout.RowWrapPolicy.DontWrapRows
        )

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
