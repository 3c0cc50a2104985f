"""The repair's rounds and the sweep on the example week.

Run: python benchmarks/repair_rounds.py [--hours 36 10000] [--sweep-agents 14 26]

Schedules the example week of README command 1 (tests/golden/example/
requirements.csv, its roster and wfm.toml) up to the repair, then runs the
repair (`scheduling.shifts.repair.repaired_schedule`, 40 rounds as configured)
from that same schedule once per `--hours`: the round's window reaches that
many hours either side of its short interval (10000: the whole week, as at
3e9705c). Printed per window: rounds, mean seconds of a round's programme
(building and solving it), the repair's seconds in all, agent-hours short
before and after, and the plan's objective before and after. The rounds and
shortfalls do not depend on the machine (node budget and seeded draws); the
seconds do.

Then the sweep (`repair.swept_schedule`, 2 passes as configured) from the
schedule the repair with a 36-hour window left, once per `--sweep-agents`: at
most that many of a site's agents in one programme (26: all of Manila's in
one). Printed per group size: programmes, their mean seconds, the sweep's
seconds, agent-hours short and objective before and after.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import scheduling.shifts.planner as planner
import scheduling.shifts.repair as repair
from scheduling.shifts.coverage import coverage_frame
from scheduling.solver import solve_budget
from wfm import readers
from wfm.app import week_layout
from wfm.config import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "company"
REQUIREMENTS = ROOT / "tests" / "golden" / "example" / "requirements.csv"


def repair_inputs() -> tuple[tuple, dict]:
    """The example week's arguments to `repaired_schedule`, as the planner passes them."""
    config = load_config(EXAMPLE / "wfm.toml")
    needed = pd.read_csv(REQUIREMENTS)
    needed["interval_start"] = pd.to_datetime(needed["interval_start"], utc=True)
    options = type(config.scheduling)(
        **{**config.scheduling.__dict__, **week_layout(needed, config)}
    )
    roster = readers.read_roster(EXAMPLE / "roster.csv", sites=[s.name for s in config.sites])
    caught: list = []

    def keep(*args, **kwargs):
        caught.append((args, kwargs))
        return args[0]

    planner.repaired_schedule = keep
    planner.swept_schedule = lambda schedule, *a, **k: schedule
    planner.schedule_requirements(needed, sites=list(config.sites), options=options, roster=roster)
    return caught[0]


def run(args: tuple, kwargs: dict, hours: float) -> tuple[dict[str, float], object]:
    """The repair from the captured schedule with a window of `hours`; its figures
    and the repaired schedule."""
    repair.WINDOW = pd.Timedelta(hours=hours)
    return timed_step(repair.repaired_schedule, args, kwargs)


def sweep(args: tuple, kwargs: dict, agents: int) -> dict[str, float]:
    """The sweep from the repaired schedule in `args`, at most `agents` a programme."""
    repair.SWEEP_AGENTS = agents
    return timed_step(repair.swept_schedule, args, kwargs)[0]


def timed_step(step_of, args: tuple, kwargs: dict) -> tuple[dict[str, float], object]:
    """Run a repair step from the schedule in `args`; its figures and its schedule."""
    schedule, requirements = args[0], args[1]
    options, sites = kwargs["options"], kwargs["sites"]
    step = options.interval_minutes / 60
    rounds: list[float] = []
    timed = repair._repaired_site

    def round_(*a, **k):
        clock = time.perf_counter()
        out = timed(*a, **k)
        rounds.append(time.perf_counter() - clock)
        return out

    repair._repaired_site = round_
    before = coverage_frame(requirements, schedule, options=options)
    clock = time.perf_counter()
    try:
        with solve_budget(options.time_limit_seconds):
            out = step_of(*args, **kwargs)
    finally:
        repair._repaired_site = timed
    seconds = time.perf_counter() - clock
    after = coverage_frame(requirements, out, options=options)
    return {
        "rounds": len(rounds),
        "round_seconds": sum(rounds) / max(len(rounds), 1),
        "seconds": seconds,
        "short_before": float(before["shortfall"].sum()) * step,
        "short_after": float(after["shortfall"].sum()) * step,
        "objective_before": repair._objective(schedule, before, sites, options),
        "objective_after": repair._objective(out, after, sites, options),
    }, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[36.0, 10000.0])
    parser.add_argument("--sweep-agents", type=int, nargs="+", default=[14, 26])
    given = parser.parse_args()
    args, kwargs = repair_inputs()
    print("window h | rounds | s a round | repair s | short before -> after | objective")
    for hours in given.hours:
        print(f"{hours:8g} | " + _row(run(args, kwargs, hours)[0]))
    repaired = run(args, kwargs, 36.0)[1]
    print("\nsweep, agents | programmes | s each | sweep s | short before -> after | objective")
    for agents in given.sweep_agents:
        print(f"{agents:13d} | " + _row(sweep((repaired, *args[1:]), kwargs, agents)))


def _row(r: dict[str, float]) -> str:
    return (
        f"{r['rounds']:6d} | {r['round_seconds']:9.2f} | "
        f"{r['seconds']:8.1f} | {r['short_before']:6.2f} -> {r['short_after']:5.2f} | "
        f"{r['objective_before']:,.2f} -> {r['objective_after']:,.2f}"
    )


if __name__ == "__main__":
    main()
