"""The example week as one exact roster model: is its shortfall forced by the roster?

Run: python benchmarks/exact_roster.py [--seconds 600]

`wfm plan` (README command 1) chooses shifts in a programme over skill groups
(`scheduling.shifts.model`), then gives them to the roster's agents; shifts no
agent can take leave the plan short. This benchmark builds the exact model of
the same week instead: that programme plus a binary z[a,s] for every roster
agent a and shift s of its skill group it may work, with sum_a z[a,s] = x[s,g]
and every agent's own rows of the assignment (`assign._agent_rows`: one shift
a local day, rest, days and hours a week, days off in a row). Any schedule of
the roster is a solution of it, so its optimum is the best plan there is.

It is solved twice, each within `--seconds`: with the product's objective
(cost, and 1000 per agent-hour short), and for the least agent-hours short
alone (cost left out; its bound says how much shortfall the roster forces).
Printed: model size, and for each solve its status, objective,
agent-hours short, bound and seconds. Requirements: the one-week plan of README
command 1 (tests/golden/example/requirements.csv).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pulp

from scheduling.shifts.assign import _agent_rows, _cliques, _eligible, _Rules, _Slot, make_slot
from scheduling.shifts.model import ShiftModel, build_model, solve
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import Run, setup_run
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts
from wfm import readers
from wfm.app import week_layout
from wfm.config import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "company"
REQUIREMENTS = ROOT / "tests" / "golden" / "example" / "requirements.csv"


@dataclass
class ExampleWeek:
    """The example week's shift programme and the slots its roster's agents may take.

    Attributes:
        model: the shift programme (`build_model`) of README command 1's week.
        options: its options.
        run: the run (`setup_run`): horizon, sites, skill groups, roster agents.
        sites: the active sites by name.
        slots: per site, one slot (`make_slot`) per (shift, skill group) of `model.x`.
        where: per key of `model.x`, its (site, position in `slots[site]`).
    """

    model: ShiftModel
    options: ScheduleOptions
    run: Run
    sites: dict[str, Site]
    slots: dict[str, list[_Slot]]
    where: dict[tuple, tuple[str, int]]


def example_week(seconds: float = 60.0) -> ExampleWeek:
    """The example week of README command 1 (its golden requirements), built."""
    config = load_config(EXAMPLE / "wfm.toml")
    needed = pd.read_csv(REQUIREMENTS)
    needed["interval_start"] = pd.to_datetime(needed["interval_start"], utc=True)
    given = {**config.scheduling.__dict__, **week_layout(needed, config)}
    options = type(config.scheduling)(**{**given, "time_limit_seconds": seconds})
    roster = readers.read_roster(EXAMPLE / "roster.csv", sites=[s.name for s in config.sites])
    run = setup_run(needed, sites=list(config.sites), options=options, roster=roster)
    shifts = generate_shifts(run.active, start=run.horizon[0], end=run.horizon[1])
    model = build_model(needed, shifts, sites=run.planned, options=options, groups=run.groups)
    table = shifts.set_index("shift_id")
    sites = {site.name: site for site in run.active}
    slots: dict[str, list] = defaultdict(list)
    where = {}
    for (shift_id, group), _ in model.x.items():
        row = table.loc[shift_id]
        site = sites[row["site"]]
        span = (row["start"], row["end"])
        slot = make_slot(
            shift_id, site, tuple(group), span, float(row["paid_hours"]), run.horizon[0]
        )
        where[(shift_id, group)] = (site.name, len(slots[site.name]))
        slots[site.name].append(slot)
    return ExampleWeek(model, options, run, sites, dict(slots), where)


def exact_model(seconds: float):
    """The example week's shift programme with the roster's agents in it (module docstring)."""
    week = example_week(seconds)
    model, options, run = week.model, week.options, week.run
    sites, slots, where = week.sites, week.slots, week.where
    takers = defaultdict(list)
    count = 0
    for site_name, site_slots in sorted(slots.items()):
        rules = _Rules.at_site(options, sites[site_name], run.horizon)
        cliques = _cliques(site_slots, rules)
        for agent in (a for a in run.agents if a.site == site_name):
            mine = {
                r: model.problem.add_variable(f"z_{count}_{r}", cat=pulp.LpBinary)
                for r, slot in enumerate(site_slots)
                if tuple(slot.skills) == tuple(agent.skills) and _eligible(agent, slot, rules)
            }
            for r, var in mine.items():
                takers[(site_name, r)].append(var)
            _agent_rows(model.problem, (count, agent), mine, site_slots, rules, cliques)
            count += 1
    for key, var in model.x.items():
        site_name, r = where[key]
        model.problem += (pulp.lpSum(takers[(site_name, r)]) == var, f"link_{site_name}_{r}")
    return model, options, count, sum(len(v) for v in takers.values())


def short_hours(model, options) -> float:
    return sum(v.varValue or 0.0 for v in model.shortfall.values()) * options.interval_minutes / 60


def report(name: str, model, options, result, started: float) -> None:
    seconds = time.perf_counter() - started
    if result.status in ("Not Solved", "Infeasible", "Undefined"):
        print(f"{name}: {result.status}: no answer in {seconds:.0f} s", flush=True)
        return
    bound = "none" if result.bound is None else f"{result.bound:,.2f}"
    print(
        f"{name}: {result.status}, objective {result.objective:,.2f}, "
        f"{short_hours(model, options):.1f} agent-hours short, bound {bound}, {seconds:.0f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="per solve")
    args = parser.parse_args()
    started = time.perf_counter()
    model, options, agents, pairs = exact_model(args.seconds)
    print(f"exact model: {agents} agents, {pairs:,} agent-shift binaries, {len(model.x):,} x")
    settings = {"solver": "highs", "time_limit_seconds": args.seconds, "gap": 0.005}
    report("product objective", model, options, solve(model, **settings), started)

    model, options, _, _ = exact_model(args.seconds)
    model.problem.setObjective(pulp.lpSum(model.shortfall.values()))
    started = time.perf_counter()
    first = solve(model, **settings)
    report(
        "least shortfall (cost left out; objective in agents x intervals)",
        model,
        options,
        first,
        started,
    )


if __name__ == "__main__":
    main()
