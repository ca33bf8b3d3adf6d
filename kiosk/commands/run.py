"""``kiosk run`` (and plain ``kiosk``): the kiosk on the configured camera and service, fullscreen.

Exit codes: 0 staff exit, 2 configuration or credential error, and 78 (``EX_CONFIG``) when the
audit trail cannot be appended to (for example a file left behind by a root command of an older
version): the kiosk does not serve customers without its audit trail, says what to fix, and the
systemd unit and ``kiosk-supervise`` do not restart it in a loop (``RestartPreventExitStatus``).
"""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any

HELP = "the kiosk on the configured camera and service, fullscreen"

#: the audit trail is not writable: an operator must act; never restarted automatically
EXIT_AUDIT_UNWRITABLE = 78


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
    from kiosk.wiring import apply_process_limits

    apply_process_limits(cfg)
    problem = _audit_problem(cfg)
    if problem:
        print(
            f"kiosk run: out of service: {problem}.\n"
            "  The kiosk does not serve customers without its audit trail. Fix the owner, e.g.\n"
            "  sudo chown -R kiosk:kiosk /var/lib/kiosk/audit  (check with: kiosk doctor), then start it again:\n"
            "  systemctl --user start idv-kiosk (as the kiosk user) or log the kiosk user in again.",
            file=sys.stderr,
        )
        return EXIT_AUDIT_UNWRITABLE
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
        from kiosk.config import ConfigError
        from kiosk.core.faceid.errors import FaceIdError
        from kiosk.core.faceid.probe import probe_service
        from kiosk.core.service_health import check_service
        from kiosk.core.staff_call import StaffNotifier
        from kiosk.core.verification import Verifier

        try:
            client = wiring.build_client(cfg)
        except FaceIdError as exc:  # bad credentials or client configuration: refuse to run
            raise StartupError(f"{type(exc).__name__}: {exc}") from exc
        except ConfigError as exc:  # the public key file, read only now
            raise StartupError(str(exc)) from exc
        clients.append(client)
        try:
            audit = wiring.open_audit(cfg)
        except OSError as exc:  # changed since the check above
            raise StartupError(f"audit trail not writable: {exc}") from exc
        verifier = Verifier(client, wiring.build_policy(cfg), audit=audit)
        # the staff "test the service" check goes the client's way: configured proxy and CA bundle
        probe_settings = client.settings

        def service_probe() -> tuple[bool, str, float | None]:
            return probe_service(probe_settings).as_tuple()

        n = cfg.notify
        notifier = StaffNotifier(url=n.url, command=n.command, timeout_s=n.timeout_s, attempts=n.attempts,
                                 retry_delay_s=n.retry_delay_s)
        window.attach_service(
            verifier,
            client=client,
            service_probe=service_probe,
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


def _audit_problem(cfg: Any) -> str | None:
    """Why the audit trail cannot be appended to (folder and files), or ``None``."""
    from kiosk import wiring
    from kiosk.core.audit_files import audit_write_problem

    return audit_write_problem(wiring.audit_directory(cfg))
