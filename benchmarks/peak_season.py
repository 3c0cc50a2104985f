"""A large peak-season instance: 4 weeks, 15-minute intervals, 5 sites, 6 queues, 400 agents.

Run: python benchmarks/peak_season.py [--weeks 4] [--agents 400] [--node-limit 100]
        [--time-limit 300] [--rolling] [--minutes 15] [--mixed-skills] [--json PATH]
        [--sizes] [--no-relaxation] [--large-nonzeros N] [--guide-limit N]

Instance (built deterministically from a seed, no data files):

- Horizon: 4 weeks from Monday 2026-10-19 00:00 UTC, 15-minute intervals. Dublin
  leaves summer time on 25 October and Austin on 1 November, both inside it.
- Sites (time zone, open hours local, days, shift lengths, cost per hour):
  Austin (America/Chicago, 07-19, Mon-Fri, 8 h, 32), Dublin (Europe/Dublin, 08-20,
  Mon-Fri, 8 h, 28), Manila (Asia/Manila, round the clock, every day, 8 or 9 h, 12),
  Bangalore (Asia/Kolkata, 06-22, every day, 8 or 9 h, 10), Sydney
  (Australia/Sydney, 08-20, Mon-Sat, 8 h, 30). Shifts start every 30 minutes; a
  30-minute break in shifts of 6 h or more.
- Queues: phone_en, chat_en, email_en, phone_es, chat_es, billing; each site
  serves four to six of them.
- Requirements per queue and interval: a day curve on New York time (busy
  09-17, quiet at night), less at weekends, rising over the four weeks (a peak),
  with noise; about 86 agents on duty on average.
- Roster: 400 named agents (Austin 90, Dublin 60, Manila 120, Bangalore 80,
  Sydney 50); contracts of 40 h (70%), 30 h (20%) or 20 h (10%) a week; one in
  five unavailable on one or two weekdays; each with one of four skill profiles
  (all of its site's queues 40%, English phone and chat 25%, Spanish phone and
  chat plus English chat 15%, email and billing 20%; a profile keeps only its
  site's queues).
- Rules: at most 5 days and 45 h a week, two days off in a row, 11 h rest,
  a weekend off within 4 weeks; shortfall 1000 per agent-hour. Per calendar
  week of each site, or with `--rolling` in every 7 consecutive days
  (`weekly_rules = "rolling"`).
- `--minutes 30` or `60`: the requirements averaged onto that interval.
- `--mixed-skills`: each agent's skills are instead a random non-empty mix of
  its site's queues (each queue with probability one half, seeded): up to 63
  skill groups a site instead of four profiles.

`--no-relaxation` leaves out the whole horizon's linear relaxation (as above
its size limit: `scheduling.shifts.relaxation`) and its hourly stand-in, so that
each week covers its last hours alone and the bound has no duals' pass: for
comparison.

`--large-nonzeros N` sets `scheduling.rounding.LARGE_NONZEROS` (500,000), the
size from which a programme is solved from its interior-point relaxation and a
search around its rounding: for comparison.

`--guide-limit N` sets `scheduling.shifts.relaxation.RELAXATION_GUIDE_SHIFT_INTERVALS`
(20,000), the largest week (candidate shift-intervals times skill groups) whose
last hours the whole horizon's relaxation splits between the weeks; above it the
relaxation only prices the bound: for comparison.

`--sizes` builds the shift programme of the first 7 days only (as a one-week run
would) and prints its nonzeros
and rows per family of rows (the prefix of the row names), largest first, and
each site whose skill sets it merged (`skills.planning_skills`).

Printed: per week the solver gap and seconds, then the whole plan's time, the
objective measured on the final schedule, the bound (the weeks' bound,
`scheduling.shifts.weekbound`), their gap, agent-hours short and unfilled
agent-shifts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from scheduling import rounding
from scheduling.shifts import relaxation, weekbound, weeks
from scheduling.shifts.model import build_model
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import setup_run
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.weeks import Relaxed, WeekDone, schedule_horizon

START = pd.Timestamp("2026-10-19 00:00Z")
QUEUES = ("phone_en", "chat_en", "email_en", "phone_es", "chat_es", "billing")
PROFILES = (
    None,
    ("phone_en", "chat_en"),
    ("phone_es", "chat_es", "chat_en"),
    ("email_en", "billing"),
)
PROFILE_SHARES = (0.4, 0.25, 0.15, 0.2)
WEEKDAYS = (0, 1, 2, 3, 4)
EVERY_DAY = tuple(range(7))
SITES = (
    # name, zone, open, close (minutes), days, shift hours, cost, queues, agents
    ("Austin", "America/Chicago", 420, 1140, WEEKDAYS, (8.0,), 32.0, QUEUES, 90),
    ("Dublin", "Europe/Dublin", 480, 1200, WEEKDAYS, (8.0,), 28.0, QUEUES[:3] + QUEUES[5:], 60),
    ("Manila", "Asia/Manila", 0, 1440, EVERY_DAY, (8.0, 9.0), 12.0, QUEUES, 120),
    (
        "Bangalore",
        "Asia/Kolkata",
        360,
        1320,
        EVERY_DAY,
        (8.0, 9.0),
        10.0,
        QUEUES[:3] + QUEUES[5:],
        80,
    ),
    ("Sydney", "Australia/Sydney", 480, 1200, (0, 1, 2, 3, 4, 5), (8.0,), 30.0, QUEUES[:5], 50),
)


def sites() -> list[Site]:
    return [
        Site(
            name=name,
            timezone=zone,
            open_minutes=opens,
            close_minutes=closes,
            days=days,
            queues=queues,
            shift_hours=hours,
            start_step_minutes=30,
            cost_per_hour=cost,
        )
        for name, zone, opens, closes, days, hours, cost, queues, _ in SITES
    ]


def requirements(weeks: int, rng: np.random.Generator) -> pd.DataFrame:
    """Agents needed per queue and 15-minute interval (see the module docstring)."""
    times = pd.date_range(START, periods=weeks * 7 * 96, freq="15min")
    local = times.tz_convert("America/New_York")
    hour = local.hour + local.minute / 60
    day_curve = 0.25 + 0.75 * np.exp(-(((hour - 13.0) / 4.5) ** 2))
    weekend = np.where(local.day_of_week >= 5, 0.55, 1.0)
    growth = 1.0 + 0.25 * np.arange(len(times)) / len(times)
    shares = {"phone_en": 0.3, "chat_en": 0.22, "email_en": 0.14, "phone_es": 0.12}
    shares |= {"chat_es": 0.1, "billing": 0.12}
    rows = []
    for queue, share in shares.items():
        mean = 150.0 * share * day_curve * weekend * growth
        noisy = mean * rng.lognormal(0.0, 0.08, len(times))
        rows.append(
            pd.DataFrame({"interval_start": times, "queue": queue, "agents_scheduled": noisy})
        )
    return pd.concat(rows, ignore_index=True)


def roster(total: int, rng: np.random.Generator) -> pd.DataFrame:
    """Named agents by site, with contracts, unavailable days and skills."""
    rows = []
    scale = total / sum(spec[-1] for spec in SITES)
    for name, _, _, _, _, _, _, queues, agents in SITES:
        for k in range(round(agents * scale)):
            contract = rng.choice([40, 30, 20], p=[0.7, 0.2, 0.1])
            off = ""
            if rng.random() < 0.2:
                days = rng.choice(7, size=rng.integers(1, 3), replace=False)
                off = ";".join(
                    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][d] for d in sorted(days)
                )
            profile = PROFILES[rng.choice(len(PROFILES), p=PROFILE_SHARES)]
            skills = ";".join(sorted(q for q in (profile or queues) if q in queues))
            rows.append(
                {
                    "agent": f"{name}-{k + 1:03d}",
                    "site": name,
                    "skills": skills,
                    "contracted_hours": int(contract),
                    "days_unavailable": off,
                }
            )
    return pd.DataFrame(rows)


def on_grid(need: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """The 15-minute requirements averaged onto `minutes`-long intervals (the
    mean of the rows present: every one is, so it equals
    `demand.coarser_requirements` up to rounding; kept so that the figures
    measured at 60 minutes stay the same to the cent)."""
    if minutes == 15:
        return need
    coarse = need.assign(interval_start=need["interval_start"].dt.floor(f"{minutes}min"))
    return coarse.groupby(["interval_start", "queue"], as_index=False)["agents_scheduled"].mean()


def mixed_skills(site_of: pd.Series, rng: np.random.Generator) -> list[str]:
    """Per agent, a random non-empty mix of its site's queues (each with p = 1/2)."""
    queues = {spec[0]: spec[7] for spec in SITES}
    out = []
    for site in site_of:
        mine = queues[site]
        while True:
            keep = rng.random(len(mine)) < 0.5
            drawn = [q for q, kept in zip(mine, keep, strict=True) if kept]
            if drawn:
                out.append(";".join(sorted(drawn)))
                break
    return out


