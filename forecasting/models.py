"""The registry of volume models by name, as the CLI's --model chooses them.

- "seasonal": calendar regression, daily totals times an intraday profile
  (forecasting.regression).
- "mstl": MSTL decomposition plus damped-trend exponential smoothing
  (forecasting.decomposition).
- "seasonal_naive", "weekly_average", "daily_naive": the rules of thumb
  (forecasting.naive).
- "auto" (forecasting.selection): each queue gets the candidate with the
  lowest error on a holdout of its own latest history.
"""

from __future__ import annotations

from forecasting.base import QueueContext, VolumeModel
from forecasting.decomposition import MSTLForecaster
from forecasting.intervals import nb_interval
from forecasting.naive import DailyNaive, SeasonalNaive, WeeklyAverage
from forecasting.regression import SeasonalRegression

AUTO = "auto"

MODELS: dict[str, type[VolumeModel]] = {
    model.name: model
    for model in (SeasonalRegression, MSTLForecaster, SeasonalNaive, WeeklyAverage, DailyNaive)
}

# what "auto" chooses among, in order of preference when errors tie
AUTO_CANDIDATES = ("seasonal", "mstl", "seasonal_naive", "daily_naive")

__all__ = [
    "AUTO",
    "AUTO_CANDIDATES",
    "MODELS",
    "DailyNaive",
    "MSTLForecaster",
    "QueueContext",
    "SeasonalNaive",
    "SeasonalRegression",
    "VolumeModel",
    "WeeklyAverage",
    "nb_interval",
]
