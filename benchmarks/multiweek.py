"""The example company's plan over 1, 2, 4 and 8 weeks: time, gap and shortfall as ratios.

Run: python benchmarks/multiweek.py [--weeks 1 2 4 8] [--json PATH]

Each horizon is `wfm plan` exactly as README command 1 runs it, with
`--horizon Nw` (forecast, staff, schedule with the example roster; the example's
wfm.toml: 60-minute intervals, node_limit 100). Reported per horizon:

- seconds: the whole `wfm plan` run, wall clock (forecast and staffing included);
- gap: the plan's objective measured on the final schedule (paid cost + 1000 per
  agent-hour short + 0.01 per agent-hour over) against the bound: the solver's
  bound for one week, the weeks' bound (`weekbound.weekly_bound`) for more;
- short per week: agent-hours below the requirement in the final coverage,
  divided by the weeks;
- unfilled: agent-shifts the programme chose that no roster agent could take
  (the extra shifts, the repair and the sweep may cover their hours with other
  shifts), and the agent-hours of their hours and queues still short in the
  final schedule (plan.json's `unfilled_short_agent_hours`);
- starts: distinct local start times per agent and week (mean over agent-weeks
  with two or more shifts), and the mean clock distance between an agent's
  starts in a week, hours (`steady_starts` swaps lower both).

Ratios are to the one-week run of the same process. Timings depend on the
machine and its load; the gaps and shortfalls do not (node limits). The example's
one-week plan is cyclic (a week that repeats) and the weeks of a longer plan are
not; `--not-cyclic` also runs one week with `cyclic = false`, the like-for-like
reference for the shortfall of a longer plan. `--steady-off` runs every horizon
with `steady_starts = 0` (no swaps for steadier starts), to compare the starts.
`--rolling` runs every horizon with `weekly_rules = "rolling"` (days, hours and
days off in every 7 consecutive days instead of per calendar week).
`--no-roster` plans with anonymous agents (no `--roster`), and
`--programme-passes N` sets `programme_passes` (N = 0: the programme's answer
is not refined window by window, in a one-week plan nor in the weeks of a
longer one).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "company"


def run_plan(
    weeks: int, folder: Path, config: Path = EXAMPLE / "wfm.toml", roster: bool = True
) -> dict[str, float]:
    """One `wfm plan --horizon {weeks}w`; its figures from stderr and plan.json."""
    out = folder / f"plan{weeks}{'' if config.parent == EXAMPLE else '-' + config.stem}"
    command = [
        str(Path(sys.executable).with_name("wfm")),
        "plan",
        "--config",
        str(config),
        "--history",
        str(EXAMPLE / "tickets.csv.gz"),
        "--events",
        str(EXAMPLE / "events.csv"),
        *(["--roster", str(EXAMPLE / "roster.csv")] if roster else []),
        "--horizon",
        f"{weeks}w",
        "--out",
        str(out),
    ]
    clock = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - clock
    plan = json.loads((out / "plan.json").read_text())
    short = plan["coverage"]["short_agent_hours"]
    unfilled = plan["coverage"]["unfilled_shifts"]
    unfilled_short = plan["coverage"]["unfilled_short_agent_hours"]
    solve = plan["solve"]
    starts, spread = start_spread(pd.read_csv(out / "schedule.csv"))
    return {
        "weeks": weeks,
        "seconds": seconds,
        "objective": solve["schedule_objective"],
        "bound": solve["bound"],
        "gap": solve["schedule_gap"],
        "short_per_week": short / weeks,
        "unfilled": unfilled,
        "unfilled_short": unfilled_short,
        "starts": starts,
        "spread_hours": spread,
    }


def start_spread(schedule: pd.DataFrame) -> tuple[float, float]:
    """Mean distinct local starts per agent-week, and mean clock distance between them, h.

    Over agent-weeks (7-day blocks from the first shift's UTC day) with two or
    more shifts; the distance is the mean over pairs of starts, times the number
    of pairs over (shifts - 1).
    """
    starts = pd.to_datetime(schedule["start"], utc=True)
    first = starts.min().floor("D")
    distinct, spread = [], []
    for (_, zone), rows in schedule.assign(start=starts).groupby(["agent", "timezone"]):
        local = rows["start"].dt.tz_convert(zone)
        minutes = (local.dt.hour * 60 + local.dt.minute).to_numpy()
        weeks = ((rows["start"] - first).dt.days // 7).to_numpy()
        for week in sorted(set(weeks)):
            mine = minutes[weeks == week]
            if len(mine) < 2:
                continue
            gaps = [abs(a - b) % 1440 for k, a in enumerate(mine) for b in mine[k + 1 :]]
            distinct.append(len(set(mine)))
            spread.append(sum(min(g, 1440 - g) for g in gaps) / (len(mine) - 1) / 60)
    return float(sum(distinct) / len(distinct)), float(sum(spread) / len(spread))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--not-cyclic", action="store_true")
    parser.add_argument("--steady-off", action="store_true")
    parser.add_argument("--rolling", action="store_true")
    parser.add_argument("--no-roster", action="store_true")
    parser.add_argument("--programme-passes", type=int)
    args = parser.parse_args()
    rows = []
    flat_row = None
    with tempfile.TemporaryDirectory(prefix="wfm-weeks-") as folder:
        if args.not_cyclic:
            flat = Path(folder) / "not-cyclic.toml"
            text = (EXAMPLE / "wfm.toml").read_text()
            flat.write_text(text.replace("cyclic = true", "cyclic = false"))
            flat_row = run_plan(1, Path(folder), flat)
            print("not cyclic:", json.dumps(flat_row), file=sys.stderr, flush=True)
        config = EXAMPLE / "wfm.toml"
        settings = [
            line
            for line, wanted in (
                ("steady_starts = 0", args.steady_off),
                ('weekly_rules = "rolling"', args.rolling),
                (f"programme_passes = {args.programme_passes}", args.programme_passes is not None),
            )
            if wanted
        ]
        if settings:
            config = Path(folder) / "variant.toml"
            text = (EXAMPLE / "wfm.toml").read_text()
            lines = "".join(f"{line}\n" for line in settings)
            config.write_text(text.replace("[scheduling]\n", f"[scheduling]\n{lines}"))
        for weeks in args.weeks:
            rows.append(run_plan(weeks, Path(folder), config, roster=not args.no_roster))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    base = rows[0]
    print(
        "| weeks | time | time / week 1 | gap | short per week | short ratio | unfilled "
        "| starts per agent-week | start spread |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['weeks']} | {row['seconds']:.0f} s | {row['seconds'] / base['seconds']:.2f} "
            f"| {row['gap']:.1%} | {row['short_per_week']:.1f} | "
            f"{row['short_per_week'] / max(base['short_per_week'], 1e-9):.2f} | "
            f"{row['unfilled']} ({row['unfilled_short']:.1f} h short) | {row['starts']:.2f} | "
            f"{row['spread_hours']:.1f} h |"
        )
    if flat_row is not None:
        reference = max(flat_row["short_per_week"], 1e-9)
        for row in rows:
            print(
                f"{row['weeks']} week(s): short per week / one week not cyclic = "
                f"{row['short_per_week'] / reference:.2f}"
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
