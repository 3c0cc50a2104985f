"""The multi-week bound, with the shared hours priced or dropped.

Run: python benchmarks/weekly_bound.py [--weeks 2 4] [--peak]

For each horizon, the example's requirements as `wfm plan --horizon Nw` makes
them (`wfm forecast` and `wfm staff` with README command 1's files), or with
`--peak` the instance of `peak_season.py` (its seed, 400 agents), then
`scheduling.shifts.weekbound.weekly_bound` with its roster: once with the
hours two weeks' shifts reach priced (what `wfm plan` reports), printing the
seconds of the whole horizon's relaxation and each pass (the relaxation's
duals, the least-cost prices, where the relaxation is too large and the grid
finer than an hour the hourly relaxation's duals, its seconds including that
relaxation's, then each rise tried),
once without the duals' pass (`duals=False`, the bound up to e8771a0), and,
for the example, once with their rows dropped (`priced=False`, the bound up to
c1f07bf). Printed per horizon: the agent-hours required, the share of them in
those hours, the bounds and the seconds of each. The bounds do not depend on
the machine (root bounds or relaxations of HiGHS on one thread); the seconds
do.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scheduling.columns import AGENTS_SCHEDULED
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import Run, setup_run
from scheduling.shifts.relaxation import horizon_relaxation
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


def example(weeks: int, folder: Path) -> tuple[pd.DataFrame, Run, ScheduleOptions]:
    """The example's requirements (UTC), run and options over `weeks` weeks."""
    config = load_config(EXAMPLE / "wfm.toml")
    need = readers.read_requirements(requirements(weeks, folder), tz=config.timezone)
    planned = dataclasses.replace(config.scheduling, **week_layout(need, config))
    roster = readers.read_roster(EXAMPLE / "roster.csv", sites=[s.name for s in config.sites])
    run = setup_run(need, sites=list(config.sites), options=planned, roster=roster)
    options = dataclasses.replace(planned, cyclic=False)  # as `weeks.schedule_horizon`
    return _with_utc(need), run, options


def peak(weeks: int) -> tuple[pd.DataFrame, Run, ScheduleOptions]:
    """`peak_season.py`'s requirements (UTC), run and options over `weeks` weeks."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import peak_season

    rng = np.random.default_rng(2026)  # as peak_season.main
    need = peak_season.requirements(weeks, rng)
    roster = peak_season.roster(400, rng)
    options = peak_season.schedule_options()
    run = setup_run(need, sites=peak_season.sites(), options=options, roster=roster)
    return _with_utc(need), run, options


def measure(
    weeks: int, frame: pd.DataFrame, run: Run, options: ScheduleOptions, *, dropped: bool
) -> None:
    """Print the horizon's share of shared hours and its bounds (module docstring)."""
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
    clock = time.perf_counter()
    began = [clock]

    def passed(label: str, bound: float | None) -> None:
        now = time.perf_counter()
        shown = "none" if bound is None else f"{bound:,.2f}"
        print(f"    {label}: {shown} in {now - began[0]:.1f} s", flush=True)
        began[0] = now

    relaxation = horizon_relaxation(frame, run, options)
    seconds = time.perf_counter() - clock
    built = "none" if relaxation is None else f"{len(relaxation.duals):,} duals"
    print(f"    the whole horizon's relaxation: {built} in {seconds:.1f} s", flush=True)
    began[0] = time.perf_counter()
    bound = weekly_bound(
        frame, run, options, relaxation=relaxation, build_relaxation=False, on_pass=passed
    )
    seconds = time.perf_counter() - clock
    print(f"  priced : bound {bound:,.2f} in {seconds:.1f} s", flush=True)
    clock = began[0] = time.perf_counter()
    bound = weekly_bound(frame, run, options, duals=False, on_pass=passed)
    seconds = time.perf_counter() - clock
    print(f"  without the duals' pass: bound {bound:,.2f} in {seconds:.1f} s", flush=True)
    if dropped:
        clock = time.perf_counter()
        bound = weekly_bound(frame, run, options, priced=False)
        seconds = time.perf_counter() - clock
        print(f"  dropped: bound {bound:,.2f} in {seconds:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--peak", action="store_true", help="peak_season.py's instance")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for weeks in args.weeks:
            if args.peak:
                measure(weeks, *peak(weeks), dropped=False)
            else:
                measure(weeks, *example(weeks, Path(folder)), dropped=True)


if __name__ == "__main__":
    main()
