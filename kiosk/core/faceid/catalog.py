"""The one error catalog: every FaceID outcome code -> category, billing, UI message key.

Sources: faceid-api.md §2.6 (common codes), §4 (warning codes), §5.1 (per-API codes) and §5.2
(categories and billing). Message keys (``err.*``, ``warn.*``) are stable identifiers that the UI
translates; never rename one, add new ones instead.

Billing (``billed``) means "this outcome may have been charged":

* confirmed charged (§5.2: Success, IdNameMisMatch, CompareLowSimilarity) -> True;
* confirmed free (§5.2 table) and every ``Response.Error`` common code (the intl eKYC table marks
  all common errors as not billed) -> False;
* codes the doc infers as free (``No*``) -> False, ``billing_confirmed=False``;
* codes whose billing §7.1 explicitly calls unknown (OcrWarningOccurred, IdNoExistSystem,
  IdPhotoNoExist, the FailedOperation system errors) and every unknown code -> True
  (conservative: a possibly billed call is never repeated automatically and counts against the
  daily budget).

Module state is immutable after import; every function is pure and thread-safe.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CHECK_ID_CARD_CODES",
    "COMMON_CODES",
    "IMAGE_RECOGNITION_V2_CODES",
    "LOCAL_CODES",
    "OCR_WARNING",
    "SUCCESS",
    "WARNING_CODES",
    "CatalogEntry",
    "Category",
    "WarningEntry",
    "all_entries",
    "all_warnings",
    "classify_result",
    "is_known",
    "lookup",
    "warning",
    "worst_warning",
]

SUCCESS = "Success"
OCR_WARNING = "FailedOperation.OcrWarningOccurred"


class Category(enum.Enum):
    """What the kiosk should do with an outcome (§5.2 A..G plus SUCCESS)."""

    SUCCESS = "success"
    RECAPTURE = "recapture"
    IDENTITY_FAIL = "identity_fail"
    REGISTRATION_OFFICE = "registration_office"
    INPUT = "input"
    TRANSIENT = "transient"
    ACCOUNT_CONFIG = "account_config"
    ENCRYPTION = "encryption"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One outcome code. ``billed`` = may have been charged (conservative when unknown)."""

    code: str
    category: Category
    billed: bool
    message_key: str
    billing_confirmed: bool = False
    known: bool = True
    description: str = ""


WarningAction = Literal["recapture", "fraud", "staff"]


@dataclass(frozen=True, slots=True)
class WarningEntry:
    """One CheckIdCardInformation OCR warning (``Warnings`` field)."""

    code: str
    meaning: str
    action: WarningAction
    message_key: str
    config_flag: str


_C = Category

# (code, category, billed, message_key, billing_confirmed, description)
_Row = tuple[str, Category, bool, str, bool, str]

