"""The emulated FaceID business logic: one :class:`FaceIdService` answers both actions.

Transport-free: :class:`FaceIdService` takes decoded request parameters and returns a
:class:`~kiosk.emulator.outcomes.ServiceOutcome` (the inner ``Response``, without ``RequestId``),
or raises :class:`~kiosk.emulator.outcomes.ApiError` for the ``Response.Error`` channel. The HTTP
layer (:mod:`kiosk.emulator.server`) adds authentication, rate limits, faults and the envelope.
Which code goes into which channel, and which is billed, is defined once in
:mod:`kiosk.emulator.codes`.

The actions: :mod:`.check_id_card` (``CheckIdCardInformation``: SPECIMEN cards read through
their QR marker, no OCR) and :mod:`.image_recognition` (``ImageRecognitionV2``), with the
parameter readers of :mod:`.params` and the registry look-up of :mod:`.references`. Faces: YuNet
detection and the matcher of :mod:`kiosk.emulator.matcher` (dlib's ResNet face recognition when
the ``face`` extra is installed, else the classic same-photograph matcher; both calibrated to the
pass mark 70).

Memory: every action decodes and works on its image inside the pixel budget of
:mod:`kiosk.emulator.image_budget` (by default the process-wide one), so concurrent requests
with large images queue (bounded wait, then ``RequestLimitExceeded``) instead of adding up.

Threading: one :class:`FaceIdService` serves all handler threads. It holds no per-request state;
the registry is immutable, the matcher is thread-safe, the template cache of
:class:`~kiosk.emulator.references.ReferenceFaces` is guarded by a lock and the image budget by
its condition variable.
"""

from __future__ import annotations

from typing import Any

from kiosk.emulator.check_id_card import check_id_card_information
from kiosk.emulator.image_budget import ImageBudget, shared_budget
from kiosk.emulator.image_recognition import image_recognition_v2
from kiosk.emulator.keys import RsaKeyPair
from kiosk.emulator.matcher import FaceMatcher, default_matcher
from kiosk.emulator.outcomes import ServiceOutcome
from kiosk.emulator.references import ReferenceFaces
from kiosk.emulator.registry import Registry

__all__ = ["FaceIdService"]


class FaceIdService:
    """Answers the two FaceID actions from a :class:`Registry` (see the module docstring)."""

    def __init__(
        self,
        registry: Registry,
        keys: RsaKeyPair,
        matcher: FaceMatcher | None = None,
        image_budget: ImageBudget | None = None,
    ) -> None:
        self.registry = registry
        self.keys = keys
        self.image_budget = image_budget if image_budget is not None else shared_budget()
        self.matcher = matcher or default_matcher()
        self.references = ReferenceFaces(registry, self.matcher)

    def check_id_card_information(self, params: dict[str, Any], language: str | None) -> ServiceOutcome:
        """Emulate ``CheckIdCardInformation`` (card photo: read, warn, look up, compare)."""
        return check_id_card_information(params, language, self.references, self.keys, self.image_budget)

    def image_recognition_v2(self, params: dict[str, Any], language: str | None) -> ServiceOutcome:
        """Emulate ``ImageRecognitionV2`` (ID number + name + live photo vs the registry portrait)."""
        return image_recognition_v2(params, language, self.references, self.keys, self.image_budget)
