"""The ``kiosk`` command line.

Each subcommand lives in its own module under :mod:`kiosk.commands` and is imported only when it
runs, so ``kiosk precheck`` never pays for Qt and ``kiosk emulator`` never loads OpenCV's GUI bits.
A command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.

Exit codes follow design.md: 0 success / pass, 1 not passed, 2 usage or configuration error.
No traceback reaches the user: unexpected errors are reported in one line (and the full trace
only with ``KIOSK_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from kiosk import __version__

#: subcommand name -> module under kiosk.commands (the module name differs where the
#: subcommand is a Python keyword or clashes with a package).
COMMANDS: dict[str, str] = {
    "run": "run",
    "demo": "demo",
    "verify": "verify",
    "precheck": "precheck",
    "emulator": "emulator",
    "specimen": "specimen",
    "doctor": "doctor",
    "bench": "bench",
    "selftest": "selftest",
}

EXIT_OK = 0
EXIT_NOT_PASSED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep that, but never print a traceback."""


def _load(name: str):
    return importlib.import_module(f"kiosk.commands.{COMMANDS[name]}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk", description="Identity-verification kiosk (Tencent FaceID).")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config", metavar="TOML", help="configuration file (default: $KIOSK_CONFIG or the platform path)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _load(name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _process_defaults() -> None:
    """Environment defaults that must be set before OpenCV is imported."""
    # OpenCV's own decoder limit (checked after ours in kiosk.core.vision.imageio): a second line.
    os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(100_000_000))
    if sys.platform == "win32":
        # MSMF opens some webcams in seconds to minutes with hardware transforms on (opencv#17687).
        os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")


def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.core.hardening import disable_core_dumps

    disable_core_dumps()  # first: a crash must never write a customer (or the keys) to a core file
    _process_defaults()
    from kiosk.core.textsafe import configure_cli_logging, escape

    # Our own stderr handler (escaped, one line per record; never Python's last-resort handler)
    # and stdout/stderr that cannot fail on a cp1252 or ASCII console.
    configure_cli_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or sys.argv[1:])])
    try:
        return int(args._module.run(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last line of defence: one clear line, never a traceback
        if os.environ.get("KIOSK_DEBUG") == "1":
            traceback.print_exc()
        print(f"kiosk {args.command}: internal error: {type(exc).__name__}: {escape(exc, 500)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
