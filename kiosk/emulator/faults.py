"""Fault injection for the emulator (``--faults SPEC``).

Grammar (whitespace ignored)::

    SPEC   := RULE ("," RULE)*
    RULE   := KIND ["=" VALUE] ["@" WHEN] ["~" ACTION]
    WHEN   := P            probability per request, 0 < P <= 1 (seeded RNG)      e.g. @0.2
            | "1/" N       every N-th matching request (the N-th, 2N-th, ...)   e.g. @1/5
            | "first:" N   the first N matching requests                        e.g. @first:3
            | "nth:" N     only the N-th matching request                       e.g. @nth:2
            | T1 "-" T2 "s"  seconds since the server started, T1 <= t < T2     e.g. @0-10s
    ACTION := CheckIdCardInformation | ImageRecognitionV2 | card | face
    (no WHEN: every matching request; no ACTION: both actions)

Kinds:

============================  =====================================================  =========
kind                          effect                                                 processed
============================  =====================================================  =========
``latency=SECONDS``           sleep before answering (``0.5``, ``500ms``); adds up   yes
``reset``                     reset the connection (RST) before reading the body     no
``reset_after``               read and process the request, then reset, no answer    yes
``http500`` / ``httpNNN``     answer HTTP NNN (400-599) with an HTML body            no
``truncate``                  process, send the headers and half the JSON, close     yes
``nonjson``                   answer 200 ``text/html`` (a proxy/captive portal page)  no
``ratelimit``                 answer ``Response.Error`` ``RequestLimitExceeded``     no
``ratelimit_storm=DURATION``  from a triggering request on (default: only the       no
                              first), every request for DURATION (``3s``) is
                              rate-limited; with ``@WHEN`` it re-triggers
``error=CODE``                answer ``Response.Error`` with CODE (e.g.              no
                              ``InternalError``, ``FailedOperation.UnKnown``)
============================  =====================================================  =========

"processed" = the emulator ran the business logic (and recorded a possibly billed call) before
the fault hit, i.e. the client cannot know the outcome. Rules are checked in order; latencies
add up, the first terminal fault wins. Examples: ``latency=0.5@0.2,reset@0.1``,
``http503@1/5~face``, ``ratelimit_storm=3s``, ``truncate@first:1,nonjson@nth:3``.

Determinism: probabilities use ``random.Random(seed)``; every rule counts its own matching
requests. With the same seed and the same request order the same faults fire.

Threading: :class:`FaultPlan` is shared by the server's handler threads; :meth:`FaultPlan.decide`
takes an internal lock, so decisions are atomic and counters exact.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

__all__ = ["ACTIONS", "FaultDecision", "FaultPlan", "FaultRule", "FaultSpecError", "parse_faults"]

ACTIONS = {
    "checkidcardinformation": "CheckIdCardInformation",
    "card": "CheckIdCardInformation",
    "imagerecognitionv2": "ImageRecognitionV2",
    "face": "ImageRecognitionV2",
}
_TERMINAL = {"reset", "reset_after", "http", "truncate", "nonjson", "ratelimit", "ratelimit_storm", "error"}
_CODE_RE = re.compile(r"^[A-Za-z]+(\.[A-Za-z]+)?$")


class FaultSpecError(ValueError):
    """The ``--faults`` specification is not valid (message says which rule and why)."""


@dataclass(frozen=True, slots=True)
class When:
    """When a rule fires: one of probability / every / first / nth / window (or always)."""

    mode: str  # "always" | "prob" | "every" | "first" | "nth" | "window"
    p: float = 1.0
    n: int = 0
    t0: float = 0.0
    t1: float = 0.0


@dataclass(slots=True)
class FaultRule:
    """One parsed rule; ``count`` (matching requests so far) is mutated under the plan's lock."""

    kind: str
    value: float | int | str | None
    when: When
    action: str | None
    text: str
    count: int = 0
    storm_until: float = field(default=-1.0)


@dataclass(frozen=True, slots=True)
class FaultDecision:
    """What to do with one request: extra ``latency`` seconds and at most one terminal fault."""

    latency: float = 0.0
    kind: str | None = None  # terminal kind, or None
    status: int = 0  # for "http"
    code: str = ""  # for "error" / "ratelimit"
    rule: str = ""

    @property
    def processed(self) -> bool:
        """Whether the request is processed (business logic runs) despite the fault."""
        return self.kind in (None, "reset_after", "truncate")


def _seconds(text: str, rule: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)?", text)
    if not m:
        raise FaultSpecError(f"{rule!r}: {text!r} is not a duration (e.g. 0.5, 500ms, 3s)")
    value = float(m.group(1))
    return value / 1000.0 if m.group(2) == "ms" else value


def _parse_when(text: str, rule: str) -> When:
    if m := re.fullmatch(r"1/(\d+)", text):
        n = int(m.group(1))
        if n < 1:
            raise FaultSpecError(f"{rule!r}: every-N needs N >= 1")
        return When("every", n=n)
    if m := re.fullmatch(r"first:(\d+)", text):
        return When("first", n=int(m.group(1)))
    if m := re.fullmatch(r"nth:(\d+)", text):
        if int(m.group(1)) < 1:
            raise FaultSpecError(f"{rule!r}: nth needs N >= 1")
        return When("nth", n=int(m.group(1)))
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)s", text):
        t0, t1 = float(m.group(1)), float(m.group(2))
        if t1 <= t0:
            raise FaultSpecError(f"{rule!r}: empty time window")
        return When("window", t0=t0, t1=t1)
    if re.fullmatch(r"\d*\.?\d+", text):
        p = float(text)
        if not 0.0 < p <= 1.0:
            raise FaultSpecError(f"{rule!r}: probability must be in (0, 1]")
        return When("prob", p=p)
    raise FaultSpecError(f"{rule!r}: cannot parse when-part {text!r}")


