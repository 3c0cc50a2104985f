"""What `wfm plan` writes beside its outputs so that `wfm report` need not re-solve.

Two small files, both deterministic (no clock, no run time):

- `plan.json`: the settings the report reads (interval, queue and site time zones,
  FTE hours, cyclic week), the forecast models' held-out accuracy, per site the
  agents, shifts, paid hours, FTE and cost (premiums included), the solve
  (solver, status, stop reason, objective, bound, gap) and the binding limits.
- `recent_history.csv`: the last `HISTORY_WEEKS` weeks of history before the
  forecast starts: `interval_start` (UTC), `queue`, `volume` (contacts per
  interval; blank where the history has a gap).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from forecasting.forecast import ForecastResult
from scheduling.shifts.coverage import shortfall_within
from scheduling.shifts.planner import ScheduleResult
from scheduling.shifts.templates import shift_costs
from wfm import app, writers
from wfm.app import ForecastRequest
from wfm.config import Config

PLAN_JSON = "plan.json"
RECENT_HISTORY = "recent_history.csv"
HISTORY_WEEKS = 3


def recent_history(
    history: pd.DataFrame, *, before: pd.Timestamp, weeks: int = HISTORY_WEEKS
) -> pd.DataFrame:
    """The history's last `weeks` weeks before `before`.

    Args:
        history: `interval_start` (UTC), `queue`, `volume` (contacts per interval).
        before: the forecast's first interval (UTC).
        weeks: how many weeks to keep.

    Returns:
        `interval_start`, `queue`, `volume`, sorted by queue, interval_start.
    """
    start = before - pd.Timedelta(weeks=weeks)
    starts = history["interval_start"]
    kept = history.loc[(starts >= start) & (starts < before), ["interval_start", "queue", "volume"]]
    return kept.sort_values(["queue", "interval_start"]).reset_index(drop=True)


def plan_summary(config: Config, models: pd.DataFrame, scheduled: ScheduleResult) -> dict:
    """The plan's settings, accuracy, cost and solve as plain data for `plan.json`."""
    schedule = scheduled.schedule
    cost = shift_costs(schedule, sites=config.sites)
    paid = (schedule["end"] - schedule["start"]).dt.total_seconds() / 3600
    coverage = scheduled.coverage
    interval_hours = config.interval_minutes / 60
    weeks = coverage["interval_start"].nunique() * interval_hours / 168 if len(coverage) else 1.0
    fte_hours = config.staffing.fte_hours_per_week
    sites = []
    for site in config.sites:
        mine = schedule["site"] == site.name
        site_paid = float(paid[mine].sum())
        sites.append(
            {
                "name": site.name,
                "timezone": site.timezone,
                "cost_per_hour": site.cost_per_hour,
                "max_agents": site.max_agents,
                "agents": int(schedule.loc[mine, "agent"].nunique()),
                "shifts": int(mine.sum()),
                "paid_hours": site_paid,
                "fte": site_paid / max(weeks, 1e-9) / fte_hours,
                "cost": float(cost[mine].sum()),
            }
        )
    solve = scheduled.solve
    return _rounded(
        {
            "interval_minutes": config.interval_minutes,
            "fte_hours_per_week": fte_hours,
            "cyclic": bool(config.scheduling.cyclic),
            "queues": _queues(config, models),
            "sites": sites,
            "solve": {
                "solver": solve.solver,
                "status": solve.status,
                "stopped_by": getattr(solve, "stopped_by", None),
                "objective": solve.objective,
                "refined_from": getattr(solve, "refined_from", None),
                "bound": solve.bound,
                "gap": solve.gap,
                "schedule_objective": scheduled.objective,
                "schedule_gap": _schedule_gap(scheduled.objective, solve.bound),
            },
            "binding": list(scheduled.binding),
            "coverage": {
                "required_agent_hours": float(coverage["required"].sum() * interval_hours),
                "scheduled_agent_hours": float(coverage["scheduled"].sum() * interval_hours),
                "short_agent_hours": float(coverage["shortfall"].sum() * interval_hours),
                "unfilled_shifts": scheduled.unfilled_shifts,
                "unfilled_short_agent_hours": shortfall_within(
                    coverage, scheduled.unfilled, hours=interval_hours, period=scheduled.period
                ),
            },
        }
    )


def _schedule_gap(objective: float, bound: float | None) -> float | None:
    """How far the final schedule's measured objective can be from optimal (0-1)."""
    if bound is None or objective != objective:
        return None
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)


def _queues(config: Config, models: pd.DataFrame) -> dict[str, dict[str, Any]]:
    by_queue = {str(row.queue): row for row in models.itertuples(index=False)}
    out = {}
    for name in sorted(config.queues):
        spec = config.queues[name]
        row = by_queue.get(name)
        out[name] = {
            "timezone": spec.timezone,
            "channel": str(spec.channel),
            "model": None if row is None else str(row.model),
            "holdout_wape": None if row is None else _number(row.holdout_wape),
        }
    return out


def _number(value: object) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _rounded(value: Any) -> Any:
    """Floats to 4 decimals (NaN and inf to None), so the JSON is stable text."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def summary_json_text(summary: dict) -> str:
    """`plan.json` text: two-space indent, keys in the order written, final newline."""
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


def write_plan_files(
    out: Path,
    config: Config,
    request: ForecastRequest,
    forecast: ForecastResult,
    scheduled: ScheduleResult,
) -> None:
    """Write `plan.json` and `recent_history.csv` into the plan folder `out`.

    The history is read again (the forecast keeps no copy of it); the tail starts
    `HISTORY_WEEKS` weeks before the forecast's first interval.
    """
    history, _, _ = app.load_history(request, config)
    first = forecast.forecast["interval_start"].min()
    writers.write_csv(recent_history(history, before=first), out / RECENT_HISTORY)
    summary = plan_summary(config, forecast.models, scheduled)
    writers.write_text(summary_json_text(summary), out / PLAN_JSON)
