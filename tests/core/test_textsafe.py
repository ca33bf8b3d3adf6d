"""Escaping of outside text for output, logs and the audit trail; the audit's caps and failures."""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

import pytest

from kiosk.core.audit import MAX_FIELD_CHARS, AuditTrail
from kiosk.core.textsafe import SafeFormatter, clip, dumps, escape, write_json

HOSTILE = "a\x1b[2J\r\nkiosk ERROR forged\x85\x9b31m\u202egnp.exe\u2066\u200b\ud800\U000e0001 王"


def _visible(text: str) -> bool:
    return all(ch.isprintable() or ch == " " for ch in text)


def test_escape_leaves_printable_text_and_escapes_the_rest() -> None:
    assert escape("王小明 ok: 1.0") == "王小明 ok: 1.0"
    out = escape(HOSTILE)
    assert _visible(out)
    for code in ("\\u001b", "\\u000d", "\\u000a", "\\u0085", "\\u009b", "\\u202e", "\\u2066", "\\u200b",
                 "\\ud800", "\\udb40\\udc01"):
        assert code in out
    assert "王" in out


def test_clip_says_how_much_was_cut() -> None:
    assert clip("abc", 5) == "abc"
    assert clip("R" * 1000, 10) == "R" * 10 + "...[+990 chars]"
    assert len(escape("R" * 6_000_000, 200)) < 250


def test_dumps_is_the_same_json_value_with_only_printable_text() -> None:
    obj = {"reason": HOSTILE, "name": "王*", "n": [1, 2.5, None]}
    text = dumps(obj)
    assert _visible(text)
    assert json.loads(text) == obj
    assert "王*" in text  # readable Chinese stays as it is


@pytest.mark.parametrize("indent", [2, "\t"])
def test_indented_dumps_is_valid_readable_json_with_values_still_escaped(indent: int | str) -> None:
    obj = {"verdict": "pass", "masked_name": "王*" + HOSTILE, "request_ids": ["r-1", HOSTILE], "n": {"a": 1}}
    text = dumps(obj, indent=indent)
    assert json.loads(text) == obj
    assert text.startswith("{\n") and text.count("\n") >= 8  # the indent's newlines stay newlines
    for line in text.splitlines():  # every line printable: escapes only inside the strings
        assert _visible(line.replace("\t", " ")), line
    assert "\\u001b" in text and "\\u202e" in text and "\\u0085" in text and "\\r\\n" in text
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "utf-8"])
def test_write_json_survives_any_console_encoding(encoding: str) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
    obj = {"verdict": "pass", "masked_name": "王*明", "masked_id": "1101**********1234"}
    write_json(obj, stream)
    text = raw.getvalue().decode(encoding)
    assert json.loads(text) == obj


def test_the_safe_formatter_keeps_one_record_on_one_line() -> None:
    record = logging.LogRecord("kiosk.core.faceid", logging.WARNING, __file__, 1, "code=%s", (HOSTILE,), None)
    line = SafeFormatter("%(levelname)s %(message)s").format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert line.startswith("WARNING code=a\\u001b[2J\\u000d\\u000akiosk ERROR forged")


def test_audit_fields_are_capped_and_escaped(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path, max_bytes=100_000, backups=2)
    for i in range(20):  # 20 calls with a 6 MB RequestId: no rotation, every record kept
        trail.call(session_id=f"s{i}", action="CheckIdCardInformation", outcome_code="Success" + HOSTILE,
                   request_id="R" * 6_000_000, sim=90.0, elapsed_ms=1.0, masked_id="1101**********1234")
    trail.close()
    assert [p.name for p in tmp_path.iterdir()] == ["audit.jsonl"]
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20 and all(len(line) < 1200 and _visible(line) for line in lines)
    rec = json.loads(lines[0])
    assert rec["request_id"].startswith("R" * MAX_FIELD_CHARS) and rec["request_id"].endswith("chars]")
    assert rec["outcome_code"].startswith("Success" + HOSTILE[:5])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_remembered_not_raised_or_printed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "audit.jsonl").symlink_to("/dev/full")  # every write fails with ENOSPC
    trail = AuditTrail(tmp_path)
    assert trail.failure is None
    trail.call(session_id="s", action="A", outcome_code="Success", request_id="r", sim=None, elapsed_ms=1.0,
               masked_id="")
    trail.staff("pin_ok")
    assert trail.failed_records == 2
    assert trail.failure is not None and "No space left" in trail.failure
    trail.close()
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # no "--- Logging error ---" traceback
