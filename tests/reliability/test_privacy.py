"""Privacy: after real sessions nothing about a customer and no secret is on disk or in a log.

Sessions run with HOME, the XDG folders, TMPDIR and the audit folder pointed into one temporary
tree; afterwards tools/privacy_scan.py scans that tree, the captured output and every log line
(root logger at DEBUG) for the registry people's names, ID numbers (also with separators, and any
other valid ID number), image bytes (JPEG/PNG, raw or base64) and the secrets in use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.reliability.conftest import LogCapture, read_audit
from tools.privacy_scan import PrivacyScanner, default_scanner

REPO = Path(__file__).resolve().parents[2]
STS_TOKEN = "STS-TOKEN-ab12cd34ef56-kiosk-reliability"
STS_KEY = "StsTmpSecretKey-9f8e7d6c5b4a"


def _tree(root: Path) -> dict[str, Path]:
    dirs = {name: root / name for name in ("home", "config", "cache", "data", "state", "tmp", "audit", "runtime")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    dirs["runtime"].chmod(0o700)
    return dirs


def _env(dirs: dict[str, Path]) -> dict[str, str]:
    return {
        "HOME": str(dirs["home"]), "XDG_CONFIG_HOME": str(dirs["config"]), "XDG_CACHE_HOME": str(dirs["cache"]),
        "XDG_DATA_HOME": str(dirs["data"]), "XDG_STATE_HOME": str(dirs["state"]), "TMPDIR": str(dirs["tmp"]),
        "XDG_RUNTIME_DIR": str(dirs["runtime"]), "KIOSK_AUDIT_DIRECTORY": str(dirs["audit"]),
    }


def _report(findings: list) -> str:
    return "\n".join(str(f) for f in findings[:20])


def test_scanner_finds_what_it_must_and_ignores_masked_forms(tmp_path: Path, registry: Registry) -> None:
    """The scan itself is tested: every kind of leak is found, the allowed masked forms are not."""
    person = registry.people[0]
    scanner = default_scanner([STS_TOKEN])
    digits = person.id_number
    spaced = f"{digits[:6]} {digits[6:14]} {digits[14:]}"
    dashed = "-".join(digits[i:i + 4] for i in range(0, 18, 4))
    escaped = json.dumps({"Name": person.name})  # \uXXXX as the client sends it
    plants = {
        "name.txt": person.name.encode(), "name_json.txt": escaped.encode(),
        "name_utf16.bin": person.name.encode("utf-16-le"),
        "id.txt": digits.encode(), "id_spaced.txt": spaced.encode(), "id_dashed.txt": dashed.encode(),
        "other_valid_id.txt": b"11010119900307777" + b"1"[:0] + b"X",  # completed below
        "face.jpg": b"junk\xff\xd8\xff\xe0\x00\x10JFIF\x00rest", "card.png": b"\x89PNG\r\n\x1a\n....",
        "b64.json": b'{"ImageBase64": "/9j/' + b"A" * 100 + b'"}',
        "key.log": f"secret={DEMO_SECRET_KEY}".encode(), "token.log": f"token {STS_TOKEN}".encode(),
    }
    from kiosk.core import idnumber

    first17 = "11010119900307777"
    plants["other_valid_id.txt"] = (first17 + idnumber.check_char(first17)).encode()
    for name, data in plants.items():
        (tmp_path / name).write_bytes(data)
    found = {Path(f.where).name for f in scanner.scan_paths([tmp_path])}
    assert found == set(plants), f"missed: {set(plants) - found}"
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "audit.jsonl").write_text(json.dumps({"masked_id": idnumber.mask(digits),
                                                   "masked_name": idnumber.mask_name(person.name),
                                                   "request_id": "8b0e1f9a-0000-4000-8000-000000000000",
                                                   "elapsed_ms": 123456789012345678}, ensure_ascii=False))
    assert scanner.scan_paths([clean]) == []


def _credential_command(tmp: Path) -> str:
    script = tmp / "sts.py"
    script.write_text(
        "import json, time\n"
        f"print(json.dumps({{'TmpSecretId': {DEMO_SECRET_ID!r}, 'TmpSecretKey': {STS_KEY!r}, "
        f"'Token': {STS_TOKEN!r}, 'ExpiredTime': int(time.time()) + 3600}}))\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


@pytest.mark.timeout(120)
def test_verify_sessions_leave_no_customer_data_or_secrets(
        tmp_path: Path, registry: Registry, photos: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], all_logs: LogCapture) -> None:
    dirs = _tree(tmp_path / "kiosk-tree")
    for var in list(os.environ):
        if var.startswith(("KIOSK_", "TENCENTCLOUD_")):
            monkeypatch.delenv(var, raising=False)
    for k, v in _env(dirs).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile re-reads TMPDIR
    monkeypatch.setenv("KIOSK_CREDENTIALS_SOURCE", "command")
    sts_dir = tmp_path / "sts-backend"  # the credential back-end is not the kiosk's disk
    sts_dir.mkdir()
    monkeypatch.setenv("KIOSK_CREDENTIALS_COMMAND", _credential_command(sts_dir))
    monkeypatch.setenv("KIOSK_SERVICE_READ_TIMEOUT_S", "3")
    outputs: list[str] = []
    codes = []
    with EmulatorServer(registry=registry, secret_key=STS_KEY, token=STS_TOKEN,
                        faults="reset_after@nth:7") as emu:
        sessions = [
            ("card_a", "face_a", []),  # pass
            ("card_a", "face_b", []),  # fail: another person's face
            ("card_a", "face_a", ["--encrypt", "--public-key", str(emu.public_key_file)]),  # encrypted fields
            ("card_a", "face_a", []),  # the 7th request (its card call) is reset after processing: unavailable
        ]
        for card, face, extra in sessions:
            codes.append(main(["verify", "--card", str(photos[card]), "--face", str(photos[face]),
                               "--endpoint", emu.url, *extra]))
            cap = capsys.readouterr()
            outputs += [cap.out, cap.err]
        assert emu.billed_calls >= 6
    assert codes == [0, 1, 0, 1], (codes, outputs)
    assert len([r for r in read_audit(dirs["audit"]) if r["kind"] == "session"]) == 4

    scanner = default_scanner([STS_TOKEN, STS_KEY])
    findings = scanner.scan_paths([tmp_path / "kiosk-tree"])
    findings += [f for i, text in enumerate(outputs) for f in scanner.scan_text(text, f"output#{i}")]
    findings += scanner.scan_text(all_logs.text, "logging(DEBUG)")
    assert not findings, _report(findings)
    assert len(all_logs.lines) > 20  # the logs were really captured at DEBUG


@pytest.mark.timeout(180)
def test_demo_autopilot_leaves_no_customer_data_or_secrets(tmp_path: Path) -> None:
    """The whole product (UI, camera thread, workers) as a subprocess, logging at DEBUG to a file."""
    dirs = _tree(tmp_path / "demo-tree")
    log_file = dirs["state"] / "demo-debug.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "TENCENTCLOUD_"))}
    env.update(_env(dirs))
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)})
    code = (
        "import logging, sys\n"
        f"logging.basicConfig(level=logging.DEBUG, filename={str(log_file)!r}, encoding='utf-8',\n"
        "                    format='%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s')\n"
        "from kiosk.cli import main\n"
        "sys.exit(main(['demo', '--autopilot', '--sessions', '3', '--fast']))\n"
    )
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(REPO), capture_output=True,
                          timeout=170, check=False)
    elapsed = time.monotonic() - t0
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"demo failed ({elapsed:.0f} s):\n{out[-2000:]}\n{err[-2000:]}"
    assert "Traceback" not in err and "Traceback" not in out
    assert log_file.stat().st_size > 1000  # DEBUG logging really happened
    scanner = default_scanner()
    findings = scanner.scan_paths([tmp_path / "demo-tree"])
    findings += scanner.scan_text(out, "stdout") + scanner.scan_text(err, "stderr")
    assert not findings, _report(findings)


def test_privacy_scan_cli(tmp_path: Path) -> None:
    """``python -m tools.privacy_scan DIR``: exit 1 and a masked line per finding; exit 0 when clean."""
    (tmp_path / "leak.txt").write_text("310104198605190426", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tools.privacy_scan", str(tmp_path), "--json"], cwd=str(REPO),
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 1
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert lines and lines[0]["kind"] == "id_number" and "310104198605190426" not in proc.stdout.decode()
    (tmp_path / "leak.txt").unlink()
    proc = subprocess.run([sys.executable, "-m", "tools.privacy_scan", str(tmp_path)], cwd=str(REPO),
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout


def test_scanner_accepts_custom_people(tmp_path: Path) -> None:
    scanner = PrivacyScanner(names=["吴未登"], id_numbers=["110101199003077771"], secrets=[], any_valid_id=False)
    (tmp_path / "x").write_text("吴未登 / 110101-19900307-7771", encoding="utf-8")
    assert sorted(f.kind for f in scanner.scan_paths([tmp_path])) == ["id_number", "name"]


def test_emulator_debug_log_does_not_echo_query_strings(registry: Registry, all_logs: LogCapture) -> None:
    """GET requests (the SDK's GET mode) carry parameters in the query string; the emulator's
    access log (http.server's log_message, at DEBUG) must not write them out."""
    import socket
    from urllib.parse import quote

    person = registry.people[0]
    query = f"Action=ImageRecognitionV2&Version=2018-03-01&IdCard={person.id_number}&Name={quote(person.name)}"
    with EmulatorServer(registry=registry) as emu, socket.create_connection(("127.0.0.1", emu.port), timeout=5) as s:
        s.sendall(f"GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        while s.recv(65536):
            pass
    findings = default_scanner().scan_text(all_logs.text, "logging(DEBUG)")
    findings += PrivacyScanner(names=[quote(person.name)], any_valid_id=False, images=False).scan_text(
        all_logs.text, "logging(DEBUG), URL-encoded")
    assert not findings, _report(findings)
