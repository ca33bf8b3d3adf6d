"""``kiosk precheck``: one JSON line per image, stable codes, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from tests.core.vision.conftest import asset, card_scene


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_good_faces_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(asset(f"faces/{n}")) for n in ("grace_hopper.jpg", "codait_luciano.png")]
    assert main(["precheck", "--kind", "face", "--json", *files]) == 0
    out = lines(capsys.readouterr().out)
    assert [o["file"] for o in out] == files
    assert all(o["ok"] and o["problems"] == [] for o in out)
    assert set(out[0]) == {"file", "ok", "problems", "metrics"}
    assert out[0]["metrics"]["faces"] == 1


def test_bad_and_unreadable_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corrupt = tmp_path / "broken.jpg"
    corrupt.write_bytes(asset("faces/grace_hopper.jpg").read_bytes()[:700])
    text = tmp_path / "notes.png"
    text.write_text("hello")
    files = [str(asset("negatives/chelsea_cat.png")), str(corrupt), str(text), str(tmp_path / "missing.jpg")]
    assert main(["precheck", "--kind", "face", *files]) == 1
    captured = capsys.readouterr()
    out = lines(captured.out)
    assert out[0]["problems"] == ["no_face"]
    assert [o["problems"] for o in out[1:]] == [["unreadable_image"]] * 3
    assert "Traceback" not in captured.err


def test_card_kind(tmp_path: Path, card_image: np.ndarray, capsys: pytest.CaptureFixture[str]) -> None:
    good, _ = card_scene(card_image)
    cut, _ = card_scene(
        card_image, __import__("kiosk.core.vision.synth", fromlist=["CardPose"]).CardPose((250, 360), 800, 2, 0, 0)
    )
    cv2.imwrite(str(tmp_path / "good.jpg"), good, [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(tmp_path / "cut.png"), cut)
    assert main(["precheck", "--kind", "card", str(tmp_path / "good.jpg")]) == 0
    assert main(["precheck", "--kind", "card", str(tmp_path / "good.jpg"), str(tmp_path / "cut.png")]) == 1
    out = lines(capsys.readouterr().out)
    assert out[0]["ok"] and out[-1]["problems"][0] == "card_cut_off"


@pytest.mark.parametrize(
    "argv", [["precheck"], ["precheck", "--kind", "passport", "x.jpg"], ["precheck", "--kind", "face"]]
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
