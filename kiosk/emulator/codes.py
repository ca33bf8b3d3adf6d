"""Outcome codes the emulator returns: channel, billing and the zh-CN / en-US texts.

Channel (faceid-api.md §2.1 describes both; which code travels in which is not documented, so the
emulator follows one rule and documents it):

* ``error`` (``Response.Error``, the SDK raises): the request could not be processed at all:
  authentication, rate limits, unknown action/version, missing or malformed parameters, input
  that is not a usable image of the allowed size, ID/name format errors, decryption failures,
  injected internal errors;
* ``result`` (``Response.Result``, HTTP-level success): the request was processed and this is its
  business outcome: ``Success``, comparison results, identity-database outcomes, card/face
  findings (no card, no face, several faces, poor quality), ``OcrWarningOccurred``.

Billing (§5.2): only ``Success``, ``FailedOperation.IdNameMisMatch`` and
``FailedOperation.CompareLowSimilarity`` are billed; everything else is free.

Module state is immutable; thread-safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["BILLED", "CODES", "CodeInfo", "description", "info", "message"]

Channel = Literal["error", "result"]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One code: which failure channel carries it, whether billed, texts in two languages."""

    code: str
    channel: Channel
    zh: str
    en: str

    @property
    def billed(self) -> bool:
        return self.code in BILLED


BILLED = frozenset({"Success", "FailedOperation.IdNameMisMatch", "FailedOperation.CompareLowSimilarity"})

_TABLE: tuple[tuple[str, Channel, str, str], ...] = (
    # --- results -------------------------------------------------------------------------------
    ("Success", "result", "成功", "Success"),
    (
        "FailedOperation.CompareLowSimilarity",
        "result",
        "比对相似度未达到通过标准",
        "The similarity did not reach the passing standard.",
    ),
    (
        "FailedOperation.IdNameMisMatch",
        "result",
        "姓名和身份证号不一致，请核实后重试",
        "The name does not match the ID number.",
    ),
    (
        "FailedOperation.IdNoExistSystem",
        "result",
        "库中无此号，请到户籍所在地进行核实",
        "The ID number is not in the database; please verify at your household registration office.",
    ),
    (
        "FailedOperation.IdPhotoNoExist",
        "result",
        "库中无此用户的照片，请到户籍所在地进行核实",
        "There is no photo of this person in the database.",
    ),
    (
        "FailedOperation.IdPhotoPoorQuality",
        "result",
        "证件图片分辨率太低，请重新上传",
        "The reference photo is of too low quality to compare.",
    ),
    ("FailedOperation.ImageNoIdCard", "result", "图片中未检测到身份证", "No ID card was detected in the image."),
    ("FailedOperation.OcrFailed", "result", "OCR识别失败", "OCR failed."),
    ("FailedOperation.OcrWarningOccurred", "result", "出现OCR告警", "An OCR warning occurred."),
    ("FailedOperation.LifePhotoDetectNoFaces", "result", "未能检测到完整人脸", "No complete face was detected."),
    ("FailedOperation.LifePhotoDetectFaces", "result", "检测到多张人脸", "More than one face was detected."),
    (
        "FailedOperation.LifePhotoPoorQuality",
        "result",
        "传入图片分辨率太低，请重新上传",
        "The photo quality is too low (blurry or the face is too small).",
    ),
    # --- errors: business input ---------------------------------------------------------------
    ("FailedOperation.ImageDecodeFailed", "error", "图片解码失败", "Failed to decode the image."),
    ("FailedOperation.EmptyImageError", "error", "图片内容为空", "The image is empty."),
    ("FailedOperation.ImageSizeTooLarge", "error", "图片尺寸过大", "The image is too large."),
    ("FailedOperation.LifePhotoSizeError", "error", "传入图片过大或过小", "The photo is too large or too small."),
    ("FailedOperation.DownLoadError", "error", "文件下载失败", "Failed to download the file."),
    ("FailedOperation.IdFormatError", "error", "输入的身份证号有误", "The ID number is invalid."),
    ("FailedOperation.NameFormatError", "error", "输入的姓名有误", "The name is invalid."),
    ("FailedOperation.DecryptSystemError", "error", "解密失败", "Decryption failed."),
    ("FailedOperation.EncryptSystemError", "error", "加密失败", "Encryption failed."),
    ("FailedOperation.UnKnown", "error", "内部未知错误", "Unknown internal error."),
    # --- errors: common -----------------------------------------------------------------------
    (
        "AuthFailure.SignatureFailure",
        "error",
        "请求签名验证失败，请检查您的签名计算是否正确。",
        "The provided credentials could not be validated. Please check your signature is correct.",
    ),
    (
        "AuthFailure.SignatureExpire",
        "error",
        "签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。",
        "Signature expired. Timestamp and server time cannot differ by more than five minutes.",
    ),
    (
        "AuthFailure.SecretIdNotFound",
        "error",
        "密钥不存在。请在控制台检查密钥是否已被删除或者禁用。",
        "The SecretId does not exist. Check that the key is correct and enabled.",
    ),
    (
        "AuthFailure.InvalidAuthorization",
        "error",
        "请求头部的 Authorization 不符合腾讯云标准。",
        "The Authorization header is invalid.",
    ),
    ("AuthFailure.TokenFailure", "error", "token 错误。", "Token error."),
    (
        "RequestLimitExceeded",
        "error",
        "请求的次数超过了频率限制。",
        "The number of requests exceeds the frequency limit.",
    ),
    ("RequestSizeLimitExceeded", "error", "请求包超过限制大小。", "The request size exceeds the limit."),
    ("InvalidAction", "error", "接口不存在。", "The API does not exist."),
    ("NoSuchVersion", "error", "接口版本不存在。", "The API version does not exist."),
    ("MissingParameter", "error", "缺少参数错误。", "A required parameter is missing."),
    ("UnknownParameter", "error", "未知参数错误。", "Unknown parameter."),
    ("InvalidParameter", "error", "参数错误。", "Incorrect parameter."),
    (
        "InvalidParameter.UnsupportEncryptField",
        "error",
        "存在不加密的字段，请参考文档修改。",
        "A field in EncryptList cannot be encrypted for this API.",
    ),
    ("InvalidParameterValue", "error", "参数取值错误。", "Invalid parameter value."),
    (
        "UnsupportedProtocol",
        "error",
        "HTTP(S)请求协议错误，只支持 GET 和 POST 请求。",
        "Only GET and POST requests are supported.",
    ),
    ("InternalError", "error", "内部错误。", "Internal error."),
)

CODES: dict[str, CodeInfo] = {row[0]: CodeInfo(*row) for row in _TABLE}


def info(code: str) -> CodeInfo:
    """The entry for ``code``; ``KeyError`` for a code the emulator never returns."""
    return CODES[code]


def _english(language: str | None) -> bool:
    return (language or "").lower().startswith("en")


def description(code: str, language: str | None) -> str:
    """``Description`` text for a ``Result`` code in ``zh-CN`` (default) or ``en-US``."""
    entry = CODES[code]
    return entry.en if _english(language) else entry.zh


def message(code: str, language: str | None, detail: str | None = None) -> str:
    """``Error.Message`` for an error code, optionally with a detail (no PII in details)."""
    entry = CODES[code]
    text = entry.en if _english(language) else entry.zh
    return f"{text} ({detail})" if detail else text
