"""``kiosk precheck``: local capture checks only, one JSON object per image."""

from __future__ import annotations

import argparse
import sys

HELP = "local capture checks only, one JSON object per image"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("kiosk precheck: not available yet", file=sys.stderr)
    return 2
