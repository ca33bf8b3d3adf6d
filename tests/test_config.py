"""The typed settings schema: defaults, TOML, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, Settings, describe, load_settings


def load(tmp_path: Path, toml: str | None = None, **env: str) -> Settings:
    path = None
    if toml is not None:
        path = tmp_path / "kiosk.toml"
        path.write_text(toml, encoding="utf-8")
    return load_settings(path, environ=env, search_default_paths=False)


def test_defaults(tmp_path: Path) -> None:
    s = load(tmp_path)
    assert s.service.endpoint == "https://faceid.intl.tencentcloudapi.com"
    assert s.policy.face_sim_threshold == 70.0
    assert s.kiosk.language == "zh_CN"
    assert s.source_file == ""


def test_file_then_environment(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        '[service]\nread_timeout_s = 12\n[kiosk]\nlanguage = "en"\n[credentials]\nsource = "command"\n'
        'command = ["/usr/bin/sts-helper", "--role", "kiosk"]\n',
        KIOSK_SERVICE_READ_TIMEOUT_S="7.5",
        KIOSK_CAMERA_INDEX="2",
        KIOSK_POLICY_COPY_WARN="off",
        KIOSK_DEBUG="1",  # not a section: ignored
        KIOSK_EMULATOR_SECRET_ID="x",  # not a section: ignored
    )
    assert s.service.read_timeout_s == 7.5
    assert s.kiosk.language == "en"
    assert s.camera.index == 2
    assert s.policy.copy_warn is False
    assert s.credentials.command == ("/usr/bin/sts-helper", "--role", "kiosk")
    assert s.source_file.endswith("kiosk.toml")


@pytest.mark.parametrize(
    ("toml", "env", "key", "fragment"),
    [
        ("[service]\nread_timeout_s = 'slow'\n", {}, "service.read_timeout_s", "expected a finite number"),
        ("[service]\nread_timeout_s = -1\n", {}, "service.read_timeout_s", "a number > 0"),
        ("[service]\nendpoint = 'ftp://x'\n", {}, "service.endpoint", "http(s) URL"),
        ("[service]\ntypo_key = 1\n", {}, "service.typo_key", "unknown setting"),
        ("[nonsense]\na = 1\n", {}, "nonsense", "unknown section"),
        ("[kiosk]\nlanguage = 'fr'\n", {}, "kiosk.language", "zh_CN or en"),
        ("[camera]\nindex = true\n", {}, "camera.index", "whole number"),
        (None, {"KIOSK_CAMERA_WIDTH": "wide"}, "camera.width", "KIOSK_CAMERA_WIDTH"),
        (None, {"KIOSK_POLICY_COPY_WARN": "maybe"}, "policy.copy_warn", "true or false"),
        (None, {"KIOSK_KIOSK_IDLE_WARNING_S": "90"}, "kiosk.idle_warning_s", "shorter"),
        (None, {"KIOSK_CREDENTIALS_SOURCE": "command"}, "credentials.command", "no command"),
        (None, {"KIOSK_SERVICE_CA_BUNDLE": "/nonexistent/ca.pem"}, "service.ca_bundle", "no such file"),
        ("not = [valid", {}, "--config", "not valid TOML"),
        ("[service]\nread_timeout_s = inf\n", {}, "service.read_timeout_s", "finite"),
        ("[service]\nconnect_timeout_s = nan\n", {}, "service.connect_timeout_s", "finite"),
        (None, {"KIOSK_SERVICE_READ_TIMEOUT_S": "Infinity"}, "service.read_timeout_s", "finite"),
        (None, {"KIOSK_KIOSK_IDLE_TIMEOUT_S": "inf"}, "kiosk.idle_timeout_s", "finite"),
        ("[service]\nendpoint = 'https://[::1'\n", {}, "service.endpoint", "http(s) URL"),
        ("[service]\nendpoint = 'https://h:99999/'\n", {}, "service.endpoint", "http(s) URL"),
        (None, {"KIOSK_SERVICE_ENDPOINT": "https://h/\x1b[2J"}, "service.endpoint", "http(s) URL"),
        (None, {"KIOSK_AUDIT_DIRECTORY": "/etc/hostname"}, "audit.directory", "not a folder"),
        ("[kiosk]\nmax_image_megapixels = 1000\n", {}, "kiosk.max_image_megapixels", "0.1..100"),
    ],
)
def test_wrong_values_name_the_key(
    tmp_path: Path, toml: str | None, env: dict[str, str], key: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, toml, **env)
    assert info.value.key == key
    assert fragment in str(info.value)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "absent.toml", environ={})
    with pytest.raises(ConfigError, match="KIOSK_CONFIG"):
        load_settings(None, environ={"KIOSK_CONFIG": str(tmp_path / "absent.toml")})


def test_describe_lists_every_key() -> None:
    keys = {row[0] for row in describe()}
    assert "service.endpoint" in keys and "kiosk.staff_pin_hash" in keys
    assert all(help_ for _, help_, _ in describe())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_fuzzed_files_give_a_config_error_or_settings(content: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "k.toml"
        path.write_text(content, encoding="utf-8")
        try:
            result = load_settings(path, environ={}, search_default_paths=False)
        except ConfigError:
            return
        assert isinstance(result, Settings)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["SERVICE_READ_TIMEOUT_S", "CAMERA_INDEX", "POLICY_COPY_WARN", "KIOSK_LANGUAGE",
                     "CREDENTIALS_COMMAND", "AUDIT_BACKUPS", "SERVICE_ENDPOINT"]),
    st.text(max_size=30),
)
def test_fuzzed_environment_gives_a_config_error_or_settings(name: str, value: str) -> None:
    try:
        result = load_settings(None, environ={"KIOSK_" + name: value}, search_default_paths=False)
    except ConfigError as exc:
        assert exc.key
        return
    assert isinstance(result, Settings)
