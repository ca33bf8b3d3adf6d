"""The test suite needs nothing outside the repository.

A fresh clone in an empty folder must pass (``.ci/run`` proves it). So no file under ``tests/``
may name the reference folder beside the developers' checkouts, a developer's home or work
directory, or climb out of the repository with ``Path(__file__).parents[N]``; and every file in
``tests/assets/`` is listed in its MANIFEST.md with source, licence and a matching sha256.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "tests" / "assets"
#: tests/assets stays small: copy only what a test reads, prefer generated images
ASSETS_BUDGET_BYTES = 5_000_000

# Written so that this file does not match itself.
FORBIDDEN = [
    (re.compile(r"\.\.[/\\]+shared\b"), "the reference folder beside the checkout"),
    (re.compile(r"""(?:/|\bparent\b\s*/?\s*)\s*["']shared["']"""), "a 'shared' folder joined onto a path"),
    (re.compile(r"""["']\.\.["']\s*,\s*["']shared["']"""), "the reference folder beside the checkout"),
    (re.compile(r"(?<![\w.])/(?:work|root|home|Users)/"), "an absolute path on a developer's machine"),
    (re.compile(r"\b[A-Za-z]:[\\/]+(?:Users|Documents and Settings)\b"), "a Windows home path"),
    (re.compile(r"\b(?:REPO|ROOT)\.parent\b"), "the folder above the repository"),
]
PARENTS = re.compile(r"Path\(__file__\)\.resolve\(\)\.parents\[(\d+)\]")


def files_under_tests(root: Path) -> list[Path]:
    """Files under ``root/tests`` as git sees them (tracked plus untracked, minus ignored).

    Falls back to walking the folder when ``root`` is not a git checkout (an unpacked archive).
    """
    git = shutil.which("git")
    if git and (root / ".git").exists():
        out = subprocess.run(
            [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "tests"],
            cwd=root, capture_output=True, check=True, timeout=30,
        ).stdout
        return sorted(root / name for name in out.decode().split("\0") if name and (root / name).is_file())
    skip = {"__pycache__", ".hypothesis", ".pytest_cache"}
    return sorted(p for p in (root / "tests").rglob("*") if p.is_file() and not skip & set(p.parts))


def findings(root: Path, path: Path) -> list[str]:
    """``path:line: why`` for every line of a text file that reaches outside the repository."""
    data = path.read_bytes()
    if b"\0" in data:
        return []  # a photograph
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    rel = path.relative_to(root)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for pattern, why in FORBIDDEN:
            if pattern.search(line):
                out.append(f"{rel}:{number}: {why}: {line.strip()}")
        for m in PARENTS.finditer(line):
            # parents[len(parts) - 1] is the repository root; anything higher is outside it
            if int(m.group(1)) >= len(rel.parts):
                out.append(f"{rel}:{number}: Path(__file__).parents[{m.group(1)}] leaves the repository")
    return out


def scan(root: Path) -> list[str]:
    return [f for path in files_under_tests(root) for f in findings(root, path)]


def test_no_test_reaches_outside_the_repository() -> None:
    files = files_under_tests(ROOT)
    assert Path(__file__).resolve() in files  # the listing is real: it sees this file
    assert scan(ROOT) == []


# The guard itself must be able to fail: each of these lines is flagged. They are assembled from
# pieces so that this file stays clean.
BAD_LINES = [
    'FACES = "' + "/wo" + 'rk/shared/assets/faces"',
    "EXAMPLES = Path('" + ".." + "/shared/docs/x.json')",
    "ASSETS = REPO" + '.parent / "assets"',
    'ASSETS = HERE / "' + "sha" + 'red" / "assets"',
    'ASSETS = Path("..", "' + "sha" + 'red")',
    "p = Path(__file__).resolve().parents" + '[3] / "assets"',
    'open("' + "/ho" + 'me/dev/photo.jpg")',
    'open("' + "/ro" + 'ot/photo.jpg")',
    'p = r"' + "C:" + '\\Users\\dev\\face.jpg"',
]
GOOD_LINES = [
    "from tests.emulator.fixtures import shared_matcher",
    '"""Fixtures shared with the integration tests."""',
    'ROOT = Path(__file__).resolve().parents[1] / "kiosk"',
    'subprocess.run(["/usr/bin/env"])',
    'path = "/x/../.."',
]


@pytest.mark.parametrize("line", BAD_LINES)
def test_the_guard_flags_paths_outside_the_repository(tmp_path: Path, line: str) -> None:
    (tmp_path / "tests").mkdir()
    bad = tmp_path / "tests" / "test_bad.py"
    bad.write_text(f"import x\n{line}\n", encoding="utf-8")
    assert findings(tmp_path, bad) != [], line
    assert findings(tmp_path, bad)[0].startswith("tests/test_bad.py:2: ")


@pytest.mark.parametrize("line", GOOD_LINES)
def test_the_guard_leaves_ordinary_lines_alone(tmp_path: Path, line: str) -> None:
    (tmp_path / "tests").mkdir()
    ok = tmp_path / "tests" / "test_ok.py"
    ok.write_text(line + "\n", encoding="utf-8")
    assert findings(tmp_path, ok) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_guard_sees_a_new_untracked_file_in_a_checkout(tmp_path: Path) -> None:
    """End to end through ``git ls-files``: a file nobody has committed yet is scanned too."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=30)
    (tmp_path / "tests" / "emulator").mkdir(parents=True)
    (tmp_path / "tests" / "emulator" / "helpers.py").write_text(BAD_LINES[0] + "\n", encoding="utf-8")
    (tmp_path / "tests" / "test_fine.py").write_text(GOOD_LINES[0] + "\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    assert [p.name for p in files_under_tests(tmp_path)] == ["helpers.py", "test_fine.py"]
    assert len(scan(tmp_path)) == 1 and scan(tmp_path)[0].startswith("tests/emulator/helpers.py:1: ")


# ------------------------------------------------------------------------------ tests/assets


def _manifest_rows() -> dict[str, str]:
    """``relative path -> table row`` for every backticked first-column entry in MANIFEST.md."""
    rows = {}
    for line in (ASSETS / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if m:
            rows[m.group(1)] = line
    return rows


def test_every_asset_is_in_the_manifest_with_its_sha256() -> None:
    rows = _manifest_rows()
    files = [p for p in files_under_tests(ROOT) if ASSETS in p.parents and p.name != "MANIFEST.md"]
    assert files, "tests/assets is empty"
    for path in files:
        rel = path.relative_to(ASSETS).as_posix()
        assert rel in rows, f"tests/assets/{rel} has no row in tests/assets/MANIFEST.md"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        hashes = re.findall(r"\b[0-9a-f]{64}\b", rows[rel])
        assert hashes == [digest], f"tests/assets/{rel}: sha256 in MANIFEST.md {hashes} != {digest}"
    listed = {rel for rel in rows if not (ASSETS / rel).is_file()}
    assert listed == set(), f"MANIFEST.md lists files that are not there: {sorted(listed)}"


def test_the_assets_stay_small() -> None:
    total = sum(p.stat().st_size for p in files_under_tests(ROOT) if ASSETS in p.parents)
    assert total <= ASSETS_BUDGET_BYTES, f"tests/assets holds {total:,} bytes (budget {ASSETS_BUDGET_BYTES:,})"


def test_eval_prechecks_says_when_its_photo_set_is_absent(tmp_path: Path) -> None:
    """Tools may read the reference folder beside the checkout; without it they say so, no traceback."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "eval_prechecks.py"), "--assets", str(tmp_path / "absent")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "no photo set at" in proc.stderr and "--assets DIR" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
