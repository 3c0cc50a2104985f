"""`wfm plan` on the example company: the same inputs give byte-identical files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfm.cli import cli

COMPANY = Path(__file__).resolve().parents[1] / "examples" / "company"
FILES = ("forecast.csv", "requirements.csv", "schedule.csv", "coverage.csv", "schedule.ics")


def plan(out: Path) -> str:
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            "--config",
            str(COMPANY / "wfm.toml"),
            "--history",
            str(COMPANY / "tickets.csv.gz"),
            "--events",
            str(COMPANY / "events.csv"),
            "--roster",
            str(COMPANY / "roster.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.stderr


@pytest.mark.slow
def test_two_plans_of_the_example_are_byte_identical(tmp_path):
    first = plan(tmp_path / "a")
    plan(tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # The solve stops on the node budget or the gap, never on the clock.
    assert "solver highs: node_limit," in first or "solver highs: optimal," in first
