"""The base class every kiosk page derives from.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWidget,
)


class Page(QWidget):
    """Base page: a name (used for screenshots) and ``retranslate()``."""

    name = "page"
    customer = True  # shows the language toggle and the call-staff button

    def retranslate(self) -> None:  # pragma: no cover - overridden
        pass
