"""``kiosk demo``: the whole product against the built-in emulator and a scripted virtual camera."""

from __future__ import annotations

import argparse
import sys

HELP = "the whole product against the built-in emulator and a scripted virtual camera"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("kiosk demo: not available yet", file=sys.stderr)
    return 2
