"""Soak test: many customer sessions back to back in ONE process, watching for leaks.

    python -m tools.soak --sessions 500 --every 25            # the demo autopilot (UI + camera + emulator)
    python -m tools.soak --mode verify --sessions 500          # the verification pipeline only (no Qt)

``demo`` mode runs the real kiosk window offscreen with the demo autopilot (kiosk/ui/demo_autopilot.py:
virtual camera, emulator on loopback, all scenarios in turn including "service down", both
languages) unpaced (``--fast``). ``verify`` mode drives the FaceID client + Verifier against the
emulator in a loop (pass, fail, and a fault every few sessions: resets, timeouts, 5xx).

Every ``--every`` sessions it samples, for this process: RSS (VmRSS), native threads
(/proc/self/task), Python threads, open file descriptors (/proc/self/fd) and how many of them are
sockets. At the end it prints the table, the growth after the warm-up (``--warmup`` sessions)
and the least-squares slope per 100 sessions, and exits 1 when a limit is exceeded
(``--max-rss-growth-mb``, default 20, design.md; threads/fds/sockets must not grow by more than
``--max-handle-growth``). Not part of CI (minutes to hours); see docs/reliability.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Sample:
    session: int
    seconds: float
    rss_mb: float
    native_threads: int
    py_threads: int
    fds: int
    sockets: int
    py_blocks: int = 0  # sys.getallocatedblocks(): Python objects alive (a leak of objects grows it)


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _fds() -> tuple[int, int]:
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return -1, -1
    total = sockets = 0
    for entry in fd_dir.iterdir():
        total += 1
        try:
            if os.readlink(entry).startswith("socket:"):
                sockets += 1
        except OSError:
            pass
    return total, sockets


def sample(session: int, t0: float) -> Sample:
    gc.collect()
    task = Path("/proc/self/task")
    native = len(list(task.iterdir())) if task.is_dir() else -1
    fds, socks = _fds()
    return Sample(session, round(time.monotonic() - t0, 1), round(_rss_mb(), 1), native, threading.active_count(),
                  fds, socks, sys.getallocatedblocks())


def _slope_per_100(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return 0.0 if den == 0 else 100.0 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def report(samples: list[Sample], warmup: int, max_rss: float, max_handles: int, out: Callable[[str], None]) -> int:
    out("")
    out("| session | time (s) | RSS (MB) | Python blocks | native threads | Python threads | open fds | sockets |")
    out("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in samples:
        out(f"| {s.session} | {s.seconds:.0f} | {s.rss_mb:.1f} | {s.py_blocks} | {s.native_threads} | {s.py_threads} "
            f"| {s.fds} | {s.sockets} |")
    after = [s for s in samples if s.session >= warmup] or samples[-1:]
    first, last = after[0], samples[-1]
    xs = [float(s.session) for s in after]
    growth = {
        "rss_mb": last.rss_mb - first.rss_mb,
        "native_threads": last.native_threads - first.native_threads,
        "fds": last.fds - first.fds,
        "sockets": last.sockets - first.sockets,
        "py_blocks": last.py_blocks - first.py_blocks,
    }
    out("")
    out(f"after warm-up (session {first.session} -> {last.session}): RSS {growth['rss_mb']:+.1f} MB "
        f"(slope {_slope_per_100(xs, [s.rss_mb for s in after]):+.2f} MB/100 sessions), "
        f"Python blocks {growth['py_blocks']:+d}, native threads {growth['native_threads']:+d}, "
        f"fds {growth['fds']:+d}, sockets {growth['sockets']:+d}")
    out("(RSS can step up while the Python block count stays flat: allocator arenas and caches, not a leak of "
        "objects; compare with MALLOC_ARENA_MAX=2)")
    out(f"whole run (session 0 -> {last.session}): RSS {last.rss_mb - samples[0].rss_mb:+.1f} MB, "
        f"max native threads {max(s.native_threads for s in samples)}, max fds {max(s.fds for s in samples)}")
    failures = []
    if growth["rss_mb"] > max_rss:
        failures.append(f"RSS grew {growth['rss_mb']:.1f} MB > {max_rss} MB after warm-up")
    for key in ("native_threads", "fds", "sockets"):
        if growth[key] > max_handles:
            failures.append(f"{key} grew by {growth[key]} > {max_handles}")
    for f in failures:
        out(f"SOAK FAILED: {f}")
    if not failures:
        out("soak: OK")
    return 1 if failures else 0


# ------------------------------------------------------------------------------- demo mode
_SNAPSHOTS: list[Any] = []


def _maybe_snapshot(session: int, warmup: int, last: int) -> None:
    """With --tracemalloc: a snapshot at the end of the warm-up and at the last session."""
    import tracemalloc

    if tracemalloc.is_tracing() and session in (warmup, last):
        gc.collect()
        _SNAPSHOTS.append(tracemalloc.take_snapshot())


def _print_top(out: Callable[[str], None], limit: int = 12) -> None:
    if len(_SNAPSHOTS) < 2:
        return
    stats = _SNAPSHOTS[-1].compare_to(_SNAPSHOTS[0], "traceback")
    out("")
    out(f"tracemalloc: biggest growth between the two snapshots (top {limit}):")
    for stat in stats[:limit]:
        out(f"  {stat.size_diff / 1024:+.1f} KiB in {stat.count_diff:+d} blocks")
        for line in stat.traceback.format()[-8:]:
            out(f"      {line}")


def run_demo(
    sessions: int, every: int, scenario: str, out: Callable[[str], None], verbose: bool, warmup: int = 50
) -> tuple[int, list[Sample]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.commands.demo import SCENARIO_NAMES
    from kiosk.ui.demo_autopilot import Autopilot
    from kiosk.ui.demo_scenarios import SCENARIOS
    from kiosk.ui.demo_world import DemoWorld
    from kiosk.ui.launch import run_kiosk
    from kiosk.ui.pin import DEMO_PIN, hash_pin
    from kiosk.ui.settings import UiSettings

    names = list(SCENARIO_NAMES) if scenario == "all" else [scenario]
    t0 = time.monotonic()
    samples = [sample(0, t0)]
    state: dict[str, Any] = {"done": 0, "unexpected": 0}
    verdict_re = re.compile(r"^\[(\d+) .*\] verdict: .*: (OK|UNEXPECTED)")

    def on_line(line: str) -> None:
        if verbose:
            out(line)
        m = verdict_re.match(line)
        if not m:
            return
        state["done"] = int(m.group(1))
        if m.group(2) != "OK":
            state["unexpected"] += 1
            out(line)
        _maybe_snapshot(state["done"], warmup, sessions)
        if state["done"] % every == 0:
            s = sample(state["done"], t0)
            samples.append(s)
            out(f"  [{s.session}/{sessions}] {s.seconds:.0f} s RSS {s.rss_mb:.1f} MB blocks {s.py_blocks} "
                f"threads {s.native_threads} fds {s.fds} sockets {s.sockets}")

    world = DemoWorld(realtime=False, language="zh_CN")
    settings = UiSettings(language="zh_CN", staff_pin_hash=hash_pin(DEMO_PIN), fullscreen=False, endpoint=world.url)

    def on_ready(window: Any) -> None:
        Autopilot(window, world, names, sessions, pin=DEMO_PIN, out=on_line).start()

    try:
        code = run_kiosk(settings, source_factory=world.source_factory(SCENARIOS[names[0]]),
                         verifier=world.switch, client=world.client, service_probe=world.probe, instance_name=None,
                         on_ready=on_ready)
    finally:
        world.close()
    if samples[-1].session != state["done"]:
        samples.append(sample(state["done"], t0))
    out(f"demo autopilot exit code {code}; sessions {state['done']}, unexpected {state['unexpected']}")
    return code, samples


# ----------------------------------------------------------------------------- verify mode
def run_verify(sessions: int, every: int, out: Callable[[str], None]) -> tuple[int, list[Sample]]:
    """The pipeline without a UI: one client, one Verifier, many customers, faults mixed in."""
    from kiosk.core.faceid.client import FaceIdClient
    from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
    from kiosk.core.faceid.settings import ClientSettings
    from kiosk.core.verification import Outcome, Verifier
    from kiosk.core.vision.prepare import prepare_image
    from kiosk.emulator.faults import FaultPlan
    from kiosk.emulator.registry import Registry
    from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
    from tests.integration.test_verify_cli import card_scene, face_scene  # the kiosk-like photos

    registry = Registry.builtin()
    a, b = registry.people[0], registry.people[1]
    pa, pb = registry.portrait(a), registry.portrait(b)
    card_jpeg = prepare_image(card_scene(registry, a, pa), "card").jpeg
    faces = {"a": prepare_image(face_scene(pa), "face").jpeg, "b": prepare_image(face_scene(pb), "face").jpeg}
    # every 5th request a fault: resets, a read timeout, 5xx, truncation, non-JSON
    plan = FaultPlan("reset_after@1/11,http503@1/13,truncate@1/17,nonjson@1/19,latency=1.5@1/23", seed=7)
    t0 = time.monotonic()
    samples = [sample(0, t0)]
    outcomes: dict[str, int] = {}
    with EmulatorServer(registry=registry, faults=plan) as emu:
        client = FaceIdClient(ClientSettings(endpoint=emu.url, connect_timeout=1.0, read_timeout=1.0),
                              StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY)))
        verifier = Verifier(client)
        try:
            for i in range(1, sessions + 1):
                face = faces["a" if i % 4 else "b"]
                v = verifier.verify(card_jpeg, face)
                outcomes[v.outcome.value] = outcomes.get(v.outcome.value, 0) + 1
                if v.outcome not in (Outcome.PASS, Outcome.FAIL, Outcome.UNAVAILABLE):
                    out(f"  session {i}: unexpected {v.outcome.value} {v.reason_code}")
                del v
                if i % every == 0:
                    s = sample(i, t0)
                    samples.append(s)
                    out(f"  [{i}/{sessions}] {s.seconds:.0f} s RSS {s.rss_mb:.1f} MB blocks {s.py_blocks} "
                        f"threads {s.native_threads} fds {s.fds} sockets {s.sockets}")
        finally:
            client.close()
        calls = len(emu.calls)
    out(f"outcomes: {json.dumps(outcomes)}; emulator calls {calls}")
    return 0, samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("demo", "verify"), default="demo")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--every", type=int, default=25, help="sample every K sessions")
    parser.add_argument("--warmup", type=int, default=50, help="sessions before growth is measured")
    parser.add_argument("--scenario", default="all", help="demo scenario (default: cycle through all)")
    parser.add_argument("--max-rss-growth-mb", type=float, default=20.0)
    parser.add_argument("--max-handle-growth", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the samples as JSON")
    parser.add_argument("--verbose", action="store_true", help="print every autopilot line")
    parser.add_argument("--tracemalloc", type=int, metavar="FRAMES", default=0,
                        help="trace Python allocations (FRAMES deep) and print the biggest growth after warm-up")
    args = parser.parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    out(f"soak: mode={args.mode} sessions={args.sessions} every={args.every} cpus={os.cpu_count()} "
        f"load={load[0]:.1f},{load[1]:.1f},{load[2]:.1f}")
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(args.tracemalloc)
    if args.mode == "demo":
        code, samples = run_demo(args.sessions, args.every, args.scenario, out, args.verbose, args.warmup)
    else:
        code, samples = run_verify(args.sessions, args.every, out)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in samples], indent=1), encoding="utf-8")
    verdict = report(samples, args.warmup, args.max_rss_growth_mb, args.max_handle_growth, out)
    _print_top(out)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    out(f"load at the end: {load[0]:.1f},{load[1]:.1f},{load[2]:.1f}")
    return code or verdict


if __name__ == "__main__":
    sys.exit(main())
