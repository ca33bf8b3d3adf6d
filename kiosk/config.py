"""One typed settings schema: defaults, a TOML file, ``KIOSK_*`` environment overrides.

Precedence (last wins): the defaults below, the TOML file, environment variables.

* File: ``--config PATH``, else ``$KIOSK_CONFIG``, else the first that exists of
  ``/etc/kiosk/kiosk.toml`` (Linux) or ``%PROGRAMDATA%\\kiosk\\kiosk.toml`` (Windows) and
  ``~/.config/kiosk/kiosk.toml``. No file at all means defaults.
* Environment: ``KIOSK_<SECTION>_<KEY>``, for example ``KIOSK_SERVICE_READ_TIMEOUT_S=15`` or
  ``KIOSK_KIOSK_LANGUAGE=en``. Variables whose first word is not a section name
  (``KIOSK_CONFIG``, ``KIOSK_DEBUG``, ``KIOSK_EMULATOR_SECRET_ID``) are not settings.

A wrong value (unknown key, wrong type, out of range) raises :class:`ConfigError` at start with a
message naming the key and where it came from; the kiosk refuses to start rather than run with a
guess. The values of :data:`SENSITIVE_KEYS` (a proxy URL with a password, a credential command
with its arguments) are never repeated in a message.

A configuration file, or a credential command, that another user could have changed (writable
by others, or owned by someone other than root or the current user: :mod:`kiosk.core.filecheck`)
is refused the way ssh refuses its configuration: the file names the command that prints the
cloud keys. Secrets (credentials) are not settings: they come from the credential sources of
:mod:`kiosk.core.faceid.credentials`; the only secret-like value here is the staff PIN *hash*.

Loaded once at start on the GUI thread; the resulting objects are frozen and shared read-only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "KIOSK_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
SCHEMA_VERSION = 1


class ConfigError(ValueError):
    """A configuration value is wrong. ``key`` is the dotted name, e.g. ``service.endpoint``."""

    def __init__(self, key: str, message: str, source: str = "") -> None:
        from kiosk.core.textsafe import escape

        self.key = key
        self.source = source
        where = f" (from {source})" if source else ""
        # one printable line whatever the file holds (a quoted TOML key can carry ESC or bidi)
        super().__init__(escape(f"config: {key}: {message}{where}", 2000))


def _opt(default: Any, help: str, check: Callable[[Any], bool] | None = None, want: str = "") -> Any:
    return field(default=default, metadata={"help": help, "check": check, "want": want})


def _positive(v: float) -> bool:
    return v > 0


def _non_negative(v: float) -> bool:
    return v >= 0


def _url(v: str) -> bool:
    try:
        parts = urlsplit(v)
        _ = parts.port  # raises ValueError on a port out of range or not a number
        return parts.scheme in {"http", "https"} and bool(parts.hostname) and v.isprintable() and " " not in v
    except ValueError:  # "https://[::1", "https://h:99999"
        return False


@dataclass(frozen=True)
class ServiceSettings:
    """Where and how the FaceID service is called (see :class:`kiosk.core.faceid.settings.ClientSettings`)."""

    endpoint: str = _opt(
        "https://faceid.intl.tencentcloudapi.com",
        "service URL; plain http:// only for loopback (the emulator)",
        _url,
        "an http(s) URL",
    )
    region: str = _opt("", "X-TC-Region; empty: not sent (not required by these APIs)")
    connect_timeout_s: float = _opt(5.0, "TCP+TLS connect timeout", lambda v: 0 < v <= 600, "a number > 0 and <= 600")
    read_timeout_s: float = _opt(
        20.0, "time to wait for the answer once sent", lambda v: 0 < v <= 600, "a number > 0 and <= 600"
    )
    ca_bundle: str = _opt("", "PEM file of ALL trusted CAs (replaces the bundled certifi store); empty: certifi")
    https_proxy: str = _opt("", "proxy URL for HTTPS; empty: none (HTTPS_PROXY is not read implicitly)")
    max_attempts: int = _opt(3, "attempts for calls that cannot have been billed", lambda v: 1 <= v <= 6, "1..6")
    daily_call_budget: int = _opt(0, "max billed-capable calls per day; 0: unlimited", _non_negative, ">= 0")
    encrypt_pii: bool = _opt(False, "encrypt IdCard and Name in ImageRecognitionV2 (AES-256-CBC + RSA)")
    public_key_file: str = _opt("", "RSA public key (PEM) for encryption; empty: Tencent's published key")
    max_answer_bytes: int = _opt(
        8_000_000, "refuse answers larger than this (a card portrait answer is < 1 MB)",
        lambda v: 65_536 <= v <= 64_000_000, "65536..64000000",
    )


@dataclass(frozen=True)
class CredentialSettings:
    """Which credential source to use. The secrets themselves are never in this file."""

    source: str = _opt(
        "auto",
        "auto (env, then profile), env, profile or command",
        lambda v: v in {"auto", "env", "profile", "command"},
        "one of auto, env, profile, command",
    )
    profile_file: str = _opt("", "SDK profile file; empty: ~/.tencentcloud/credentials then /etc/...")
    command: tuple[str, ...] = _opt((), "argv of a command printing STS credentials as JSON")
    command_timeout_s: float = _opt(10.0, "time limit for the credential command", _positive, "a number > 0")


@dataclass(frozen=True)
class CameraSettings:
    """The capture device."""

    index: int = _opt(0, "webcam index", _non_negative, ">= 0")
    width: int = _opt(1280, "requested frame width", lambda v: 320 <= v <= 4096, "320..4096")
    height: int = _opt(720, "requested frame height", lambda v: 240 <= v <= 2160, "240..2160")
    fps: int = _opt(30, "requested frame rate", lambda v: 5 <= v <= 120, "5..120")
    mirror_preview: bool = _opt(True, "show the face preview mirrored (what people expect)")


@dataclass(frozen=True)
class PolicySettings:
    """Verification policy (design.md): thresholds, attempts, card warnings."""

    card_sim_threshold: float = _opt(70.0, "card portrait vs authoritative photo", lambda v: 0 <= v <= 100, "0..100")
    face_sim_threshold: float = _opt(70.0, "live face vs authoritative photo", lambda v: 0 <= v <= 100, "0..100")
    max_attempts_per_step: int = _opt(3, "captures per step before staff", lambda v: 1 <= v <= 10, "1..10")
    copy_warn: bool = _opt(True, "ask the service to detect photocopies (-9102)")
    border_check_warn: bool = _opt(True, "incomplete border / occlusion (-9101, -9105)")
    reshoot_warn: bool = _opt(True, "screen re-shoot (-9103)")
    detect_ps_warn: bool = _opt(True, "tampering (-9106)")
    temp_id_warn: bool = _opt(True, "temporary ID card (-9104)")
    quality_warn: bool = _opt(True, "blur (-8001)")


@dataclass(frozen=True)
class KioskSettings:
    """Kiosk behaviour."""

    kiosk_id: str = _opt("kiosk-01", "name of this kiosk in the audit trail", lambda v: 0 < len(v) <= 64, "1..64 chars")
    language: str = _opt("zh_CN", "start-up language", lambda v: v in {"zh_CN", "en"}, "zh_CN or en")
    fullscreen: bool = _opt(True, "fullscreen, frameless window")
    idle_timeout_s: float = _opt(60.0, "no input for this long -> 'still there?'", lambda v: v >= 10, ">= 10")
    idle_warning_s: float = _opt(20.0, "how long 'still there?' waits before reset (capture paused meanwhile)",
                                 lambda v: v >= 20, ">= 20")
    result_timeout_s: float = _opt(15.0, "result screens return to Welcome after", lambda v: v >= 3, ">= 3")
    manual_capture_after_s: float = _opt(10.0, "show the manual capture button after", _positive, "> 0")
    staff_pin_hash: str = _opt("", "scrypt hash of the staff PIN (kiosk doctor --hash-pin); empty: staff menu locked")
    voice_guidance: bool = _opt(True, "speak every step, hint and result (false: mute)")
    voice_volume: float = _opt(0.8, "voice guidance volume", lambda v: 0 <= v <= 1, "0..1")
    voice_player: str = _opt(
        "auto",
        "how sound is played: auto (what this machine has), paplay, pw-play, aplay, winsound, none",
        lambda v: v in {"auto", "paplay", "pw-play", "aplay", "winsound", "memory", "none"},
        "one of auto, paplay, pw-play, aplay, winsound, none",
    )
    max_image_megapixels: float = _opt(
        40.0, "refuse images whose header claims more pixels (before decoding)", lambda v: 0.1 <= v <= 100, "0.1..100"
    )


@dataclass(frozen=True)
class AuditSettings:
    """The PII-safe audit trail."""

    directory: str = _opt("", "folder of audit JSON lines; empty: the platform data folder")
    max_bytes: int = _opt(5_000_000, "rotate after this size", lambda v: v >= 10_000, ">= 10000")
    backups: int = _opt(10, "rotated files kept", lambda v: 0 <= v <= 1000, "0..1000")


@dataclass(frozen=True)
class StaffCallSettings:
    """How "call staff" reaches staff (kiosk id, time and a reason code only; never customer data)."""

    url: str = _opt("", "branch system URL that gets an HTTP POST (JSON) per call; empty: none",
                    lambda v: v == "" or _url(v), "empty or an http(s) URL")
    command: tuple[str, ...] = _opt((), "argv run per call (JSON on stdin and in KIOSK_STAFF_CALL); empty: none")
    timeout_s: float = _opt(5.0, "time limit of one try", lambda v: 0 < v <= 60, "0..60")
    attempts: int = _opt(3, "tries per channel", lambda v: 1 <= v <= 10, "1..10")
    retry_delay_s: float = _opt(2.0, "pause between tries", lambda v: 0 <= v <= 60, "0..60")
    shown_for_s: float = _opt(300.0, "'staff are on their way' stays this long unless staff enter the PIN",
                              lambda v: 10 <= v <= 3600, "10..3600")


@dataclass(frozen=True)
class FlowSettings:
    """Customer flow: double taps, service health, retakes."""

    tap_guard_s: float = _opt(0.5, "taps ignored after a page change or a button (double taps)",
                              lambda v: 0 <= v <= 3, "0..3")
    health_check_interval_s: float = _opt(60.0, "service health check period while idle; 0: only at start",
                                          lambda v: v == 0 or 10 <= v <= 3600, "0 or 10..3600")
    face_retakes_after_mismatch: int = _opt(1, "extra face captures after a face mismatch before the final result",
                                            lambda v: 0 <= v <= 3, "0..3")


@dataclass(frozen=True)
class Settings:
    """All settings. Sections are attributes; see each section's class for its keys."""

    service: ServiceSettings = field(default_factory=ServiceSettings)
    credentials: CredentialSettings = field(default_factory=CredentialSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    notify: StaffCallSettings = field(default_factory=StaffCallSettings)
    flow: FlowSettings = field(default_factory=FlowSettings)
    #: the file the settings were read from, if any (not a setting).
    source_file: str = ""


SECTIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Settings) if f.name != "source_file")


