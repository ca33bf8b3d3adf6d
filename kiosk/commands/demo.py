"""``kiosk demo``: the whole product against the built-in emulator and a scripted virtual camera.

No webcam and no cloud account: the FaceID emulator runs in-process on loopback (demo
credentials and its own encryption key) and a virtual camera plays a scripted customer per
session. ``--autopilot`` walks the flow by itself (offscreen when there is no display), prints
each step and the verdict, and exits 0 when every session ended as its scenario expects.
The staff PIN in demo mode is 246810.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = "the whole product against the built-in emulator and a scripted virtual camera"

SCENARIO_NAMES = ("pass", "other_face", "bystander", "blurry_card_then_good", "service_down")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--autopilot", action="store_true", help="walk the flow automatically and check the results")
    parser.add_argument("--sessions", type=int, metavar="N", help="number of customer sessions (autopilot)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="save one PNG per screen visited")
    parser.add_argument(
        "--scenario",
        choices=(*SCENARIO_NAMES, "all"),
        default="all",
        help="the scripted customer (default: cycle through all)",
    )
    parser.add_argument("--windowed", action="store_true", help="a normal window instead of fullscreen")
    parser.add_argument(
        "--fullscreen",
        action="store_true",
        help="fullscreen at the display's own size, also with --autopilot (check layouts under Xvfb)",
    )
    parser.add_argument(
        "--size", type=_size, metavar="WxH", help="window size when not fullscreen (default 1920x1080)"
    )
    parser.add_argument("--fast", action="store_true", help="do not pace the virtual camera to 30 fps (soak runs)")
    parser.add_argument("--language", choices=("zh_CN", "en"), default="zh_CN", help="start-up language")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if not (320 <= w <= 8192 and 240 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size out of range: {text!r}")
    return w, h


def run(args: argparse.Namespace) -> int:
    from kiosk.ui.launch import ensure_display

    if args.autopilot:
        ensure_display()
    from kiosk.emulator.matcher import describe
    from kiosk.ui.demo_autopilot import Autopilot
    from kiosk.ui.demo_scenarios import SCENARIOS
    from kiosk.ui.demo_world import DemoWorld, IdleCamera, ScenarioRotator
    from kiosk.ui.launch import run_kiosk
    from kiosk.ui.pin import DEMO_PIN, DEMO_PIN_HASH
    from kiosk.ui.settings import UiSettings

    names = list(SCENARIO_NAMES) if args.scenario == "all" else [args.scenario]
    sessions = args.sessions if args.sessions is not None else len(names)
    if sessions < 0:
        print("kiosk demo: --sessions must be >= 0", file=sys.stderr)
        return 2
    settings = UiSettings(
        language=args.language,
        staff_pin_hash=DEMO_PIN_HASH,
        fullscreen=args.fullscreen or not (args.windowed or args.autopilot or args.size),
    )
    worlds: list[DemoWorld] = []

    def on_ready(window: Any) -> None:  # a KioskWindow; runs once the welcome page is painted
        # the emulator, the FaceID client and the virtual customers are set up after the first
        # paint, so start-up to the welcome screen does not wait for them
        world = DemoWorld(realtime=not args.fast, language=args.language)
        worlds.append(world)
        print(f"kiosk demo: face matcher {describe(world.server.service.matcher)}", flush=True)
        first = SCENARIOS[names[0]]
        world.use(first)
        window.settings = window.settings.replace(endpoint=world.url)
        window.attach_service(world.switch, client=world.client, service_probe=world.probe,
                              notifier=world.notifier(), health_check=world.health)
        window.camera.worker.replace_source(world.source_factory(first))
        if args.autopilot:
            pilot = Autopilot(
                window,
                world,
                names,
                sessions,
                screenshots=args.screenshots,
                pin=DEMO_PIN,
                out=lambda line: print(line, flush=True),
            )
            pilot.start()
        else:
            ScenarioRotator(window, world, names).start()
            print(f"kiosk demo: emulator at {world.url}; staff PIN {DEMO_PIN} (tap the title 5 times)", flush=True)

    try:
        return run_kiosk(
            settings,
            source_factory=IdleCamera,
            instance_name=None if args.autopilot else "idv-kiosk-demo",
            on_ready=on_ready,
            window_size=args.size or (1920, 1080),
        )
    finally:
        for world in worlds:
            world.close()
