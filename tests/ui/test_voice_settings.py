"""Voice settings: mute, volume and player come from kiosk.config and reach the voice guide."""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.ui.settings import from_config
from kiosk.ui.voice import NullPlayer


def test_voice_settings_are_read_and_checked() -> None:
    env = {"KIOSK_KIOSK_VOICE_GUIDANCE": "false", "KIOSK_KIOSK_VOICE_VOLUME": "0.4", "KIOSK_KIOSK_VOICE_PLAYER": "none"}
    ui = from_config(load_settings(None, environ=env, search_default_paths=False))
    assert (ui.voice_guidance, ui.voice_volume, ui.voice_player) == (False, 0.4, "none")
    defaults = from_config(load_settings(None, environ={}, search_default_paths=False))
    assert (defaults.voice_guidance, defaults.voice_volume, defaults.voice_player) == (True, 0.8, "auto")
    with pytest.raises(ConfigError, match=r"kiosk\.voice_volume"):
        load_settings(None, environ={"KIOSK_KIOSK_VOICE_VOLUME": "1.5"}, search_default_paths=False)
    with pytest.raises(ConfigError, match=r"kiosk\.voice_player"):
        load_settings(None, environ={"KIOSK_KIOSK_VOICE_PLAYER": "speaker"}, search_default_paths=False)


def test_the_window_honours_mute_and_volume(make_kiosk) -> None:
    k = make_kiosk(mode="empty", settings={"voice_guidance": False, "voice_volume": 0.3, "voice_player": "none"})
    voice = k.window.access.voice
    assert voice.enabled is False and voice.volume == pytest.approx(0.3)
    assert isinstance(voice.player, NullPlayer)
