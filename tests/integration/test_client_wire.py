"""What the client puts on the wire vs the official SDK, and TLS verification over real sockets."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.errors import NetworkError
from kiosk.core.faceid.models import CardConfig, CheckIdCardInformationRequest, ImageRecognitionV2Request
from kiosk.core.faceid.settings import ClientSettings
from tests.core.faceid.fakeserver import SECRET_ID, SECRET_KEY, FakeFaceId, ok_card

sdk_abstract = pytest.importorskip("tencentcloud.common.abstract_client")
from tencentcloud.common import credential as sdk_credential  # noqa: E402
from tencentcloud.common.http.request import RequestInternal  # noqa: E402
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402
from tencentcloud.faceid.v20180301 import models as sdk_models  # noqa: E402
from tencentcloud.faceid.v20180301.faceid_client import FaceidClient  # noqa: E402

TS = 1_700_000_000
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


class _FixedTime:
    def time(self) -> float:
        return TS + 0.25


def _sdk_headers(host: str, action: str, params: dict[str, Any], token: str | None) -> RequestInternal:
    cred = sdk_credential.Credential(SECRET_ID, SECRET_KEY, token)
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=host), language="en-US")
    client = FaceidClient(cred, "ap-singapore", profile)
    req = RequestInternal(host, "POST", "/")
    with mock.patch.object(sdk_abstract, "time", _FixedTime()):
        client._build_req_inter(action, params, req)
    return req


@pytest.fixture
def server() -> Iterator[FakeFaceId]:
    with FakeFaceId(check_time=False) as srv:
        yield srv


@pytest.mark.parametrize("token", [None, "TOKEN-abc"])
def test_wire_matches_sdk_image_recognition(server: FakeFaceId, token: str | None) -> None:
    settings = ClientSettings(endpoint=server.url, region="ap-singapore", language="en-US")
    cred = Credential(SECRET_ID, SECRET_KEY, token)
    with FaceIdClient(settings, StaticCredentialProvider(cred), time_fn=lambda: TS + 0.25) as client:
        client.image_recognition_v2(
            ImageRecognitionV2Request.from_image(JPEG, id_card="11010519491231002X", name="韦小宝", extra="x")
        )
    sent = server.requests[0]
    sdk_req = sdk_models.ImageRecognitionV2Request()
    sdk_req._deserialize(sent.json())
    sdk = _sdk_headers(f"127.0.0.1:{server.port}", "ImageRecognitionV2", sdk_req._serialize(), token)
    assert sent.body == sdk.data.encode()
    for name in (
        "Authorization",
        "Content-Type",
        "Host",
        "X-TC-Action",
        "X-TC-Version",
        "X-TC-Timestamp",
        "X-TC-Region",
        "X-TC-Language",
    ):
        assert sent.headers[name] == sdk.header[name], name
    assert sent.headers.get("X-TC-Token") == sdk.header.get("X-TC-Token")


def test_wire_matches_sdk_check_id_card(server: FakeFaceId) -> None:
    server.default = ok_card()
    settings = ClientSettings(endpoint=server.url, region="ap-singapore")
    with FaceIdClient(
        settings, StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY)), time_fn=lambda: TS + 0.25
    ) as client:
        client.check_id_card_information(
            CheckIdCardInformationRequest.from_image(JPEG, config=CardConfig(copy_warn=True, reshoot_warn=True))
        )
    sent = server.requests[0]
    sdk_req = sdk_models.CheckIdCardInformationRequest()
    sdk_req.ImageBase64 = sent.json()["ImageBase64"]
    sdk_req.Config = '{"CopyWarn": true, "ReshootWarn": true}'
    sdk = _sdk_headers(f"127.0.0.1:{server.port}", "CheckIdCardInformation", sdk_req._serialize(), None)
    assert sent.body == sdk.data.encode()
    assert sent.headers["Authorization"] == sdk.header["Authorization"]


# ------------------------------------------------------------------------------ TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk-test-ca")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    d = tmp_path_factory.mktemp("tls")
    cert_path, key_path = d / "cert.pem", d / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _tls_server(tls_files: tuple[Path, Path]) -> FakeFaceId:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(tls_files[0]), str(tls_files[1]))
    return FakeFaceId(tls_context=ctx)


def test_tls_untrusted_certificate_is_refused_and_not_retried(tls_files: tuple[Path, Path]) -> None:
    sleeps: list[float] = []
    with _tls_server(tls_files) as srv:
        client = FaceIdClient(
            ClientSettings(endpoint=srv.url, connect_timeout=2, read_timeout=2),
            StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY)),
            sleep=sleeps.append,
        )
        with client, pytest.raises(NetworkError) as info:
            client.image_recognition_v2(
                ImageRecognitionV2Request.from_image(JPEG, id_card="11010519491231002X", name="张三")
            )
        assert srv.requests == []
    assert info.value.code == "ClientNetworkError.TLS" and info.value.billed is False
    assert sleeps == []


def test_tls_with_configured_ca_bundle(tls_files: tuple[Path, Path]) -> None:
    with _tls_server(tls_files) as srv:
        settings = ClientSettings(endpoint=srv.url, ca_bundle=str(tls_files[0]))
        with FaceIdClient(settings, StaticCredentialProvider(Credential(SECRET_ID, SECRET_KEY))) as client:
            resp = client.image_recognition_v2(
                ImageRecognitionV2Request.from_image(JPEG, id_card="11010519491231002X", name="张三")
            )
        assert resp.ok and srv.requests[0].signature_ok


def test_there_is_no_setting_to_disable_verification() -> None:
    fields = set(ClientSettings.__dataclass_fields__)
    assert not {"verify", "verify_tls", "insecure", "tls_verify", "certification"} & fields
