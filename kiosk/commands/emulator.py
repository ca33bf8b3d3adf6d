"""``kiosk emulator``: a local stand-in for the Tencent FaceID service (foreground).

Prints the URL it listens on (and, with ``--tls``, the CA file to trust), the path of the
emulator's RSA public key (for the client's encryption setting) and the SecretId in use, then
serves until SIGINT or SIGTERM, and exits 0 after a clean stop. Exit 2 on bad arguments
(a port outside 0-65535, an unreadable or invalid registry, an unreadable ``--rsa-key``, invalid
``--faults``, a ``--state-dir`` that is not a folder, port in use), each with one line on stderr.
Files named here are read bounded (:mod:`kiosk.core.bounded_read`: regular files only, so a FIFO
never blocks the start; a PEM key at most 64 KB, ``people.json`` at most 4 MB).

Credentials: ``--secret-id``/``--secret-key``, else ``KIOSK_EMULATOR_SECRET_ID`` /
``KIOSK_EMULATOR_SECRET_KEY``, else the demo values ``kiosk.emulator.server.DEMO_SECRET_ID`` /
``DEMO_SECRET_KEY``. The banner shows how to call the emulator (``kiosk verify`` with the
environment it needs); it prints the secret key only when it is the public demo key (which opens
nothing but a local emulator); a key given by option or environment is never printed.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

HELP = "a local stand-in for the Tencent FaceID service"


def _port(text: str) -> int:
    """argparse type: a TCP port 0-65535 (0 = any free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, not {port}")
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the emulator's options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8443, help="port (default: 8443; 0 = any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA + certificate")
    parser.add_argument("--registry", metavar="DIR", help="directory with people.json (default: demo people)")
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        default="",
        help="fault injection, e.g. 'latency=0.5@0.2,reset@0.1,http500@1/5' (grammar: kiosk.emulator.faults)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for probabilistic faults")
    parser.add_argument("--secret-id", metavar="ID", help="SecretId to accept")
    parser.add_argument("--secret-key", metavar="KEY", help="SecretKey to verify signatures with")
    parser.add_argument("--token", metavar="TOKEN", help="require this X-TC-Token (STS-style credentials)")
    parser.add_argument("--rsa-key", metavar="PEM", help="RSA private key to use (default: generate one)")
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help="where to write the public key and TLS files (default: a temporary directory)",
    )
    parser.add_argument(
        "--matcher",
        choices=("auto", "resnet", "classic"),
        default="auto",
        help="face matcher: resnet (needs the 'face' extra), classic (same-photograph), auto (default)",
    )
    parser.add_argument(
        "--enroll",
        metavar="PHOTOS",
        help="staff rehearsal: build a registry in --registry DIR from a folder of portrait photos "
        "(fictional identities, one specimen card each), then exit",
    )
    parser.add_argument("--log-calls", action="store_true", help="print one JSON line per call on stderr")


