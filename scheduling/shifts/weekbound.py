"""A lower bound on the cost of any plan of a multi-week horizon, week by week.

A horizon of several weeks is scheduled one week's programme at a time
(`scheduling.shifts.weeks`), so no solver sees the whole horizon and none
proves a bound for it. This one is built from the same weekly programmes.

Week k's programme holds the shifts that start in week k of their site (its
`span`) and its weekly rules. An instant t that only week k's shifts can reach
(from its latest site's week start plus the longest shift, or its start for
the first week, to its earliest site's week end, or the horizon's end for the
last week) keeps its cover rows there. The other instants, near the weeks'
boundaries, are reached by the shifts of two weeks; their rows are relaxed
in the Lagrangian way rather than dropped: with a price l_t >= 0 per agent on
duty in t,

    bound = sum_t l_t R_t + sum_k (root bound of week k's programme with
            objective c x - sum_{t near a boundary} l_t cap_k[t])

where R_t is the agents required in t (all queues) and cap_k[t] the agents of
week k's shifts on duty in t, less their breaks (`ShiftModel.capacity`). It is below
the cost of any plan of the horizon: for every plan, each interval's queues are
served by at most the agents on duty, so sum_q (R_q,t - short_q,t) <= sum_k
cap_k[t]; adding l_t times the slack of that row to the plan's cost lowers it
(the row holds) and splits it into one term per week plus sum_t (P h - l_t)
short_t >= 0 (l_t <= P h, the shortfall penalty of an agent-interval); each
week's term is at least the root bound of its programme, whose rows every
plan's week keeps (the surplus penalty, >= 0, and the rest across weeks left
out; with rolling weeks too, since every calendar week of a site is one of its
7-day windows, so a rolling plan keeps the calendar rows). Each week's grid
runs one longest shift past its last site's week end, so every shift of the
week is credited for all it covers.

Prices. The bound holds at any prices in [0, P h]: every week's programme
keeps each shift that works in a priced instant, without the cap its
requirement would put on the shift's agents (`build_model`'s `priced`), since
credits may make agents worth more than the requirement says. The first prices
are l_t = h min(P, least cost per hour of a candidate shift of a week that
reaches t, cost / length) per interval of h hours; where no shift reaches t, P h
(every plan is short there): each agent-hour the weeks share is counted at the
least it could cost. With every l_t = 0 this is the bound with those rows
dropped: on the example company's four weeks they hold 8.2% of the agent-hours
required, and these prices raise the bound from 79,849.00 to 82,649.79
(`benchmarks/weekly_bound.py`, at fba9625).

Where agents are scarce, the least cost is too cheap a price: the weeks buy
the shared hours at it and spend the agents' days and hours so freed on their
own hours, where each saves a shortfall penalty (the peak benchmark's two
weeks: bound 683,410 against a plan of 1,119,248). So when the weeks'
schedules at the first prices leave the shared hours short (the agents
required there exceed the agents on duty: were each week solved to
optimality, the bound's slope along a rise of every price), the prices rise
together, to l_t + m P h capped at P h for each m of `PRICE_RISES` in turn,
while the bound rises; the best bound is kept. Far above the least cost the
bound falls again: two weeks' agents on duty in one shared hour both earn its
price, more than a shortfall there would cost.

The bound is computed in a second process while the weeks are scheduled
(`weeks._bound_in_background`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from scheduling.columns import AGENTS_SCHEDULED, END, INTERVAL_START, START
from scheduling.errors import InfeasibleError, InputError
from scheduling.shifts.model import ShiftModel, build_model, is_large_model, solve
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import Run
from scheduling.shifts.sites import Site
from scheduling.shifts.siteweeks import rows_within, sites_in_week, week_spans, week_window
from scheduling.shifts.templates import anyone_works, generate_shifts
from scheduling.solver import dual_bound

__all__ = ["weekly_bound"]

Span = tuple[pd.Timestamp, pd.Timestamp]


@dataclass(frozen=True)
class _Week:
    """One week of the bound: its sites (with spans), the instants its programme
    sees (`grid`), those only its shifts reach (`own`) and its candidate shifts."""

    sites: list[Site]
    grid: Span
    own: Span
    shifts: pd.DataFrame


# The rises of the prices tried in turn while the bound rises (module docstring:
# Prices), as shares of the shortfall penalty; each is one more root solve of
# every week.
PRICE_RISES = (1 / 8, 1 / 4, 1 / 2)


def weekly_bound(
    frame: pd.DataFrame,
    run: Run,
    options: ScheduleOptions,
    *,
    priced: bool = True,
    rises: Sequence[float] = PRICE_RISES,
    on_pass: Callable[[float, float | None], None] | None = None,
) -> float | None:
    """A lower bound on the cost of any plan of the horizon (module docstring), or None.

    Args:
        frame: the horizon's requirements (`schedule_requirements`, UTC times).
        run: the run's sites, groups and horizon (`setup_run`, without release).
        options: the weekly rules (not cyclic).
        priced: False drops the rows of the hours two weeks share instead of
            pricing them (every l_t = 0; a weaker bound, for comparison).
        rises: the rises of the prices tried (`PRICE_RISES`; () keeps the
            least-cost prices).
        on_pass: called after each pass with its rise (0 for the least-cost
            prices) and its bound.

    Returns:
        Cost units (paid cost plus shortfall penalties), or None when a week's
        programme gave no bound at the first prices (its time limit before the
        root's relaxation, a large programme's relaxation path without a
        schedule, or a programme HiGHS refused).
    """
    weeks = _bound_weeks(run, options)
    step = pd.Timedelta(minutes=options.interval_minutes)
    cheapest = boundary_prices(frame, weeks, step=step, penalty=options.shortfall_penalty)
    if not priced:
        return _priced_bound(frame, run, options, weeks, cheapest * 0.0)[0]
    ceiling = _ceiling(options)
    best, slope = _priced_bound(frame, run, options, weeks, cheapest)
    if on_pass is not None:
        on_pass(0.0, best)
    if best is None or slope <= 0:
        return best
    for share in rises:
        rise = np.minimum(cheapest + share * ceiling, ceiling)
        bound, _ = _priced_bound(frame, run, options, weeks, rise)
        if on_pass is not None:
            on_pass(share, bound)
        if bound is None or bound <= best:
            break
        best = bound
    return best


def _priced_bound(
    frame: pd.DataFrame,
    run: Run,
    options: ScheduleOptions,
    weeks: Sequence[_Week],
    prices: pd.Series,
) -> tuple[float | None, float]:
    """The bound at `prices` (l_t by interval_start) and the slope of the bound
    along a uniform rise of the prices below the shortfall penalty: the agents
    required there less those the weeks' schedules put on duty (0 without one)."""
    required = frame.groupby(INTERVAL_START)[AGENTS_SCHEDULED].sum()
    total = float((prices * required.reindex(prices.index, fill_value=0.0)).sum())
    rising = prices.index[prices < _ceiling(options) - 1e-9]
    slope = float(required.reindex(rising, fill_value=0.0).sum())
    unpriced = dataclasses.replace(options, surplus_penalty=0.0)
    credited = prices.index[prices > 0]
    for week in weeks:
        part = rows_within(frame, week.grid)
        times = part[INTERVAL_START]
        part.loc[(times < week.own[0]) | (times >= week.own[1]), AGENTS_SCHEDULED] = 0.0
        model = build_model(
            part,
            week.shifts,
            sites=week.sites,
            options=unpriced,
            groups=run.groups,
            priced=credited,
        )
        _credit(model, prices)
        bound = _root_bound(model, options)
        if bound is None:
            return None, 0.0
        total += bound
        slope -= _on_duty(model, rising)
    return total, slope


