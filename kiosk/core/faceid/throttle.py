"""Client-side rate limiting, the daily call budget and the service clock.

* :class:`SlidingWindowLimiter`: at most ``rate`` calls in any ``window`` seconds (exact, not a
  token bucket, so a server that counts per second can never see more than its limit). Blocks
  up to ``max_wait`` seconds, then raises RateLimitedError.
* :class:`DailyBudget`: at most ``limit`` possibly-billed calls per local calendar day; a slot
  is reserved before sending and released when the outcome is known not to be billed. In
  memory only: a restart starts a fresh count.
* :class:`ServiceClock`: the offset between the kiosk clock and the service, learned from the
  HTTP ``Date`` header of every response, used to sign with the service's notion of time.

All three are thread-safe (one internal lock each). Clock, sleep and date functions are
injectable for tests.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from kiosk.core.faceid.errors import BudgetExceededError, RateLimitedError

__all__ = ["DailyBudget", "ServiceClock", "SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """At most ``rate`` acquisitions in any ``window`` seconds (``rate`` may be fractional: it is
    interpreted as ``ceil(rate*window)`` calls per window, minimum 1)."""

    def __init__(
        self,
        rate: float,
        *,
        window: float = 1.0,
        max_wait: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        name: str = "",
    ) -> None:
        self._capacity = max(1, int(-(-rate * window // 1)))
        self._window = window
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._name = name
        self._stamps: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        return self._capacity

    def acquire(self) -> float:
        """Take a slot, sleeping if needed. Returns the seconds waited; raises RateLimitedError
        (nothing sent) when the wait would exceed ``max_wait``."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._stamps and self._stamps[0] <= now - self._window:
                    self._stamps.popleft()
                if len(self._stamps) < self._capacity:
                    self._stamps.append(now)
                    return waited
                delay = self._stamps[0] + self._window - now
            if waited + delay > self._max_wait:
                raise RateLimitedError("local rate limit: waiting would exceed the bound", action=self._name)
            self._sleep(delay)
            waited += delay


class DailyBudget:
    """At most ``limit`` possibly-billed calls per local day (``today`` is injectable)."""

    def __init__(self, limit: int, *, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._limit = limit
        self._today = today
        self._day = today()
        self._used = 0
        self._lock = threading.Lock()

    def _roll(self) -> None:
        day = self._today()
        if day != self._day:
            self._day = day
            self._used = 0

    @property
    def used(self) -> int:
        with self._lock:
            self._roll()
            return self._used

    @property
    def remaining(self) -> int:
        with self._lock:
            self._roll()
            return max(0, self._limit - self._used)

    def reserve(self, action: str = "") -> None:
        """Count one call before it is sent; raises BudgetExceededError (nothing sent)."""
        with self._lock:
            self._roll()
            if self._used >= self._limit:
                raise BudgetExceededError("daily call budget used up", action=action)
            self._used += 1

    def release(self) -> None:
        """Give back a reservation whose call is known not to be billed."""
        with self._lock:
            if self._used > 0:
                self._used -= 1


class ServiceClock:
    """Kiosk time corrected by the offset to the service.

    ``Date`` has one-second resolution, so an estimate within ``tolerance`` seconds of the
    current offset is ignored (a synchronised kiosk keeps offset 0.0 instead of jitter).
    """

    #: a Date header further than this from the kiosk clock is not believed (a dead RTC battery
    #: is fixed by NTP, not by a service's header); ``Date: 31 Dec 9999`` must not break signing
    MAX_OFFSET_S = 7 * 86400.0
    #: and only dates in this range are plausible at all
    PLAUSIBLE_YEARS = (2020, 2100)

    def __init__(self, time_fn: Callable[[], float] = time.time, *, tolerance: float = 2.0) -> None:
        self._time = time_fn
        self._tolerance = tolerance
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """Seconds to add to the local clock to get service time."""
        with self._lock:
            return self._offset

    def local(self) -> float:
        return self._time()

    def now(self) -> float:
        """Service time (local time + offset)."""
        return self._time() + self.offset

    def timestamp(self) -> int:
        """The ``X-TC-Timestamp`` to sign with."""
        return int(self.now())

    def observe(self, date_header: str | None, sent_at: float, received_at: float) -> bool:
        """Learn from a response ``Date`` header (local send/receive times); True if the offset
        changed. Unparseable, implausible (outside :data:`PLAUSIBLE_YEARS`) or too far
        (:data:`MAX_OFFSET_S`) headers are ignored, so the offset stays bounded."""
        if not date_header or len(date_header) > 64:
            return False
        try:
            server = parsedate_to_datetime(date_header)
            if server.tzinfo is None:
                server = server.replace(tzinfo=dt.UTC)
            if not self.PLAUSIBLE_YEARS[0] <= server.year <= self.PLAUSIBLE_YEARS[1]:
                return False
            # Date is truncated to the second: the true time is in [D, D+1).
            estimate = server.timestamp() + 0.5 - (sent_at + received_at) / 2.0
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        if not abs(estimate) <= self.MAX_OFFSET_S:  # also refuses NaN
            return False
        with self._lock:
            if abs(estimate - self._offset) <= self._tolerance:
                return False
            self._offset = round(estimate, 3)
            return True
