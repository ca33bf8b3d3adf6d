"""Connects the kiosk window to the voice: page prompts, hints, capture sound, staff chime, repeat.

Listens only to signals the window already has (``sig_page_shown``, ``sig_frame_shown``, the
analyzer's ``sig_captured``, the call-staff action, the idle overlay) and reads the session's
hint and result keys; it never changes the flow. GUI thread only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Slot

from kiosk.ui.voice import VoiceGuide
from kiosk.ui.voice_prompts import page_prompt

#: a hint is spoken only when nothing else is, and at most this often
HINT_EVERY_S = 4.0


class VoiceWiring(QObject):
    """Says each page's prompt when it appears, new capture hints, and the two sounds."""

    def __init__(self, window: Any, guide: VoiceGuide, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.window = window
        self.guide = guide
        self._clock = clock
        self._spoken_hint: str | None = None
        self._hint_at = -HINT_EVERY_S
        window.sig_page_shown.connect(self._on_page)
        window.sig_frame_shown.connect(self._on_frame)
        window.camera.analyzer.sig_captured.connect(self._on_captured)
        window.idle_overlay.sig_still_here.connect(self._on_still_here)
        # the window's call-staff action: the shell's staff_call_requested signal where it has
        # one, else the header button (hook name: on_staff_call_requested)
        staff_signal = getattr(window, "staff_call_requested", None) or window.staff_button.clicked
        staff_signal.connect(self.on_staff_call_requested)
        window.languages.language_changed.connect(self._on_language)
        # issue 15's states that change without a page change
        window.verifying.sig_slow.connect(self._on_slow)
        window.result_page.sig_call_state.connect(self._on_call_state)
        window.sig_health_changed.connect(self._on_health)

    def _prompt(self, name: str) -> list[str]:
        """The prompt keys for page ``name`` in the window's state now."""
        w = self.window
        session = w.session
        r = w.result_page
        # a result page says the result it shows (the session's own, in the flow)
        result = r.result if name.startswith("result_") else session.result
        return page_prompt(
            name,
            hint_key=session.hint_key,
            message_key=result.message_key if result is not None else None,
            staff_call=(r.call_state or "sending") if name.startswith("result_") and r.staff_called else "",
            can_retry=name.startswith("result_") and r.retry_button.isVisibleTo(r),
            service_down=not w.service_ok,
            declined=name == "welcome" and w.welcome.note.isVisibleTo(w.welcome),
        )

    @Slot(str)
    def _on_page(self, name: str) -> None:
        self._spoken_hint = None
        self.guide.say(self._prompt(name))

    @Slot()
    def _on_slow(self) -> None:
        if self.window.current_page() is self.window.verifying:
            self.guide.say(["verifying.slow"])

    @Slot(str)
    def _on_call_state(self, state: str) -> None:
        page = self.window.current_page()
        if page is self.window.result_page and state in ("failed", "not_configured"):
            self.guide.say(self._prompt(page.name))  # nobody is coming: say where to go instead

    @Slot(bool)
    def _on_health(self, ok: bool) -> None:
        if self.window.current_page() is self.window.welcome:
            self.guide.say(self._prompt("welcome"))

    @Slot(str, float, str)
    def _on_frame(self, stage: str, progress: float, hint: str) -> None:
        page = self.window.current_page()
        code = getattr(page, "hint_code", None)
        if not code or code == self._spoken_hint or self.window.idle_overlay.isVisible():
            return
        now = self._clock()
        if self.guide.busy() or now - self._hint_at < HINT_EVERY_S:
            return
        self._spoken_hint = code
        self._hint_at = now
        self.guide.say([f"hint.{code}"], remember=False)

    @Slot(object)
    def _on_captured(self, capture: Any) -> None:
        self.guide.sound("capture")

    @Slot()
    def on_staff_call_requested(self) -> None:
        """The customer called staff: a chime (before the result page's prompt)."""
        self.guide.sound("chime")

    @Slot()
    def _on_still_here(self) -> None:
        self.guide.stop()

    @Slot(str)
    def _on_language(self, code: str) -> None:
        if self.window.current_page().customer:
            self.guide.repeat()

    def repeat(self) -> None:
        """Say the current prompt again (the repeat button and key)."""
        self.guide.repeat()
