"""``kiosk selftest``: the real command in a subprocess (real emulator, client, sockets, checks).

The passing run must also leave nothing behind: HOME, XDG folders and TMPDIR point into an empty
temporary tree that must be empty again afterwards (no audit, no key file, no image).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STEPS = [
    "config",
    "detector",
    "emulator",
    "specimen",
    "card capture",
    "face capture",
    "face capture, other",
    "verify, same person",
    "verify, other face",
    "audit",
]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    tmp = tmp_path / "tmp"
    for d in (home, tmp):
        d.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "XDG_"))}
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CONFIG_HOME=str(home / "config"),
        QT_QPA_PLATFORM="offscreen",
    )
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())


def test_selftest_passes_end_to_end_and_leaves_nothing_behind(tmp_path: Path) -> None:
    proc = _run(tmp_path, "selftest", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is True
    assert [s["name"] for s in report["steps"]] == STEPS
    assert all(s["status"] == "PASS" for s in report["steps"]), report["steps"]
    details = {s["name"]: s["detail"] for s in report["steps"]}
    # the prechecks rejected the out-of-focus card frames before accepting one
    assert "blurry" in details["card capture"]
    assert details["verify, same person"].startswith("pass")
    assert details["verify, other face"].startswith("fail (FailedOperation.CompareLowSimilarity)")
    assert report["face_matcher"] and report["face_matcher"] in details["emulator"]
    assert _leftovers(tmp_path) == []


def test_selftest_text_output_and_a_failing_step(tmp_path: Path) -> None:
    # a policy no face can meet: the same-person step must FAIL (exit 1), the mismatch still
    # holds, and the output is step lines, never a traceback
    config = tmp_path / "kiosk.toml"
    config.write_text("[policy]\nface_sim_threshold = 100.0\ncard_sim_threshold = 100.0\n", encoding="utf-8")
    proc = _run(tmp_path, "--config", str(config), "selftest")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = {line.split()[1]: line for line in proc.stdout.splitlines() if line[:4] in ("PASS", "FAIL", "SKIP")}
    assert lines["config"].startswith("PASS")
    assert "FAIL  verify, same person" in proc.stdout and "expected pass" in proc.stdout
    assert "PASS  verify, other face" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("selftest: FAIL")


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("[policy]\nface_sim_threshold = 'high'\n", "face_sim_threshold"),
        # tomllib's RecursionError once failed the step, then stopped the command with a KeyError
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "not valid TOML (arrays or tables nested too deeply)"),
    ],
)
def test_selftest_bad_config_fails_that_step_but_runs_the_rest(tmp_path: Path, content: str, detail: str) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(content, encoding="utf-8")
    proc = _run(tmp_path, "--config", str(config), "selftest", "--json")
    assert proc.returncode == 1 and "internal error" not in proc.stderr, proc.stderr
    steps = {s["name"]: s for s in json.loads(proc.stdout)["steps"]}
    assert steps["config"]["status"] == "FAIL" and detail in steps["config"]["detail"]
    assert steps["verify, same person"]["status"] == "PASS"
