"""``kiosk verify`` end to end: the real CLI, the real client, the real emulator over sockets.

The images are made the way a kiosk would see them: a registry person's SPECIMEN card composited
onto a desk and photographed at 1280x720, and a live face re-shot on another background (not the
registry portrait itself).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.core import idnumber
from kiosk.core.specimen import Person
from kiosk.core.vision import synth
from kiosk.core.vision.detector import FaceDetector
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.support.assets import negative


def card_scene(registry: Registry, person: Person, portrait: np.ndarray, *, seed: int = 1) -> np.ndarray:
    from kiosk.core.specimen import render_specimen

    card = render_specimen(person, portrait)
    background = synth.desk_background(1280, 720, seed=seed)
    corners = synth.card_corners(synth.CardPose(center=(640, 370), width=780, angle=2.0))
    return synth.compose_card_scene(card, background, corners)


def face_scene(portrait: np.ndarray, *, seed: int = 2, others: tuple[np.ndarray, ...] = ()) -> np.ndarray:
    """A head-and-shoulders crop of ``portrait`` re-shot in a room (others side by side)."""
    det = FaceDetector()
    faces = det.detect(portrait)
    x, y, w, h = max(faces, key=lambda f: f.box[2]).box
    pad = int(0.9 * w)
    crop = portrait[max(0, y - pad): y + h + pad, max(0, x - pad): x + w + pad]
    background = synth.room_background(1280, 720, seed=seed)
    if not others:
        return synth.compose_face_scene(crop, background, height_frac=0.95)
    scene = background.copy()
    for i, img in enumerate((crop, *others)):
        tile = cv2.resize(img, (560, 640))
        scene[40:680, 40 + i * 620: 600 + i * 620] = tile
    return scene


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.builtin()


@pytest.fixture(scope="module")
def images(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Card and face photos for the scenarios, written once."""
    out = tmp_path_factory.mktemp("verify-images")
    a, b = registry.people[0], registry.people[1]
    pa, pb = registry.portrait(a), registry.portrait(b)
    assert pa is not None and pb is not None
    first17 = "11010119900307777"  # valid number, not in the registry
    stranger = Person(name="吴未登", id_number=first17 + idnumber.check_char(first17), sex="男", nation="汉",
                      birth="1990/03/07", address="北京市东城区")
    renamed = Person(**{**a.to_dict(), "name": "林晓云"})
    files = {
        "card_a": card_scene(registry, a, pa),
        "card_stranger": card_scene(registry, stranger, pa),
        "card_renamed": card_scene(registry, renamed, pa),
        "card_blurred": synth.defocus(card_scene(registry, a, pa), 6.0),
        "face_a": face_scene(pa),
        "face_b": face_scene(pb),
        "face_group": face_scene(pa, others=(pb,)),
    }
    paths = {name: out / f"{name}.jpg" for name in files}
    for name, img in files.items():
        cv2.imwrite(str(paths[name]), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    paths["no_face"] = negative("chelsea_cat.png")
    paths["corrupt"] = out / "corrupt.jpg"
    paths["corrupt"].write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    return paths


@pytest.fixture
def emulator(registry: Registry) -> Iterator[EmulatorServer]:
    with EmulatorServer(registry=registry) as emu:
        yield emu


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("KIOSK_CONFIG", "TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
    monkeypatch.setenv("KIOSK_AUDIT_DIRECTORY", str(tmp_path / "audit"))
    monkeypatch.setenv("KIOSK_SERVICE_READ_TIMEOUT_S", "5")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no profile file, no config file


def verify(capsys: pytest.CaptureFixture[str], card: Path, face: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["verify", "--card", str(card), "--face", str(face), "--json", *extra])
    out = capsys.readouterr().out.strip().splitlines()
    return code, (json.loads(out[-1]) if out else {})


def test_pass(capsys: pytest.CaptureFixture[str], images: dict[str, Path], emulator: EmulatorServer,
              tmp_path: Path) -> None:
    code, v = verify(capsys, images["card_a"], images["face_a"], "--endpoint", emulator.url)
    assert (code, v["verdict"]) == (0, "pass"), v
    assert v["card_sim"] >= 70 and v["face_sim"] >= 70
    assert v["masked_id"] == "310***********0426" and v["masked_name"] == "林**"
    assert len(v["request_ids"]) == 2 and v["billed_calls"] == 2
    audit = (tmp_path / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert "310104198605190426" not in audit and "林晓雨" not in audit
    assert all(rid in audit for rid in v["request_ids"])


@pytest.mark.parametrize(
    ("card", "face", "verdict", "reason"),
    [
        ("card_a", "face_b", "fail", "FailedOperation.CompareLowSimilarity"),
        ("card_stranger", "face_a", "registration_office", "FailedOperation.IdNoExistSystem"),
        ("card_renamed", "face_a", "fail", "FailedOperation.IdNameMisMatch"),
    ],
)
def test_service_reasons(capsys: pytest.CaptureFixture[str], images: dict[str, Path], emulator: EmulatorServer,
                         card: str, face: str, verdict: str, reason: str) -> None:
    code, v = verify(capsys, images[card], images[face], "--endpoint", emulator.url)
    assert (code, v["verdict"], v["reason_code"]) == (1, verdict, reason), v
    assert v["message"]


@pytest.mark.parametrize(
    ("card", "face", "verdict", "problem"),
    [
        ("card_a", "face_group", "retake_face", "multiple_faces"),
        ("card_a", "no_face", "retake_face", "no_face"),
        ("card_blurred", "face_a", "retake_card", "blurry"),
        ("corrupt", "face_a", "retake_card", "unreadable_image"),
    ],
)
def test_prechecks_stop_before_any_call(capsys: pytest.CaptureFixture[str], images: dict[str, Path],
                                        emulator: EmulatorServer, card: str, face: str, verdict: str,
                                        problem: str) -> None:
    code, v = verify(capsys, images[card], images[face], "--endpoint", emulator.url)
    assert (code, v["verdict"]) == (1, verdict), v
    assert problem in v["problems"] and v["request_ids"] == []
    assert emulator.calls == []  # nothing sent, nothing billed


def test_wrong_secret_key_is_a_configuration_error(capsys: pytest.CaptureFixture[str], images: dict[str, Path],
                                                   emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "not-the-right-key")
    code, v = verify(capsys, images["card_a"], images["face_a"], "--endpoint", emulator.url)
    assert (code, v["verdict"], v["reason_code"]) == (2, "unavailable", "AuthFailure.SignatureFailure"), v


def test_clock_one_hour_off_recovers(capsys: pytest.CaptureFixture[str], images: dict[str, Path],
                                     registry: Registry) -> None:
    with EmulatorServer(registry=registry, clock=lambda: time.time() + 3600) as skewed:
        code, v = verify(capsys, images["card_a"], images["face_a"], "--endpoint", skewed.url)
    assert (code, v["verdict"]) == (0, "pass"), v


def test_connection_resets_are_unavailable_and_not_repeated(capsys: pytest.CaptureFixture[str],
                                                            images: dict[str, Path], registry: Registry) -> None:
    with EmulatorServer(registry=registry, faults="reset_after") as flaky:
        code, v = verify(capsys, images["card_a"], images["face_a"], "--endpoint", flaky.url)
        sent = [c for c in flaky.calls]
    assert (code, v["verdict"]) == (1, "unavailable"), v
    assert v["maybe_billed_calls"] == 1 and len(sent) == 1  # processed once, never repeated


def test_usage_errors(capsys: pytest.CaptureFixture[str], images: dict[str, Path], tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["verify", "--card", str(tmp_path / "missing.jpg"), "--face", str(images["face_a"])]) == 2
    assert main(["verify", "--card", str(images["card_a"]), "--face", str(images["face_a"]),
                 "--endpoint", "http://example.com"]) == 2  # plain http only for loopback
    monkeypatch.delenv("TENCENTCLOUD_SECRET_KEY")
    code, v = verify(capsys, images["card_a"], images["face_a"], "--endpoint", "http://127.0.0.1:9")
    assert (code, v["verdict"], v["message_key"]) == (2, "unavailable", "err.out_of_service"), v
    monkeypatch.setenv("KIOSK_SERVICE_READ_TIMEOUT_S", "soon")
    assert main(["verify", "--card", str(images["card_a"]), "--face", str(images["face_a"])]) == 2
    err = capsys.readouterr().err
    assert "service.read_timeout_s" in err and "Traceback" not in err
