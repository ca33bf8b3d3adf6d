"""The emulator's face matcher: which one runs, and the interface both offer.

Two implementations answer ``ImageRecognitionV2`` (live face vs registry portrait) and
``CheckIdCardInformation`` (card portrait vs registry portrait) alike:

- ``resnet`` (:mod:`.matcher_resnet`): dlib's ResNet face-recognition model, from the optional
  ``face`` extra (``pip install 'idv-kiosk[face]'``). It recognises the same *person* across
  photographs; ``Sim`` 70 is calibrated on real photographs (docs/matcher-calibration.md).
- ``classic`` (:mod:`.matcher_classic`): classical image features, no model. It recognises the
  same *photograph* re-shot, not the same person; the documented fallback when the extra is absent.

:func:`default_matcher` picks ``resnet`` when it loads and ``classic`` otherwise, once per
process (the model is loaded once and shared: tests, the demo and the server use one instance).
:func:`describe` is the one line ``kiosk emulator``, ``kiosk demo`` and ``kiosk selftest`` print.

Threading: every matcher is thread-safe; :func:`default_matcher` may be called from any thread.
"""

from __future__ import annotations

import threading
from typing import Literal, Protocol

import numpy as np

from kiosk.core.vision.detector import Face, FaceDetector
from kiosk.emulator.matcher_classic import ClassicMatcher, ClassicTemplate
from kiosk.emulator.matcher_resnet import ModelUnavailableError, ResNetMatcher, ResNetTemplate

__all__ = [
    "MATCHER_KINDS",
    "PASS_SIM",
    "ClassicMatcher",
    "FaceMatcher",
    "FaceTemplate",
    "MatcherKind",
    "ModelUnavailableError",
    "ResNetMatcher",
    "default_matcher",
    "describe",
    "make_matcher",
]

#: the FaceID pass mark.
PASS_SIM = 70.0

MatcherKind = Literal["auto", "resnet", "classic"]
MATCHER_KINDS: tuple[MatcherKind, ...] = ("auto", "resnet", "classic")

#: what a matcher's ``template`` returns (opaque to callers; only its own ``compare`` reads it).
FaceTemplate = ClassicTemplate | ResNetTemplate


class FaceMatcher(Protocol):
    """What the emulator's service needs from a matcher."""

    name: str
    description: str

    def detector(self) -> FaceDetector:
        """This thread's YuNet face detector."""
        ...

    def faces(self, bgr: np.ndarray) -> list[Face]:
        """All faces in ``bgr``, largest first."""
        ...

    def template(self, bgr: np.ndarray, face: Face | None = None) -> FaceTemplate | None:
        """Features of ``face`` (default: the largest face); ``None`` without a face."""
        ...

    def compare(self, a: FaceTemplate, b: FaceTemplate) -> float:
        """``Sim`` 0..100 between two templates of this matcher."""
        ...


_lock = threading.Lock()
_cache: dict[str, FaceMatcher] = {}
_fallback_reason: str | None = None


def make_matcher(kind: MatcherKind = "auto") -> FaceMatcher:
    """The shared matcher of ``kind`` (created once per process).

    ``auto``: ``resnet`` when the ``face`` extra loads, else ``classic`` (the reason is kept for
    :func:`describe`). ``resnet`` raises :class:`ModelUnavailableError` without the extra.
    """
    global _fallback_reason  # noqa: PLW0603  (one process-wide cache, guarded by _lock)
    if kind not in MATCHER_KINDS:
        raise ValueError(f"unknown matcher {kind!r}; expected one of {', '.join(MATCHER_KINDS)}")
    with _lock:
        if kind in _cache:
            return _cache[kind]
        if kind == "classic":
            matcher: FaceMatcher = ClassicMatcher()
        elif kind == "resnet":
            matcher = ResNetMatcher()
        else:
            try:
                matcher = _cache.get("resnet") or ResNetMatcher()
                _cache["resnet"] = matcher
            except ModelUnavailableError as exc:
                _fallback_reason = str(exc)
                matcher = _cache.get("classic") or ClassicMatcher()
                _cache["classic"] = matcher
        _cache[kind] = matcher
        return matcher


def default_matcher() -> FaceMatcher:
    """The matcher the emulator uses unless told otherwise (``make_matcher("auto")``)."""
    return make_matcher("auto")


def describe(matcher: FaceMatcher | None = None) -> str:
    """One line naming the active matcher (and why it fell back, if it did)."""
    m = matcher if matcher is not None else default_matcher()
    text = f"{m.name}: {m.description}"
    if m.name == "classic" and _fallback_reason and m is _cache.get("auto"):
        text += f" (fallback: {_fallback_reason})"
    return text
