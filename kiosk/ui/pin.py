"""Staff PIN: salted scrypt hash, constant-time check, a lockout that survives restarts.

No Qt here so it can be unit-tested and reused by ``kiosk doctor``. Not thread-safe: the kiosk
uses one :class:`PinGuard` from the GUI thread (a check costs ~0.4 s of CPU there, staff only).

The stored form is ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` (``pbkdf2_sha256$<iterations>$
<salt b64>$<hash b64>`` is also read), so the hash can live in the config file
(``kiosk.staff_pin_hash``) or an environment variable; the PIN itself is never stored. Create one
with ``kiosk doctor --hash-pin`` or ``python -m kiosk.ui.pin`` (prompts for the PIN).

Hardening (docs/security.md): a PIN has at least :data:`MIN_DIGITS` digits and is hashed with
scrypt n=2^17, r=8, p=1 (128 MB, ~0.42 s per guess on one core: a 6-digit PIN costs ~5 core-days
to recover from its hash, a 4-digit one at n=2^14 took 4 minutes). Older hashes (pbkdf2, or
scrypt below n=2^17) still open the staff menu but are *flagged*
(:attr:`PinGuard.outdated`): the staff page asks for a new hash. Hashes with absurd parameters
(n > 2^20) are refused, so a hostile configuration cannot make a PIN check take gigabytes.

The lockout (``max_tries`` wrong PINs -> ``lockout_s`` seconds) is kept in a small JSON state
file owned by the kiosk user (next to the audit folder; written atomically, mode 0600), so a
restart does not give an attacker fresh tries.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.bounded_read import read_text_bounded

ALGORITHM = "scrypt"
# scrypt cost: n=2**17, r=8, p=1 (128 MB, ~0.4 s per check)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
#: the least a hash may cost to count as current (older ones are flagged)
MIN_SCRYPT_N = 2**17
#: the most a stored hash may ask for (a hostile config must not take gigabytes per check)
MAX_SCRYPT_N = 2**20
MIN_DIGITS, MAX_DIGITS = 6, 12
# The PIN of demo mode only (``kiosk demo``); a real kiosk refuses to start the staff screen
# without a configured hash.
DEMO_PIN = "246810"
# its hash, precomputed (the demo PIN is public; this only saves ~0.4 s of scrypt at start-up)
DEMO_PIN_HASH = "scrypt$131072$8$1$0WB7oNSVArnEsJvEX8/ZZw==$GS8vaxz2WvfzBPFm1/aKdOBCK2KuxykUVGbMQ13v0/Y="


def _maxmem(n: int, r: int, p: int) -> int:
    return 128 * r * (n + p + 2) + 1024 * 1024


def hash_pin(pin: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Return the storable salted scrypt hash of ``pin`` (6 to 12 digits). A smaller ``n`` is
    for tests only: such a hash works but is flagged as outdated."""
    if not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise ValueError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=_maxmem(n, r, p))
    b64 = base64.b64encode
    return "$".join([ALGORITHM, str(n), str(r), str(p), b64(salt).decode(), b64(digest).decode()])


def hash_is_current(stored: str | None) -> bool:
    """True for a scrypt hash at least as costly as n=2^17, r=8 (False for pbkdf2 or weaker)."""
    parts = (stored or "").split("$")
    try:
        return parts[0] == "scrypt" and len(parts) == 6 and int(parts[1]) >= MIN_SCRYPT_N and int(parts[2]) >= 8
    except ValueError:
        return False


def check_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the stored hash (constant-time compare); False if malformed."""
    try:
        parts = stored.split("$")
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            if not (2 <= n <= MAX_SCRYPT_N and 1 <= r <= 32 and 1 <= p <= 4):
                return False
            salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
            digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                                    maxmem=_maxmem(n, r, p))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            if not 1 <= iterations <= 10_000_000:
                return False
            salt, expected = base64.b64decode(parts[2]), base64.b64decode(parts[3])
            digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
        else:
            return False
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class PinResult:
    """Outcome of one PIN attempt."""

    ok: bool
    locked: bool = False
    remaining_tries: int = 0
    locked_for_s: float = 0.0


class PinGuard:
    """Checks PINs against a stored hash; after ``max_tries`` wrong PINs, locks for ``lockout_s``.

    ``clock`` is injectable (monotonic seconds) so tests need not sleep; ``wall`` (wall-clock
    seconds) is what the optional ``state_file`` stores, so the lockout and the count of wrong
    tries survive a restart. A state file that cannot be read counts as no state; one that
    cannot be written is skipped (the in-memory lockout still holds).
    """

    def __init__(
        self,
        stored_hash: str | None,
        *,
        max_tries: int = 5,
        lockout_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        state_file: str | os.PathLike[str] | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._stored = stored_hash
        self.max_tries = max_tries
        self.lockout_s = lockout_s
        self._clock = clock
        self._wall = wall
        self._state_file = Path(state_file) if state_file else None
        self._failures = 0
        self._locked_until = 0.0
        self._load()

    @property
    def configured(self) -> bool:
        return bool(self._stored)

    @property
    def outdated(self) -> bool:
        """A hash is configured but weaker than the current rule (make a new one)."""
        return self.configured and not hash_is_current(self._stored)

    def locked_for(self) -> float:
        """Seconds left in the lockout (0 when not locked; never more than ``lockout_s``)."""
        return min(self.lockout_s, max(0.0, self._locked_until - self._clock()))

    def attempt(self, pin: str) -> PinResult:
        """Check ``pin``; wrong PINs count towards the lockout, a right one clears the count."""
        left = self.locked_for()
        if left > 0:
            return PinResult(False, locked=True, locked_for_s=left)
        if self._stored and check_pin(pin, self._stored):
            if self._failures:
                self._failures = 0
                self._save()
            return PinResult(True, remaining_tries=self.max_tries)
        self._failures += 1
        if self._failures >= self.max_tries:
            self._failures = 0
            self._locked_until = self._clock() + self.lockout_s
            self._save()
            return PinResult(False, locked=True, locked_for_s=self.lockout_s)
        self._save()
        return PinResult(False, remaining_tries=self.max_tries - self._failures)

    # ---- the state file ---------------------------------------------------------------------
    def _load(self) -> None:
        if self._state_file is None:
            return
        try:
            data = json.loads(read_text_bounded(self._state_file, 4096))  # a FIFO here must not block
            failures = int(data.get("failures", 0))
            until_wall = float(data.get("locked_until", 0.0))
        except (OSError, ValueError, TypeError, AttributeError):
            return
        self._failures = max(0, min(failures, self.max_tries - 1))
        left = min(self.lockout_s, max(0.0, until_wall - self._wall()))  # a clock set back: at most one lockout
        if left > 0:
            self._locked_until = self._clock() + left

    def _save(self) -> None:
        if self._state_file is None:
            return
        state = {"failures": self._failures, "locked_until": round(self._wall() + self.locked_for(), 3)}
        tmp = self._state_file.with_name(self._state_file.name + ".tmp")
        try:
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NONBLOCK", 0), 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(state, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._state_file)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def main() -> int:  # pragma: no cover - interactive helper
    import getpass

    pin = getpass.getpass(f"New staff PIN ({MIN_DIGITS}-{MAX_DIGITS} digits): ")
    if pin != getpass.getpass("Again: "):
        print("PINs differ")
        return 2
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(exc)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
