"""The Windows installer script keeps crash dumps of the kiosk off the disk (issue 11).

The script cannot run here (no Windows); these checks read what it writes to the registry in the
install section and what the uninstaller takes back, so a refactor of the script cannot drop
them silently. ``installers/windows/compile-stub.sh`` proves the script compiles (needs nsis).
"""

from __future__ import annotations

import re
from pathlib import Path

NSI = Path(__file__).resolve().parents[2] / "installers" / "windows" / "kiosk.nsi"
WER = "SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting"


def _sections() -> tuple[str, str]:
    text = NSI.read_text(encoding="utf-8")
    assert f'!define WER_KEY "{WER}"' in text
    install = re.search(r'Section "Kiosk".*?SectionEnd', text, re.S)
    uninstall = re.search(r'Section "Uninstall".*?SectionEnd', text, re.S)
    assert install and uninstall
    return install.group(0), uninstall.group(0)


def test_install_excludes_the_kiosk_from_windows_error_reporting_and_local_dumps() -> None:
    install, _ = _sections()
    for exe in ("kioskw.exe", "kiosk.exe"):
        assert f'WriteRegDWORD HKLM "${{WER_KEY}}\\ExcludedApplications" "{exe}" 1' in install
        assert f'DeleteRegKey HKLM "${{WER_KEY}}\\LocalDumps\\{exe}"' in install


def test_uninstall_takes_the_exclusion_back() -> None:
    _, uninstall = _sections()
    for exe in ("kioskw.exe", "kiosk.exe"):
        assert f'DeleteRegValue HKLM "${{WER_KEY}}\\ExcludedApplications" "{exe}"' in uninstall
