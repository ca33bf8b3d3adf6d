"""Flood a fresh ``kiosk emulator`` with hostile connections and print its peak memory and threads.

    .venv/bin/python -m tools.emulator_flood [--connections 100] [--header-mb 6] [--parallel 1000]

1. ``--connections`` clients each send ``POST / HTTP/1.1`` and then up to ``--header-mb`` MB of
   header lines that never end (the emulator must answer at its header cap and close);
2. ``--parallel`` clients connect at the same moment (the listen backlog must hold them).

Reads ``VmHWM`` (peak resident memory) and ``Threads`` of the emulator from ``/proc`` (Linux).
Loopback only; the emulator is started and stopped by this tool.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable


def _status(pid: int) -> str:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        fields = dict(line.split(":", 1) for line in fh if line.startswith(("VmHWM", "Threads")))
    return f"peak RSS {int(fields['VmHWM'].split()[0]) // 1024} MB, {fields['Threads'].strip()} threads"


def _in_parallel(target: Callable[[], None], count: int) -> float:
    """Run ``target`` in ``count`` threads at once; the seconds until all have finished."""
    start = time.monotonic()
    workers = [threading.Thread(target=target) for _ in range(count)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--header-mb", type=float, default=6.0)
    parser.add_argument("--parallel", type=int, default=1000)
    args = parser.parse_args(argv)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "emulator", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(re.search(r":(\d+)", proc.stdout.readline()).group(1))  # type: ignore[union-attr]
        print(f"emulator on port {port}: {_status(proc.pid)}")
        lines = int(args.header_mb * 1_000_000 / 1010)

        def flood() -> None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    s.sendall(b"POST / HTTP/1.1\r\n")
                    for _ in range(lines):
                        s.sendall(b"X-Junk: " + b"j" * 1000 + b"\r\n")
            except OSError:
                pass  # the emulator answered at its cap and closed

        took = _in_parallel(flood, args.connections)
        print(f"{args.connections} x {args.header_mb:g} MB of unfinished headers in "
              f"{took:.1f} s: {_status(proc.pid)}")
        ok = [0]

        def connect() -> None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                ok[0] += 1
            except OSError:
                pass

        took = _in_parallel(connect, args.parallel)
        print(f"{args.parallel} parallel connects: {ok[0]} accepted in {took:.1f} s: "
              f"{_status(proc.pid)}")
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
