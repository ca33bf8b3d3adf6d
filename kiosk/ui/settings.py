"""The settings the UI needs, as one frozen object built from :mod:`kiosk.config`.

:func:`from_config` maps the lead's typed schema (``[camera]``, ``[kiosk]``, ``[policy]``,
``[service]``) onto :class:`UiSettings`; nothing else in :mod:`kiosk.ui` reads configuration.
A few UI-only knobs (``capture_timeout_s``, ``pass_timeout_s``, PIN lockout, verify deadline)
are not in the schema yet and keep the defaults below.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.session import SessionPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UiSettings:
    """Everything the kiosk UI reads from configuration. Immutable; build a new one to change."""

    camera_index: int = 0
    camera_width: int = 1280
    camera_height: int = 720
    camera_fps: int = 30
    language: str = "zh_CN"
    idle_timeout_s: float = 45.0
    capture_timeout_s: float = 90.0
    idle_warning_s: float = 20.0
    result_timeout_s: float = 20.0
    pass_timeout_s: float = 10.0
    manual_capture_after_s: float = 10.0
    max_attempts: int = 3
    staff_pin_hash: str | None = None
    pin_max_tries: int = 5
    pin_lockout_s: float = 300.0
    # where the PIN lockout survives restarts (None: in memory only); next to the audit folder
    pin_state_file: str | None = None
    endpoint: str | None = None
    fullscreen: bool = True
    # seconds the verifying screen waits for the worker before giving up (network timeouts
    # inside the FaceID client normally end it much earlier).
    verify_deadline_s: float = 120.0
    # voice guidance (kiosk.ui.voice): on/off, volume 0..1, player (auto, aplay, paplay, ...)
    voice_guidance: bool = True
    voice_volume: float = 0.8
    voice_player: str = "auto"
    # taps are ignored this long after a page changes or a customer button acted (double taps)
    tap_guard_s: float = 0.5
    kiosk_id: str = "kiosk-01"
    # "staff are on their way" stays this long unless staff close it with the PIN
    staff_call_shown_for_s: float = 300.0
    # service health check period on the welcome page (0: at start only)
    health_check_interval_s: float = 60.0
    # extra face captures after a face mismatch before the final result
    face_retakes: int = 1

    def policy(self) -> SessionPolicy:
        """The session policy these settings describe."""
        return SessionPolicy(
            max_attempts=self.max_attempts,
            idle_timeout_s=self.idle_timeout_s,
            capture_timeout_s=self.capture_timeout_s,
            idle_warning_s=self.idle_warning_s,
            result_timeout_s=self.result_timeout_s,
            pass_timeout_s=self.pass_timeout_s,
            staff_call_timeout_s=self.staff_call_shown_for_s,
            face_retakes=self.face_retakes,
        )

    def replace(self, **changes: Any) -> UiSettings:
        return dataclasses.replace(self, **changes)


def from_config(cfg: Any, **overrides: Any) -> UiSettings:
    """Map a :class:`kiosk.config.Settings` onto :class:`UiSettings` (``overrides`` win)."""
    k, cam = cfg.kiosk, cfg.camera
    values: dict[str, Any] = {
        "camera_index": cam.index,
        "camera_width": cam.width,
        "camera_height": cam.height,
        "camera_fps": cam.fps,
        "language": k.language,
        "fullscreen": k.fullscreen,
        "idle_timeout_s": k.idle_timeout_s,
        "idle_warning_s": k.idle_warning_s,
        "result_timeout_s": k.result_timeout_s,
        "manual_capture_after_s": k.manual_capture_after_s,
        "staff_pin_hash": k.staff_pin_hash or None,
        "max_attempts": cfg.policy.max_attempts_per_step,
        "endpoint": cfg.service.endpoint,
        "voice_guidance": k.voice_guidance,
        "voice_volume": k.voice_volume,
        "voice_player": k.voice_player,
        "pin_state_file": str(_pin_state_file(cfg)),
        "kiosk_id": k.kiosk_id,
        "tap_guard_s": cfg.flow.tap_guard_s,
        "health_check_interval_s": cfg.flow.health_check_interval_s,
        "face_retakes": cfg.flow.face_retakes_after_mismatch,
        "staff_call_shown_for_s": cfg.notify.shown_for_s,
    }
    values.update({key: v for key, v in overrides.items() if v is not None})
    return UiSettings(**values)


def _pin_state_file(cfg: Any) -> Path:
    """``pin-lockout.json`` beside the audit folder (owned by the kiosk user, like the trail)."""
    from kiosk.core.audit import default_audit_dir

    audit = Path(cfg.audit.directory) if cfg.audit.directory else default_audit_dir()
    return audit.parent / "pin-lockout.json"


def load_ui_settings(config_path: str | None = None, **overrides: Any) -> UiSettings:
    """Load the configuration (raises ``kiosk.config.ConfigError`` on a bad value) and map it."""
    from kiosk.config import load_settings

    return from_config(load_settings(config_path), **overrides)
