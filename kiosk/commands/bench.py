"""``kiosk bench``: performance figures on this machine (design.md, Targets).

Reports, as medians (and p95) on this machine:

* frame assessment on 1280x720 card and face frames, and JPEG encoding sizes (vision);
* FaceID client overhead per call with no network: base64, JSON, signing (client).

Targets are printed next to the figures; the command reports, it does not fail on a miss
(exit 0), so it can run on slow machines during diagnosis.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from typing import Any

HELP = "performance figures on this machine"

TARGETS = {
    "assess_card_ms_median": 8.0,
    "assess_face_ms_median": 8.0,
    "client_overhead_ms_median": 10.0,
    "card_jpeg_kb": 400.0,
    "face_jpeg_kb": 150.0,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--only", choices=["vision", "client"], help="run one part only")


def collect(only: str | None = None) -> dict[str, Any]:
    """Run the benchmarks and return one flat-ish dict of figures."""
    out: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "targets": TARGETS,
    }
    if only in (None, "vision"):
        from kiosk.core.vision.benchmark import run_benchmark

        out["vision"] = run_benchmark()
    if only in (None, "client"):
        from kiosk.core.faceid.benchmark import measure_overhead

        out["client"] = measure_overhead()
    return out


def _print_human(data: dict[str, Any]) -> None:
    m = data["machine"]
    print(f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}")
    for part in ("vision", "client"):
        if part not in data:
            continue
        print(f"[{part}]")
        for key, value in data[part].items():
            target = TARGETS.get(key)
            suffix = f"   (target <= {target})" if target is not None else ""
            print(f"  {key}: {value}{suffix}")


def run(args: argparse.Namespace) -> int:
    data = collect(args.only)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_human(data)
    return 0