def default_config_paths() -> list[Path]:
    """Where the kiosk looks for its TOML file when neither --config nor $KIOSK_CONFIG is given."""
    paths: list[Path] = []
    if sys.platform == "win32":
        paths.append(Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "kiosk" / "kiosk.toml")
    else:
        paths.append(Path("/etc/kiosk/kiosk.toml"))
    paths.append(Path.home() / ".config" / "kiosk" / "kiosk.toml")
    return paths


def _section_types() -> dict[str, type]:
    hints = typing.get_type_hints(Settings)
    return {name: hints[name] for name in SECTIONS}


#: settings whose value may hold a secret: never echoed in an error message
SENSITIVE_KEYS = frozenset({"service.https_proxy", "credentials.command", "kiosk.staff_pin_hash"})


class _Hidden:
    def __repr__(self) -> str:
        return "<value not shown>"


def _convert(key: str, raw: Any, annotation: Any, source: str, from_env: bool) -> Any:
    """Convert one raw value (TOML value or environment string) to the field's type."""
    if key in SENSITIVE_KEYS:
        try:
            return _convert_value(key, raw, annotation, source, from_env)
        except ConfigError:
            want = "a list of strings" if typing.get_origin(annotation) is tuple else "a string"
            raise ConfigError(key, f"expected {want} (value not shown: it may hold a secret)", source) from None
    return _convert_value(key, raw, annotation, source, from_env)