def _parse_rule(text: str) -> FaultRule:
    rule = text
    action = None
    if m := re.search(r"~([A-Za-z0-9]*)", text):  # "~ACTION" may come before or after "@WHEN"
        action = ACTIONS.get(m.group(1).lower())
        if action is None:
            raise FaultSpecError(f"{rule!r}: unknown action {m.group(1)!r}")
        text = text[: m.start()] + text[m.end() :]
    when = When("always")
    if "@" in text:
        text, _, when_text = text.partition("@")
        when = _parse_when(when_text, rule)
    kind, has_value, value_text = text.partition("=")
    value: float | int | str | None = None
    if m := re.fullmatch(r"http(\d{3})", kind):
        status = int(m.group(1))
        if not 400 <= status <= 599:
            raise FaultSpecError(f"{rule!r}: HTTP status must be 400-599")
        kind, value = "http", status
    elif kind == "latency":
        if not has_value:
            raise FaultSpecError(f"{rule!r}: latency needs a value, e.g. latency=0.5")
        value = _seconds(value_text, rule)
    elif kind == "ratelimit_storm":
        value = _seconds(value_text or "3s", rule)
        if "@" not in rule:
            when = When("first", n=1)  # one storm, starting with the first request
    elif kind == "error":
        if not _CODE_RE.match(value_text):
            raise FaultSpecError(f"{rule!r}: error needs a code, e.g. error=InternalError")
        value = value_text
    elif kind in _TERMINAL:
        if has_value:
            raise FaultSpecError(f"{rule!r}: {kind} takes no value")
    else:
        raise FaultSpecError(f"{rule!r}: unknown fault kind {kind!r}")
    return FaultRule(kind=kind, value=value, when=when, action=action, text=rule)


def parse_faults(spec: str | None) -> list[FaultRule]:
    """Parse a ``--faults`` string; raises :class:`FaultSpecError` with the offending rule."""
    if not spec or not spec.strip():
        return []
    rules = []
    for raw in spec.split(","):
        text = "".join(raw.split())
        if text:
            rules.append(_parse_rule(text))
    return rules


class FaultPlan:
    """The parsed rules plus their state; :meth:`decide` is called once per API request."""

    def __init__(
        self, spec: str | list[FaultRule] | None = None, *, seed: int = 0, clock: object = time.monotonic
    ) -> None:
        self.rules = parse_faults(spec) if isinstance(spec, str) or spec is None else list(spec)
        self.spec = spec if isinstance(spec, str) else ",".join(r.text for r in self.rules)
        self._rng = random.Random(seed)  # noqa: S311 - reproducible test faults, not crypto
        self._lock = threading.Lock()
        self._clock = clock
        self._start = self._clock()  # type: ignore[operator]

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _fires(self, rule: FaultRule, now: float) -> bool:
        w = rule.when
        if w.mode == "always":
            return True
        if w.mode == "prob":
            return self._rng.random() < w.p
        if w.mode == "every":
            return rule.count % w.n == 0
        if w.mode == "first":
            return rule.count <= w.n
        if w.mode == "nth":
            return rule.count == w.n
        return w.t0 <= now - self._start < w.t1

    def decide(self, action: str | None) -> FaultDecision:
        """The faults for one request of ``action`` (atomic; advances counters and the RNG)."""
        if not self.rules:
            return FaultDecision()
        latency = 0.0
        terminal: FaultDecision | None = None
        with self._lock:
            now = self._clock()  # type: ignore[operator]
            for rule in self.rules:
                if rule.action is not None and rule.action != action:
                    continue
                rule.count += 1
                if rule.kind == "ratelimit_storm":
                    storming = now < rule.storm_until
                    if not storming and self._fires(rule, now):
                        rule.storm_until = now + float(rule.value)  # type: ignore[arg-type]
                        storming = True
                    if storming and terminal is None:
                        terminal = FaultDecision(kind="ratelimit", code="RequestLimitExceeded", rule=rule.text)
                    continue
                if not self._fires(rule, now):
                    continue
                if rule.kind == "latency":
                    latency += float(rule.value)  # type: ignore[arg-type]
                elif terminal is None:
                    if rule.kind == "http":
                        terminal = FaultDecision(kind="http", status=int(rule.value), rule=rule.text)  # type: ignore[arg-type]
                    elif rule.kind == "error":
                        terminal = FaultDecision(kind="error", code=str(rule.value), rule=rule.text)
                    elif rule.kind == "ratelimit":
                        terminal = FaultDecision(kind="ratelimit", code="RequestLimitExceeded", rule=rule.text)
                    else:
                        terminal = FaultDecision(kind=rule.kind, rule=rule.text)
        if terminal is None:
            return FaultDecision(latency=latency)
        return FaultDecision(
            latency=latency, kind=terminal.kind, status=terminal.status, code=terminal.code, rule=terminal.rule
        )
