"""The typed settings schema: defaults, TOML, environment overrides, clear errors."""

from __future__ import annotations

import os
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


def _hostile_file(tmp_path: Path, kind: str) -> Path:
    """A configuration file that once crashed the loader or was misnamed (outside review)."""
    path = tmp_path / "kiosk.toml"
    if kind == "nested":  # RecursionError inside tomllib
        path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    elif kind == "digits":  # ValueError from int(): more digits than Python converts
        path.write_text("[service]\nmax_attempts = " + "9" * 5000 + "\n", encoding="utf-8")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "huge":
        path.write_text("# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    elif kind == "latin1":
        path.write_bytes("[kiosk]\nkiosk_id = 'caf\u00e9'\n".encode("latin-1"))
    return path


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("nested", "kiosk.toml: not valid TOML (arrays or tables nested too deeply)"),
        ("digits", "kiosk.toml: not valid TOML (a number too long to read)"),
        ("folder", "kiosk.toml: a folder"),
        ("fifo", "kiosk.toml: not a regular file (a named pipe)"),
        ("loop", "kiosk.toml: cannot be read (a loop of symbolic links)"),
        ("huge", "kiosk.toml: larger than 1000000 bytes"),
        ("latin1", "kiosk.toml: not utf-8 text"),
    ],
)
def test_a_hostile_config_file_is_a_config_error_naming_the_file(tmp_path: Path, kind: str, fragment: str) -> None:
    if kind == "fifo" and not hasattr(os, "mkfifo"):
        pytest.skip("POSIX FIFOs")
    path = _hostile_file(tmp_path, kind)
    with pytest.raises(ConfigError) as info:  # never RecursionError, ValueError or a hang
        load_settings(path, environ={}, search_default_paths=False)
    assert info.value.key == "--config" and fragment in str(info.value), str(info.value)
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ={"KIOSK_CONFIG": str(path)}, search_default_paths=False)
    assert info.value.key == "KIOSK_CONFIG" and fragment in str(info.value)


def test_a_config_saved_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"\xef\xbb\xbf[service]\nread_timeout_s = 5\n")  # Notepad's "UTF-8 with BOM"
    assert load_settings(path, environ={}, search_default_paths=False).service.read_timeout_s == 5.0


def test_a_config_error_is_one_printable_line(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[service]\n"\\u001b[2J\\u202e" = 1\n', encoding="utf-8")  # a quoted key with ESC, bidi
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={}, search_default_paths=False)
    assert str(info.value).isprintable() and "\\u001b[2J\\u202e" in str(info.value)


@pytest.mark.parametrize("key", ["service.public_key_file", "service.ca_bundle"])
def test_a_file_setting_that_is_not_a_file_says_what_it_is(tmp_path: Path, key: str) -> None:
    section, name = key.split(".")
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ={f"KIOSK_{section.upper()}_{name.upper()}": str(tmp_path)},
                      search_default_paths=False)
    assert info.value.key == key and f"{tmp_path}: a folder" in str(info.value)
