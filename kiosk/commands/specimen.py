"""``kiosk specimen``: render a SPECIMEN resident ID card the emulator can read."""

from __future__ import annotations

import argparse
import sys

HELP = "render a SPECIMEN resident ID card the emulator can read"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("kiosk specimen: not available yet", file=sys.stderr)
    return 2
