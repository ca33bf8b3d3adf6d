"""``run_benchmark()`` returns the figures ``kiosk bench`` prints (smoke run, tiny sizes)."""

from __future__ import annotations

import json

from kiosk.core.vision.benchmark import run_benchmark
from kiosk.core.vision.sources import probe_camera


def test_run_benchmark_reports_all_figures() -> None:
    r = run_benchmark(repeats=1, frames_per_stage=3, pipeline_seconds=0.3)
    json.dumps(r)  # JSON-ready
    for stage in ("card", "face"):
        a = r[f"assess_{stage}"]
        assert a["n"] == 3 and 0 < a["median_ms"] <= a["p95_ms"]
        assert a["frames_ok_share"] == 1.0  # the frames measured are the good, settled ones
    assert 0 < r["encode_face"]["kb"] <= 150 and r["encode_face"]["recheck_ok"]
    assert 0 < r["encode_card"]["kb"] <= 400 and r["encode_card"]["recheck_ok"]
    assert r["camera_loop"]["fps"] > 0
    assert r["machine"]["cpus"] >= 1


def test_probe_camera_reports_an_absent_camera() -> None:
    result = probe_camera(97)
    assert isinstance(result, str) and "camera 97" in result