_FAILED_OPERATION: tuple[_Row, ...] = (
    ("FailedOperation.CompareFail", _C.TRANSIENT, False, "err.compare_failed", True, "comparison failed"),
    (
        "FailedOperation.CompareLibServiceUnavailable",
        _C.TRANSIENT,
        False,
        "err.authority_unavailable",
        False,
        "authoritative source under maintenance",
    ),
    (
        "FailedOperation.CompareLowSimilarity",
        _C.IDENTITY_FAIL,
        True,
        "err.low_similarity",
        True,
        "similarity below the pass threshold",
    ),
    (
        "FailedOperation.CompareSystemError",
        _C.TRANSIENT,
        True,
        "err.service_busy",
        False,
        "comparison system error",
    ),
    (
        "FailedOperation.DecryptSystemError",
        _C.ENCRYPTION,
        False,
        "err.encryption",
        False,
        "server could not decrypt",
    ),
    (
        "FailedOperation.DownLoadError",
        _C.TRANSIENT,
        False,
        "err.service_busy",
        False,
        "image URL download failed",
    ),
    ("FailedOperation.EmptyImageError", _C.RECAPTURE, False, "err.card_image_empty", False, "empty image"),
    ("FailedOperation.EncryptSystemError", _C.ENCRYPTION, False, "err.encryption", False, "encryption error"),
    ("FailedOperation.FileSaveError", _C.TRANSIENT, False, "err.service_busy", False, "file save error"),
    ("FailedOperation.IdFormatError", _C.INPUT, False, "err.id_format", False, "ID number format error"),
    (
        "FailedOperation.IdNameMisMatch",
        _C.IDENTITY_FAIL,
        True,
        "err.id_name_mismatch",
        True,
        "name and ID number do not match",
    ),
    (
        "FailedOperation.IdNoExistSystem",
        _C.REGISTRATION_OFFICE,
        True,
        "err.id_not_in_database",
        False,
        "ID number not in the authoritative database",
    ),
    (
        "FailedOperation.IdPhotoNoExist",
        _C.REGISTRATION_OFFICE,
        True,
        "err.no_reference_photo",
        False,
        "no reference photo on file",
    ),
    (
        "FailedOperation.IdPhotoPoorQuality",
        _C.REGISTRATION_OFFICE,
        False,
        "err.reference_photo_poor",
        True,
        "reference photo quality too low",
    ),
    (
        "FailedOperation.IdPhotoSystemNoanswer",
        _C.TRANSIENT,
        True,
        "err.service_busy",
        False,
        "authoritative photo system did not answer",
    ),
    (
        "FailedOperation.IdentityAuthLimitExceeded",
        _C.REGISTRATION_OFFICE,
        False,
        "err.daily_identity_limit",
        False,
        "daily verification limit for this identity reached",
    ),
    ("FailedOperation.ImageBlur", _C.RECAPTURE, False, "err.card_blurry", False, "card image blurry"),
    (
        "FailedOperation.ImageDecodeFailed",
        _C.RECAPTURE,
        False,
        "err.image_decode",
        True,
        "image decode failed",
    ),
    (
        "FailedOperation.ImageNoIdCard",
        _C.RECAPTURE,
        False,
        "err.no_id_card",
        False,
        "no ID card in the image",
    ),
    (
        "FailedOperation.ImageSizeTooLarge",
        _C.RECAPTURE,
        False,
        "err.image_too_large",
        False,
        "image too large",
    ),
    (
        "FailedOperation.LifePhotoDetectFaces",
        _C.RECAPTURE,
        False,
        "err.multiple_faces",
        True,
        "more than one face in the photo",
    ),
    (
        "FailedOperation.LifePhotoDetectFake",
        _C.IDENTITY_FAIL,
        False,
        "err.face_not_live",
        True,
        "live-person check failed (possible spoof)",
    ),
    (
        "FailedOperation.LifePhotoDetectNoFaces",
        _C.RECAPTURE,
        False,
        "err.no_face",
        True,
        "no face in the photo",
    ),
    (
        "FailedOperation.LifePhotoPoorQuality",
        _C.RECAPTURE,
        False,
        "err.face_poor_quality",
        True,
        "face photo quality too low",
    ),
    (
        "FailedOperation.LifePhotoSizeError",
        _C.RECAPTURE,
        False,
        "err.face_size",
        True,
        "face photo size error",
    ),
    ("FailedOperation.NameFormatError", _C.INPUT, False, "err.name_format", False, "name format error"),
    ("FailedOperation.OcrFailed", _C.RECAPTURE, False, "err.card_unreadable", False, "card OCR failed"),
    (
        OCR_WARNING,
        _C.RECAPTURE,
        True,
        "err.card_warning",
        False,
        "a configured card warning fired; see Warnings",
    ),
    (
        "FailedOperation.RequestLimitExceeded",
        _C.TRANSIENT,
        False,
        "err.service_busy",
        False,
        "FaceID business request limit (may be a quota)",
    ),
    (
        "FailedOperation.StsUnAuthErrError",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        False,
        "STS not authorised",
    ),
    ("FailedOperation.UnKnown", _C.TRANSIENT, True, "err.service_busy", False, "unknown internal error"),
)

_OTHER_API: tuple[_Row, ...] = (
    ("InternalError", _C.TRANSIENT, False, "err.service_busy", True, "internal error"),
    (
        "InternalError.EncryptSystemError",
        _C.ENCRYPTION,
        False,
        "err.encryption",
        True,
        "encryption system error",
    ),
    ("InternalError.UnKnown", _C.TRANSIENT, False, "err.service_busy", True, "unknown internal error"),
    ("InvalidParameter", _C.INPUT, False, "err.invalid_request", True, "invalid parameter"),
    (
        "InvalidParameter.UnsupportEncryptField",
        _C.ENCRYPTION,
        False,
        "err.encryption",
        True,
        "field not supported for encryption",
    ),
    ("InvalidParameterValue", _C.INPUT, False, "err.invalid_request", True, "invalid parameter value"),
    ("UnauthorizedOperation", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "not authorised"),
    (
        "UnauthorizedOperation.Arrears",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_arrears",
        True,
        "account in arrears",
    ),
    (
        "UnauthorizedOperation.ChargeStatusException",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "charge status exception",
    ),
    (
        "UnauthorizedOperation.NonAuthorize",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "identity verification not authorised",
    ),
    (
        "UnauthorizedOperation.Nonactivated",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "service not activated",
    ),
    ("UnsupportedOperation", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "unsupported operation"),
)

