"""The audit trail: JSON lines, only allowed keys, ID-like values masked, rotation, export."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.core.audit import AuditTrail


def test_records_are_json_lines_with_only_allowed_keys(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path, kiosk_id="branch-7")
    trail.call(session_id="s1", action="ImageRecognitionV2", outcome_code="Success", request_id="r-1",
               sim=88.123, elapsed_ms=123.456, masked_id="110***********002X")
    trail.write("session", session_id="s1", step="result", outcome_code="pass", name="韦小宝",
                image=b"\xff\xd8")  # not allowed: dropped
    trail.close()
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    call, session = (json.loads(x) for x in lines)
    assert call["kind"] == "call" and call["kiosk_id"] == "branch-7" and call["sim"] == 88.12
    assert "name" not in session and "image" not in session
    assert "韦小宝" not in "\n".join(lines)


def test_full_id_numbers_are_masked_even_if_passed_by_mistake(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path)
    rec = trail.write("session", session_id="s", step="x", detail="id 11010519491231002X seen",
                      masked_id="11010519491231002X")
    trail.close()
    text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert "11010519491231002X" not in text
    assert rec["masked_id"] == "110***********002X"


def test_rotation_and_export(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path / "a", max_bytes=10_000, backups=3)
    for i in range(400):
        trail.session(session_id=f"s{i}", step="result", outcome_code="pass")
    files = trail.files()
    assert len(files) == 4  # three backups + the live file, oldest first
    assert all(p.stat().st_size <= 10_000 + 300 for p in files)
    records = trail.records()
    ids = [int(r["session_id"][1:]) for r in records]
    assert ids == sorted(ids) and ids[-1] == 399  # oldest first, newest kept
    (files[0]).write_text("not json\n" + files[0].read_text(encoding="utf-8"), encoding="utf-8")
    n = trail.export(tmp_path / "export" / "audit-export.jsonl")
    assert n == len(records)
    exported = (tmp_path / "export" / "audit-export.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(exported) == n
    assert trail.records()[-1]["staff_action"] == "audit_export"
    trail.close()
