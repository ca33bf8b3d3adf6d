"""Every code the FaceID emulator can return, reached over real sockets with the official SDK.

Each row: how the code is reached -> expected channel (``result`` = ``Response.Result``,
``error`` = ``Response.Error``, raised by the SDK) and code. ``test_every_code_is_reached``
checks that the table covers :data:`kiosk.emulator.codes.CODES` completely.
"""

from __future__ import annotations

import base64
import functools
import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.faceid.v20180301 import models

from kiosk.core import idnumber
from kiosk.core.faceid.crypto import aes_cbc_encrypt, rsa_wrap_key
from kiosk.core.specimen import QR_SYMBOL_BOX, Person, id_photo, render_specimen
from kiosk.emulator import codes
from kiosk.emulator.registry import BUILTIN_DIR, Registry
from kiosk.emulator.server import EmulatorServer
from tests.emulator.fixtures import (
    UNLIMITED,
    b64,
    demo_card,
    demo_card_photo,
    demo_registry,
    face_photo,
    raw_call,
    sdk_client,
    shared_matcher,
)
from tests.emulator.fixtures import emulator as emulator  # noqa: PLC0414 - re-exported fixture
from tests.emulator.helpers import composite, jpeg_bytes
from tests.support.assets import negative

CARD, FACE = "CheckIdCardInformation", "ImageRecognitionV2"
ZHAO = 1  # demo person 赵文华 (Grace Hopper portrait)
ALL_WARN = {k: True for k in ("CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn", "TempIdWarn", "Quality")}


def make_id(area: str, birth: str, seq: str) -> str:
    return area + birth + seq + idnumber.check_char(area + birth + seq)


STRANGER = Person("路人甲", make_id("320102", "19920202", "031"), "男", "汉", "1992/02/02", "江苏省南京市玄武区")
NO_PHOTO = Person("无照片", make_id("320102", "19800101", "042"), "女", "汉", "1980/01/01", "江苏省南京市")
BAD_PHOTO = Person("坏照片", make_id("320102", "19810101", "051"), "男", "汉", "1981/01/01", "江苏省南京市")


def zhao() -> Person:
    return demo_registry().people[ZHAO]


