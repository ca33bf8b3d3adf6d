"""Bad command-line options through the real ``kiosk`` command, each in its own subprocess.

From an outside review: files that are not files (a folder, a named pipe, ``/dev/zero``, a loop
of symbolic links) named by ``--face``, ``--public-key``, ``--person``; ``--out`` and
``--screenshots`` where nothing can be written; ``--endpoint ""``; ``--config`` given to the
demo; a stdout closed by its reader (``| head -1``); OpenCV's own warnings on the terminal.
Each must end in one line naming the option and what the file is, with the documented exit
code (2 for usage), quickly, in bounded memory (the address space is capped at 2 GB, so an
unbounded read fails the test instead of the machine), and with no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import EXIT_STDOUT_CLOSED
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY
from tests.support.cli_env import kiosk_env

ROOT = Path(__file__).resolve().parents[2]
POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                           reason="POSIX FIFOs and devices")
#: an option refused before any work returns well within this (Python + imports ~1 s)
QUICK_S = 15.0


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return kiosk_env(
        tmp_path / "home", drop=("OPENCV_", "PYTHONIOENCODING"),
        TENCENTCLOUD_SECRET_ID=DEMO_SECRET_ID, TENCENTCLOUD_SECRET_KEY=DEMO_SECRET_KEY,
        KIOSK_AUDIT_DIRECTORY=str(tmp_path / "audit"), KIOSK_SERVICE_CONNECT_TIMEOUT_S="1",
        KIOSK_SERVICE_READ_TIMEOUT_S="1", KIOSK_SERVICE_MAX_ATTEMPTS="1", QT_QPA_PLATFORM="offscreen", **extra,
    )


def _cap_memory() -> None:  # in the child, before exec: an unbounded read ends in MemoryError
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def kiosk(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m kiosk ARGS``; a hang (a FIFO opened for reading) fails after QUICK_S."""
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=_env(tmp_path, **env),
                         capture_output=True, text=True, timeout=QUICK_S, check=False, preexec_fn=_cap_memory)
    assert time.monotonic() - started < QUICK_S
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    return run


@pytest.fixture()
def odd(tmp_path: Path) -> dict[str, Path]:
    """Paths that exist but are not regular files."""
    folder, fifo, loop = tmp_path / "folder.jpg", tmp_path / "pipe.jpg", tmp_path / "loop.jpg"
    folder.mkdir()
    os.mkfifo(fifo)
    loop.symlink_to(loop)
    return {"folder": folder, "fifo": fifo, "zero": Path("/dev/zero"), "loop": loop}


WHAT = {"folder": "a folder", "fifo": "not a regular file (a named pipe)",
        "zero": "not a regular file (a device)", "loop": "cannot be read (a loop of symbolic links)"}


# ------------------------------------------------------------------------------------- verify
@POSIX
@pytest.mark.parametrize("kind", list(WHAT))
def test_verify_says_what_a_face_file_is(tmp_path: Path, photos: dict[str, Path], odd: dict[str, Path],
                                         kind: str) -> None:
    run = kiosk(tmp_path, "verify", "--card", str(photos["card_a"]), "--face", str(odd[kind]))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"kiosk verify: --face: {odd[kind]}: {WHAT[kind]}"


