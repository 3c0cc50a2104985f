"""What a schedule gives each rostered agent: shifts, paid hours, contracted hours unused.

A roster agent with no shift, or far below contract, is something a manager must
hear about before publishing: `agent_summary` lists every agent, those without
shifts included.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scheduling.columns import AGENT, END, SITE, SKILLS, START
from scheduling.errors import InputError
from scheduling.shifts.roster import Agent

SHIFTS = "shifts"
PAID_HOURS_PER_WEEK = "paid_hours_per_week"  # hours
CONTRACTED_HOURS_PER_WEEK = "contracted_hours_per_week"  # hours (max_hours_per_week if unset)
UNUSED_HOURS_PER_WEEK = "unused_hours_per_week"  # contracted - paid, >= 0, hours
AGENT_SUMMARY_COLUMNS = (
    AGENT,
    SITE,
    SKILLS,
    SHIFTS,
    PAID_HOURS_PER_WEEK,
    CONTRACTED_HOURS_PER_WEEK,
    UNUSED_HOURS_PER_WEEK,
)


def agent_summary(schedule: pd.DataFrame, agents: Sequence[Agent], *, weeks: float) -> pd.DataFrame:
    """One row per roster agent: shifts and paid hours a week against the contract.

    Args:
        schedule: the schedule contract (agent, site, start, end; tz-aware).
        agents: the validated roster (`scheduling.shifts.roster.roster_agents`).
        weeks: length of the scheduled horizon, weeks (> 0).

    Returns:
        `AGENT_SUMMARY_COLUMNS`, sorted by site, agent: skills joined with ";",
        shifts (count), paid hours per week (shift lengths, breaks included),
        contracted hours per week and the unused part of them. Agents without a
        shift have 0 shifts and all their hours unused.

    Raises:
        InputError: `weeks` is not positive.
    """
    if not weeks > 0:
        raise InputError(f"agent_summary: weeks must be > 0, got {weeks!r}")
    hours = (schedule[END] - schedule[START]).dt.total_seconds() / 3600
    worked = hours.groupby(schedule[AGENT]).agg(["count", "sum"])
    rows = []
    for agent in agents:
        shifts, paid = worked.loc[agent.name] if agent.name in worked.index else (0, 0.0)
        per_week = float(paid) / weeks
        rows.append(
            (
                agent.name,
                agent.site,
                ";".join(agent.skills),
                int(shifts),
                per_week,
                float(agent.max_hours),
                max(float(agent.max_hours) - per_week, 0.0),
            )
        )
    frame = pd.DataFrame(rows, columns=list(AGENT_SUMMARY_COLUMNS))
    return frame.sort_values([SITE, AGENT], ignore_index=True)
