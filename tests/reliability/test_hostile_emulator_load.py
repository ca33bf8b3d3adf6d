"""``kiosk emulator`` (a real process on 127.0.0.1) under load a review found it could not take:
parallel 40-megapixel photos (memory), slow and idle connections (starvation), SIGTERM while
slow clients hold connections (stop). Peak memory is the process's ``VmHWM`` (Linux).

The slow-client cases use an in-process emulator with short deadlines (parameters of
:class:`~kiosk.emulator.server.EmulatorServer`) so each runs in about a second; the production
deadlines are asserted separately.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.core.faceid.credentials import Credential
from kiosk.core.faceid.settings import Endpoint
from kiosk.core.faceid.transport import build_request
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status")


class EmulatorProcess:
    """``python -m kiosk emulator --port 0`` with the port it printed; stopped by its pid."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "emulator", "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        match = re.search(r":(\d+)/", self.proc.stdout.readline())
        assert match, self.proc.stderr.read() if self.proc.stderr else ""
        self.port = int(match.group(1))
        for line in self.proc.stdout:
            if "stop with Ctrl+C" in line:
                break

    def peak_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
            hwm = next(line for line in fh if line.startswith("VmHWM"))
        return int(hwm.split()[1]) / 1024

    def stop(self) -> tuple[float, str]:
        """SIGTERM; (seconds until it exited, its stderr)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        return time.monotonic() - started, self.proc.stderr.read() if self.proc.stderr else ""


def signed(port: int, action: str, params: dict[str, object]) -> bytes:
    """One signed POST as raw bytes (Connection: close)."""
    body = json.dumps(params, ensure_ascii=False).encode("utf-8")
    endpoint = Endpoint("http", f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/")
    request = build_request(endpoint=endpoint, action=action, body=body,
                            credential=Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), timestamp=int(time.time()))
    head = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items())
    return f"POST / HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


def exchange(port: int, data: bytes, timeout: float = 30.0) -> dict[str, object]:
    """Send ``data``, read the answer to the end; the JSON ``Response``."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    return json.loads(raw.partition(b"\r\n\r\n")[2])["Response"]  # type: ignore[no-any-return]


def photo_40mp() -> str:
    """A valid 6300 x 6300 JPEG (39.7 MP, ~630 KB: well inside the 3 MB limit), base64."""
    img = np.full((6300, 6300, 3), 128, np.uint8)
    cv2.putText(img, "x", (3000, 3000), cv2.FONT_HERSHEY_SIMPLEX, 40, (0, 0, 0), 60)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 30])
    assert ok
    return base64.b64encode(buf.tobytes()).decode("ascii")


@pytest.mark.timeout(90)
def test_parallel_40_megapixel_photos_stay_well_under_a_gigabyte() -> None:
    """Review finding: 8 such requests at once took the emulator to 1.7 GB (CheckIdCardInformation:
    4.3 GB). Now their decoding and face work queue for the image budget; all are answered."""
    params = {"IdCard": "110101194612091288", "Name": "赵文华", "ImageBase64": photo_40mp()}
    emu = EmulatorProcess()
    try:
        request = signed(emu.port, "ImageRecognitionV2", params)
        answers: list[dict[str, object]] = []
        threads = [threading.Thread(target=lambda: answers.append(exchange(emu.port, request)))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        peak = emu.peak_mb()
    finally:
        _, err = emu.stop()
    print(f"FIGURE 6 parallel 40 MP ImageRecognitionV2: emulator peak RSS {peak:.0f} MB")
    assert [a.get("Result") for a in answers] == ["FailedOperation.LifePhotoDetectNoFaces"] * 6
    assert peak < 850, f"peak RSS {peak:.0f} MB"
    assert "Traceback" not in err


@pytest.mark.timeout(90)
def test_sigterm_stops_the_emulator_while_slow_clients_hold_every_worker() -> None:
    """Review finding: with 100 clients trickling header bytes, SIGTERM left ``kiosk emulator``
    running for more than 100 s (the accept loop waited for a worker slot that never came)."""
    emu = EmulatorProcess()
    socks = [socket.create_connection(("127.0.0.1", emu.port), timeout=5) for _ in range(100)]
    try:
        for s in socks:
            s.sendall(b"POST / HTTP/1.1\r\n")
        time.sleep(1.0)
        for s in socks:  # still arriving, one byte at a time
            s.sendall(b"X")
        took, err = emu.stop()
    finally:
        for s in socks:
            s.close()
    print(f"FIGURE SIGTERM with 100 slow clients: exited after {took:.2f} s")
    assert emu.proc.returncode == 0 and took < 3.0, (took, err[-500:])
    assert "Traceback" not in err
