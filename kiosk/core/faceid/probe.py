"""Is the FaceID service reachable the way the client reaches it? (``kiosk doctor``, staff page)

:func:`probe_service` sends one UNSIGNED ``POST {}`` through the client's own
:class:`~kiosk.core.faceid.transport.Transport`: the configured HTTPS proxy and CA bundle, TLS
verification on, the environment's proxy variables ignored, the same deadline and answer cap.
The service answers an unsigned request with ``AuthFailure`` (never billed) and a ``Date``
header, which gives the clock offset. Any HTTP answer counts as reachable.

Runs on a worker thread (it blocks up to connect + read timeout). Nothing secret is sent or
returned: the detail never contains the proxy's user name or password.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from kiosk.core.faceid.errors import FaceIdError, NetworkError
from kiosk.core.faceid.settings import API_VERSION, ClientSettings
from kiosk.core.faceid.transport import HttpRequest, Transport
from kiosk.core.textsafe import escape, redact_url

__all__ = ["ProbeResult", "probe_service"]


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the probe found. ``clock_offset_s`` is service time minus local time (None: unknown)."""

    ok: bool
    detail: str
    http_status: int | None = None
    clock_offset_s: float | None = None
    round_trip_ms: float | None = None

    def as_tuple(self) -> tuple[bool, str, float | None]:
        """``(ok, detail, offset)``: the staff page's probe contract."""
        return self.ok, self.detail, self.clock_offset_s


def probe_service(settings: ClientSettings) -> ProbeResult:
    """One unsigned request over the client's transport; never raises for network trouble."""
    try:
        endpoint = settings.endpoint_parts()
    except FaceIdError as exc:
        return ProbeResult(False, f"endpoint configuration: {exc.detail}")
    headers = {
        "Content-Type": "application/json",
        "Host": endpoint.host,
        "X-TC-Action": "CheckIdCardInformation",
        "X-TC-Version": API_VERSION,
        "X-TC-Timestamp": str(int(time.time())),
    }
    request = HttpRequest(endpoint.url, headers, b"{}", int(time.time()), "probe")
    transport = Transport(settings)
    sent = time.time()
    try:
        response = transport.send(request, action="probe")
    except NetworkError as exc:
        return ProbeResult(False, _network_detail(exc, endpoint.host, settings))
    except FaceIdError as exc:
        return ProbeResult(False, f"{endpoint.host}: {escape(exc.detail, 200)}")
    finally:
        transport.close()
    received = time.time()
    offset = None
    date = response.headers.get("Date")
    if date:
        try:
            offset = round(parsedate_to_datetime(date).timestamp() - (sent + received) / 2, 1)
        except (TypeError, ValueError, IndexError, OverflowError):
            offset = None
    rtt = round((received - sent) * 1000, 1)
    return ProbeResult(True, f"HTTP {response.status}, {rtt:.0f} ms", response.status, offset, rtt)


def _network_detail(exc: NetworkError, host: str, settings: ClientSettings) -> str:
    text = exc.detail
    if exc.code == "ClientNetworkError.TLS":
        return f"TLS verification failed for {host} (check service.ca_bundle)"
    if "Proxy" in text and settings.https_proxy:
        return f"proxy refused or unreachable: {redact_url(settings.https_proxy)}"
    if "Timeout" in text or "not sent within" in text:
        return f"connect timeout to {host}"
    return f"connection failed: {host} ({escape(text, 200)})"
