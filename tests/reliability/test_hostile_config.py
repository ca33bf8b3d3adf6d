"""Hostile configuration and diagnostics: files others can write, secrets in messages, bounds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.core.faceid.credentials import CommandCredentialProvider, Credential
from kiosk.core.faceid.errors import CredentialError
from kiosk.core.filecheck import unsafe_reason
from tests.support.cli_env import kiosk_env

ROOT = Path(__file__).resolve().parents[2]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@POSIX
def test_a_world_writable_config_file_is_refused_with_a_message(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "kiosk.toml", "[kiosk]\nlanguage = 'en'\n", 0o666)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, environ={})
    assert info.value.key == "--config" and "writable by every user" in str(info.value)
    cfg.chmod(0o644)
    assert load_settings(cfg, environ={}).kiosk.language == "en"


@POSIX
def test_a_config_in_a_world_writable_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    cfg = _write(folder / "kiosk.toml", "")
    assert "writable by every user" in (unsafe_reason(cfg) or "")
    folder.chmod(0o777 | 0o1000)  # sticky, like /tmp: accepted
    assert unsafe_reason(cfg) is None


@POSIX
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_config_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "kiosk.toml", "", 0o644)
    os.chown(cfg, 65534, 65534)  # nobody
    with pytest.raises(ConfigError, match="owned by uid 65534"):
        load_settings(cfg, environ={})


@POSIX
def test_a_credential_command_others_can_write_is_refused(tmp_path: Path) -> None:
    tool = _write(tmp_path / "sts-helper", "#!/bin/sh\necho {}\n", 0o757)
    env = {"KIOSK_CREDENTIALS_SOURCE": "command", "KIOSK_CREDENTIALS_COMMAND": str(tool)}
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ=env, search_default_paths=False)
    assert info.value.key == "credentials.command" and "writable by every user" in str(info.value)
    tool.chmod(0o755)
    assert load_settings(None, environ=env, search_default_paths=False).credentials.command == (str(tool),)


def test_a_string_credential_command_is_not_echoed(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "kiosk.toml", "[credentials]\ncommand = 'sts --password hunter2'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, environ={})
    assert "hunter2" not in str(info.value) and "value not shown" in str(info.value)


def test_a_secret_id_with_a_non_latin1_character_is_not_echoed() -> None:
    with pytest.raises(CredentialError) as info:
        Credential("AKID\u4e2dsecretpart", "key")
    text = str(info.value)
    assert "\u4e2d" not in text and "secretpart" not in text and "position" not in text
    assert "printable ASCII" in text


@pytest.mark.skipif(shutil.which("yes") is None, reason="needs yes(1)")
def test_credential_command_output_is_bounded() -> None:
    provider = CommandCredentialProvider([shutil.which("yes") or "yes"], timeout=5.0)
    start = time.monotonic()
    with pytest.raises(CredentialError, match="more than 65536 bytes"):
        provider.get()
    assert time.monotonic() - start < 3.0


def test_a_silent_credential_command_times_out() -> None:
    provider = CommandCredentialProvider([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1.0)
    start = time.monotonic()
    with pytest.raises(CredentialError, match="timed out"):
        provider.get()
    assert time.monotonic() - start < 4.0


def _kiosk(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m kiosk ARGS`` with HOME in ``tmp_path`` and the audit trail in ``tmp_path/a``."""
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT,
                          env=kiosk_env(tmp_path, **{"KIOSK_AUDIT_DIRECTORY": str(tmp_path / "a"), **env}),
                          capture_output=True, text=True, timeout=120, check=False)


def _doctor(tmp_path: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    timeouts = {"KIOSK_SERVICE_CONNECT_TIMEOUT_S": "1", "KIOSK_SERVICE_READ_TIMEOUT_S": "1"}
    return _kiosk(tmp_path, "doctor", "--cameras", "0", *extra, **{**timeouts, **env})


def test_doctor_never_prints_proxy_credentials(tmp_path: Path) -> None:
    env = {"KIOSK_SERVICE_HTTPS_PROXY": "http://kioskuser:s3cretPW@127.0.0.1:9",
           "KIOSK_SERVICE_ENDPOINT": "https://127.0.0.1:9"}
    text_run = _doctor(tmp_path, **env)
    json_run = _doctor(tmp_path, "--json", **env)
    for run in (text_run, json_run):
        assert "s3cretPW" not in run.stdout + run.stderr and "kioskuser" not in run.stdout + run.stderr
        assert "Traceback" not in run.stderr
    service = next(c for c in json.loads(json_run.stdout)["checks"] if c["name"] == "service")
    assert service["ok"] is False


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"KIOSK_SERVICE_ENDPOINT": "https://[::1"}, "service.endpoint"),
        ({"KIOSK_SERVICE_READ_TIMEOUT_S": "inf"}, "service.read_timeout_s"),
        ({"KIOSK_AUDIT_DIRECTORY": "/etc/hostname"}, "audit.directory"),
    ],
)
def test_bad_values_name_the_key_in_verify_not_internal_error(tmp_path: Path, env: dict[str, str], key: str) -> None:
    img = tmp_path / "x.jpg"
    img.write_bytes(b"\xff\xd8\xff\xd9")
    run = subprocess.run([sys.executable, "-m", "kiosk", "verify", "--card", str(img), "--face", str(img)],
                         cwd=ROOT, env=kiosk_env(tmp_path, **env), capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 2
    assert key in run.stderr and "internal error" not in run.stderr and "Traceback" not in run.stderr


NESTED_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"  # RecursionError inside tomllib


def test_a_deeply_nested_config_is_a_config_error_in_every_command(tmp_path: Path) -> None:
    """precheck and verify stop with one line naming the file; doctor reports the failed config
    check in its normal report (outside review: "internal error: RecursionError", no report)."""
    cfg = _write(tmp_path / "deep.toml", NESTED_TOML, 0o644)
    img = tmp_path / "x.jpg"
    img.write_bytes(b"\xff\xd8\xff\xd9")
    wanted = f"config: --config: {cfg}: not valid TOML (arrays or tables nested too deeply)"
    for command in (["precheck", "--kind", "face", str(img)], ["verify", "--card", str(img), "--face", str(img)]):
        run = _kiosk(tmp_path, "--config", str(cfg), *command)
        assert run.returncode == 2 and run.stdout == "", run.stderr
        assert run.stderr.strip() == f"kiosk {command[0]}: {wanted}"
    run = _kiosk(tmp_path, "--config", str(cfg), "doctor", "--cameras", "0", "--no-network", "--json")
    assert run.returncode == 1 and "internal error" not in run.stderr, run.stderr
    checks = {c["name"]: c for c in json.loads(run.stdout)["checks"]}
    assert checks["config"]["ok"] is False and checks["config"]["detail"] == wanted
    assert {"model", "audit"} <= set(checks)


def test_doctor_flags_an_outdated_staff_pin_hash() -> None:
    from kiosk.commands.doctor import check_staff_pin
    from kiosk.ui.pin import DEMO_PIN_HASH, hash_pin

    def settings(stored: str):  # type: ignore[no-untyped-def]
        return load_settings(None, environ={"KIOSK_KIOSK_STAFF_PIN_HASH": stored}, search_default_paths=False)

    assert check_staff_pin(settings(DEMO_PIN_HASH)).ok
    old = check_staff_pin(settings(hash_pin("246810", n=2**14)))
    assert not old.ok and "--hash-pin" in old.detail
    assert check_staff_pin(settings("")).ok  # no hash: the staff menu is simply locked