def _ceiling(options: ScheduleOptions) -> float:
    """P h: the highest price of an agent-interval (its shortfall penalty)."""
    return options.shortfall_penalty * options.interval_minutes / 60


def _on_duty(model: ShiftModel, instants: pd.Index) -> float:
    """Agents the programme's schedule puts on duty over `instants` (0 without one)."""
    wanted = set(instants)
    cells = {i for i, t in enumerate(model.intervals) if t in wanted}
    return sum(
        share * (var.varValue or 0.0)
        for (_, i), capacity in model.capacity.items()
        if i in cells
        for var, share in capacity
    )


def _root_bound(model: ShiftModel, options: ScheduleOptions) -> float | None:
    """The bound of a week's programme at its root node (with HiGHS's cuts), or
    None. A root node that found no schedule still proves its bound
    (`solver.dual_bound`), except on the relaxation path of a large programme,
    whose last solve is a restricted one."""
    try:
        return solve(
            model,
            solver=options.solver,
            time_limit_seconds=options.time_limit_seconds,
            gap=options.gap,
            node_limit=1,
        ).bound
    except InfeasibleError:
        return None if is_large_model(model) else dual_bound(model.problem)
    except InputError:
        return None


def _bound_weeks(run: Run, options: ScheduleOptions) -> list[_Week]:
    """The weeks in which some site works, with their grids and own instants."""
    reach = pd.Timedelta(hours=max(max(site.shift_hours) for site in run.active))
    count = len(week_spans(run.horizon, options.first_week_days))
    weeks = []
    for k in range(count):
        sites = sites_in_week(
            run.planned, run.horizon, k, options.week_start_day, options.first_week_days
        )
        if not anyone_works(sites):  # no shift starts in it: its instants are priced
            continue
        window = week_window(sites)
        own = _own(sites, first=k == 0, last=k == count - 1, reach=reach)
        shifts = generate_shifts(sites, start=window[0], end=window[1])
        weeks.append(_Week(sites, (window[0], window[1] + reach), own, shifts))
    return weeks


