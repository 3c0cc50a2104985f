"""The linear relaxation of one shift programme over a whole multi-week horizon.

A horizon of several weeks is scheduled one week at a time
(`scheduling.shifts.weeks`), and no programme sees two weeks at once. Near a
week boundary two weeks' shifts reach the same hours: a week's programme covers
up to its latest site's week end, so where another site's next week has begun
(Manila's Monday is 14 hours ahead of Austin's) it covers hours that the next
week's shifts could cover, and spends its own last days on them. How much of
those hours each week should cover depends on both weeks (which is tighter,
which site is cheaper there), so one relaxation of the whole horizon is solved
first (integers relaxed; HiGHS's interior point method and crossover, one
thread: on `benchmarks/peak_season.py --minutes 60 --weeks 2`, 2.1 million
nonzeros, 51 s where the dual simplex had not finished in 900 s; the example's
four weeks 7.4 s against 15.8 s) and used twice:

- `on_duty_from(k)`: the agents the relaxation's shifts of weeks k and later put
  on duty in each instant; week k - 1 leaves that share of its last hours to
  week k (`weeks.schedule_horizon`), where the weeks are small enough
  (`guides`);
- `duals`: the prices of its cover rows, which price the hours two weeks share
  in the weeks' bound (`scheduling.shifts.weekbound`).

Where the relaxation at the run's grid is too large, one on 60-minute intervals
(`coarse_relaxation`) still prices the bound's rows; it guides nothing.

The relaxation's weeks are 7-day blocks from the horizon's start, not each
site's own calendar weeks, and it knows nothing of the week before the horizon
(releases, carried days) nor of named agents beyond their skill groups' rows:
its answers guide the split and price the bound's rows (any prices give a valid
bound), they are not a plan. It is built only where it is small
(`RELAXATION_SHIFT_INTERVALS`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scheduling.columns import END, INTERVAL_START, SITE, START
from scheduling.shifts.demand import coarser_requirements
from scheduling.shifts.model import Group, ShiftModel, build_model
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import Run
from scheduling.shifts.sites import Site
from scheduling.shifts.siteweeks import sites_in_week, week_spans
from scheduling.shifts.templates import generate_shifts
from scheduling.solver import highs_importable, highs_model, highs_status, use_log

__all__ = [
    "COARSE_RELAXATION_MINUTES",
    "COARSE_RELAXATION_SHIFT_INTERVALS",
    "COARSE_RELAXATION_TIME_SHARE",
    "RELAXATION_GUIDE_SHIFT_INTERVALS",
    "RELAXATION_SHIFT_INTERVALS",
    "HorizonRelaxation",
    "coarse_relaxation",
    "horizon_relaxation",
]

RELAXATION_SHIFT_INTERVALS = 100_000
"""Most candidate shift-intervals times skill groups of their site for which the
whole horizon's relaxation is built (measured with throwaway scripts, HiGHS's
interior point method, 2 cores: the example company's four weeks 38,152, a
programme of 450,866 nonzeros solved in 7.4 s; `benchmarks/peak_season.py
--minutes 60` two weeks 70,088, 2.1 million nonzeros, built in 12.5 s and
solved in 51 s; its four weeks, or one week at 15 minutes, 140,176: four weeks
built in 39 s and solved in 149 s, past a quarter of its 300-s time limit)."""

RELAXATION_GUIDE_SHIFT_INTERVALS = 20_000
"""Most candidate shift-intervals times skill groups per week of the horizon for
which the relaxation also guides the weeks (`HorizonRelaxation.guides`); past
it, it only prices the bound. A week that large has a programme that may need
all its time limit, and one lowered by the relaxation's share found no answer
in it: `benchmarks/peak_season.py --minutes 60 --weeks 2` (35,044 a week; the
example company 9,538) at 45c466a, week 1 ended greedy after 830 s, 1,703.1
agent-hours short against 621.4 without the relaxation."""

RELAXATION_TIME_SHARE = 0.25
"""The relaxation's share of `time_limit_seconds` (it runs before the weeks)."""

COARSE_RELAXATION_MINUTES = 60
"""The intervals of the relaxation that prices the bound's rows where the one at
the run's own grid is too large (`coarse_relaxation`), minutes."""

COARSE_RELAXATION_SHIFT_INTERVALS = 150_000
"""Most `_size` of that coarse relaxation (at its own intervals): the peak
benchmark's four weeks (140,176 at 60 minutes; built in 39 s, solved in 149 s;
a 2-core machine, beside nothing)."""

COARSE_RELAXATION_TIME_SHARE = 1.0
"""The coarse relaxation's share of `time_limit_seconds`: it runs in the bound's
process beside the weeks, which take several time limits."""


