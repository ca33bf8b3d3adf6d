"""The error catalog covers every documented code with a sane category, billing and message key."""

from __future__ import annotations

import re

import pytest

from kiosk.core.faceid import catalog
from kiosk.core.faceid.catalog import Category, classify_result, lookup, warning
from tests.support.assets import doc

DOC = doc("faceid-api.md")  # the project's FaceID API notes, copied into tests/assets/docs

# faceid-api.md §5.1, listed explicitly: the doc test below checks the doc lists exactly these.
CHECK_ID_CARD_DOC = [
    *(
        "FailedOperation." + c
        for c in [
            "CompareFail",
            "CompareLowSimilarity",
            "CompareSystemError",
            "DownLoadError",
            "EmptyImageError",
            "EncryptSystemError",
            "FileSaveError",
            "IdFormatError",
            "IdNameMisMatch",
            "IdNoExistSystem",
            "IdPhotoNoExist",
            "IdPhotoPoorQuality",
            "IdPhotoSystemNoanswer",
            "ImageBlur",
            "ImageDecodeFailed",
            "ImageNoIdCard",
            "ImageSizeTooLarge",
            "LifePhotoDetectFaces",
            "LifePhotoDetectFake",
            "LifePhotoDetectNoFaces",
            "LifePhotoPoorQuality",
            "LifePhotoSizeError",
            "OcrFailed",
            "RequestLimitExceeded",
            "StsUnAuthErrError",
            "UnKnown",
        ]
    ),
    "InternalError.EncryptSystemError",
    "InternalError.UnKnown",
    "InvalidParameter",
    "UnauthorizedOperation.Arrears",
    "UnauthorizedOperation.ChargeStatusException",
    "UnauthorizedOperation.Nonactivated",
]
IMAGE_RECOGNITION_DOC = [
    *(
        "FailedOperation." + c
        for c in [
            "CompareFail",
            "CompareLibServiceUnavailable",
            "CompareLowSimilarity",
            "CompareSystemError",
            "DecryptSystemError",
            "IdFormatError",
            "IdNameMisMatch",
            "IdNoExistSystem",
            "IdPhotoNoExist",
            "IdPhotoPoorQuality",
            "IdPhotoSystemNoanswer",
            "IdentityAuthLimitExceeded",
            "LifePhotoDetectFaces",
            "LifePhotoDetectFake",
            "LifePhotoDetectNoFaces",
            "LifePhotoPoorQuality",
            "LifePhotoSizeError",
            "NameFormatError",
            "StsUnAuthErrError",
            "UnKnown",
        ]
    ),
    "InvalidParameter",
    "InvalidParameter.UnsupportEncryptField",
    "InvalidParameterValue",
    "UnauthorizedOperation",
    "UnauthorizedOperation.Arrears",
    "UnauthorizedOperation.NonAuthorize",
    "UnauthorizedOperation.Nonactivated",
    "UnsupportedOperation",
]
COMMON_DOC = [
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.InvalidSecretId",
    "AuthFailure.TokenFailure",
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.UnauthorizedOperation",
    "UnauthorizedOperation",
    "AuthFailure.MFAFailure",
    "ActionOffline",
    "RequestLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "RequestLimitExceeded.IPLimitExceeded",
    "InternalError",
    "InvalidParameter",
    "InvalidParameterValue",
    "MissingParameter",
    "UnknownParameter",
    "RequestSizeLimitExceeded",
    "InvalidAction",
    "NoSuchVersion",
    "NoSuchProduct",
    "UnsupportedRegion",
    "UnsupportedProtocol",
    "InvalidRequest",
    "IpInBlacklist",
    "IpNotInWhitelist",
    "ServiceUnavailable",
    "ResourceUnavailable",
]
WARNINGS_DOC = ["-9101", "-9102", "-9103", "-9104", "-9105", "-9106", "-8001"]


def test_counts_match_the_doc() -> None:
    assert len(CHECK_ID_CARD_DOC) == 32
    assert len(IMAGE_RECOGNITION_DOC) == 28
    assert set(CHECK_ID_CARD_DOC) | {"FailedOperation.OcrWarningOccurred"} == catalog.CHECK_ID_CARD_CODES
    assert set(IMAGE_RECOGNITION_DOC) == catalog.IMAGE_RECOGNITION_V2_CODES


@pytest.mark.parametrize(
    "code",
    sorted({*CHECK_ID_CARD_DOC, *IMAGE_RECOGNITION_DOC, *COMMON_DOC, "FailedOperation.OcrWarningOccurred"}),
)
def test_every_documented_code_has_an_entry(code: str) -> None:
    assert catalog.is_known(code)
    entry = lookup(code)
    assert entry.code == code and entry.known
    assert re.fullmatch(r"(err|warn)\.[a-z_]+", entry.message_key)
    assert isinstance(entry.billed, bool) and isinstance(entry.category, Category)


def _doc_section(title: str, next_title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(title) : text.index(next_title)]


