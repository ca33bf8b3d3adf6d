"""Specimen cards: marker format, rendering, reading from photos (kiosk.core.specimen, kiosk.core.specimen_reading)."""

from __future__ import annotations

import base64
import json
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.specimen import (
    CARD_SIZE,
    MARKER_PREFIX,
    Person,
    card_mask,
    decode_marker,
    encode_marker,
    render_specimen,
)
from kiosk.core.specimen_reading import locate_specimen, read_specimen, rectify_card
from tests.emulator.helpers import composite, jpeg
from tests.support.assets import face, negative

WEI = Person("韦小宝", "11010519491231002X", "男", "汉", "1949/12/31", "北京市东城区景山前街4号")
LONG = Person(
    "阿卜杜热合曼·买买提",
    "440524188001010014",
    "男",
    "维吾尔",
    "1880/01/01",
    "新疆维吾尔自治区乌鲁木齐市天山区解放北路街道人民路社区幸福巷一百二十三号院二单元",
)


@pytest.fixture(scope="module")
def card() -> np.ndarray:
    return render_specimen(WEI, cv2.imread(str(face("grace_hopper.jpg"))))


@pytest.fixture(scope="module")
def long_card() -> np.ndarray:
    return render_specimen(LONG, cv2.imread(str(face("codait_luciano.png"))))


def test_marker_known_vector() -> None:
    body = json.dumps(
        ["韦小宝", "11010519491231002X", "男", "汉", "1949/12/31", "北京市东城区景山前街4号"],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("gb18030")
    expected = "KSPEC1:" + base64.b32encode(body).decode().rstrip("=") + f":{zlib.crc32(body):08X}"
    assert encode_marker(WEI) == expected
    assert expected.startswith(MARKER_PREFIX)
    assert all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:" for c in expected)  # QR alphanumeric set
    assert decode_marker(expected) == WEI


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20), min_size=6, max_size=6))
def test_marker_round_trip_any_text(fields: list[str]) -> None:
    person = Person(*fields)
    assert decode_marker(encode_marker(person)) == person


@pytest.mark.parametrize(
    "mutate",
    [
        lambda m: m.replace("KSPEC1:", "KSPEC2:"),
        lambda m: m[:-1] + ("0" if m[-1] != "0" else "1"),  # CRC mismatch
        lambda m: m[:10] + ("A" if m[10] != "A" else "B") + m[11:],  # body corrupted
        lambda m: m.rsplit(":", 1)[0],  # no CRC
        lambda m: m.replace(":", ":1", 1),  # not base32
        lambda m: "",
        lambda m: "hello world",
    ],
)
def test_marker_rejects_corruption(mutate) -> None:
    assert decode_marker(mutate(encode_marker(WEI))) is None


def test_marker_rejects_wrong_shape() -> None:
    body = json.dumps(["a", "b"]).encode("gb18030")
    text = "KSPEC1:" + base64.b32encode(body).decode().rstrip("=") + f":{zlib.crc32(body):08X}"
    assert decode_marker(text) is None


