"""``kiosk emulator`` with hostile files and values on its command line: a FIFO or ``/dev/zero``
as ``--rsa-key``, a registry whose ``people.json`` or portrait is a FIFO, is nested 100,000 deep
or holds a 100,000-digit number, ports outside 0-65535, a ``--state-dir`` that is a file.

Each must end at once with exit 2 and ONE line on stderr (no hang, no ``internal error``, no
traceback, no 3 GB read). In-process ``kiosk.cli.main`` (a configuration error returns before
anything is served); the pytest timeout turns a hang (the old FIFO behaviour) into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.emulator.keys import MAX_PEM_BYTES, RsaKeyPair
from kiosk.emulator.registry import BUILTIN_DIR, MAX_PEOPLE_JSON_BYTES, Registry, RegistryError
from kiosk.emulator.server import EmulatorServer

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
pytestmark = pytest.mark.timeout(30)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    started = time.monotonic()
    try:
        code = main(["emulator", "--port", "0", *args])
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    assert time.monotonic() - started < 15
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _registry_copy(tmp_path: Path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(BUILTIN_DIR, target)
    return target


@needs_fifo
def test_rsa_key_fifo_and_devices_are_refused_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review finding: /dev/zero read 3.4 GB then MemoryError; a FIFO hung the start for ever."""
    for key, what in (("/dev/zero", "a device"), (str(_fifo(tmp_path / "key.fifo")), "a named pipe")):
        code, err = _run(capsys, "--rsa-key", key)
        assert code == 2
        assert err.strip() == f"kiosk emulator: cannot load --rsa-key: {key}: not a regular file ({what})"


def test_rsa_key_too_large_or_not_a_key_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.pem"
    big.write_bytes(b"A" * (MAX_PEM_BYTES + 1))
    code, err = _run(capsys, "--rsa-key", str(big))
    assert code == 2 and f"larger than {MAX_PEM_BYTES} bytes" in err and err.count("\n") == 1
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", encoding="ascii")
    code, err = _run(capsys, "--rsa-key", str(junk))
    assert code == 2 and "not an unencrypted RSA private key in PEM" in err and err.count("\n") == 1
    good = tmp_path / "good.pem"
    good.write_text(RsaKeyPair.generate(1024).private_key_pem, encoding="ascii")
    assert RsaKeyPair.from_file(good).public_key_pem.startswith("-----BEGIN RSA PUBLIC KEY-----")


@needs_fifo
def test_registry_fifos_are_refused_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """people.json as a FIFO hung the start; a FIFO portrait is refused the same way."""
    fifo_json = tmp_path / "fifo-json"
    fifo_json.mkdir()
    _fifo(fifo_json / "people.json")
    code, err = _run(capsys, "--registry", str(fifo_json))
    assert code == 2 and err.strip().endswith("people.json: not a regular file (a named pipe)")

    fifo_portrait = _registry_copy(tmp_path)
    first = json.loads((fifo_portrait / "people.json").read_text(encoding="utf-8"))[0]["portrait"]
    (fifo_portrait / first).unlink()
    _fifo(fifo_portrait / first)
    code, err = _run(capsys, "--registry", str(fifo_portrait))
    assert code == 2 and "is missing or not a readable image" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "not readable JSON (nested too deeply)"),
        ('[{"name": ' + "9" * 100_000 + "}]", "not readable JSON (a number is too long)"),
        (" " * (MAX_PEOPLE_JSON_BYTES + 1), f"larger than {MAX_PEOPLE_JSON_BYTES} bytes"),
    ],
    ids=["nested", "long-int", "too-large"],
)
def test_an_unreadable_people_json_is_an_invalid_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    """Review finding: nesting ended in "internal error: RecursionError"; the long number said
    "cannot load --rsa-key" (a ValueError caught by the wrong handler)."""
    (tmp_path / "people.json").write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Registry.load(tmp_path)
    code, err = _run(capsys, "--registry", str(tmp_path))
    assert code == 2 and message in err and "rsa-key" not in err and err.count("\n") == 1


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_a_port_outside_0_65535_is_a_usage_error(capsys: pytest.CaptureFixture[str], port: str) -> None:
    """Review finding: "internal error: OverflowError: bind(): port must be 0-65535"."""
    code, err = _run(capsys, "--port", port)
    assert code == 2 and "argument --port" in err and "usage:" in err
    with pytest.raises(ValueError, match="0-65535"):
        EmulatorServer(port=70000)


def test_a_state_dir_that_is_a_file_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Review finding: --state-dir /dev/null said "cannot listen on 127.0.0.1:0: File exists"."""
    a_file = tmp_path / "state"
    a_file.write_text("x", encoding="ascii")
    for state in ("/dev/null", str(a_file)):
        code, err = _run(capsys, "--state-dir", state, "--matcher", "classic")
        assert code == 2 and err.strip() == f"kiosk emulator: the state dir {state} is not a folder"


def test_production_file_limits_are_sane() -> None:
    builtin = (BUILTIN_DIR / "people.json").stat().st_size
    assert 100 * builtin <= MAX_PEOPLE_JSON_BYTES <= 16 * 1024 * 1024
    assert 16 * 1024 <= MAX_PEM_BYTES <= 1024 * 1024  # a 16384-bit RSA key (~12 KB) fits
