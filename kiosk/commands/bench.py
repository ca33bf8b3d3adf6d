"""``kiosk bench``: performance figures on this machine (design.md, Targets).

Reports, as medians (and p95) on this machine:

* frame assessment on 1280x720 card and face frames, and JPEG encoding sizes (vision);
* FaceID client overhead per call with no network: base64, JSON, signing (client);
* the emulator's face matcher: model load, memory, time per template and comparison (matcher).

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

#: (figure path in the result, target maximum, label) from design.md, Targets
TARGETS: tuple[tuple[tuple[str, ...], float, str], ...] = (
    (("vision", "assess_card", "median_ms"), 8.0, "frame assessment, 1280x720 card, median ms"),
    (("vision", "assess_face", "median_ms"), 8.0, "frame assessment, 1280x720 face, median ms"),
    (("client", "median_ms"), 10.0, "client overhead per call (no network), median ms"),
    (("vision", "encode_card", "kb"), 400.0, "card upload JPEG, KB"),
    (("vision", "encode_face", "kb"), 150.0, "face upload JPEG, KB"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--only", choices=["vision", "client", "matcher"], help="run one part only")


def collect(only: str | None = None) -> dict[str, Any]:
    """Run the benchmarks and return one flat-ish dict of figures."""
    out: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_avg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None},
    }
    if only in (None, "vision"):
        from kiosk.core.vision.benchmark import run_benchmark

        out["vision"] = run_benchmark()
    if only in (None, "client"):
        from kiosk.core.faceid.benchmark import measure_overhead

        out["client"] = measure_overhead()
    if only in (None, "matcher"):
        from kiosk.emulator.benchmark import measure_matcher

        out["matcher"] = measure_matcher()
    out["targets"] = [
        {"figure": ".".join(path), "label": label, "max": limit, "value": value,
         "met": None if value is None else value <= limit}
        for path, limit, label in TARGETS
        for value in [_lookup(out, path)]
    ]
    return out


def _lookup(data: dict[str, Any], path: tuple[str, ...]) -> float | None:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) else None


def _print_human(data: dict[str, Any]) -> None:
    m = data["machine"]
    load = m.get("load_avg")
    print(f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}"
          + (f", load {load[0]:.1f}" if load else ""))
    for row in data["targets"]:
        if row["value"] is None:
            continue
        verdict = "ok " if row["met"] else "MISS"
        print(f"  {verdict} {row['label']:<52} {row['value']:8.2f}   (target <= {row['max']:g})")
    for part in ("vision", "client", "matcher"):
        if part in data:
            print(f"[{part}] " + json.dumps(data[part], ensure_ascii=False))


def run(args: argparse.Namespace) -> int:
    data = collect(args.only)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_human(data)
    return 0
