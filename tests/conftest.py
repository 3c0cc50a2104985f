"""Shared test factories. Randomness always through a seeded Generator."""

from __future__ import annotations

import os

# As wfm/__init__.py: one BLAS thread, set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# The default run draws the same examples every time (a test's own hash seeds
# them), so a commit that passes keeps passing; `HYPOTHESIS_PROFILE=explore`
# draws new ones each run to search further (README: Set-up).
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "company"


def hourly_shape(hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Relative arrival rate by local hour and weekday: a business-day curve."""
    day = np.exp(-0.5 * ((hour - 11.0) / 3.0) ** 2) + 0.08
    week = np.where(weekday < 5, 1.0 - 0.05 * weekday, 0.35)
    return day * week


def make_history(
    *,
    days: int = 28,
    interval_minutes: int = 60,
    queues: tuple[str, ...] = ("phone",),
    timezone: str = "America/New_York",
    daily_volume: float = 400.0,
    start: str = "2025-01-06",
    launch: tuple[str, float] | None = None,
    closed_hours: tuple[int, int] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """A complete UTC grid of Poisson counts with local daily/weekly seasonality.

    Args:
        launch: (local date, uplift) of a one-day event that multiplies volume.
        closed_hours: local [from, to) hours with zero volume every day.

    Returns:
        Columns interval_start (UTC), queue, volume, aht_seconds.
    """
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start, tz=timezone).tz_convert("UTC")
    periods = days * 24 * 60 // interval_minutes
    grid = pd.date_range(first, periods=periods, freq=f"{interval_minutes}min")
    local = grid.tz_convert(timezone)
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60
    rate = hourly_shape(hour, local.day_of_week.to_numpy())
    rate = rate / rate.sum() * daily_volume * days
    if launch is not None:
        day, uplift = launch
        rate = rate * np.where(
            local.normalize().tz_localize(None) == pd.Timestamp(day), 1 + uplift, 1.0
        )
    if closed_hours is not None:
        lo, hi = closed_hours
        rate = np.where((hour >= lo) & (hour < hi), 0.0, rate)
    frames = []
    for queue in queues:
        volume = rng.poisson(rate).astype(float)
        aht = np.where(volume > 0, rng.normal(300, 20, len(grid)), np.nan)
        frames.append(
            pd.DataFrame(
                {"interval_start": grid, "queue": queue, "volume": volume, "aht_seconds": aht}
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when the shared folder is not beside the checkout."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return data


def make_site(**overrides: object):
    """A one-queue site open 08:00-16:00 UTC every day with 8-hour shifts on the hour.

    Each test file states what its site differs in, e.g.
    `make_site(shift_hours=(4.0, 6.0), cost_per_hour=10.0)`.
    """
    from scheduling.shifts.sites import Site

    fields: dict[str, object] = {
        "name": "Test",
        "timezone": "UTC",
        "open_minutes": 8 * 60,
        "close_minutes": 16 * 60,
        "days": tuple(range(7)),
        "queues": ("phone",),
        "shift_hours": (8.0,),
        "start_step_minutes": 60,
    }
    return Site(**{**fields, **overrides})  # type: ignore[arg-type]


def assert_one_line_error(result, *fragments: str) -> None:
    """A CLI result that failed as wfm fails: exit 1, one stderr line, no data."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""


def rolling_violations(
    schedule: pd.DataFrame, tz: str, *, max_days: int, max_hours: float, length: int
):
    """(agent, first local date) of every 7 consecutive local dates that break a
    rule (more than max_days days or max_hours hours from start to end, or none
    of them the first of `length` free days in a row), counting days before and
    after the schedule as free: an independent check of rolling weeks."""
    from scheduling.columns import AGENT, END, START

    out = []
    for agent, shifts in schedule.groupby(AGENT):
        local = pd.DatetimeIndex(shifts[START]).tz_convert(tz)
        hours = (shifts[END] - shifts[START]).dt.total_seconds() / 3600
        per_day: dict = {}
        for day, h in zip(local.date, hours, strict=True):
            per_day[day] = per_day.get(day, 0.0) + h
        first, last = min(per_day), max(per_day)
        day = first - pd.Timedelta(days=6)
        while day <= last:
            days = [day + pd.Timedelta(days=i) for i in range(7 + length)]
            worked = [d for d in days[:7] if d in per_day]
            free_runs = [p for p in range(7) if not set(days[p : p + length]) & set(per_day)]
            if (
                len(worked) > max_days
                or sum(per_day[d] for d in worked) > max_hours + 1e-9
                or (length and not free_runs)
            ):
                out.append((agent, day))
            day += pd.Timedelta(days=1)
    return out
