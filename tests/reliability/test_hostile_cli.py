"""The hostile-input suite through the real ``kiosk`` commands, each in its own subprocess.

Every case asserts a clear verdict or exit code, no traceback, no raw control character on the
terminal, the PEAK memory of the command (``RUSAGE_CHILDREN.ru_maxrss`` read by a fresh wrapper
process after waiting for it: at most 800 MB for any image, 600 MB for any answer) and, for the
service cases, a verdict within connect + read timeout + 2 s (the verdict's own ``total``).

Cases: image bombs (a 629-byte JPEG and a 3 MB PNG, both claiming 30000x30000; a WebP and a TIFF
claiming 16383 and 60000 square) through ``kiosk precheck``, ``kiosk verify`` and ``kiosk
specimen``; WebP and TIFF photographs (under a .jpg name) checked like their JPEG; a hostile service on 127.0.0.1 (huge
body, gzip bomb, status-line drip, escape sequences, nested JSON, far-future Date, huge
RequestId); a full disk for the audit (``/dev/full``); an ASCII and a cp1252 stdout.
The core-dump case is test_hostile_coredump.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.textsafe import escape
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.support.bombs import (
    jpeg_bomb,
    jpeg_hidden_frame,
    jpeg_scan_bomb,
    png_bomb,
    tiff_bomb,
    tiff_tile_bomb,
    webp_bomb,
)
from tests.support.cli_env import kiosk_env
from tests.support.hostile_service import HostileService

ROOT = Path(__file__).resolve().parents[2]
CONNECT_S, READ_S = 1.0, 2.0
VERDICT_BUDGET_S = CONNECT_S + READ_S + 2.0
IMAGE_PEAK_MB, ANSWER_PEAK_MB = 800, 600
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage (POSIX)")

_WRAPPER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    stats_file, argv = sys.argv[1], sys.argv[2:]
    rc = subprocess.run(argv).returncode
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
    with open(stats_file, "w") as fh:
        json.dump({"rc": rc, "peak_mb": peak_kb / 1024}, fh)
    """
)


@dataclass
class Run:
    rc: int
    peak_mb: float
    stdout: str
    stderr: str

    def verdict(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def kiosk(tmp_path: Path, *args: str, encoding: str | None = None, **env: str) -> Run:
    """``python -m kiosk ARGS`` in a clean environment; peak memory measured around it."""
    base = kiosk_env(tmp_path / "home", drop=("PYTHONIOENCODING",),
                     TENCENTCLOUD_SECRET_ID=DEMO_SECRET_ID, TENCENTCLOUD_SECRET_KEY=DEMO_SECRET_KEY,
                     KIOSK_SERVICE_CONNECT_TIMEOUT_S=str(CONNECT_S), KIOSK_SERVICE_READ_TIMEOUT_S=str(READ_S),
                     KIOSK_SERVICE_MAX_ATTEMPTS="1", KIOSK_AUDIT_DIRECTORY=str(tmp_path / "audit"))
    base.update(env)
    if encoding:
        base["PYTHONIOENCODING"] = encoding
    stats = tmp_path / f"stats-{os.getpid()}-{len(list(tmp_path.iterdir()))}.json"
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(stats), sys.executable, "-m", "kiosk", *args],
                          cwd=ROOT, env=base, capture_output=True, timeout=300, check=False)
    data = json.loads(stats.read_text())
    out = done.stdout.decode(encoding or "utf-8")
    err = done.stderr.decode(encoding or "utf-8", errors="backslashreplace")
    print(f"FIGURE kiosk {' '.join(a for a in args if not a.startswith('/'))}: exit {data['rc']}, "
          f"peak {data['peak_mb']:.0f} MB", flush=True)  # `pytest -s` shows the figures
    return Run(int(data["rc"]), float(data["peak_mb"]), out, err)


