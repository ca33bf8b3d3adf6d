"""``kiosk run`` (and plain ``kiosk``): the kiosk on the configured camera and service, fullscreen."""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any

HELP = "the kiosk on the configured camera and service, fullscreen"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--windowed", action="store_true", help="a normal window (development)")
    parser.add_argument("--camera", type=int, metavar="INDEX", help="webcam index (overrides camera.index)")
    parser.add_argument("--language", choices=("zh_CN", "en"), help="start-up language (overrides kiosk.language)")


def _webcam(index: int, width: int, height: int, fps: float) -> object:
    """A watched webcam; called in the camera thread (the device is opened there)."""
    from kiosk.core.vision import WatchedSource, WebcamSource

    return WatchedSource(WebcamSource(index, width=width, height=height, fps=fps))


def _report_start(window: object) -> None:
    print(f"kiosk: welcome screen after {getattr(window, 'startup_s', 0) or 0:.2f} s", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_settings

    try:
        cfg = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"kiosk run: {exc}", file=sys.stderr)
        return 2
    from kiosk.ui.launch import StartupError, run_kiosk
    from kiosk.ui.settings import from_config

    settings = from_config(
        cfg,
        camera_index=args.camera,
        language=args.language,
        fullscreen=False if args.windowed else None,
    )
    camera = functools.partial(
        _webcam, width=settings.camera_width, height=settings.camera_height, fps=settings.camera_fps
    )
    clients: list[object] = []

    def attach(window: Any) -> None:  # a KioskWindow; runs after the welcome paint
        _report_start(window)
        # imported and built here, after the first paint: requests/cryptography cost ~0.5 s
        from kiosk import wiring
        from kiosk.core.faceid.errors import FaceIdError
        from kiosk.core.service_health import check_service
        from kiosk.core.staff_call import StaffNotifier
        from kiosk.core.verification import Verifier
        from kiosk.ui.workers import http_probe

        try:
            client = wiring.build_client(cfg)
        except FaceIdError as exc:  # bad credentials or client configuration: refuse to run
            raise StartupError(f"{type(exc).__name__}: {exc}") from exc
        clients.append(client)
        verifier = Verifier(client, wiring.build_policy(cfg), audit=wiring.open_audit(cfg))
        n = cfg.notify
        notifier = StaffNotifier(url=n.url, command=n.command, timeout_s=n.timeout_s, attempts=n.attempts,
                                 retry_delay_s=n.retry_delay_s)
        window.attach_service(
            verifier,
            client=client,
            service_probe=functools.partial(http_probe, cfg.service.endpoint),
            notifier=notifier,
            health_check=functools.partial(check_service, client),
        )

    try:
        return run_kiosk(
            settings,
            source_factory=functools.partial(camera, settings.camera_index),
            camera_factory=camera,
            on_ready=attach,
        )
    finally:
        for client in clients:
            client.close()  # type: ignore[attr-defined]
