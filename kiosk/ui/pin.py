"""Staff PIN: salted scrypt hash, constant-time check, lockout after repeated wrong tries.

No Qt here so it can be unit-tested and reused by ``kiosk doctor``. Not thread-safe: the kiosk
uses one :class:`PinGuard` from the GUI thread.

The stored form is ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` (``pbkdf2_sha256$<iterations>$
<salt b64>$<hash b64>`` is also accepted), so the hash can live in the config file
(``kiosk.staff_pin_hash``) or an environment variable; the PIN itself is never stored. Create one
with ``python -m kiosk.ui.pin`` (prompts for the PIN).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

ALGORITHM = "scrypt"
# scrypt cost (n=2**14, r=8, p=1: ~16 MB and ~50 ms per check, the interactive-login setting)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# The PIN of demo mode only (``kiosk demo``); a real kiosk refuses to start the staff screen
# without a configured hash.
DEMO_PIN = "2468"
# its hash, precomputed (the demo PIN is public; this only saves ~50 ms of scrypt at start-up)
DEMO_PIN_HASH = "scrypt$16384$8$1$ZVCWtF8LVnzggwDnfHXcVQ==$J1rC7NQr7cAb/XsnwLrdRXXStlfxK/OmXI3M5Nn1/Ks="


def hash_pin(pin: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Return the storable salted scrypt hash of ``pin`` (4 to 12 digits)."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.b64encode
    return "$".join([ALGORITHM, str(n), str(r), str(p), b64(salt).decode(), b64(digest).decode()])


def check_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches the stored hash (constant-time compare); False if malformed."""
    try:
        parts = stored.split("$")
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
            digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            salt, expected = base64.b64decode(parts[2]), base64.b64decode(parts[3])
            digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, int(parts[1]))
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

    ``clock`` is injectable (monotonic seconds) so tests need not sleep.
    """

    def __init__(
        self,
        stored_hash: str | None,
        *,
        max_tries: int = 5,
        lockout_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stored = stored_hash
        self.max_tries = max_tries
        self.lockout_s = lockout_s
        self._clock = clock
        self._failures = 0
        self._locked_until = 0.0

    @property
    def configured(self) -> bool:
        return bool(self._stored)

    def locked_for(self) -> float:
        """Seconds left in the lockout (0 when not locked)."""
        return max(0.0, self._locked_until - self._clock())

    def attempt(self, pin: str) -> PinResult:
        """Check ``pin``; wrong PINs count towards the lockout, a right one clears the count."""
        left = self.locked_for()
        if left > 0:
            return PinResult(False, locked=True, locked_for_s=left)
        if self._stored and check_pin(pin, self._stored):
            self._failures = 0
            return PinResult(True, remaining_tries=self.max_tries)
        self._failures += 1
        if self._failures >= self.max_tries:
            self._failures = 0
            self._locked_until = self._clock() + self.lockout_s
            return PinResult(False, locked=True, locked_for_s=self.lockout_s)
        return PinResult(False, remaining_tries=self.max_tries - self._failures)


def main() -> int:  # pragma: no cover - interactive helper
    import getpass

    pin = getpass.getpass("New staff PIN (4-12 digits): ")
    if pin != getpass.getpass("Again: "):
        print("PINs differ")
        return 2
    print(hash_pin(pin))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
