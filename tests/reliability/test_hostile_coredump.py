"""A kiosk command started where the shell allows core files (``ulimit -c unlimited``) still
cannot write one: RLIMIT_CORE is 0 and (Linux) the process is not dumpable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli_env import kiosk_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")


def _unlimited_core() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def _field(text: str, name: str) -> str:
    for line in text.splitlines():
        if line.startswith(name):
            return line
    raise AssertionError(f"{name} not in {text!r}")


def test_a_kiosk_command_under_ulimit_c_unlimited_has_core_limit_zero_and_is_not_dumpable(tmp_path: Path) -> None:
    env = kiosk_env(tmp_path)
    # `kiosk emulator` stays up until stopped: long enough to read its /proc files.
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "emulator", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_unlimited_core)  # noqa: PLW1509 - the point of the test
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "FaceID emulator listening on ...": past start-up
        assert "listening" in line, line + proc.stderr.read() if proc.stderr else line
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        core = _field(limits, "Max core file size").split()
        assert core[4] == "0", limits  # the soft limit (the harness's hard limit is kept)
        # not dumpable: /proc/<pid> files belong to root then (prctl PR_SET_DUMPABLE 0)
        assert os.stat(f"/proc/{proc.pid}/status").st_uid == 0
        assert _field(status, "Name:")
        # control: this test's own children get the unlimited limit the harness set
        control = subprocess.run([sys.executable, "-c", "import resource;print(resource.getrlimit(4)[0])"],
                                 capture_output=True, text=True, preexec_fn=_unlimited_core,
                                 check=True)
        assert control.stdout.strip() == str(-1)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_crashing_kiosk_process_writes_no_core_file(tmp_path: Path) -> None:
    """SIGSEGV in a process that ran the kiosk's start-up: no core file in its folder."""
    code = (
        "import ctypes, os, sys\n"
        "from kiosk.core.hardening import disable_core_dumps\n"
        "r = disable_core_dumps(); print(r, flush=True)\n"
        "os.kill(os.getpid(), 11)\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         preexec_fn=_unlimited_core, timeout=60, check=False)
    assert run.returncode == -11
    assert "'core_limit': 0" in run.stdout and "'dumpable': 0" in run.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("core")]
    assert time.monotonic() - start < 60
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    if pattern.startswith("core"):  # control: the same crash without the hardening leaves a core here
        control = tmp_path / "control"
        control.mkdir()
        subprocess.run([sys.executable, "-c", "import os; os.kill(os.getpid(), 11)"], cwd=control, env=env,
                       capture_output=True, preexec_fn=_unlimited_core, timeout=60, check=False)
        cores = [p for p in control.iterdir() if p.name.startswith("core")]
        if cores:  # some sandboxes refuse core files altogether; then the control says nothing
            assert cores[0].stat().st_size > 0
