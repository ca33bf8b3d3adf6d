"""Architecture rules: the core and the emulator never import Qt.

Two independent checks: import-linter's static contract (pyproject.toml), and a run-time check
that importing every module of ``kiosk.core`` and ``kiosk.emulator`` in a fresh interpreter
loads no Qt binding.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contract_holds() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency"
    result = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_core_and_emulator_load_no_qt_at_run_time() -> None:
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import kiosk.core, kiosk.emulator
        names = []
        for pkg in (kiosk.core, kiosk.emulator):
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(info.name)
                names.append(info.name)
        qt = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"})
        print(len(names), qt)
        assert not qt, qt
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