@dataclass(frozen=True)
class HorizonRelaxation:
    """What the whole horizon's relaxation says (module docstring).

    Attributes:
        duals: the dual value of each cover row with one above zero, keyed
            (Hall set of queues, interval_start): cost units per agent.
        forced: (queue, interval_start) that no candidate shift can serve.
        on_duty: agents on duty by interval_start (net of breaks), from the
            relaxation's answer, keyed (week the shifts start in: 0-based, each
            site's own weeks; the queues of their skill group).
        guides: whether its weeks are small enough for `on_duty` to guide
            them (`RELAXATION_GUIDE_SHIFT_INTERVALS`).
    """

    duals: Mapping[tuple[Group, pd.Timestamp], float]
    forced: tuple[tuple[str, pd.Timestamp], ...]
    on_duty: Mapping[tuple[int, Group], pd.Series]
    guides: bool = True

    def on_duty_from(self, week: int) -> dict[Group, pd.Series]:
        """Agents on duty by interval_start per skill group's queues, from the
        shifts of `week` and later."""
        out: dict[Group, pd.Series] = {}
        for (k, group), agents in sorted(self.on_duty.items()):
            if k >= week:
                out[group] = agents if group not in out else out[group] + agents
        return out


def horizon_relaxation(
    frame: pd.DataFrame, run: Run, options: ScheduleOptions
) -> HorizonRelaxation | None:
    """The whole horizon's relaxation, or None: too large to build
    (`RELAXATION_SHIFT_INTERVALS`), no candidate shift, highspy missing, no
    optimum within `RELAXATION_TIME_SHARE` of the time limit, Ctrl-C (the press
    is left to week 1's solve, which then builds its schedule greedily and ends
    the run after it, as a press during that solve would), or any failure: the
    weeks then go without it, as they did before it.

    Args:
        frame: the horizon's requirements (UTC `interval_start`).
        run: the run's sites and skill groups (`setup_run`).
        options: the weekly rules (not cyclic).
    """
    if not highs_importable():
        return None
    try:
        return _relaxation(frame, run, options)
    except Exception:  # a guide and prices only: a plan never fails for it
        return None


def coarse_relaxation(
    frame: pd.DataFrame, run: Run, options: ScheduleOptions
) -> HorizonRelaxation | None:
    """The whole horizon's relaxation on `COARSE_RELAXATION_MINUTES` intervals
    (requirements averaged: `demand.coarser_requirements`), for the duals alone:
    each dual u of a coarse interval is spread as u / n over its n intervals of
    the run's grid (a price per agent-interval, as the fine rows' duals are), and
    no row is forced. Any prices >= 0 give a valid bound
    (`scheduling.shifts.weekbound`); these are the coarse optimum's. None where
    the run's grid is not finer, past `COARSE_RELAXATION_SHIFT_INTERVALS`, with
    no optimum within `COARSE_RELAXATION_TIME_SHARE` of the time limit, highspy
    missing, or on any failure (as `horizon_relaxation`).

    Args:
        frame: the horizon's requirements at the run's grid (UTC
            `interval_start`).
        run: the run's sites and skill groups (`setup_run`).
        options: the weekly rules (not cyclic), with the run's grid.

    On the peak benchmark's two weeks at 15 minutes, too large for the
    relaxation at its own grid, the pass at these prices bounds the plan at
    829,412.89, 5.9% above the least-cost prices and their rises
    (`benchmarks/weekly_bound.py --weeks 2 --peak`, at a6c82f6).
    """
    if not highs_importable() or COARSE_RELAXATION_MINUTES % options.interval_minutes:
        return None
    if options.interval_minutes >= COARSE_RELAXATION_MINUTES:
        return None
    try:
        return _coarse(frame, run, options)
    except Exception:  # prices only: a plan never fails for them
        return None


def _relaxation(
    frame: pd.DataFrame, run: Run, options: ScheduleOptions
) -> HorizonRelaxation | None:
    solved = _solved(
        frame,
        run,
        options,
        most=RELAXATION_SHIFT_INTERVALS,
        seconds=RELAXATION_TIME_SHARE * options.time_limit_seconds,
    )
    if solved is None:
        return None
    model, solution = solved
    values = np.asarray(solution.col_value, dtype=float)
    starts = _site_week_starts(run.planned, run.horizon, options)
    week_of = _weeks_of(model.shifts, starts)
    guides = _largest_week(model.shifts, week_of, run, options) <= RELAXATION_GUIDE_SHIFT_INTERVALS
    return HorizonRelaxation(
        _duals(model, solution), _forced(model), _on_duty(model, values, week_of), guides
    )


def _coarse(frame: pd.DataFrame, run: Run, options: ScheduleOptions) -> HorizonRelaxation | None:
    """`coarse_relaxation`'s relaxation and duals, exceptions left to it."""
    minutes = COARSE_RELAXATION_MINUTES
    coarse = coarser_requirements(frame, minutes=minutes, step_minutes=options.interval_minutes)
    hourly = dataclasses.replace(options, interval_minutes=minutes)
    solved = _solved(
        coarse,
        run,
        hourly,
        most=COARSE_RELAXATION_SHIFT_INTERVALS,
        seconds=COARSE_RELAXATION_TIME_SHARE * options.time_limit_seconds,
    )
    if solved is None:
        return None
    step = pd.Timedelta(minutes=options.interval_minutes)
    parts = minutes // options.interval_minutes
    duals = {
        (queues, start + k * step): u / parts
        for (queues, start), u in _duals(*solved).items()
        for k in range(parts)
    }
    return HorizonRelaxation(duals, (), {}, guides=False)


