"""Shared fixtures and helpers for the emulator tests (unit and integration).

Heavy data (the demo registry, rendered specimen cards, the face matcher) is built once per test
session through ``functools.cache``: fixtures imported into several modules share it.
"""

from __future__ import annotations

import base64
import functools
import json
import time
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
import requests
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.faceid.v20180301 import faceid_client, models

from kiosk.core.faceid import signing
from kiosk.core.specimen import Person
from kiosk.emulator.matcher import ClassicMatcher, FaceMatcher, default_matcher, make_matcher
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.emulator.helpers import composite, jpeg_bytes
from tests.support.assets import face

UNLIMITED = {"CheckIdCardInformation": 100_000, "ImageRecognitionV2": 100_000}


@functools.cache
def demo_registry() -> Registry:
    return Registry.builtin()


def shared_matcher() -> FaceMatcher:
    """The emulator's default matcher (ResNet with the ``face`` extra), loaded once per process."""
    return default_matcher()


def classic_matcher() -> ClassicMatcher:
    """The classic same-photograph matcher (the fallback without the ``face`` extra)."""
    m = make_matcher("classic")
    assert isinstance(m, ClassicMatcher)
    return m


@functools.cache
def demo_card(index: int) -> np.ndarray:
    """The specimen card of demo person ``index`` (rendered once per session)."""
    reg = demo_registry()
    card = reg.specimen(reg.people[index], shared_matcher().detector())
    card.setflags(write=False)
    return card


@functools.cache
def demo_card_photo(index: int) -> bytes:
    """JPEG of demo person ``index``'s card held in front of the camera (1280x720, q90)."""
    image, _ = composite(demo_card(index), width=760, angle=4)
    return jpeg_bytes(image, 90)


@functools.cache
def face_photo(name: str) -> np.ndarray:
    image = cv2.imread(str(face(name)), cv2.IMREAD_COLOR)
    assert image is not None, name
    image.setflags(write=False)
    return image


def b64(data: bytes | np.ndarray) -> str:
    if isinstance(data, np.ndarray):
        data = jpeg_bytes(data, 90)
    return base64.b64encode(data).decode("ascii")


def sdk_client(
    emu: EmulatorServer,
    *,
    secret_id: str = DEMO_SECRET_ID,
    secret_key: str = DEMO_SECRET_KEY,
    token: str | None = None,
    language: str | None = "en-US",
    method: str = "POST",
    ca_file: str | None = None,
) -> faceid_client.FaceidClient:
    """The official SDK client pointed at ``emu``, unchanged."""
    http = HttpProfile(
        protocol=emu.scheme, endpoint=emu.endpoint, reqMethod=method, reqTimeout=20, certification=ca_file
    )
    profile = ClientProfile(httpProfile=http)
    profile.language = language
    return faceid_client.FaceidClient(credential.Credential(secret_id, secret_key, token), "", profile)


def check_request(
    image: bytes | np.ndarray | str, config: dict[str, bool] | None = None, **extra: Any
) -> models.CheckIdCardInformationRequest:
    req = models.CheckIdCardInformationRequest()
    req.ImageBase64 = image if isinstance(image, str) else b64(image)
    if config is not None:
        req.Config = json.dumps(config)
    for key, value in extra.items():
        setattr(req, key, value)
    return req


def face_request(
    person: Person | tuple[str, str], image: bytes | np.ndarray | str, **extra: Any
) -> models.ImageRecognitionV2Request:
    req = models.ImageRecognitionV2Request()
    if isinstance(person, Person):
        req.IdCard, req.Name = person.id_number, person.name
    else:
        req.IdCard, req.Name = person
    req.ImageBase64 = image if isinstance(image, str) else b64(image)
    for key, value in extra.items():
        setattr(req, key, value)
    return req


def raw_call(
    emu: EmulatorServer,
    action: str,
    params: dict[str, Any] | None = None,
    *,
    method: str = "POST",
    secret_id: str = DEMO_SECRET_ID,
    secret_key: str = DEMO_SECRET_KEY,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    authorization: str | None = None,
    version: str = "2018-03-01",
    timeout: float = 20,
) -> requests.Response:
    """A hand-built TC3 request (signed with kiosk.core.faceid.signing) for cases the SDK cannot
    produce: malformed headers, other methods, tampered bodies."""
    params = params or {}
    ts = int(time.time()) if timestamp is None else timestamp
    host = emu.endpoint
    if method == "GET":
        query = signing.encode_query(params)
        payload = b""
        content_type = signing.CONTENT_TYPE_FORM
    else:
        query = ""
        payload = json.dumps(params).encode("utf-8") if body is None else body
        content_type = signing.CONTENT_TYPE_JSON
    auth = (
        authorization
        if authorization is not None
        else signing.sign_tc3(
            secret_id=secret_id,
            secret_key=secret_key,
            host=host,
            method=method if method == "GET" else "POST",
            content_type=content_type,
            payload=payload,
            canonical_query=query,
            timestamp=ts,
        )
    )
    hdrs = {
        "Authorization": auth,
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": version,
        "X-TC-Timestamp": str(ts),
        "X-TC-Language": "en-US",
    }
    hdrs.update(headers or {})
    hdrs = {k: v for k, v in hdrs.items() if v is not None}
    url = emu.url + (f"?{query}" if query else "")
    return requests.request(
        method,
        url,
        data=payload if method != "GET" else None,
        headers=hdrs,
        timeout=timeout,
        verify=str(emu.ca_file) if emu.ca_file else True,
    )


def error_code(resp: requests.Response) -> str | None:
    data = resp.json()["Response"]
    return data["Error"]["Code"] if "Error" in data else None


@pytest.fixture(scope="session")
def registry() -> Registry:
    return demo_registry()


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """A shared plain-HTTP emulator with the demo people (rate limits lifted; tested separately)."""
    with EmulatorServer(registry=demo_registry(), rate_limits=UNLIMITED, matcher=shared_matcher()) as emu:
        yield emu


@pytest.fixture(scope="session")
def client(emulator: EmulatorServer) -> faceid_client.FaceidClient:
    return sdk_client(emulator)
