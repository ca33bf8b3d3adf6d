"""``kiosk selftest``: the technician's end-to-end check after an install or an upgrade.

Needs no account, no camera and no network. It runs the real pipeline, in this process:

1. ``config``: the configured settings load (the policy thresholds and kiosk id used below come
   from them; on a bad file the remaining steps run with the defaults and the step fails);
2. ``detector``: the face-detector model is present and its checksum matches;
3. ``emulator``: the FaceID emulator (with its face matcher, printed) listens on 127.0.0.1 with
   the public demo credentials and its own encryption key;
4. ``specimen``: a SPECIMEN card of a fictional demo person is rendered and read back;
5. ``card capture`` / ``face capture``: the virtual camera photographs the card (out of focus at
   first, so the prechecks must reject frames before they accept one) and then the person's
   face; the real checks and the steady-run auto-capture take the pictures, encoded for upload;
6. ``verify, same person``: both signed calls (CheckIdCardInformation, ImageRecognitionV2, with
   field encryption) through the real client over a real loopback socket; must pass, and the
   emulator must have seen exactly those two authenticated calls;
7. ``verify, other face``: the same card with another person's face; must be *not passed*
   (outcome ``fail``), never a pass and never "service unavailable";
8. ``audit``: the records of both verifications were written, with masked values only.

Where the audit goes: to a temporary folder that is deleted at the end, never to the kiosk's
audit trail (a self-test is not a customer session, and a root-run self-test must not create
files the kiosk user cannot append to). Nothing is written anywhere else: the demo people are
fictional, their images stay in memory, the emulator's key file lives in the same temporary
folder.

Output: one line per step, ``PASS``/``FAIL``/``SKIP`` with its time in ms, then a summary
(``--json``: one JSON object). Exit 0 when every step passed, 1 otherwise, never a traceback
(an unexpected error fails its step with a one-line reason; ``KIOSK_DEBUG=1`` logs the trace).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HELP = "end-to-end self-test with the built-in emulator and virtual camera (no account, camera or network)"

EXIT_PASS, EXIT_FAIL = 0, 1
#: virtual seconds the scripted customer gets per capture (the kiosk allows 90 s of real time)
CAPTURE_LIMIT_S = 12.0
#: demo people used (the two large portraits; the others are thumbnails, too small for a live
#: face): the card holder and the "other person" for the mismatch
HOLDER, OTHER = 0, 1

log = logging.getLogger("kiosk.selftest")


@dataclass
class StepResult:
    """One step of the self-test: ``status`` is PASS, FAIL or SKIP."""

    name: str
    status: str
    detail: str
    ms: float


class StepFailedError(Exception):
    """A step's check did not hold (the message says what was seen)."""


class _Runner:
    """Runs steps in order, prints each as it finishes; a failed step's dependants are skipped."""

    def __init__(self, out: Callable[[str], None] | None) -> None:
        self.results: list[StepResult] = []
        self._out = out

    def step(self, name: str, fn: Callable[[], tuple[str, Any]], *, needs: tuple[Any, ...] = ()) -> Any:
        if any(n is None for n in needs):
            self._record(StepResult(name, "SKIP", "an earlier step failed", 0.0))
            return None
        t0 = time.perf_counter()
        try:
            detail, value = fn()
            status = "PASS"
        except StepFailedError as exc:
            detail, value, status = str(exc), None, "FAIL"
        except Exception as exc:  # one line per failure, never a traceback
            log.debug("selftest step %s failed", name, exc_info=True)
            detail, value, status = f"{type(exc).__name__}: {exc}", None, "FAIL"
        self._record(StepResult(name, status, detail, (time.perf_counter() - t0) * 1000))
        return value

    def _record(self, result: StepResult) -> None:
        self.results.append(result)
        if self._out is not None:
            self._out(f"{result.status:<4}  {result.name:<22} {result.detail}  ({result.ms:.0f} ms)")

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.status == "PASS" for r in self.results)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the step lines")


def _capture(face_image: Any, card_image: Any, stage: str, detector: Any) -> tuple[Any, dict[str, int], float]:
    """Play one capture step of the virtual customer through the kiosk's checks and auto-capture.

    Returns (capture or None, problem codes seen with counts, virtual seconds used).
    """
    from kiosk.core.vision import AutoCapture, VirtualCamera, VirtualScript, WatchedSource, assess

    script = VirtualScript(face_image=face_image, card_image=card_image, blurry_first=(stage == "card"))
    camera = VirtualCamera(script)
    source = WatchedSource(camera, clock=lambda: camera.now)
    source.open()
    try:
        source.set_stage(stage)
        auto = AutoCapture(stage, detector=detector)
        seen: dict[str, int] = {}
        while camera.frame_index < CAPTURE_LIMIT_S * camera.fps:
            frame = source.read()
            if frame is None:
                raise StepFailedError(f"virtual camera delivered no frame ({source.health})")
            assessment = assess(frame, stage, detector=detector)
            for code in assessment.problems:
                seen[code] = seen.get(code, 0) + 1
            captured = auto.feed(frame, assessment, camera.now)
            if captured is not None:
                auto.wipe()
                return captured, seen, camera.now
        auto.wipe()
        return None, seen, camera.now
    finally:
        source.close()


