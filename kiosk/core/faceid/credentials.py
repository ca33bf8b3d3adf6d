"""Credentials and credential providers. Secrets never appear in any repr, message or log.

Providers (all implement :class:`CredentialProvider`: ``get()`` and ``refresh()``):

* :class:`StaticCredentialProvider`: a fixed :class:`Credential`.
* :class:`EnvironmentCredentialProvider`: ``TENCENTCLOUD_SECRET_ID``, ``TENCENTCLOUD_SECRET_KEY``
  and an optional STS token from ``TENCENTCLOUD_SESSION_TOKEN`` (alias ``TENCENTCLOUD_TOKEN``;
  the session name wins). The official SDK reads no token variable; this is our extension.
* :class:`ProfileCredentialProvider`: the SDK profile file, INI, ``~/.tencentcloud/credentials``
  then ``/etc/tencentcloud/credentials``, section ``[default]``, keys ``secret_id``,
  ``secret_key`` and (our extension) ``token``. Unlike the SDK, which keeps quotes literally
  (``"AKID"`` with the quotes, which then fails authentication), one pair of matching
  surrounding single or double quotes is stripped.
* :class:`CommandCredentialProvider`: runs an argv list (no shell) with a timeout; stdout must be
  JSON, either ``{"TmpSecretId","TmpSecretKey","Token","ExpiredTime"}`` (STS style, unix
  seconds), ``{"SecretId","SecretKey","Token","Expiration"}`` (ISO-8601 or unix seconds), or
  the STS AssumeRole answer ``{"Credentials": {...}, "ExpiredTime": ...}`` (optionally inside
  ``{"Response": ...}``). The result is cached and the command re-run ``refresh_margin``
  seconds before expiry. Failures raise CredentialError with a message that never echoes
  the command output.
* :class:`ChainCredentialProvider`: the first provider that yields a credential.

Threading: every provider is safe to call from several threads (command runs are serialised
with a lock). A provider owns its cached credential; callers get immutable copies.
"""

from __future__ import annotations

import configparser
import json
import math
import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from kiosk.core.faceid.errors import CredentialError
from kiosk.core.faceid.masking import mask_secret

__all__ = [
    "ENV_SECRET_ID",
    "ENV_SECRET_KEY",
    "ENV_TOKEN",
    "ENV_TOKEN_ALIAS",
    "ChainCredentialProvider",
    "CommandCredentialProvider",
    "Credential",
    "CredentialProvider",
    "EnvironmentCredentialProvider",
    "ProfileCredentialProvider",
    "StaticCredentialProvider",
    "default_profile_paths",
    "default_provider",
    "parse_credential_json",
]

ENV_SECRET_ID = "TENCENTCLOUD_SECRET_ID"  # noqa: S105 - variable name
ENV_SECRET_KEY = "TENCENTCLOUD_SECRET_KEY"  # noqa: S105 - variable name
ENV_TOKEN = "TENCENTCLOUD_SESSION_TOKEN"  # noqa: S105 - variable name
ENV_TOKEN_ALIAS = "TENCENTCLOUD_TOKEN"  # noqa: S105 - variable name


