"""Plan capacity: build and solve the programme, then read the plan off it.

`plan_capacity` is the one call: required FTE per queue and week in, one row per
site and week out (plus the outsourcer's rows), with the classes to open and
why any week is short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from scheduling.capacity.flows import tenured_floor
from scheduling.capacity.model import (
    CapacityModel,
    CapacityOptions,
    build_capacity_model,
    solve_capacity,
)
from scheduling.capacity.params import Outsourcer, SiteCapacity
from scheduling.columns import (
    ATTRITION,
    CAPACITY_COLUMNS,
    CLASS_START,
    COST,
    GRADUATES,
    HEADCOUNT,
    HIRES,
    IN_TRAINING,
    OUTSOURCED_FTE,
    OUTSOURCED_SITE,
    OVERTIME_FTE,
    PRODUCTIVE_FTE,
    REQUIRED_FTE,
    SHORT_FTE,
    SITE,
    WEEK_START,
)
from scheduling.solver import SolveResult

_EPS = 1e-6


@dataclass(frozen=True)
class ShortWeek:
    """A week with demand left uncovered, and why."""

    week_start: dt.date
    short_fte: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CapacityPlan:
    """The solved plan.

    Attributes:
        plan: one row per (week_start, site), columns `CAPACITY_COLUMNS`, sorted by
            week then site (the sites in the given order, then `outsourced`
            when there is an outsourcer). On the outsourced rows only
            required_fte (demand it covers), outsourced_fte and cost are
            non-zero. `cost` is money spent that week (salaries of headcount and
            trainees, hiring, overtime; outsourcing on its rows), without the
            shortfall penalty.
        classes: one row per class opened: site, week_start, hires.
        short_weeks: the weeks short, in order, with their reasons.
        solve: objective, bound, gap and status of the programme.
    """

    plan: pd.DataFrame
    classes: pd.DataFrame
    short_weeks: tuple[ShortWeek, ...]
    solve: SolveResult

    @property
    def total_cost(self) -> float:
        return float(self.plan[COST].sum())

    @property
    def short_fte_weeks(self) -> float:
        return float(self.plan[SHORT_FTE].sum())

    @property
    def peak_outsourced(self) -> float:
        return float(self.plan[OUTSOURCED_FTE].max()) if len(self.plan) else 0.0

    @property
    def total_hires(self) -> int:
        return int(self.classes[HIRES].sum()) if len(self.classes) else 0


def plan_capacity(
    required: pd.DataFrame,
    *,
    sites: Sequence[SiteCapacity],
    outsourcer: Outsourcer,
    options: CapacityOptions,
) -> CapacityPlan:
    """The least-cost hiring, overtime and outsourcing plan for `required`.

    Args:
        required: week_start, queue, required_fte (FTE), as from
            `scheduling.capacity.demand.weekly_requirements`.
        sites: the sites, their starting headcount and rules.
        outsourcer: the supplier (max_fte 0 for none).
        options: short penalty and solver settings.

    Returns:
        The plan, its classes, the weeks short with reasons, and the solve report.

    Raises:
        InputError: bad parameters or demand (see `build_capacity_model`).
        InfeasibleError, SolverUnavailableError: from the solver.
    """
    model = build_capacity_model(required, sites=sites, outsourcer=outsourcer, options=options)
    result = solve_capacity(model, options)
    rows = [_site_rows(model, site) for site in model.sites]
    if outsourcer.max_fte > 0:
        rows.append(_outsourcer_rows(model))
    frame = _shared_demand(pd.concat(rows, ignore_index=True), model)
    order = {name: i for i, name in enumerate([s.name for s in sites] + [OUTSOURCED_SITE])}
    frame = frame.sort_values(
        [WEEK_START, SITE], key=lambda c: c.map(order) if c.name == SITE else c, kind="stable"
    ).reset_index(drop=True)
    classes = frame.loc[frame[HIRES] > 0, [SITE, WEEK_START, HIRES]].reset_index(drop=True)
    return CapacityPlan(
        plan=frame[list(CAPACITY_COLUMNS)],
        classes=classes,
        short_weeks=_short_weeks(model, frame),
        solve=result,
    )


def class_sizes(model: CapacityModel, site: SiteCapacity) -> np.ndarray:
    """Hires per week at `site` in the solution, whole numbers."""
    sizes = np.zeros(len(model.weeks))
    for (name, c), var in model.hires.items():
        if name == site.name:
            sizes[c] = round(var.varValue or 0.0)
    return sizes


def site_flows(
    sizes: np.ndarray, site: SiteCapacity, model: CapacityModel
) -> dict[str, np.ndarray]:
    """Headcount, in_training, attrition, productive and graduates per week from class sizes."""
    horizon = len(sizes)
    profile = model.profiles[site.name]
    base = site.headcount * tenured_floor(site.rules, horizon)

    def spread(array: np.ndarray) -> np.ndarray:
        return np.convolve(sizes, array)[:horizon]

    graduates = np.zeros(horizon)
    kept = 1.0 - site.rules.training_attrition
    for c in np.flatnonzero(sizes):
        week = c + site.rules.training_weeks - 1  # the last week before joining the floor
        if 0 <= week < horizon:
            graduates[week] += sizes[c] * kept
    return {
        HEADCOUNT: base + spread(profile.floor),
        IN_TRAINING: spread(profile.training),
        ATTRITION: base * site.rules.attrition_per_week + spread(profile.attrition),
        PRODUCTIVE_FTE: base + spread(profile.productive),
        GRADUATES: graduates,
    }


def _value(var: pulp.LpVariable | None) -> float:
    value = 0.0 if var is None else float(var.varValue or 0.0)
    return 0.0 if abs(value) < _EPS else value


def _site_rows(model: CapacityModel, site: SiteCapacity) -> pd.DataFrame:
    horizon = len(model.weeks)
    sizes = class_sizes(model, site)
    flows = site_flows(sizes, site, model)
    name = site.name
    overtime = np.array([_value(model.overtime.get((name, t))) for t in range(horizon)])
    short = np.array([_value(model.short.get((name, t))) for t in range(horizon)])
    routed = np.array(
        [sum(_value(model.route.get((name, q, t))) for q in model.queues) for t in range(horizon)]
    )
    rules = site.rules
    cost = (
        site.weekly_cost * (flows[HEADCOUNT] + flows[IN_TRAINING])
        + rules.hiring_cost * sizes
        + site.weekly_cost * rules.overtime_cost_multiplier * overtime
    )
    return pd.DataFrame(
        {
            WEEK_START: model.weeks,
            SITE: name,
            REQUIRED_FTE: routed,
            HEADCOUNT: flows[HEADCOUNT],
            IN_TRAINING: flows[IN_TRAINING],
            HIRES: sizes.astype(int),
            CLASS_START: sizes > 0,
            ATTRITION: flows[ATTRITION],
            PRODUCTIVE_FTE: flows[PRODUCTIVE_FTE],
            OVERTIME_FTE: overtime,
            OUTSOURCED_FTE: 0.0,
            SHORT_FTE: short,
            COST: cost,
            GRADUATES: flows[GRADUATES],
        }
    )


def _shared_demand(frame: pd.DataFrame, model: CapacityModel) -> pd.DataFrame:
    """Split the sites' demand in proportion to their supply when they serve the same queues.

    The programme's routing between sites that serve the same queues is arbitrary
    (any split covering the same total costs the same); in proportion to each
    site's productive + overtime FTE, every site shows the same cover ratio, and
    the shortfall is shared the same way. Sites serving different queue sets keep
    the programme's routing.
    """
    served = {tuple(q for q in model.queues if q in s.queues) for s in model.sites}
    if len(served) != 1:
        return frame
    sites = frame[SITE] != OUTSOURCED_SITE
    part = frame[sites]
    supply = part[PRODUCTIVE_FTE] + part[OVERTIME_FTE]
    week = part[WEEK_START]
    total_supply = supply.groupby(week).transform("sum")
    routed = part[REQUIRED_FTE].groupby(week).transform("sum")
    count = supply.groupby(week).transform("size")
    share = np.where(
        total_supply > _EPS, supply / total_supply.where(total_supply > _EPS, 1), 1 / count
    )
    required = routed * share
    frame = frame.copy()
    frame.loc[sites, REQUIRED_FTE] = required
    short = (required - supply).clip(lower=0.0)
    frame.loc[sites, SHORT_FTE] = short.where(short > _EPS, 0.0)
    return frame


def _outsourcer_rows(model: CapacityModel) -> pd.DataFrame:
    horizon = len(model.weeks)
    level = np.array([_value(model.outsourced.get(t)) for t in range(horizon)])
    routed = np.array(
        [sum(_value(model.route_out.get((q, t))) for q in model.queues) for t in range(horizon)]
    )
    zero = np.zeros(horizon)
    return pd.DataFrame(
        {
            WEEK_START: model.weeks,
            SITE: OUTSOURCED_SITE,
            REQUIRED_FTE: routed,
            HEADCOUNT: zero,
            IN_TRAINING: zero,
            HIRES: np.zeros(horizon, dtype=int),
            CLASS_START: False,
            ATTRITION: zero,
            PRODUCTIVE_FTE: zero,
            OVERTIME_FTE: zero,
            OUTSOURCED_FTE: level,
            SHORT_FTE: zero,
            COST: model.outsourcer.cost_per_fte_week * level,
            GRADUATES: zero,
        }
    )


def _short_weeks(model: CapacityModel, frame: pd.DataFrame) -> tuple[ShortWeek, ...]:
    """The weeks short, each with what stopped the plan covering it."""
    totals = frame.groupby(WEEK_START, sort=True)[SHORT_FTE].sum()
    out = []
    for t, week in enumerate(model.weeks):
        if totals.get(week, 0.0) > 1e-4:
            out.append(ShortWeek(week, float(totals[week]), _reasons(model, frame, t)))
    return tuple(out)


def _reasons(model: CapacityModel, frame: pd.DataFrame, t: int) -> tuple[str, ...]:
    reasons = []
    week = frame[frame[WEEK_START] == model.weeks[t]].set_index(SITE)
    soonest = min(s.rules.productive_from() for s in model.sites)
    if t < soonest:
        when = model.weeks[soonest] if soonest < len(model.weeks) else "after the plan"
        reasons.append(
            f"lead time: hires decided now reach the floor from {when} "
            "(hire_lead_weeks + training_weeks)"
        )
    for site in model.sites:
        rules = site.rules
        joined = [
            c
            for (name, c) in model.hires
            if name == site.name
            and c + rules.training_weeks <= t
            and round(model.hires[name, c].varValue or 0) >= rules.class_max
        ]
        if joined:
            reasons.append(f"class size cap: {site.name}'s classes at class_max {rules.class_max}")
        paid = week.loc[site.name, HEADCOUNT] + week.loc[site.name, IN_TRAINING]
        if rules.max_headcount is not None and paid >= rules.max_headcount - 1e-4:
            reasons.append(f"seats: {site.name} at max_headcount {rules.max_headcount}")
        if week.loc[site.name, PRODUCTIVE_FTE] < week.loc[site.name, HEADCOUNT] - 1e-4:
            reasons.append(f"ramp: {site.name}'s new hires not yet at full speed")
    supplier = model.outsourcer
    if supplier.max_fte > 0:
        if t < supplier.lead_weeks:
            reasons.append(f"the outsourcer needs {supplier.lead_weeks} weeks' notice")
        elif week.loc[OUTSOURCED_SITE, OUTSOURCED_FTE] >= supplier.max_fte - 1e-4:
            reasons.append(f"outsourcer at outsource_max_fte {supplier.max_fte:g}")
    if not reasons:
        reasons.append("covering it costs more than short_penalty_per_fte_week")
    return tuple(reasons)
