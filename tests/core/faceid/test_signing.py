"""TC3 signing: the documented vectors (faceid-api.md §1.4) and the official SDK as an oracle."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.faceid import signing
from kiosk.core.faceid.signing import (
    canonical_request,
    derive_signing_key,
    encode_query,
    parse_authorization,
    sign_tc3,
    string_to_sign,
    tc3_date,
    verify_authorization,
)

SID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
SKEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TS = 1700000000
HOST = "faceid.intl.tencentcloudapi.com"
V1_BODY = b'{"IdCard": "11204416541220243X", "Name": "\\u97e6\\u5c0f\\u5b9d", "ImageBase64": "/9j/4AAQSkZJRg=="}'
V1_PARAMS = {"IdCard": "11204416541220243X", "Name": "韦小宝", "ImageBase64": "/9j/4AAQSkZJRg=="}


def _hmac_hex(key: bytes, msg: str) -> str:
    import hmac

    return hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()


class TestVectorV1:
    def test_body_is_what_the_sdk_serialises(self) -> None:
        assert len(V1_BODY) == 97
        assert json.dumps(V1_PARAMS).encode() == V1_BODY

    def test_intermediate_values(self) -> None:
        assert hashlib.sha256(V1_BODY).hexdigest() == (
            "a936003f064aa0edf635cbb9d926c3b59e4f8fa2238d87a79d9e3748cefaf8a3"
        )
        canon = canonical_request(method="POST", host=HOST, content_type="application/json", payload=V1_BODY)
        assert canon == (
            "POST\n/\n\ncontent-type:application/json\nhost:faceid.intl.tencentcloudapi.com\n\n"
            "content-type;host\na936003f064aa0edf635cbb9d926c3b59e4f8fa2238d87a79d9e3748cefaf8a3"
        )
        assert hashlib.sha256(canon.encode()).hexdigest() == (
            "8c0dddbe4eea820125833d9385108d68a17c5a8474701e9596a12977c4b97dea"
        )
        assert string_to_sign(canon, TS) == (
            "TC3-HMAC-SHA256\n1700000000\n2023-11-14/faceid/tc3_request\n"
            "8c0dddbe4eea820125833d9385108d68a17c5a8474701e9596a12977c4b97dea"
        )
        import hmac

        k_date = hmac.new(("TC3" + SKEY).encode(), b"2023-11-14", hashlib.sha256).digest()
        assert k_date.hex() == "887d0077ac19ed5cba18590a4fe79f7e1d851a9b05bd4e02a3af730156456978"
        k_service = hmac.new(k_date, b"faceid", hashlib.sha256).digest()
        assert k_service.hex() == "add6f6e6d54b711af6b68d317d7c912bcb3c3208c1023733610a97f201e81db7"
        assert derive_signing_key(SKEY, "2023-11-14").hex() == (
            "dab41fc691d97a65566be0a71d91fee28e3d89e5c15db796188ec1f3e253124f"
        )

    def test_authorization(self) -> None:
        auth = sign_tc3(
            secret_id=SID,
            secret_key=SKEY,
            host=HOST,
            method="POST",
            content_type="application/json",
            payload=V1_BODY,
            canonical_query="",
            timestamp=TS,
        )
        assert auth == (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/faceid/"
            "tc3_request, SignedHeaders=content-type;host, "
            "Signature=afcd6747bc3bc350e84eccd5184efe837f62ff23bf7a1ba8b8eb20dd5f3a778a"
        )


def test_vector_v2_check_id_card_information() -> None:
    body = json.dumps(
        {"ImageBase64": "/9j/4AAQSkZJRg==", "Config": json.dumps({"CopyWarn": True, "ReshootWarn": True})}
    ).encode()
    assert body == (b'{"ImageBase64": "/9j/4AAQSkZJRg==", "Config": "{\\"CopyWarn\\": true, \\"ReshootWarn\\": true}"}')
    auth = sign_tc3(
        secret_id=SID,
        secret_key=SKEY,
        host=HOST,
        method="POST",
        content_type="application/json",
        payload=body,
        canonical_query="",
        timestamp=TS,
    )
    assert auth.endswith("Signature=60617a933e0fd685e35eb3baefdc1dac141d2ff0eab8331a968d95ab2a6393a5")


def test_vector_v3_get() -> None:
    query = encode_query(V1_PARAMS)
    assert query == "IdCard=11204416541220243X&Name=%E9%9F%A6%E5%B0%8F%E5%AE%9D&ImageBase64=%2F9j%2F4AAQSkZJRg%3D%3D"
    canon = canonical_request(
        method="GET",
        host=HOST,
        content_type="application/x-www-form-urlencoded",
        payload=b"ignored for GET",
        canonical_query=query,
    )
    assert canon.endswith("\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    auth = sign_tc3(
        secret_id=SID,
        secret_key=SKEY,
        host=HOST,
        method="GET",
        content_type="application/x-www-form-urlencoded",
        payload=b"",
        canonical_query=query,
        timestamp=TS,
    )
    assert auth.endswith("Signature=1f35ced8355cd4d30473cb81a05356e462af7fb73d48e65b71a3d398285f7669")


def test_vector_v4_tencent_published_cvm_example() -> None:
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    assert hashlib.sha256(payload).hexdigest() == ("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    canon = canonical_request(
        method="POST",
        host="cvm.tencentcloudapi.com",
        content_type="application/json; charset=utf-8",
        payload=payload,
    )
    assert hashlib.sha256(canon.encode()).hexdigest() == (
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    )
    auth = sign_tc3(
        secret_id=SID,
        secret_key=SKEY,
        host="cvm.tencentcloudapi.com",
        method="POST",
        content_type="application/json; charset=utf-8",
        payload=payload,
        canonical_query="",
        timestamp=1551113065,
        service="cvm",
    )
    assert tc3_date(1551113065) == "2019-02-25"
    assert auth.endswith("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    assert "Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request" in auth


def test_date_is_utc_not_local(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2023-11-14T22:13:20Z is already 2023-11-15 in UTC+8: the scope must still say the 14th.
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert tc3_date(TS) == "2023-11-14"
        assert tc3_date(TS + 2 * 3600) == "2023-11-15"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_flatten_like_the_sdk() -> None:
    nested = {"A": {"B": [1, {"C": "x"}], "D": None}, "E": True, "F": None}
    assert signing.flatten_params(nested) == {"A.B.0": 1, "A.B.1.C": "x", "E": True}
    assert encode_query(nested) == "A.B.0=1&A.B.1.C=x&E=True"


# ---------------------------------------------------------------------------------------------
# parse / verify
# ---------------------------------------------------------------------------------------------


def _v1_auth() -> str:
    return sign_tc3(
        secret_id=SID,
        secret_key=SKEY,
        host=HOST,
        method="POST",
        content_type="application/json",
        payload=V1_BODY,
        canonical_query="",
        timestamp=TS,
    )


def test_parse_authorization_roundtrip() -> None:
    parsed = parse_authorization(_v1_auth())
    assert parsed.algorithm == "TC3-HMAC-SHA256"
    assert parsed.secret_id == SID
    assert parsed.date == "2023-11-14"
    assert parsed.service == "faceid"
    assert parsed.signed_headers == ("content-type", "host")
    assert parsed.signature == "afcd6747bc3bc350e84eccd5184efe837f62ff23bf7a1ba8b8eb20dd5f3a778a"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "TC3-HMAC-SHA256",
        "HMAC-SHA1 Credential=a/2023-11-14/faceid/tc3_request, SignedHeaders=host, Signature=" + "a" * 64,
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/faceid/tc3_request, SignedHeaders=content-type;host",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/faceid/x, SignedHeaders=host, Signature=" + "a" * 64,
        "TC3-HMAC-SHA256 Credential=a/2023-13-14/faceid/tc3_request, SignedHeaders=host, Signature=" + "a" * 64,
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/faceid/tc3_request, SignedHeaders=host, Signature=XYZ",
        "TC3-HMAC-SHA256 Credential=a/2023-11-14/faceid/tc3_request, Credential=b/2023-11-14/faceid/"
        "tc3_request, SignedHeaders=host, Signature=" + "a" * 64,
        "TC3-HMAC-SHA256 Credential=/2023-11-14/faceid/tc3_request, SignedHeaders=host, Signature=" + "a" * 64,
    ],
)
def test_parse_authorization_rejects(header: str) -> None:
    with pytest.raises(ValueError):
        parse_authorization(header)


@given(
    st.sampled_from(["", "TC3-HMAC-SHA256 ", "TC3-HMAC-SHA256 Credential=", "X "]),
    st.text(max_size=200),
)
def test_parse_authorization_only_valueerror_and_no_echo(prefix: str, tail: str) -> None:
    header = prefix + "ZQXJ" + tail
    try:
        parse_authorization(header)
    except ValueError as exc:
        assert "ZQXJ" not in str(exc)


def test_verify_authorization() -> None:
    kw: dict[str, Any] = {
        "secret_key": SKEY,
        "host": HOST,
        "method": "POST",
        "content_type": "application/json",
        "canonical_query": "",
        "timestamp": TS,
    }
    assert verify_authorization(_v1_auth(), payload=V1_BODY, **kw)
    assert not verify_authorization(_v1_auth(), payload=V1_BODY + b" ", **kw)
    assert not verify_authorization(_v1_auth(), payload=V1_BODY, **{**kw, "secret_key": SKEY + "x"})
    assert not verify_authorization(_v1_auth(), payload=V1_BODY, **{**kw, "timestamp": TS + 86400})
    assert not verify_authorization(_v1_auth(), payload=V1_BODY, **{**kw, "host": "evil.example"})
    assert not verify_authorization("garbage", payload=V1_BODY, **kw)


# ---------------------------------------------------------------------------------------------
# Property test: the official SDK is the oracle
# ---------------------------------------------------------------------------------------------

sdk_client_mod = pytest.importorskip("tencentcloud.common.abstract_client")
from tencentcloud.common import credential as sdk_credential  # noqa: E402
from tencentcloud.common.http.request import RequestInternal  # noqa: E402
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402
from tencentcloud.faceid.v20180301.faceid_client import FaceidClient  # noqa: E402

_key_chars = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
_secret = st.text(_key_chars, min_size=1, max_size=48)
_secret_id = st.text(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=40
)
_text = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("韦小宝爱新觉罗永琪张三李四"),
    ),
    max_size=40,
)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), _text)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text("abcXYZ", min_size=1, max_size=5), inner, max_size=3),
    ),
    max_leaves=8,
)
_params = st.dictionaries(
    st.sampled_from(["IdCard", "Name", "ImageBase64", "Optional", "Extra", "Config", "ImageUrl", "Encryption"]),
    _value,
    max_size=6,
)


class _FixedTime:
    def __init__(self, ts: float) -> None:
        self._ts = ts

    def time(self) -> float:
        return self._ts


def _sdk_build(
    *,
    method: str,
    params: dict[str, Any],
    sid: str,
    skey: str,
    token: str | None,
    region: str,
    ts: int,
    host: str,
    action: str,
) -> RequestInternal:
    cred = sdk_credential.Credential(sid, skey, token)
    http = HttpProfile(endpoint=host, reqMethod=method)
    client = FaceidClient(cred, region, ClientProfile(httpProfile=http, language="en-US"))
    req = RequestInternal(host, method, "/")
    with mock.patch.object(sdk_client_mod, "time", _FixedTime(ts + 0.75)):
        client._build_req_inter(action, params, req)
    return req


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "method": st.sampled_from(["POST", "GET"]),
            "params": _params,
            "sid": _secret_id,
            "skey": _secret,
            "token": st.one_of(st.none(), _secret),
            "region": st.sampled_from(["", "ap-singapore", "ap-guangzhou", "na-ashburn"]),
            "ts": st.integers(0, 4_102_444_800),
            "host": st.sampled_from([HOST, "faceid.tencentcloudapi.com", "127.0.0.1:8443", "localhost:1"]),
            "action": st.sampled_from(["CheckIdCardInformation", "ImageRecognitionV2"]),
        }
    )
)
def test_matches_official_sdk(case: dict[str, Any]) -> None:
    method, params, sid, skey, ts, host = (
        case["method"],
        case["params"],
        case["sid"],
        case["skey"],
        case["ts"],
        case["host"],
    )
    req = _sdk_build(**case)
    if method == "POST":
        body = json.dumps(params).encode()
        assert req.data.encode() == body
        query = ""
        ctype = "application/json"
    else:
        body = b""
        query = encode_query(params)
        assert req.data == query
        ctype = "application/x-www-form-urlencoded"
    assert req.header["Content-Type"] == ctype
    assert req.header["X-TC-Timestamp"] == str(ts)
    ours = sign_tc3(
        secret_id=sid,
        secret_key=skey,
        host=host,
        method=method,
        content_type=ctype,
        payload=body,
        canonical_query=query,
        timestamp=ts,
    )
    assert ours == req.header["Authorization"]
    assert verify_authorization(
        req.header["Authorization"],
        secret_key=skey,
        host=host,
        method=method,
        content_type=ctype,
        payload=body,
        canonical_query=query,
        timestamp=ts,
    )
