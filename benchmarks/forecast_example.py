"""Forecast accuracy on the example company: rolling holdouts, model vs baseline.

Run: python benchmarks/forecast_example.py [--origins 4] [--weeks 4]

For each origin (the last `weeks` weeks, then `weeks` earlier, ...), fits on the
history before it and forecasts `weeks` weeks ahead, hourly. Prints WAPE per queue
for the seasonal model and seasonal naive, their ratio, the 80% interval coverage,
and the fit-and-forecast time of each model (as a ratio to seasonal naive, both run
here in the same process).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.forecast import forecast_volume  # noqa: E402
from forecasting.history import aggregate_contacts  # noqa: E402
from wfm import io  # noqa: E402
from wfm.config import load_config  # noqa: E402

EXAMPLES = ROOT / "examples" / "company"
MODELS = ("seasonal", "seasonal_naive")


def load():
    config = load_config(EXAMPLES / "wfm.toml")
    contacts, _ = io.read_history(
        EXAMPLES / "tickets.csv.gz", tz=config.timezone, queue_col=config.forecast.queue_column
    )
    history = aggregate_contacts(contacts, interval_minutes=config.interval_minutes)
    events = io.read_events(EXAMPLES / "events.csv", tz=config.timezone)
    return config, history, events


def run(config, history, events, *, origins: int, weeks: int) -> pd.DataFrame:
    rows = []
    end = history["interval_start"].max()
    for k in range(origins):
        cut = end - pd.Timedelta(weeks=weeks * (k + 1))
        train = history[history["interval_start"] <= cut]
        test = history[
            (history["interval_start"] > cut)
            & (history["interval_start"] <= cut + pd.Timedelta(weeks=weeks))
        ]
        for model in MODELS:
            started = time.perf_counter()
            result = forecast_volume(
                train,
                horizon=weeks * 168,
                interval_minutes=config.interval_minutes,
                timezones=config.queue_timezones(),
                default_aht=config.queue_aht(),
                events=events,
                country=config.forecast.country,
                level=config.forecast.level,
                model=model,
            )
            seconds = time.perf_counter() - started
            joined = result.forecast.merge(
                test, on=["interval_start", "queue"], suffixes=("", "_actual")
            )
            for queue, part in joined.groupby("queue"):
                actual = part["volume_actual"]
                rows.append(
                    {
                        "origin": cut.date(),
                        "model": model,
                        "queue": queue,
                        "abs_error": (part["volume"] - actual).abs().sum(),
                        "actual": actual.sum(),
                        "inside": (
                            (actual >= part["volume_low"]) & (actual <= part["volume_high"])
                        ).sum(),
                        "n": len(part),
                        "seconds": seconds,
                    }
                )
    return pd.DataFrame(rows)


def report(rows: pd.DataFrame) -> str:
    by = rows.groupby(["queue", "model"])[["abs_error", "actual", "inside", "n"]].sum()
    wape = (by["abs_error"] / by["actual"]).unstack("model")
    coverage = (by["inside"] / by["n"]).unstack("model")
    table = pd.DataFrame(
        {
            "wape_seasonal": wape["seasonal"],
            "wape_naive": wape["seasonal_naive"],
            "ratio": wape["seasonal"] / wape["seasonal_naive"],
            "cover80_seasonal": coverage["seasonal"],
            "cover80_naive": coverage["seasonal_naive"],
        }
    )
    seconds = rows.drop_duplicates(["origin", "model"]).groupby("model")["seconds"].mean()
    lines = [
        table.round(3).to_string(),
        "",
        f"mean fit+forecast seconds, all queues: seasonal {seconds['seasonal']:.2f}, "
        f"seasonal_naive {seconds['seasonal_naive']:.2f} "
        f"(ratio {seconds['seasonal'] / seconds['seasonal_naive']:.1f}x)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    rows = run(*load(), origins=args.origins, weeks=args.weeks)
    print(f"example company, {args.origins} origins x {args.weeks} weeks, hourly")
    print(report(rows))


if __name__ == "__main__":
    main()