def clean_terminal(run: Run) -> None:
    """No traceback, no Python last-resort or logging-error output, no raw control character."""
    both = run.stdout + run.stderr
    assert "Traceback" not in both and "Logging error" not in both and "internal error" not in both, run.stderr
    bad = [ch for ch in both if (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0
           or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
    assert not bad, f"raw control characters on the terminal: {bad[:5]!r}"


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    (folder / "bomb.jpg").write_bytes(jpeg_bomb())
    (folder / "bomb.png").write_bytes(png_bomb())
    (folder / "bomb.webp").write_bytes(webp_bomb())
    (folder / "bomb.tif").write_bytes(tiff_bomb())
    (folder / "scans.jpg").write_bytes(jpeg_scan_bomb(20_000, side=6000))  # 200 KB: minutes of CPU
    (folder / "hidden.jpg").write_bytes(jpeg_hidden_frame(jpeg_bomb()))  # 30000x30000 behind FF 00
    (folder / "tiled.tif").write_bytes(tiff_tile_bomb(16000))  # 1x1 in a 16000x16000 tile
    return {"jpeg": folder / "bomb.jpg", "png": folder / "bomb.png", "webp": folder / "bomb.webp",
            "tiff": folder / "bomb.tif", "scans": folder / "scans.jpg", "hidden": folder / "hidden.jpg",
            "tiled": folder / "tiled.tif"}


# ----------------------------------------------------------------------------------- images
@pytest.mark.parametrize("kind", ["jpeg", "png", "webp", "tiff", "hidden", "tiled"])
def test_bomb_through_precheck(tmp_path: Path, bombs: dict[str, Path], kind: str) -> None:
    assert bombs["jpeg"].stat().st_size == 629
    run = kiosk(tmp_path, "precheck", "--kind", "card", str(bombs[kind]))
    clean_terminal(run)
    line = json.loads(run.stdout)
    assert run.rc == 1 and line["problems"] == ["unreadable_image"] and line["detail"] == "too_many_pixels"
    assert run.peak_mb < IMAGE_PEAK_MB, run.peak_mb


def test_scan_bomb_through_precheck_is_refused_in_bounded_time(tmp_path: Path, bombs: dict[str, Path]) -> None:
    """20,000 empty progressive scans over a 6000x6000 frame: minutes of libjpeg CPU before."""
    start = time.perf_counter()
    run = kiosk(tmp_path, "precheck", "--kind", "face", str(bombs["scans"]))
    clean_terminal(run)
    line = json.loads(run.stdout)
    assert run.rc == 1 and line["problems"] == ["unreadable_image"] and line["detail"] == "corrupt"
    assert time.perf_counter() - start < 30 and run.peak_mb < IMAGE_PEAK_MB


def test_webp_and_tiff_photographs_are_checked_like_their_jpeg(tmp_path: Path, photos: dict[str, Path]) -> None:
    """Photographs saved from the web are often WebP under a .jpg name, scanners write TIFF:
    ``kiosk precheck`` reads them (they are re-encoded as JPEG before any upload)."""
    import cv2

    face = cv2.imread(str(photos["face_a"]))
    card = cv2.imread(str(photos["card_a"]))
    files = []
    for name, img, ext in (("face-webp", face, ".webp"), ("face-tiff", face, ".tiff"), ("card-tiff", card, ".tiff")):
        ok, buf = cv2.imencode(ext, img, [cv2.IMWRITE_WEBP_QUALITY, 95] if ext == ".webp" else [])
        assert ok
        files.append(tmp_path / f"{name}.jpg")
        files[-1].write_bytes(buf.tobytes())
    for kind, paths in (("face", [photos["face_a"], *files[:2]]), ("card", [photos["card_a"], files[2]])):
        run = kiosk(tmp_path, "precheck", "--kind", kind, *map(str, paths))
        clean_terminal(run)
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        assert run.rc == 0 and [line["ok"] for line in lines] == [True] * len(paths), run.stdout


@pytest.mark.parametrize(("kind", "side"), [("jpeg", "card"), ("png", "face")])
def test_bomb_through_verify_sends_nothing(tmp_path: Path, bombs: dict[str, Path], photos: dict[str, Path],
                                           kind: str, side: str) -> None:
    card = bombs[kind] if side == "card" else photos["card_a"]
    face = bombs[kind] if side == "face" else photos["face_a"]
    run = kiosk(tmp_path, "verify", "--json", "--card", str(card), "--face", str(face),
                KIOSK_SERVICE_ENDPOINT="http://127.0.0.1:9")
    clean_terminal(run)
    verdict = run.verdict()
    assert run.rc == 1 and verdict["verdict"] == f"retake_{side}"
    assert verdict["reason_code"] == "precheck.unreadable_image" and verdict["billed_calls"] == 0
    assert run.peak_mb < IMAGE_PEAK_MB, run.peak_mb


@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_bomb_through_specimen(tmp_path: Path, bombs: dict[str, Path], kind: str) -> None:
    person = tmp_path / "person.json"
    person.write_text(json.dumps(Registry.builtin().people[0].to_dict(), ensure_ascii=False), encoding="utf-8")
    run = kiosk(tmp_path, "specimen", "--person", str(person), "--portrait", str(bombs[kind]),
                "--out", str(tmp_path / "card.png"))
    clean_terminal(run)
    assert run.rc == 2 and "cannot read --portrait" in run.stderr and "too_many_pixels" in run.stderr
    assert not (tmp_path / "card.png").exists()
    assert run.peak_mb < IMAGE_PEAK_MB, run.peak_mb


# ---------------------------------------------------------------------------- hostile service
@pytest.mark.parametrize(
    ("behaviour", "outcome", "reason"),
    [
        ("huge_body", "unavailable", "ServerNetworkError"),
        ("gzip_bomb", "unavailable", "ServerNetworkError"),
        ("drip_status", "unavailable", "OutcomeUnknown"),  # sent, no complete answer in time
        ("escapes", "unavailable", None),
        ("nested", "unavailable", "MalformedResponse"),
        ("date_9999", "retake_card", "card_id_invalid"),  # a Success without an ID number
        ("huge_request_id", "retake_card", "card_id_invalid"),
    ],
)
def test_hostile_service_through_verify(tmp_path: Path, photos: dict[str, Path], behaviour: str,
                                        outcome: str, reason: str | None) -> None:
    with HostileService([behaviour], drip_s=0.2) as svc:
        run = kiosk(tmp_path, "verify", "--json", "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                    KIOSK_SERVICE_ENDPOINT=svc.url)
    clean_terminal(run)
    verdict = run.verdict()
    assert verdict["verdict"] == outcome, verdict
    if reason:
        assert verdict["reason_code"].startswith(reason), verdict
    assert run.rc == 1
    print(f"FIGURE {behaviour}: verdict {verdict['verdict']}/{escape(verdict['reason_code'], 40)} after "
          f"{verdict['timings_ms']['total'] / 1000:.2f} s (budget {VERDICT_BUDGET_S:.0f} s)", flush=True)
    assert verdict["timings_ms"]["total"] / 1000 < VERDICT_BUDGET_S, verdict["timings_ms"]
    assert run.peak_mb < ANSWER_PEAK_MB, run.peak_mb
    assert all(len(rid) < 200 for rid in verdict["request_ids"])
    records = [json.loads(x) for x in (tmp_path / "audit" / "audit.jsonl").read_text().splitlines() if x]
    calls = [r for r in records if r["kind"] == "call"]
    assert len(calls) == 1, "every call that may have been billed has its audit record"
    assert all(len(json.dumps(r)) < 2000 for r in records)
    if behaviour == "escapes":
        assert "\\u001b[2J" in run.stdout  # shown, escaped, as data


def test_the_default_verify_output_is_indented_json_with_hostile_text_escaped(tmp_path: Path,
                                                                             photos: dict[str, Path]) -> None:
    """Without --json the verdict is indented JSON a reader can parse; the service's escape
    sequences and bidi characters in it stay ``\\u`` escapes."""
    with HostileService(["escapes"]) as svc:
        run = kiosk(tmp_path, "verify", "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                    KIOSK_SERVICE_ENDPOINT=svc.url)
    clean_terminal(run)
    verdict = run.verdict()
    assert run.rc == 1 and verdict["verdict"] == "unavailable" and "\x1b[2J" in verdict["reason_code"]
    assert run.stdout.startswith('{\n  "verdict": "unavailable",\n')
    assert "\\u001b[2J" in run.stdout and "\\u202e" in run.stdout


# ------------------------------------------------------------------------ full disk, encodings
@pytest.fixture(scope="module")
def emulator() -> Any:
    with EmulatorServer(registry=Registry.builtin()) as emu:
        yield emu


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_for_the_audit_still_prints_the_verdict(tmp_path: Path, photos: dict[str, Path],
                                                             emulator: EmulatorServer) -> None:
    audit = tmp_path / "full-audit"
    audit.mkdir()
    (audit / "audit.jsonl").symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    run = kiosk(tmp_path, "verify", "--json", "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                KIOSK_SERVICE_ENDPOINT=emulator.url, KIOSK_AUDIT_DIRECTORY=str(audit))
    clean_terminal(run)
    verdict = run.verdict()
    assert verdict["verdict"] == "pass" and verdict["audit"] == "failed"
    assert run.rc == 3 and "audit trail could not be written" in run.stderr and "No space left" in run.stderr
    doctor = kiosk(tmp_path, "doctor", "--json", "--no-network", "--cameras", "0", KIOSK_AUDIT_DIRECTORY=str(audit))
    check = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "audit")
    assert check["ok"] is False and "cannot be written" in check["detail"]


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_passed_verdict_prints_on_a_non_utf8_console(tmp_path: Path, photos: dict[str, Path],
                                                       emulator: EmulatorServer, encoding: str) -> None:
    for pretty in ((), ("--json",)):
        run = kiosk(tmp_path, "verify", *pretty, "--card", str(photos["card_a"]), "--face", str(photos["face_a"]),
                    encoding=encoding, KIOSK_SERVICE_ENDPOINT=emulator.url)
        clean_terminal(run)
        verdict = run.verdict()
        assert run.rc == 0 and verdict["verdict"] == "pass" and verdict["billed_calls"] == 2
        assert verdict["masked_name"]  # non-ASCII name, printed as JSON \\u escapes
