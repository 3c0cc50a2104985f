"""Forecast accuracy and speed on the example company (examples/company).

Run: python benchmarks/forecast_example.py [--origins 4] [--weeks 4]

Accuracy: wfm's own backtest (forecasting.backtest) at `origins` cut-offs, each
forecasting `weeks` weeks hourly from the history before it, with the example's
events file and US holidays. Prints per queue and model WAPE, its ratio to
seasonal naive, MASE, bias and 80 % interval coverage, all run here.

Speed: fit and forecast of one queue with two years of hourly history (the
example's phone queue, 6-week horizon), the median of five runs, per model,
beside seasonal naive's.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one BLAS thread is faster
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.backtest import backtest  # noqa: E402
from forecasting.forecast import forecast_volume  # noqa: E402
from forecasting.history import aggregate_contacts  # noqa: E402
from wfm import readers  # noqa: E402
from wfm.config import load_config  # noqa: E402

EXAMPLES = ROOT / "examples" / "company"
MODEL = "seasonal"
BASELINES = ("seasonal_naive", "weekly_average", "auto", "mstl")
SPEED_MODELS = ("seasonal", "auto", "mstl", "seasonal_naive")


def load():
    config = load_config(EXAMPLES / "wfm.toml")
    contacts, _ = readers.read_history(
        EXAMPLES / "tickets.csv.gz", tz=config.timezone, queue_col=config.forecast.queue_column
    )
    history = aggregate_contacts(contacts, interval_minutes=config.interval_minutes)
    events = readers.read_events(EXAMPLES / "events.csv", tz=config.timezone)
    return config, history, events


def accuracy(config, history, events, *, origins: int, weeks: int) -> pd.DataFrame:
    result = backtest(
        history,
        horizon=weeks * 168,
        interval_minutes=config.interval_minutes,
        origins=origins,
        model=MODEL,
        baselines=BASELINES,
        timezones=config.queue_timezones(),
        default_aht=config.queue_aht(),
        level=config.forecast.level,
        events=events,
        country=config.forecast.country,
    )
    return result.scores


def speed(config, history, events, *, repeats: int = 5) -> pd.DataFrame:
    phone = history[history["queue"] == "phone"]
    touches = events["queues"].eq("") | events["queues"].str.contains("phone")
    events = events[touches].assign(queues="")
    days = (phone["interval_start"].max() - phone["interval_start"].min()).days + 1
    rows = []
    for model in SPEED_MODELS:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            forecast_volume(
                phone,
                horizon=6 * 168,
                interval_minutes=config.interval_minutes,
                timezones=config.queue_timezones(),
                default_aht=config.queue_aht(),
                level=config.forecast.level,
                events=events,
                country=config.forecast.country,
                model=model,
            )
            times.append(time.perf_counter() - started)
        rows.append({"model": model, "history_days": days, "seconds": statistics.median(times)})
    frame = pd.DataFrame(rows)
    naive = frame.loc[frame["model"] == "seasonal_naive", "seconds"].iloc[0]
    frame["vs_naive"] = frame["seconds"] / naive
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    data = load()
    scores = accuracy(*data, origins=args.origins, weeks=args.weeks)
    print(f"example company, {args.origins} origins x {args.weeks} weeks, hourly")
    columns = ["queue", "model", "wape", "wape_vs_naive", "mase", "bias", "coverage"]
    print(scores[columns].round(3).to_string(index=False))
    print()
    print("fit + 6-week forecast of one queue (phone), median of 5 runs")
    print(speed(*data).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
