"""Exact weekly tours in the shift programme for sites of interchangeable agents.

The programme's headcount, rest, days-off and tour rows (`scheduling.shifts.limits`)
are each valid but not exact together: a site's shifts can pass all of them
and still need more agents than it has once rest and days off meet (on the
follow-the-sun week, 400 Manila agent-shifts of which its 80 agents can work
394). For a site of anonymous agents under a headcount cap, the weekly-tour
network of `scheduling.shifts.tours` is exact when its conditions hold (`tours.exact`);
`exact_tour_constraints` then adds it beside those rows, which stay because they
tighten its LP relaxation. In the programme the network's flows are continuous
(whole flows made the solve several times slower); the assignment solves the
same network with whole flows for the chosen counts, splits it into weeks, and
reports any agent-shift it cannot place as unfilled (none on the follow-the-sun
week or in the tests).

This needs one repeating week (`cyclic` and a 7-day horizon) and at least one
day off in a row. Roster skill groups have the rows only: their agents differ in
days and hours, which the network does not see.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd
import pulp

from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.limits import BuildContext, HeadcountLimit, ShiftData
from scheduling.shifts.sites import Site
from scheduling.shifts.tours import DAYS, TourRules, TourShift, add_network, exact, tour_shift


def exact_tour_constraints(context: BuildContext) -> dict[str, HeadcountLimit]:
    """tours_{site}_*: the weekly-tour network of each site where it is exact.

    Args:
        context: the programme, its x (agents per (shift_id, skill group)), the
            candidate shifts, the skill groups of each site (a roster's sites are
            left out), the horizon and the options `consecutive_days_off`,
            `min_rest_hours`, `max_days_per_week`, `max_hours_per_week`, `cyclic`.

    Returns:
        The network's agents row of each such site (period "weeks").
    """
    options, horizon = context.options, context.horizon
    rest = options.min_rest_hours * 3600
    rules = TourRules(
        run=options.consecutive_days_off,
        rest=rest,
        max_days=options.max_days_per_week,
        max_hours=options.max_hours_per_week,
    )
    limits: dict[str, HeadcountLimit] = {}
    for site, members in _anonymous_sites(context):
        shifts = [_tour_shift(shift, horizon[0]) for shift in members.values()]
        if not exact(shifts, rules):
            continue
        tag = re.sub(r"[^A-Za-z0-9_]", "_", f"tours_{site.name}")
        mine = {key: var for key, var in context.x.items() if key[0] in members}
        counts: dict[str, list[pulp.LpVariable]] = defaultdict(list)
        for (shift_id, _), var in sorted(mine.items()):
            counts[shift_id].append(var)
        add_network(
            context.problem,
            shifts,
            {shift_id: pulp.lpSum(xs) for shift_id, xs in counts.items()},
            run=options.consecutive_days_off,
            rest=rest,
            agents=site.max_agents,
            tag=tag,
            integer=False,
        )
        name = f"{tag}_agents"
        first = horizon[0].tz_convert(site.tz).date()
        ids = tuple(sorted(members))
        limits[name] = HeadcountLimit(name, site.name, "weeks", first, float(site.max_agents), ids)
    return limits


def _anonymous_sites(context: BuildContext) -> list[tuple[Site, dict[str, ShiftData]]]:
    """Capped sites without a roster in a repeating week, with their shifts by id."""
    options, horizon = context.options, context.horizon
    if options.consecutive_days_off < 1 or not options.cyclic:
        return []
    members: dict[str, dict[str, ShiftData]] = defaultdict(dict)
    for shift, _, _ in context.variables():
        members[shift.site.name][shift.shift_id] = shift
    out = []
    for name, shifts in sorted(members.items()):
        site = next(iter(shifts.values())).site
        if any(group.agents is not None for group in context.by_site.get(name, [])):
            continue
        days_off = DaysOff.of(
            options.consecutive_days_off, tz=site.tz, start=horizon[0], end=horizon[1], cyclic=True
        )
        if site.max_agents is not None and days_off.wrap == DAYS:
            out.append((site, shifts))
    return out


def _tour_shift(shift: ShiftData, start: pd.Timestamp) -> TourShift:
    tz = shift.site.tz
    begin = (shift.local_start - start).total_seconds()
    return tour_shift(
        shift.shift_id,
        dayno=(shift.local_start.date() - start.tz_convert(tz).date()).days,
        begin=begin,
        finish=begin + shift.paid_hours * 3600,
        hours=shift.paid_hours,
    )
