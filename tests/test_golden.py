"""The example company's plan, byte for byte against tests/golden/example/.

The golden files are made by tests/make_golden.py, by hand, when an output is meant
to change; a refactoring must leave them as they are. They hold for the pinned
versions in constraints.txt (another HiGHS may choose another optimal schedule).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from make_golden import FILES, GOLDEN, plan_command


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden") / "plan"
    result = subprocess.run(plan_command(out), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    (out / "stderr.txt").write_text(result.stderr)
    return out


@pytest.mark.parametrize("name", FILES)
def test_example_plan_matches_golden_file(plan_dir, name):
    made = (plan_dir / name).read_bytes()
    assert made == (GOLDEN / name).read_bytes(), f"{name} differs from tests/golden/example"


def test_plan_json_counts_the_unfilled_shifts_the_warning_names(plan_dir):
    """benchmarks/multiweek.py reads the count from plan.json, not from the warning's text."""
    warned = re.findall(
        r"(\d+) shifts the shift programme chose", (plan_dir / "stderr.txt").read_text()
    )
    plan = json.loads((plan_dir / "plan.json").read_text())
    assert plan["coverage"]["unfilled_shifts"] == (int(warned[0]) if warned else 0)
    still = re.findall(
        r"to a roster agent; (\d+\.\d) agent-hours of their hours and queues",
        (plan_dir / "stderr.txt").read_text(),
    )
    assert plan["coverage"]["unfilled_short_agent_hours"] == pytest.approx(
        float(still[0]) if still else 0.0, abs=0.05
    )
    per_site = re.findall(
        r"could not be staffed by .*; (\d+\.\d) agent-hours of their hours and queues",
        (plan_dir / "stderr.txt").read_text(),
    )
    assert per_site  # the example's Manila names its unfilled shifts
    assert sum(float(h) for h in per_site) == pytest.approx(
        plan["coverage"]["unfilled_short_agent_hours"], abs=0.05 * len(per_site)
    )
