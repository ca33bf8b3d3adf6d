"""The kiosk window on any display: one scale for sizes, and the arrangement for the window's shape.

A mixin of :class:`kiosk.ui.shell.KioskWindow`. On every resize the window computes the scale of
the 1920x1080 (landscape) or 1080x1920 (portrait) design that fits it (:mod:`kiosk.ui.scaling`),
applies it to the theme (fonts, paddings) and to every widget and layout that registered its
design sizes, and moves the customer tools (``customer_tools``: language, call staff, and what
other features add there) to the header in landscape or to a footer in the lower half in
portrait. Hooks for display modes: :meth:`set_text_scale` (large text) and :meth:`set_theme_qss`.

GUI thread only.
"""

from __future__ import annotations

from typing import Any

from kiosk.ui import scaling


class DisplayMixin:
    """Display fit for :class:`~kiosk.ui.shell.KioskWindow` (GUI thread)."""

    # provided by KioskWindow
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

