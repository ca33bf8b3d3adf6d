"""Rules of the Linux package that hold without building it (issue 12).

* ``Depends:``/``Recommends:`` in build-deb.sh name only packages that every stock Debian 12
  desktop has (installers/linux/stock-desktop-libs.txt, the GNOME/XFCE/KDE intersection made by
  make-stock-root.sh), never the xcb helper libraries a stock GNOME or XFCE lacks;
* bundle_tools.py finds what an ELF file needs from outside the bundle from its DT_NEEDED
  entries (a real ELF: this interpreter's executable);
* the systemd unit does not restart a kiosk that refused its audit trail (exit 78) and allows
  no core dumps; the menu entry goes through kiosk-session --menu.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.script_module import load_script

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installers" / "linux"


@pytest.fixture(scope="module")
def tools():
    return load_script("kiosk_bundle_tools", LINUX / "bundle_tools.py")


def _declared(tools) -> set[str]:
    script = (LINUX / "build-deb.sh").read_text(encoding="utf-8")
    out: set[str] = set()
    for var in ("depends", "recommends"):
        m = re.search(rf'^{var}="([^"]*)"', script, re.MULTILINE | re.DOTALL)
        assert m, f"no {var}= in build-deb.sh"
        out |= tools.parse_depends(m.group(1).replace("\\\n", " "))
    return out


def test_depends_only_what_every_stock_desktop_has(tools) -> None:
    stock = {
        line.strip()
        for line in (LINUX / "stock-desktop-libs.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"libc6", "libxcb1", "libssl3"} <= stock
    # the packages the issue found missing on stock GNOME/XFCE are not on the common list
    assert not {"libxcb-cursor0", "libxcb-icccm4", "libxcb-xinerama0"} & stock
    declared = _declared(tools)
    assert {"libc6", "libgl1", "libssl3"} <= declared
    assert declared <= stock, sorted(declared - stock)


def test_parse_depends_handles_versions_and_alternatives(tools) -> None:
    assert tools.parse_depends("libc6 (>= 2.36), libfoo1 | libfoo2, bar") == {"libc6", "libfoo1", "bar"}


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("readelf") is None, reason="Linux + binutils")
def test_needed_from_system_reads_dt_needed(tools, tmp_path: Path) -> None:
    exe = Path(sys.executable).resolve()
    if exe.read_bytes()[:4] != b"\x7fELF":
        pytest.skip("the interpreter is not an ELF file")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy2(exe, bundle / "python")
    needed = tools.needed_from_system(bundle)
    assert "libc.so.6" in needed and needed["libc.so.6"] == ["python"]
    (bundle / "libc.so.6").write_bytes(b"not really")  # now the bundle "holds" it
    assert "libc.so.6" not in tools.needed_from_system(bundle)


def test_unit_and_supervisor_do_not_loop_on_exit_78_and_allow_no_core_dumps() -> None:
    unit = (LINUX / "files" / "idv-kiosk.service").read_text(encoding="utf-8")
    assert re.search(r"^RestartPreventExitStatus=0 78$", unit, re.MULTILINE)
    assert re.search(r"^LimitCORE=0$", unit, re.MULTILINE)
    supervise = (LINUX / "files" / "kiosk-supervise").read_text(encoding="utf-8")
    assert '"$status" = 78' in supervise and "ulimit -c 0" in supervise
    desktop = (LINUX / "files" / "idv-kiosk.desktop").read_text(encoding="utf-8")
    assert "Exec=/usr/lib/idv-kiosk/kiosk-session --menu" in desktop
    from kiosk.commands.run import EXIT_AUDIT_UNWRITABLE

    assert EXIT_AUDIT_UNWRITABLE == 78
