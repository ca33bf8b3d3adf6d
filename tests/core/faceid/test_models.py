"""Request serialisation (vs the SDK models), defensive response parsing, PII-free reprs."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.faceid.catalog import Category
from kiosk.core.faceid.crypto import EncryptionSession, aes_cbc_decrypt
from kiosk.core.faceid.errors import InvalidRequestError, MalformedResponseError
from kiosk.core.faceid.models import (
    CardConfig,
    CheckIdCardInformationRequest,
    CheckIdCardInformationResponse,
    ImageRecognitionV2Request,
    ImageRecognitionV2Response,
    encode_body,
    split_envelope,
)
from tests.support.assets import doc

sdk_models = pytest.importorskip("tencentcloud.faceid.v20180301.models")

ID = "11010519491231002X"
NAME = "韦小宝"

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_opt_text = st.one_of(st.none(), _text)
_opt_bool = st.one_of(st.none(), st.booleans())


def _sdk_body(model: Any) -> bytes:
    return json.dumps(model._serialize()).encode()


@settings(max_examples=100, deadline=None)
@given(
    img=_opt_text,
    url=_opt_text,
    flags=st.tuples(*[st.booleans()] * 6),
    use_config=st.booleans(),
    is_encrypt=_opt_bool,
    is_encrypt_response=_opt_bool,
)
def test_check_id_card_body_matches_sdk(
    img: str | None,
    url: str | None,
    flags: tuple[bool, ...],
    use_config: bool,
    is_encrypt: bool | None,
    is_encrypt_response: bool | None,
) -> None:
    config = CardConfig(*flags) if use_config else None
    req = CheckIdCardInformationRequest(img, url, config, is_encrypt, is_encrypt_response)
    session = EncryptionSession(_tencent_pem())
    ours = encode_body(req.to_params(session))
    sdk = sdk_models.CheckIdCardInformationRequest()
    sdk.ImageBase64 = img
    sdk.ImageUrl = url
    sdk.Config = config.to_json() if config else None
    sdk.IsEncrypt = is_encrypt
    sdk.IsEncryptResponse = is_encrypt_response
    if req.needs_encryption:
        enc = sdk_models.Encryption()
        obj = json.loads(ours)["Encryption"]
        enc.EncryptList, enc.CiphertextBlob, enc.Iv = obj["EncryptList"], obj["CiphertextBlob"], obj["Iv"]
        enc.Algorithm, enc.TagList = obj["Algorithm"], obj["TagList"]
        sdk.Encryption = enc
    assert ours == _sdk_body(sdk)


@settings(max_examples=100, deadline=None)
@given(id_card=_text, name=_text, img=_text, optional=_opt_text, extra=_opt_text)
def test_image_recognition_body_matches_sdk(
    id_card: str, name: str, img: str, optional: str | None, extra: str | None
) -> None:
    req = ImageRecognitionV2Request(id_card, name, img, optional, extra)
    sdk = sdk_models.ImageRecognitionV2Request()
    sdk.IdCard, sdk.Name, sdk.ImageBase64, sdk.Optional, sdk.Extra = id_card, name, img, optional, extra
    ours = encode_body(req.to_params())
    assert ours == _sdk_body(sdk)
    assert ours.isascii()


def _tencent_pem() -> str:
    from kiosk.core.faceid.crypto import TENCENT_RSA_PUBLIC_KEY_PEM

    return TENCENT_RSA_PUBLIC_KEY_PEM


def test_encrypted_image_recognition_params() -> None:
    session = EncryptionSession(_tencent_pem(), key=b"k" * 32, iv=b"i" * 16)
    params = ImageRecognitionV2Request(ID, NAME, "AAAA", extra="e").to_params(session)
    assert list(params) == ["IdCard", "Name", "ImageBase64", "Encryption", "Extra"]
    assert aes_cbc_decrypt(b"k" * 32, b"i" * 16, base64.b64decode(params["IdCard"])) == ID.encode()
    assert aes_cbc_decrypt(b"k" * 32, b"i" * 16, base64.b64decode(params["Name"])).decode() == NAME
    enc = params["Encryption"]
    assert enc["EncryptList"] == ["IdCard", "Name"] and enc["Iv"] == base64.b64encode(b"i" * 16).decode()


def test_config_is_a_json_string() -> None:
    assert CardConfig().to_json() is None
    assert CardConfig(copy_warn=True, reshoot_warn=True).to_json() == '{"CopyWarn": true, "ReshootWarn": true}'
    assert json.loads(CardConfig.all_warnings().to_json() or "") == {
        "CopyWarn": True,
        "BorderCheckWarn": True,
        "ReshootWarn": True,
        "DetectPsWarn": True,
        "TempIdWarn": True,
        "Quality": True,
    }
    body = encode_body(CheckIdCardInformationRequest("AAAA", config=CardConfig(copy_warn=True)).to_params())
    assert body == b'{"ImageBase64": "AAAA", "Config": "{\\"CopyWarn\\": true}"}'


@pytest.mark.parametrize(
    "req",
    [
        CheckIdCardInformationRequest(),
        CheckIdCardInformationRequest(image_base64="data:image/jpeg;base64,AAAA"),
        CheckIdCardInformationRequest(image_base64="A" * (7 * 1024 * 1024 + 1)),
        CheckIdCardInformationRequest(image_url="ftp://x"),
        ImageRecognitionV2Request("1101051949123100", NAME, "AAAA"),
        ImageRecognitionV2Request("11010519491231002x", NAME, "AAAA"),
        ImageRecognitionV2Request(ID, " ", "AAAA"),
        ImageRecognitionV2Request(ID, NAME, ""),
        ImageRecognitionV2Request(ID, NAME, "A" * (3 * 1024 * 1024 + 1)),
    ],
)
def test_validation(req: Any) -> None:
    with pytest.raises(InvalidRequestError):
        req.validate()


def test_is_encrypt_requires_a_session() -> None:
    with pytest.raises(InvalidRequestError):
        CheckIdCardInformationRequest("AAAA", is_encrypt=True).to_params()


# ---------------------------------------------------------------------------------- responses


def test_parses_the_official_examples() -> None:
    # Tencent's official request/response examples (tencentcloud-cli), copied into tests/assets/docs
    data = json.loads(doc("faceid-examples.json").read_text(encoding="utf-8"))["actions"]
    warn, ok = (json.loads(e["output"])["Response"] for e in data["CheckIdCardInformation"])
    r = CheckIdCardInformationResponse.from_response(warn)
    assert r.result == "FailedOperation.OcrWarningOccurred" and r.warnings == ("-9101",) and r.sim == 0
    assert r.outcome.category is Category.RECAPTURE and r.name == "韦小宝" and r.birth == "1654/12/20"
    r = CheckIdCardInformationResponse.from_response(ok)
    assert r.ok and r.sim == 99.76 and r.warnings == () and r.quality == 98 and r.encryption is None
    good, low = (json.loads(e["output"])["Response"] for e in data["ImageRecognitionV2"])
    assert ImageRecognitionV2Response.from_response(good).sim == 89.88
    low_r = ImageRecognitionV2Response.from_response(low)
    assert not low_r.ok and low_r.outcome.category is Category.IDENTITY_FAIL and low_r.billed


@pytest.mark.parametrize(
    "resp",
    [
        {},
        {"RequestId": "r"},
        {"RequestId": 5, "Result": "Success", "Sim": 1},
        {"RequestId": "r", "Result": "Success"},
        {"RequestId": "r", "Result": "Success", "Sim": "99"},
        {"RequestId": "r", "Result": "Success", "Sim": True},
        {"RequestId": "r", "Result": "Success", "Sim": 101},
        {"RequestId": "r", "Result": "Success", "Sim": float("nan")},
        {"RequestId": "r", "Result": "Success", "Sim": 1, "Warnings": ["-9101"]},
        {"RequestId": "r", "Result": "Success", "Sim": 1, "Name": 7},
        {"RequestId": "r", "Result": "Success", "Sim": 1, "Encryption": "x"},
        {"RequestId": "r", "Result": "Success", "Sim": 1, "Encryption": {"EncryptList": "Response.Name"}},
        {"RequestId": "r", "Result": ["Success"], "Sim": 1},
    ],
)
def test_malformed_responses(resp: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError):
        CheckIdCardInformationResponse.from_response(resp)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=10,
)
_field_names = st.sampled_from(
    [
        "RequestId",
        "Result",
        "Sim",
        "Description",
        "Name",
        "Sex",
        "Nation",
        "Birth",
        "Address",
        "IdNum",
        "Portrait",
        "Warnings",
        "Quality",
        "Encryption",
        "EncryptedBody",
        "Extra",
        "Error",
    ]
)
_responses = st.dictionaries(_field_names, _json, max_size=10) | st.fixed_dictionaries(
    {"RequestId": _text, "Result": st.sampled_from(["Success", "FailedOperation.OcrWarningOccurred", "X"])},
    optional={"Sim": _json, "Warnings": _json, "Quality": _json, "Encryption": _json, "Name": _json},
)


@settings(max_examples=300, deadline=None)
@given(_responses)
def test_parser_fuzz_only_malformed_errors(data: dict[str, Any]) -> None:
    for parser in (CheckIdCardInformationResponse.from_response, ImageRecognitionV2Response.from_response):
        try:
            parsed = parser(data)
        except MalformedResponseError as exc:
            assert exc.code == "MalformedResponse"
            continue
        assert isinstance(parsed.result, str) and isinstance(parsed.request_id, str)
        repr(parsed)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _json,
        st.fixed_dictionaries({"Response": _json}),
        st.fixed_dictionaries({"Response": st.fixed_dictionaries({"Error": _json}, optional={"RequestId": _json})}),
    )
)
def test_envelope_fuzz(data: Any) -> None:
    try:
        inner, err = split_envelope(data)
    except MalformedResponseError:
        return
    assert isinstance(inner, dict)
    assert err is None or (isinstance(err.code, str) and err.code)


def test_error_envelope() -> None:
    _inner, err = split_envelope(
        {"Response": {"Error": {"Code": "InvalidParameter", "Message": "m"}, "RequestId": "rid"}}
    )
    assert err is not None and err.code == "InvalidParameter" and err.request_id == "rid"
    assert "m" not in repr(err).replace("message", "").replace("InvalidParameter", "")


# ---------------------------------------------------------------------------------- masking


def test_reprs_mask_pii_and_images() -> None:
    img = base64.b64encode(b"\xff\xd8" + b"x" * 300).decode()
    texts = [
        repr(ImageRecognitionV2Request(ID, NAME, img, optional="opt-secret", extra="extra-secret")),
        str(ImageRecognitionV2Request(ID, NAME, img)),
        repr(CheckIdCardInformationRequest(img, image_url="https://bucket/secret-path")),
    ]
    resp = CheckIdCardInformationResponse.from_response(
        {
            "RequestId": "rid-1",
            "Result": "Success",
            "Sim": 99.0,
            "Name": NAME,
            "IdNum": ID,
            "Address": "北京市东城区",
            "Birth": "1949/12/31",
            "Portrait": img,
        }
    )
    texts += [repr(resp), str(resp)]
    for text in texts:
        for leak in (ID, NAME, img[:20], "北京市", "1949/12/31", "secret"):
            assert leak not in text, (leak, text)
    assert "韦**" in texts[0] and "1****************X" in texts[0]
    assert "rid-1" in repr(resp) and resp.masked_id == "1****************X"
