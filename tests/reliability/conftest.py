"""Shared fixtures for the reliability tests: kiosk-like photos, a clean environment, helpers.

Everything is real: the ``kiosk`` CLI in-process, the FaceID client, the emulator on loopback
sockets, the fault proxy (tools/fault_proxy.py) in between. Timeouts are small so a fault that
hangs shows up as a slow test, and pytest-timeout turns a real hang into a failure.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import pytest

from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

#: the client timeouts every fault row runs with (seconds); see budget()
CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 2.0
MAX_ATTEMPTS = 3
#: ClientSettings defaults (not configurable from the TOML): backoff_base 0.25, cap 2.0
BACKOFF_TOTAL_S = sum(min(2.0, 0.25 * 2**n) for n in range(MAX_ATTEMPTS - 1))
#: scheduling slack on a loaded 2-core machine (emulator work, thread start-up)
SLACK_S = 1.5


def budget(sends: int = 1, *, calls: int = 1, retried: bool = False) -> float:
    """The longest a verdict may take: every send may use its connect+read timeouts, plus backoff."""
    backoff = BACKOFF_TOTAL_S * calls if retried else 0.0
    return sends * (CONNECT_TIMEOUT_S + READ_TIMEOUT_S) + backoff + SLACK_S


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.builtin()


@pytest.fixture(scope="session")
def photos(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Card and face photos as a kiosk camera would take them (see tests/integration)."""
    from tests.integration.test_verify_cli import card_scene, face_scene

    out = tmp_path_factory.mktemp("reliability-photos")
    a, b = registry.people[0], registry.people[1]
    pa, pb = registry.portrait(a), registry.portrait(b)
    assert pa is not None and pb is not None
    files = {"card_a": card_scene(registry, a, pa), "face_a": face_scene(pa), "face_b": face_scene(pb)}
    paths = {}
    for name, img in files.items():
        paths[name] = out / f"{name}.jpg"
        cv2.imwrite(str(paths[name]), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return paths


@pytest.fixture(scope="session")
def uploads(photos: dict[str, Path]) -> dict[str, bytes]:
    """The prepared (prechecked, encoded) JPEGs for direct Verifier use."""
    from kiosk.core.vision.prepare import prepare_upload

    return {
        "card_a": prepare_upload(photos["card_a"], "card").jpeg,
        "face_a": prepare_upload(photos["face_a"], "face").jpeg,
        "face_b": prepare_upload(photos["face_b"], "face").jpeg,
    }


@pytest.fixture
def kiosk_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Demo credentials from the environment, small timeouts, audit into tmp; returns the audit dir."""
    for var in list(os.environ):
        if var.startswith(("KIOSK_", "TENCENTCLOUD_")):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
    audit = tmp_path / "audit"
    monkeypatch.setenv("KIOSK_AUDIT_DIRECTORY", str(audit))
    monkeypatch.setenv("KIOSK_SERVICE_CONNECT_TIMEOUT_S", str(CONNECT_TIMEOUT_S))
    monkeypatch.setenv("KIOSK_SERVICE_READ_TIMEOUT_S", str(READ_TIMEOUT_S))
    monkeypatch.setenv("KIOSK_SERVICE_MAX_ATTEMPTS", str(MAX_ATTEMPTS))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no profile file, no config file
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    return audit


def read_audit(directory: Path) -> list[dict[str, Any]]:
    path = directory / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class CliRun:
    code: int
    verdict: dict[str, Any]
    stdout: str
    stderr: str
    wall_s: float

    @property
    def verify_s(self) -> float:
        """Time from the first call to the verdict (the Verifier's own measure)."""
        return float(self.verdict.get("timings_ms", {}).get("total", 0.0)) / 1000.0


class LogCapture(logging.Handler):
    """Every log record of every logger at DEBUG, formatted (exceptions included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        try:
            self.lines.append(self.format(record))
        except Exception as exc:  # a record that cannot be formatted is itself a finding
            self.lines.append(f"<unformattable record {record.name}: {exc!r}>")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def all_logs() -> Iterator[LogCapture]:
    """Capture the root logger at DEBUG (the kiosk's loggers propagate to it)."""
    handler = LogCapture()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
