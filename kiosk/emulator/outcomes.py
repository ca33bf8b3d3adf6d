"""How an emulated FaceID action ends: :class:`ServiceOutcome` or :class:`ApiError`.

An action (:mod:`.check_id_card`, :mod:`.image_recognition`) returns a :class:`ServiceOutcome`
for the ``Response.Result`` channel or raises :class:`ApiError` for the ``Response.Error``
channel; the request checks and the HTTP layer raise :class:`ApiError` too. Which code belongs to
which channel, and which is billed, is defined once in :mod:`kiosk.emulator.codes`.

Threading: plain values; each is created and owned by the handler thread of one request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.emulator import codes

__all__ = ["ApiError", "ServiceOutcome"]


class ApiError(Exception):
    """An answer in the ``Response.Error`` channel; ``detail`` is safe to show (no PII)."""

    def __init__(self, code: str, detail: str | None = None, *, masked_id: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.masked_id = masked_id


@dataclass
class ServiceOutcome:
    """A processed request: the inner ``Response`` (no ``RequestId``) and facts for the log."""

    response: dict[str, Any]
    result: str
    masked_id: str = ""
    sim: float | None = None
    extra_log: dict[str, Any] = field(default_factory=dict)

    @property
    def billed(self) -> bool:
        return codes.info(self.result).billed
