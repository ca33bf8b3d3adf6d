"""A faithful local stand-in for Tencent Cloud FaceID (``CheckIdCardInformation`` and
``ImageRecognitionV2``), used by the demo, the tests and staff training. No Qt here.

Modules: :mod:`.server` (``EmulatorServer``: lifecycle and request routing), :mod:`.http_server`
(listening socket, TLS, connection cap), :mod:`.http_handler` (HTTP framing, limits, wire faults),
:mod:`.request_checks` (TC3 auth, version, rate limits, parameter decoding), :mod:`.envelopes`
(answers and call records), :mod:`.service` (``FaceIdService``) with the actions
:mod:`.check_id_card` and :mod:`.image_recognition`, their :mod:`.params`, :mod:`.references`
(registry look-up) and :mod:`.outcomes`; :mod:`.registry` (the people database), :mod:`.matcher`
(the face matcher: dlib ResNet face recognition from the ``face`` extra, else a classic
same-photograph fallback), :mod:`.faults` (``--faults`` grammar), :mod:`.codes` (channels,
billing, texts), :mod:`.keys` (RSA key pair, TLS files), :mod:`.enroll` (staff rehearsal
registries). Specimen cards: :mod:`kiosk.core.specimen`.

The names below are imported lazily so that ``import kiosk.emulator`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DEMO_SECRET_ID", "DEMO_SECRET_KEY", "EmulatorServer", "FaultPlan", "Registry"]

_LAZY = {
    "DEMO_SECRET_ID": "kiosk.emulator.server",
    "DEMO_SECRET_KEY": "kiosk.emulator.server",
    "EmulatorServer": "kiosk.emulator.server",
    "FaultPlan": "kiosk.emulator.faults",
    "Registry": "kiosk.emulator.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.emulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
