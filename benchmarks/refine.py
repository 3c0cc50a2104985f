"""Refining the shift programme's answer window by window: with and without a roster.

Run: python benchmarks/refine.py [--passes 1]

The example week of README command 1 (its requirements,
`tests/golden/example/requirements.csv`, and wfm.toml: 60-minute intervals,
node_limit 100) is scheduled five times by `schedule_requirements`: anonymous
agents and the example roster, each with `programme_passes` 0 (the programme's
answer as HiGHS leaves it) and `--passes` (refined window by window,
`scheduling.shifts.refine`; with the roster each better answer judged by the
schedule the assignment makes of it), and the roster once more refined without
that judge (every cheaper answer kept). Printed per run: the programme's
objective before and after refining, its bound, the objective measured on the
final schedule and its gap to the bound, agent-hours short in the final
coverage, and seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd

import scheduling.shifts.planner as planner
from scheduling.shifts import refine
from wfm import readers
from wfm.app import week_layout
from wfm.config import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "company"
REQUIREMENTS = ROOT / "tests" / "golden" / "example" / "requirements.csv"


def unjudged(model, result, judge=None):
    """`refine.refined` keeping every cheaper answer, whatever the schedule made of it."""
    return refine.refined(model, result)


def run(roster: bool, passes: int, judged: bool = True) -> dict[str, float]:
    """One `schedule_requirements` of the example week; its figures."""
    config = load_config(EXAMPLE / "wfm.toml")
    needed = pd.read_csv(REQUIREMENTS)
    needed["interval_start"] = pd.to_datetime(needed["interval_start"], utc=True)
    given = {**config.scheduling.__dict__, **week_layout(needed, config)}
    options = dataclasses.replace(type(config.scheduling)(**given), programme_passes=passes)
    agents = None
    if roster:
        names = [s.name for s in config.sites]
        agents = readers.read_roster(EXAMPLE / "roster.csv", sites=names)
    planner.refined = refine.refined if judged else unjudged
    clock = time.perf_counter()
    result = planner.schedule_requirements(
        needed, sites=list(config.sites), options=options, roster=agents
    )
    seconds = time.perf_counter() - clock
    solve = result.solve
    first = solve.objective if solve.refined_from is None else solve.refined_from
    hours = options.interval_minutes / 60
    return {
        "programme": first,
        "refined": solve.objective,
        "bound": solve.bound,
        "final": result.objective,
        "gap": (result.objective - solve.bound) / result.objective,
        "short": float(result.coverage["shortfall"].sum()) * hours,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=1)
    args = parser.parse_args()
    print(
        "| agents | programme_passes | programme | refined | bound | final schedule "
        "| gap | short | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    runs = [
        ("anonymous", False, 0, True),
        ("anonymous", False, args.passes, True),
        ("roster", True, 0, True),
        ("roster", True, args.passes, True),
        ("roster, not judged", True, args.passes, False),
    ]
    for label, roster, passes, judged in runs:
        row = run(roster, passes, judged)
        print(
            f"| {label} | {passes} | {row['programme']:,.2f} "
            f"| {row['refined']:,.2f} | {row['bound']:,.2f} | {row['final']:,.2f} "
            f"| {row['gap']:.2%} | {row['short']:.1f} | {row['seconds']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
