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
credits may make agents worth more than the requirement says. The least-cost prices
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
schedules at the least-cost prices leave the shared hours short (the agents
required there exceed the agents on duty: were each week solved to
optimality, the bound's slope along a rise of every price), the prices rise
together, to l_t + m P h capped at P h for each m of `PRICE_RISES` in turn,
while the bound rises; the best bound is kept. Far above the least cost the
bound falls again: two weeks' agents on duty in one shared hour both earn its
price, more than a shortfall there would cost.

Prices from the whole horizon's relaxation. A price per agent on duty treats
every queue alike; the tighter rows are the cover rows themselves, one per Hall
set S of queues and instant t: sum_{q in S} short_q,t plus the agents on duty
whose skill group serves a queue of S is at least R_S,t (every plan meets them:
S's contacts are served by those agents or left short). Relaxed with u_S,t >= 0,
an agent of group g on duty in t earns sum_{S meeting g} u_S,t, the constant is
sum u_S,t R_S,t, and each shortfall keeps a non-negative price where
sum_{S holding q} u_S,t <= P h (the u of an instant are scaled down to that
otherwise). A queue no candidate shift can serve in t is short in every plan:
its row, short_q,t >= R_q,t, is priced at P h. The u are the duals of the cover
rows in the linear relaxation of one programme over the whole horizon
(`scheduling.shifts.relaxation`; it need not be exact, any u >= 0 gives a
bound): the prices the relaxation's optimum puts on the shared hours. Where that
relaxation is built (a small enough horizon: `RELAXATION_SHIFT_INTERVALS`),
this pass runs first (the strongest where it runs, so the one to have when the
plan stops waiting: `weeks.BOUND_PATIENCE`), then the least-cost one and its
rises as before, and the best bound of all passes is kept. Where it is too
large and the grid is finer than an hour, the same relaxation on hourly
intervals prices a pass instead (`relaxation.coarse_relaxation`), after the
least-cost one: it takes minutes on the peak benchmark, so a bound is known
first. On the example company's
four weeks: 87,285.04 against 82,683.13 at the least-cost prices, whose rises
give less (`benchmarks/weekly_bound.py`); where agents are scarce it can reach
the optimum (tests/test_siteweeks.py).

The bound is computed in a second process while the weeks are scheduled
(`weeks._bound_in_background`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from scheduling.columns import AGENTS_SCHEDULED, END, INTERVAL_START, QUEUE, START
from scheduling.errors import InfeasibleError, InputError
from scheduling.shifts.model import Group, ShiftModel, build_model, is_large_model, solve
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import Run
from scheduling.shifts.relaxation import (
    HorizonRelaxation,
    coarse_relaxation,
    horizon_relaxation,
)
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
    duals: bool = True,
    relaxation: HorizonRelaxation | None = None,
    build_relaxation: bool = True,
    on_pass: Callable[[str, float | None], None] | None = None,
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
        duals: False leaves out the pass at the whole horizon relaxation's
            prices (for comparison).
        relaxation: that relaxation (`horizon_relaxation`), when the caller
            has it; None builds it here (unless `build_relaxation` is False:
            the caller found none), and where there is none the hourly one
            (`coarse_relaxation`) prices a pass after the least-cost one.
        build_relaxation: False: with `relaxation` None, do not try the
            relaxation at the run's grid again.
        on_pass: called after each pass with what it priced by, in the order
            run ("relaxation's duals", "least cost", "hourly relaxation's
            duals", "least cost + 0.125 of the penalty", ...), and its bound:
            each pass's bound is valid on its own.

    Returns:
        Cost units (paid cost plus shortfall penalties), or None when a week's
        programme gave no bound at the duals nor at the least cost (its time
        limit before the root's relaxation, a large programme's relaxation path
        without a schedule, or a programme HiGHS refused).
    """
    weeks = _bound_weeks(run, options)
    step = pd.Timedelta(minutes=options.interval_minutes)
    cheapest = boundary_prices(frame, weeks, step=step, penalty=options.shortfall_penalty)
    if not priced:
        return _priced_bound(frame, run, options, weeks, _Prices(cheapest * 0.0)).bound
    bound = None  # the duals' pass first: the strongest where it runs, kept if cut short
    if duals and relaxation is None and build_relaxation:
        relaxation = horizon_relaxation(frame, run, options)
    if duals and relaxation is not None:
        label = "relaxation's duals"
        bound = _dual_pass(frame, run, options, weeks, relaxation, cheapest.index, label, on_pass)
    first = _priced_bound(frame, run, options, weeks, _Prices(cheapest))
    if on_pass is not None:
        on_pass("least cost", first.bound)
    if duals and relaxation is None:  # too large at this grid: hourly, once a bound is known
        hourly = coarse_relaxation(frame, run, options)
        if hourly is not None:
            label = "hourly relaxation's duals"
            bound = _dual_pass(frame, run, options, weeks, hourly, cheapest.index, label, on_pass)
    best = first.bound
    if best is None:
        return bound
    if first.slope > 0:
        best = _risen(frame, run, options, weeks, cheapest, best, rises, on_pass)
    return best if bound is None else max(best, bound)


def _dual_pass(
    frame: pd.DataFrame,
    run: Run,
    options: ScheduleOptions,
    weeks: Sequence[_Week],
    relaxation: HorizonRelaxation,
    shared: pd.Index,
    label: str,
    on_pass: Callable[[str, float | None], None] | None,
) -> float | None:
    """The bound at `relaxation`'s duals on the `shared` instants (`_dual_prices`),
    reported as `label`."""
    prices = _dual_prices(relaxation, shared, _ceiling(options))
    bound = _priced_bound(frame, run, options, weeks, prices).bound
    if on_pass is not None:
        on_pass(label, bound)
    return bound


def _risen(
    frame: pd.DataFrame,
    run: Run,
    options: ScheduleOptions,
    weeks: Sequence[_Week],
    cheapest: pd.Series,
    best: float,
    rises: Sequence[float],
    on_pass: Callable[[str, float | None], None] | None,
) -> float:
    """The best bound of the least-cost prices (`best`) and their rises, each
    tried while the bound rises (module docstring: Prices)."""
    ceiling = _ceiling(options)
    for share in rises:
        rise = np.minimum(cheapest + share * ceiling, ceiling)
        bound = _priced_bound(frame, run, options, weeks, _Prices(rise)).bound
        if on_pass is not None:
            on_pass(f"least cost + {share:g} of the penalty", bound)
        if bound is None or bound <= best:
            break
        best = bound
    return best


@dataclass(frozen=True)
class _Prices:
    """What a pass credits an agent on duty in a shared instant t: `flat` (l_t, cost
    units per agent-interval, whatever its group) plus, for each Hall set of
    queues S given at t in `sets`, u_S,t when its group serves a queue of S."""

    flat: pd.Series
    sets: Mapping[pd.Timestamp, tuple[tuple[Group, float], ...]] = field(default_factory=dict)

    def instants(self) -> pd.DatetimeIndex:
        """The instants with a price."""
        flat = self.flat.index[self.flat > 0]
        return pd.DatetimeIndex(sorted(set(flat) | set(self.sets)))

    def constant(self, frame: pd.DataFrame) -> float:
        """sum_t l_t R_t + sum_{S,t} u_S,t R_S,t over `frame`'s requirements."""
        by_time = frame.groupby(INTERVAL_START)[AGENTS_SCHEDULED].sum()
        total = float((self.flat * by_time.reindex(self.flat.index, fill_value=0.0)).sum())
        if self.sets:
            need = frame.groupby([INTERVAL_START, QUEUE])[AGENTS_SCHEDULED].sum()
            for t, rows in self.sets.items():
                for queues, u in rows:
                    total += u * sum(float(need.get((t, q), 0.0)) for q in queues)
        return total

    def credit(self, t: pd.Timestamp, group: Group) -> float:
        """What one agent of `group` on duty in t earns."""
        earned = float(self.flat.get(t, 0.0))
        for queues, u in self.sets.get(t, ()):
            if not set(queues).isdisjoint(group):
                earned += u
        return earned


@dataclass(frozen=True)
class _Pass:
    """One pass's bound (None: a week gave none) and the slope of the bound along
    a uniform rise of the flat prices (`_priced_bound`)."""

    bound: float | None
    slope: float = 0.0


def _priced_bound(
    frame: pd.DataFrame,
    run: Run,
    options: ScheduleOptions,
    weeks: Sequence[_Week],
    prices: _Prices,
) -> _Pass:
    """The bound at `prices` and the slope of the bound along a uniform rise of
    the flat prices below the shortfall penalty: the agents required there less
    those the weeks' schedules put on duty (0 without one)."""
    total = prices.constant(frame)
    required = frame.groupby(INTERVAL_START)[AGENTS_SCHEDULED].sum()
    rising = prices.flat.index[prices.flat < _ceiling(options) - 1e-9]
    slope = float(required.reindex(rising, fill_value=0.0).sum())
    unpriced = dataclasses.replace(options, surplus_penalty=0.0)
    credited = prices.instants()
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
            return _Pass(None)
        total += bound
        slope -= _on_duty(model, rising)
    return _Pass(total, slope)


def _dual_prices(relaxation: HorizonRelaxation, shared: pd.Index, ceiling: float) -> _Prices:
    """u_S,t of the shared instants from the whole horizon's relaxation (module
    docstring: Prices from the whole horizon's relaxation)."""
    wanted = set(shared)
    found: dict[pd.Timestamp, list[tuple[Group, float]]] = {}
    for (queues, t), u in sorted(relaxation.duals.items(), key=lambda item: item[0][::-1]):
        if t in wanted:
            found.setdefault(t, []).append((queues, u))
    for queue, t in relaxation.forced:
        if t in wanted:
            found.setdefault(t, []).append(((queue,), ceiling))  # no shift serves it: short
    return _Prices(
        pd.Series(0.0, index=pd.DatetimeIndex(sorted(wanted))),
        {t: _within_penalty(rows, ceiling) for t, rows in found.items()},
    )


def _within_penalty(
    rows: list[tuple[Group, float]], ceiling: float
) -> tuple[tuple[Group, float], ...]:
    """The u of one instant scaled down so that no queue's rows earn more than
    `ceiling` together (a shortfall's price stays >= 0)."""
    per_queue: dict[str, float] = {}
    for queues, u in rows:
        for q in queues:
            per_queue[q] = per_queue.get(q, 0.0) + u
    scale = min(1.0, ceiling / max(per_queue.values()))
    return tuple((queues, u * scale) for queues, u in rows)


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


def _credit(model: ShiftModel, prices: _Prices) -> None:
    """Take each priced interval's credit times cap_k[g, t] off the week's objective."""
    at = {i: t for i, t in enumerate(model.intervals)}
    credit: dict[pulp.LpVariable, float] = {}  # a shift's variable recurs over its intervals
    for (group, i), capacity in sorted(model.capacity.items(), key=lambda item: item[0][::-1]):
        price = prices.credit(at[i], group)
        if price > 0:
            for var, share in capacity:
                credit[var] = credit.get(var, 0.0) - price * share
    if credit:
        model.problem.setObjective(model.problem.objective + pulp.LpAffineExpression(credit))
