"""The kiosk window's layout: its widgets, one scale for sizes, the arrangement for the window's shape.

A mixin of :class:`kiosk.ui.shell.KioskWindow`. :meth:`DisplayMixin._build` makes the window's
widgets (the header with the brand and the customer tools, the page stack, the footer, the
"still there?" overlay), wires the page signals to the window's slots and lays them out.

On every resize the window computes the scale of the 1920x1080 (landscape) or 1080x1920
(portrait) design that fits it (:mod:`kiosk.ui.scaling`), applies it to the theme (fonts,
paddings) and to every widget and layout that registered its design sizes, and moves the
customer tools (``customer_tools``: language, call staff, and what other features add there) to
the header in landscape or to a footer in the lower half in portrait. Hooks for display modes:
:meth:`set_text_scale` (large text) and :meth:`set_theme_qss`.

GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui import scaling
from kiosk.ui.screens import (
    CapturePage,
    ConsentPage,
    IdleOverlay,
    OutOfServicePage,
    Page,
    PinPage,
    ResultPage,
    StaffPage,
    VerifyingPage,
    WelcomePage,
)
from kiosk.ui.widgets import make_button, make_label


class DisplayMixin:
    """Widgets and display fit for :class:`~kiosk.ui.shell.KioskWindow` (GUI thread)."""

    # provided by KioskWindow (the widgets by _build)
    settings: Any
    pages: list[Any]
    footer: Any
    header: Any
    footer_layout: Any
    header_layout: Any
    customer_tools: Any
    staff_button: Any
    lang_button: Any
    ui_scale: float
    text_scale: float
    portrait: bool
    theme_qss: str
    _layout_key: tuple[float, bool] | None

    # ---- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.brand = make_label("", "brand", center=False)
        self.brand.mousePressEvent = self._on_brand_tap  # type: ignore[method-assign]
        self.lang_button = make_button("", "lang", 72)
        self.lang_button.clicked.connect(self._on_toggle_language)
        self.staff_button = make_button("", "staffCall", 72)
        self.staff_button.clicked.connect(self._on_call_staff)
        # The customer tools: one container for the buttons every customer page offers. It sits
        # in the header in landscape and in the footer (lower half, within reach) in portrait.
        # Other features add their buttons to ``customer_tools_layout``.
        self.customer_tools = QWidget()
        self.customer_tools.setObjectName("customerTools")
        self.customer_tools_layout = QHBoxLayout(self.customer_tools)
        scaling.scaled_layout(self.customer_tools_layout, (0, 0, 0, 0), 20)
        self.customer_tools_layout.addWidget(self.lang_button)
        self.customer_tools_layout.addWidget(self.staff_button)
        self.header = QWidget()
        self.header.setObjectName("header")
        self.header_layout = hl = QHBoxLayout(self.header)
        scaling.scaled_layout(hl, (32, 10, 32, 10), 20)
        hl.addWidget(self.brand, 1)
        hl.addWidget(self.customer_tools)
        self.footer = QWidget()
        self.footer.setObjectName("footer")
        self.footer_layout = QHBoxLayout(self.footer)
        scaling.scaled_layout(self.footer_layout, (32, 16, 32, 24), 20)
        self.footer_layout.addStretch(1)
        self.footer.setVisible(False)

        s = self.settings
        self.welcome = WelcomePage()
        self.consent = ConsentPage()
        self.card_page = CapturePage("card", s.manual_capture_after_s)
        self.face_page = CapturePage("face", s.manual_capture_after_s)
        self.verifying = VerifyingPage()
        self.result_page = ResultPage()
        self.out_of_service = OutOfServicePage()
        self.pin_page = PinPage()
        self.staff_page = StaffPage()
        self.pages: list[Page] = [
            self.welcome,
            self.consent,
            self.card_page,
            self.face_page,
            self.verifying,
            self.result_page,
            self.out_of_service,
            self.pin_page,
            self.staff_page,
        ]
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)

        self.welcome.sig_start.connect(self._on_start)
        self.consent.sig_accept.connect(self._on_accept)
        self.consent.sig_decline.connect(self._on_decline)
        self.card_page.sig_manual_capture.connect(self._on_manual_capture)
        self.face_page.sig_manual_capture.connect(self._on_manual_capture)
        self.result_page.sig_done.connect(self._on_done)
        self.result_page.sig_retry.connect(self._on_retry)
        self.result_page.sig_staff_close.connect(self.open_staff)
        self.staff_page.sig_calls_answered.connect(self._on_calls_answered)
        self.pin_page.pad.sig_submitted.connect(self._on_pin_submitted)
        self.pin_page.pad.sig_cancelled.connect(self._on_staff_back)
        self.staff_page.sig_back.connect(self._on_staff_back)
        self.staff_page.sig_exit.connect(self._on_staff_exit)
        self.staff_page.sig_test_service.connect(self._on_test_service)
        self.staff_page.sig_camera_selected.connect(self._on_camera_selected)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # the window never takes its minimum size from its pages: it is the screen's size and
        # the pages fit themselves to it (see _fit_to); a page that cannot is a layout bug
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footer)
        self.idle_overlay = IdleOverlay(self)
        self.idle_overlay.sig_still_here.connect(self._on_still_here)

        # development / staff keyboard access (a touch kiosk has no keyboard for customers)
        QShortcut(QKeySequence("Ctrl+Alt+S"), self, activated=self.open_staff)

    # ---- display size --------------------------------------------------------------------
    def set_text_scale(self, factor: float) -> None:
        """Multiply every font by ``factor`` on top of the display scale (large-text mode)."""
        self.text_scale = factor
        self._layout_key = None
        self._fit_to(self.width(), self.height())

    def set_theme_qss(self, qss: str) -> None:
        """Use ``qss`` (design px at 1920x1080) as the window's theme (e.g. high contrast)."""
        self.theme_qss = qss
        self._layout_key = None
        self._fit_to(self.width(), self.height())

    def _fit_to(self, width: int, height: int) -> None:
        """Scale fonts, margins and targets to the window and arrange for its shape."""
        scale = round(scaling.screen_scale(width, height), 2)
        portrait = scaling.is_portrait(width, height)
        key = (scale, portrait)
        if key == self._layout_key:
            return
        self._layout_key = key
        self.ui_scale = scale
        self.setStyleSheet(scaling.scale_qss(self.theme_qss, scale, self.text_scale))
        scaling.apply_scale(self, scale)
        if portrait != self.portrait:
            self.portrait = portrait
            target = self.footer_layout if portrait else self.header_layout
            target.addWidget(self.customer_tools)
            self._update_chrome()
        for page in self.pages:
            page.set_portrait(portrait)

    def _update_chrome(self) -> None:
        """Header, footer and customer tools for the current page and window shape."""
        page = self.current_page()
        self.header.setVisible(page.customer)
        self.footer.setVisible(page.customer and self.portrait)
        self.customer_tools.setVisible(page.customer)
        self.staff_button.setVisible(page.customer)
        self.lang_button.setVisible(page.customer)

