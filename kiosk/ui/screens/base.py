"""The base class every kiosk page derives from.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWidget,
)


class Page(QWidget):
    """Base page: a name (used for screenshots), ``retranslate()`` and ``set_portrait()``.

    Sizes (fonts, margins, touch targets) follow the display through :mod:`kiosk.ui.scaling`;
    a page only re-arranges itself in :meth:`set_portrait` when the shape of the window changes.
    """

    name = "page"
    customer = True  # shows the customer tools (language toggle, call-staff button...)
    portrait = False

    def retranslate(self) -> None:  # pragma: no cover - overridden
        pass

    def set_portrait(self, portrait: bool) -> None:
        """The window turned portrait (taller than wide) or landscape (GUI thread)."""
        self.portrait = portrait