# ------------------------------------------------------------------------------------ images
@functools.cache
def card_photo(kind: str) -> bytes:
    """JPEG card photos for the card cases (built once)."""
    m = shared_matcher()
    grace = face_photo("grace_hopper.jpg").copy()
    woman = face_photo("pexels_woman_neutral.jpeg").copy()
    if kind == "other_face":
        card = render_specimen(zhao(), id_photo(woman, m.faces(woman)[0].box))
    elif kind == "other_name":
        p = zhao()
        card = render_specimen(
            Person("赵武华", p.id_number, p.sex, p.nation, p.birth, p.address), id_photo(grace, m.faces(grace)[0].box)
        )
    elif kind in ("stranger", "no_photo", "bad_photo"):
        person = {"stranger": STRANGER, "no_photo": NO_PHOTO, "bad_photo": BAD_PHOTO}[kind]
        card = render_specimen(person, id_photo(grace, m.faces(grace)[0].box))
    elif kind == "no_face":
        card = render_specimen(zhao(), cv2.imread(str(negative("coffee.png"))))
    elif kind == "cut_off":
        image, quad = composite(demo_card(ZHAO), width=900, center=(380, 360))
        assert quad[:, 0].min() < -50  # the left edge is well outside the photo
        return jpeg_bytes(image, 90)
    elif kind == "photocopy":
        gray = cv2.cvtColor(cv2.imdecode(np.frombuffer(demo_card_photo(ZHAO), np.uint8), 1), cv2.COLOR_BGR2GRAY)
        return jpeg_bytes(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), 90)
    elif kind == "blurry":  # everything blurred except the marker, which stays readable
        card = cv2.GaussianBlur(demo_card(ZHAO), (0, 0), 4)
        x, y, w, h = QR_SYMBOL_BOX
        card[y - 12 : y + h + 12, x - 12 : x + w + 12] = demo_card(ZHAO)[y - 12 : y + h + 12, x - 12 : x + w + 12]
    elif kind in ("R", "T", "P"):
        card = render_specimen(zhao(), id_photo(grace, m.faces(grace)[0].box), flags=kind)
    elif kind == "foreign_qr":
        qr = cv2.QRCodeEncoder.create().encode("https://example.com/not-a-card")
        big = cv2.resize(qr, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
        canvas = np.full((720, 1280, 3), 255, np.uint8)
        canvas[100 : 100 + big.shape[0], 100 : 100 + big.shape[1]] = big[..., None]
        return jpeg_bytes(canvas, 90)
    else:
        raise KeyError(kind)
    return jpeg_bytes(composite(card, width=760, angle=3)[0], 90)


@functools.cache
def live_photo(kind: str) -> bytes:
    grace = face_photo("grace_hopper.jpg").copy()
    if kind == "same":
        return jpeg_bytes(cv2.convertScaleAbs(grace, alpha=1.05, beta=10), 85)
    if kind == "other":
        return jpeg_bytes(face_photo("pexels_woman_neutral.jpeg").copy(), 85)
    if kind == "none":
        return jpeg_bytes(cv2.imread(str(negative("chelsea_cat.png"))), 85)
    if kind == "two":
        other = cv2.resize(face_photo("codait_luciano.png").copy(), (grace.shape[1] * 600 // grace.shape[0], 600))
        left = cv2.resize(grace, (grace.shape[1], 600))
        return jpeg_bytes(np.hstack([left, other]), 85)
    if kind == "blurry":
        return jpeg_bytes(cv2.GaussianBlur(grace, (0, 0), 6), 85)
    raise KeyError(kind)


# ------------------------------------------------------------------------------------ servers
@pytest.fixture(scope="module")
def custom_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """Demo people plus one without a photo on file and one whose photo shows no face."""
    base: Path = tmp_path_factory.mktemp("registry")
    people = json.loads((BUILTIN_DIR / "people.json").read_text(encoding="utf-8"))
    for entry in people:
        src = BUILTIN_DIR / entry["portrait"]
        shutil.copy(src, base / src.name)
        entry["portrait"] = src.name
    shutil.copy(negative("coffee.png"), base / "coffee.png")
    people.append({**NO_PHOTO.to_dict(), "portrait": None})
    people.append({**BAD_PHOTO.to_dict(), "portrait": "coffee.png"})
    (base / "people.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    with EmulatorServer(registry=Registry.load(base), rate_limits=UNLIMITED, matcher=shared_matcher()) as emu:
        yield emu


@pytest.fixture(scope="module")
def fault_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        registry=demo_registry(),
        faults="error=InternalError~card,error=FailedOperation.UnKnown~face",
        matcher=shared_matcher(),
    ) as emu:
        yield emu


# ------------------------------------------------------------------------------------ calling
def sdk_call(emu: EmulatorServer, action: str, params: dict[str, Any], **client_kw: Any) -> tuple[str, str, dict]:
    """Call through the official SDK; ('result', Result, response) or ('error', Error.Code, {})."""
    req = getattr(models, f"{action}Request")()
    req.from_json_string(json.dumps(params))
    try:
        resp = getattr(sdk_client(emu, **client_kw), action)(req)
    except TencentCloudSDKException as exc:
        assert exc.requestId, "every answer carries a RequestId"
        return "error", exc.code, {"message": exc.message}
    data = json.loads(resp.to_json_string())
    assert data["RequestId"]
    return "result", data["Result"], data


def raw(emu: EmulatorServer, action: str, params: dict[str, Any] | None = None, **kw: Any) -> tuple[str, str, dict]:
    resp = raw_call(emu, action, params, **kw)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"
    data = resp.json()["Response"]
    assert data["RequestId"]
    if "Error" in data:
        return "error", data["Error"]["Code"], data
    return "result", data["Result"], data


def card(kind: str, config: dict[str, bool] | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"ImageBase64": b64(card_photo(kind) if kind != "ok" else demo_card_photo(ZHAO))}
    if config is not None:
        params["Config"] = json.dumps(config)
    return params


def face(kind: str, person: Person | None = None, **extra: Any) -> dict[str, Any]:
    p = person or zhao()
    return {"IdCard": p.id_number, "Name": p.name, "ImageBase64": b64(live_photo(kind)), **extra}


def bad_wrap(params: dict[str, Any]) -> dict[str, Any]:
    return {
        **params,
        "Encryption": {
            "Algorithm": "AES-256-CBC",
            "CiphertextBlob": base64.b64encode(b"x" * 256).decode(),
            "Iv": base64.b64encode(b"\0" * 16).decode(),
            "EncryptList": ["IdCard"],
        },
    }


def encrypted_face(emu: EmulatorServer, fields: list[str]) -> dict[str, Any]:
    key, iv = b"k" * 32, b"i" * 16
    params = face("same")
    for f in fields:
        if f in params:
            params[f] = base64.b64encode(aes_cbc_encrypt(key, iv, params[f].encode())).decode()
    params["Encryption"] = {
        "Algorithm": "AES-256-CBC",
        "CiphertextBlob": rsa_wrap_key(emu.public_key_pem, key),
        "Iv": base64.b64encode(iv).decode(),
        "EncryptList": fields,
    }
    return params


Case = tuple[str, str, str, Callable[[EmulatorServer], tuple[str, str, dict]], str]
E = "emulator"
C = "custom_emulator"
F = "fault_emulator"
ts_old = lambda: int(time.time()) - 400  # noqa: E731

CASES: list[Case] = [
    # id, which server, expected channel, call, expected code
    ("card_success", E, "result", lambda e: sdk_call(e, CARD, card("ok", {"Quality": True})), "Success"),
    (
        "card_low_sim",
        E,
        "result",
        lambda e: sdk_call(e, CARD, card("other_face")),
        "FailedOperation.CompareLowSimilarity",
    ),
    (
        "card_name_mismatch",
        E,
        "result",
        lambda e: sdk_call(e, CARD, card("other_name")),
        "FailedOperation.IdNameMisMatch",
    ),
    ("card_unknown_id", E, "result", lambda e: sdk_call(e, CARD, card("stranger")), "FailedOperation.IdNoExistSystem"),
    (
        "card_no_photo_on_file",
        C,
        "result",
        lambda e: sdk_call(e, CARD, card("no_photo")),
        "FailedOperation.IdPhotoNoExist",
    ),
    (
        "card_photo_on_file_bad",
        C,
        "result",
        lambda e: sdk_call(e, CARD, card("bad_photo")),
        "FailedOperation.IdPhotoPoorQuality",
    ),
    (
        "card_portrait_no_face",
        E,
        "result",
        lambda e: sdk_call(e, CARD, card("no_face")),
        "FailedOperation.LifePhotoDetectNoFaces",
    ),
    (
        "card_no_card",
        E,
        "result",
        lambda e: sdk_call(e, CARD, {"ImageBase64": b64(live_photo("same"))}),
        "FailedOperation.ImageNoIdCard",
    ),
    ("card_unreadable_code", E, "result", lambda e: sdk_call(e, CARD, card("foreign_qr")), "FailedOperation.OcrFailed"),
    (
        "card_warning",
        E,
        "result",
        lambda e: sdk_call(e, CARD, card("cut_off", {"BorderCheckWarn": True})),
        "FailedOperation.OcrWarningOccurred",
    ),
    ("card_empty", E, "error", lambda e: sdk_call(e, CARD, {"ImageBase64": ""}), "FailedOperation.EmptyImageError"),
    (
        "card_too_large",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {"ImageBase64": "A" * (7 * 1024 * 1024 + 4)}),
        "FailedOperation.ImageSizeTooLarge",
    ),
    (
        "card_not_base64",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {"ImageBase64": "data:image/jpeg;base64,/9j/"}),
        "FailedOperation.ImageDecodeFailed",
    ),
    (
        "card_gif",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {"ImageBase64": b64(b"GIF89a" + b"\0" * 30)}),
        "FailedOperation.ImageDecodeFailed",
    ),
    (
        "card_url",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {"ImageUrl": "https://example.com/card.jpg"}),
        "FailedOperation.DownLoadError",
    ),
    (
        "card_bad_key_wrap",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {**bad_wrap(card("ok")), "IsEncrypt": True}),
        "FailedOperation.EncryptSystemError",
    ),
    (
        "card_config_not_json",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {**card("ok"), "Config": "{nope"}),
        "InvalidParameter",
    ),
    (
        "card_config_unknown_key",
        E,
        "error",
        lambda e: sdk_call(e, CARD, {**card("ok"), "Config": '{"Foo": true}'}),
        "InvalidParameterValue",
    ),
    ("card_internal_error", F, "error", lambda e: sdk_call(e, CARD, card("ok")), "InternalError"),
    ("face_success", E, "result", lambda e: sdk_call(e, FACE, face("same")), "Success"),
    ("face_low_sim", E, "result", lambda e: sdk_call(e, FACE, face("other")), "FailedOperation.CompareLowSimilarity"),
    (
        "face_name_mismatch",
        E,
        "result",
        lambda e: sdk_call(e, FACE, {**face("same"), "Name": "赵武华"}),
        "FailedOperation.IdNameMisMatch",
    ),
    (
        "face_unknown_id",
        E,
        "result",
        lambda e: sdk_call(e, FACE, face("same", STRANGER)),
        "FailedOperation.IdNoExistSystem",
    ),
    (
        "face_no_photo_on_file",
        C,
        "result",
        lambda e: sdk_call(e, FACE, face("same", NO_PHOTO)),
        "FailedOperation.IdPhotoNoExist",
    ),
    (
        "face_photo_on_file_bad",
        C,
        "result",
        lambda e: sdk_call(e, FACE, face("same", BAD_PHOTO)),
        "FailedOperation.IdPhotoPoorQuality",
    ),
    ("face_no_face", E, "result", lambda e: sdk_call(e, FACE, face("none")), "FailedOperation.LifePhotoDetectNoFaces"),
    ("face_two_faces", E, "result", lambda e: sdk_call(e, FACE, face("two")), "FailedOperation.LifePhotoDetectFaces"),
    ("face_blurry", E, "result", lambda e: sdk_call(e, FACE, face("blurry")), "FailedOperation.LifePhotoPoorQuality"),
    (
        "face_bad_checksum",
        E,
        "error",
        lambda e: sdk_call(e, FACE, {**face("same"), "IdCard": "110101194612091289"}),
        "FailedOperation.IdFormatError",
    ),
    (
        "face_bad_name",
        E,
        "error",
        lambda e: sdk_call(e, FACE, {**face("same"), "Name": "赵2华"}),
        "FailedOperation.NameFormatError",
    ),
    (
        "face_empty_image",
        E,
        "error",
        lambda e: sdk_call(e, FACE, {**face("same"), "ImageBase64": ""}),
        "FailedOperation.LifePhotoSizeError",
    ),
    (
        "face_too_large",
        E,
        "error",
        lambda e: sdk_call(e, FACE, {**face("same"), "ImageBase64": "A" * (3 * 1024 * 1024 + 4)}),
        "FailedOperation.LifePhotoSizeError",
    ),
    (
        "face_bad_base64",
        E,
        "error",
        lambda e: sdk_call(e, FACE, {**face("same"), "ImageBase64": "!!!="}),
        "FailedOperation.ImageDecodeFailed",
    ),
    (
        "face_extra_too_long",
        E,
        "error",
        lambda e: sdk_call(e, FACE, face("same", Extra="x" * 11)),
        "InvalidParameterValue",
    ),
    (
        "face_decrypt_fails",
        E,
        "error",
        lambda e: sdk_call(e, FACE, bad_wrap(face("same"))),
        "FailedOperation.DecryptSystemError",
    ),
    (
        "face_unsupported_field",
        E,
        "error",
        lambda e: sdk_call(e, FACE, encrypted_face(e, ["IdCard", "ImageBase64"])),
        "InvalidParameter.UnsupportEncryptField",
    ),
    ("face_unknown_error", F, "error", lambda e: sdk_call(e, FACE, face("same")), "FailedOperation.UnKnown"),
    (
        "face_missing_name",
        E,
        "error",
        lambda e: raw(e, FACE, {"IdCard": zhao().id_number, "ImageBase64": "AAAA"}),
        "MissingParameter",
    ),
    ("unknown_parameter", E, "error", lambda e: raw(e, FACE, {**face("same"), "Foo": 1}), "UnknownParameter"),
    ("unknown_action", E, "error", lambda e: raw(e, "DetectAuth", {}), "InvalidAction"),
    ("wrong_version", E, "error", lambda e: raw(e, FACE, face("same"), version="2017-01-01"), "NoSuchVersion"),
    ("put_method", E, "error", lambda e: raw(e, FACE, face("same"), method="PUT"), "UnsupportedProtocol"),
    (
        "get_over_32k",
        E,
        "error",
        lambda e: raw(e, FACE, {**face("same"), "ImageBase64": "A" * 40000}, method="GET"),
        "RequestSizeLimitExceeded",
    ),
    ("get_over_64k", E, "error", lambda e: raw(e, FACE, face("same"), method="GET"), "RequestSizeLimitExceeded"),
    (
        "wrong_key",
        E,
        "error",
        lambda e: sdk_call(e, FACE, face("same"), secret_key="wrong-key-0000000000000000000000"),
        "AuthFailure.SignatureFailure",
    ),
    (
        "unknown_secret_id",
        E,
        "error",
        lambda e: sdk_call(e, FACE, face("same"), secret_id="AKIDunknown"),
        "AuthFailure.SecretIdNotFound",
    ),
    (
        "old_timestamp",
        E,
        "error",
        lambda e: raw(e, FACE, face("same"), timestamp=ts_old()),
        "AuthFailure.SignatureExpire",
    ),
    (
        "malformed_authorization",
        E,
        "error",
        lambda e: raw(e, FACE, face("same"), authorization="TC3-HMAC-SHA256 Credential=x"),
        "AuthFailure.InvalidAuthorization",
    ),
    (
        "unexpected_token",
        E,
        "error",
        lambda e: sdk_call(e, FACE, face("same"), token="sts-token"),
        "AuthFailure.TokenFailure",
    ),
]
RATE_LIMIT_CODE = "RequestLimitExceeded"  # reached in test_emulator_protocol.py::test_rate_limits


