"""Credential providers: environment, profile file, credential command, chain; masking."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kiosk.core.faceid.credentials import (
    ChainCredentialProvider,
    CommandCredentialProvider,
    Credential,
    EnvironmentCredentialProvider,
    ProfileCredentialProvider,
    StaticCredentialProvider,
    parse_credential_json,
)
from kiosk.core.faceid.errors import CredentialError

SID = "AKIDcredTestEXAMPLE"
SKEY = "credTestSecretKey-do-not-leak"
TOKEN = "credTestToken-do-not-leak"


def test_credential_repr_masks_everything() -> None:
    cred = Credential(SID, SKEY, TOKEN, expires_at=123.0)
    for text in (repr(cred), str(cred), f"{cred}"):
        assert SID not in text and SKEY not in text and TOKEN not in text
    assert "<set>" in repr(cred)


@pytest.mark.parametrize(("sid", "skey"), [("", SKEY), (SID, ""), (" " + SID, SKEY), (SID, SKEY + "\n")])
def test_credential_validation(sid: str, skey: str) -> None:
    with pytest.raises(CredentialError) as info:
        Credential(sid, skey)
    assert SKEY not in str(info.value) and SID not in str(info.value)


def test_environment() -> None:
    env = {"TENCENTCLOUD_SECRET_ID": SID, "TENCENTCLOUD_SECRET_KEY": SKEY}
    cred = EnvironmentCredentialProvider(env).get()
    assert (cred.secret_id, cred.secret_key, cred.token) == (SID, SKEY, None)
    cred = EnvironmentCredentialProvider({**env, "TENCENTCLOUD_TOKEN": "alias"}).get()
    assert cred.token == "alias"
    cred = EnvironmentCredentialProvider({**env, "TENCENTCLOUD_SESSION_TOKEN": TOKEN, "TENCENTCLOUD_TOKEN": "x"}).get()
    assert cred.token == TOKEN
    with pytest.raises(CredentialError):
        EnvironmentCredentialProvider({"TENCENTCLOUD_SECRET_ID": SID}).get()


def test_profile_file_order_and_quotes(tmp_path: Path) -> None:
    home = tmp_path / "home.ini"
    etc = tmp_path / "etc.ini"
    etc.write_text(f"[default]\nsecret_id = {SID}-etc\nsecret_key = {SKEY}\n")
    provider = ProfileCredentialProvider([home, etc])
    assert provider.get().secret_id == f"{SID}-etc"
    home.write_text(f"[default]\nsecret_id = \"{SID}\"\nsecret_key = '{SKEY}'\ntoken = {TOKEN}\n")
    cred = provider.get()
    assert (cred.secret_id, cred.secret_key, cred.token) == (SID, SKEY, TOKEN)


@pytest.mark.parametrize(
    "content",
    ["not an ini file [[[", "[other]\nsecret_id = a\nsecret_key = b\n", "[default]\nsecret_id = a\n"],
)
def test_profile_file_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "creds"
    path.write_text(content)
    with pytest.raises(CredentialError):
        ProfileCredentialProvider([path]).get()
    with pytest.raises(CredentialError):
        ProfileCredentialProvider([tmp_path / "missing"]).get()


def _cmd(tmp_path: Path, output: str, code: int = 0, sleep: float = 0.0) -> list[str]:
    """A credential command that counts its runs in a file and prints ``output``."""
    script = tmp_path / "cred_cmd.py"
    counter = tmp_path / "runs"
    script.write_text(
        "import sys, time, pathlib\n"
        f"p = pathlib.Path({str(counter)!r}); p.write_text(str(int(p.read_text() or 0) + 1) if p.exists() else '1')\n"
        f"time.sleep({sleep})\n"
        f"sys.stdout.write({output!r})\n"
        f"sys.exit({code})\n"
    )
    return [sys.executable, str(script)]


def test_command_sts_format_and_refresh_before_expiry(tmp_path: Path) -> None:
    now = [1_000_000.0]
    out = json.dumps({"TmpSecretId": SID, "TmpSecretKey": SKEY, "Token": TOKEN, "ExpiredTime": 1_003_600})
    provider = CommandCredentialProvider(_cmd(tmp_path, out), refresh_margin=300, clock=lambda: now[0])
    cred = provider.get()
    assert (cred.secret_id, cred.secret_key, cred.token, cred.expires_at) == (SID, SKEY, TOKEN, 1_003_600)
    assert provider.get() is cred and provider.runs == 1
    now[0] = 1_003_299.0
    provider.get()
    assert provider.runs == 1
    now[0] = 1_003_301.0  # inside the refresh margin -> re-run
    provider.get()
    assert provider.runs == 2
    provider.refresh()
    assert provider.runs == 3 and (tmp_path / "runs").read_text() == "3"


def test_command_iso_expiration_and_assume_role_shape() -> None:
    cred = parse_credential_json(
        {"SecretId": SID, "SecretKey": SKEY, "Token": TOKEN, "Expiration": "2030-01-01T00:00:00Z"}
    )
    assert cred.expires_at == 1893456000.0
    cred = parse_credential_json(
        {
            "Response": {
                "Credentials": {"TmpSecretId": SID, "TmpSecretKey": SKEY, "Token": TOKEN},
                "ExpiredTime": 1893456000,
            }
        }
    )
    assert cred.token == TOKEN and cred.expires_at == 1893456000.0
    assert parse_credential_json({"SecretId": SID, "SecretKey": SKEY}).expires_at is None


@pytest.mark.parametrize(
    ("output", "code", "expect"),
    [
        (f"garbage {SKEY}", 0, "not JSON"),
        (json.dumps({"SecretId": SID, "Token": TOKEN}), 0, "lacks"),
        (json.dumps({"SecretId": SID, "SecretKey": SKEY, "Expiration": "tomorrow"}), 0, "timestamp"),
        (json.dumps({"SecretId": SID, "SecretKey": SKEY, "ExpiredTime": 5}), 0, "expired"),
        (json.dumps([SID, SKEY]), 0, "not a JSON object"),
        (json.dumps({"SecretId": SID, "SecretKey": SKEY}), 3, "status 3"),
    ],
)
def test_command_failures_never_echo_output(tmp_path: Path, output: str, code: int, expect: str) -> None:
    provider = CommandCredentialProvider(_cmd(tmp_path, output, code))
    with pytest.raises(CredentialError) as info:
        provider.get()
    text = str(info.value) + repr(info.value)
    assert expect in text
    assert SKEY not in text and SID not in text and TOKEN not in text


def test_command_timeout_and_missing_binary(tmp_path: Path) -> None:
    provider = CommandCredentialProvider(_cmd(tmp_path, "{}", sleep=5), timeout=0.3)
    with pytest.raises(CredentialError, match="timed out"):
        provider.get()
    with pytest.raises(CredentialError, match="could not be started"):
        CommandCredentialProvider([str(tmp_path / "nope")]).get()
    with pytest.raises(CredentialError):
        CommandCredentialProvider([])


def test_chain() -> None:
    chain = ChainCredentialProvider(
        [EnvironmentCredentialProvider({}), StaticCredentialProvider(Credential(SID, SKEY))]
    )
    assert chain.get().secret_id == SID and chain.refresh().secret_id == SID
    with pytest.raises(CredentialError) as info:
        ChainCredentialProvider([EnvironmentCredentialProvider({}), ProfileCredentialProvider([])]).get()
    assert "EnvironmentCredentialProvider" in str(info.value)
