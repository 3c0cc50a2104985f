"""Forecast accuracy measures, as planners and the M4 competition define them.

- WAPE: sum |forecast - actual| / sum actual. Volume-weighted, so quiet night
  hours do not dominate, and it reads as "share of the contacts we got wrong".
- MASE: mean absolute error over the in-sample mean absolute seasonal
  difference (Hyndman & Koehler 2006, "Another look at measures of forecast
  accuracy", IJF 22(4)); below 1 beats the seasonal naive's in-sample error.
- bias: sum (forecast - actual) / sum actual; positive is over-forecast.
- coverage: share of actuals inside [low, high].
- sMAPE and OWA as in M4 (Makridakis, Spiliotis & Assimakopoulos 2020, IJF 36(1)).
- workload agents: an error in contacts per interval is an error of
  contacts x AHT / interval length in agents busy (Erlangs of workload), the
  unit a planner staffs in.

All functions take numpy-compatible arrays; NaN actuals are ignored.
"""

from __future__ import annotations

import numpy as np


def _pair(actual, forecast) -> tuple[np.ndarray, np.ndarray]:
    actual = np.asarray(actual, dtype=float)
    forecast = np.asarray(forecast, dtype=float)
    known = ~np.isnan(actual)
    return actual[known], forecast[known]


def wape(actual, forecast) -> float:
    """Weighted absolute percentage error, a fraction (0.2 = 20 %); NaN if no volume."""
    a, f = _pair(actual, forecast)
    total = a.sum()
    return float(np.abs(f - a).sum() / total) if total > 0 else float("nan")


def bias(actual, forecast) -> float:
    """Signed error over actual volume, a fraction; positive = over-forecast."""
    a, f = _pair(actual, forecast)
    total = a.sum()
    return float((f - a).sum() / total) if total > 0 else float("nan")


def mae(actual, forecast) -> float:
    """Mean absolute error, in the unit of the data (contacts per interval)."""
    a, f = _pair(actual, forecast)
    return float(np.abs(f - a).mean()) if len(a) else float("nan")


def seasonal_scale(insample, *, period: int) -> float:
    """MASE denominator: mean |y_t - y_{t-period}| over the in-sample series."""
    y = np.asarray(insample, dtype=float)
    if len(y) <= period:
        return float("nan")
    diff = np.abs(y[period:] - y[:-period])
    diff = diff[~np.isnan(diff)]
    return float(diff.mean()) if len(diff) else float("nan")


def mase(actual, forecast, *, scale: float) -> float:
    """Mean absolute scaled error given the in-sample `scale` (seasonal_scale)."""
    if not scale or np.isnan(scale):
        return float("nan")
    return mae(actual, forecast) / scale


def coverage(actual, low, high, *, forecast=None) -> float:
    """Share of actuals within [low, high].

    With `forecast`, only intervals where the forecast or the actual is
    positive count: closed hours are trivially covered.
    """
    actual = np.asarray(actual, dtype=float)
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    keep = ~np.isnan(actual) & ~np.isnan(low) & ~np.isnan(high)
    if forecast is not None:
        forecast = np.asarray(forecast, dtype=float)
        keep &= (forecast > 0) | (actual > 0)
    if not keep.any():
        return float("nan")
    return float(((actual[keep] >= low[keep]) & (actual[keep] <= high[keep])).mean())


def smape(actual, forecast) -> float:
    """M4's symmetric MAPE, in percent (0-200)."""
    a, f = _pair(actual, forecast)
    denominator = np.abs(a) + np.abs(f)
    ratio = np.where(denominator > 0, np.abs(a - f) / np.where(denominator > 0, denominator, 1), 0)
    return float(200 * ratio.mean())


def owa(smape_value: float, mase_value: float, *, smape_naive2: float, mase_naive2: float) -> float:
    """M4's overall weighted average relative to Naive2 (1 = as good as Naive2)."""
    return 0.5 * (smape_value / smape_naive2 + mase_value / mase_naive2)


def workload_agents(contacts, *, aht_seconds: float, interval_minutes: int):
    """Contacts per interval as agents busy: contacts x AHT / interval seconds."""
    return np.asarray(contacts, dtype=float) * aht_seconds / (interval_minutes * 60)