def _own(sites: Sequence[Site], *, first: bool, last: bool, reach: pd.Timedelta) -> Span:
    """The instants of a week only its own shifts can reach: from its latest site
    week start plus `reach` (the first week: from its start) to its earliest site
    week end (the last week: to its end)."""
    spans = [site.span for site in sites if site.span is not None]
    begin = min(s for s, _ in spans) if first else max(s for s, _ in spans) + reach
    end = max(e for _, e in spans) if last else min(e for _, e in spans)
    return begin, end


def boundary_prices(
    frame: pd.DataFrame, weeks: Sequence[_Week], *, step: pd.Timedelta, penalty: float
) -> pd.Series:
    """l_t (cost units per agent on duty for an interval) of each interval of
    `frame` no week owns (module docstring), indexed by interval_start (UTC).

    Args:
        frame: requirements with `interval_start` (UTC).
        weeks: the weeks of the bound (`_bound_weeks`).
        step: the interval length.
        penalty: the shortfall penalty per agent-hour.
    """
    times = pd.DatetimeIndex(sorted(frame[INTERVAL_START].unique()))
    owned = np.zeros(len(times), dtype=bool)
    for week in weeks:
        owned |= (times >= week.own[0]) & (times < week.own[1])
    shared = times[~owned]
    hours = step / pd.Timedelta(hours=1)
    best = np.full(len(shared), penalty * hours)
    begins = _nanoseconds(shared)
    for week in weeks:
        if week.shifts.empty:
            continue
        starts = _nanoseconds(week.shifts[START])[:, None]
        ends = _nanoseconds(week.shifts[END])[:, None]
        length = (ends - starts) / pd.Timedelta(hours=1).value
        rate = week.shifts["cost"].to_numpy()[:, None] / length * hours
        reaching = (starts < begins + step.value) & (ends > begins)
        least = np.where(reaching, rate, np.inf).min(axis=0, initial=np.inf)
        best = np.minimum(best, least)
    return pd.Series(best, index=shared)


def _nanoseconds(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """tz-aware instants as int64 nanoseconds since the epoch (UTC)."""
    return pd.DatetimeIndex(times).as_unit("ns").asi8


def _credit(model: ShiftModel, prices: pd.Series) -> None:
    """Take l_t cap_k[t] off the week's objective for each priced interval it sees."""
    price_at = {i: float(prices[t]) for i, t in enumerate(model.intervals) if t in prices.index}
    credit: dict[pulp.LpVariable, float] = {}  # a shift's variable recurs over its intervals
    for (_, i), capacity in sorted(model.capacity.items(), key=lambda item: item[0][::-1]):
        price = price_at.get(i, 0.0)
        if price > 0:
            for var, share in capacity:
                credit[var] = credit.get(var, 0.0) - price * share
    if credit:
        model.problem.setObjective(model.problem.objective + pulp.LpAffineExpression(credit))