@pytest.mark.parametrize(("case_id", "server", "channel", "call", "code"), CASES, ids=[c[0] for c in CASES])
def test_code_is_reached(
    request: pytest.FixtureRequest,
    case_id: str,
    server: str,
    channel: str,
    call: Callable[[EmulatorServer], tuple[str, str, dict]],
    code: str,
) -> None:
    emu = request.getfixturevalue(server)
    got_channel, got_code, data = call(emu)
    assert (got_channel, got_code) == (channel, code), data.get("message") or data.get("Error")
    assert codes.info(code).channel == channel


def test_every_code_is_reached() -> None:
    reached = {c[4] for c in CASES} | {RATE_LIMIT_CODE}
    assert reached == set(codes.CODES), set(codes.CODES) ^ reached


def test_billing_flags_in_the_call_log(emulator: EmulatorServer) -> None:
    emulator.clear_calls()
    sdk_call(emulator, FACE, face("same"))
    sdk_call(emulator, FACE, face("other"))
    sdk_call(emulator, FACE, {**face("same"), "Name": "赵武华"})
    sdk_call(emulator, FACE, face("none"))
    sdk_call(emulator, FACE, {**face("same"), "IdCard": "110101194612091289"})
    calls = emulator.calls[-5:]
    assert [c.billed for c in calls] == [True, True, True, False, False]
    assert all(c.masked_id.count("*") >= 10 for c in calls)
    assert "赵" not in json.dumps([c.masked_id for c in calls], ensure_ascii=False)


