"""`wfm plan` on the example company: the same inputs give byte-identical files.

The two plans run in separate processes with different hash seeds, so an output
that depends on set or dict order of strings (Python salts their hashes per
process) shows up as a difference.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from make_golden import COMPANY, plan_command

FILES = (
    "forecast.csv",
    "requirements.csv",
    "schedule.csv",
    "coverage.csv",
    "schedule.ics",
    "plan.json",
    "recent_history.csv",
    "report.html",
    "agents.csv",
)


def plan(out: Path, hash_seed: str) -> str:
    """Run `wfm plan --calendars --report` on the example in a fresh process; its stderr."""
    command = [*plan_command(out), "--calendars", "--report"]
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.slow
def test_two_plans_of_the_example_are_byte_identical(tmp_path):
    first = plan(tmp_path / "a", "1")
    plan(tmp_path / "b", "2")
    calendars = sorted(p.name for p in (tmp_path / "a" / "calendars").iterdir())
    assert calendars == sorted(p.name for p in (tmp_path / "b" / "calendars").iterdir())
    assert len(calendars) > 10
    for name in (*FILES, *(f"calendars/{c}" for c in calendars)):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # The solve stops on the node budget or the gap, never on the clock.
    assert "solver highs: node_limit," in first or "solver highs: optimal," in first


@pytest.mark.slow
def test_plan_and_the_stage_by_stage_commands_give_the_same_files(tmp_path):
    """They gave 170 and 169 shifts: plan staffed its in-memory forecast, the stages
    the 4-decimal CSV. Now each plan stage reads the previous stage's file text."""
    plan(tmp_path / "plan", "0")
    common = ["--config", str(COMPANY / "wfm.toml")]
    wfm = [sys.executable, "-c", "from wfm.cli import main; main()"]
    steps = [
        ["forecast", str(COMPANY / "tickets.csv.gz"), "--events", str(COMPANY / "events.csv")],
        ["staff", str(tmp_path / "forecast.csv")],
        ["schedule", str(tmp_path / "requirements.csv"), "--roster", str(COMPANY / "roster.csv")],
    ]
    outputs = ["forecast.csv", "requirements.csv", "schedule.csv"]
    steps[0] += ["--horizon", "1w"]
    for step, name in zip(steps, outputs, strict=True):
        done = subprocess.run([*wfm, *step, *common, "-q", "-o", str(tmp_path / name)], check=False)
        assert done.returncode == 0
    for name in outputs:
        assert (tmp_path / name).read_bytes() == (tmp_path / "plan" / name).read_bytes(), name
