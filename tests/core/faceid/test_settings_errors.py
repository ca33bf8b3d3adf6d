"""Settings validation, the exception hierarchy, the benchmark and the Qt-free rule."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from kiosk.core.faceid.benchmark import measure_overhead
from kiosk.core.faceid.errors import (
    ApiError,
    BudgetExceededError,
    ConfigError,
    CredentialError,
    DecryptionError,
    FaceIdError,
    InvalidRequestError,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
)
from kiosk.core.faceid.settings import ClientSettings, language_header

PKG = Path(__file__).resolve().parents[3] / "kiosk" / "core" / "faceid"


@pytest.mark.parametrize(
    ("lang", "header"),
    [
        ("zh_CN", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("zh", "zh-CN"),
        ("en", "en-US"),
        ("en_US", "en-US"),
        ("", "en-US"),
        (None, "en-US"),
        ("fr", "en-US"),
    ],
)
def test_language_header(lang: str | None, header: str) -> None:
    assert language_header(lang) == header


def test_default_settings_are_valid() -> None:
    s = ClientSettings()
    s.validate()
    assert s.endpoint_parts().host == "faceid.intl.tencentcloudapi.com"
    assert s.endpoint_parts().url == "https://faceid.intl.tencentcloudapi.com/"
    assert s.rate_limits == {"CheckIdCardInformation": 100.0, "ImageRecognitionV2": 20.0}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"endpoint": "http://example.com"},
        {"endpoint": "https://"},
        {"endpoint": "https://h/p"},
        {"endpoint": "https://u:p@h"},
        {"endpoint": "https://h:99999"},
        {"connect_timeout": 0},
        {"read_timeout": -1},
        {"max_attempts": 0},
        {"rate_limits": {"ImageRecognitionV2": 0}},
        {"daily_budget": -1},
        {"ca_bundle": "/nonexistent/ca.pem"},
        {"https_proxy": "ftp://proxy"},
        {"request_client": "bad client!"},
        {"encryption_public_key_pem": "nope"},
    ],
)
def test_invalid_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        ClientSettings(**kwargs).validate()  # type: ignore[arg-type]


def test_endpoint_with_port_and_ipv6() -> None:
    assert ClientSettings(endpoint="https://h.example:8443").endpoint_parts().host == "h.example:8443"
    assert ClientSettings(endpoint="http://[::1]:8080/").endpoint_parts().host == "[::1]:8080"


def test_hierarchy_and_billing_defaults() -> None:
    assert issubclass(RateLimitedError, NetworkError)
    assert issubclass(MalformedResponseError, OutcomeUnknownError)
    assert issubclass(DecryptionError, MalformedResponseError)
    for cls in (
        ApiError,
        NetworkError,
        OutcomeUnknownError,
        MalformedResponseError,
        BudgetExceededError,
        CredentialError,
        ConfigError,
        InvalidRequestError,
    ):
        assert issubclass(cls, FaceIdError)
    assert NetworkError().billed is False and OutcomeUnknownError().billed is True
    assert MalformedResponseError().billed is True and BudgetExceededError().billed is False
    assert ApiError(code="FailedOperation.IdNameMisMatch").billed is True
    assert ApiError(code="InvalidParameter").billed is False
    e = ApiError(code="RequestLimitExceeded", request_id="rid")
    assert e.entry.code == "RequestLimitExceeded" and e.request_id == "rid"


def test_error_message_excludes_server_text_and_pickles() -> None:
    e = ApiError("svc error", code="InvalidParameter", request_id="r1", server_message="IdCard 11010519491231002X")
    e.annotate(action="ImageRecognitionV2", attempts=2)
    assert "11010519491231002X" not in str(e) and "11010519491231002X" not in repr(e)
    assert "attempts=2" in str(e) and "request_id=r1" in str(e)
    clone = pickle.loads(pickle.dumps(NetworkError("x", action="A", attempts=3)))
    assert isinstance(clone, NetworkError) and clone.attempts == 3 and clone.billed is False


def test_benchmark_smoke() -> None:
    out = measure_overhead(5)
    assert out["n"] == 5 and out["payload_bytes"] >= 120_000
    assert 0 < out["median_ms"] <= out["p95_ms"] <= out["max_ms"]
    with pytest.raises(ValueError):
        measure_overhead(0)


def test_core_faceid_never_imports_qt_or_the_sdk() -> None:
    forbidden = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "kiosk.ui", "tencentcloud")
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), (path.name, name)


def test_package_exports_resolve_and_signing_import_is_light() -> None:
    import subprocess
    import sys

    import kiosk.core.faceid as pkg

    assert set(pkg.__all__) == set(pkg._EXPORTS)
    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
    code = "import sys, kiosk.core.faceid.signing; print('requests' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.core.faceid.credentials import CommandCredentialProvider, default_provider

    assert isinstance(default_provider(["/bin/true"]), CommandCredentialProvider)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDenv")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "envkey")
    assert default_provider(profile_paths=[tmp_path / "none"]).get().secret_id == "AKIDenv"
    monkeypatch.delenv("TENCENTCLOUD_SECRET_ID")
    (tmp_path / "c").write_text("[default]\nsecret_id = AKIDfile\nsecret_key = k\n")
    assert default_provider(profile_paths=[tmp_path / "c"]).get().secret_id == "AKIDfile"