def _solved(
    frame: pd.DataFrame, run: Run, options: ScheduleOptions, *, most: float, seconds: float
) -> tuple[ShiftModel, Any] | None:
    """The relaxation's programme and HiGHS's optimal solution of it, or None: no
    candidate shift, more than `most` in size (`_size`), or no optimum within
    `seconds`."""
    shifts = generate_shifts(run.planned, start=run.horizon[0], end=run.horizon[1])
    if shifts.empty or _size(shifts, run, options) > most:
        return None
    # without the surplus penalty, as the weeks' bound prices its rows (`weekbound`)
    unpriced = dataclasses.replace(options, surplus_penalty=0.0)
    model = build_model(frame, shifts, sites=run.planned, options=unpriced, groups=run.groups)
    highs = highs_model(model.problem, mip=False)
    use_log(highs)
    highs.setOptionValue("solver", "ipm")  # then crossover: a vertex, its duals
    highs.setOptionValue("time_limit", seconds)
    highs.run()
    if highs_status(highs.getModelStatus()) != "optimal":
        return None
    return model, highs.getSolution()


def _duals(model: ShiftModel, solution: Any) -> dict[tuple[Group, pd.Timestamp], float]:
    """The cover rows' duals above zero (`HorizonRelaxation.duals`)."""
    row_dual = np.asarray(solution.row_dual, dtype=float)
    return {
        key: float(row_dual[row.index])
        for key, row in model.cover.items()
        if row_dual[row.index] > 1e-9
    }


def _forced(model: ShiftModel) -> tuple[tuple[str, pd.Timestamp], ...]:
    """(queue, interval_start) whose shortfall has a positive lower bound: no
    candidate shift serves it."""
    return tuple(
        key
        for key, short in sorted(model.shortfall.items())
        if short.lowBound is not None and short.lowBound > 0
    )


def _site_week_starts(
    sites: Sequence[Site], horizon: tuple[pd.Timestamp, pd.Timestamp], options: ScheduleOptions
) -> list[dict[str, pd.Timestamp]]:
    """Per week of the horizon (0-based), each site's own week start (UTC) by name."""
    count = len(week_spans(horizon, options.first_week_days))
    return [
        {
            site.name: site.span[0]
            for site in sites_in_week(
                sites, horizon, k, options.week_start_day, options.first_week_days
            )
            if site.span is not None
        }
        for k in range(count)
    ]


def _size(shifts: pd.DataFrame, run: Run, options: ScheduleOptions) -> float:
    """Candidate shift-intervals times the skill groups of their site."""
    return float(_sizes(shifts, run, options).sum())


def _sizes(shifts: pd.DataFrame, run: Run, options: ScheduleOptions) -> pd.Series:
    """Per candidate shift, its intervals times the skill groups of its site."""
    groups = Counter(group.site for group in run.groups)
    step = pd.Timedelta(minutes=options.interval_minutes)
    length = (shifts[END] - shifts[START]) / step
    return length * shifts[SITE].map(groups).fillna(1)


def _largest_week(
    shifts: pd.DataFrame, week_of: Mapping[str, int], run: Run, options: ScheduleOptions
) -> float:
    """`_size` of the shifts that start in the largest week (each site's own)."""
    weeks = shifts.index.astype(str).map(week_of)
    return float(_sizes(shifts, run, options).groupby(weeks).sum().max())


def _weeks_of(
    shifts: pd.DataFrame, week_starts: Sequence[Mapping[str, pd.Timestamp]]
) -> dict[str, int]:
    """The week (0-based, its site's own) each shift starts in, by shift_id."""
    week = np.zeros(len(shifts), dtype=int)
    sites = shifts[SITE].astype(str)
    starts = pd.to_datetime(shifts[START], utc=True)
    for k, begins in enumerate(week_starts[1:], start=1):
        begin = pd.to_datetime(sites.map(begins), utc=True)
        week[(starts >= begin).to_numpy()] = k  # NaT (a site without that week): False
    return dict(zip(shifts.index.astype(str), week.tolist(), strict=True))


def _on_duty(
    model: ShiftModel, values: np.ndarray, week_of: Mapping[str, int]
) -> dict[tuple[int, Group], pd.Series]:
    """Agents on duty by interval_start, keyed (week of their shifts, group's
    queues): the capacity terms (x less the breaks' w) at the answer."""
    shift_of = {var.name: sid for (sid, _), var in model.x.items()}
    shift_of.update((var.name, sid) for (sid, _, _), var in model.breaks.items())
    cells: dict[tuple[int, Group], np.ndarray] = {}
    for (group, i), terms in model.capacity.items():
        for var, share in terms:
            sid = shift_of.get(var.name)
            if sid is not None:
                key = (week_of[sid], group)
                if key not in cells:
                    cells[key] = np.zeros(len(model.intervals))
                cells[key][i] += share * values[var.index]
    index = pd.DatetimeIndex(model.intervals, name=INTERVAL_START)
    return {key: pd.Series(cells[key], index=index) for key in sorted(cells)}
