"""Per-call client overhead without the network: base64 + model + JSON + sign + headers.

Runs exactly the code path of a real call (request model -> ``to_params`` -> ``encode_body`` ->
``build_request``) on a ~120 KB JPEG-sized payload. Pure CPU; safe to call from any thread.
"""

from __future__ import annotations

import os
import statistics
import time

from kiosk.core.faceid.credentials import Credential
from kiosk.core.faceid.crypto import EncryptionSession
from kiosk.core.faceid.models import (
    CardConfig,
    CheckIdCardInformationRequest,
    ImageRecognitionV2Request,
    encode_body,
)
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.faceid.transport import build_request

__all__ = ["measure_overhead"]

_BENCH_CREDENTIAL = Credential("AKIDbenchmarkEXAMPLE", "benchmarkSecretKeyEXAMPLE")


def _percentile(sorted_ms: list[float], pct: float) -> float:
    idx = min(len(sorted_ms) - 1, max(0, round(pct / 100 * (len(sorted_ms) - 1))))
    return sorted_ms[idx]


def measure_overhead(n: int = 200, *, payload_bytes: int = 120_000, encrypt: bool = False) -> dict[str, float]:
    """Time ``n`` request preparations per API; returns milliseconds.

    Keys: ``median_ms``, ``p95_ms``, ``min_ms``, ``max_ms`` over both actions together, plus
    ``card_median_ms``, ``face_median_ms``, ``n`` and ``payload_bytes``. With ``encrypt`` the
    ImageRecognitionV2 fields are AES-encrypted and the key RSA-wrapped per call.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    settings = ClientSettings()
    endpoint = settings.endpoint_parts()
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(max(0, payload_bytes - 6)) + b"\xff\xd9"
    card_ms: list[float] = []
    face_ms: list[float] = []
    for _ in range(n):
        t0 = time.perf_counter()
        card = CheckIdCardInformationRequest.from_image(jpeg, config=CardConfig.all_warnings())
        card.validate()
        body = encode_body(card.to_params())
        build_request(
            endpoint=endpoint,
            action=card.action,
            body=body,
            credential=_BENCH_CREDENTIAL,
            timestamp=int(time.time()),
            language=settings.language_header,
            request_client=settings.request_client,
        )
        t1 = time.perf_counter()
        face = ImageRecognitionV2Request.from_image(jpeg, id_card="11010519491231002X", name="张三")
        face.validate()
        session = EncryptionSession(settings.encryption_public_key_pem) if encrypt else None
        body = encode_body(face.to_params(session))
        build_request(
            endpoint=endpoint,
            action=face.action,
            body=body,
            credential=_BENCH_CREDENTIAL,
            timestamp=int(time.time()),
            language=settings.language_header,
            request_client=settings.request_client,
        )
        t2 = time.perf_counter()
        card_ms.append((t1 - t0) * 1000)
        face_ms.append((t2 - t1) * 1000)
    both = sorted(card_ms + face_ms)
    return {
        "median_ms": statistics.median(both),
        "p95_ms": _percentile(both, 95),
        "min_ms": both[0],
        "max_ms": both[-1],
        "card_median_ms": statistics.median(card_ms),
        "face_median_ms": statistics.median(face_ms),
        "n": float(n),
        "payload_bytes": float(len(jpeg)),
    }
