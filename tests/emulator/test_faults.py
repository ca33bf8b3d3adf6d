"""Fault specification grammar and decisions (kiosk.emulator.faults), without sockets."""

from __future__ import annotations

import pytest

from kiosk.emulator.faults import FaultPlan, FaultSpecError, parse_faults

CARD, FACE = "CheckIdCardInformation", "ImageRecognitionV2"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def kinds(plan: FaultPlan, n: int, action: str | None = CARD) -> list[str | None]:
    return [plan.decide(action).kind for _ in range(n)]


def test_parse_full_grammar() -> None:
    rules = parse_faults(
        " latency=0.5@0.2, reset@0.1 ,http500@1/5,truncate@first:2,nonjson@nth:3,"
        "ratelimit_storm=3s,error=InternalError@0-10s~face,reset_after~card,latency=250ms"
    )
    assert [r.kind for r in rules] == [
        "latency",
        "reset",
        "http",
        "truncate",
        "nonjson",
        "ratelimit_storm",
        "error",
        "reset_after",
        "latency",
    ]
    assert rules[0].value == 0.5 and rules[0].when.p == 0.2
    assert rules[2].value == 500 and rules[2].when.n == 5
    assert rules[5].value == 3.0
    assert rules[6].action == FACE and rules[6].when.t1 == 10.0
    assert rules[7].action == CARD
    assert rules[8].value == 0.25
    assert parse_faults("") == [] and parse_faults(None) == []


@pytest.mark.parametrize(
    "spec",
    [
        "explode",
        "latency",
        "latency=fast",
        "http200",
        "http600",
        "reset=1",
        "reset@2",
        "reset@0",
        "reset@1/0",
        "reset@nth:0",
        "reset@5-3s",
        "reset@sometimes",
        "reset~nope",
        "error=",
        "error=Bad!Code",
    ],
)
def test_parse_errors(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_faults(spec)


def test_every_first_nth() -> None:
    assert kinds(FaultPlan("http503@1/3"), 7) == [None, None, "http", None, None, "http", None]
    assert kinds(FaultPlan("reset@first:2"), 4) == ["reset", "reset", None, None]
    assert kinds(FaultPlan("nonjson@nth:2"), 4) == [None, "nonjson", None, None]


def test_probability_is_deterministic_with_a_seed() -> None:
    a = kinds(FaultPlan("reset@0.3", seed=7), 200)
    b = kinds(FaultPlan("reset@0.3", seed=7), 200)
    c = kinds(FaultPlan("reset@0.3", seed=8), 200)
    assert a == b and a != c
    assert 35 <= a.count("reset") <= 85


def test_time_window_and_storm() -> None:
    clock = FakeClock()
    plan = FaultPlan("http500@2-4s", clock=clock)
    assert plan.decide(CARD).kind is None
    clock.now += 2.5
    assert plan.decide(CARD).kind == "http"
    clock.now += 2.0
    assert plan.decide(CARD).kind is None

    clock = FakeClock()
    storm = FaultPlan("ratelimit_storm=3s@nth:2", clock=clock)
    assert storm.decide(FACE).kind is None
    first = storm.decide(FACE)
    assert first.kind == "ratelimit" and first.code == "RequestLimitExceeded" and not first.processed
    clock.now += 2.9
    assert storm.decide(FACE).kind == "ratelimit"
    clock.now += 0.2
    assert storm.decide(FACE).kind is None


def test_action_filter_and_latency_accumulates() -> None:
    plan = FaultPlan("latency=0.2,latency=0.3~face,http500~face,reset~card")
    face = plan.decide(FACE)
    assert face.latency == pytest.approx(0.5) and face.kind == "http" and face.status == 500
    card = plan.decide(CARD)
    assert card.latency == pytest.approx(0.2) and card.kind == "reset"
    other = plan.decide(None)  # unknown action: only unfiltered rules
    assert other.latency == pytest.approx(0.2) and other.kind is None


def test_first_terminal_wins_and_processed_flags() -> None:
    plan = FaultPlan("truncate,nonjson")
    decision = plan.decide(CARD)
    assert decision.kind == "truncate" and decision.processed and decision.rule == "truncate"
    assert FaultPlan("reset_after").decide(CARD).processed
    assert not FaultPlan("reset").decide(CARD).processed
    assert not FaultPlan("error=InternalError").decide(CARD).processed
    assert FaultPlan("").decide(CARD).processed  # no fault: processed
    assert not FaultPlan(None)
