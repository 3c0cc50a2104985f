"""Anonymous Bank (Israel, 1999): rolling 14-day forecasts of hourly call arrivals.

Run: python benchmarks/anonymous_bank.py [--models seasonal,auto] [--step-days 14] [--no-peers]

Data: ../shared/data/anonymous_bank_1999 (Brown et al. 2005, "Statistical analysis
of a telephone call center: a queueing-science perspective", JASA 100(469)):
every call of 1999, counted per hour. The week runs Sunday to Thursday; Friday
is short and Saturday nearly closed; Jewish holidays come from the holidays
library ("IL"). The counts are on the centre's own clock; they are read in a
fixed UTC+2 zone, because the file has 24 hours on every day (no DST days).

From origins every `--step-days` days (the first after eight weeks, the last 14
days before the year ends), each method is fitted on everything before the
origin (an expanding window) and forecasts the next 14 days, hourly. Reported:

- WAPE: sum |forecast - actual| / sum actual over all origins and hours.
- MASE: per origin, mean absolute error over the in-sample mean absolute
  weekly-seasonal difference (lag 168 hours); the mean over origins.
- cover80: share of hours whose actual lies in volume_low..volume_high (80 %),
  over hours with a positive forecast or actual.
- holiday WAPE: WAPE on the local dates that are public holidays or their eves.
- ratio: WAPE over the weekly seasonal naive's.

Baselines in the same run: weekly seasonal naive (repeat the last week), the
mean of the last four weeks, statsmodels MSTL (periods 24 and 168 over the
whole history, trend + remainder by damped-trend exponential smoothing, the
statsforecast recipe) and, when installed (`pip install prophet`), Prophet with
its defaults plus the IL holidays and 80 % intervals. With the peers installed
(benchmarks/requirements-peers.txt, a venv of its own; `--no-peers` skips
them): statsforecast MSTL + AutoETS, LightGBM through mlforecast
(benchmarks/peers.py), and the equal-weight means of wfm's first model with
LightGBM and with LightGBM and the four-week average.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import sys
import time
import warnings
from pathlib import Path

import holidays as holidays_lib
import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import MSTL

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import peers  # noqa: E402

from forecasting.forecast import forecast_volume  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "anonymous_bank_1999"
ZONE = "Etc/GMT-2"  # UTC+2, Israel standard time, no DST
HORIZON_DAYS = 14
WARMUP_DAYS = 56
LEVEL = 0.8
COUNTRY = "IL"


def load() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "calls_hourly_1999.csv")
    local = pd.to_datetime(raw["date"]) + pd.to_timedelta(raw["hour"], unit="h")
    return pd.DataFrame(
        {
            "interval_start": local.dt.tz_localize(ZONE).dt.tz_convert("UTC"),
            "queue": "calls",
            "volume": raw["calls"].astype(float),
        }
    )


def origins(history: pd.DataFrame, step_days: int) -> list[pd.Timestamp]:
    first = history["interval_start"].min()
    last = history["interval_start"].max() + pd.Timedelta(hours=1)
    out, at = [], first + pd.Timedelta(days=WARMUP_DAYS)
    while at + pd.Timedelta(days=HORIZON_DAYS) <= last:
        out.append(at)
        at += pd.Timedelta(days=step_days)
    return out


def wfm(train: pd.DataFrame, model: str) -> pd.DataFrame:
    result = forecast_volume(
        train,
        horizon=HORIZON_DAYS * 24,
        interval_minutes=60,
        timezones={"calls": ZONE},
        country=COUNTRY,
        level=LEVEL,
        model=model,
    )
    return result.forecast[["volume", "volume_low", "volume_high"]].reset_index(drop=True)


def mstl_baseline(train: pd.DataFrame) -> pd.DataFrame:
    y = train["volume"].to_numpy(float)
    horizon = HORIZON_DAYS * 24
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = MSTL(y, periods=(24, 168)).fit()
        seasonal = np.asarray(parts.seasonal)
        adjusted = y - seasonal.sum(axis=1)
        level = (
            ExponentialSmoothing(adjusted, trend="add", damped_trend=True).fit().forecast(horizon)
        )
    future = sum(np.resize(seasonal[-p:, j], horizon) for j, p in enumerate((24, 168)))
    mean = np.maximum(np.asarray(level) + future, 0.0)
    return pd.DataFrame({"volume": mean, "volume_low": np.nan, "volume_high": np.nan})


def prophet_baseline(train: pd.DataFrame) -> pd.DataFrame:
    import logging

    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    frame = pd.DataFrame(
        {
            "ds": train["interval_start"].dt.tz_convert(ZONE).dt.tz_localize(None),
            "y": train["volume"].to_numpy(float),
        }
    )
    model = Prophet(interval_width=LEVEL)
    model.add_country_holidays(COUNTRY)
    model.fit(frame)
    future = model.make_future_dataframe(HORIZON_DAYS * 24, freq="h", include_history=False)
    predicted = model.predict(future)
    return pd.DataFrame(
        {
            "volume": predicted["yhat"].clip(lower=0).to_numpy(),
            "volume_low": predicted["yhat_lower"].clip(lower=0).to_numpy(),
            "volume_high": predicted["yhat_upper"].clip(lower=0).to_numpy(),
        }
    )


def have_prophet() -> bool:
    try:
        import prophet  # noqa: F401
    except ImportError:
        return False
    return True


def special_dates(years: list[int]) -> set:
    calendar = holidays_lib.country_holidays(COUNTRY, years=years)
    days = set(calendar)
    return days | {d - pd.Timedelta(days=1).to_pytimedelta() for d in calendar}


def peer_methods() -> dict:
    """statsforecast MSTL and LightGBM (mlforecast) on the same training history."""

    def frame(result: dict) -> pd.DataFrame:
        mean, low, high = result["calls"]
        return pd.DataFrame({"volume": mean, "volume_low": low, "volume_high": high})

    horizon = HORIZON_DAYS * 24
    return {
        "statsforecast MSTL": lambda t: frame(peers.mstl({"calls": t}, horizon)),
        "LightGBM": lambda t: frame(
            peers.lightgbm({"calls": t}, horizon, zone=ZONE, country=COUNTRY)
        ),
    }


def run(history: pd.DataFrame, models: list[str], step_days: int, use_peers: bool):
    rows = []
    seconds = {}
    special = special_dates([1999, 2000])
    for origin in origins(history, step_days):
        train = history[history["interval_start"] < origin]
        test = history[
            (history["interval_start"] >= origin)
            & (history["interval_start"] < origin + pd.Timedelta(days=HORIZON_DAYS))
        ].reset_index(drop=True)
        y = train["volume"].to_numpy()
        scale = np.mean(np.abs(y[168:] - y[:-168]))
        methods = {m: (lambda t, m=m: wfm(t, m)) for m in models}
        methods["seasonal_naive"] = lambda t: wfm(t, "seasonal_naive")
        methods["weekly_average"] = lambda t: wfm(t, "weekly_average")
        methods["statsmodels MSTL"] = mstl_baseline
        if have_prophet():
            methods["prophet"] = prophet_baseline
        if use_peers:
            methods.update(peer_methods())
        for name, method in methods.items():
            started = time.perf_counter()
            forecast = method(train)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
            local = test["interval_start"].dt.tz_convert(ZONE)
            rows.append(
                pd.DataFrame(
                    {
                        "origin": origin,
                        "method": name,
                        "actual": test["volume"].to_numpy(),
                        "volume": forecast["volume"].to_numpy(float),
                        "low": forecast["volume_low"].to_numpy(),
                        "high": forecast["volume_high"].to_numpy(),
                        "scale": scale,
                        "date": local.dt.date.to_numpy(),
                        "special": [d.date() in special for d in local],
                    }
                )
            )
    return pd.concat(rows, ignore_index=True), seconds


def report(rows: pd.DataFrame, seconds: dict, order: list[str]) -> str:
    rows = rows.assign(error=(rows["volume"] - rows["actual"]).abs())
    table = []
    for name in order:
        part = rows[rows["method"] == name]
        per_origin = part.groupby("origin").apply(
            lambda g: g["error"].mean() / g["scale"].iloc[0], include_groups=False
        )
        active = (part["volume"] > 0) | (part["actual"] > 0)
        inside = (part["actual"] >= part["low"]) & (part["actual"] <= part["high"])
        special = part[part["special"]]
        daily = part.assign(day=part.groupby("origin").cumcount() // 24).groupby(["origin", "day"])
        daily_sums = daily[["volume", "actual"]].sum()
        table.append(
            {
                "method": name,
                "WAPE": part["error"].sum() / part["actual"].sum(),
                "MASE": per_origin.mean(),
                "daily WAPE": (daily_sums["volume"] - daily_sums["actual"]).abs().sum()
                / daily_sums["actual"].sum(),
                "bias": (part["volume"] - part["actual"]).sum() / part["actual"].sum(),
                "cover80": inside[active].mean() if part["low"].notna().any() else np.nan,
                "holiday WAPE": special["error"].sum() / special["actual"].sum(),
                "seconds/fit": seconds[name] / part["origin"].nunique(),
            }
        )
    frame = pd.DataFrame(table)
    naive = frame.loc[frame["method"] == "seasonal_naive", "WAPE"].iloc[0]
    frame.insert(2, "ratio", frame["WAPE"] / naive)
    return frame.round(3).to_string(index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="seasonal,auto", help="wfm models, comma-separated")
    parser.add_argument("--step-days", type=int, default=14)
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast/LightGBM")
    args = parser.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    use_peers = peers.available() and not args.no_peers
    history = load()
    rows, seconds = run(history, models, args.step_days, use_peers)
    count = rows["origin"].nunique()
    print(
        f"Anonymous Bank 1999, hourly calls: {count} origins every {args.step_days} days, "
        f"{HORIZON_DAYS}-day horizon, expanding window"
    )
    order = [*models, "seasonal_naive", "weekly_average", "statsmodels MSTL"]
    order += ["prophet"] if have_prophet() else []
    if use_peers:
        order += ["statsforecast MSTL", "LightGBM"]
        rows, combos = peers.with_combinations(rows, seconds, models[0])
        order += combos
    print(report(rows, seconds, order))
    holiday_days = rows.loc[rows["special"], "date"].nunique()
    print(
        "holiday WAPE: over the hours of public holidays and their eves in the test windows "
        f"({holiday_days} days)"
    )


if __name__ == "__main__":
    main()
