"""Builds the core objects from :class:`kiosk.config.Settings`.

The one place that knows both the application's settings schema and the core's constructors,
used by ``kiosk run``, ``kiosk demo``, ``kiosk verify`` and ``kiosk doctor``. Pure construction:
no network, no threads; the objects returned carry their own threading contracts.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import ConfigError, Settings
from kiosk.core.audit import AuditTrail, default_audit_dir
from kiosk.core.bounded_read import BoundedReadError, read_text_bounded
from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import (
    ChainCredentialProvider,
    CommandCredentialProvider,
    CredentialProvider,
    EnvironmentCredentialProvider,
    ProfileCredentialProvider,
)
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.verification import Policy

#: an RSA public key in PEM is under 1 KB; anything past this bound is not a key
MAX_PEM_BYTES = 64 * 1024


def client_settings(
    settings: Settings,
    *,
    endpoint: str | None = None,
    ca_bundle: str | None = None,
    public_key: str | None = None,
    encrypt: bool | None = None,
) -> ClientSettings:
    """Map ``[service]`` (plus command-line overrides) onto the client's settings.

    The public key file is read here, bounded (:data:`MAX_PEM_BYTES`, a regular file only);
    raises :class:`kiosk.config.ConfigError` naming ``--public-key`` or
    ``service.public_key_file`` when it cannot be.
    """
    svc = settings.service
    kwargs: dict[str, object] = {
        "endpoint": svc.endpoint if endpoint is None else endpoint,  # "" is an error, not the default
        "region": svc.region,
        "language": settings.kiosk.language,
        "connect_timeout": svc.connect_timeout_s,
        "read_timeout": svc.read_timeout_s,
        "ca_bundle": ca_bundle or svc.ca_bundle or None,
        "https_proxy": svc.https_proxy or None,
        "max_attempts": svc.max_attempts,
        "daily_budget": svc.daily_call_budget or None,
        "encrypt_fields": svc.encrypt_pii if encrypt is None else encrypt,
        "max_answer_bytes": svc.max_answer_bytes,
    }
    key_file = public_key or svc.public_key_file
    if key_file:
        label = "--public-key" if public_key else "service.public_key_file"
        try:  # a regular file only, bounded: never /dev/zero into memory, never a FIFO that blocks
            kwargs["encryption_public_key_pem"] = read_text_bounded(key_file, MAX_PEM_BYTES, encoding="ascii")
        except BoundedReadError as exc:
            raise ConfigError(label, str(exc)) from None
    return ClientSettings(**kwargs)  # type: ignore[arg-type]


def credential_provider(settings: Settings) -> CredentialProvider:
    """The configured credential source (``[credentials]``)."""
    cred = settings.credentials
    profile_paths = [cred.profile_file] if cred.profile_file else None
    if cred.source == "env":
        return EnvironmentCredentialProvider()
    if cred.source == "profile":
        return ProfileCredentialProvider(profile_paths)
    if cred.source == "command":
        # Re-run the command 5 minutes before the STS credential expires (ClientSettings default).
        margin = ClientSettings().credential_refresh_margin
        return CommandCredentialProvider(cred.command, timeout=cred.command_timeout_s, refresh_margin=margin)
    return ChainCredentialProvider([EnvironmentCredentialProvider(), ProfileCredentialProvider(profile_paths)])


def build_client(settings: Settings, **overrides: object) -> FaceIdClient:
    """A ready client; raises the client's ConfigError / CredentialError on bad settings."""
    return FaceIdClient(client_settings(settings, **overrides), credential_provider(settings))  # type: ignore[arg-type]


def build_policy(settings: Settings) -> Policy:
    """The verification policy from ``[policy]``."""
    p = settings.policy
    return Policy(
        card_sim_threshold=p.card_sim_threshold,
        face_sim_threshold=p.face_sim_threshold,
        copy_warn=p.copy_warn,
        border_check_warn=p.border_check_warn,
        reshoot_warn=p.reshoot_warn,
        detect_ps_warn=p.detect_ps_warn,
        temp_id_warn=p.temp_id_warn,
        quality_warn=p.quality_warn,
    )


def audit_directory(settings: Settings) -> Path:
    """The configured audit folder, or the platform default."""
    return Path(settings.audit.directory) if settings.audit.directory else default_audit_dir()


def open_audit(settings: Settings) -> AuditTrail:
    """The audit trail in the configured (or platform default) folder."""
    a = settings.audit
    return AuditTrail(
        audit_directory(settings), kiosk_id=settings.kiosk.kiosk_id, max_bytes=a.max_bytes, backups=a.backups
    )


def apply_process_limits(settings: Settings) -> None:
    """Process-wide input limits from the settings (call once at start, before loading images)."""
    from kiosk.core.vision.imageio import set_default_max_pixels

    set_default_max_pixels(int(settings.kiosk.max_image_megapixels * 1_000_000))
