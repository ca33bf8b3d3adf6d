"""The UI settings adapter over kiosk.config."""

from __future__ import annotations

from kiosk.config import load_settings
from kiosk.ui.settings import UiSettings, from_config


def test_from_config_maps_the_schema_and_overrides() -> None:
    cfg = load_settings(
        None,
        environ={"KIOSK_KIOSK_LANGUAGE": "en", "KIOSK_CAMERA_INDEX": "2", "KIOSK_KIOSK_IDLE_TIMEOUT_S": "30"},
        search_default_paths=False,
    )
    ui = from_config(cfg, fullscreen=False)
    assert isinstance(ui, UiSettings)
    assert (ui.language, ui.camera_index, ui.idle_timeout_s, ui.fullscreen) == ("en", 2, 30.0, False)
    assert ui.staff_pin_hash is None, "an empty hash means the staff menu stays locked"
    assert ui.max_attempts == cfg.policy.max_attempts_per_step
    policy = ui.policy()
    assert policy.idle_timeout_s == 30.0 and policy.max_attempts == ui.max_attempts
