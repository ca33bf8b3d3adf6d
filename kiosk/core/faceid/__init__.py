"""Tencent Cloud FaceID client (Qt-free): signing, models, catalog, transport, crypto, credentials.

Public API (names are importable from this package lazily, or from their modules):

* ``signing``: ``sign_tc3``, ``canonical_request``, ``parse_authorization``, ``verify_authorization``
* ``client``: ``FaceIdClient``
* ``settings``: ``ClientSettings``
* ``models``: ``CheckIdCardInformationRequest/Response``, ``ImageRecognitionV2Request/Response``,
  ``CardConfig``
* ``catalog``: ``Category``, ``CatalogEntry``, ``WarningEntry``, ``lookup``, ``warning``
* ``errors``: ``FaceIdError`` and subclasses
* ``credentials``: ``Credential``, ``CredentialProvider`` and the providers, ``default_provider``

Importing the package itself is cheap (no requests/cryptography until a name is used), so the
emulator can import ``kiosk.core.faceid.signing`` without pulling in the HTTP stack.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "sign_tc3": "signing",
    "canonical_request": "signing",
    "parse_authorization": "signing",
    "verify_authorization": "signing",
    "ParsedAuthorization": "signing",
    "FaceIdClient": "client",
    "ClientSettings": "settings",
    "CardConfig": "models",
    "CheckIdCardInformationRequest": "models",
    "CheckIdCardInformationResponse": "models",
    "ImageRecognitionV2Request": "models",
    "ImageRecognitionV2Response": "models",
    "Category": "catalog",
    "CatalogEntry": "catalog",
    "WarningEntry": "catalog",
    "lookup": "catalog",
    "warning": "catalog",
    "FaceIdError": "errors",
    "ApiError": "errors",
    "NetworkError": "errors",
    "RateLimitedError": "errors",
    "OutcomeUnknownError": "errors",
    "MalformedResponseError": "errors",
    "DecryptionError": "errors",
    "BudgetExceededError": "errors",
    "CredentialError": "errors",
    "ConfigError": "errors",
    "InvalidRequestError": "errors",
    "Credential": "credentials",
    "CredentialProvider": "credentials",
    "StaticCredentialProvider": "credentials",
    "EnvironmentCredentialProvider": "credentials",
    "ProfileCredentialProvider": "credentials",
    "CommandCredentialProvider": "credentials",
    "ChainCredentialProvider": "credentials",
    "default_provider": "credentials",
    "measure_overhead": "benchmark",
}

__all__ = [
    "ApiError",
    "BudgetExceededError",
    "CardConfig",
    "CatalogEntry",
    "Category",
    "ChainCredentialProvider",
    "CheckIdCardInformationRequest",
    "CheckIdCardInformationResponse",
    "ClientSettings",
    "CommandCredentialProvider",
    "ConfigError",
    "Credential",
    "CredentialError",
    "CredentialProvider",
    "DecryptionError",
    "EnvironmentCredentialProvider",
    "FaceIdClient",
    "FaceIdError",
    "ImageRecognitionV2Request",
    "ImageRecognitionV2Response",
    "InvalidRequestError",
    "MalformedResponseError",
    "NetworkError",
    "OutcomeUnknownError",
    "ParsedAuthorization",
    "ProfileCredentialProvider",
    "RateLimitedError",
    "StaticCredentialProvider",
    "WarningEntry",
    "canonical_request",
    "default_provider",
    "lookup",
    "measure_overhead",
    "parse_authorization",
    "sign_tc3",
    "verify_authorization",
    "warning",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
