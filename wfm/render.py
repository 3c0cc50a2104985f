"""Everything a person reads: summaries, warnings and progress, on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scheduling.shifts.coverage import shortfall_within
from scheduling.shifts.weeks import Relaxed, WeekDone
from scheduling.solver import SolveProgress

console = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """One line, no markup, no wrapping: safe for any message text."""
    console.print(f"error: {' '.join(str(message).split())}", markup=False, soft_wrap=True)


def warn(message: str) -> None:
    console.print(f"warning: {message}", markup=False, soft_wrap=True, style="yellow")


def info(message: str) -> None:
    console.print(message, markup=False, soft_wrap=True)


def _weeks_line(solve, objective: float) -> None:
    """The whole plan of a multi-week horizon: measured objective, bound and gap."""
    bound = "unknown" if solve.bound is None else f"{solve.bound:,.2f}"
    gap = "unknown" if solve.gap is None else f"{solve.gap:.2%}"
    info(
        f"solver {solve.solver}: {len(solve.notes)} weeks solved one by one, objective "
        f"{objective:,.2f} measured on the final schedule, bound {bound} (the weeks' root "
        f"bounds), gap {gap}, {solve.seconds:.1f} s"
    )
    info("per week: " + "; ".join(solve.notes))


def week_done(done: WeekDone | Relaxed) -> None:
    """One stderr line per week of a multi-week horizon, and one before them
    for the whole horizon's relaxation."""
    if isinstance(done, Relaxed):
        if done.used and done.guides:
            info(
                f"whole horizon relaxed: {done.seconds:.0f} s; it guides how the weeks share "
                "the hours between them and prices the bound"
            )
        elif done.used:
            info(
                f"whole horizon relaxed: {done.seconds:.0f} s; it prices the bound (its weeks "
                "are too large for it to guide them: each covers its last hours alone)"
            )
        else:
            info(
                "whole horizon not relaxed (too large, no answer in a quarter of the time "
                "limit, highspy missing, or Ctrl-C): each week covers its last hours alone; "
                "on a grid finer than an hour the bound tries it on hourly intervals"
            )
        return
    if not done.planned:
        info(
            f"week {done.week} of {done.weeks}: no site starts a shift in it, so its "
            f"requirement stays short; {done.seconds:.0f} s"
        )
        return
    gap = "unknown" if done.gap is None else f"{done.gap:.1%}"
    info(
        f"week {done.week} of {done.weeks} scheduled: cost so far {done.cost:,.2f}, "
        f"solver gap {gap}, {done.seconds:.0f} s"
    )


