"""The fault matrix: every transport/service fault through ``kiosk verify``, end to end.

Each row runs the real CLI in-process (``kiosk.cli.main``) against the real emulator on loopback,
directly or through the fault proxy (tools/fault_proxy.py), with small timeouts, and asserts:

* the verdict (outcome, reason code, message key) and the exit code;
* the time from the first call to the verdict is within the configured timeouts (budget());
* no traceback on stdout/stderr and no log record carrying an exception;
* no call that could have been billed was repeated: the emulator's own record of what it
  processed (business logic ran) has at most one call per action, and the kiosk never reports
  fewer possibly-billed calls than the emulator billed;
* the audit trail holds a ``call`` record for each call made and the ``session`` verdict.

``pytest tests/reliability/test_fault_matrix.py -s`` prints the fault -> verdict/screen -> time
table (docs/reliability.md); ``RELIABILITY_TABLE=path`` also writes it as Markdown.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer
from tests.reliability.conftest import (
    CONNECT_TIMEOUT_S,
    READ_TIMEOUT_S,
    CliRun,
    LogCapture,
    budget,
    read_audit,
)
from tools.fault_proxy import Fault, FaultProxy

CARD, FACE = "CheckIdCardInformation", "ImageRecognitionV2"
RESULTS: list[dict[str, Any]] = []


# ---------------------------------------------------------------------------------- rewrites
def _edit(fn: Callable[[dict[str, Any]], Any]) -> Callable[[bytes], bytes]:
    """A body rewrite that edits the inner ``Response`` object of the real answer."""

    def rewrite(body: bytes) -> bytes:
        data = json.loads(body)
        out = fn(data["Response"])
        data = {"Response": data["Response"]} if out is None else out
        return json.dumps(data).encode()

    return rewrite


def _drop(key: str) -> Callable[[bytes], bytes]:
    return _edit(lambda r: r.pop(key, None) and None)


def _set(key: str, value: Any) -> Callable[[bytes], bytes]:
    return _edit(lambda r: r.__setitem__(key, value))


def _error(code: str) -> Callable[[bytes], bytes]:
    return _edit(lambda r: {"Response": {"Error": {"Code": code, "Message": "scripted"}, "RequestId": r["RequestId"]}})


def _python(code: str) -> str:
    """A credential command line (shlex) running ``code`` with this interpreter."""
    return f"{sys.executable} -c {json.dumps(code)}"


# -------------------------------------------------------------------------------- the rows
@dataclass
class Row:
    id: str
    fault: str  # human description for the table
    outcome: str
    reason: str
    key: str
    exit: int
    processed: dict[str, int]  # calls the emulator processed per action (business logic ran)
    budget_s: float
    emu: dict[str, Any] = field(default_factory=dict)
    proxy: list[Fault] | None = None
    refuse: bool = False
    endpoint: str | None = None  # "dead" | "dns" | literal
    env: dict[str, str] = field(default_factory=dict)
    tls_ca: bool = False
    face: str = "face_a"
    calls_audited: tuple[str, ...] = (CARD,)
    bug: str = ""


ONE = budget(1)
TWO = budget(2)
RETRIED = budget(3, retried=True)

ROWS = [
    Row("baseline", "no fault (control)", "pass", "Success", "ok.pass", 0, {CARD: 1, FACE: 1}, TWO,
        calls_audited=(CARD, FACE)),
    Row("baseline_proxy", "no fault, through the proxy (control)", "pass", "Success", "ok.pass", 0,
        {CARD: 1, FACE: 1}, TWO, proxy=[], calls_audited=(CARD, FACE)),
    Row("connect_refused", "connection refused (nothing listening)", "unavailable", "ClientNetworkError",
        "err.service_unreachable", 1, {}, RETRIED, endpoint="dead"),
    Row("proxy_refusing", "connection refused by the proxy's host", "unavailable", "ClientNetworkError",
        "err.service_unreachable", 1, {}, RETRIED, proxy=[], refuse=True),
    Row("dns_failure", "DNS failure (faceid.invalid over https)", "unavailable", "ClientNetworkError",
        "err.service_unreachable", 1, {}, RETRIED, endpoint="dns"),
    Row("tls_untrusted", "TLS: emulator certificate, CA not given", "unavailable", "ClientNetworkError.TLS",
        "err.tls", 2, {}, ONE, emu={"tls": True}),
    Row("tls_trusted", "TLS with --ca-bundle (control)", "pass", "Success", "ok.pass", 0, {CARD: 1, FACE: 1},
        TWO, emu={"tls": True}, tls_ca=True, calls_audited=(CARD, FACE)),
    Row("reset_before_body", "RST before the request is forwarded", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {}, ONE, proxy=[Fault("reset_before")]),
    Row("reset_after_card", "RST after the card call was processed", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {CARD: 1}, ONE, proxy=[Fault("reset_after")]),
    Row("reset_after_face", "RST after the face call was processed", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {CARD: 1, FACE: 1}, TWO, proxy=[Fault(), Fault("reset_after")],
        calls_audited=(CARD, FACE)),
    Row("emu_reset", "emulator fault reset (before reading the body)", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {}, ONE, emu={"faults": "reset"}),
    Row("emu_reset_after", "emulator fault reset_after", "unavailable", "OutcomeUnknown", "err.outcome_unknown",
        1, {CARD: 1}, ONE, emu={"faults": "reset_after"}),
    Row("read_timeout", f"answer held 4 s (read timeout {READ_TIMEOUT_S:g} s)", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {CARD: 1}, ONE, proxy=[Fault("delay", seconds=4.0)]),
    Row("emu_latency", "emulator latency=4s on the face call", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {CARD: 1, FACE: 1}, TWO, emu={"faults": "latency=4~face"},
        calls_audited=(CARD, FACE)),
    Row("drip_fast", "answer (13 KB) dripped 1 KB / 50 ms (completes)", "pass", "Success", "ok.pass", 0,
        {CARD: 1, FACE: 1}, TWO, proxy=[Fault("drip", seconds=0.05, chunk=1024)], calls_audited=(CARD, FACE)),
    Row("drip_slow", "answer (13 KB) dripped 2 KB / 0.9 s (each read < read timeout)", "unavailable",
        "OutcomeUnknown", "err.outcome_unknown", 1, {CARD: 1}, ONE, proxy=[Fault("drip", seconds=0.9, chunk=2048)],
        bug="no total deadline on reading an answer"),
    Row("http500", "HTTP 500 (HTML body)", "unavailable", "ServerNetworkError", "err.service_error", 1, {}, ONE,
        emu={"faults": "http500"}),
    Row("http502", "HTTP 502 (HTML body)", "unavailable", "ServerNetworkError", "err.service_error", 1, {}, ONE,
        emu={"faults": "http502"}),
    Row("http503", "HTTP 503 (HTML body)", "unavailable", "ServerNetworkError", "err.service_error", 1, {}, ONE,
        emu={"faults": "http503"}),
    Row("http502_proxy", "HTTP 502 from a proxy, JSON-less, not forwarded", "unavailable", "ServerNetworkError",
        "err.service_error", 1, {}, ONE,
        proxy=[Fault("respond", status=502, body=b"Bad Gateway", content_type="text/plain")]),
    Row("truncated", "emulator truncate (half the JSON, then close)", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {CARD: 1}, ONE, emu={"faults": "truncate"}),
    Row("truncated_proxy", "proxy truncate (10% of the JSON)", "unavailable", "OutcomeUnknown",
        "err.outcome_unknown", 1, {CARD: 1}, ONE, proxy=[Fault("truncate", keep=0.1)]),
    Row("nonjson", "200 text/html portal page", "unavailable", "MalformedResponse", "err.service_error", 1, {},
        ONE, emu={"faults": "nonjson"}),
    Row("empty_body", "200 with an empty body", "unavailable", "MalformedResponse", "err.service_error", 1,
        {CARD: 1}, ONE, proxy=[Fault("rewrite", body=b"")]),
    Row("json_array", "200 with a JSON array", "unavailable", "MalformedResponse", "err.service_error", 1,
        {CARD: 1}, ONE, proxy=[Fault("rewrite", body=b"[1, 2, 3]")]),
    Row("missing_result", "Response without Result", "unavailable", "MalformedResponse", "err.service_error", 1,
        {CARD: 1}, ONE, proxy=[Fault("rewrite", body=_drop("Result"))]),
    Row("missing_requestid", "Response without RequestId", "unavailable", "MalformedResponse",
        "err.service_error", 1, {CARD: 1}, ONE, proxy=[Fault("rewrite", body=_drop("RequestId"))]),
    Row("sim_string", 'Sim is a string ("89.5")', "unavailable", "MalformedResponse", "err.service_error", 1,
        {CARD: 1}, ONE, proxy=[Fault("rewrite", body=_set("Sim", "89.5"))]),
    Row("sim_out_of_range", "Sim = 1e9", "unavailable", "MalformedResponse", "err.service_error", 1, {CARD: 1},
        ONE, proxy=[Fault("rewrite", body=_set("Sim", 1e9))]),
    Row("idnum_number", "IdNum is a number", "unavailable", "MalformedResponse", "err.service_error", 1,
        {CARD: 1}, ONE, proxy=[Fault("rewrite", body=_set("IdNum", 310104198605190426))]),
    Row("face_sim_missing", "face call: Success without Sim", "unavailable", "MalformedResponse",
        "err.service_error", 1, {CARD: 1, FACE: 1}, TWO, proxy=[Fault(), Fault("rewrite", body=_drop("Sim"))],
        calls_audited=(CARD, FACE)),
    Row("unknown_error_code", "Error.Code FailedOperation.BrandNewCode", "unavailable",
        "FailedOperation.BrandNewCode", "err.unknown", 1, {CARD: 1}, ONE,
        proxy=[Fault("rewrite", body=_error("FailedOperation.BrandNewCode"))]),
    Row("unknown_auth_code", "Error.Code AuthFailure.BrandNew", "unavailable", "AuthFailure.BrandNew",
        "err.account_config", 2, {CARD: 1}, ONE, proxy=[Fault("rewrite", body=_error("AuthFailure.BrandNew"))]),
    Row("unknown_result", "Result FailedOperation.NotInCatalog", "unavailable", "FailedOperation.NotInCatalog",
        "err.unknown", 1, {CARD: 1}, ONE,
        proxy=[Fault("rewrite", body=_set("Result", "FailedOperation.NotInCatalog"))]),
    Row("internal_error", "Error.Code InternalError", "unavailable", "InternalError", "err.service_busy", 1, {},
        ONE, emu={"faults": "error=InternalError"}),
    Row("ratelimit_once", "one RequestLimitExceeded, then normal", "pass", "Success", "ok.pass", 0,
        {CARD: 1, FACE: 1}, budget(3, calls=1, retried=True), emu={"faults": "ratelimit@first:1"},
        calls_audited=(CARD, FACE)),
    Row("ratelimit_storm", "RequestLimitExceeded storm (3 s)", "unavailable", "RequestLimitExceeded",
        "err.service_busy", 1, {}, RETRIED, emu={"faults": "ratelimit_storm=3s"}),
    Row("clock_plus_1h", "emulator clock +1 h", "pass", "Success", "ok.pass", 0, {CARD: 1, FACE: 1},
        budget(3), emu={"clock": lambda: time.time() + 3600}, calls_audited=(CARD, FACE)),
    Row("clock_minus_1h", "emulator clock -1 h", "pass", "Success", "ok.pass", 0, {CARD: 1, FACE: 1},
        budget(3), emu={"clock": lambda: time.time() - 3600}, calls_audited=(CARD, FACE)),
    Row("cred_cmd_ok", "credential command (STS JSON, control)", "pass", "Success", "ok.pass", 0,
        {CARD: 1, FACE: 1}, TWO, calls_audited=(CARD, FACE),
        env={"KIOSK_CREDENTIALS_SOURCE": "command",
             "KIOSK_CREDENTIALS_COMMAND": _python(
                 "import json,time;print(json.dumps({'TmpSecretId':'" + DEMO_SECRET_ID + "','TmpSecretKey':'"
                 + DEMO_SECRET_KEY + "','ExpiredTime':int(time.time())+3600}))")}),
    Row("cred_cmd_fails", "credential command exits 3", "unavailable", "CredentialError", "err.out_of_service",
        2, {}, ONE,
        env={"KIOSK_CREDENTIALS_SOURCE": "command", "KIOSK_CREDENTIALS_COMMAND": _python("import sys;sys.exit(3)")}),
    Row("cred_cmd_garbage", "credential command prints garbage", "unavailable", "CredentialError",
        "err.out_of_service", 2, {}, ONE,
        env={"KIOSK_CREDENTIALS_SOURCE": "command",
             "KIOSK_CREDENTIALS_COMMAND": _python("print('TmpSecretKey=GARBAGE-SECRET-1234 not json')")}),
    Row("cred_cmd_wrong_json", "credential command prints JSON without keys", "unavailable", "CredentialError",
        "err.out_of_service", 2, {}, ONE,
        env={"KIOSK_CREDENTIALS_SOURCE": "command",
             "KIOSK_CREDENTIALS_COMMAND": _python(
                 "print('{\"TmpSecretId\": 42, \"Token\": \"GARBAGE-SECRET-1234\"}')")}),
    Row("cred_cmd_timeout", "credential command hangs (limit 1 s)", "unavailable", "CredentialError",
        "err.out_of_service", 2, {}, ONE,
        env={"KIOSK_CREDENTIALS_SOURCE": "command", "KIOSK_CREDENTIALS_COMMAND_TIMEOUT_S": "1",
             "KIOSK_CREDENTIALS_COMMAND": _python("import time;time.sleep(30)")}),
]


def _dead_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``*.invalid`` fails to resolve without asking a DNS server (loopback-only test network).

    The OS resolver would send the query to a non-loopback name server; the failure the client
    sees (``socket.gaierror`` from ``getaddrinfo``) is the same.
    """
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        if name.rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name not in ("localhost", "127.0.0.1", "::1") and not name.startswith("127."):
            raise AssertionError(f"test tried to resolve a non-loopback name {name!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="module", autouse=True)
def _table() -> Iterator[None]:
    yield
    if not RESULTS:
        return
    text = render_table(RESULTS)
    print("\n" + text)
    target = os.environ.get("RELIABILITY_TABLE")
    if target:
        Path(target).write_text(text + "\n", encoding="utf-8")


def render_table(rows: list[dict[str, Any]]) -> str:
    try:
        from kiosk.ui.i18n import outcome_titles

        titles = outcome_titles()
    except Exception:  # no Qt: the screen's name is enough
        titles = {}
    lines = [
        "| fault | verdict (reason / message key) | exit | screen | time to verdict | emulator processed | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        screen = f"result_{r['outcome']}" + (f" ({titles[r['outcome']]})" if r["outcome"] in titles else "")
        processed = ", ".join(f"{'card' if a == CARD else 'face'} {n}" for a, n in r["processed"].items()) or "none"
        lines.append(
            f"| {r['fault']} | {r['outcome']} ({r['reason']} / {r['key']}) | {r['exit']} | {screen} | "
            f"{r['verify_s']:.2f} s (budget {r['budget_s']:.1f} s) | {processed} | {r['status']} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------- the test
def _settled_calls(emu: EmulatorServer, expected_processed: int, wait_s: float = 6.0) -> list[Any]:
    """The emulator's records once a delayed handler has finished (latency faults outlive the client)."""
    deadline = time.monotonic() + wait_s
    while sum(1 for c in emu.calls if c.processed) < expected_processed and time.monotonic() < deadline:
        time.sleep(0.05)
    return emu.calls


def _run_cli(capsys: pytest.CaptureFixture[str], card: Path, face: Path, *extra: str) -> CliRun:
    t0 = time.monotonic()
    code = main(["verify", "--card", str(card), "--face", str(face), "--json", *extra])
    wall = time.monotonic() - t0
    cap = capsys.readouterr()
    lines = cap.out.strip().splitlines()
    return CliRun(code, json.loads(lines[-1]) if lines else {}, cap.out, cap.err, wall)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_fault_row(row: Row, registry: Registry, photos: dict[str, Path], kiosk_env: Path,
                   capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                   all_logs: LogCapture, request: pytest.FixtureRequest) -> None:
    for k, v in row.env.items():
        monkeypatch.setenv(k, v)
    if row.endpoint == "dns":
        request.getfixturevalue("no_real_dns")
    with EmulatorServer(registry=registry, **row.emu) as emu:
        proxy = FaultProxy(emu.port, script=row.proxy) if row.proxy is not None else None
        try:
            if proxy is not None:
                proxy.start()
                proxy.refusing = row.refuse
            endpoint = emu.url
            if proxy is not None:
                endpoint = proxy.url
            if row.endpoint == "dead":
                endpoint = f"http://127.0.0.1:{_dead_port()}/"
            elif row.endpoint == "dns":
                endpoint = "https://faceid.invalid/"
            extra = ["--endpoint", endpoint]
            if row.tls_ca:
                extra += ["--ca-bundle", str(emu.ca_file)]
            run = _run_cli(capsys, photos["card_a"], photos[row.face], *extra)
            calls = _settled_calls(emu, sum(row.processed.values()))
            time.sleep(0.2)  # let the emulator's connection threads finish (what they print counts too)
        finally:
            if proxy is not None:
                proxy.stop()
    late = capsys.readouterr()  # written by server threads after the CLI returned
    run.stderr += late.err
    run.stdout += late.out

    v = run.verdict
    processed: dict[str, int] = {}
    for c in calls:
        if c.processed:
            processed[c.action] = processed.get(c.action, 0) + 1
    emu_billed = sum(1 for c in calls if c.billed)
    record = {
        "id": row.id, "fault": row.fault, "outcome": v.get("verdict"), "reason": v.get("reason_code"),
        "key": v.get("message_key"), "exit": run.code, "verify_s": run.verify_s, "wall_s": run.wall_s,
        "budget_s": row.budget_s, "processed": processed, "status": "ok",
    }
    RESULTS.append(record)
    problems = []
    got = (run.code, v.get("verdict"), v.get("reason_code"), v.get("message_key"))
    want = (row.exit, row.outcome, row.reason, row.key)
    if got != want:
        problems.append(f"verdict {got} != expected {want}")
    if run.verify_s > row.budget_s:
        problems.append(f"verdict after {run.verify_s:.2f} s > budget {row.budget_s:.1f} s")
    for text in (run.stdout, run.stderr):
        if "Traceback" in text or "internal error" in text:
            problems.append(f"traceback/internal error in output: {text[-300:]!r}")
    with_exc = [r for r in all_logs.records if r.exc_info and r.name.startswith("kiosk.")]
    if with_exc:
        problems.append(f"log records with exceptions: {[r.getMessage() for r in with_exc][:3]}")
    if processed != row.processed:
        problems.append(f"emulator processed {processed} != expected {row.processed}")
    if any(n > 1 for n in processed.values()):
        problems.append(f"a possibly billed call was repeated: {processed}")
    rewritten = any(f.kind in ("rewrite", "respond") for f in row.proxy or [])  # the proxy plays the service
    if not rewritten and emu_billed > v.get("billed_calls", 0) + v.get("maybe_billed_calls", 0):
        problems.append(f"emulator billed {emu_billed} > kiosk reported {v.get('billed_calls')}"
                        f"+{v.get('maybe_billed_calls')} (under-reported billing)")
    # audit trail: one call record per call made, and the session verdict
    audit = read_audit(kiosk_env)
    actions = tuple(r["action"] for r in audit if r["kind"] == "call")
    if actions != row.calls_audited:
        problems.append(f"audit call records {actions} != {row.calls_audited}")
    sessions = [r for r in audit if r["kind"] == "session"]
    if [s.get("outcome_code") for s in sessions] != [row.outcome]:
        problems.append(f"audit session records {sessions}")
    for rid in v.get("request_ids", []):
        if not any(r.get("request_id") == rid for r in audit):
            problems.append(f"request id {rid} not in the audit trail")
    for r in audit:
        if r["kind"] == "call" and not r.get("outcome_code"):
            problems.append(f"audit call record without an outcome: {r}")
    # nothing secret or personal in any output
    for text in (run.stdout, run.stderr, all_logs.text, json.dumps(audit, ensure_ascii=False)):
        for secret in (DEMO_SECRET_KEY, "GARBAGE-SECRET-1234", "310104198605190426"):
            if secret in text:
                problems.append(f"{secret[:6]}... leaked into output/logs/audit")
    if problems:
        record["status"] = "FAIL" + (f" (bug: {row.bug})" if row.bug else "")
    assert not problems, "\n".join(problems) + f"\nverdict: {v}"


# ------------------------------------------------------------------ direct Verifier checks
def _client(endpoint: str, **overrides: Any) -> Any:
    from kiosk.core.faceid.client import FaceIdClient
    from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
    from kiosk.core.faceid.settings import ClientSettings

    settings = ClientSettings(endpoint=endpoint, connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                              **overrides)
    return FaceIdClient(settings, StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY)))


def test_face_retake_after_unknown_outcome_does_not_rebill_the_card(registry: Registry,
                                                                     uploads: dict[str, bytes]) -> None:
    """Face call lost after processing -> unavailable; the retake reuses the card result."""
    from kiosk.core.verification import Outcome, Verifier

    with EmulatorServer(registry=registry) as emu, FaultProxy(emu.port, script=[Fault(), Fault("reset_after")]) as px:
        client = _client(px.url)
        try:
            verifier = Verifier(client)
            first = verifier.verify(uploads["card_a"], uploads["face_a"])
            assert first.outcome is Outcome.UNAVAILABLE and first.maybe_billed_calls == 1
            assert first.card_result is not None  # kept for the face-only retake
            second = verifier.verify(None, uploads["face_a"], card_result=first.card_result)
        finally:
            client.close()
        assert second.outcome is Outcome.PASS, second
        assert [c.action for c in emu.calls if c.processed] == [CARD, FACE, FACE]
        assert px.actions_forwarded() == [CARD, FACE, FACE]


def test_many_verifications_on_one_client_survive_interleaved_faults(registry: Registry,
                                                                      uploads: dict[str, bytes]) -> None:
    """A kiosk keeps one client for hours: after every kind of fault the next customer passes."""
    from kiosk.core.verification import Outcome, Verifier

    faults = [Fault("reset_before"), Fault("reset_after"), Fault("truncate"), Fault("delay", seconds=3.0),
              Fault("rewrite", body=b"<html>"), Fault("respond", status=503, body=b"busy")]
    script: list[Fault] = []
    for f in faults:
        script += [f, Fault(), Fault()]  # faulted card call, then a clean customer (card + face)
    with EmulatorServer(registry=registry) as emu, FaultProxy(emu.port, script=script) as px:
        client = _client(px.url)
        try:
            verifier = Verifier(client)
            for f in faults:
                bad = verifier.verify(uploads["card_a"], uploads["face_a"])
                assert bad.outcome is Outcome.UNAVAILABLE, (f.kind, bad)
                good = verifier.verify(uploads["card_a"], uploads["face_a"])
                assert good.outcome is Outcome.PASS, (f.kind, good)
        finally:
            client.close()
        assert px.connections <= len(faults) * 3  # no runaway reconnects


def test_local_rate_limit_says_busy(registry: Registry, uploads: dict[str, bytes]) -> None:
    """The client's own rate limiter refusing to wait (RateLimitedError, nothing sent) is the
    "service busy" screen, as the catalog says for ClientRateLimited (err.service_busy)."""
    from kiosk.core.faceid.client import FaceIdClient
    from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
    from kiosk.core.faceid.settings import ClientSettings
    from kiosk.core.verification import Outcome, Verifier

    with EmulatorServer(registry=registry) as emu:
        settings = ClientSettings(endpoint=emu.url, connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                                  rate_limits={CARD: 1.0, FACE: 1.0}, rate_limit_max_wait=0.0)
        # The limiter's clock stands still, so the second customer is "within the same second" even
        # when a loaded machine takes over a second for the first (the transport keeps real time).
        client = FaceIdClient(settings, StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY)),
                              monotonic=lambda: 1000.0)
        try:
            verifier = Verifier(client)
            first = verifier.verify(uploads["card_a"], uploads["face_a"])
            second = verifier.verify(uploads["card_a"], uploads["face_a"])  # within the same second
        finally:
            client.close()
        processed = [c.action for c in emu.calls if c.processed]
    assert first.outcome is Outcome.PASS
    assert (second.outcome, second.reason_code) == (Outcome.UNAVAILABLE, "ClientRateLimited")
    assert processed == [CARD, FACE]  # nothing of the second customer was sent
    assert second.message_key == "err.service_busy", second.message_key


def test_environment_cannot_change_trust_or_route(registry: Registry, uploads: dict[str, bytes],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """TLS trust and proxies come from the settings only: CA and proxy variables in the
    environment of the kiosk process change nothing (verification cannot be switched off or
    redirected from a shell)."""
    from kiosk.core.verification import Outcome, Verifier

    with EmulatorServer(registry=registry, tls=True) as emu:
        dead = f"http://127.0.0.1:{_dead_port()}"
        for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            monkeypatch.setenv(var, str(emu.ca_file))
        for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.setenv(var, dead)
        monkeypatch.setenv("NO_PROXY", "")
        client = _client(emu.url)
        try:
            untrusted = Verifier(client).verify(uploads["card_a"], uploads["face_a"])
        finally:
            client.close()
        assert (untrusted.outcome, untrusted.reason_code) == (Outcome.UNAVAILABLE, "ClientNetworkError.TLS")
        client = _client(emu.url, ca_bundle=str(emu.ca_file))  # configured: trusted, and no proxy used
        try:
            trusted = Verifier(client).verify(uploads["card_a"], uploads["face_a"])
        finally:
            client.close()
        assert trusted.outcome is Outcome.PASS, trusted