@POSIX
@pytest.mark.parametrize("kind", ["zero", "fifo"])
def test_verify_refuses_a_public_key_that_is_not_a_file(tmp_path: Path, photos: dict[str, Path],
                                                        odd: dict[str, Path], kind: str) -> None:
    """Once read with Path.read_text: /dev/zero grew to 3 GB, a FIFO hung."""
    run = kiosk(tmp_path, "verify", "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                "--encrypt", "--public-key", str(odd[kind]), "--endpoint", "http://127.0.0.1:9")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"kiosk verify: --public-key: {odd[kind]}: {WHAT[kind]}"


def test_a_public_key_file_is_read_bounded(tmp_path: Path, photos: dict[str, Path]) -> None:
    big = tmp_path / "key.pem"
    big.write_bytes(b"-----BEGIN PUBLIC KEY-----\n" + b"A" * 200_000)
    for args, env in (((("--public-key", str(big))), {}), ((), {"KIOSK_SERVICE_PUBLIC_KEY_FILE": str(big)})):
        run = kiosk(tmp_path, "verify", "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                    "--encrypt", *args, "--endpoint", "http://127.0.0.1:9", **env)
        label = "--public-key" if args else "service.public_key_file"
        assert run.returncode == 2 and run.stdout == ""
        assert run.stderr.strip() == f"kiosk verify: config: {label}: {big}: larger than 65536 bytes"
    # doctor reports it in its service check (it once let the read's error end the report)
    run = kiosk(tmp_path, "doctor", "--json", "--cameras", "0", "--endpoint", "http://127.0.0.1:9",
                KIOSK_SERVICE_PUBLIC_KEY_FILE=str(big))
    service = next(c for c in json.loads(run.stdout)["checks"] if c["name"] == "service")
    assert run.returncode == 1 and service["ok"] is False and "larger than 65536 bytes" in service["detail"]


def test_an_empty_endpoint_is_a_usage_error_not_the_real_service(tmp_path: Path, photos: dict[str, Path]) -> None:
    run = kiosk(tmp_path, "verify", "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                "--endpoint", "")
    assert run.returncode == 2 and run.stdout == "" and not (tmp_path / "audit").exists()
    assert "argument --endpoint: must not be empty" in run.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--config", "", "precheck", "--kind", "face", "x.jpg"), "--config"),  # was: the default file
        (("doctor", "--endpoint", ""), "--endpoint"),
        (("specimen", "--id", "1", "--out", ""), "--out"),
        (("demo", "--autopilot", "--screenshots", ""), "--screenshots"),  # was: the current folder
    ],
)
def test_empty_values_are_usage_errors(tmp_path: Path, args: tuple[str, ...], option: str) -> None:
    run = kiosk(tmp_path, *args)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines()[-1].endswith(f"argument {option}: must not be empty "
                                                "(leave the option out for the default)")


@POSIX
def test_doctor_says_what_a_ca_bundle_is(tmp_path: Path, odd: dict[str, Path]) -> None:
    run = kiosk(tmp_path, "doctor", "--json", "--cameras", "0", "--ca-bundle", str(odd["fifo"]))
    service = next(c for c in json.loads(run.stdout)["checks"] if c["name"] == "service")
    assert run.returncode == 1
    assert service["detail"] == f"--ca-bundle: {odd['fifo']}: not a regular file (a named pipe)"


# ----------------------------------------------------------------------------------- specimen
@POSIX
@pytest.mark.parametrize("kind", ["zero", "fifo", "folder"])
def test_specimen_refuses_a_person_file_that_is_not_a_file(tmp_path: Path, odd: dict[str, Path],
                                                           kind: str) -> None:
    """Once read whole: /dev/zero took 3.4 GB, a FIFO hung."""
    out = tmp_path / "card.png"
    run = kiosk(tmp_path, "specimen", "--person", str(odd[kind]), "--portrait", str(odd[kind]), "--out", str(out))
    assert run.returncode == 2 and not out.exists()
    assert run.stderr.strip() == f"kiosk specimen: --person: {odd[kind]}: {WHAT[kind]}"


def test_specimen_reads_a_person_file_bounded(tmp_path: Path) -> None:
    person = tmp_path / "person.json"
    entry = Registry.builtin().people[0].to_dict()
    person.write_text(json.dumps([entry] * 20_000, ensure_ascii=False), encoding="utf-8")  # ~4 MB
    run = kiosk(tmp_path, "specimen", "--person", str(person), "--portrait", str(person), "--out",
                str(tmp_path / "card.png"))
    assert run.returncode == 2
    assert run.stderr.strip() == f"kiosk specimen: --person: {person}: larger than 1000000 bytes"


@pytest.mark.parametrize(
    ("out", "what"),
    [
        ("/dev/null", "no image format for that name (end it in .png or .jpg)"),
        ("{tmp}/card.txt", "no image format for that name (end it in .png or .jpg)"),
        ("{tmp}/shots.png", "a folder"),
        ("{tmp}/absent/card.png", "no folder {tmp}/absent"),
    ],
)
def test_specimen_checks_out_before_rendering(tmp_path: Path, out: str, what: str) -> None:
    """``--out /dev/null`` once printed OpenCV's own error as an internal error."""
    (tmp_path / "shots.png").mkdir()
    target = out.format(tmp=tmp_path)
    run = kiosk(tmp_path, "specimen", "--id", "1", "--out", target)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"kiosk specimen: cannot write {target}: {what.format(tmp=tmp_path)}"


# --------------------------------------------------------------------------------------- demo
@pytest.mark.parametrize(
    ("folder", "what"),
    [("/dev/null", "not a folder"), ("/proc/kiosk-nope", "cannot create the folder")],
)
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="Linux /proc")
def test_demo_checks_screenshots_before_starting_qt(tmp_path: Path, folder: str, what: str) -> None:
    started = time.monotonic()
    run = kiosk(tmp_path, "demo", "--autopilot", "--sessions", "0", "--screenshots", folder)
    assert run.returncode == 2 and run.stdout == "", run.stdout  # no "face matcher": Qt never started
    assert run.stderr.strip().startswith(f"kiosk demo: --screenshots {folder}: {what}")
    assert time.monotonic() - started < 3.0  # the emulator and the window took 4 s before


