"""``kiosk bench --only matcher``: the emulator face matcher's cost on this machine.

Measures, for the matcher the emulator would use (:func:`kiosk.emulator.matcher.default_matcher`):
the one-off load (model read, checksum, network construction) and the resident memory it adds,
then the time of one template (detect, refine landmarks, align, describe) on a 640 x 480 face
image (the kiosk's face upload size), wall clock and process CPU time (the latter does not grow
with the load of a shared machine), and of one comparison. Runs in-process, single-threaded.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import cv2
import numpy as np

from kiosk.resources import resource

__all__ = ["measure_matcher"]


def _rss_mb() -> float | None:
    """Resident set size of this process in MB (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def measure_matcher(rounds: int = 10) -> dict[str, Any]:
    """Load cost, memory and per-call times of the default matcher (see the module docstring)."""
    from kiosk.emulator.matcher import default_matcher, describe

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    matcher = default_matcher()
    probe = cv2.imread(str(resource("demo_people", "portraits", "grace_hopper.jpg")), cv2.IMREAD_COLOR)
    canvas = np.full((480, 640, 3), 128, np.uint8)
    face = cv2.resize(probe, (300, 352), interpolation=cv2.INTER_AREA)
    canvas[64:416, 170:470] = face
    first = matcher.template(canvas)  # the first call also creates this thread's detector
    load_s = time.perf_counter() - t0
    rss1 = _rss_mb()
    if first is None:
        return {"matcher": describe(matcher), "error": "no face found in the probe image"}
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        matcher.template(canvas)
        times.append((time.perf_counter() - t) * 1000.0)
        cpu.append((time.process_time() - c) * 1000.0)
    t = time.perf_counter()
    for _ in range(100):
        matcher.compare(first, first)
    compare_ms = (time.perf_counter() - t) * 10.0
    times.sort()
    return {
        "matcher": describe(matcher),
        "load_s": round(load_s, 3),
        "rss_added_mb": None if rss0 is None or rss1 is None else round(rss1 - rss0, 1),
        "template_median_ms": round(statistics.median(times), 1),
        "template_p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        # CPU time of the process per template: what the call costs regardless of machine load
        "template_cpu_median_ms": round(statistics.median(cpu), 1),
        "compare_ms": round(compare_ms, 3),
    }