def _convert_value(key: str, raw: Any, annotation: Any, source: str, from_env: bool) -> Any:
    origin = typing.get_origin(annotation)
    if annotation is bool:
        if isinstance(raw, bool):
            return raw
        word = raw.strip().lower() if from_env and isinstance(raw, str) else None
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ConfigError(key, f"expected true or false, got {raw!r}", source)
    if annotation is int:
        if isinstance(raw, bool):
            raise ConfigError(key, f"expected a whole number, got {raw!r}", source)
        if isinstance(raw, int):
            return raw
        if from_env and isinstance(raw, str):
            try:
                return int(raw.strip())
            except ValueError:
                pass
        raise ConfigError(key, f"expected a whole number, got {raw!r}", source)
    if annotation is float:
        if isinstance(raw, bool):
            raise ConfigError(key, f"expected a number, got {raw!r}", source)
        value: float | None = None
        if isinstance(raw, int | float):
            value = float(raw)
        elif from_env and isinstance(raw, str):
            with contextlib.suppress(ValueError):
                value = float(raw.strip())
        if value is not None and math.isfinite(value):
            return value
        raise ConfigError(key, f"expected a finite number, got {raw!r}", source)
    if annotation is str:
        if isinstance(raw, str):
            return raw
        raise ConfigError(key, f"expected a string, got {raw!r}", source)
    if origin is tuple:
        if from_env and isinstance(raw, str):
            import shlex

            try:
                return tuple(shlex.split(raw))
            except ValueError as exc:
                raise ConfigError(key, f"cannot split into arguments: {exc}", source) from None
        if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            return tuple(raw)
        raise ConfigError(key, f"expected a list of strings, got {raw!r}", source)
    raise ConfigError(key, f"unsupported type {annotation!r}", source)  # pragma: no cover - schema bug


