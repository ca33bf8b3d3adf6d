"""``kiosk precheck``: local capture checks only, one JSON object per image.

Each image gives one line: ``{"file", "ok", "problems", "metrics"}`` (problems are the stable
codes of design.md). A missing, unreadable or corrupt file gives ``unreadable_image``, never a
traceback. Exit 0 if every image passed, 1 otherwise, 2 on usage errors (argparse).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

HELP = "local capture checks only, one JSON object per image"

#: refuse to read absurdly large files (a kiosk photo is a few MB at most)
MAX_FILE_BYTES = 40 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, choices=("card", "face"), help="what the images show")
    parser.add_argument("images", nargs="+", metavar="IMG", help="image files (JPEG, PNG, BMP, WebP, TIFF)")
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
    """Run the prechecks on one file; the JSON-ready result (never raises for bad files).

    An unreadable file gives ``unreadable_image`` and a ``detail`` (``unreadable``, ``too_large``,
    ``too_many_pixels``, ``unsupported`` or ``corrupt``): the size and pixel limits are checked
    from the header before anything is decoded (:mod:`kiosk.core.vision.imageio`).
    """
    from kiosk.core.vision.imageio import ImageLoadError, load_image
    from kiosk.core.vision.quality import STILL_THRESHOLDS, assess

    try:
        img = load_image(path, max_bytes=MAX_FILE_BYTES)
    except ImageLoadError as exc:
        return {"file": path, "ok": False, "problems": ["unreadable_image"], "metrics": {}, "detail": exc.reason}
    a = assess(img, kind, detector=detector, thresholds=STILL_THRESHOLDS)  # a still photo, not a live frame
    return {"file": path, "ok": a.ok, "problems": list(a.problems), "metrics": _clean(a.metrics)}


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_settings
    from kiosk.core.textsafe import write_json
    from kiosk.core.vision.detector import FaceDetector, ModelError
    from kiosk.wiring import apply_process_limits

    try:  # the pixel limit (kiosk.max_image_megapixels) is a setting
        apply_process_limits(load_settings(getattr(args, "config", None)))
    except ConfigError as exc:
        print(f"kiosk precheck: {exc}", file=sys.stderr)
        return 2

    try:
        detector = FaceDetector()
    except ModelError as exc:
        print(f"kiosk precheck: {exc}", file=sys.stderr)
        return 2
    all_ok = True
    for path in args.images:
        result = check_file(path, args.kind, detector)
        all_ok = all_ok and bool(result["ok"])
        write_json(result)
    return 0 if all_ok else 1
