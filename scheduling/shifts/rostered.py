"""Named agents in the shift programme: one binary per (agent, shift) it may work.

The aggregate rows of `scheduling.shifts.limits` are valid but not exact for a
roster: its agents differ in skills, days, contracts and unavailability, and a set
of shifts can pass every row that no named agent can work (on the example week,
2 Manila shifts). With a roster this builder makes the programme exact: for each
roster agent a and each shift s of its site whose skill group g is the agent's
own, a binary y[a,s], with

    roster_{shift}_{g}:  x[s,g] = sum_{a in g} y[a,s]

and, per agent, the rules of `scheduling.shifts.assign` (the same rows its
assignment programme uses): at most one shift per local day and per rest
clique, `max_days_per_week` shifts and the agent's contracted hours per week, a
run of `consecutive_days_off` free days every week, never on its unavailable
weekdays. Every solution is then a schedule of named agents; the assignment only
reads it (`picked`). The aggregate rows stay beside these: they tighten the LP
relaxation.

An agent whose week is fixed by the horizon before (`release`) may not start
before its release instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pandas as pd
import pulp

from scheduling.shifts.assign import (
    _agent_rows,
    _cliques,
    _eligible,
    _Rules,
    _Slot,
    make_slot,
)
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.limits import BuildContext, HeadcountLimit, ShiftData
from scheduling.shifts.roster import Agent

__all__ = ["roster_constraints"]


def roster_constraints(context: BuildContext) -> dict[str, HeadcountLimit]:
    """y[a,s] per roster agent and workable shift, the roster_ links and each agent's rows.

    Fills `context.picks` with y keyed (agent name, shift_id, group queues).
    Groups without members (no roster) are left to the aggregate rows.

    Returns:
        {} (the per-agent rows are not reported as binding limits).
    """
    shifts_at: dict[str, list[ShiftData]] = defaultdict(list)
    for shift in context.data:
        shifts_at[shift.site.name].append(shift)
    serial = 0
    for site_name in sorted(context.by_site):
        groups = [g for g in context.by_site[site_name] if g.members is not None]
        if not groups or not shifts_at.get(site_name):
            continue
        rules, slots = _site_slots(context, shifts_at[site_name])
        cliques = _cliques(slots, rules)
        position = {slot.shift_id: r for r, slot in enumerate(slots)}
        for group in groups:
            ids = [s for (s, q) in context.x if q == group.queues and s in position]
            uses: dict[str, list[pulp.LpVariable]] = defaultdict(list)
            for agent in group.members or ():
                serial += 1
                mine = _agent_variables(context, agent, group.queues, ids, slots, position, rules)
                for r, var in mine.items():
                    uses[slots[r].shift_id].append(var)
                _agent_rows(context.problem, (f"r{serial}", agent), mine, slots, rules, cliques)
            for shift_id in ids:
                var = context.x[(shift_id, group.queues)]
                name = context.names(f"roster_{shift_id}_{'_'.join(group.queues)}")
                context.problem += (pulp.lpSum(uses.get(shift_id, [])) - var == 0, name)
    return {}


def _site_slots(context: BuildContext, shifts: list[ShiftData]) -> tuple[_Rules, list[_Slot]]:
    """The site's per-agent rules and one slot per candidate shift (skills left empty)."""
    site = shifts[0].site
    start, end = context.horizon
    days_off = DaysOff.of(
        context.options.consecutive_days_off,
        tz=site.tz,
        start=start,
        end=end,
        cyclic=context.options.cyclic,
    )
    rules = _Rules(context.options, (end - start).total_seconds(), days_off=days_off)
    slots = [
        make_slot(
            shift.shift_id,
            site,
            (),
            (shift.local_start, shift.local_start + pd.Timedelta(hours=shift.paid_hours)),
            shift.paid_hours,
            start,
        )
        for shift in shifts
    ]
    return rules, slots


def _agent_variables(
    context: BuildContext,
    agent: Agent,
    queues: tuple[str, ...],
    ids: list[str],
    slots: list[_Slot],
    position: Mapping[str, int],
    rules: _Rules,
) -> dict[int, pulp.LpVariable]:
    """y of one agent over the group's shifts it may work, by slot position."""
    mine: dict[int, pulp.LpVariable] = {}
    for shift_id in ids:
        r = position[shift_id]
        slot = slots[r]
        if not _eligible(agent, _with_skills(slot, queues), rules):
            continue
        var = context.problem.add_variable(f"y_{context.names.counter()}", cat=pulp.LpBinary)
        mine[r] = var
        context.picks[(agent.name, shift_id, queues)] = var
    return mine


def _with_skills(slot: _Slot, queues: tuple[str, ...]) -> _Slot:
    from dataclasses import replace

    return replace(slot, skills=queues)
