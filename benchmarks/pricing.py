"""One agent's best week: the walk over day patterns against its own small programme.

Run: python benchmarks/pricing.py [--step 120] [--pricings 200] [--not-cyclic] [--json PATH]

The assignment by weeks (`scheduling.shifts.weekly`) prices an agent's week at
changing slot costs, thousands of times a plan. This times both exact pricings
on the same agent and costs, in the same process: `WeekPatterns.cheapest`
(`scheduling.shifts.patterns`) and `_Pricer.cheapest_by_programme` (HiGHS, its
programme built before timing). Instance: a round-the-clock site in Manila
(a week from Monday 05:00 UTC holds eight of its local days), every 8- and
9-hour shift starting on the `--step` minutes, an agent of 40 hours a week with
the example's rules (5 days, 2 days off in a row, 11 h rest), cyclic unless
`--not-cyclic`; costs drawn uniformly from -10 to 3 (seeded). Printed: slots,
milliseconds a pricing each way, their ratio, and how many leasts differ (by
more than 1e-6; 0 expected: both are exact).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scheduling.shifts.assign import _eligible, _Rules, make_slot
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import Agent
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.weekly import _Pricer

START = pd.Timestamp("2026-11-23 05:00Z")


def pricer(step_minutes: int, cyclic: bool) -> _Pricer:
    """The instance's agent and eligible slots (module docstring)."""
    site = Site(
        name="Manila",
        timezone="Asia/Manila",
        queues=("phone",),
        shift_hours=(8.0, 9.0),
        start_step_minutes=step_minutes,
    )
    end = START + pd.Timedelta(days=7)
    options = ScheduleOptions(cyclic=cyclic, break_minutes=0)
    rules = _Rules.at_site(options, site, (START, end))
    agent = Agent(name="a", site="Manila", skills=("phone",), max_hours=40.0)
    shifts = generate_shifts([site], start=START, end=end)
    slots = []
    for k, row in enumerate(shifts.itertuples()):
        span = (row.start, row.end)
        slot = make_slot(f"s{k}", site, ("phone",), span, row.paid_hours, START)
        if _eligible(agent, slot, rules):
            slots.append(slot)
    return _Pricer(agent, slots, rules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=120)
    parser.add_argument("--pricings", type=int, default=200)
    parser.add_argument("--not-cyclic", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    week = pricer(args.step, not args.not_cyclic)
    patterns = week.patterns
    if patterns is None:
        raise SystemExit("the walk does not apply to this instance")
    week.highs  # build the programme before timing  # noqa: B018
    rng = np.random.default_rng(2026)
    draws = [rng.uniform(-10.0, 3.0, len(week.slots)) for _ in range(args.pricings)]
    clock = time.perf_counter()
    walked = [patterns.cheapest(costs)[0] for costs in draws]
    walk = (time.perf_counter() - clock) / len(draws)
    clock = time.perf_counter()
    solved = [week.cheapest_by_programme(costs)[0] for costs in draws]
    programme = (time.perf_counter() - clock) / len(draws)
    differ = sum(abs(a - b) > 1e-6 for a, b in zip(walked, solved, strict=True))
    figures = {
        "slots": len(week.slots),
        "cyclic": not args.not_cyclic,
        "pricings": len(draws),
        "walk_ms": round(walk * 1000, 3),
        "programme_ms": round(programme * 1000, 3),
        "ratio": round(programme / walk, 1),
        "leasts_differ": differ,
    }
    print(
        f"{figures['slots']} slots, {'cyclic' if figures['cyclic'] else 'not cyclic'}: "
        f"walk {figures['walk_ms']:.2f} ms, programme {figures['programme_ms']:.2f} ms a "
        f"pricing ({figures['ratio']}x); {differ} of {len(draws)} leasts differ"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
