"""Cold and warm start of the bundle: ``kiosk --help`` and the demo's welcome screen.

"Cold" = the bundle's own files evicted from the page cache first (posix_fadvise DONTNEED on
each file: nothing else on the machine is touched), as after a reboot. System libraries stay
cached. Usage (Linux):

    python3 installers/linux/measure-startup.py [BUNDLE_DIR]   (default installers/dist/kiosk)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def evict(folder: Path) -> int:
    count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(fd)
    return count


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300, check=False)  # noqa: S603
    return time.perf_counter() - t0, out.stdout + out.stderr


def main() -> int:
    bundle = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "dist" / "kiosk")
    exe = str(bundle / "kiosk")
    tmp = tempfile.mkdtemp(prefix="kiosk-measure-")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=tmp)
    demo = [exe, "demo", "--autopilot", "--sessions", "1", "--fast"]
    for label in ("cold", "warm"):
        if label == "cold":
            print(f"evicted {evict(bundle)} files of {bundle} from the page cache")
        help_s, _ = timed([exe, "--help"], env)
        if label == "cold":
            evict(bundle)
        demo_s, text = timed(demo, env)
        match = re.search(r"welcome screen after ([0-9.]+) s", text)
        welcome = match.group(1) if match else "?"
        print(
            f"{label}: kiosk --help {help_s:.2f} s; demo: welcome screen after {welcome} s "
            f"(process start to first paint), whole 1-session demo {demo_s:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
