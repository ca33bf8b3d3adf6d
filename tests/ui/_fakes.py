"""Test doubles for the hardware and the network edges of the UI (the UI itself is real).

* :class:`ScriptedSource` is a FrameSource: synthetic frames at a fixed size, can be unplugged.
* :class:`ScriptedPipeline` is a FramePipeline whose verdict per frame is scripted (the real
  vision checks are tested in tests/core/vision; here we test the UI's reaction to them).
* :class:`ScriptedVerifier` returns real :class:`kiosk.core.verification.Verdict` objects in
  order, optionally blocking until released (to test the verifying screen).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from kiosk.core.verification import Outcome, Verdict


@dataclass
class Capture:
    stage: str
    image: np.ndarray
    jpeg: bytes
    assessment: Any = None


@dataclass
class SourceInfo:
    width: int
    height: int
    fps: float
    name: str


class ScriptedSource:
    """A FrameSource; ``unplugged`` makes ``read()`` return None (as a dead camera does)."""

    def __init__(self, width: int = 320, height: int = 180, control: SimpleNamespace | None = None) -> None:
        self.width, self.height = width, height
        self.control = control or SimpleNamespace(unplugged=False)
        self.stages: list[str] = []
        self.opened_in: str | None = None
        self.closed_in: str | None = None
        self._n = 0

    def open(self) -> SourceInfo:
        self.opened_in = threading.current_thread().name
        return SourceInfo(self.width, self.height, 30.0, "scripted")

    def read(self) -> np.ndarray | None:
        if self.control.unplugged:
            return None
        self._n += 1
        frame = np.zeros((self.height, self.width, 3), np.uint8)
        frame[:, :, 1] = (self._n * 7) % 255
        return frame

    def set_stage(self, stage: str) -> None:
        self.stages.append(stage)

    def close(self) -> None:
        self.closed_in = threading.current_thread().name


class ScriptedPipeline:
    """``control.mode``: "good" (capture after ``steady`` frames), "bad" (blurry), "empty"."""

    def __init__(self, control: SimpleNamespace, steady: int = 5) -> None:
        self.control = control
        self.steady = steady
        self._stage = "idle"
        self._good = 0
        self._hint: str | None = None

    def set_stage(self, stage: str) -> None:
        self._stage = stage
        self._good = 0
        self._hint = None

    def assess(self, frame: np.ndarray, stage: str) -> Any:
        mode = self.control.mode
        if mode == "good":
            return SimpleNamespace(ok=True, problems=(), box=(10, 10, 100, 80), quad=None)
        if mode == "bad":
            return SimpleNamespace(ok=False, problems=("blurry",), box=(10, 10, 100, 80), quad=None)
        return SimpleNamespace(ok=False, problems=("no_card" if stage == "card" else "no_face",), box=None, quad=None)

    def feed(self, frame: np.ndarray, assessment: Any, now: float) -> Any:
        if assessment.ok:
            self._good += 1
            self._hint = None
        else:
            self._good = 0
            self._hint = assessment.problems[0]
        if self._good >= self.steady:
            self._good = 0
            return Capture(self._stage, frame.copy(), b"\xff\xd8" + self._stage.encode(), assessment)
        return None

    def manual_capture(self, frame: np.ndarray, assessment: Any) -> Any:
        return Capture(self._stage, frame.copy(), b"\xff\xd8manual", assessment)

    @property
    def hint(self) -> str | None:
        return self._hint

    @property
    def progress(self) -> float:
        return min(1.0, self._good / self.steady)


def verdict(outcome: str, key: str = "", **kw: Any) -> Verdict:
    keys = {
        "pass": "ok.pass",
        "retake_card": "err.card_blurry",
        "retake_face": "err.no_face",
        "fail": "err.face_low_similarity",
        "staff": "warn.card_photocopy",
        "registration_office": "err.id_not_in_database",
        "unavailable": "err.service_unreachable",
    }
    fields = {"masked_name": "*三", "masked_id": "1101**********0015"} if outcome == "pass" else {}
    fields.update(kw)
    return Verdict(outcome=Outcome(outcome), reason_code=outcome, message_key=key or keys[outcome], **fields)


@dataclass
class ScriptedVerifier:
    """Returns the scripted verdicts in order; ``gate`` (if set) blocks until released."""

    verdicts: list[Any] = field(default_factory=list)
    gate: threading.Event | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    raise_exc: BaseException | None = None

    def verify(self, card_jpeg: bytes, face_jpeg: bytes, *, card_result: Any = None, on_progress: Any = None,
               session_id: str = "") -> Any:
        self.calls.append({"card": card_jpeg, "face": face_jpeg, "card_result": card_result})
        if on_progress:
            on_progress("card_call" if card_result is None else "face_call")
        if self.gate is not None:
            self.gate.wait(10)
        if on_progress:
            on_progress("face_call")
        if self.raise_exc is not None:
            raise self.raise_exc
        return self.verdicts.pop(0)
