"""``kiosk doctor``: on-site diagnostics for staff and installers.

Checks, each reported as ok / not ok with a one-line detail (never a secret):

* ``config``: the settings load and validate (the key of the first problem otherwise);
* ``model``: the face-detector model is present and its SHA-256 matches;
* ``resources``: fonts and translations are present;
* ``camera``: each webcam index that opens, with the resolution actually delivered by a real
  frame (requested vs delivered);
* ``credentials``: a credential is available from the configured source (present or not);
* ``service``: TLS/proxy reachability of the endpoint with an unsigned, unbillable request over
  the client's own transport (configured proxy and CA bundle), and the clock offset to the
  service from its ``Date`` header (over 5 minutes -> not ok); proxy credentials are redacted;
* ``audit``: the audit folder and the files the kiosk appends to are writable by this user, and
  the disk is not full.

Exit 0 when every check is ok, 1 otherwise. Network use: one small POST, with the configured
timeouts. Runs from a source checkout and from the installed bundle alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.textsafe import escape, write_json

HELP = "diagnostics: cameras, model checksum, clock offset, TLS/proxy, credentials, config"

MAX_CLOCK_OFFSET_S = 300.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kiosk.commands.options import non_empty

    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--cameras", type=int, default=2, metavar="N", help="webcam indexes to probe (default 2)")
    parser.add_argument("--endpoint", type=non_empty, metavar="URL",
                        help="service URL to probe (default: service.endpoint)")
    parser.add_argument("--ca-bundle", type=non_empty, metavar="PEM", help="extra trusted CA file for the probe")
    parser.add_argument("--no-network", action="store_true", help="skip the service probe")
    parser.add_argument("--export-audit", type=non_empty, metavar="FILE",
                        help="staff export: write the whole audit trail (all rotated files) to FILE, then exit")
    parser.add_argument("--hash-pin", action="store_true",
                        help="read a new staff PIN and print its hash for kiosk.staff_pin_hash, then exit")


def check_staff_pin(settings: Any) -> Check:
    """The staff PIN hash: configured, and as costly as the current rule (kiosk/ui/pin.py)."""
    from kiosk.ui.pin import hash_is_current  # pin.py imports no Qt

    stored = settings.kiosk.staff_pin_hash
    if not stored:
        return Check("staff_pin", True, "no staff PIN hash: the staff menu stays locked")
    if not hash_is_current(stored):
        return Check("staff_pin", False, "the staff PIN hash is outdated (weaker than scrypt n=2^17): "
                                         "make a new one with kiosk doctor --hash-pin (6+ digits)")
    return Check("staff_pin", True, "scrypt hash, current cost")


def check_model() -> Check:
    from kiosk.core.vision.detector import MODEL_PATH, ModelError, verify_model

    try:
        digest = verify_model()
    except ModelError as exc:
        return Check("model", False, str(exc))
    return Check("model", True, f"{Path(MODEL_PATH).name} sha256 {digest[:16]}…")


def check_resources() -> Check:
    from kiosk.resources import resource

    wanted = [resource("fonts", "wqy-microhei.ttc"), resource("i18n", "kiosk_zh_CN.qm")]
    missing = [str(p) for p in wanted if not p.is_file()]
    if missing:
        return Check("resources", False, "missing: " + ", ".join(missing))
    return Check("resources", True, "font and translations present")


def check_cameras(count: int, width: int, height: int) -> Check:
    import cv2

    from kiosk.core.vision.sources import SourceInfo, probe_camera

    cv2.utils.logging.setLogLevel(2)  # errors only: probing absent indexes is expected to fail
    found: list[dict[str, Any]] = []
    for index in range(max(0, count)):
        info = probe_camera(index, width=width, height=height)  # the kiosk's own open path
        if isinstance(info, SourceInfo):
            found.append({"index": index, "requested": f"{width}x{height}",
                          "delivered": f"{info.width}x{info.height}@{info.fps:g}", "backend": info.backend})
        elif "no frame" in info:  # the device opened but delivered nothing
            found.append({"index": index, "requested": f"{width}x{height}", "delivered": "no frame",
                          "backend": ""})
    if not found:
        return Check("camera", False, f"no webcam among indexes 0..{count - 1}", {"cameras": []})
    text = "; ".join(f"#{c['index']} {c['backend']} {c['requested']} -> {c['delivered']}" for c in found)
    return Check("camera", all(c["delivered"] != "no frame" for c in found), text, {"cameras": found})


def check_credentials(settings: Any) -> Check:
    from kiosk.core.faceid.errors import CredentialError
    from kiosk.wiring import credential_provider

    try:
        cred = credential_provider(settings).get()
    except CredentialError as exc:
        return Check("credentials", False, f"source {settings.credentials.source}: {exc.detail}")
    except OSError as exc:  # e.g. a profile file this user may not read
        return Check("credentials", False, f"source {settings.credentials.source}: {exc.strerror}: {exc.filename}")
    expiry = ""
    if cred.expires_at:
        expiry = f", expires in {int(cred.expires_at - time.time())} s"
    token = ", with STS token" if cred.token else ""
    return Check("credentials", True, f"present (source {settings.credentials.source}{token}{expiry})")


def check_service(settings: Any, endpoint: str | None, ca_bundle: str | None) -> Check:
    """Unsigned POST over the client's own transport (configured proxy and CA bundle): the
    service answers AuthFailure (free) with a Date header. Proxy credentials are never shown."""
    from kiosk.commands.options import input_file_problem
    from kiosk.config import ConfigError
    from kiosk.core.faceid.errors import ConfigError as ClientConfigError
    from kiosk.core.faceid.probe import probe_service
    from kiosk.wiring import client_settings

    problem = input_file_problem("--ca-bundle", ca_bundle)  # a folder or a FIFO, named as such
    if problem:
        return Check("service", False, escape(problem, 300))
    try:
        cs = client_settings(settings, endpoint=endpoint, ca_bundle=ca_bundle)
        cs.validate()
        target = cs.endpoint_parts()
    except (ClientConfigError, ConfigError, OSError) as exc:
        return Check("service", False, f"endpoint configuration: {escape(exc, 300)}")
    result = probe_service(cs)
    if not result.ok:
        return Check("service", False, result.detail)
    if result.clock_offset_s is None:
        return Check("service", False, f"{target.host} answered HTTP {result.http_status} without a usable Date header")
    offset = result.clock_offset_s
    data = {
        "endpoint": target.url,
        "http_status": result.http_status,
        "clock_offset_s": offset,
        "round_trip_ms": result.round_trip_ms,
    }
    if abs(offset) > MAX_CLOCK_OFFSET_S:
        return Check(
            "service",
            False,
            f"reachable, but this clock is {offset:+.0f} s off the service "
            f"(limit ±{MAX_CLOCK_OFFSET_S:.0f} s; the kiosk corrects it, fix NTP anyway)",
            data,
        )
    return Check("service", True, f"reachable over TLS/proxy as configured; clock offset {offset:+.1f} s", data)


def check_audit(settings: Any) -> Check:
    """The folder AND the files the kiosk appends to (live and rotated) are writable by this user.

    Run it as the kiosk user: as root everything is writable (root-run kiosk commands hand the
    files they create to the audit folder's owner, see kiosk.core.audit_files).
    """
    from kiosk.core.audit_files import audit_write_problem
    from kiosk.wiring import audit_directory

    directory = audit_directory(settings)
    problem = audit_write_problem(directory)
    if problem is None:
        try:
            probe = directory / ".doctor-probe"
            probe.write_text("ok", encoding="ascii")
            probe.unlink()
        except OSError as exc:
            problem = f"{directory} not writable ({exc.strerror})"
    if problem:
        return Check("audit", False, problem)
    problem = audit_append_problem(directory)
    if problem:
        return Check("audit", False, f"{directory}: {problem}; verdicts are given but not recorded")
    files = [p.name for p in sorted(directory.glob("audit.jsonl*"))]
    return Check("audit", True, f"{directory} and its {len(files)} audit files writable")


def hash_pin_command(stdin: Any) -> int:
    """``--hash-pin``: prompt on a terminal (twice); otherwise read the PIN from stdin.

    From stdin the first line is the PIN and an optional second line must repeat it (so
    ``printf '%s\\n%s\\n' "$PIN" "$PIN" | kiosk doctor --hash-pin`` and ``... <<< "$PIN"`` both
    work). The hash comes from :func:`kiosk.ui.pin.hash_pin` (the kiosk's own rules and cost);
    exit 0 with the hash on stdout, 2 on a refused or missing PIN. The PIN is never echoed.
    """
    from kiosk.ui.pin import hash_pin  # pin.py imports no Qt

    if stdin is not None and stdin.isatty():
        import getpass

        try:
            pin = getpass.getpass("New staff PIN: ")
            again = getpass.getpass("Again: ")
        except (EOFError, KeyboardInterrupt):
            print("kiosk doctor: no PIN entered", file=sys.stderr)
            return 2
    else:
        lines = (stdin.read(4096) if stdin is not None else "").splitlines()
        pin = lines[0].strip() if lines else ""
        again = lines[1].strip() if len(lines) > 1 else pin
        if not pin:
            print("kiosk doctor: --hash-pin: no PIN on stdin (one line: the PIN)", file=sys.stderr)
            return 2
    if pin != again:
        print("kiosk doctor: the two PINs differ", file=sys.stderr)
        return 2
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(f"kiosk doctor: PIN refused: {exc}", file=sys.stderr)
        return 2
    return 0


#: less free space than this in the audit folder is reported (a record is ~300 bytes)
MIN_AUDIT_FREE_BYTES = 5_000_000


def audit_append_problem(directory: Path) -> str:
    """Why records cannot be appended to the live audit file ('' when they can): a full disk
    (free space under :data:`MIN_AUDIT_FREE_BYTES`) or a failed append of an empty line (an
    empty line is skipped by every reader of the trail)."""
    import os

    from kiosk.core.audit import AuditTrail

    try:
        st = os.statvfs(directory) if hasattr(os, "statvfs") else None
        if st is not None and st.f_bavail * st.f_frsize < MIN_AUDIT_FREE_BYTES:
            return f"disk nearly full ({st.f_bavail * st.f_frsize // 1024} KB free)"
        live = directory / AuditTrail.FILE_NAME
        if live.exists():
            with open(live, "a", encoding="utf-8") as fh:
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        return f"the audit file cannot be written ({exc.strerror or type(exc).__name__})"
    return ""


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_settings

    if args.export_audit:
        from kiosk.wiring import open_audit

        try:
            trail = open_audit(load_settings(args.config))
            try:
                count = trail.export(args.export_audit)
            finally:
                trail.close()
        except (ConfigError, OSError) as exc:
            print(f"kiosk doctor: audit export failed: {exc}", file=sys.stderr)
            return 2
        print(f"{count} audit records written to {args.export_audit}")
        return 0
    if args.hash_pin:
        return hash_pin_command(sys.stdin)

    checks: list[Check] = []
    try:
        settings = load_settings(args.config)
        source = settings.source_file or "defaults (no config file)"
        checks.append(Check("config", True, f"{source} (kiosk_id {settings.kiosk.kiosk_id})"))
    except ConfigError as exc:
        checks.append(Check("config", False, str(exc), {"key": exc.key}))
        settings = load_settings(None, environ={}, search_default_paths=False)
    checks.append(check_staff_pin(settings))
    checks.append(check_model())
    checks.append(check_resources())
    checks.append(check_cameras(args.cameras, settings.camera.width, settings.camera.height))
    checks.append(check_credentials(settings))
    if not args.no_network:
        checks.append(check_service(settings, args.endpoint, args.ca_bundle))
    checks.append(check_audit(settings))
    ok = all(c.ok for c in checks)
    if args.json:
        write_json({"ok": ok, "checks": [asdict(c) for c in checks]})
    else:
        for c in checks:
            print(f"{'ok ' if c.ok else 'NOT'}  {c.name:<12} {escape(c.detail, 2000)}")
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(
        run(argparse.Namespace(json=True, cameras=2, endpoint=None, ca_bundle=None, no_network=False, config=None))
    )
