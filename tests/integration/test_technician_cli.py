"""The technician's commands: ``kiosk specimen`` from a registry, the emulator's banner,
``kiosk doctor --hash-pin`` from stdin (issue 12). Real CLI, real emulator, real images."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from kiosk.cli import main
from kiosk.commands.emulator import call_instructions
from kiosk.core.specimen_reading import read_specimen
from kiosk.emulator.registry import BUILTIN_DIR, Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from kiosk.ui.pin import check_pin


def test_specimen_from_the_shipped_registry_file_by_position_and_id_number(tmp_path: Path, capsys) -> None:
    people = Registry.builtin().people
    out = tmp_path / "card.png"
    # the shipped people.json itself, by position (1-based)
    assert main(["specimen", "--registry", str(BUILTIN_DIR / "people.json"), "--id", "2", "--out", str(out)]) == 0
    assert read_specimen(cv2.imread(str(out))) == people[1]
    # the folder, by ID number; the portrait on file is used
    assert main(["specimen", "--registry", str(BUILTIN_DIR), "--id", people[3].id_number, "--out", str(out)]) == 0
    assert read_specimen(cv2.imread(str(out))) == people[3]
    # --person with the whole people.json needs --id; with it, it works
    shipped = str(BUILTIN_DIR / "people.json")
    portrait = str(BUILTIN_DIR / "portraits" / "grace_hopper.jpg")
    capsys.readouterr()
    assert main(["specimen", "--person", shipped, "--portrait", portrait, "--out", str(out)]) == 2
    assert "--id" in capsys.readouterr().err
    assert main(["specimen", "--person", shipped, "--id", "1", "--portrait", portrait, "--out", str(out)]) == 0
    assert read_specimen(cv2.imread(str(out))) == people[0]


def test_specimen_list_masks_and_bad_picks_are_usage_errors(tmp_path: Path, capsys) -> None:
    people = Registry.builtin().people
    assert main(["specimen", "--list"]) == 0
    listed = capsys.readouterr().out
    assert f"{len(people)} people" in listed
    assert all(p.id_number not in listed and p.name not in listed for p in people)
    out = str(tmp_path / "x.png")
    assert main(["specimen", "--id", str(len(people) + 1), "--out", out]) == 2
    assert main(["specimen", "--id", "110101199001011234", "--out", out]) == 2
    assert main(["specimen", "--out", out]) == 2
    assert main(["specimen", "--registry", str(tmp_path), "--id", "1", "--out", out]) == 2  # no people.json
    assert "Traceback" not in capsys.readouterr().err


def test_photographed_specimen_passes_the_card_checks_and_verifies(tmp_path: Path, capsys) -> None:
    flat, photo = tmp_path / "flat.png", tmp_path / "photo.png"
    assert main(["specimen", "--id", "1", "--out", str(flat)]) == 0
    assert main(["specimen", "--id", "1", "--photo", "--out", str(photo)]) == 0
    assert cv2.imread(str(photo)).shape[:2] == (720, 1280)
    capsys.readouterr()
    assert main(["precheck", "--kind", "card", "--json", str(photo)]) == 0
    face = BUILTIN_DIR / "portraits" / "astronaut_eileen_collins.png"
    with EmulatorServer(
        registry=Registry.builtin(), port=0, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY
    ) as server:
        env = {
            **os.environ,
            "KIOSK_CREDENTIALS_SOURCE": "env",
            "TENCENTCLOUD_SECRET_ID": DEMO_SECRET_ID,
            "TENCENTCLOUD_SECRET_KEY": DEMO_SECRET_KEY,
            "HOME": str(tmp_path),
        }
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "verify",
                "--endpoint",
                server.url,
                "--no-audit",
                "--json",
                "--card",
                str(photo),
                "--face",
                str(face),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "pass"


def test_emulator_banner_says_how_to_call_it() -> None:
    with EmulatorServer(
        registry=Registry.builtin(), port=0, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY
    ) as demo:
        text = "\n".join(call_instructions(demo))
        assert DEMO_SECRET_ID in text and DEMO_SECRET_KEY in text
        assert f"--endpoint {demo.url}" in text and "kiosk verify" in text and "kiosk specimen" in text
    with EmulatorServer(
        registry=Registry.builtin(),
        port=0,
        secret_id="AKIDsiteOwnId0000000000000000000000",
        secret_key="site-own-secret-key-0000000000000",
    ) as own:
        text = "\n".join(call_instructions(own))
        assert "site-own-secret-key" not in text and DEMO_SECRET_KEY not in text
        assert "AKIDsiteOwnId" in text and "not printed" in text


def _hash_pin(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "doctor", "--hash-pin"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("stdin", ["24681357\n", "24681357\n24681357\n"])
def test_hash_pin_reads_the_pin_from_stdin(stdin: str) -> None:
    proc = _hash_pin(stdin)
    assert proc.returncode == 0, proc.stderr
    stored = proc.stdout.strip()
    assert "24681357" not in proc.stdout + proc.stderr
    assert check_pin("24681357", stored) and not check_pin("24681358", stored)


@pytest.mark.parametrize(("stdin", "says"), [("", "no PIN"), ("24681357\n24681358\n", "differ"), ("12ab\n", "refused")])
def test_hash_pin_refuses_clearly(stdin: str, says: str) -> None:
    proc = _hash_pin(stdin)
    assert proc.returncode == 2 and says in proc.stderr
    assert "Traceback" not in proc.stderr and "EOFError" not in proc.stderr
