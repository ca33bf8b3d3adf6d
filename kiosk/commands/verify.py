"""``kiosk verify``: the whole verification pipeline without a screen.

Prechecks both images exactly as the kiosk does before capture (nothing is sent when they fail),
then calls CheckIdCardInformation and ImageRecognitionV2 with the configured policy, and prints a
masked JSON verdict. Exit codes: 0 pass, 1 not passed (prechecks, identity, service
unavailable), 2 usage or configuration error (including credentials or an account the service
rejects: an operator must act), 3 the verdict was printed (with ``"audit": "failed"``) but the
audit trail could not be written (disk full, folder gone): the calls may have been billed
without a record, an operator must act. No traceback on any input.

Output is safe on any terminal: strings from the service are printed with control, C1 and bidi
characters as ``\\u`` escapes, and a console that cannot encode the text (cp1252, ASCII) gets
ASCII-only JSON (:func:`kiosk.core.textsafe.write_json`).

Credentials come from the configured source (by default ``TENCENTCLOUD_SECRET_ID`` /
``TENCENTCLOUD_SECRET_KEY``, then the SDK profile file). Plain ``http://`` endpoints are accepted
only for loopback addresses (the emulator).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

HELP = "headless verification of a card image and a face image"

EXIT_PASS, EXIT_NOT_PASSED, EXIT_USAGE, EXIT_AUDIT_FAILED = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kiosk.commands.options import non_empty

    parser.add_argument("--card", required=True, type=non_empty, metavar="IMG",
                        help="photo of the portrait side of the card")
    parser.add_argument("--face", required=True, type=non_empty, metavar="IMG", help="photo of the customer's face")
    parser.add_argument("--endpoint", type=non_empty, metavar="URL", help="service URL (default: service.endpoint)")
    parser.add_argument("--ca-bundle", type=non_empty, metavar="PEM",
                        help="extra trusted CA file (e.g. the emulator's --tls CA)")
    parser.add_argument("--public-key", type=non_empty, metavar="PEM", help="RSA public key for field encryption")
    parser.add_argument("--encrypt", action="store_true", help="encrypt IdCard and Name (AES-256-CBC + RSA)")
    parser.add_argument("--no-audit", action="store_true", help="do not append to the audit trail")
    parser.add_argument("--json", action="store_true", help="print only the JSON verdict")


def _fail(message: str) -> int:
    from kiosk.core.textsafe import escape

    print(f"kiosk verify: {escape(message, 2000)}", file=sys.stderr)
    return EXIT_USAGE


def _precheck_verdict(kind: str, problems: tuple[str, ...]) -> dict[str, Any]:
    return {
        "verdict": "retake_card" if kind == "card" else "retake_face",
        "reason_code": f"precheck.{problems[0] if problems else 'unreadable_image'}",
        "message_key": f"hint.{problems[0] if problems else 'unreadable_image'}",
        "problems": list(problems),
        "masked_name": "",
        "masked_id": "",
        "card_sim": None,
        "face_sim": None,
        "request_ids": [],
        "billed_calls": 0,
        "maybe_billed_calls": 0,
        "timings_ms": {},
    }


def _emit(result: dict[str, Any], as_json: bool) -> None:
    from kiosk.core.messages import english
    from kiosk.core.textsafe import write_json

    result.setdefault("message", english(result["message_key"]))
    write_json(result, indent=None if as_json else 2)


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.options import input_file_problem
    from kiosk.config import ConfigError, load_settings
    from kiosk.core.faceid.errors import FaceIdError
    from kiosk.core.vision.prepare import PrepareError, prepare_upload
    from kiosk.wiring import apply_process_limits, build_client, build_policy, open_audit

    for label, path in (("--card", args.card), ("--face", args.face), ("--ca-bundle", args.ca_bundle),
                        ("--public-key", args.public_key)):
        problem = input_file_problem(label, path)  # "--face: x: a folder", before any work
        if problem:
            return _fail(problem)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    apply_process_limits(settings)

    # Local prechecks first: nothing is sent (or billed) for an image the service would reject.
    prepared = {}
    for kind, path in (("card", args.card), ("face", args.face)):
        try:
            prepared[kind] = prepare_upload(Path(path), kind)
        except PrepareError as exc:
            _emit(_precheck_verdict(kind, exc.problems), args.json)
            return EXIT_NOT_PASSED

    try:
        client = build_client(
            settings,
            endpoint=args.endpoint,
            ca_bundle=args.ca_bundle,
            public_key=args.public_key,
            encrypt=args.encrypt or None,
        )
    except (FaceIdError, ConfigError, OSError, ValueError) as exc:
        return _fail(str(exc))

    from kiosk.core.verification import Verifier

    try:
        audit = None if args.no_audit else open_audit(settings)
    except OSError as exc:  # nothing sent yet: refuse rather than call without a record
        client.close()
        return _fail(f"audit trail cannot be opened ({settings.audit.directory or 'default folder'}): "
                     f"{exc.__class__.__name__}: {exc.strerror or exc}")
    audit_failure: str | None = None
    try:
        verifier = Verifier(client, build_policy(settings), audit=audit)
        session_id = uuid.uuid4().hex[:12]
        verdict = verifier.verify(prepared["card"].jpeg, prepared["face"].jpeg, session_id=session_id)
        if audit is not None:
            audit.session(
                session_id=session_id,
                step="verify",
                outcome_code=verdict.outcome.value,
                reason_code=verdict.reason_code,
                masked_id=verdict.masked_id,
            )
            audit_failure = audit.failure if audit.failed_records else None
    finally:
        client.close()
        if audit is not None:
            audit.close()
    result = verdict.to_json()
    if audit_failure:
        result["audit"] = "failed"
    _emit(result, args.json)
    if audit_failure:
        print(f"kiosk verify: the audit trail could not be written ({audit_failure}); "
              "see `kiosk doctor`", file=sys.stderr)
        return EXIT_AUDIT_FAILED
    if verdict.passed:
        return EXIT_PASS
    return EXIT_USAGE if _is_configuration_problem(verdict) else EXIT_NOT_PASSED


def _is_configuration_problem(verdict: Any) -> bool:
    """Unavailable because of credentials, account or settings: the operator must act (exit 2)."""
    from kiosk.core.faceid import catalog
    from kiosk.core.verification import Outcome

    if verdict.outcome is not Outcome.UNAVAILABLE:
        return False
    return verdict.message_key == "err.out_of_service" or (
        catalog.lookup(verdict.reason_code).category is catalog.Category.ACCOUNT_CONFIG
    )
