"""The [notify] and [flow] settings (issue 15): defaults, validation, environment overrides."""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.ui.settings import from_config


def test_defaults_and_mapping_to_the_ui() -> None:
    cfg = load_settings(environ={}, search_default_paths=False)
    assert cfg.notify.url == "" and cfg.notify.command == () and cfg.notify.attempts == 3
    assert cfg.flow.tap_guard_s == 0.5 and cfg.flow.face_retakes_after_mismatch == 1
    assert cfg.kiosk.idle_warning_s >= 20
    ui = from_config(cfg)
    assert ui.tap_guard_s == 0.5 and ui.face_retakes == 1 and ui.staff_call_shown_for_s == 300
    assert ui.policy().face_retakes == 1 and ui.policy().staff_call_timeout_s == 300


def test_environment_overrides() -> None:
    cfg = load_settings(environ={"KIOSK_NOTIFY_URL": "http://127.0.0.1:8080/calls",
                                 "KIOSK_NOTIFY_COMMAND": "/usr/bin/page-staff --loud",
                                 "KIOSK_FLOW_HEALTH_CHECK_INTERVAL_S": "0"}, search_default_paths=False)
    assert cfg.notify.url == "http://127.0.0.1:8080/calls"
    assert cfg.notify.command == ("/usr/bin/page-staff", "--loud")
    assert cfg.flow.health_check_interval_s == 0


@pytest.mark.parametrize(
    ("var", "value", "key"),
    [
        ("KIOSK_NOTIFY_URL", "ftp://branch/calls", "notify.url"),
        ("KIOSK_NOTIFY_ATTEMPTS", "0", "notify.attempts"),
        ("KIOSK_FLOW_TAP_GUARD_S", "5", "flow.tap_guard_s"),
        ("KIOSK_FLOW_FACE_RETAKES_AFTER_MISMATCH", "9", "flow.face_retakes_after_mismatch"),
        ("KIOSK_KIOSK_IDLE_WARNING_S", "10", "kiosk.idle_warning_s"),
    ],
)
def test_wrong_values_name_the_key(var: str, value: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(environ={var: value}, search_default_paths=False)
