"""tools/eval_matcher.py end to end on a small labelled set made from the shipped portraits.

Three people, two images each (the portrait and its mirror image, re-encoded): the tool must
score every ordered pair through the emulator with the official SDK, on both paths, and print the
table. Without a photo set it says so and exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from kiosk.resources import resource
from tools import eval_matcher

PEOPLE = {"person_a": "astronaut_eileen_collins.png", "person_b": "grace_hopper.jpg", "person_c": "codait_luciano.png"}


def _labelled_set(folder: Path) -> Path:
    labels = {}
    for identity, name in PEOPLE.items():
        image = cv2.imread(str(resource("demo_people", "portraits", name)), cv2.IMREAD_COLOR)
        for suffix, variant in (("1.png", image), ("2.jpg", cv2.flip(image, 1))):
            file = f"{identity}_{suffix}"
            cv2.imwrite(str(folder / file), variant)
            labels[file] = {"identity": identity, "label": "frontal", "faces": 1}
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    return folder


def test_eval_matcher_scores_every_pair_through_the_sdk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = _labelled_set(tmp_path)
    assert eval_matcher.main(["--real", str(real), "--json", str(tmp_path / "out.json")]) == 0
    out = capsys.readouterr().out
    assert "| ImageRecognitionV2 (live B vs registry A), all | 30 | 6/6 = 100.0 % | 0/24 = 0.0 % |" in out
    assert "| CheckIdCardInformation (card A vs registry B), all | 30 | 6/6 = 100.0 % | 0/24 = 0.0 % |" in out
    assert "without" not in out  # no unverified identities outside the development set
    dump = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert len(dump["face"]["same"]) == 6 and len(dump["card"]["different"]) == 24


def test_eval_matcher_says_when_the_set_is_absent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert eval_matcher.main(["--real", str(tmp_path / "nowhere")]) == 2
    assert "the real photographs are not here" in capsys.readouterr().err
