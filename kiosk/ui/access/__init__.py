"""Accessibility for every customer: voice guidance, keyboard and keypad, large text and high
contrast, screen-reader names. Installed on the kiosk window by one call, :func:`install`.

The pieces live in their own modules and reach the window only through what it already exposes
(its signals, its pages' widgets, its header layout), so page layouts stay the pages' business:

* :mod:`~kiosk.ui.access.voice_wiring`: prompts, hints and sounds (:mod:`kiosk.ui.voice`);
* :mod:`~kiosk.ui.access.header_controls`: the "repeat" and "large text" buttons in the header;
* :mod:`~kiosk.ui.access.keyboard`: Tab / arrows / Enter / Space, the USB keypad on the PIN
  page, the focus ring;
* :mod:`~kiosk.ui.access.large_text`: the large-text, high-contrast mode;
* :mod:`~kiosk.ui.access.names`: accessible names and descriptions, in the current language.

GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from kiosk.ui.voice import AudioPlayer, VoiceGuide, VoiceLibrary, choose_player


class Accessibility(QObject):
    """Everything :func:`install` attached to one window (kept as ``window.access``)."""

    def __init__(self, window: Any, voice_player: AudioPlayer | None = None) -> None:
        super().__init__(window)
        from kiosk.ui.access.header_controls import HeaderControls
        from kiosk.ui.access.keyboard import KeyboardNavigator
        from kiosk.ui.access.large_text import LargeTextMode
        from kiosk.ui.access.names import AccessibleNames
        from kiosk.ui.access.voice_wiring import VoiceWiring

        s = window.settings
        player = voice_player if voice_player is not None else choose_player(getattr(s, "voice_player", "auto"))
        self.voice = VoiceGuide(
            VoiceLibrary(),
            player,
            lambda: window.languages.language,
            enabled=getattr(s, "voice_guidance", True),
            volume=getattr(s, "voice_volume", 0.8),
            parent=self,
        )
        self.voice_wiring = VoiceWiring(window, self.voice)
        self.controls = HeaderControls(window, self)
        self.keyboard = KeyboardNavigator(window, self.voice.repeat)
        self.large_text = LargeTextMode(window, self.controls.large_text_button)
        self.names = AccessibleNames(window, self)

    def retranslate(self) -> None:
        self.controls.retranslate()
        self.names.apply()

    def shutdown(self) -> None:
        """Stop speaking and let go of the keyboard (the window is closing)."""
        self.voice.stop()
        self.keyboard.uninstall()
        self.large_text.set_enabled(False)


def install(window: Any, *, voice_player: AudioPlayer | None = None) -> Accessibility:
    """Attach the accessibility features to a :class:`~kiosk.ui.shell.KioskWindow`."""
    return Accessibility(window, voice_player)