@contextmanager
def progress(description: str, total: int) -> Iterator:
    """A progress bar on a terminal; a no-op advance() elsewhere."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield _Advance(bar, task, description)


class _Advance:
    """advance() moves a `progress` bar on; describe(text) shows text after its label."""

    def __init__(self, bar: Progress, task: object, label: str) -> None:
        self._bar, self._task, self._label = bar, task, label

    def __call__(self, *_: object) -> None:
        self._bar.advance(self._task)

    def describe(self, text: str) -> None:
        self._bar.update(self._task, description=f"{self._label}: {text}" if text else self._label)


def solving(state: SolveProgress) -> str:
    """A running solve in a few words: "best 30,423.72, bound 24,158.00, gap 20.6%"
    (after its stage and a colon, when it has one)."""
    if state.stage:
        return f"{state.stage}: {_solving(state)}"
    return _solving(state)


def _solving(state: SolveProgress) -> str:
    if state.best is None:
        return "looking for a first schedule" + (
            "" if state.bound is None else f", bound {state.bound:,.2f}"
        )
    bound = "" if state.bound is None else f", bound {state.bound:,.2f}"
    gap = "" if state.gap is None else f", gap {state.gap:.1%}"
    return f"best {state.best:,.2f}{bound}{gap}"


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


def forecast_summary(
    forecast: pd.DataFrame,
    effects: pd.DataFrame,
    level: float,
    *,
    models: pd.DataFrame | None = None,
) -> None:
    table = _table(
        f"Forecast {forecast['interval_start'].min():%Y-%m-%d %H:%M} UTC, "
        f"{forecast['interval_start'].nunique()} intervals",
        ["queue", "volume", f"sum of {level:.0%} bounds", "peak / interval", "mean AHT s"],
    )
    for queue, part in forecast.groupby("queue", sort=True):
        weights = part["volume"].clip(lower=1e-9)
        aht = (part["aht_seconds"] * weights).sum() / weights.sum()
        table.add_row(
            str(queue),
            f"{part['volume'].sum():,.0f}",
            f"{part['volume_low'].sum():,.0f}-{part['volume_high'].sum():,.0f}",
            f"{part['volume'].max():,.1f}",
            "-" if pd.isna(aht) else f"{aht:,.0f}",
        )
    console.print(table)
    if models is not None and len(models):
        chosen = ", ".join(
            f"{row.queue} {row.model}"
            + ("" if pd.isna(row.holdout_wape) else f" ({row.holdout_wape:.1%})")
            for row in models.itertuples(index=False)
        )
        info(f"model (WAPE on the latest weeks, held out): {chosen}")
    if "scenario" in forecast.columns and len(forecast):
        info(
            f"what-if applied: {forecast['scenario'].iloc[0]} "
            f"(baseline {forecast['baseline_volume'].sum():,.0f} -> "
            f"{forecast['volume'].sum():,.0f} contacts)"
        )
    _effects_summary(effects)


def _effects_summary(effects: pd.DataFrame) -> None:
    """One line per queue for holidays, one per queue and event kind for its shape."""
    calendar = {"holiday": "holiday", "before_holiday": "day before", "after_holiday": "day after"}
    for queue, by_queue in effects.groupby("queue", sort=True):
        days = by_queue[by_queue["kind"].isin(list(calendar))].set_index("kind")["uplift"]
        if len(days):
            shown = ", ".join(f"{calendar[k]} {days[k]:+.0%}" for k in calendar if k in days)
            info(f"learned holiday effects: {queue}: {shown}")
        events = by_queue[~by_queue["kind"].isin(list(calendar))]
        for kind, part in events.groupby("kind", sort=True):
            shape = part.sort_values("offset_days")
            days_text = ", ".join(
                f"{row.uplift:+.0%} day {row.offset_days + 1}" for row in shape.head(7).itertuples()
            )
            more = " ..." if len(shape) > 7 else ""
            info(f"learned event effect: {queue} {kind}: {days_text}{more}")


def staff_summary(
    requirements: pd.DataFrame, *, interval_minutes: int, fte_hours: float = 40.0
) -> None:
    """Per queue, per channel and overall: peak agents, agent-hours, FTE, leads."""
    hours = interval_minutes / 60
    starts = requirements["interval_start"]
    weeks = max((starts.max() - starts.min()).total_seconds() / 3600 + hours, hours) / 168
    has_leads = "leads" in requirements and requirements["leads"].gt(0).any()
    columns = ["queue", "channel", "peak agents", "peak scheduled", "agent-hours", "FTE"]
    table = _table("Staffing requirements", columns + (["peak leads"] if has_leads else []))

    def add(label: str, channel: str, part: pd.DataFrame, *, end_section: bool = False) -> None:
        # Peaks of the sum over queues at the same interval, not sums of peaks.
        per_interval = part.groupby("interval_start", sort=False)
        agent_hours = part["agent_hours"].sum()
        cells = [
            label,
            channel,
            _agents(per_interval["agents"].sum().max()),
            f"{per_interval['agents_scheduled'].sum().max():,.1f}",
            f"{agent_hours:,.0f}",
            f"{agent_hours / weeks / fte_hours:,.1f}",
        ]
        if has_leads:
            cells.append(f"{per_interval['leads'].sum().max():,.1f}")
        table.add_row(*cells, end_section=end_section)

    channels = requirements.get("channel", pd.Series("", index=requirements.index))
    queues = sorted(requirements["queue"].unique())
    for i, queue in enumerate(queues):
        part = requirements[requirements["queue"] == queue]
        add(str(queue), str(channels[part.index[0]]), part, end_section=i == len(queues) - 1)
    if len(queues) > 1:
        for channel in sorted(channels.unique()):
            part = requirements[channels == channel]
            if part["queue"].nunique() > 1:
                add("(all)", str(channel), part)
        add("(all)", "(all)", requirements)
    console.print(table)
    info(f"FTE at {fte_hours:g} paid hours a week over {weeks:.1f} weeks")


def _agents(value: float) -> str:
    """Whole agents as such; a fraction (email capacity, a quiet queue) to 0.1, never 0."""
    if abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 0.05 else f"{value:.2g}"


def schedule_summary(result) -> None:
    solve = result.solve
    schedule = result.schedule
    paid = (schedule["end"] - schedule["start"]).dt.total_seconds() / 3600
    coverage = result.coverage
    hours = None
    if len(coverage) > 1:
        step = coverage["interval_start"].sort_values().diff().dropna()
        hours = step[step > pd.Timedelta(0)].min().total_seconds() / 3600
    hours = hours or 1.0
    if solve.stopped_by == "weeks":
        _weeks_line(solve, result.objective)
    else:
        _solve_line(solve)
        if solve.bound is not None and result.objective == result.objective:
            over = (result.objective - solve.bound) / max(abs(result.objective), 1e-9)
            over = over if abs(over) >= 5e-5 else 0.0  # no "-0.00%" from rounding
            info(
                f"schedule: objective {result.objective:,.2f} measured on the final schedule "
                f"(cost + short and over penalties), {over:.2%} above the bound"
            )
    table = _table("Schedule", ["site", "agents", "shifts", "paid hours", "cost"])
    for site, part in schedule.groupby("site", sort=True):
        site_paid = paid[part.index].sum()
        table.add_row(
            str(site),
            str(part["agent"].nunique()),
            str(len(part)),
            f"{site_paid:,.1f}",
            f"{result.site_costs[str(site)]:,.2f}",
        )
    console.print(table)
    short = coverage["shortfall"].sum() * hours
    info(
        f"coverage: {coverage['scheduled'].sum() * hours:,.1f} agent-hours scheduled for "
        f"{coverage['required'].sum() * hours:,.1f} required; {short:,.1f} agent-hours short"
    )
    if short > 0:
        worst = coverage.sort_values(["shortfall", "interval_start"], ascending=[False, True])
        for row in worst.head(5).itertuples(index=False):
            if row.shortfall > 0:
                warn(
                    f"short {row.shortfall:.2f} agents: {row.queue} at "
                    f"{row.interval_start.isoformat()}"
                )
    for limit in result.binding:
        warn(f"binding: {limit}")
    if result.unfilled_shifts:
        left = shortfall_within(coverage, result.unfilled, hours=hours, period=result.period)
        unfilled = (
            f"{result.unfilled_shifts} shifts the shift programme chose could not be given "
            "to a roster agent; "
        )
        if left >= 0.05:
            sites = sorted(map(str, result.unfilled["site"].unique()))
            capped = [
                s for s in sites if any(f"site {s!r}: max_agents" in b for b in result.binding)
            ]
            others = [s for s in sites if s not in capped]
            advice = [f"raise max_agents at {', '.join(capped)} (reached)"] if capped else []
            if others:
                advice.append(f"add agents at {', '.join(others)} who can work those hours")
            warn(
                f"{unfilled}{left:,.1f} agent-hours of their hours and queues are still "
                f"short in the final schedule: {', or '.join(advice)}, or relax the rules that "
                "keep the agents there off them (rest, days, unavailable days, skills)"
            )
        else:
            info(f"{unfilled}other shifts cover their hours and queues in the final schedule")


def agents_summary(agents: pd.DataFrame | None) -> None:
    """Roster agents the schedule leaves without shifts, and contracted hours unused."""
    if agents is None or agents.empty:
        return
    idle = agents[agents["shifts"] == 0]
    unused = agents["unused_hours_per_week"].sum()
    info(
        f"roster: {len(agents) - len(idle)} of {len(agents)} agents have shifts; "
        f"{unused:,.1f} contracted hours a week unused"
    )
    if len(idle):
        names = ", ".join(idle["agent"].head(5))
        more = f" and {len(idle) - 5} more" if len(idle) > 5 else ""
        warn(
            f"{len(idle)} rostered agent(s) get no shift: {names}{more} "
            "(see the agents file: --agents-out, or agents.csv of wfm plan)"
        )


def backtest_summary(scores: pd.DataFrame, *, level: float) -> None:
    """Accuracy per queue and model, with the agents an error costs."""
    table = _table(
        f"Backtest: {int(scores['origins'].max()) if len(scores) else 0} cut-offs",
        ["queue", "model", "WAPE", "vs naive", "MASE", "bias", f"cover {level:.0%}", "agents"],
    )
    table.columns[1].justify = "left"
    table.columns[1].min_width = max([len(str(m)) for m in scores["model"]] + [5])
    for row in scores.itertuples(index=False):
        table.add_row(
            str(row.queue),
            str(row.model),
            _share(row.wape),
            "-" if pd.isna(row.wape_vs_naive) else f"{row.wape_vs_naive:.2f}",
            "-" if pd.isna(row.mase) else f"{row.mase:.2f}",
            "-" if pd.isna(row.bias) else f"{row.bias:+.1%}",
            _share(row.coverage),
            "-" if pd.isna(row.mae_agents) else f"{row.mae_agents:,.2f}",
        )
    console.print(table)
    info(
        "WAPE: absolute error / actual volume; vs naive < 1 beats repeating last week; "
        "agents: the mean absolute error per interval as agents of workload at the queue's AHT"
    )


def _share(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1%}"


def capacity_summary(run) -> None:
    """The capacity plan: solve report, classes to open, cost, outsourcing, weeks short."""
    plan = run.plan
    _solve_line(plan.solve)
    frame = plan.plan
    weeks = sorted(frame["week_start"].unique())
    for row in plan.classes.itertuples(index=False):
        info(f"open a class of {row.hires} in {row.site} on {row.week_start}")
    if not len(plan.classes):
        info("no classes to open")
    table = _table(
        f"Capacity, {len(weeks)} weeks from {weeks[0]}",
        ["site", "headcount now", "hires", "headcount at end", "peak overtime FTE", "cost"],
    )
    for site, part in frame.groupby("site", sort=False):
        table.add_row(
            str(site),
            f"{part['headcount'].iloc[0]:,.1f}",
            str(int(part["hires"].sum())),
            f"{part['headcount'].iloc[-1]:,.1f}",
            f"{part['overtime_fte'].max():,.1f}",
            f"{part['cost'].sum():,.0f}",
        )
    console.print(table)
    if plan.peak_outsourced > 0:
        out = frame[frame["outsourced_fte"] > 0]
        peak = out.loc[out["outsourced_fte"].idxmax()]
        info(
            f"outsourcing: peak {plan.peak_outsourced:,.1f} FTE in the week of "
            f"{peak['week_start']}; {out['outsourced_fte'].sum():,.1f} FTE-weeks in "
            f"{out['week_start'].nunique()} weeks"
        )
    info(f"total cost {plan.total_cost:,.0f}; {plan.short_fte_weeks:,.1f} FTE-weeks short")
    for first, last, fte, reasons in _short_runs(plan.short_weeks):
        span = str(first) if first == last else f"{first} to {last}"
        warn(f"short {fte:,.1f} FTE-weeks, {span}: {'; '.join(reasons)}")
    if run.quantile_risk:
        info(run.quantile_risk)
    if len(run.scenarios) > 1:
        _compare_table(run.scenarios)


def _solve_line(solve) -> None:
    bound = "-" if solve.bound is None else f"{solve.bound:,.2f}"
    gap = "-" if solve.gap is None else f"{solve.gap:.2%}"
    first = getattr(solve, "refined_from", None)
    refined = "" if first is None else f" ({first:,.2f} before refining it window by window)"
    info(
        f"solver {solve.solver}: {solve.status}, objective {solve.objective:,.2f}{refined}, "
        f"bound {bound}, gap {gap}, {solve.seconds:.1f} s"
    )
    for note in solve.notes:
        warn(note)


def _short_runs(short_weeks) -> list:
    """Consecutive weeks short for the same reasons, as (first, last, FTE-weeks, reasons)."""
    runs: list = []
    for week in short_weeks:
        if runs and runs[-1][3] == week.reasons and (week.week_start - runs[-1][1]).days == 7:
            first, _, fte, reasons = runs[-1]
            runs[-1] = (first, week.week_start, fte + week.short_fte, reasons)
        else:
            runs.append((week.week_start, week.week_start, week.short_fte, week.reasons))
    return runs


def _compare_table(scenarios) -> None:
    table = _table("Scenarios", ["", *[s.name for s, _ in scenarios]])
    rows = (
        ("cost", lambda p: f"{p.total_cost:,.0f}"),
        ("hires", lambda p: str(p.total_hires)),
        ("peak outsourced FTE", lambda p: f"{p.peak_outsourced:,.1f}"),
        ("FTE-weeks short", lambda p: f"{p.short_fte_weeks:,.1f}"),
        ("weeks short", lambda p: str(len(p.short_weeks))),
        ("gap", lambda p: "-" if p.solve.gap is None else f"{p.solve.gap:.2%}"),
    )
    for label, cell in rows:
        table.add_row(label, *[cell(plan) for _, plan in scenarios])
    console.print(table)
