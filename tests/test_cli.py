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