def schedule_options(
    *,
    time_limit: float = 300.0,
    node_limit: int = 100,
    weekly_rules: str = "calendar",
    minutes: int = 15,
) -> ScheduleOptions:
    """The instance's rules: 15-minute intervals (or `minutes`), at most 45 h a
    week, not cyclic."""
    return ScheduleOptions(
        weekly_rules=weekly_rules,
        interval_minutes=minutes,
        time_limit_seconds=time_limit,
        gap=0.02,
        node_limit=node_limit,
        max_hours_per_week=45.0,
        cyclic=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--agents", type=int, default=400)
    parser.add_argument("--node-limit", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--rolling", action="store_true")
    parser.add_argument("--minutes", type=int, choices=(15, 30, 60), default=15)
    parser.add_argument("--mixed-skills", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--sizes", action="store_true")
    parser.add_argument("--no-relaxation", action="store_true")
    parser.add_argument("--large-nonzeros", type=int)
    parser.add_argument("--guide-limit", type=int)
    args = parser.parse_args()
    if args.guide_limit is not None:
        relaxation.RELAXATION_GUIDE_SHIFT_INTERVALS = args.guide_limit
    if args.large_nonzeros is not None:
        rounding.LARGE_NONZEROS = args.large_nonzeros
    if args.no_relaxation:
        weeks.horizon_relaxation = lambda *_: None
        weekbound.coarse_relaxation = lambda *_: None  # the bound's process is forked
    rng = np.random.default_rng(2026)
    need = on_grid(requirements(args.weeks, rng), args.minutes)
    staff = roster(args.agents, rng)
    if args.mixed_skills:
        staff["skills"] = mixed_skills(staff["site"], np.random.default_rng(7))
    options = schedule_options(
        time_limit=args.time_limit,
        node_limit=args.node_limit,
        weekly_rules="rolling" if args.rolling else "calendar",
        minutes=args.minutes,
    )
    if args.sizes:
        print_sizes(need, staff, options)
        return

    def report(done: WeekDone | Relaxed) -> None:
        if isinstance(done, Relaxed):
            role = "guides the weeks" if done.guides else "prices the bound"
            hourly = args.minutes < 60 and not args.no_relaxation
            role = role if done.used else "not used" + (" (the bound tries it hourly)" * hourly)
            print(f"relaxation: {role}, {done.seconds:.0f} s", file=sys.stderr, flush=True)
            return
        gap = "unknown" if done.gap is None else f"{done.gap:.1%}"
        print(
            f"week {done.week}/{done.weeks}: solver gap {gap}, {done.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    clock = time.perf_counter()
    result = schedule_horizon(need, sites=sites(), options=options, roster=staff, progress=report)
    seconds = time.perf_counter() - clock
    hours = args.minutes / 60
    short = float(result.coverage["shortfall"].sum()) * hours
    required = float(result.coverage["required"].sum()) * hours
    figures = {
        "weeks": args.weeks,
        "weekly_rules": options.weekly_rules,
        "minutes": args.minutes,
        "agents": len(staff),
        "skill_groups": int(staff.groupby("site")["skills"].nunique().sum()),
        "seconds": round(seconds, 1),
        "objective": round(result.objective, 2),
        "bound": None if result.solve.bound is None else round(result.solve.bound, 2),
        "gap": None if result.solve.gap is None else round(result.solve.gap, 4),
        "short_agent_hours": round(short, 1),
        "required_agent_hours": round(required, 1),
        "unfilled_agent_shifts": result.unfilled_shifts,
        "shifts": len(result.schedule),
        "per_week": list(result.solve.notes),
        "relaxation_left_out": args.no_relaxation,
        "large_nonzeros": rounding.LARGE_NONZEROS,
        "guide_limit": relaxation.RELAXATION_GUIDE_SHIFT_INTERVALS,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def print_sizes(need: pd.DataFrame, staff: pd.DataFrame, options: ScheduleOptions) -> None:
    """The first week's shift programme, nonzeros and rows per family of rows."""
    week = need[need["interval_start"] < START + pd.Timedelta(days=7)]
    run = setup_run(week, sites=sites(), options=options, roster=staff)
    shifts = generate_shifts(run.active, start=run.horizon[0], end=run.horizon[1])
    model = build_model(week, shifts, sites=run.planned, options=options, groups=run.groups)
    nonzeros: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    for row in model.problem.constraints():
        family = re.match(r"[a-z]+", row.name).group(0)  # type: ignore[union-attr]
        nonzeros[family] += len(row)
        rows[family] += 1
    print(f"week 1: {sum(nonzeros.values()):,} nonzeros, {sum(rows.values()):,} rows")
    for family, count in nonzeros.most_common():
        print(f"  {family:<10} {count:>10,} nonzeros {rows[family]:>8,} rows")
    for site, (sets, groups) in sorted(run.merged.items()):
        print(f"{site}: {sets} skill sets planned as {groups} groups")


if __name__ == "__main__":
    main()