def _problems_text(seen: dict[str, int]) -> str:
    return ", ".join(f"{code} x{n}" for code, n in sorted(seen.items(), key=lambda kv: -kv[1])) or "none"


def run(args: argparse.Namespace) -> int:
    from kiosk import __version__

    as_json = bool(getattr(args, "json", False))
    out = None if as_json else (lambda line: print(line, flush=True))
    if out:
        out(f"kiosk selftest {__version__}: built-in emulator + virtual camera (no account, camera or network)")
    runner = _Runner(out)
    # the client's per-call log lines would land between the step lines (Python's last-resort
    # handler) when the CLI has not configured logging; the steps report what matters
    quiet = logging.NullHandler() if not logging.getLogger().handlers else None
    if quiet is not None:
        logging.getLogger("kiosk").addHandler(quiet)
    started = time.perf_counter()
    state: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as tmp:
        try:
            _steps(runner, args, Path(tmp), state)
        finally:
            for closer in state.get("closers", [])[::-1]:
                try:
                    closer()
                except Exception:  # cleanup must not hide the result
                    log.debug("selftest cleanup failed", exc_info=True)
            if quiet is not None:
                logging.getLogger("kiosk").removeHandler(quiet)
    total_s = time.perf_counter() - started
    passed = sum(r.status == "PASS" for r in runner.results)
    if as_json:
        print(
            json.dumps(
                {
                    "ok": runner.ok,
                    "version": __version__,
                    "face_matcher": state.get("matcher", ""),
                    "total_s": round(total_s, 2),
                    "steps": [asdict(r) | {"ms": round(r.ms, 1)} for r in runner.results],
                },
                ensure_ascii=False,
            )
        )
    else:
        verdict = "PASS" if runner.ok else "FAIL"
        print(f"selftest: {verdict} ({passed}/{len(runner.results)} steps passed, {total_s:.1f} s)", flush=True)
    return EXIT_PASS if runner.ok else EXIT_FAIL


