"""Regenerate the translation files: ``python -m kiosk.ui.i18n_build [--check]``.

Note: lupdate treats a Python ``#:`` comment as a translator comment for the next ``tr()`` call,
so kiosk/ui uses plain ``#`` comments (``#:`` is reserved for notes to translators).

1. ``pyside6-lupdate`` scans ``kiosk/ui/**/*.py`` and ``kiosk/core/messages.py`` and updates
   ``resources/i18n/kiosk_<lang>.ts`` (existing translations are kept; strings no longer in the code are dropped).
2. ``pyside6-lrelease`` compiles each ``.ts`` to the ``.qm`` that ships.

Translators edit the ``.ts`` files (Qt Linguist: ``pyside6-linguist``). Both the ``.ts`` and the
``.qm`` are committed. ``--check`` regenerates into a temporary directory and exits 1 when the
committed files are stale or a string is untranslated (used by the tests and CI).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[2]
SOURCES_DIR = ROOT / "kiosk" / "ui"
I18N_DIR = ROOT / "resources" / "i18n"
#: target languages (English is the source language and needs no .qm).
TARGETS = ("zh_CN",)


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (it comes with PySide6)")
    return found


def sources() -> list[Path]:
    """Files scanned by lupdate: the UI, and the core's table of message texts."""
    ui = sorted(p for p in SOURCES_DIR.rglob("*.py") if p.name != "i18n_build.py")
    return [*ui, ROOT / "kiosk" / "core" / "messages.py"]


def update_ts(ts: Path) -> None:
    # Paths relative to ROOT so the <location> lines in the .ts do not depend on the checkout.
    files = [str(p.relative_to(ROOT)) for p in sources()]
    subprocess.run(  # noqa: S603 - fixed tool, our own file list
        [_tool("pyside6-lupdate"), *files, "-no-obsolete", "-locations", "none", "-ts", str(ts)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def release(ts: Path, qm: Path) -> None:
    subprocess.run(  # noqa: S603 - fixed tool, our own files
        [_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True
    )


def unfinished(ts: Path) -> list[str]:
    """Source strings of ``ts`` without a finished translation."""
    missing = []
    for message in ElementTree.parse(ts).getroot().iter("message"):  # noqa: S314 - our own file
        translation = message.find("translation")
        source = message.findtext("source") or ""
        if (
            translation is None
            or translation.get("type") in ("unfinished", "vanished", "obsolete")
            or (not (translation.text or "").strip() and not list(translation))
        ):
            missing.append(source)
    return missing


def build() -> None:
    for lang in TARGETS:
        ts = I18N_DIR / f"kiosk_{lang}.ts"
        update_ts(ts)
        release(ts, I18N_DIR / f"kiosk_{lang}.qm")
        for source in unfinished(ts):
            print(f"{ts.name}: untranslated: {source}")


def check() -> list[str]:
    """Problems with the committed files (empty when they are up to date and complete)."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in TARGETS:
            ts, qm = I18N_DIR / f"kiosk_{lang}.ts", I18N_DIR / f"kiosk_{lang}.qm"
            if not ts.exists() or not qm.exists():
                problems.append(f"missing {ts.name} or {qm.name}")
                continue
            fresh_ts = Path(tmp) / ts.name
            shutil.copy(ts, fresh_ts)
            update_ts(fresh_ts)
            if fresh_ts.read_text(encoding="utf-8") != ts.read_text(encoding="utf-8"):
                problems.append(f"{ts.name} is stale: run python -m kiosk.ui.i18n_build")
            problems += [f"{ts.name}: untranslated: {s}" for s in unfinished(fresh_ts)]
            fresh_qm = Path(tmp) / qm.name
            release(ts, fresh_qm)
            if fresh_qm.read_bytes() != qm.read_bytes():
                problems.append(f"{qm.name} is stale: run python -m kiosk.ui.i18n_build")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are current")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p)
        return 1 if problems else 0
    build()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
