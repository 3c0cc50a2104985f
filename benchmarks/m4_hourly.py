"""M4 Hourly: all 414 series, horizon 48, sMAPE / MASE / OWA exactly as in M4.

Run: python benchmarks/m4_hourly.py [--models auto,seasonal,mstl] [--workers 2] [--limit N] [--cli]
     [--no-peers]

Data: ../shared/data/m4_hourly (Makridakis, Spiliotis & Assimakopoulos 2020, "The
M4 Competition: 100,000 time series and 61 forecasting methods", IJF 36(1)).

Metrics as the M4 organisers' R code computes them, per series then averaged:
sMAPE = mean 200 |y - f| / (|y| + |f|); MASE = mean |y - f| over the in-sample
mean |y_t - y_{t-24}|; OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2 on the
averages, with Naive2 (naive on the series deseasonalised by classical
multiplicative decomposition when the 90 % autocorrelation test at lag 24 says
seasonal) computed here, in the same run. Naive2 and sNaive must reproduce the
official table; the script says so or stops.

M4 series have no timestamps: each is laid on a UTC hourly grid ending at
23:00 (the phase of the day is unknown, so any is as good) and forecast by
wfm's library in generic mode: no holidays, no events, timezone UTC. Wall time
covers the library's fit and forecast of all series, in `--workers` processes.
With `--cli` the series go as one counts CSV (interval_start, queue, volume)
through `wfm forecast --horizon 48h --interval 60 --tz UTC --workers N`, as a
user would run it; wall time is then the whole command (start-up, reading,
fitting, writing).

With the peers installed (benchmarks/requirements-peers.txt, a venv of its
own; `--no-peers` skips them), in the same run: statsforecast MSTL + AutoETS
(periods 24 and 168, `--workers` processes), one global LightGBM model over all
series through mlforecast (each series min-max scaled, squared error; lags 24
and 168, hour and weekday of the grid), and the mean of wfm's first model and
LightGBM.
"""

from __future__ import annotations

import os

# Small matrices: one BLAS thread per process is much faster than contended threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import peers  # noqa: E402

from forecasting.forecast import forecast_volume  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "m4_hourly"
HORIZON = 48
SEASON = 24
LEVEL = 0.8
OFFICIAL_CHECK = {"Naive2": (18.383, 2.395), "sNaive": (13.912, 1.193), "Naive": (43.003, 11.608)}
END = pd.Timestamp("2001-01-31 23:00", tz="UTC")
WFM = [sys.executable, "-c", "from wfm.cli import main; main()"]


def load(limit: int | None = None) -> tuple[list[str], dict, dict]:
    train = pd.read_csv(DATA / "Hourly-train.csv")
    test = pd.read_csv(DATA / "Hourly-test.csv")
    ids = list(train.iloc[:, 0])[:limit]
    history = {
        row[0]: np.array([float(v) for v in row[1:] if pd.notna(v)])
        for row in train.itertuples(index=False)
    }
    future = {row[0]: np.array(row[1:], dtype=float) for row in test.itertuples(index=False)}
    return ids, history, future


# -- the M4 benchmarks and metrics (after the organisers' R code) ------------------


def acf(x: np.ndarray, lags: int) -> np.ndarray:
    centred = x - x.mean()
    denominator = float(centred @ centred)
    return np.array([centred[:-k] @ centred[k:] / denominator for k in range(1, lags + 1)])


def seasonality_test(x: np.ndarray, period: int) -> bool:
    """M4's 90 % test: |acf at lag m| above 1.645 sqrt((1 + 2 sum acf^2) / n)."""
    if len(x) < 3 * period:
        return False
    r = acf(x, max(int(np.floor(10 * np.log10(len(x)))), period))
    limit = 1.645 / np.sqrt(len(x)) * np.sqrt(np.cumsum(np.r_[1.0, 2 * r**2]))
    return bool(abs(r[period - 1]) > limit[period - 1])


def seasonal_indices(x: np.ndarray, period: int) -> np.ndarray:
    """R's decompose(type = "multiplicative") seasonal figure, tiled over x."""
    weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    trend = np.full(len(x), np.nan)
    moving = np.convolve(x, weights, mode="valid")
    trend[period // 2 : period // 2 + len(moving)] = moving
    ratio = x / trend
    figure = np.array([np.nanmean(ratio[i::period]) for i in range(period)])
    return np.resize(figure / figure.mean(), len(x))


def naive2(x: np.ndarray) -> np.ndarray:
    if seasonality_test(x, SEASON):
        indices = seasonal_indices(x, SEASON)
        return (x / indices)[-1] * np.resize(indices[-SEASON:], HORIZON)
    return np.full(HORIZON, x[-1])


def snaive(x: np.ndarray) -> np.ndarray:
    return np.resize(x[-SEASON:], HORIZON)


def naive1(x: np.ndarray) -> np.ndarray:
    return np.full(HORIZON, x[-1])


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean(200 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))))


