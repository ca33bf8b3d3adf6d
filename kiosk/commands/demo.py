"""``kiosk demo``: the whole product against the built-in emulator and a scripted virtual camera.

No webcam and no cloud account: the FaceID emulator runs in-process on loopback (demo
credentials and its own encryption key) and a virtual camera plays a scripted customer per
session. ``--autopilot`` walks the flow by itself (offscreen when there is no display), prints
each step and the verdict, and exits 0 when every session ended as its scenario expects.
The staff PIN in demo mode is 246810.

The demo runs with its own settings (emulator endpoint, demo credentials, demo PIN, the
scenarios' policy), never the kiosk's configuration: an explicit ``--config`` is refused (exit
2) rather than silently ignored; ``kiosk selftest`` checks a configuration. Bad options
(``--screenshots`` on a file or where no folder can be made) are refused before Qt starts. When
stdout's reader goes away (``| head -1``) the demo stops quietly with exit 141.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.commands.options import non_empty

HELP = "the whole product against the built-in emulator and a scripted virtual camera"

SCENARIO_NAMES = ("pass", "other_face", "bystander", "blurry_card_then_good", "service_down")


def _folder_path(text: str) -> Path:
    """A non-empty folder name (an empty one would mean the current folder)."""
    return Path(non_empty(text))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--autopilot", action="store_true", help="walk the flow automatically and check the results")
    parser.add_argument("--sessions", type=int, metavar="N", help="number of customer sessions (autopilot)")
    parser.add_argument(
        "--screenshots", type=_folder_path, metavar="DIR", help="save one PNG per screen visited"
    )
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


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options, found before Qt starts (a few seconds); None if nothing.

    Creates the ``--screenshots`` folder (the autopilot would create it anyway)."""
    if getattr(args, "config", None):
        return ("--config is not used by the demo: it runs on its own emulator, virtual camera and demo "
                "settings; check a configuration with kiosk --config FILE selftest (or doctor)")
    if args.sessions is not None and args.sessions < 0:
        return "--sessions must be >= 0"
    folder = args.screenshots
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            return f"--screenshots {folder}: not a folder"
        except OSError as exc:
            return f"--screenshots {folder}: cannot create the folder ({exc.strerror or type(exc).__name__})"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"--screenshots {folder}: the folder is not writable"
    return None


def _say(line: str) -> None:
    """Print one progress line (GUI thread). Once stdout's reader has gone away, stdout goes to
    the null device and the demo ends with exit 141, as any command does (kiosk.cli)."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from kiosk.cli import EXIT_STDOUT_CLOSED, discard_stdout

        discard_stdout()
        # queued: also ends the loop when this runs before app.exec() (on_ready)
        QTimer.singleShot(0, lambda: QApplication.exit(EXIT_STDOUT_CLOSED))


def run(args: argparse.Namespace) -> int:
    from kiosk.core.textsafe import escape

    problem = _usage_problem(args)
    if problem:
        print(f"kiosk demo: {escape(problem, 1000)}", file=sys.stderr)
        return 2
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
        _say(f"kiosk demo: face matcher {describe(world.server.service.matcher)}")
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
                out=_say,
            )
            pilot.start()
        else:
            ScenarioRotator(window, world, names).start()
            _say(f"kiosk demo: emulator at {world.url}; staff PIN {DEMO_PIN} (tap the title 5 times)")

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
