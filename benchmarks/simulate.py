"""`wfm simulate`: speed on the example company's week, agreement with Ciw and Erlang C.

Speed. The example company's week at 15-minute intervals (the forecast of
`wfm forecast --interval 15 --horizon 1w`) against the schedule of
`wfm plan` (hourly, one week; --plan DIR reads DIR/schedule.csv, else it is
planned here once and kept in DIR), 200 replications, default assumptions
(forecast error, lognormal handle times, absence, blended routing), with 1
worker and with 2: wall seconds and simulated contacts per second.

Reference: the same week's phone queue alone, textbook mode (Poisson arrivals
at the forecast, exponential handle times), with the Erlang C headcount of each
interval (`staff_requirements`'s `agents`) as dedicated agents; in wfm an agent
whose hours end finishes the call in hand. Ciw (the discrete-event simulation
library: `ciw.dists.PoissonIntervals` arrivals, a `ciw.Schedule` of servers
per interval) runs the same system. Ciw replaces all servers at every schedule
change; with `preemption="resume"` a call in service moves to the new servers
and keeps its remaining time (its wait is taken from its first service start),
which is the same system except that a leaving agent's call is handed over
rather than finished. (Ciw's non-preemptive schedule instead lets the old
servers finish while the new ones start, adding capacity at every 15-minute
boundary: a different system.) A second run staffs the week with a constant
headcount (the peak's Erlangs, rounded up), so there are no schedule changes
and both simulators run exactly the same M/M/N queue with time-varying
arrivals. Printed: the week's service level (answered within 30 s / offered),
ASA and calls per replication for wfm, Ciw and Erlang C's interval-by-interval
prediction; the mean absolute difference of the per-interval service level
between wfm and Ciw (and what Ciw differs from itself between two seeds, the
noise floor); and each simulator's contacts per second.

    python benchmarks/simulate.py [--plan DIR] [--replications 200] [--ciw-replications 100]

Timing is wall-clock on whatever else the machine runs; no result asserts a time.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import ciw
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.simulation.model import build_model  # noqa: E402
from scheduling.simulation.options import SimulationOptions  # noqa: E402
from scheduling.simulation.simulate import run_one, simulate_schedule  # noqa: E402
from scheduling.staffing.requirements import staff_requirements  # noqa: E402
from wfm import app, readers, writers  # noqa: E402
from wfm.config import load_config  # noqa: E402

EXAMPLE = ROOT / "examples" / "company"


def example_week(plan: Path) -> tuple[object, pd.DataFrame, pd.DataFrame]:
    """(config, 15-minute forecast, schedule) of the example company's first week."""
    config = load_config(EXAMPLE / "wfm.toml")
    schedule_file = plan / "schedule.csv"
    if not schedule_file.exists():
        print(f"planning the example week into {plan} (a few minutes) ...", file=sys.stderr)
        request = app.ForecastRequest(
            history=EXAMPLE / "tickets.csv.gz", horizon="1w", events=EXAMPLE / "events.csv"
        )
        forecast = app.run_forecast(request, config).forecast
        requirements = app.run_staff(forecast, config)
        result = app.run_schedule(requirements, config, roster=EXAMPLE / "roster.csv")
        plan.mkdir(parents=True, exist_ok=True)
        writers.write_text(writers.schedule_csv_text(result.schedule), schedule_file)
    schedule = readers.read_schedule(
        schedule_file, tz=config.timezone, sites=[s.name for s in config.sites]
    )
    request = app.ForecastRequest(
        history=EXAMPLE / "tickets.csv.gz",
        horizon="1w",
        events=EXAMPLE / "events.csv",
        interval_minutes=15,
    )
    forecast = app.run_forecast(request, config).forecast
    return dataclasses.replace(config, interval_minutes=15), forecast, schedule


def speed(config, forecast, schedule, replications: int) -> list[tuple[str, float, float]]:
    rows = []
    for workers in (1, 2):
        options = SimulationOptions(
            replications=replications, seed=1, level=config.forecast.level, workers=workers
        )
        begin = time.perf_counter()
        result = simulate_schedule(
            schedule,
            forecast,
            config.queues,
            interval_minutes=15,
            options=options,
            cyclic=config.scheduling.cyclic,
        )
        seconds = time.perf_counter() - begin
        contacts = result.intervals["offered"].sum() * replications
        rows.append((f"wfm, {workers} worker(s)", seconds, contacts / seconds))
    return rows


def phone_system(config, forecast, *, constant: bool = False):
    """Phone forecast, agents per interval (Erlang C's, or constant), and their schedule."""
    phone = forecast[forecast["queue"] == "phone"].sort_values("interval_start")
    phone = phone.reset_index(drop=True)
    spec = config.queues["phone"]
    requirements = staff_requirements(phone, {"phone": spec}, interval_minutes=15)
    agents = requirements["agents"].round().astype(int).to_numpy()
    if constant:  # the peak's Erlangs, rounded up: peaks queue, no shift changes
        peak = (phone["volume"] * spec.aht_seconds / 900).max()
        agents = np.full(len(agents), int(np.ceil(peak)))
    starts = pd.DatetimeIndex(phone["interval_start"])
    rows = []
    for k in range(int(agents.max())):
        on = agents > k
        edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(int), [0]])))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            end = starts[b - 1] + pd.Timedelta(minutes=15)
            rows.append((f"p{k}", starts[a], end))
    schedule = pd.DataFrame(rows, columns=["agent", "start", "end"])
    schedule["site"], schedule["queue"] = "x", "phone"
    schedule["break_start"], schedule["break_end"] = pd.NaT, pd.NaT
    return phone, requirements, agents, schedule