def mase(insample: np.ndarray, actual: np.ndarray, forecast: np.ndarray) -> float:
    scale = np.mean(np.abs(insample[SEASON:] - insample[:-SEASON]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


# -- wfm -------------------------------------------------------------------------------


def wfm_forecast(job: tuple[str, np.ndarray, str]) -> tuple[str, str, np.ndarray, float, str]:
    """One series through forecast_volume; returns mean, 80 % coverage inputs, chosen model."""
    series_id, values, model = job
    grid = pd.date_range(end=END, periods=len(values), freq="h")
    history = pd.DataFrame({"interval_start": grid, "queue": series_id, "volume": values})
    result = forecast_volume(
        history, horizon=HORIZON, interval_minutes=60, model=model, level=LEVEL
    )
    frame = result.forecast
    stacked = np.vstack([frame[c].to_numpy() for c in ("volume", "volume_low", "volume_high")])
    return series_id, model, stacked, 0.0, str(result.models["model"].iloc[0])


def run_wfm(ids, history, models, workers):
    jobs = [(i, history[i], m) for m in models for i in ids]
    started = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            out = list(pool.map(wfm_forecast, jobs, chunksize=4))
    else:
        out = [wfm_forecast(job) for job in jobs]
    seconds = time.perf_counter() - started
    forecasts = {m: {} for m in models}
    chosen = {m: {} for m in models}
    for series_id, model, stacked, _, name in out:
        forecasts[model][series_id] = stacked
        chosen[model][series_id] = name
    return forecasts, chosen, seconds


def run_cli(ids, history, models, workers):
    """Every series as one counts CSV through `wfm forecast`, one run per model."""
    forecasts = {m: {} for m in models}
    chosen = {m: {} for m in models}
    seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        counts = Path(folder) / "m4_hourly_counts.csv"
        frames = []
        for series_id in ids:
            grid = pd.date_range(end=END, periods=len(history[series_id]), freq="h")
            frames.append(
                pd.DataFrame(
                    {
                        "interval_start": grid.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "queue": series_id,
                        "volume": history[series_id],
                    }
                )
            )
        pd.concat(frames).to_csv(counts, index=False)
        for model in models:
            out = Path(folder) / f"forecast_{model}.csv"
            command = [
                *WFM,
                "forecast",
                str(counts),
                "--horizon",
                f"{HORIZON}h",
                "--interval",
                "60",
                "--tz",
                "UTC",
                "--model",
                model,
                "--level",
                str(LEVEL),
                "--workers",
                str(workers),
                "--quiet",
                "-o",
                str(out),
            ]
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            seconds += time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"wfm forecast failed: {done.stderr.strip()}")
            frame = pd.read_csv(out)
            for series_id, part in frame.groupby("queue", sort=False):
                stacked = np.vstack(
                    [part[c].to_numpy() for c in ("volume", "volume_low", "volume_high")]
                )
                forecasts[model][str(series_id)] = stacked
                chosen[model][str(series_id)] = "(see stderr)"
    return forecasts, chosen, seconds


def run_peers(ids, history, workers) -> tuple[dict, dict]:
    """statsforecast MSTL and one global LightGBM over all series: {name: {id: stacked}}."""
    series = {
        i: pd.DataFrame(
            {
                "interval_start": pd.date_range(end=END, periods=len(history[i]), freq="h"),
                "volume": history[i],
            }
        )
        for i in ids
    }
    out, seconds = {}, {}
    for name, method in (
        ("statsforecast MSTL", lambda: peers.mstl(series, HORIZON, n_jobs=workers)),
        ("LightGBM", lambda: peers.lightgbm(series, HORIZON, scale=True, objective="regression")),
    ):
        started = time.perf_counter()
        result = method()
        seconds[name] = time.perf_counter() - started
        out[name] = {i: np.vstack(result[i]) for i in ids}
    return out, seconds


def score(ids, history, future, forecasts) -> tuple[float, float]:
    return (
        float(np.mean([smape(future[i], forecasts[i]) for i in ids])),
        float(np.mean([mase(history[i], future[i], forecasts[i]) for i in ids])),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="auto", help="comma-separated wfm model names")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="first N series only")
    parser.add_argument("--cli", action="store_true", help="through `wfm forecast` (one CSV)")
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast/LightGBM")
    args = parser.parse_args()
    ids, history, future = load(args.limit)
    models = [m.strip() for m in args.models.split(",") if m.strip()]

    rows = {}
    for name, method in (("Naive2", naive2), ("sNaive", snaive), ("Naive", naive1)):
        rows[name] = score(ids, history, future, {i: method(history[i]) for i in ids})
    if args.limit is None:
        for name, (s_official, m_official) in OFFICIAL_CHECK.items():
            s, m = rows[name]
            if (round(s, 3), round(m, 3)) != (s_official, m_official):
                raise SystemExit(
                    f"{name} does not reproduce the official table: sMAPE {s:.3f} vs "
                    f"{s_official}, MASE {m:.3f} vs {m_official}"
                )
    run = run_cli if args.cli else run_wfm
    forecasts, chosen, seconds = run(ids, history, models, args.workers)
    peer_seconds = {}
    if peers.available() and not args.no_peers:
        found, peer_seconds = run_peers(ids, history, args.workers)
        forecasts.update(found)
        first = forecasts[models[0]]
        forecasts[f"{models[0]} + LightGBM"] = {
            i: np.vstack([(first[i][0] + found["LightGBM"][i][0]) / 2, *[first[i][0] * np.nan] * 2])
            for i in ids
        }
        models = [*models, *found, f"{models[0]} + LightGBM"]
    coverage = {}
    for model in models:
        label = f"wfm {model}" if model in chosen else model
        rows[label] = score(ids, history, future, {i: forecasts[model][i][0] for i in ids})
        inside = [
            (future[i] >= forecasts[model][i][1]) & (future[i] <= forecasts[model][i][2])
            for i in ids
        ]
        has_interval = not np.isnan(forecasts[model][ids[0]][1]).all()
        coverage[label] = float(np.mean(np.concatenate(inside))) if has_interval else np.nan

    base_s, base_m = rows["Naive2"]
    official = pd.read_csv(DATA / "m4_hourly_results.csv")
    official_owa = dict(zip(official["method_or_user_id"], official["OWA_hourly"], strict=True))
    table = pd.DataFrame(
        [
            {
                "method": name,
                "sMAPE": s,
                "MASE": m,
                "OWA": 0.5 * (s / base_s + m / base_m),
                "official OWA": official_owa.get(name, np.nan),
                "cover80": coverage.get(name, np.nan),
            }
            for name, (s, m) in rows.items()
        ]
    )
    reference = official.head(10).assign(
        method=lambda f: "M4 #" + f["method_or_user_id"].astype(str) + " " + f["team"].str[:24]
    )
    reference = reference.rename(
        columns={"sMAPE_hourly": "sMAPE", "MASE_hourly": "MASE", "OWA_hourly": "OWA"}
    )[["method", "sMAPE", "MASE", "OWA"]]
    print(f"M4 Hourly: {len(ids)} series, horizon {HORIZON}; OWA relative to Naive2 of this run")
    print(table.round(3).to_string(index=False))
    print()
    print("official M4 table, best 10 Hourly entries (m4_hourly_results.csv)")
    print(reference.round(3).to_string(index=False))
    print()
    for model in models:
        label = f"wfm {model}" if model in chosen else model
        owa = table.loc[table["method"] == label, "OWA"].iloc[0]
        rank = int((official["OWA_hourly"] < owa).sum()) + 1
        print(
            f"{label} would rank {rank} of {len(official) + 1} on Hourly OWA "
            "(the official entries incl. benchmarks)"
        )
    for model in [m for m in models if m in chosen] if not args.cli else ():
        picked = pd.Series(chosen[model]).value_counts()
        print(
            f"wfm {model}: chosen per series: " + ", ".join(f"{k} {v}" for k, v in picked.items())
        )
    print(
        f"wall time, {'wfm forecast (CLI)' if args.cli else 'wfm fit+forecast'} of "
        f"{len(ids)} series x {len(chosen)} model(s): "
        f"{seconds:.1f} s with {args.workers} worker(s) on {os.cpu_count()} cores"
    )
    for name, taken in peer_seconds.items():
        print(f"wall time, {name} of {len(ids)} series: {taken:.1f} s")


if __name__ == "__main__":
    main()
