"""``kiosk emulator``: a local stand-in for the Tencent FaceID service."""

from __future__ import annotations

import argparse
import sys

HELP = "a local stand-in for the Tencent FaceID service"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("kiosk emulator: not available yet", file=sys.stderr)
    return 2
