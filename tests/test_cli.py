"""The ``kiosk`` command contract: every subcommand exists, usage errors exit 2 without a traceback."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([name, "--help"])
    assert info.value.code == 0
    assert "usage: kiosk " + name in capsys.readouterr().out


def test_unknown_command_and_bad_option_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["frobnicate"], ["verify", "--card"], ["bench", "--only", "gpu"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bench_reports_figures_against_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--only", "client", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    row = next(r for r in data["targets"] if r["figure"] == "client.median_ms")
    assert row["value"] > 0 and row["max"] == 10.0 and row["met"] in (True, False)
    assert data["client"]["n"] >= 1


def test_staff_audit_export(tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.core.audit import AuditTrail

    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("KIOSK_AUDIT_DIRECTORY", str(tmp_path / "audit"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    trail = AuditTrail(tmp_path / "audit")
    trail.session(session_id="s1", step="result", outcome_code="pass", masked_id="110***********002X")
    trail.close()
    assert main(["doctor", "--export-audit", str(tmp_path / "out" / "export.jsonl")]) == 0
    lines = (tmp_path / "out" / "export.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["session_id"] == "s1"
    assert "1 audit records written" in capsys.readouterr().out