def _build_section(name: str, cls: type, values: Mapping[str, tuple[Any, str, bool]]) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, (raw, source, from_env) in values.items():
        dotted = f"{name}.{key}"
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(dotted, f"unknown setting (known in [{name}]: {known})", source)
        value = _convert(dotted, raw, hints[key], source, from_env)
        meta = fields[key].metadata
        check = meta.get("check")
        if check is not None and not check(value):
            shown = _Hidden() if dotted in SENSITIVE_KEYS else raw
            raise ConfigError(dotted, f"expected {meta.get('want') or 'a valid value'}, got {shown!r}", source)
        kwargs[key] = value
    return cls(**kwargs)


#: a configuration file is a few KB; a bigger one is refused without being read
MAX_CONFIG_BYTES = 1_000_000


def _read_toml(file_path: Path, origin: str) -> dict[str, Any]:
    """The parsed file; a :class:`ConfigError` keyed ``origin`` for every way it can be wrong.

    Read through :mod:`kiosk.core.bounded_read` (a regular file only, at most
    :data:`MAX_CONFIG_BYTES`; a folder or a FIFO is named for what it is, a FIFO never blocks; a
    UTF-8 byte-order mark, as Notepad writes it, is dropped). ``tomllib`` raises more than
    ``TOMLDecodeError``: ``RecursionError`` for thousands of nested arrays and ``ValueError`` for
    an integer with more digits than Python converts; all of them are "not valid TOML".
    """
    from kiosk.core.bounded_read import BoundedReadError, check_regular_file, read_text_bounded
    from kiosk.core.filecheck import unsafe_reason
    from kiosk.core.textsafe import clip

    try:
        check_regular_file(file_path)  # what it is first: a folder is not "unsafe", it is a folder
        reason = unsafe_reason(file_path)
        if reason:
            raise ConfigError(origin, f"refusing {file_path}: {reason}")
        text = read_text_bounded(file_path, MAX_CONFIG_BYTES)
    except BoundedReadError as exc:
        raise ConfigError(origin, str(exc)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = clip(str(exc), 200)
    except RecursionError:
        detail = "arrays or tables nested too deeply"
    except ValueError as exc:  # int("9" * 5000): Python's limit on digits (sys.int_info)
        detail = "a number too long to read" if "digits" in str(exc) else clip(str(exc), 200)
    raise ConfigError(origin, f"{file_path}: not valid TOML ({detail})")


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    search_default_paths: bool = True,
) -> Settings:
    """Read defaults, then the TOML file, then ``KIOSK_*`` overrides; validate everything.

    Raises :class:`ConfigError` (a ``ValueError``) on any problem, including an unreadable or
    malformed file, and nothing else. ``environ`` defaults to ``os.environ`` (tests pass their
    own mapping).
    """
    env = os.environ if environ is None else environ
    file_path: Path | None = None
    origin = "--config"
    if path:
        file_path = Path(path)
    elif env.get("KIOSK_CONFIG"):
        file_path, origin = Path(env["KIOSK_CONFIG"]), "KIOSK_CONFIG"
    elif search_default_paths:
        file_path = next((p for p in default_config_paths() if p.is_file()), None)

    collected: dict[str, dict[str, tuple[Any, str, bool]]] = {s: {} for s in SECTIONS}
    if file_path is not None:
        data = _read_toml(file_path, origin)
        data.pop("schema_version", None)
        for section, table in data.items():
            if section not in collected:
                raise ConfigError(section, f"unknown section (known: {', '.join(SECTIONS)})", str(file_path))
            if not isinstance(table, dict):
                raise ConfigError(section, "expected a [table]", str(file_path))
            for key, raw in table.items():
                collected[section][key] = (raw, str(file_path), False)

    for var, raw in env.items():
        if not var.startswith(ENV_PREFIX):
            continue
        rest = var[len(ENV_PREFIX) :].lower()
        section, _, key = rest.partition("_")
        if section not in collected:
            continue
        if not key:
            raise ConfigError(section, "environment override needs a key", var)
        collected[section][key] = (raw, var, True)

    types_by_section = _section_types()
    sections = {name: _build_section(name, types_by_section[name], collected[name]) for name in SECTIONS}
    settings = Settings(**sections, source_file=str(file_path or ""))
    _cross_checks(settings)
    return settings