def _steps(runner: _Runner, args: argparse.Namespace, tmp: Path, state: dict[str, Any]) -> None:
    closers: list[Callable[[], None]] = []
    state["closers"] = closers

    # 1. configuration -----------------------------------------------------------------------
    from kiosk.config import ConfigError, load_settings

    def config() -> tuple[str, Any]:
        try:
            settings = load_settings(getattr(args, "config", None))
        except ConfigError as exc:
            raise StepFailedError(f"{exc} (the next steps use the defaults)") from None
        return (settings.source_file or "defaults (no config file)"), settings

    # a failed config step (whatever it raised) leaves the defaults for the steps after it
    settings = runner.step("config", config) or load_settings(None, environ={}, search_default_paths=False)

    # 2. detector model ----------------------------------------------------------------------
    def detector() -> tuple[str, Any]:
        from kiosk.core.vision.detector import FaceDetector, verify_model

        digest = verify_model()
        return f"YuNet model sha256 {digest[:12]}… ok", FaceDetector()

    face_detector = runner.step("detector", detector)

    # 3. emulator ----------------------------------------------------------------------------
    def emulator() -> tuple[str, Any]:
        from kiosk.emulator.registry import Registry
        from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer

        registry = Registry.builtin()
        people = [p for p in registry.people if registry.has_portrait(p)]
        if len(people) <= max(HOLDER, OTHER):
            raise StepFailedError(f"the built-in registry has {len(people)} people with portraits, need {OTHER + 1}")
        server = EmulatorServer(
            registry=registry,
            host="127.0.0.1",
            port=0,
            secret_id=DEMO_SECRET_ID,
            secret_key=DEMO_SECRET_KEY,
            state_dir=tmp / "emulator",
        )
        server.start()
        closers.append(server.stop)
        from kiosk.emulator.matcher import describe

        state["matcher"] = describe(server.service.matcher)
        return f"{server.url}, {len(people)} demo people, face matcher {state['matcher']}", (server, registry, people)

    world = runner.step("emulator", emulator)

    # 4. specimen card -----------------------------------------------------------------------
    def specimen() -> tuple[str, Any]:
        from kiosk.core import idnumber
        from kiosk.core.specimen_reading import read_specimen

        _server, registry, people = world
        holder = people[HOLDER]
        card = registry.specimen(holder, face_detector)
        back = read_specimen(card)
        if back != holder:
            raise StepFailedError("the rendered card does not read back as its holder")
        return f"{idnumber.mask(holder.id_number)} rendered {card.shape[1]}x{card.shape[0]} and read back", card

    card_image = runner.step("specimen", specimen, needs=(world, face_detector))

    # 5. captures ----------------------------------------------------------------------------
    def capture(stage: str, person_index: int) -> Callable[[], tuple[str, Any]]:
        def do() -> tuple[str, Any]:
            _server, registry, people = world
            face = registry.portrait(people[person_index])
            captured, seen, used = _capture(face, card_image, stage, face_detector)
            if captured is None:
                raise StepFailedError(f"no capture in {used:.1f} virtual s; problems seen: {_problems_text(seen)}")
            if stage == "card" and not seen:
                raise StepFailedError("the prechecks accepted every frame, the out-of-focus ones too")
            kb = len(captured.jpeg) / 1024
            return (
                f"auto-captured after {used:.1f} virtual s, {kb:.0f} KB JPEG; frames rejected: {_problems_text(seen)}"
            ), captured.jpeg

        return do

    card_jpeg = runner.step("card capture", capture("card", HOLDER), needs=(card_image,))
    face_jpeg = runner.step("face capture", capture("face", HOLDER), needs=(card_image,))
    other_jpeg = runner.step("face capture, other", capture("face", OTHER), needs=(card_image,))

    # 6./7. verification through the real client -----------------------------------------------
    audit_dir = tmp / "audit"

    def verifier() -> Any:
        if "verifier" in state:
            return state["verifier"]
        from kiosk.core.audit import AuditTrail
        from kiosk.core.faceid.client import FaceIdClient
        from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
        from kiosk.core.faceid.settings import ClientSettings
        from kiosk.core.verification import Verifier
        from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY
        from kiosk.wiring import build_policy

        server = world[0]
        client = FaceIdClient(
            ClientSettings(
                endpoint=server.url,
                language="zh-CN" if settings.kiosk.language == "zh_CN" else "en-US",
                connect_timeout=3.0,
                read_timeout=20.0,
                encrypt_fields=True,
                encryption_public_key_pem=server.public_key_pem,
            ),
            StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY)),
        )
        closers.append(client.close)
        audit = AuditTrail(audit_dir, kiosk_id=settings.kiosk.kiosk_id)
        closers.append(audit.close)
        state["audit"] = audit
        state["verifier"] = Verifier(client, build_policy(settings), audit=audit)
        return state["verifier"]

    def verify(face: bytes, session_id: str, expect_pass: bool) -> Callable[[], tuple[str, Any]]:
        def do() -> tuple[str, Any]:
            from kiosk.core.verification import Outcome

            server = world[0]
            server.clear_calls()
            verdict = verifier().verify(card_jpeg, face, session_id=session_id)
            state["audit"].session(
                session_id=session_id,
                step="selftest",
                outcome_code=verdict.outcome.value,
                reason_code=verdict.reason_code,
                masked_id=verdict.masked_id,
            )
            calls = [(c.action, c.code) for c in server.calls]
            sims = f"card Sim {verdict.card_sim}, face Sim {verdict.face_sim}"
            text = f"{verdict.outcome.value} ({verdict.reason_code}), {sims}, {len(calls)} signed calls"
            if expect_pass:
                if not verdict.passed:
                    raise StepFailedError(f"expected pass, got {text}")
                wanted = [("CheckIdCardInformation", "Success"), ("ImageRecognitionV2", "Success")]
                if sorted(calls) != wanted:
                    raise StepFailedError(f"passed, but the emulator saw {calls} instead of the two calls")
            elif verdict.outcome is not Outcome.FAIL:
                raise StepFailedError(f"expected not passed (fail), got {text}")
            return text, verdict

        return do

    passed = runner.step(
        "verify, same person", verify(face_jpeg or b"", "selftest-pass", True), needs=(card_jpeg, face_jpeg)
    )
    mismatch = runner.step(
        "verify, other face", verify(other_jpeg or b"", "selftest-mismatch", False), needs=(card_jpeg, other_jpeg)
    )

    # 8. the audit records: written, masked ------------------------------------------------------
    def audit() -> tuple[str, Any]:
        _server, _registry, people = world
        trail = state["audit"]
        records = trail.records()
        calls = [r for r in records if r.get("kind") == "call"]
        sessions = [r for r in records if r.get("kind") == "session"]
        if len(calls) < 4 or len(sessions) < 2:
            raise StepFailedError(f"expected >= 4 call and 2 session records, found {len(calls)} and {len(sessions)}")
        text = "".join(p.read_text(encoding="utf-8") for p in trail.files())
        leaked = [p for p in people if p.id_number in text or p.name in text]
        if leaked:
            raise StepFailedError("a full name or ID number is in the audit records")
        return f"{len(calls)} call + {len(sessions)} session records, masked (temporary folder, deleted)", True

    runner.step("audit", audit, needs=(passed, mismatch))
