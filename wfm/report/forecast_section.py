"""Forecast vs the last weeks of history, per queue, in the queue's local time."""

from __future__ import annotations

import pandas as pd

from wfm.plan_files import RECENT_HISTORY
from wfm.report import charts
from wfm.report.inputs import PlanFolder
from wfm.report.sections import Section, chart_key, figure, missing, note, table

FORECAST = "forecast.csv"


def forecast_section(plan: PlanFolder) -> Section:
    """Per queue: history (grey), forecast (blue) with its interval band, events shaded."""
    forecast = plan.get(FORECAST)
    if forecast is None:
        return Section(
            "forecast", "Forecast", missing([FORECAST], "the forecast chart"), drawn=False
        )
    history = plan.get(RECENT_HISTORY)
    body = ""
    if history is None:
        body += note(f"{RECENT_HISTORY} is not in the folder: the charts show the forecast alone.")
    body += _accuracy(plan)
    for number, queue in enumerate(sorted(forecast["queue"].unique())):
        zone = plan.queue_zone(queue)
        part = forecast[forecast["queue"] == queue].sort_values("interval_start")
        past = None if history is None else history[history["queue"] == queue]
        key = chart_key("forecast", number, queue)
        with charts.figure(key, height=2.8) as fig:
            _draw(fig, queue, zone, part, past)
            svg = charts.svg(fig, key)
        body += figure(
            svg,
            f"{queue}: contacts per interval, last weeks of history and the forecast with its "
            f"interval band; orange lanes: holidays and events. Local time, {zone}.",
        )
    return Section("forecast", "Forecast vs recent history", body)


def _draw(fig, queue: str, zone: str, part: pd.DataFrame, past: pd.DataFrame | None) -> None:
    ax = fig.add_subplot()
    if past is not None and len(past):
        past = past.sort_values("interval_start")
        ax.plot(
            charts.local_naive(past["interval_start"], zone),
            past["volume"].to_numpy(),
            color=charts.HISTORY,
            linewidth=0.8,
            label="history",
        )
    x = charts.local_naive(part["interval_start"], zone)
    ax.fill_between(
        x,
        part["volume_low"].to_numpy(),
        part["volume_high"].to_numpy(),
        color=charts.FORECAST,
        alpha=0.2,
        linewidth=0,
        label="interval band",
    )
    ax.plot(x, part["volume"].to_numpy(), color=charts.FORECAST, linewidth=1.2, label="forecast")
    ax.set_ylim(bottom=0)
    _mark_events(ax, x, part)
    ax.set_title(queue)
    ax.set_ylabel("contacts / interval")
    charts.day_axis(ax, zone, minor_hours=24)
    charts.legend_above(ax)


def _mark_events(ax, x: pd.Series, part: pd.DataFrame) -> None:
    """A lane per event or holiday name across the top: a bar over each run of its intervals."""
    if "events" not in part.columns:
        return
    cells = part["events"].fillna("").astype(str).to_numpy()
    sets = [{n.strip() for n in cell.split(";") if n.strip()} for cell in cells]
    names = sorted(set().union(*sets)) if sets else []
    if not names:
        return
    step = x.diff().dropna().min() if len(x) > 1 else pd.Timedelta(hours=1)
    x = x.to_numpy()
    lane = 0.07
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top / (1 - lane * (len(names) + 0.5)))
    for k, name in enumerate(names):
        y = 1 - lane * (k + 1)
        inside = [name in s for s in sets]
        for i, j in _runs(inside):
            ax.axvspan(
                x[i],
                x[j] + step,
                ymin=y,
                ymax=y + lane * 0.8,
                color="#E69F00",
                alpha=0.55,
                linewidth=0,
            )
        first = inside.index(True)
        ax.text(
            x[first],
            y + lane * 0.4,
            f" {name}",
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            va="center",
            color="#4d3300",
        )


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    runs, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _accuracy(plan: PlanFolder) -> str:
    queues = (plan.summary or {}).get("queues", {})
    rows = [
        [name, str(q.get("model") or "-"), _share(q.get("holdout_wape"))]
        for name, q in sorted(queues.items())
        if q.get("model")
    ]
    if not rows:
        return ""
    return (
        "<p>Accuracy of the chosen model on the latest weeks of history, held out "
        "(WAPE: absolute error / actual volume; lower is better).</p>\n"
        + table(["queue", "model", "held-out WAPE"], rows, numeric_from=2)
    )


def _share(value: object) -> str:
    return "-" if value is None else f"{float(value):.1%}"
