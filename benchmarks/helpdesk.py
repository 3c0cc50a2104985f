"""Helpdesk (Italian software company, 2010-2012): rolling 28-day forecasts of new tickets.

Run: python benchmarks/helpdesk.py [--models seasonal,auto] [--origins 17] [--no-peers]

Data: ../shared/data/helpdesk_ticket_logs (Verenich 2016, via Tax, Verenich,
La Rosa & Dumas 2017): the opening time of each of 3,804 tickets, about 3.8 a
day. The timestamps look shifted by an unknown offset (SOURCE.md), so the
forecast is scored on daily totals only. Tickets are counted per hour on the
file's own clock, read as Europe/Rome, with Italian public holidays.

From `--origins` cut-offs 28 days apart (the last leaves 28 days before the
data ends), each method is fitted on everything before the cut-off and
forecasts the next 28 days hourly. Reported:

- daily WAPE: sum |forecast - actual| / sum actual over the daily totals of all
  origins; ratio: over weekly seasonal naive's.
- bias: (sum forecast - sum actual) / sum actual.
- cover80: share of hours with a positive forecast or actual inside
  volume_low..volume_high (80 %).

With the peers installed (benchmarks/requirements-peers.txt, a venv of its
own; `--no-peers` skips them): statsforecast MSTL + AutoETS, LightGBM through
mlforecast (benchmarks/peers.py), and the equal-weight means of wfm's first
model with LightGBM and with LightGBM and the four-week average.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import peers  # noqa: E402

from forecasting.forecast import forecast_volume  # noqa: E402
from forecasting.history import complete_grid  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "helpdesk_ticket_logs"
ZONE = "Europe/Rome"
HORIZON_DAYS = 28
LEVEL = 0.8
COUNTRY = "IT"


def load() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "helpdesk_case_first_event.csv")
    local = pd.to_datetime(raw["first_event_at"]).dt.floor("h")
    starts = local.dt.tz_localize(ZONE, ambiguous=True, nonexistent="shift_forward")
    counts = (
        pd.DataFrame({"interval_start": starts.dt.tz_convert("UTC"), "queue": "tickets"})
        .groupby(["interval_start", "queue"])
        .size()
        .rename("volume")
        .reset_index()
    )
    first = counts["interval_start"].min().tz_convert(ZONE).normalize().tz_convert("UTC")
    last = counts["interval_start"].max().tz_convert(ZONE).normalize() + pd.Timedelta(days=1)
    ends = pd.DataFrame(
        {
            "interval_start": [first, last.tz_convert("UTC") - pd.Timedelta(hours=1)],
            "queue": "tickets",
            "volume": 0,
        }
    )
    counts = pd.concat([counts, ends]).groupby(["interval_start", "queue"], as_index=False).sum()
    return complete_grid(counts, interval_minutes=60)


def wfm(train: pd.DataFrame, model: str, horizon: int) -> pd.DataFrame:
    result = forecast_volume(
        train,
        horizon=horizon,
        interval_minutes=60,
        timezones={"tickets": ZONE},
        country=COUNTRY,
        level=LEVEL,
        model=model,
    )
    return result.forecast[["volume", "volume_low", "volume_high"]].reset_index(drop=True)


def peer(train: pd.DataFrame, name: str, horizon: int) -> pd.DataFrame:
    """statsforecast MSTL or LightGBM (mlforecast) on the same training history."""
    if name == "statsforecast MSTL":
        result = peers.mstl({"tickets": train}, horizon)
    else:
        result = peers.lightgbm({"tickets": train}, horizon, zone=ZONE, country=COUNTRY)
    mean, low, high = result["tickets"]
    return pd.DataFrame({"volume": mean, "volume_low": low, "volume_high": high})


PEERS = ("statsforecast MSTL", "LightGBM")


def run(history: pd.DataFrame, models: list[str], origins: int):
    end = history["interval_start"].max() + pd.Timedelta(hours=1)
    rows, seconds = [], {}
    for k in reversed(range(origins)):
        origin = end - pd.Timedelta(days=HORIZON_DAYS * (k + 1))
        train = history[history["interval_start"] < origin]
        test = history[
            (history["interval_start"] >= origin)
            & (history["interval_start"] < origin + pd.Timedelta(days=HORIZON_DAYS))
        ].reset_index(drop=True)
        for name in models:
            started = time.perf_counter()
            method = peer if name in PEERS else wfm
            forecast = method(train, name, len(test))
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
            rows.append(
                pd.DataFrame(
                    {
                        "origin": origin,
                        "method": name,
                        "date": test["interval_start"].dt.tz_convert(ZONE).dt.date.to_numpy(),
                        "actual": test["volume"].to_numpy(),
                        "volume": forecast["volume"].to_numpy(float),
                        "low": forecast["volume_low"].to_numpy(),
                        "high": forecast["volume_high"].to_numpy(),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True), seconds


def report(rows: pd.DataFrame, seconds: dict, order: list[str]) -> pd.DataFrame:
    table = []
    for name in order:
        part = rows[rows["method"] == name]
        daily = part.groupby(["origin", "date"])[["volume", "actual"]].sum()
        active = (part["volume"] > 0) | (part["actual"] > 0)
        inside = (part["actual"] >= part["low"]) & (part["actual"] <= part["high"])
        covered = inside[active].mean() if part["low"].notna().any() else float("nan")
        table.append(
            {
                "method": name,
                "daily WAPE": (daily["volume"] - daily["actual"]).abs().sum()
                / daily["actual"].sum(),
                "bias": (daily["volume"].sum() - daily["actual"].sum()) / daily["actual"].sum(),
                "cover80": covered,
                "seconds/fit": seconds[name] / part["origin"].nunique(),
            }
        )
    frame = pd.DataFrame(table)
    naive = frame.loc[frame["method"] == "seasonal_naive", "daily WAPE"].iloc[0]
    frame.insert(2, "ratio", frame["daily WAPE"] / naive)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="seasonal,auto", help="wfm models, comma-separated")
    parser.add_argument("--origins", type=int, default=17)
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast/LightGBM")
    args = parser.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    order = [*models, *[b for b in ("seasonal_naive", "weekly_average") if b not in models]]
    use_peers = peers.available() and not args.no_peers
    order += list(PEERS) if use_peers else []
    history = load()
    rows, seconds = run(history, order, args.origins)
    if use_peers:
        rows, combos = peers.with_combinations(rows, seconds, models[0])
        order += combos
    print(
        f"Helpdesk tickets, hourly, scored on daily totals: {args.origins} origins x "
        f"{HORIZON_DAYS} days, expanding window"
    )
    print(report(rows, seconds, order).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