def test_render_shape_and_corners(card: np.ndarray) -> None:
    assert card.shape == (CARD_SIZE[1], CARD_SIZE[0], 3) and card.dtype == np.uint8
    mask = card_mask()
    assert mask[0, 0] == 0 and mask[CARD_SIZE[1] // 2, CARD_SIZE[0] // 2] == 255
    assert (card[mask == 0] == 255).all()
    # the red SPECIMEN stamp is there (strongly red pixels in the header band)
    header = card[16:64, 52:604].astype(int)
    red = (header[..., 2] > 150) & (header[..., 0] < 90) & (header[..., 1] < 90)
    assert red.sum() > 500


def test_render_validates() -> None:
    portrait = np.full((100, 80, 3), 128, np.uint8)
    with pytest.raises(ValueError, match="birth"):
        render_specimen(Person("a", "b", "男", "汉", "1990-01-01", "x"), portrait)
    with pytest.raises(ValueError, match="too long"):
        render_specimen(Person("名" * 30, "1" * 18, "男", "汉", "1990/01/01", "地" * 60), portrait)
    with pytest.raises(ValueError):
        render_specimen(WEI, np.zeros((0, 0, 3), np.uint8))


def test_round_trip_clean(card: np.ndarray, long_card: np.ndarray) -> None:
    assert read_specimen(card) == WEI
    assert read_specimen(long_card) == LONG


def test_round_trip_jpeg_q70(card: np.ndarray, long_card: np.ndarray) -> None:
    assert read_specimen(jpeg(card, 70)) == WEI
    assert read_specimen(jpeg(long_card, 70)) == LONG


@pytest.mark.parametrize(
    ("width", "angle", "squeeze"),
    [
        (760, 0, 0),
        (640, 8, 8),
        (900, -12, -10),
        (700, 25, 0),
        (600, -20, 6),
    ],
)
def test_read_after_perspective_composite(long_card: np.ndarray, width: int, angle: float, squeeze: float) -> None:
    image, quad = composite(long_card, width=width, angle=angle, squeeze=squeeze)
    reading = locate_specimen(jpeg(image, 70))
    assert reading is not None and reading.person == LONG
    # the card outline derived from the QR is within a few pixels of the truth (affine estimate:
    # mild perspective only, see docs/specimen-marker.md)
    assert np.abs(reading.card_quad - quad).max() < 0.04 * width


def test_read_upscaled_crop_and_small_print(card: np.ndarray) -> None:
    small = cv2.resize(card, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    assert read_specimen(jpeg(small, 80)) == WEI
    crop = card[380:, 600:]  # just the QR corner of the card
    assert read_specimen(crop) == WEI


def test_rectify_recovers_card(card: np.ndarray) -> None:
    image, _ = composite(card, width=800, angle=10)
    reading = locate_specimen(image)
    assert reading is not None
    flat = rectify_card(image, reading)
    assert flat.shape == card.shape
    inner = (slice(60, 580), slice(60, 950))
    diff = np.abs(flat[inner].astype(int) - card[inner].astype(int)).mean()
    assert diff < 25


@pytest.mark.parametrize("name", ["chelsea_cat.png", "coffee.png"])
def test_unreadable_is_none(name: str) -> None:
    assert read_specimen(cv2.imread(str(negative(name)))) is None


def test_degenerate_inputs_are_none(card: np.ndarray) -> None:
    assert read_specimen(np.zeros((10, 10, 3), np.uint8)) is None
    assert read_specimen(np.zeros((0, 0, 3), np.uint8)) is None
    assert read_specimen(None) is None  # type: ignore[arg-type]
    covered = card.copy()
    covered[420:620, 800:1000] = 255  # marker covered
    assert read_specimen(covered) is None
    foreign = np.full((300, 300), 255, np.uint8)
    qr = cv2.QRCodeEncoder.create().encode("https://example.com/not-a-specimen")
    foreign[50 : 50 + qr.shape[0] * 4, 50 : 50 + qr.shape[1] * 4] = np.kron(qr, np.ones((4, 4), np.uint8))
    assert read_specimen(foreign) is None


def test_cli_renders_readable_card(tmp_path) -> None:
    from kiosk.cli import main

    person_file = tmp_path / "p.json"
    person_file.write_text(json.dumps({**WEI.to_dict(), "portrait": "x.png"}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "card.png"
    assert (
        main(["specimen", "--person", str(person_file), "--portrait", str(face("grace_hopper.jpg")), "--out", str(out)])
        == 0
    )
    assert read_specimen(cv2.imread(str(out))) == WEI
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}', encoding="utf-8")
    assert main(["specimen", "--person", str(bad), "--portrait", str(face("grace_hopper.jpg")), "--out", str(out)]) == 2
    assert (
        main(["specimen", "--person", str(person_file), "--portrait", str(tmp_path / "none.png"), "--out", str(out)])
        == 2
    )


def test_flags_round_trip_and_validation() -> None:
    from kiosk.core.specimen import decode_marker_flags

    marker = encode_marker(WEI, "TC")
    assert decode_marker_flags(marker) == (WEI, "CT")  # canonical order
    assert decode_marker(marker) == WEI
    assert decode_marker_flags(encode_marker(WEI)) == (WEI, "")
    with pytest.raises(ValueError, match="subset"):
        encode_marker(WEI, "X")
    body = json.dumps([*WEI.to_dict().values(), "Z"], ensure_ascii=False, separators=(",", ":")).encode("gb18030")
    bad = "KSPEC1:" + base64.b32encode(body).decode().rstrip("=") + f":{zlib.crc32(body):08X}"
    assert decode_marker(bad) is None  # unknown flag letters are rejected
    card = render_specimen(WEI, cv2.imread(str(face("grace_hopper.jpg"))), flags="T")
    reading = locate_specimen(jpeg(card, 80))
    assert reading is not None and reading.flags == "T" and reading.person == WEI
