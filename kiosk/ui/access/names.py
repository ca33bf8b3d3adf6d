"""Screen-reader names: every control and every result gets an accessible name and description
in the current language (QWidget.setAccessibleName / setAccessibleDescription).

Names are what the control says (its text, or a word for a symbol: the PIN pad's "⌫" is
"Delete"); descriptions say what pressing it does. They are set again on every language switch
and page change, so they follow the screen. A control without an entry in :meth:`descriptions`
gets no description and ``tests/ui/test_accessible_names.py`` fails: add a line here for every
new button. GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QListWidget, QWidget

from kiosk.ui import i18n


class AccessibleNames(QObject):
    """Keeps the accessible names and descriptions of one kiosk window current."""

    def __init__(self, window: Any, access: Any) -> None:
        super().__init__(window)
        self.window = window
        self.access = access
        window.sig_page_shown.connect(self._on_page)
        window.sig_frame_shown.connect(self._on_frame)

    def descriptions(self) -> dict[QWidget, str]:
        """Control -> what it does (current language)."""
        w, c = self.window, self.access.controls
        pad = w.pin_page.pad
        other = i18n.language_name(i18n.LANGUAGES[(i18n.LANGUAGES.index(w.languages.language) + 1) % 2])
        table: dict[QWidget, str] = {
            w.welcome.start_button: self.tr("Starts the identity check."),
            w.consent.accept_button: self.tr("Agrees to the privacy notice and goes on to the photos."),
            w.consent.decline_button: self.tr("Stops here. Nothing is kept."),
            w.card_page.manual_button: self.tr("Takes the photo of your ID card now."),
            w.face_page.manual_button: self.tr("Takes the photo of your face now."),
            w.result_page.done_button: self.tr("Ends the session and erases your data."),
            w.result_page.retry_button: self.tr("Sends the same photos to the check again."),
            w.result_page.staff_close_button: self.tr("For staff: closes this message with the staff PIN."),
            w.idle_overlay.button: self.tr("Keeps your session open."),
            w.lang_button: self.tr("Switches the language to %1.").replace("%1", other),
            w.staff_button: self.tr("Calls a member of staff to help you."),
            c.repeat_button: self.tr("Says the instructions again."),
            c.large_text_button: self.tr("Larger text and stronger contrast for this session."),
            pad.cancel_button: self.tr("Leaves the staff PIN page."),
            w.staff_page.camera_combo: self.tr("Chooses the camera."),
            w.staff_page.test_button: self.tr("Sends a test request to the verification service."),
            w.staff_page.back_button: self.tr("Returns to the customer screens."),
            w.staff_page.exit_button: self.tr("Asks to confirm, then closes the kiosk program."),
            w.staff_page.answered_button: self.tr("Marks the open staff calls as answered."),
            w.staff_page.confirm_exit_button: self.tr("Closes the kiosk program now."),
            w.staff_page.confirm_cancel_button: self.tr("Keeps the kiosk running."),
            w.staff_page.calls: self.tr("The open staff calls, newest first."),
            w.staff_page.recent: self.tr("The latest outcome codes, newest first."),
        }
        for key, button in pad.keys.items():
            if key == "⌫":
                table[button] = self.tr("Deletes the last digit.")
            elif key == "OK":
                table[button] = self.tr("Submits the PIN.")
            else:
                table[button] = self.tr("Enters the digit %1.").replace("%1", key)
        return table

    def names(self) -> dict[QWidget, str]:
        """Controls whose name is not simply their text."""
        w = self.window
        pad = w.pin_page.pad
        return {
            pad.keys["⌫"]: self.tr("Delete"),
            pad.keys["OK"]: self.tr("OK"),
            w.staff_page.camera_combo: self.tr("Camera"),
            w.staff_page.recent: self.tr("Recent outcomes"),
            w.staff_page.calls: self.tr("Open staff calls"),
        }

    @staticmethod
    def interactive(root: QWidget) -> list[QWidget]:
        """The widgets a customer or staff member can operate under ``root``."""
        return [
            x for x in root.findChildren(QWidget) if isinstance(x, QAbstractButton | QComboBox | QListWidget)
        ]

    def apply(self) -> None:
        """Set every name and description (language switch, page change)."""
        w = self.window
        descriptions, names = self.descriptions(), self.names()
        for control in self.interactive(w):
            text = control.text().strip() if isinstance(control, QAbstractButton) else ""
            control.setAccessibleName(names.get(control) or text)
            control.setAccessibleDescription(descriptions.get(control, ""))
        for page in w.pages:
            title = getattr(page, "title", None)
            if isinstance(title, QLabel):
                page.setAccessibleName(title.text())
        self._results()
        overlay = w.idle_overlay
        overlay.setAccessibleName(overlay.title.text())
        overlay.setAccessibleDescription(overlay.body.text())
        for page in (w.card_page, w.face_page):
            page.hint.setAccessibleName(self.tr("Instruction"))
            page.hint.setAccessibleDescription(page.hint.text())

    def _results(self) -> None:
        """The result page and its badge: the outcome, why, and what to do next."""
        r = self.window.result_page
        result = r.result
        if result is None:
            r.setAccessibleDescription("")
            r.badge.setAccessibleName("")
            return
        title = r.title.text()
        parts = [r.reason.text() if r.reason.isVisibleTo(r) else "", r.next_step.text()]
        if result.outcome.value == "pass":
            parts.insert(0, f"{result.masked_name} {result.masked_id}".strip())
        r.setAccessibleName(title)
        r.setAccessibleDescription(" ".join(p for p in parts if p))
        r.badge.setAccessibleName(title)
        r.badge.setAccessibleDescription(self.tr("Result symbol"))
        r.identity.setAccessibleName(self.tr("Your name and ID number, partly hidden"))

    @Slot(str)
    def _on_page(self, name: str) -> None:
        self.apply()

    @Slot(str, float, str)
    def _on_frame(self, stage: str, progress: float, hint: str) -> None:
        page = self.window.current_page()
        label = getattr(page, "hint", None)
        if isinstance(label, QLabel) and label.accessibleDescription() != label.text():
            label.setAccessibleDescription(label.text())  # the instruction a screen reader reads
