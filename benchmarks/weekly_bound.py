"""The multi-week bound on the example company, with the shared hours priced or dropped.

Run: python benchmarks/weekly_bound.py [--weeks 2 4]

For each horizon, the example's requirements as `wfm plan --horizon Nw` makes
them (`wfm forecast` and `wfm staff` with README command 1's files), then
`scheduling.shifts.weekbound.weekly_bound` with its roster: once with the hours
two weeks' shifts reach priced (what `wfm plan` reports) and once with their
rows dropped (`priced=False`, the bound up to c1f07bf). Printed per horizon:
the agent-hours required, the share of them in those hours, both bounds and
the seconds of each. The bounds do not depend on the machine (root bounds of
HiGHS on one thread); the seconds do.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from scheduling.columns import AGENTS_SCHEDULED
from scheduling.shifts.planner import setup_run
from scheduling.shifts.weekbound import _bound_weeks, boundary_prices, weekly_bound
from scheduling.shifts.weeks import _with_utc
from wfm import readers
from wfm.app import week_layout
from wfm.config import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "company"


def requirements(weeks: int, folder: Path) -> Path:
    """The example's requirements over `weeks` weeks, as `wfm plan` computes them."""
    wfm = str(Path(sys.executable).with_name("wfm"))
    config = str(EXAMPLE / "wfm.toml")
    forecast, needed = folder / f"forecast{weeks}.csv", folder / f"requirements{weeks}.csv"
    history = [str(EXAMPLE / "tickets.csv.gz"), "--events", str(EXAMPLE / "events.csv")]
    run = {"check": True, "capture_output": True}
    subprocess.run(
        [wfm, "forecast", *history, "--config", config, "--horizon", f"{weeks}w", "-o", forecast],
        **run,
    )
    subprocess.run([wfm, "staff", str(forecast), "--config", config, "-o", needed], **run)
    return needed


def measure(weeks: int, folder: Path) -> None:
    config = load_config(EXAMPLE / "wfm.toml")
    need = readers.read_requirements(requirements(weeks, folder), tz=config.timezone)
    planned = dataclasses.replace(config.scheduling, **week_layout(need, config))
    roster = readers.read_roster(EXAMPLE / "roster.csv", sites=[s.name for s in config.sites])
    run = setup_run(need, sites=list(config.sites), options=planned, roster=roster)
    options = dataclasses.replace(planned, cyclic=False)  # as `weeks.schedule_horizon`
    frame = _with_utc(need)
    prices = boundary_prices(
        frame,
        _bound_weeks(run, options),
        step=pd.Timedelta(minutes=options.interval_minutes),
        penalty=options.shortfall_penalty,
    )
    total = frame[AGENTS_SCHEDULED].sum()
    shared = frame[frame["interval_start"].isin(prices.index)][AGENTS_SCHEDULED].sum()
    hours = options.interval_minutes / 60
    print(
        f"{weeks} weeks: {total * hours:,.1f} agent-hours required, "
        f"{shared / total:.1%} of them where two weeks' shifts reach",
        flush=True,
    )
    for priced in (True, False):
        clock = time.perf_counter()
        bound = weekly_bound(frame, run, options, priced=priced)
        seconds = time.perf_counter() - clock
        label = "priced " if priced else "dropped"
        print(f"  {label}: bound {bound:,.2f} in {seconds:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, nargs="+", default=[2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for weeks in args.weeks:
            measure(weeks, Path(folder))


if __name__ == "__main__":
    main()
