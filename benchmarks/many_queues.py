"""One week of 50 queues at two sites, with anonymous agents and with a 400-agent roster.

Run: python benchmarks/many_queues.py [--queues 50] [--agents 400] [--sets]

A synthetic company (seeded; nothing from the example): `--queues` voice
queues, each with its own requirement curve over a week of hourly intervals
(0.2-2.0 agents at its peak), served by Austin (weekdays 07-19) and Manila
(round the clock), 8-hour shifts, a 300 s time limit. The roster puts a third
of the agents in Austin and the rest in Manila, each with a random mix of 2-5
queues (so nearly every agent's skill set is its own). It runs `wfm schedule`
without and with the roster and prints each run's wall time and the lines of
stderr that say how it went (solver, objective on the final schedule,
coverage). Timings depend on the machine; the rest does not. `--sets` only
prints the Hall sets of queues (`model.hall_sets`) of an interval where every
planned skill group of both sites is on duty, and the seconds finding them took.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SITES = [
    ("Austin", "America/Chicago", "07:00", "19:00", ["mon", "tue", "wed", "thu", "fri"]),
    ("Manila", "Asia/Manila", "00:00", "24:00", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
]


def write_company(folder: Path, queues: int, agents: int) -> None:
    """wfm.toml, requirements.csv and roster.csv of the synthetic company in `folder`."""
    rng = np.random.default_rng(1)
    names = [f"q{i:02d}" for i in range(queues)]
    listed = ", ".join(f'"{q}"' for q in names)
    lines = ["interval_minutes = 60", 'timezone = "America/New_York"']
    for q in names:
        lines += [f"[queues.{q}]", 'channel = "voice"', "aht_seconds = 300"]
        lines += ["service_level = 0.8", "answer_seconds = 30", "shrinkage = 0.3"]
    for name, tz, opens, closes, days in SITES:
        lines += ["[[sites]]", f'name = "{name}"', f'timezone = "{tz}"', f'open = "{opens}"']
        lines += [f'close = "{closes}"', "days = [" + ", ".join(f'"{d}"' for d in days) + "]"]
        lines += [f"queues = [{listed}]", "shift_hours = [8]", "start_step_minutes = 60"]
        lines += [f"max_agents = {agents}", "cost_per_hour = 20.0"]
    lines += ["[scheduling]", "time_limit_seconds = 300"]
    (folder / "wfm.toml").write_text("\n".join(lines) + "\n")
    times = pd.date_range("2026-11-23 05:00", periods=168, freq="h", tz="UTC")
    rows = []
    for q in names:
        peak = rng.uniform(0.2, 2.0)
        for t in times:
            hour = (t.hour - 5) % 24
            rows.append(
                (t.isoformat(), q, round(peak * (0.4 + 0.6 * np.sin(np.pi * hour / 24) ** 2), 4))
            )
    need = pd.DataFrame(rows, columns=["interval_start", "queue", "agents_scheduled"])
    need["agents"] = np.ceil(need["agents_scheduled"] * 0.7)
    need["channel"] = "voice"
    need.to_csv(folder / "requirements.csv", index=False)
    staff = []
    for i in range(agents):
        site = "Austin" if i < agents // 3 else "Manila"
        skills = sorted(rng.choice(names, int(rng.integers(2, 6)), replace=False))
        staff.append((f"agent{i:03d}", site, ";".join(skills), 40, "", ""))
    columns = ["agent", "site", "skills", "contracted_hours", "days_unavailable", "preferred_start"]
    pd.DataFrame(staff, columns=columns).to_csv(folder / "roster.csv", index=False)


def print_sets(folder: Path) -> None:
    """The Hall sets of an interval with every planned group on duty, and their time."""
    import dataclasses

    from scheduling.shifts.model import hall_sets
    from scheduling.shifts.planner import setup_run
    from wfm import readers
    from wfm.app import week_layout
    from wfm.config import load_config

    config = load_config(folder / "wfm.toml")
    need = readers.read_requirements(folder / "requirements.csv", tz=config.timezone)
    roster = readers.read_roster(folder / "roster.csv", sites=[s.name for s in config.sites])
    options = dataclasses.replace(config.scheduling, **week_layout(need, config))
    run = setup_run(need, sites=list(config.sites), options=options, roster=roster)
    groups = sorted({tuple(group.queues) for group in run.groups})
    queues = sorted(need["queue"].unique())
    began = time.perf_counter()
    sets = hall_sets(queues, groups)
    seconds = time.perf_counter() - began
    print(f"{len(groups)} groups, {len(queues)} queues: {len(sets):,} Hall sets in {seconds:.2f} s")


def run(folder: Path, roster: bool) -> None:
    wfm = str(Path(sys.executable).with_name("wfm"))
    command = [wfm, "schedule", "requirements.csv", "--config", "wfm.toml", "-o", "schedule.csv"]
    if roster:
        command += ["--roster", "roster.csv"]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    label = "roster" if roster else "anonymous"
    print(f"{label}: exit {done.returncode}, {seconds:.1f} s", flush=True)
    keep = ("solver", "schedule:", "coverage:", "Error", "planned as")
    for line in done.stderr.splitlines():
        if line.startswith(keep) or any(k in line for k in keep[3:]):
            print(f"    {line}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--agents", type=int, default=400)
    parser.add_argument("--sets", action="store_true", help="only the Hall sets and their time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_company(folder, args.queues, args.agents)
        if args.sets:
            print_sets(folder)
            return
        run(folder, roster=False)
        run(folder, roster=True)


if __name__ == "__main__":
    main()