_COMMON: tuple[_Row, ...] = (
    (
        "AuthFailure.SignatureExpire",
        _C.ACCOUNT_CONFIG,
        False,
        "err.clock",
        True,
        "request timestamp out of range",
    ),
    (
        "AuthFailure.SignatureFailure",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "signature mismatch",
    ),
    (
        "AuthFailure.SecretIdNotFound",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "unknown SecretId",
    ),
    ("AuthFailure.InvalidSecretId", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "invalid SecretId"),
    ("AuthFailure.TokenFailure", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "STS token invalid"),
    (
        "AuthFailure.InvalidAuthorization",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "malformed Authorization",
    ),
    (
        "AuthFailure.UnauthorizedOperation",
        _C.ACCOUNT_CONFIG,
        False,
        "err.account_config",
        True,
        "CAM policy denies the action",
    ),
    ("AuthFailure.MFAFailure", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "MFA failure"),
    ("ActionOffline", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "action offline"),
    ("RequestLimitExceeded", _C.TRANSIENT, False, "err.service_busy", True, "rate limited"),
    (
        "RequestLimitExceeded.UinLimitExceeded",
        _C.TRANSIENT,
        False,
        "err.service_busy",
        True,
        "rate limited (uin)",
    ),
    (
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        _C.TRANSIENT,
        False,
        "err.service_busy",
        True,
        "rate limited (global)",
    ),
    (
        "RequestLimitExceeded.IPLimitExceeded",
        _C.TRANSIENT,
        False,
        "err.service_busy",
        True,
        "rate limited (IP)",
    ),
    ("MissingParameter", _C.INPUT, False, "err.invalid_request", True, "missing parameter"),
    ("UnknownParameter", _C.INPUT, False, "err.invalid_request", True, "unknown parameter"),
    ("RequestSizeLimitExceeded", _C.INPUT, False, "err.image_too_large", True, "request body too large"),
    ("InvalidAction", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "invalid action"),
    ("NoSuchVersion", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "no such API version"),
    ("NoSuchProduct", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "no such product"),
    ("UnsupportedRegion", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "unsupported region"),
    ("UnsupportedProtocol", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "unsupported protocol"),
    ("InvalidRequest", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "invalid request"),
    ("IpInBlacklist", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "IP blacklisted"),
    ("IpNotInWhitelist", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "IP not whitelisted"),
    ("ServiceUnavailable", _C.TRANSIENT, False, "err.service_busy", True, "service unavailable"),
    ("ResourceUnavailable", _C.ACCOUNT_CONFIG, False, "err.account_config", True, "resource unavailable"),
)

# Codes the client itself produces (no server code exists for them).
_LOCAL: tuple[_Row, ...] = (
    (SUCCESS, _C.SUCCESS, True, "ok", True, "success"),
    (
        "ClientNetworkError",
        _C.TRANSIENT,
        False,
        "err.network",
        True,
        "connection not established; nothing sent",
    ),
    (
        "ClientNetworkError.TLS",
        _C.ACCOUNT_CONFIG,
        False,
        "err.tls",
        True,
        "TLS handshake / certificate failure",
    ),
    ("ClientRateLimited", _C.TRANSIENT, False, "err.service_busy", True, "local rate limit wait exceeded"),
    ("OutcomeUnknown", _C.TRANSIENT, True, "err.outcome_unknown", False, "request sent, no reliable answer"),
    ("ServerNetworkError", _C.TRANSIENT, True, "err.outcome_unknown", False, "non-JSON / non-200 answer"),
    ("MalformedResponse", _C.TRANSIENT, True, "err.outcome_unknown", False, "response could not be parsed"),
    ("DecryptionFailed", _C.ENCRYPTION, True, "err.encryption", False, "response could not be decrypted"),
    ("BudgetExceeded", _C.ACCOUNT_CONFIG, False, "err.budget_exceeded", True, "daily call budget used up"),
    ("CredentialError", _C.ACCOUNT_CONFIG, False, "err.credentials", True, "no usable credentials"),
    ("ConfigError", _C.ACCOUNT_CONFIG, False, "err.config", True, "client configuration invalid"),
    ("InvalidRequest.Local", _C.INPUT, False, "err.invalid_request", True, "request rejected before sending"),
)