@pytest.mark.parametrize(
    ("kind", "config", "warnings"),
    [
        ("cut_off", {"BorderCheckWarn": True}, "-9101"),
        ("photocopy", {"CopyWarn": True}, "-9102"),
        ("R", {"ReshootWarn": True}, "-9103"),
        ("T", {"TempIdWarn": True}, "-9104"),
        ("no_face", {"BorderCheckWarn": True}, "-9105"),
        ("P", {"DetectPsWarn": True}, "-9106"),
        ("blurry", {"Quality": True}, "-8001"),
        ("P", ALL_WARN, "-9106"),
        ("ok", ALL_WARN, ""),
        ("cut_off", {"Quality": True}, ""),  # warnings only when configured
    ],
)
def test_card_warnings(emulator: EmulatorServer, kind: str, config: dict[str, bool], warnings: str) -> None:
    channel, result, data = sdk_call(emulator, CARD, card(kind, config))
    assert channel == "result"
    assert data["Warnings"] == warnings
    if warnings:
        assert result == "FailedOperation.OcrWarningOccurred" and data["Sim"] == 0
        assert data["IdNum"] == zhao().id_number and data["Name"] == zhao().name  # OCR fields still there
    else:
        assert result in ("Success", "FailedOperation.CompareLowSimilarity")


def test_card_success_fields(emulator: EmulatorServer) -> None:
    _, result, data = sdk_call(emulator, CARD, card("ok", {"Quality": True}))
    p = zhao()
    assert result == "Success" and data["Sim"] >= 70 and data["Description"] == "Success"
    assert (data["Name"], data["Sex"], data["Nation"], data["Birth"], data["Address"], data["IdNum"]) == (
        p.name,
        p.sex,
        p.nation,
        p.birth,
        p.address,
        p.id_number,
    )
    assert data["Quality"] >= 80 and data["Warnings"] == ""
    portrait = cv2.imdecode(np.frombuffer(base64.b64decode(data["Portrait"]), np.uint8), cv2.IMREAD_COLOR)
    assert portrait is not None and shared_matcher().faces(portrait)
    _, _, blurry = sdk_call(emulator, CARD, card("blurry", {}))
    assert blurry["Quality"] < 50


def test_low_similarity_reports_sim(emulator: EmulatorServer) -> None:
    _, result, data = sdk_call(emulator, FACE, face("other", Extra="abc"))
    assert result == "FailedOperation.CompareLowSimilarity" and 0 < data["Sim"] < 70
    assert data["Extra"] == "abc"
