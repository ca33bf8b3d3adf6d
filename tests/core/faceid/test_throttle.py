"""Rate limiter, daily budget and service clock with injected time."""

from __future__ import annotations

import datetime as dt
import threading
from email.utils import formatdate

import pytest

from kiosk.core.faceid.errors import BudgetExceededError, RateLimitedError
from kiosk.core.faceid.throttle import DailyBudget, ServiceClock, SlidingWindowLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_limiter_allows_rate_per_window_then_waits() -> None:
    t = FakeTime()
    lim = SlidingWindowLimiter(20, clock=t.clock, sleep=t.sleep, max_wait=5)
    for _ in range(20):
        assert lim.acquire() == 0.0
    waited = lim.acquire()
    assert waited == pytest.approx(1.0) and t.sleeps == [pytest.approx(1.0)]


def test_limiter_never_exceeds_rate_in_any_window() -> None:
    t = FakeTime()
    lim = SlidingWindowLimiter(100, clock=t.clock, sleep=t.sleep, max_wait=5)
    stamps = []
    for i in range(350):
        t.now += 0.001 * (i % 3)
        lim.acquire()
        stamps.append(t.now)
    for i in range(len(stamps) - 100):
        assert stamps[i + 100] - stamps[i] >= 1.0 - 1e-9


def test_limiter_bounded_wait() -> None:
    t = FakeTime()
    lim = SlidingWindowLimiter(2, clock=t.clock, sleep=t.sleep, max_wait=0.5, name="ImageRecognitionV2")
    lim.acquire()
    lim.acquire()
    with pytest.raises(RateLimitedError) as info:
        lim.acquire()
    assert t.sleeps == [] and info.value.billed is False and info.value.action == "ImageRecognitionV2"
    t.now += 1.0
    lim.acquire()


def test_limiter_thread_safety_real_time() -> None:
    lim = SlidingWindowLimiter(1000, max_wait=5)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(100):
                lim.acquire()
        except BaseException as exc:  # pragma: no cover - would fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and lim.capacity == 1000


def test_budget_reserve_release_and_day_roll() -> None:
    day = [dt.date(2026, 1, 1)]
    budget = DailyBudget(2, today=lambda: day[0])
    budget.reserve()
    budget.reserve()
    with pytest.raises(BudgetExceededError):
        budget.reserve("CheckIdCardInformation")
    budget.release()
    assert budget.remaining == 1
    budget.reserve()
    day[0] = dt.date(2026, 1, 2)
    assert budget.remaining == 2 and budget.used == 0


def test_zero_budget_blocks_everything() -> None:
    with pytest.raises(BudgetExceededError):
        DailyBudget(0).reserve()


def test_service_clock_learns_from_date() -> None:
    local = [1_700_000_000.0]
    clock = ServiceClock(lambda: local[0])
    # the service is one hour ahead
    assert clock.observe(formatdate(local[0] + 3600, usegmt=True), local[0] - 0.1, local[0] + 0.1)
    assert clock.offset == pytest.approx(3600, abs=1.0)
    assert clock.timestamp() == pytest.approx(local[0] + 3600, abs=1.0)
    # a second sample within tolerance does not move it
    assert not clock.observe(formatdate(local[0] + 3600, usegmt=True), local[0], local[0])
    # a synchronised kiosk keeps offset 0 (one-second Date resolution is not jitter)
    sync = ServiceClock(lambda: local[0])
    assert not sync.observe(formatdate(local[0], usegmt=True), local[0], local[0] + 0.9)
    assert sync.offset == 0.0


@pytest.mark.parametrize("header", [None, "", "yesterday", "Mon, 99 Foo 2023 25:61:00 GMT"])
def test_service_clock_ignores_bad_dates(header: str | None) -> None:
    clock = ServiceClock()
    assert not clock.observe(header, 0.0, 0.0)
    assert clock.offset == 0.0


@pytest.mark.parametrize(
    ("header", "learned"),
    [
        ("Fri, 31 Dec 9999 23:59:59 GMT", False),  # implausible year: would break signing
        ("Thu, 01 Jan 1970 00:00:00 GMT", False),
        (formatdate(1_700_000_000 + 8 * 86400, usegmt=True), False),  # more than 7 days off
        (formatdate(1_700_000_000 - 8 * 86400, usegmt=True), False),
        (formatdate(1_700_000_000 + 6 * 86400, usegmt=True), True),  # a badly set kiosk clock
        ("Mon, 01 Jan 2024 00:00:00 GMT" + " " * 100, False),  # absurdly long header
    ],
)
def test_service_clock_offset_is_bounded(header: str, learned: bool) -> None:
    local = [1_700_000_000.0]
    clock = ServiceClock(lambda: local[0])
    assert clock.observe(header, local[0], local[0]) is learned
    assert abs(clock.offset) <= ServiceClock.MAX_OFFSET_S
    assert clock.timestamp() > 0  # signing still works
