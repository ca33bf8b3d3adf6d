"""Telling staff that a customer needs help: an HTTP POST to a branch system and/or a command.

A :class:`StaffCall` holds the kiosk id, the time, a reason code and a call id: never anything
about the customer (no name, ID number, image or verdict). :class:`StaffNotifier` delivers it:

* ``url``: ``POST`` of the call as JSON (``Content-Type: application/json``); any 2xx answer is
  a delivery. ``http://`` and ``https://`` only.
* ``command``: an argv run without a shell; the call's JSON is on its standard input and in
  ``KIOSK_STAFF_CALL``; exit status 0 is a delivery.

Each configured channel is tried up to ``attempts`` times with ``retry_delay_s`` between tries,
every try bounded by ``timeout_s``; the call is delivered when at least one channel delivered
it. The worst case is bounded: ``attempts * (timeout_s + retry_delay_s)`` per channel.

Threading: :meth:`StaffNotifier.send` blocks (network, subprocess) and must run off the GUI
thread; a notifier holds no mutable state and may be shared.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

log = logging.getLogger(__name__)

#: reason codes (stable; the branch system may route on them)
REASON_CUSTOMER = "customer_request"
REASON_OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class StaffCall:
    """One request for staff. No customer data, by construction."""

    kiosk_id: str
    reason: str
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    event: str = "staff_call"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Delivery:
    """What happened to one call: delivered or not, tries made, a short detail for staff."""

    delivered: bool
    attempts: int
    detail: str


class StaffNotifier:
    """Delivers :class:`StaffCall` records; see the module docstring."""

    def __init__(
        self,
        *,
        url: str = "",
        command: tuple[str, ...] = (),
        timeout_s: float = 5.0,
        attempts: int = 3,
        retry_delay_s: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("staff call url must be http:// or https://")
        self.url = url
        self.command = tuple(command)
        self.timeout_s = timeout_s
        self.attempts = max(1, attempts)
        self.retry_delay_s = max(0.0, retry_delay_s)
        self._sleep = sleep

    @property
    def configured(self) -> bool:
        return bool(self.url or self.command)

    def send(self, call: StaffCall) -> Delivery:
        """Deliver ``call`` on every configured channel (blocking; worker thread)."""
        if not self.configured:
            return Delivery(False, 0, "not configured")
        results: list[Delivery] = []
        if self.url:
            results.append(self._retry(lambda: self._post(call), "http"))
        if self.command:
            results.append(self._retry(lambda: self._run(call), "command"))
        delivered = any(r.delivered for r in results)
        detail = "; ".join(r.detail for r in results)
        log.info("staff call %s reason=%s delivered=%s (%s)", call.call_id, call.reason, delivered, detail)
        return Delivery(delivered, sum(r.attempts for r in results), detail)

    # ---- channels ---------------------------------------------------------------------------
    def _retry(self, once: Callable[[], str | None], channel: str) -> Delivery:
        error = ""
        for attempt in range(1, self.attempts + 1):
            try:
                error = once() or ""
            except Exception as exc:  # a channel must never take the kiosk down
                error = type(exc).__name__
            if not error:
                return Delivery(True, attempt, f"{channel} ok")
            log.warning("staff call via %s failed (try %d of %d): %s", channel, attempt, self.attempts, error)
            if attempt < self.attempts:
                self._sleep(self.retry_delay_s)
        return Delivery(False, self.attempts, f"{channel} failed: {error}")

    def _post(self, call: StaffCall) -> str | None:
        import requests

        try:
            response = requests.post(
                self.url,
                data=call.to_json().encode("utf-8"),
                headers={"Content-Type": "application/json"},
                timeout=(self.timeout_s, self.timeout_s),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return type(exc).__name__
        response.close()
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    def _run(self, call: StaffCall) -> str | None:
        payload = call.to_json()
        try:
            done = subprocess.run(  # noqa: S603 - configured argv, no shell
                self.command,
                input=payload.encode("utf-8"),
                env={**os.environ, "KIOSK_STAFF_CALL": payload},
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout"
        except OSError as exc:
            return type(exc).__name__
        return None if done.returncode == 0 else f"exit {done.returncode}"
