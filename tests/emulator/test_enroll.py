"""Staff rehearsal registries: ``kiosk emulator --enroll PHOTOS --registry DIR``.

A folder of portraits becomes a registry with generated fictional identities and one specimen card
each; the emulator then serves it, and the official SDK verifies the rehearsing person with their
card and a re-shot photo of their face, over loopback.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.core import idnumber
from kiosk.core.specimen_reading import read_specimen
from kiosk.emulator.enroll import EnrollError, enroll, fictional_person
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import EmulatorServer
from kiosk.resources import resource
from tests.emulator.fixtures import UNLIMITED, check_request, face_request, sdk_client, shared_matcher
from tests.emulator.helpers import composite, jpeg, jpeg_bytes

PORTRAITS = ["astronaut_eileen_collins.png", "grace_hopper.jpg", "codait_bryan.png", "codait_luciano.png"]


def _photo_folder(tmp_path: Path) -> Path:
    """Four portraits, a picture without a face, a group of two, a broken file and a text file."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in PORTRAITS:
        shutil.copyfile(resource("demo_people", "portraits", name), folder / name)
    rng = np.random.default_rng(5)
    noise = cv2.GaussianBlur(rng.integers(0, 255, (400, 600, 3), dtype=np.uint8), (9, 9), 3)
    cv2.imwrite(str(folder / "no_face.png"), noise)
    a = cv2.imread(str(folder / PORTRAITS[0]))
    b = cv2.resize(cv2.imread(str(folder / PORTRAITS[3])), (512, 512))
    cv2.imwrite(str(folder / "two_people.jpg"), np.hstack([a, b]))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (folder / "notes.txt").write_text("not a photo")
    return folder


def test_enroll_writes_a_valid_registry_with_cards(tmp_path: Path) -> None:
    result = enroll(_photo_folder(tmp_path), tmp_path / "reg", seed=7, matcher=shared_matcher())
    assert [p for p, _, _ in result.people] == sorted(PORTRAITS)
    assert dict(result.skipped) == {
        "broken.jpg": "not a readable image",
        "no_face.png": "no face found",
        "two_people.jpg": "2 faces, need one",
    }
    registry = Registry.load(tmp_path / "reg")
    assert len(registry) == 4
    for photo, person, card_path in result.people:
        assert idnumber.check(person.id_number).ok
        assert (person.sex == "男") == (int(person.id_number[16]) % 2 == 1)
        assert registry.by_id(person.id_number) == person
        portrait = registry.portrait(person)
        assert portrait is not None
        original = (tmp_path / "photos" / photo).read_bytes()
        entry = json.loads((tmp_path / "reg" / "people.json").read_text(encoding="utf-8"))
        copied = next(e for e in entry if e["id_number"] == person.id_number)["portrait"]
        assert (tmp_path / "reg" / copied).read_bytes() == original  # the photo, byte for byte
        card = cv2.imread(str(card_path))
        assert card is not None and read_specimen(card) == person


def test_enroll_is_deterministic_and_never_overwrites(tmp_path: Path) -> None:
    photos = _photo_folder(tmp_path)
    one = enroll(photos, tmp_path / "a", seed=3, matcher=shared_matcher())
    two = enroll(photos, tmp_path / "b", seed=3, matcher=shared_matcher())
    assert [p for _, p, _ in one.people] == [p for _, p, _ in two.people]
    with pytest.raises(EnrollError, match="already exists"):
        enroll(photos, tmp_path / "a", seed=3, matcher=shared_matcher())


def test_enroll_refuses_folders_without_usable_photos(tmp_path: Path) -> None:
    with pytest.raises(EnrollError, match="not a folder"):
        enroll(tmp_path / "missing", tmp_path / "reg")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EnrollError, match="no photos"):
        enroll(empty, tmp_path / "reg")
    cv2.imwrite(str(empty / "blank.png"), np.full((300, 300, 3), 200, np.uint8))
    with pytest.raises(EnrollError, match="no photo with exactly one usable face"):
        enroll(empty, tmp_path / "reg", matcher=shared_matcher())


def test_fictional_people_have_valid_consistent_numbers() -> None:
    rng = random.Random(11)
    for _ in range(300):
        p = fictional_person(rng)
        assert idnumber.check(p.id_number).ok, p.id_number
        assert p.birth.replace("/", "") == p.id_number[6:14]
        assert (p.sex == "男") == (idnumber.sex(p.id_number) == "M")
        assert 2 <= len(p.name) <= 3 and p.address


def test_cli_enroll_prints_masked_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photos = _photo_folder(tmp_path)
    assert main(["emulator", "--enroll", str(photos), "--registry", str(tmp_path / "reg")]) == 0
    out = capsys.readouterr().out
    assert "face matcher: " in out and "(4 people" in out and "skipped no_face.png: no face found" in out
    for person in Registry.load(tmp_path / "reg").people:
        assert person.id_number not in out and person.name not in out  # masked only
    assert main(["emulator", "--enroll", str(photos)]) == 2
    assert "--enroll needs --registry" in capsys.readouterr().err
    assert main(["emulator", "--enroll", str(photos), "--registry", str(tmp_path / "reg")]) == 2
    assert "already exists" in capsys.readouterr().err


def test_rehearsal_with_the_enrolled_card_and_face_passes_over_the_sdk(tmp_path: Path) -> None:
    result = enroll(_photo_folder(tmp_path), tmp_path / "reg", seed=1, matcher=shared_matcher())
    registry = Registry.load(tmp_path / "reg")
    photo, person, card_path = next(r for r in result.people if r[0] == "codait_luciano.png")
    other = next(p for f, p, _ in result.people if f == "grace_hopper.jpg")
    card_photo = jpeg_bytes(composite(cv2.imread(str(card_path)), width=760, angle=3)[0], 90)
    face = cv2.imread(str(tmp_path / "photos" / photo))
    reshot = jpeg(cv2.resize(face, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA), 80)
    with EmulatorServer(registry=registry, rate_limits=UNLIMITED, matcher=shared_matcher()) as emu:
        client = sdk_client(emu)
        card = client.CheckIdCardInformation(check_request(card_photo))
        assert (card.Result, card.IdNum, card.Name) == ("Success", person.id_number, person.name)
        assert card.Sim >= 70
        live = client.ImageRecognitionV2(face_request(person, reshot))
        assert live.Result == "Success" and live.Sim >= 70
        wrong = client.ImageRecognitionV2(face_request(other, reshot))
        assert wrong.Result == "FailedOperation.CompareLowSimilarity" and wrong.Sim < 70
