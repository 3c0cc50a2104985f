"""A site's `max_agents` (distinct agents in the week) holds with a roster, through
the assignment and every step after it (top-up, repair, sweep)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_schedule_model import make_options, make_requirements, make_site

from scheduling.shifts import planner
from scheduling.shifts.roster import roster_agents

pytest.importorskip("highspy")


def roster(n: int) -> pd.DataFrame:
    names = [f"A{k}" for k in range(n)]
    return pd.DataFrame({"agent": names, "site": ["Test"] * n, "queue": ["phone"] * n})


@pytest.mark.parametrize("most", [1, 2, 3])
def test_no_more_agents_work_at_a_site_than_its_max_agents(most) -> None:
    # Three agents wanted all day, every weekday: every idle roster agent would help.
    requirements = make_requirements({"phone": [3.0] * 12 * 5}, hours=12 * 5)
    options = make_options(shortfall_penalty=1000.0)
    result = planner.schedule_requirements(
        requirements, sites=[make_site(max_agents=most)], options=options, roster=roster(5)
    )
    schedule = result.schedule
    assert 0 < schedule["agent"].nunique() <= most
    days = pd.to_datetime(schedule["start"], utc=True).dt.date
    assert schedule.groupby(days)["agent"].nunique().max() <= most


def test_capped_staff_keeps_the_working_agents_and_room_for_more() -> None:
    site = make_site(max_agents=3)
    agents = roster_agents(roster(5), sites=[site], options=make_options())
    working = pd.DataFrame({"agent": ["A3", "A1"]})
    names = [a.name for a in planner.capped_staff(agents, working, [site])]
    assert names == ["A0", "A1", "A3"]  # the two at work and one idle, in roster order
    full = pd.DataFrame({"agent": ["A4", "A2", "A0"]})
    assert [a.name for a in planner.capped_staff(agents, full, [site])] == ["A0", "A2", "A4"]
    free = make_site()  # no max_agents: everyone
    assert len(planner.capped_staff(agents, full, [free])) == 5