def _cross_checks(settings: Settings) -> None:
    """Rules that involve more than one key, and the files the settings name."""
    from kiosk.core.bounded_read import BoundedReadError, check_regular_file

    k = settings.kiosk
    if k.idle_warning_s >= k.idle_timeout_s:
        raise ConfigError("kiosk.idle_warning_s", "must be shorter than kiosk.idle_timeout_s")
    if settings.credentials.source == "command" and not settings.credentials.command:
        raise ConfigError("credentials.command", "source is 'command' but no command is given")
    if settings.credentials.command:
        import shutil

        from kiosk.core.filecheck import unsafe_reason

        program = settings.credentials.command[0]
        found = program if os.sep in program else shutil.which(program)
        reason = unsafe_reason(found) if found else None
        if reason:
            raise ConfigError("credentials.command", f"refusing the credential command: {reason}")
    for key, value in (("service.ca_bundle", settings.service.ca_bundle),
                       ("service.public_key_file", settings.service.public_key_file)):
        if value:
            try:
                check_regular_file(value)  # says what it is: a folder, a named pipe, a device...
            except BoundedReadError as exc:
                raise ConfigError(key, str(exc)) from None
    audit_dir = settings.audit.directory
    if audit_dir and Path(audit_dir).exists() and not Path(audit_dir).is_dir():
        raise ConfigError("audit.directory", f"not a folder: {audit_dir}")


def describe() -> list[tuple[str, str, Any]]:
    """(dotted key, help, default) for every setting, for docs and ``kiosk doctor``."""
    rows: list[tuple[str, str, Any]] = []
    for name, cls in _section_types().items():
        assert isinstance(cls, type) and not isinstance(cls, types.GenericAlias)
        for f in dataclasses.fields(cls):
            rows.append((f"{name}.{f.name}", f.metadata.get("help", ""), f.default))
    return rows
