"""``kiosk doctor``: diagnostics: cameras, model checksum, clock offset, TLS/proxy, credentials, config."""

from __future__ import annotations

import argparse
import sys

HELP = "diagnostics: cameras, model checksum, clock offset, TLS/proxy, credentials, config"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print("kiosk doctor: not available yet", file=sys.stderr)
    return 2
