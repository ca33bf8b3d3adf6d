"""The installer machinery: the shipped example settings, the bundle entry point's watchdog
heartbeat, and (slow, only when built) the PyInstaller bundle itself."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_settings
from tests.support.script_module import load_script

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
BUNDLE = INSTALLERS / "dist" / "kiosk" / ("kiosk.exe" if sys.platform == "win32" else "kiosk")


@pytest.fixture(scope="module")
def make_config():
    return load_script("kiosk_make_config", INSTALLERS / "make_config.py")


@pytest.fixture(scope="module")
def kiosk_main():
    return load_script("kiosk_frozen_main", INSTALLERS / "pyinstaller" / "kiosk_main.py")


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_example_settings_load_and_list_every_key(make_config, platform, tmp_path):
    text = make_config.render(platform)
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.source_file == str(path)
    from kiosk.config import describe

    for dotted, _help, _default in describe():
        assert f"{dotted.split('.', 1)[1]} = " in text, dotted
    assert "SecretKey =" not in text and "secret_key =" not in text


def test_linux_example_puts_the_audit_trail_in_var_lib(make_config, tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(make_config.render("linux"), encoding="utf-8")
    assert load_settings(path, environ={}).audit.directory == "/var/lib/kiosk/audit"


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], None),
        (["run"], "run"),
        (["--config", "x.toml", "demo", "--autopilot"], "demo"),
        (["--version"], None),
        (["doctor", "--json"], "doctor"),
    ],
)
def test_entry_point_finds_the_subcommand(kiosk_main, argv, command):
    assert kiosk_main._command(argv) == command


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs AF_UNIX datagram sockets")
def test_sd_notify_reaches_the_notify_socket(kiosk_main, tmp_path, monkeypatch):
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        kiosk_main._sd_notify("WATCHDOG=1")
        assert server.recv(64) == b"WATCHDOG=1"


HEARTBEAT_PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import kiosk_main
kiosk_main._install_heartbeat(["demo"])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
QTimer.singleShot(300, app.quit)
sys.exit(app.exec())
"""


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs AF_UNIX datagram sockets")
def test_heartbeat_beats_from_the_qt_event_loop(tmp_path):
    address = str(tmp_path / "notify")
    beat_file = tmp_path / "heartbeat"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(30)
        env = dict(
            os.environ,
            NOTIFY_SOCKET=address,
            KIOSK_HEARTBEAT_FILE=str(beat_file),
            QT_QPA_PLATFORM="offscreen",
            WATCHDOG_USEC="3000000",
        )
        out = subprocess.run(
            [sys.executable, "-c", HEARTBEAT_PROBE, str(INSTALLERS / "pyinstaller")],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        messages = [server.recv(256).decode() for _ in range(3)]
    assert messages[0].startswith("READY=1")
    assert "WATCHDOG=1" in messages[1:]
    assert beat_file.exists()


CHILD_ENV_PROBE = """
import os, subprocess, sys
sys.path.insert(0, sys.argv[1])
import kiosk_main
kiosk_main._restore_child_environment()
os.environ["LD_LIBRARY_PATH"] = "/bundle/lib64:" + os.environ.get("LD_LIBRARY_PATH", "")  # what cv2 does
print(subprocess.run(["/usr/bin/env"], capture_output=True, text=True, check=True).stdout)
"""


@pytest.mark.skipif(not Path("/usr/bin/env").exists(), reason="needs /usr/bin/env")
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ({"LD_LIBRARY_PATH": "/b", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib"}, "/usr/local/lib"),
        ({"LD_LIBRARY_PATH": "/usr/local/lib"}, "/usr/local/lib"),
        ({}, None),
    ],
)
def test_child_processes_get_the_callers_library_path(start, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LD_LIBRARY_PATH")} | start
    out = subprocess.run(
        [sys.executable, "-c", CHILD_ENV_PROBE, str(INSTALLERS / "pyinstaller")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    child = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert child.get("LD_LIBRARY_PATH") == expected
    assert "LD_LIBRARY_PATH_ORIG" not in child


@pytest.mark.slow
@pytest.mark.skipif(not BUNDLE.exists(), reason="bundle not built (make bundle)")
def test_bundle_runs_doctor_with_model_and_resources():
    out = subprocess.run(
        [str(BUNDLE), "doctor", "--json", "--no-network", "--cameras", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(out.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["model"]["ok"], checks["model"]
    assert checks["resources"]["ok"], checks["resources"]


@pytest.mark.slow
@pytest.mark.skipif(not BUNDLE.exists(), reason="bundle not built (make bundle)")
def test_bundle_demo_autopilot_one_session(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path), HOME=str(tmp_path))
    out = subprocess.run(
        [str(BUNDLE), "demo", "--autopilot", "--sessions", "1", "--fast"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "sessions: 1, as expected: 1" in out.stdout