def wfm_phone(config, phone, schedule, replications: int):
    spec = config.queues["phone"]
    options = SimulationOptions(replications=replications, seed=3, textbook=True)
    model = build_model(
        schedule, phone, {"phone": spec}, interval_minutes=15, options=options, cyclic=False
    )
    met, offered, answered, wait = (np.zeros(len(phone)) for _ in range(4))
    begin = time.perf_counter()
    for child in np.random.SeedSequence(3).spawn(replications):
        sums = run_one(model, np.random.Generator(np.random.PCG64(child)))
        met += sums["met"][:, 0]
        offered += sums["offered"][:, 0]
        answered += sums["answered"][:, 0]
        wait += sums["wait"][:, 0]
    seconds = time.perf_counter() - begin
    return met, offered, answered, wait, seconds


def ciw_phone(config, phone, agents, replications: int, seed: int):
    spec = config.queues["phone"]
    size = 900.0
    n = len(phone)
    ends = [(i + 1) * size for i in range(n)]
    rates = (phone["volume"].to_numpy() / size).tolist()
    met, offered, answered, wait = (np.zeros(n) for _ in range(4))
    begin = time.perf_counter()
    for r in range(replications):
        ciw.seed(seed + r)
        network = ciw.create_network(
            arrival_distributions=[
                ciw.dists.PoissonIntervals(rates=rates, endpoints=ends, max_sample_date=n * size)
            ],
            service_distributions=[ciw.dists.Exponential(rate=1 / spec.aht_seconds)],
            number_of_servers=[
                int(agents[0])
                if len(set(agents)) == 1
                else ciw.Schedule(
                    numbers_of_servers=[int(a) for a in agents],
                    shift_end_dates=ends,
                    preemption="resume",
                )
            ],
        )
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(n * size + 4 * 3600)  # let the last calls finish
        first: dict[int, tuple[float, float]] = {}  # customer -> (arrival, first service)
        for rec in sim.get_all_records():
            seen = first.get(rec.id_number)
            if seen is None or rec.service_start_date < seen[1]:
                first[rec.id_number] = (rec.arrival_date, rec.service_start_date)
        for arrival, begun in first.values():
            i = int(arrival // size)
            if i >= n:
                continue
            offered[i] += 1
            answered[i] += 1
            wait[i] += begun - arrival
            met[i] += begun - arrival <= spec.answer_seconds
    seconds = time.perf_counter() - begin
    return met, offered, answered, wait, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=Path("/tmp/wfm-bench-simulate"))
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--ciw-replications", type=int, default=100)
    args = parser.parse_args()
    config, forecast, schedule = example_week(args.plan)
    print(
        f"example week: {forecast['interval_start'].nunique()} intervals of 15 min, "
        f"{forecast['volume'].sum():,.0f} contacts forecast, {len(schedule)} shifts of "
        f"{schedule['agent'].nunique()} agents"
    )
    print(f"\nspeed, {args.replications} replications, default assumptions:")
    for name, seconds, rate in speed(config, forecast, schedule, args.replications):
        print(f"  {name:<20} {seconds:7.1f} s   {rate:10,.0f} contacts/s")

    for constant in (False, True):
        compare_phone(config, forecast, args.ciw_replications, constant=constant)


def compare_phone(config, forecast, replications: int, *, constant: bool) -> None:
    phone, requirements, agents, dedicated = phone_system(config, forecast, constant=constant)
    ours = wfm_phone(config, phone, dedicated, replications)
    theirs = ciw_phone(config, phone, agents, replications, seed=100)
    again = ciw_phone(config, phone, agents, replications, seed=100_000)
    volume = phone["volume"].to_numpy()
    staffing = (
        f"a constant {agents[0]} agents"
        if constant
        else f"Erlang C agents per interval ({int(agents.sum() / 4):,} agent-hours)"
    )
    print(f"\nphone alone, textbook, {staffing}, {replications} replications each:")
    print(f"  {'':<10} {'week SL':>8} {'ASA s':>7} {'calls/rep':>10} {'contacts/s':>11}")
    for name, (met, offered, answered, wait, seconds) in (("wfm", ours), ("Ciw", theirs)):
        print(
            f"  {name:<10} {met.sum() / offered.sum():8.4f} {wait.sum() / answered.sum():7.2f} "
            f"{offered.sum() / replications:10.1f} {offered.sum() / seconds:11,.0f}"
        )
    if not constant:
        erlang_sl = (requirements["service_level"].to_numpy() * volume).sum() / volume.sum()
        erlang_asa = (requirements["asa_seconds"].to_numpy() * volume).sum() / volume.sum()
        print(f"  {'Erlang C':<10} {erlang_sl:8.4f} {erlang_asa:7.2f} {volume.sum():10.1f}")
    busy = volume > 1

    def per_interval(x):
        return x[0][busy] / np.maximum(x[1][busy], 1)

    gap = np.abs(per_interval(ours) - per_interval(theirs)).mean()
    noise = np.abs(per_interval(again) - per_interval(theirs)).mean()
    print(
        f"  per-interval SL, mean |wfm - Ciw| {gap:.4f}; |Ciw - Ciw (other seeds)| {noise:.4f} "
        f"over {int(busy.sum())} intervals with > 1 call forecast"
    )


if __name__ == "__main__":
    main()