def _enroll(args: argparse.Namespace) -> int:
    """``--enroll PHOTOS --registry DIR``: write the rehearsal registry; 0 done, 2 on errors."""
    from kiosk.core import idnumber
    from kiosk.emulator.enroll import EnrollError, enroll
    from kiosk.emulator.matcher import ModelUnavailableError, describe, make_matcher

    if not args.registry:
        print("kiosk emulator: --enroll needs --registry DIR (where to write the registry)", file=sys.stderr)
        return 2
    try:
        matcher = make_matcher(args.matcher)
        result = enroll(args.enroll, args.registry, seed=args.seed, matcher=matcher)
    except (EnrollError, ModelUnavailableError) as exc:
        print(f"kiosk emulator: {exc}", file=sys.stderr)
        return 2
    print(f"face matcher: {describe(matcher)}")
    for photo, person, card in result.people:
        print(f"  {photo}: {idnumber.mask_name(person.name)} {idnumber.mask(person.id_number)} -> card {card}")
    for photo, reason in result.skipped:
        print(f"  skipped {photo}: {reason}")
    print(f"registry written to {result.registry_dir} ({len(result.people)} people, fictional identities)")
    print(f"print the cards in {result.registry_dir / 'cards'} and start: kiosk emulator --registry {args.registry}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; 0 after a clean stop, 2 on configuration errors."""
    if args.enroll:
        return _enroll(args)
    from kiosk.emulator.faults import FaultPlan, FaultSpecError
    from kiosk.emulator.keys import RsaKeyPair
    from kiosk.emulator.matcher import ModelUnavailableError, describe, make_matcher
    from kiosk.emulator.registry import Registry, RegistryError
    from kiosk.emulator.server import EmulatorServer, StateDirError

    try:
        registry = Registry.load(args.registry) if args.registry else Registry.builtin()
        faults = FaultPlan(args.faults, seed=args.seed)
    except (RegistryError, FaultSpecError) as exc:
        print(f"kiosk emulator: {exc}", file=sys.stderr)
        return 2
    try:
        rsa_key = RsaKeyPair.from_file(args.rsa_key) if args.rsa_key else None
    except ValueError as exc:  # bounded_read's refusals and unusable keys, one line each
        print(f"kiosk emulator: cannot load --rsa-key: {exc}", file=sys.stderr)
        return 2
    try:
        matcher = make_matcher(args.matcher)
    except ModelUnavailableError as exc:
        print(f"kiosk emulator: --matcher {args.matcher}: {exc}", file=sys.stderr)
        return 2
    if args.log_calls:
        from kiosk.core.textsafe import SafeFormatter

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(SafeFormatter("%(message)s"))  # client-controlled text stays escaped
        logger = logging.getLogger("kiosk.emulator")
        logger.addHandler(handler)
        logger.propagate = False  # not printed a second time by the CLI's own handler
        logger.setLevel(logging.INFO)

    server = EmulatorServer(
        registry=registry,
        host=args.host,
        port=args.port,
        tls=args.tls,
        faults=faults,
        secret_id=args.secret_id,
        secret_key=args.secret_key,
        token=args.token,
        rsa_key=rsa_key,
        state_dir=args.state_dir,
        matcher=matcher,
    )
    stop = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server.start()
        except StateDirError as exc:
            print(f"kiosk emulator: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"kiosk emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 2
        print(f"FaceID emulator listening on {server.url}", flush=True)
        print(f"  people: {len(registry)} ({registry.source})", flush=True)
        print(f"  face matcher: {describe(matcher)}", flush=True)
        print(f"  public key: {server.public_key_file}", flush=True)
        if server.ca_file is not None:
            print(f"  CA file: {server.ca_file}", flush=True)
        if faults:
            print(f"  faults: {faults.spec}", flush=True)
        for line in call_instructions(server, registry_option=args.registry):
            print(line, flush=True)
        print("  stop with Ctrl+C", flush=True)
        while not stop.wait(0.2):
            pass
        print("FaceID emulator stopping", flush=True)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("FaceID emulator stopped", flush=True)
    return 0


def call_instructions(server: object, *, registry_option: str | None = None) -> list[str]:
    """The banner lines that say how to call the running emulator.

    The demo credentials are public values that open only a local emulator, so both are shown;
    a SecretKey given by option or environment is never printed.
    """
    from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

    secret_id = getattr(server, "secret_id", "")
    demo = secret_id == DEMO_SECRET_ID and getattr(server, "secret_key", None) == DEMO_SECRET_KEY
    key = DEMO_SECRET_KEY if demo else "<the key you started it with>"
    lines = [f"  secret id: {secret_id}"]
    lines.append(
        f"  secret key: {DEMO_SECRET_KEY} (public demo value: it opens only this emulator)"
        if demo
        else "  secret key: (given by option or environment; not printed)"
    )
    extra = ""
    if getattr(server, "ca_file", None) is not None:
        extra = f" --ca-bundle {server.ca_file}"  # type: ignore[attr-defined]
    registry = f" --registry {registry_option}" if registry_option else ""
    token = "TENCENTCLOUD_SESSION_TOKEN=<token> " if getattr(server, "token", None) else ""
    lines += [
        "  try it (another terminal):",
        f"    kiosk specimen{registry} --list",
        f"    kiosk specimen{registry} --id 1 --photo --out card.png",
        f"    KIOSK_CREDENTIALS_SOURCE=env TENCENTCLOUD_SECRET_ID={secret_id} TENCENTCLOUD_SECRET_KEY={key} {token}\\",
        f"      kiosk verify --endpoint {getattr(server, 'url', '')}{extra} --no-audit --card card.png --face FACE.jpg",
        "    (FACE.jpg: a photo of that person for a pass, of anyone else for a mismatch)",
    ]
    return lines
