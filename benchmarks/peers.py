"""Forecasting peers for the benchmarks: statsforecast MSTL and LightGBM through mlforecast.

Optional (`pip install -c constraints.txt -e '.[peers]'`); the benchmark scripts
add their rows only when both are installed (`available()`). Both see exactly
the training history wfm sees and forecast the same hours.

- MSTL (statsforecast): seasonal periods 24 and 168 hours (24 only when the
  history is shorter than two weeks), the trend-plus-remainder forecast by
  AutoETS (the statsforecast recipe), 80 % intervals from AutoETS.
- LightGBM (mlforecast): one gradient-boosted model over lags 24 and 168 and
  calendar features on the queue's local clock (hour, weekday, public-holiday
  flag), forecast recursively, Poisson objective for counts; a global model
  when several series are given (M4: each series min-max scaled, squared
  error). 80 % intervals are
  conformal, from two held-out windows of the horizon. Deterministic: one
  thread, fixed seed, `deterministic=True`.
"""

from __future__ import annotations

import warnings

import holidays as holidays_lib
import numpy as np
import pandas as pd

LGBM_PARAMS = {
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "random_state": 0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbosity": -1,
}


def available() -> bool:
    """True when statsforecast, mlforecast and lightgbm import."""
    try:
        import lightgbm  # noqa: F401
        import mlforecast  # noqa: F401
        import statsforecast  # noqa: F401
    except ImportError:
        return False
    return True


def calendar_features(starts: pd.Series, zone: str | None, country: str | None) -> pd.DataFrame:
    """Hour, weekday and public-holiday flag of UTC `starts` on the local clock `zone`."""
    local = starts.dt.tz_convert(zone) if zone else starts.dt.tz_convert("UTC")
    dates = local.dt.date
    flag = np.zeros(len(starts))
    if country:
        years = sorted({d.year for d in dates})
        calendar = holidays_lib.country_holidays(country, years=years)
        flag = np.array([d in calendar for d in dates], dtype=float)
    return pd.DataFrame(
        {
            "hour": local.dt.hour.to_numpy(),
            "weekday": local.dt.dayofweek.to_numpy(),
            "holiday": flag,
        }
    )


def as_long(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """unique_id, ds (naive UTC), y from {id: frame with interval_start (UTC), volume}."""
    frames = [
        pd.DataFrame(
            {
                "unique_id": key,
                "ds": frame["interval_start"].dt.tz_convert("UTC").dt.tz_localize(None),
                "y": frame["volume"].to_numpy(float),
            }
        )
        for key, frame in series.items()
    ]
    return pd.concat(frames, ignore_index=True)


def future_starts(last: pd.Timestamp, horizon: int) -> pd.Series:
    """The `horizon` hourly UTC starts after `last`."""
    return pd.Series(pd.date_range(last + pd.Timedelta(hours=1), periods=horizon, freq="h"))


def mstl(series: dict[str, pd.DataFrame], horizon: int, *, n_jobs: int = 1) -> dict:
    """statsforecast MSTL + AutoETS forecasts: {id: (mean, low, high)} arrays of `horizon`."""
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS

    data = as_long(series)
    shortest = data.groupby("unique_id").size().min()
    seasons = [24, 168] if shortest >= 2 * 168 else [24]
    model = MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = StatsForecast(models=[model], freq="h", n_jobs=n_jobs).forecast(
            df=data, h=horizon, level=[80]
        )
    return split(frame, "MSTL")


def lightgbm(
    series: dict[str, pd.DataFrame],
    horizon: int,
    *,
    zone: str | None = None,
    country: str | None = None,
    scale: bool = False,
    intervals: bool = True,
    objective: str = "poisson",
) -> dict:
    """LightGBM over lags 24/168 + calendar (global across series): {id: (mean, low, high)}.

    `objective` "poisson" suits contact counts (with the squared error, the
    recursive forecast of the sparse helpdesk series runs away: daily WAPE 1.04
    against 0.55 on 9 origins); `scale` puts each series on 0..1 (min-max) for a
    global model over series of different sizes (M4).
    """
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.target_transforms import LocalMinMaxScaler
    from mlforecast.utils import PredictionIntervals

    data = as_long(series)
    utc = data["ds"].dt.tz_localize("UTC")
    data = pd.concat([data, calendar_features(utc, zone, country)], axis=1)
    future = []
    for key, frame in series.items():
        starts = future_starts(frame["interval_start"].max().tz_convert("UTC"), horizon)
        part = calendar_features(starts, zone, country)
        part.insert(0, "ds", starts.dt.tz_localize(None))
        part.insert(0, "unique_id", key)
        future.append(part)
    forecaster = MLForecast(
        models={"lgbm": lgb.LGBMRegressor(objective=objective, **LGBM_PARAMS)},
        freq="h",
        lags=[24, 168],
        target_transforms=[LocalMinMaxScaler()] if scale else None,
        num_threads=1,
    )
    windows = PredictionIntervals(n_windows=2, h=horizon) if intervals else None
    forecaster.fit(data, static_features=[], prediction_intervals=windows)
    frame = forecaster.predict(
        horizon, X_df=pd.concat(future, ignore_index=True), level=[80] if intervals else None
    )
    return split(frame, "lgbm")


def split(frame: pd.DataFrame, column: str) -> dict:
    """{id: (mean, low, high)} from a Nixtla forecast frame, clipped at zero."""
    out = {}
    for key, part in frame.groupby("unique_id", sort=False):
        mean = part[column].to_numpy(float)
        low = part.get(f"{column}-lo-80", pd.Series(np.nan, index=part.index)).to_numpy(float)
        high = part.get(f"{column}-hi-80", pd.Series(np.nan, index=part.index)).to_numpy(float)
        out[key] = tuple(np.maximum(a, 0.0) for a in (mean, low, high))
    return out


def combine(rows: pd.DataFrame, members: list[str], name: str) -> pd.DataFrame:
    """Rows of a new method `name`: the equal-weight mean of `members`' forecasts.

    `rows` holds one row per method, origin and hour (columns method, volume,
    low, high, in the same hour order for every method); the combination has no
    interval (low and high NaN).
    """
    parts = [rows[rows["method"] == m].reset_index(drop=True) for m in members]
    out = parts[0].copy()
    out["method"] = name
    out["volume"] = np.mean([p["volume"].to_numpy(float) for p in parts], axis=0)
    out["low"] = np.nan
    out["high"] = np.nan
    return out


def with_combinations(
    rows: pd.DataFrame, seconds: dict[str, float], model: str
) -> tuple[pd.DataFrame, list[str]]:
    """`rows` with "model + LightGBM" and "model + LightGBM + 4-week avg" added (`combine`).

    Their seconds (the members' sum) are added to `seconds`; returns the rows and
    the new methods' names.
    """
    combos = {
        f"{model} + LightGBM": [model, "LightGBM"],
        f"{model} + LightGBM + 4-week avg": [model, "LightGBM", "weekly_average"],
    }
    for name, members in combos.items():
        rows = pd.concat([rows, combine(rows, members, name)], ignore_index=True)
        seconds[name] = sum(seconds[m] for m in members)
    return rows, list(combos)
