"""``kiosk precheck``: local capture checks only, one JSON object per image.

Each image gives one line: ``{"file", "ok", "problems", "metrics"}`` (problems are the stable
codes of design.md). A missing, unreadable or corrupt file gives ``unreadable_image``, never a
traceback. Exit 0 if every image passed, 1 otherwise, 2 on usage errors (argparse).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

HELP = "local capture checks only, one JSON object per image"

#: refuse to decode absurdly large files (a kiosk photo is a few MB at most)
MAX_FILE_BYTES = 50 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, choices=("card", "face"), help="what the images show")
    parser.add_argument("images", nargs="+", metavar="IMG", help="image files (JPEG, PNG, ...)")
    parser.add_argument(
        "--json", action="store_true", help="JSON lines (the default output is JSON lines too; kept for scripts)"
    )


def _clean(metrics: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in metrics.items():
        f = float(v)
        out[k] = round(f, 4) if math.isfinite(f) else 0.0
    return out


def check_file(path: str, kind: str, detector: Any = None) -> dict[str, Any]:
    """Run the prechecks on one file; the JSON-ready result (never raises for bad files)."""
    import cv2
    import numpy as np

    from kiosk.core.vision.quality import STILL_THRESHOLDS, assess

    p = Path(path)
    img = None
    try:
        if p.is_file() and p.stat().st_size <= MAX_FILE_BYTES:
            data = np.fromfile(str(p), dtype=np.uint8)  # works with non-ASCII paths on Windows
            if data.size:
                img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except (OSError, ValueError, cv2.error):
        img = None
    if img is None:
        return {"file": path, "ok": False, "problems": ["unreadable_image"], "metrics": {}}
    a = assess(img, kind, detector=detector, thresholds=STILL_THRESHOLDS)  # a still photo, not a live frame
    return {"file": path, "ok": a.ok, "problems": list(a.problems), "metrics": _clean(a.metrics)}


def run(args: argparse.Namespace) -> int:
    from kiosk.core.vision.detector import FaceDetector, ModelError

    try:
        detector = FaceDetector()
    except ModelError as exc:
        print(f"kiosk precheck: {exc}", file=sys.stderr)
        return 2
    all_ok = True
    for path in args.images:
        result = check_file(path, args.kind, detector)
        all_ok = all_ok and bool(result["ok"])
        print(json.dumps(result, ensure_ascii=False, sort_keys=False), flush=True)
    return 0 if all_ok else 1
