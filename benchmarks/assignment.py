"""The roster assignment alone: week 1 of peak_season.py's 400 agents, site by site.

Run: python benchmarks/assignment.py [--agents 400] [--json PATH]

Builds and solves week 1 of `peak_season.py` (same seed: the instance of its
`--weeks 1`), then gives the programme's chosen shifts to the named agents with
`assign_agents`, as `wfm schedule` does (with `short_if_left`). Printed per
site: the assignment by weeks' seconds, classes of alike agents, exact pricings
of one agent's week (by its day patterns, `scheduling.shifts.patterns`, or by
its own small programme in HiGHS where they do not apply: counted apart),
units placed of units chosen,
its value and bound (paid hours plus the tie-break) and whether it is proven;
then the whole assignment's seconds as a ratio to the programme's build and
solve in the same process.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
import peak_season

import scheduling.shifts.weekly as weekly
from scheduling.shifts.assign import assign_agents
from scheduling.shifts.model import break_plan, build_model, chosen_shifts, solve
from scheduling.shifts.planner import setup_run
from scheduling.shifts.templates import generate_shifts
from scheduling.solver import solve_budget


class _Counted:
    """Exact pricing calls per site and each site's weeks, recorded around the library."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.programmes: Counter[str] = Counter()
        self.sites: list[dict[str, object]] = []
        cheapest, assign_weeks = weekly._Pricer.cheapest, weekly.assign_weeks

        def counted_cheapest(pricer: weekly._Pricer, costs: np.ndarray) -> tuple:
            self.calls[pricer.agent.site] += 1
            self.programmes[pricer.agent.site] += pricer.patterns is None
            return cheapest(pricer, costs)

        def timed_weeks(slots, staff, rules, **kwargs) -> weekly.WeeklyAssignment:
            began = time.perf_counter()
            found = assign_weeks(slots, staff, rules, **kwargs)
            site = staff[0].site
            self.sites.append(
                {
                    "site": site,
                    "seconds": round(time.perf_counter() - began, 1),
                    "classes": len(weekly.classes_of(slots, staff, rules)),
                    "exact_pricing": self.calls[site],
                    "by_programme": self.programmes[site],
                    "placed": len(found.taken),
                    "units": sum(slot.count for slot in slots),
                    "value": round(found.value, 2),
                    "bound": round(found.bound, 2),
                    "proven": bool(found.proven),
                }
            )
            return found

        weekly._Pricer.cheapest = counted_cheapest  # type: ignore[method-assign]
        weekly.assign_weeks = timed_weeks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=400)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)  # as peak_season.py: the same week 1
    need = peak_season.requirements(1, rng)
    staff = peak_season.roster(args.agents, rng)
    sites = peak_season.sites()
    options = peak_season.schedule_options()
    with solve_budget(options.time_limit_seconds):
        clock = time.perf_counter()
        run = setup_run(need, sites=sites, options=options, roster=staff)
        shifts = generate_shifts(run.active, start=run.horizon[0], end=run.horizon[1])
        model = build_model(need, shifts, sites=run.planned, options=options, groups=run.groups)
        solve(
            model,
            time_limit_seconds=options.time_limit_seconds,
            gap=options.gap,
            node_limit=options.node_limit,
        )
        chosen = chosen_shifts(model, shorts=True)
        programme = time.perf_counter() - clock
    counted = _Counted()
    with solve_budget(options.time_limit_seconds):
        clock = time.perf_counter()
        _, unfilled = assign_agents(
            chosen,
            shifts,
            roster=staff,
            sites=sites,
            options=options,
            horizon=run.horizon,
            breaks=break_plan(model),
        )
        seconds = time.perf_counter() - clock
    figures = {
        "agents": len(staff),
        "programme_seconds": round(programme, 1),
        "assignment_seconds": round(seconds, 1),
        "ratio_to_programme": round(seconds / programme, 3),
        "unfilled": int(unfilled["count"].sum()) if len(unfilled) else 0,
        "sites": counted.sites,
    }
    print(
        "| site | seconds | classes | exact pricing | by programme | placed / units "
        "| value | bound | proven |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in counted.sites:
        print(
            f"| {row['site']} | {row['seconds']} | {row['classes']} | {row['exact_pricing']:,} "
            f"| {row['by_programme']:,} "
            f"| {row['placed']} / {row['units']} | {row['value']:,.2f} | {row['bound']:,.2f} "
            f"| {'yes' if row['proven'] else 'no'} |"
        )
    print(
        f"assignment {seconds:.1f} s = {seconds / programme:.2f} x the programme's "
        f"{programme:.1f} s; {figures['unfilled']} unfilled"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