def test_demo_refuses_a_config_it_would_ignore(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("this is = not toml [\n", encoding="utf-8")
    run = kiosk(tmp_path, "--config", str(cfg), "demo", "--autopilot", "--sessions", "0")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("kiosk demo: --config is not used by the demo") and "selftest" in run.stderr


# ------------------------------------------------------------------------------ closed stdout
@pytest.mark.parametrize(
    "args",
    [
        ("precheck", "--kind", "face", "{face}", "{face}"),
        ("verify", "--card", "{card}", "{face}", "--endpoint", "http://127.0.0.1:9"),
        ("specimen", "--list"),
        ("doctor", "--cameras", "0", "--no-network"),
        ("demo", "--autopilot", "--fast", "--sessions", "1", "--scenario", "pass"),
    ],
    ids=lambda a: a[0],
)
def test_a_closed_stdout_is_a_quiet_exit(tmp_path: Path, photos: dict[str, Path], args: tuple[str, ...]) -> None:
    """``kiosk precheck ... | head -1`` once ended in "internal error: BrokenPipeError" (exit 2)."""
    argv = [a.format(face=photos["face_a"], card=photos["card_a"]) for a in args]
    if argv[0] == "verify":
        argv.insert(3, "--face")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", *argv], cwd=ROOT, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the first line, as `| head -0`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_STDOUT_CLOSED, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "internal error" not in err, err


# ----------------------------------------------------------------------------- OpenCV's warnings
def test_opencv_warnings_stay_off_the_terminal(tmp_path: Path) -> None:
    img = np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(cv2.imencode(".png", img)[1].tobytes()[:3000])  # cut inside the pixel data
    run = kiosk(tmp_path, "precheck", "--kind", "face", str(truncated), str(tmp_path / "absent.jpg"))
    assert run.returncode == 1
    assert [json.loads(line)["problems"] for line in run.stdout.splitlines()] == [["unreadable_image"]] * 2
    # libpng's own "libpng error: ..." line is the C library writing to fd 2 (not OpenCV's log)
    assert "[ WARN" not in run.stderr and "grfmt_png" not in run.stderr, run.stderr
    # a technician's own OPENCV_LOG_LEVEL wins: the same file does warn then (the case is real)
    loud = kiosk(tmp_path, "precheck", "--kind", "face", str(truncated), OPENCV_LOG_LEVEL="WARNING")
    assert "[ WARN" in loud.stderr