def test_codes_parsed_from_the_doc_are_all_known() -> None:
    section = _doc_section("### 5.1 What each API can return", "### 5.2")
    found: set[str] = set()
    for raw_line in section.splitlines():
        line = raw_line.strip()
        m = re.match(r"^- (FailedOperation): (.+)\.$", line)
        if m:
            found |= {f"FailedOperation.{c.strip()}" for c in m.group(2).split(",")}
            continue
        if line.startswith("- ") and not line.startswith("- Plus"):
            items = line[2:].rstrip(".").split(",")
            found |= {i.strip() for i in items if re.fullmatch(r"[A-Za-z]+(\.[A-Za-z]+)?", i.strip())}
        if "OcrWarningOccurred" in line:
            found.add("FailedOperation.OcrWarningOccurred")
    # the parsed doc lists are exactly the explicit lists above (42 distinct codes)
    assert found == {*CHECK_ID_CARD_DOC, *IMAGE_RECOGNITION_DOC, "FailedOperation.OcrWarningOccurred"}
    missing = sorted(c for c in found if not catalog.is_known(c))
    assert missing == []
    common = _doc_section("### 2.6 Common error codes", "## 3. FaceID data encryption")
    codes = set(re.findall(r"`((?:[A-Z][A-Za-z]+)(?:\.[A-Za-z]+)?)`", common))
    codes |= {"RequestLimitExceeded." + c for c in re.findall(r"`\.([A-Za-z]+)`", common)}
    codes.discard("Date")
    assert len(codes) >= 25
    assert sorted(c for c in codes if not catalog.is_known(c)) == []
    warn = _doc_section("### Warning codes", "## 5. Business")
    assert set(re.findall(r"\| (-\d{4}) \|", warn)) == set(WARNINGS_DOC)


def test_billing_per_doc() -> None:
    # §5.2 confirmed charged
    for code in ("Success", "FailedOperation.IdNameMisMatch", "FailedOperation.CompareLowSimilarity"):
        assert lookup(code).billed and lookup(code).billing_confirmed
    # §5.2 confirmed free
    for code in (
        "FailedOperation.IdPhotoPoorQuality",
        "FailedOperation.LifePhotoDetectFaces",
        "FailedOperation.LifePhotoDetectFake",
        "FailedOperation.LifePhotoDetectNoFaces",
        "FailedOperation.CompareFail",
        "FailedOperation.ImageDecodeFailed",
    ):
        assert not lookup(code).billed and lookup(code).billing_confirmed
    # §7.1 unknown -> conservative
    for code in (
        "FailedOperation.OcrWarningOccurred",
        "FailedOperation.IdNoExistSystem",
        "FailedOperation.IdPhotoNoExist",
    ):
        assert lookup(code).billed and not lookup(code).billing_confirmed
    # common error channel codes are never billed
    for code in COMMON_DOC:
        assert not lookup(code).billed


def test_categories_per_doc() -> None:
    expect = {
        "FailedOperation.ImageBlur": Category.RECAPTURE,
        "FailedOperation.LifePhotoDetectNoFaces": Category.RECAPTURE,
        "FailedOperation.CompareLowSimilarity": Category.IDENTITY_FAIL,
        "FailedOperation.LifePhotoDetectFake": Category.IDENTITY_FAIL,
        "FailedOperation.IdNoExistSystem": Category.REGISTRATION_OFFICE,
        "FailedOperation.IdentityAuthLimitExceeded": Category.REGISTRATION_OFFICE,
        "FailedOperation.IdFormatError": Category.INPUT,
        "InvalidParameterValue": Category.INPUT,
        "FailedOperation.CompareLibServiceUnavailable": Category.TRANSIENT,
        "RequestLimitExceeded": Category.TRANSIENT,
        "UnauthorizedOperation.Arrears": Category.ACCOUNT_CONFIG,
        "AuthFailure.SecretIdNotFound": Category.ACCOUNT_CONFIG,
        "FailedOperation.DecryptSystemError": Category.ENCRYPTION,
        "InvalidParameter.UnsupportEncryptField": Category.ENCRYPTION,
        "Success": Category.SUCCESS,
    }
    for code, cat in expect.items():
        assert lookup(code).category is cat, code


def test_warnings() -> None:
    actions = {w: warning(w).action for w in WARNINGS_DOC}
    assert actions == {
        "-9101": "recapture",
        "-9102": "fraud",
        "-9103": "fraud",
        "-9104": "staff",
        "-9105": "recapture",
        "-9106": "fraud",
        "-8001": "recapture",
    }
    assert len({warning(w).message_key for w in WARNINGS_DOC}) == 7
    assert warning("-1234").action == "staff"


def test_classify_ocr_warning_by_severity() -> None:
    ocr = "FailedOperation.OcrWarningOccurred"
    assert classify_result(ocr, ("-9101",)).category is Category.RECAPTURE
    assert classify_result(ocr, ("-8001", "-9105")).message_key == "warn.card_blurry"
    worst = classify_result(ocr, ("-9101", "-9106"))
    assert worst.category is Category.IDENTITY_FAIL and worst.message_key == "warn.card_tampered"
    assert classify_result(ocr, ("-9104",)).category is Category.IDENTITY_FAIL
    assert classify_result(ocr, ()).category is Category.IDENTITY_FAIL
    assert classify_result("Success", ("-9101",)).category is Category.SUCCESS


@pytest.mark.parametrize(
    ("code", "category", "billed"),
    [
        ("FailedOperation.SomethingNew", Category.TRANSIENT, True),
        ("Totally.Unknown", Category.TRANSIENT, True),
        ("AuthFailure.NewThing", Category.ACCOUNT_CONFIG, False),
        ("UnauthorizedOperation.NewThing", Category.ACCOUNT_CONFIG, False),
        ("InvalidParameterValue.NewThing", Category.INPUT, False),
        ("RequestLimitExceeded.NewThing", Category.TRANSIENT, False),
    ],
)
def test_unknown_codes_get_safe_entries(code: str, category: Category, billed: bool) -> None:
    entry = lookup(code)
    assert entry.category is category and entry.billed is billed and not entry.known


def test_message_keys_are_stable_identifiers() -> None:
    for entry in catalog.all_entries():
        assert re.fullmatch(r"(ok|(err|warn)\.[a-z_]+)", entry.message_key), entry
