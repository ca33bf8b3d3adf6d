"""The accessibility buttons in the window's header: "repeat" (say the prompt again) and, on the
welcome page, "large text" (the large-text, high-contrast mode).

They are inserted into the header's layout just before the language button, and shown or hidden
with it on every page change. GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot

from kiosk.ui.widgets import make_button


class HeaderControls(QObject):
    """Owns ``repeat_button`` and ``large_text_button``."""

    def __init__(self, window: Any, access: Any) -> None:
        super().__init__(window)
        self.window = window
        self.access = access
        self.repeat_button = make_button("", "lang", 72)
        self.repeat_button.setObjectName("repeatButton")
        self.repeat_button.clicked.connect(access.voice.repeat)
        self.large_text_button = make_button("", "lang", 72)
        self.large_text_button.setObjectName("largeTextButton")
        self.large_text_button.setCheckable(True)
        for b in (self.repeat_button, self.large_text_button):
            b.setMinimumWidth(120)  # the header is crowded on a narrow portrait screen
        # the shell keeps its customer buttons in one container (header in landscape, footer in
        # portrait); older shells without it: the header
        layout = getattr(window, "customer_tools_layout", None) or window.header.layout()
        at = layout.indexOf(window.lang_button)
        layout.insertWidget(max(0, at), self.large_text_button)
        layout.insertWidget(max(0, at) + 1, self.repeat_button)
        window.sig_page_shown.connect(self._on_page)
        self.retranslate()

    @Slot(str)
    def _on_page(self, name: str) -> None:
        if name == "idle_warning":
            return
        customer = self.window.lang_button.isVisibleTo(self.window)
        self.repeat_button.setVisible(customer)
        self.large_text_button.setVisible(customer and name == "welcome")

    def retranslate(self) -> None:
        self.repeat_button.setText(self.tr("Repeat"))
        self.large_text_button.setText(self.tr("Large text"))
