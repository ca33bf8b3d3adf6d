"""``kiosk run``: the kiosk on the configured camera and service, fullscreen."""

from __future__ import annotations

import argparse
import sys

HELP = "the kiosk on the configured camera and service, fullscreen"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("kiosk run: not available yet", file=sys.stderr)
    return 2
