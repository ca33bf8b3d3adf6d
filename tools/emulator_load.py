"""Load a fresh ``kiosk emulator`` the way a hostile or careless client would, and print what it
costs the emulator (peak memory) and a good client (answer time): the figures of
docs/security.md ("Emulator") and docs/reliability.md.

    .venv/bin/python -m tools.emulator_load photos [--count 8] [--action CheckIdCardInformation]
    .venv/bin/python -m tools.emulator_load idle [--count 64]
    .venv/bin/python -m tools.emulator_load slow [--count 70] [--period 5] [--seconds 20] [--reconnect]
    .venv/bin/python -m tools.emulator_load sigterm [--count 100]

* ``photos``: ``--count`` parallel signed requests, each with a valid 6300 x 6300 JPEG (40 MP,
  ~630 KB, inside the documented limits); the emulator's peak RSS (``VmHWM``), answer times, codes;
* ``idle``: ``--count`` connections that send nothing, then the time of a good request;
* ``slow``: ``--count`` connections sending one header byte every ``--period`` s (slowloris; with
  ``--reconnect`` each is reopened when the emulator closes it) for ``--seconds``, and the times
  of good requests meanwhile;
* ``sigterm``: ``--count`` slow connections, then SIGTERM: seconds until the emulator has exited.

A good request is a signed ``ImageRecognitionV2`` with an empty photo (answered at once,
``LifePhotoSizeError``). Linux (reads ``/proc``); loopback only; the emulator is started and
stopped by this tool. tests/reliability/test_hostile_emulator_load.py uses the same helpers.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOOD = {"IdCard": "110101194612091288", "Name": "赵文华", "ImageBase64": ""}


class EmulatorProcess:
    """``python -m kiosk emulator --port 0 ARGS`` with the port it printed; stopped by its pid."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - this interpreter, kiosk emulator, our options
            [sys.executable, "-m", "kiosk", "emulator", "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        match = re.search(r":(\d+)/", first)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"the emulator did not start: {first!r}")
        self.port = int(match.group(1))
        self.killed = False
        for line in self.proc.stdout:
            if "stop with Ctrl+C" in line:
                break

    def peak_mb(self) -> float:
        """The emulator's peak resident memory so far (``VmHWM``)."""
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
            hwm = next(line for line in fh if line.startswith("VmHWM"))
        return int(hwm.split()[1]) / 1024

    def stop(self, patience: float = 100.0) -> tuple[float, str]:
        """SIGTERM; (seconds until it exited, its stderr). Still running after ``patience``
        seconds: killed, and :attr:`killed` is set."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=patience)
        except subprocess.TimeoutExpired:
            self.killed = True
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - started, self.proc.stderr.read() if self.proc.stderr else ""


def signed_request(port: int, action: str, params: dict[str, Any]) -> bytes:
    """One POST signed with the demo credentials, as raw bytes (``Connection: close``)."""
    from kiosk.core.faceid.credentials import Credential
    from kiosk.core.faceid.settings import Endpoint
    from kiosk.core.faceid.transport import build_request
    from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

    body = json.dumps(params, ensure_ascii=False).encode("utf-8")
    endpoint = Endpoint("http", f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/")
    request = build_request(endpoint=endpoint, action=action, body=body,
                            credential=Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), timestamp=int(time.time()))
    head = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items())
    return f"POST / HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


def exchange(port: int, data: bytes, timeout: float = 30.0) -> tuple[float, dict[str, Any] | None]:
    """Send ``data`` and read the answer to the end: (seconds, its JSON ``Response`` or None)."""
    started = time.monotonic()
    raw = b""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        while chunk := s.recv(65536):
            raw += chunk
    try:
        answer = json.loads(raw.partition(b"\r\n\r\n")[2])["Response"]
    except (ValueError, KeyError, TypeError):
        answer = None
    return time.monotonic() - started, answer


def outcome(answer: dict[str, Any] | None) -> str:
    """``Result`` or ``Error.Code`` of an answer (``no answer`` for None)."""
    if answer is None:
        return "no answer"
    return str(answer.get("Result") or answer.get("Error", {}).get("Code"))


def photo_40mp() -> str:
    """A valid 6300 x 6300 JPEG (39.7 MP, ~630 KB: well inside the 3 MB limit), base64."""
    import cv2
    import numpy as np

    img = np.full((6300, 6300, 3), 128, np.uint8)
    cv2.putText(img, "x", (3000, 3000), cv2.FONT_HERSHEY_SIMPLEX, 40, (0, 0, 0), 60)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 30])
    assert ok
    return base64.b64encode(buf.tobytes()).decode("ascii")


def in_parallel(count: int, target: Any) -> list[Any]:
    """``target()`` on ``count`` threads at once; their results."""
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(target())) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class SlowClients:
    """``count`` connections sending ``head`` and then one byte every ``period`` s; with
    ``reconnect``, a connection the emulator closes is opened again."""

    def __init__(self, port: int, count: int, period: float, *, reconnect: bool = False,
                 head: bytes = b"POST / HTTP/1.1\r\nHost: x\r\n") -> None:
        self.port, self.period, self.reconnect, self.head = port, period, reconnect, head
        self.opened = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._keep, daemon=True) for _ in range(count)]
        for t in self._threads:
            t.start()

    def _keep(self) -> None:
        while not self._stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                with self._lock:
                    self._socks.append(s)
                    self.opened += 1
                s.sendall(self.head)
                while not self._stop.wait(self.period):
                    s.sendall(b"X")
            except OSError:
                pass
            if not self.reconnect:
                self._stop.wait()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            for s in self._socks:
                s.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=("photos", "idle", "slow", "sigterm"))
    parser.add_argument("--count", type=int, help="connections or requests (default per scenario)")
    parser.add_argument("--action", default="ImageRecognitionV2",
                        choices=("ImageRecognitionV2", "CheckIdCardInformation"))
    parser.add_argument("--period", type=float, default=5.0, help="slow: seconds between header bytes")
    parser.add_argument("--seconds", type=float, default=20.0, help="slow: how long the slow clients go on")
    parser.add_argument("--reconnect", action="store_true", help="slow: reopen what the emulator closes")
    args = parser.parse_args(argv)
    count = args.count or {"photos": 8, "idle": 64, "slow": 70, "sigterm": 100}[args.scenario]
    emu = EmulatorProcess()
    good = signed_request(emu.port, "ImageRecognitionV2", GOOD)
    try:
        if args.scenario == "photos":
            params = {"ImageBase64": photo_40mp()}
            if args.action == "ImageRecognitionV2":
                params = {**GOOD, **params}
            request = signed_request(emu.port, args.action, params)
            results = in_parallel(count, lambda: exchange(emu.port, request, timeout=300))
            times = sorted(round(t, 1) for t, _ in results)
            codes = Counter(outcome(a) for _, a in results)
            print(f"{count} parallel 40 MP {args.action}: peak RSS {emu.peak_mb():.0f} MB; "
                  f"answered in {times} s; {dict(codes)}")
        elif args.scenario == "idle":
            idle = [socket.create_connection(("127.0.0.1", emu.port)) for _ in range(count)]
            time.sleep(0.5)
            took, answer = exchange(emu.port, good, timeout=120)
            print(f"{count} idle connections: a good request took {took:.1f} s ({outcome(answer)})")
            for s in idle:
                s.close()
        elif args.scenario == "slow":
            slow = SlowClients(emu.port, count, args.period, reconnect=args.reconnect)
            time.sleep(1.0)
            times, codes = [], Counter()
            stop = time.monotonic() + args.seconds
            while time.monotonic() < stop:
                took, answer = exchange(emu.port, good, timeout=120)
                times.append(round(took, 1))
                codes[outcome(answer)] += 1
                time.sleep(1.0)
            slow.close()
            print(f"{count} slow clients (a byte every {args.period:g} s{', reconnecting' if args.reconnect else ''}; "
                  f"{slow.opened} connections): good requests took {times} s; {dict(codes)}")
        else:
            slow = SlowClients(emu.port, count, 0.5)
            time.sleep(1.5)
            took, err = emu.stop()
            slow.close()
            if emu.killed:
                print(f"SIGTERM with {count} slow clients: still running after {took:.0f} s (killed)")
            else:
                print(f"SIGTERM with {count} slow clients: exited after {took:.2f} s (exit code "
                      f"{emu.proc.returncode}); traceback on stderr: {'Traceback' in err}")
    finally:
        if emu.proc.poll() is None:
            emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