@dataclass(frozen=True, slots=True, repr=False)
class Credential:
    """A SecretId/SecretKey pair with an optional STS token and expiry (unix seconds).

    Rejects empty values and values with surrounding whitespace (like the SDK). ``repr``/``str``
    show nothing of any value.
    """

    secret_id: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    expires_at: float | None = None

    def __post_init__(self) -> None:
        for name in ("secret_id", "secret_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise CredentialError(f"{name} is empty")
            if value != value.strip():
                raise CredentialError(f"{name} has leading or trailing whitespace")
            if not (value.isascii() and value.isprintable()):  # never say which character, or where
                raise CredentialError(f"{name} contains characters other than printable ASCII")
        if self.token is not None and (
            not isinstance(self.token, str) or self.token != self.token.strip()
            or not (self.token.isascii() and self.token.isprintable())
        ):
            raise CredentialError("token is not a clean string")

    def __repr__(self) -> str:
        return (
            f"Credential(secret_id={mask_secret(self.secret_id)}, secret_key={mask_secret(self.secret_key)}, "
            f"token={mask_secret(self.token)}, expires_at={self.expires_at})"
        )

    __str__ = __repr__


@runtime_checkable
class CredentialProvider(Protocol):
    """Where the client gets its credential. ``get`` may cache; ``refresh`` forces a reload
    (called once after ``AuthFailure.TokenFailure``). Both raise CredentialError."""

    def get(self) -> Credential: ...

    def refresh(self) -> Credential: ...


class StaticCredentialProvider:
    """Always the same credential (``refresh`` cannot renew it)."""

    def __init__(self, credential: Credential) -> None:
        self._credential = credential

    def get(self) -> Credential:
        return self._credential

    def refresh(self) -> Credential:
        return self._credential

    def __repr__(self) -> str:
        return "StaticCredentialProvider(<masked>)"


class EnvironmentCredentialProvider:
    """Reads the environment on every call (cheap), so rotated variables are picked up."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    def get(self) -> Credential:
        env = self._environ if self._environ is not None else os.environ
        sid = env.get(ENV_SECRET_ID) or ""
        skey = env.get(ENV_SECRET_KEY) or ""
        if not sid or not skey:
            raise CredentialError(f"{ENV_SECRET_ID} and {ENV_SECRET_KEY} must both be set")
        token = env.get(ENV_TOKEN) or env.get(ENV_TOKEN_ALIAS) or None
        return Credential(sid.strip(), skey.strip(), token.strip() if token else None)

    def refresh(self) -> Credential:
        return self.get()

    def __repr__(self) -> str:
        return "EnvironmentCredentialProvider()"


def default_profile_paths() -> tuple[Path, ...]:
    """``~/.tencentcloud/credentials`` then ``/etc/tencentcloud/credentials`` (SDK order)."""
    return (Path.home() / ".tencentcloud" / "credentials", Path("/etc/tencentcloud/credentials"))


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in {"'", '"'}:
        return value[1:-1].strip()
    return value


class ProfileCredentialProvider:
    """The SDK profile file (first existing path wins), re-read on every ``get``."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]] | None = None, section: str = "default") -> None:
        self._paths = tuple(Path(p) for p in paths) if paths is not None else default_profile_paths()
        self._section = section

    def get(self) -> Credential:
        for path in self._paths:
            if not path.is_file():
                continue
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except (configparser.Error, OSError, UnicodeDecodeError):
                raise CredentialError(f"credentials file {path} is not a valid INI file") from None
            if not parser.has_section(self._section):
                raise CredentialError(f"credentials file {path} has no [{self._section}] section")
            sec = parser[self._section]
            sid = _unquote(sec.get("secret_id", ""))
            skey = _unquote(sec.get("secret_key", ""))
            token = _unquote(sec.get("token", "")) or None
            if not sid or not skey:
                raise CredentialError(f"credentials file {path} lacks secret_id or secret_key")
            return Credential(sid, skey, token)
        raise CredentialError("no credentials file found")

    def refresh(self) -> Credential:
        return self.get()

    def __repr__(self) -> str:
        return f"ProfileCredentialProvider(paths={[str(p) for p in self._paths]!r})"


def _parse_expiry(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CredentialError("credential command: expiry has the wrong type")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise CredentialError("credential command: expiry is not finite")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return float(text)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise CredentialError("credential command: expiry is not a timestamp") from None
        if parsed.tzinfo is None:
            raise CredentialError("credential command: expiry has no time zone")
        return parsed.timestamp()
    raise CredentialError("credential command: expiry has the wrong type")


def parse_credential_json(data: Any) -> Credential:
    """Parse the JSON printed by a credential command (formats in the module docstring)."""
    if isinstance(data, dict) and isinstance(data.get("Response"), dict):
        data = data["Response"]
    if not isinstance(data, dict):
        raise CredentialError("credential command output is not a JSON object")
    source: dict[str, Any] = data
    if isinstance(data.get("Credentials"), dict):
        source = {**data, **data["Credentials"]}
    sid = source.get("TmpSecretId", source.get("SecretId"))
    skey = source.get("TmpSecretKey", source.get("SecretKey"))
    token = source.get("Token", source.get("SessionToken"))
    if not isinstance(sid, str) or not isinstance(skey, str) or not sid or not skey:
        raise CredentialError("credential command output lacks SecretId/SecretKey")
    if token is not None and not isinstance(token, str):
        raise CredentialError("credential command output has a non-string Token")
    expiry = source.get("ExpiredTime", source.get("Expiration"))
    return Credential(sid.strip(), skey.strip(), (token or "").strip() or None, _parse_expiry(expiry))


class CommandCredentialProvider:
    """Runs ``argv`` (no shell) and caches the credential until ``refresh_margin`` before expiry.

    A credential without an expiry is re-used until ``refresh()``. ``clock`` is injectable.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        timeout: float = 10.0,
        refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.time,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if not argv or not all(isinstance(a, str) and a for a in argv):
            raise CredentialError("credential command must be a non-empty argv list")
        self._argv = tuple(argv)
        self._timeout = timeout
        self._margin = refresh_margin
        self._clock = clock
        self._env = dict(env) if env is not None else None
        self._lock = threading.Lock()
        self._cached: Credential | None = None
        self.runs = 0  # number of times the command ran (diagnostics/tests)

    def __repr__(self) -> str:
        return f"CommandCredentialProvider(argv0={self._argv[0]!r}, runs={self.runs})"

    def _fresh_enough(self, cred: Credential) -> bool:
        return cred.expires_at is None or self._clock() < cred.expires_at - self._margin

    def get(self) -> Credential:
        with self._lock:
            if self._cached is not None and self._fresh_enough(self._cached):
                return self._cached
            self._cached = self._run()
            return self._cached

    def refresh(self) -> Credential:
        with self._lock:
            self._cached = self._run()
            return self._cached

    def _run(self) -> Credential:
        self.runs += 1
        stdout, returncode = _run_bounded(self._argv, self._timeout, self._env)
        if returncode != 0:
            raise CredentialError(f"credential command exited with status {returncode}")
        try:
            data = json.loads(stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise CredentialError(f"credential command printed {len(stdout)} bytes that are not JSON") from None
        cred = parse_credential_json(data)
        if cred.expires_at is not None and cred.expires_at <= self._clock():
            raise CredentialError("credential command returned an already expired credential")
        return cred


#: the most a credential command may print (an STS answer is under 4 KB; ``yes`` is not)
MAX_COMMAND_OUTPUT = 64 * 1024


def _run_bounded(argv: Sequence[str], timeout: float, env: Mapping[str, str] | None) -> tuple[bytes, int]:
    """Run ``argv`` (no shell), read at most :data:`MAX_COMMAND_OUTPUT` bytes of its stdout
    within ``timeout``; kill it when it prints more or takes longer. Raises CredentialError.
    stderr is discarded (it may echo a secret)."""
    try:
        proc = subprocess.Popen(  # noqa: S603 - argv list from the operator's config, no shell
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
        )
    except OSError as exc:
        raise CredentialError(f"credential command could not be started ({type(exc).__name__})") from None
    chunks: list[bytes] = []
    size = [0]

    def reader() -> None:  # a thread: pipes cannot be polled with a timeout on Windows
        assert proc.stdout is not None
        while size[0] <= MAX_COMMAND_OUTPUT:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                return
            chunks.append(chunk)
            size[0] += len(chunk)

    thread = threading.Thread(target=reader, daemon=True, name="credential-command")
    thread.start()
    thread.join(timeout)
    try:
        if thread.is_alive():
            raise CredentialError(f"credential command timed out after {timeout:g} s")
        if size[0] > MAX_COMMAND_OUTPUT:
            raise CredentialError(f"credential command printed more than {MAX_COMMAND_OUTPUT} bytes")
        try:
            returncode = proc.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            raise CredentialError(f"credential command timed out after {timeout:g} s") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        thread.join(1.0)
        if proc.stdout is not None and not thread.is_alive():  # (a grandchild may hold the pipe)
            proc.stdout.close()
    return b"".join(chunks), returncode


class ChainCredentialProvider:
    """Tries each provider in order; the first that yields wins (and is remembered)."""

    def __init__(self, providers: Sequence[CredentialProvider]) -> None:
        if not providers:
            raise CredentialError("empty credential provider chain")
        self._providers = tuple(providers)
        self._chosen: CredentialProvider | None = None
        self._lock = threading.Lock()

    def get(self) -> Credential:
        with self._lock:
            chosen = self._chosen
        if chosen is not None:
            return chosen.get()
        reasons: list[str] = []
        for provider in self._providers:
            try:
                cred = provider.get()
            except CredentialError as exc:
                reasons.append(f"{type(provider).__name__}: {exc.detail}")
                continue
            with self._lock:
                self._chosen = provider
            return cred
        raise CredentialError("no credentials: " + "; ".join(reasons))

    def refresh(self) -> Credential:
        with self._lock:
            chosen = self._chosen
        if chosen is None:
            return self.get()
        return chosen.refresh()

    def __repr__(self) -> str:
        return f"ChainCredentialProvider({[type(p).__name__ for p in self._providers]!r})"


def default_provider(
    command: Sequence[str] | None = None,
    *,
    timeout: float = 10.0,
    refresh_margin: float = 300.0,
    profile_paths: Sequence[str | os.PathLike[str]] | None = None,
) -> CredentialProvider:
    """The kiosk's credential source: the credential command when one is configured (the
    recommended production setup, temporary STS keys), else environment then profile file.
    Nothing is read until the first ``get()``."""
    if command:
        return CommandCredentialProvider(command, timeout=timeout, refresh_margin=refresh_margin)
    return ChainCredentialProvider([EnvironmentCredentialProvider(), ProfileCredentialProvider(profile_paths)])