CHECK_ID_CARD_CODES: frozenset[str] = frozenset(
    {
        *(
            f"FailedOperation.{c}"
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
        OCR_WARNING,
    }
)
"""Codes CheckIdCardInformation can return (§5.1: 32 + OcrWarningOccurred)."""

IMAGE_RECOGNITION_V2_CODES: frozenset[str] = frozenset(
    {
        *(
            f"FailedOperation.{c}"
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
    }
)
"""Codes ImageRecognitionV2 can return (§5.1: 28)."""

COMMON_CODES: frozenset[str] = frozenset(row[0] for row in _COMMON) | {"InternalError"}
LOCAL_CODES: frozenset[str] = frozenset(row[0] for row in _LOCAL)

_ENTRIES: dict[str, CatalogEntry] = {
    code: CatalogEntry(code, cat, billed, key, confirmed, known=True, description=desc)
    for code, cat, billed, key, confirmed, desc in (*_FAILED_OPERATION, *_OTHER_API, *_COMMON, *_LOCAL)
}

_WARNINGS: dict[str, WarningEntry] = {
    w.code: w
    for w in (
        WarningEntry("-9101", "card border incomplete", "recapture", "warn.card_border", "BorderCheckWarn"),
        WarningEntry("-9102", "photocopy", "fraud", "warn.card_photocopy", "CopyWarn"),
        WarningEntry("-9103", "re-shot / screen recapture", "fraud", "warn.card_reshoot", "ReshootWarn"),
        WarningEntry("-9104", "temporary ID card", "staff", "warn.card_temporary", "TempIdWarn"),
        WarningEntry("-9105", "occlusion inside the card frame", "recapture", "warn.card_occluded", "BorderCheckWarn"),
        WarningEntry("-9106", "suspected tampering", "fraud", "warn.card_tampered", "DetectPsWarn"),
        WarningEntry("-8001", "blurry image", "recapture", "warn.card_blurry", "Quality"),
    )
}
WARNING_CODES: frozenset[str] = frozenset(_WARNINGS)


def is_known(code: str) -> bool:
    """True when ``code`` has its own catalog entry."""
    return code in _ENTRIES


def lookup(code: str) -> CatalogEntry:
    """The entry for ``code``; unknown codes get a safe, conservative entry (never raises).

    Unknown ``AuthFailure.*`` / ``UnauthorizedOperation.*`` / ``InvalidParameter*`` map by family;
    anything else is TRANSIENT and treated as possibly billed.
    """
    entry = _ENTRIES.get(code)
    if entry is not None:
        return entry
    code = str(code)
    family = code.split(".", 1)[0]
    if family in {"AuthFailure", "UnauthorizedOperation", "OperationDenied", "UnsupportedOperation"}:
        return CatalogEntry(code, Category.ACCOUNT_CONFIG, False, "err.account_config", False, known=False)
    if family in {"InvalidParameter", "InvalidParameterValue", "MissingParameter", "UnknownParameter"}:
        return CatalogEntry(code, Category.INPUT, False, "err.invalid_request", False, known=False)
    if family == "RequestLimitExceeded":
        return CatalogEntry(code, Category.TRANSIENT, False, "err.service_busy", False, known=False)
    return CatalogEntry(code, Category.TRANSIENT, True, "err.unknown", False, known=False)


def warning(code: str) -> WarningEntry:
    """The entry for one warning code; an unknown code asks for staff (never raises)."""
    found = _WARNINGS.get(code.strip())
    if found is not None:
        return found
    return WarningEntry(code, "unknown warning", "staff", "warn.unknown", "")


_ACTION_RANK: dict[str, int] = {"recapture": 0, "staff": 1, "fraud": 2}


def worst_warning(warnings: tuple[str, ...]) -> WarningEntry | None:
    """The most severe of the ``Warnings`` codes (fraud > staff > recapture; first wins a tie),
    or None when there is none."""
    entries = [warning(w) for w in warnings if w.strip()]
    return max(entries, key=lambda e: _ACTION_RANK[e.action]) if entries else None


def classify_result(result: str, warnings: tuple[str, ...] = ()) -> CatalogEntry:
    """The outcome entry for a response's ``Result`` (and ``Warnings`` for OcrWarningOccurred).

    For ``FailedOperation.OcrWarningOccurred`` the most severe warning decides: any fraud or staff
    warning (or an empty/unknown warning list) -> IDENTITY_FAIL with that warning's message key;
    only recapture warnings -> RECAPTURE with the first warning's key.
    """
    base = lookup(result)
    if result != OCR_WARNING:
        return base
    worst = worst_warning(warnings)
    if worst is None:
        return CatalogEntry(result, Category.IDENTITY_FAIL, base.billed, "warn.unknown", False)
    category = Category.RECAPTURE if worst.action == "recapture" else Category.IDENTITY_FAIL
    return CatalogEntry(
        result, category, base.billed, worst.message_key, base.billing_confirmed, True, base.description
    )


def all_entries() -> tuple[CatalogEntry, ...]:
    """Every catalog entry (for docs, i18n completeness checks and tests)."""
    return tuple(_ENTRIES.values())


def all_warnings() -> tuple[WarningEntry, ...]:
    """Every known warning entry."""
    return tuple(_WARNINGS.values())
