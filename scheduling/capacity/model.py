"""The capacity plan as an integer programme: hire, train, pay overtime or outsource.

Per site s and week t the programme decides:

- `hires[s, c]`: the size of a class starting in week c, whole, with a binary
  `opens[s, c]` so that an open class has `class_min`..`class_max` hires.
  Classes start only in weeks c >= `hire_lead_weeks` (recruiting), every
  `class_every_weeks` from there, and early enough to join the floor within
  the plan;
- `overtime[s, t]` >= 0, at most `overtime_max_share` of the site's productive
  FTE that week;
- `route[s, q, t]` >= 0: the FTE of queue q's demand the site covers, for the
  queues it serves, and `short[s, t]` >= 0 of it left uncovered.

And for the outsourcer (a supplier serving every queue, not a site): its FTE
`outsourced[t]` and the FTE `contracted[t]` newly contracted in week t, from
week `lead_weeks` on. Every increase of `outsourced` is a new contract, and
each contract is paid for at least `min_weeks` weeks:
outsourced[t] - outsourced[t-1] <= contracted[t] and
outsourced[t] >= sum(contracted[t-k] for k < min_weeks).

Headcount, training, attrition and productive FTE are linear in the class sizes
(expected values, `scheduling.capacity.flows`). Demand is met queue by queue:
sum over sites serving q of route[s, q, t] + outsourced route[q, t] = required[q, t],
and each site's routed demand <= productive + overtime + short. This allocation
is exact for any pattern of sites and queues: it is the transport problem whose
feasibility Hall's condition describes.

The objective is cost: salaries (weekly_cost x (headcount + in_training)),
hiring_cost per hire, overtime at its multiplier, outsourcing per FTE-week, plus
`short_penalty_per_fte_week` per FTE-week short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from scheduling.capacity.flows import CohortProfile, cohort_profile, tenured_floor
from scheduling.capacity.params import Outsourcer, SiteCapacity
from scheduling.columns import QUEUE, REQUIRED_FTE, WEEK_START
from scheduling.errors import InputError
from scheduling.solver import SolveResult, solve_problem


@dataclass(frozen=True, kw_only=True)
class CapacityOptions:
    """How the programme is priced and solved.

    Attributes:
        short_penalty_per_fte_week: objective cost of one FTE-week short.
        solver: "highs" or "cbc".
        time_limit_seconds: solver time limit, seconds.
        gap: relative optimality gap at which to stop, 0-1.
    """

    short_penalty_per_fte_week: float = 10000.0
    solver: str = "highs"
    time_limit_seconds: float = 60.0
    gap: float = 0.001

    def __post_init__(self) -> None:
        penalty = self.short_penalty_per_fte_week
        if not (isinstance(penalty, int | float) and np.isfinite(penalty) and penalty >= 0):
            raise InputError(f"capacity: short_penalty_per_fte_week must be >= 0, got {penalty!r}")


@dataclass
class CapacityModel:
    """A built programme and its variables, keyed by site, queue and week."""

    problem: pulp.LpProblem
    weeks: list[dt.date]
    queues: list[str]
    sites: list[SiteCapacity]
    outsourcer: Outsourcer
    required: np.ndarray  # [queue, week], FTE
    profiles: dict[str, CohortProfile]
    hires: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    opens: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    overtime: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    short: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    route: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    outsourced: dict[int, pulp.LpVariable] = field(default_factory=dict)
    contracted: dict[int, pulp.LpVariable] = field(default_factory=dict)
    route_out: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)


def build_capacity_model(
    required: pd.DataFrame,
    *,
    sites: Sequence[SiteCapacity],
    outsourcer: Outsourcer,
    options: CapacityOptions,
) -> CapacityModel:
    """The programme for `required` FTE per queue and week (see the module docstring).

    Args:
        required: columns week_start, queue, required_fte (FTE), one row per
            week and queue, as `weekly_requirements` returns.
        sites: the sites, with their people and rules.
        outsourcer: the supplier (max_fte 0: none).
        options: short penalty and solver settings.

    Raises:
        InputError: no sites, two sites of one name, or a queue no site serves.
    """
    weeks, queues, matrix = _demand_matrix(required, sites)
    horizon = len(weeks)
    model = CapacityModel(
        problem=pulp.LpProblem("capacity", pulp.LpMinimize),
        weeks=weeks,
        queues=queues,
        sites=list(sites),
        outsourcer=outsourcer,
        required=matrix,
        profiles={s.name: cohort_profile(s.rules, horizon) for s in sites},
    )
    cost = []
    for site in sites:
        cost.append(_add_site(model, site, options))
    cost.append(_add_outsourcer(model))
    _add_demand_rows(model)
    objective = pulp.lpSum(cost)
    # The starting staff's salaries are a constant. PuLP does not pass constants to
    # the solver, whose gap would then be relative to the decisions' cost alone;
    # as a variable fixed at 1 it makes the solver stop at the gap asked for, of
    # the whole cost, which is the gap reported.
    sunk = model.problem.add_variable("starting_staff", 1, 1)
    model.problem += objective - objective.constant + objective.constant * sunk, "cost"
    return model


def class_weeks(site: SiteCapacity, horizon: int) -> list[int]:
    """Weeks a class may start at `site`: after the lead time, on its cadence, and
    early enough to join the floor before the plan ends."""
    rules = site.rules
    last = horizon - rules.training_weeks - 1
    return list(range(rules.hire_lead_weeks, last + 1, rules.class_every_weeks))


def site_expressions(model: CapacityModel, site: SiteCapacity) -> dict[str, list]:
    """Per week, the site's headcount, in_training, attrition and productive FTE
    as affine expressions of its class sizes (constants for the starting staff)."""
    horizon = len(model.weeks)
    profile = model.profiles[site.name]
    base = site.headcount * tenured_floor(site.rules, horizon)
    out: dict[str, list] = {"headcount": [], "in_training": [], "attrition": [], "productive": []}
    starts = [c for (name, c) in model.hires if name == site.name]
    for t in range(horizon):
        ages = [(model.hires[site.name, c], t - c) for c in starts if c <= t]
        for key, array, constant in (
            ("headcount", profile.floor, base[t]),
            ("in_training", profile.training, 0.0),
            ("attrition", profile.attrition, base[t] * site.rules.attrition_per_week),
            ("productive", profile.productive, base[t]),
        ):
            terms = [(var, float(array[age])) for var, age in ages if array[age]]
            out[key].append(pulp.LpAffineExpression(terms, constant=float(constant)))
    return out


def _add_site(model: CapacityModel, site: SiteCapacity, options: CapacityOptions):
    rules, problem, name = site.rules, model.problem, site.name
    horizon = len(model.weeks)
    tag = f"s{model.sites.index(site)}_{_tag(name)}"
    for c in class_weeks(site, horizon):
        size = problem.add_variable(f"hires_{tag}_{c}", 0, rules.class_max, cat="Integer")
        opens = problem.add_variable(f"opens_{tag}_{c}", cat="Binary")
        model.hires[name, c], model.opens[name, c] = size, opens
        problem += size >= rules.class_min * opens, f"class_min_{tag}_{c}"
        problem += size <= rules.class_max * opens, f"class_max_{tag}_{c}"
    flows = site_expressions(model, site)
    terms = [rules.hiring_cost * model.hires[key] for key in model.hires if key[0] == name]
    for t in range(horizon):
        extra = problem.add_variable(f"overtime_{tag}_{t}", 0)
        short = problem.add_variable(f"short_{tag}_{t}", 0)
        model.overtime[name, t], model.short[name, t] = extra, short
        productive = flows["productive"][t]
        problem += extra <= rules.overtime_max_share * productive, f"overtime_{tag}_{t}_cap"
        routed = []
        for i, q in enumerate(model.queues):
            if q in site.queues:
                var = problem.add_variable(f"route_{tag}_q{i}_{t}", 0)
                model.route[name, q, t] = var
                routed.append(var)
        problem += pulp.lpSum(routed) <= productive + extra + short, f"cover_{tag}_{t}"
        paid = flows["headcount"][t] + flows["in_training"][t]
        if rules.max_headcount is not None:
            problem += paid <= rules.max_headcount, f"seats_{tag}_{t}"
        terms.append(site.weekly_cost * paid)
        terms.append(site.weekly_cost * rules.overtime_cost_multiplier * extra)
        terms.append(options.short_penalty_per_fte_week * short)
    return pulp.lpSum(terms)


def _add_outsourcer(model: CapacityModel):
    supplier, problem = model.outsourcer, model.problem
    if supplier.max_fte <= 0:
        return 0
    horizon = len(model.weeks)
    for t in range(supplier.lead_weeks, horizon):
        level = problem.add_variable(f"outsourced_{t}", 0, supplier.max_fte)
        new = problem.add_variable(f"contracted_{t}", 0, supplier.max_fte)
        model.outsourced[t], model.contracted[t] = level, new
        before = model.outsourced.get(t - 1, 0)
        problem += level - before <= new, f"outsource_contract_{t}"
        first = max(supplier.lead_weeks, t - supplier.min_weeks + 1)
        recent = [model.contracted[k] for k in range(first, t + 1)]
        problem += level >= pulp.lpSum(recent), f"outsource_min_weeks_{t}"
        routed = []
        for i, q in enumerate(model.queues):
            model.route_out[q, t] = problem.add_variable(f"route_out_q{i}_{t}", 0)
            routed.append(model.route_out[q, t])
        problem += pulp.lpSum(routed) <= level, f"outsource_cover_{t}"
    return pulp.lpSum(supplier.cost_per_fte_week * v for v in model.outsourced.values())


def _add_demand_rows(model: CapacityModel) -> None:
    for i, q in enumerate(model.queues):
        for t in range(len(model.weeks)):
            routed = [
                model.route[s.name, q, t] for s in model.sites if (s.name, q, t) in model.route
            ]
            if (q, t) in model.route_out:
                routed.append(model.route_out[q, t])
            model.problem += (
                pulp.lpSum(routed) == float(model.required[i, t]),
                (f"demand_q{i}_{_tag(q)}_{t}"),
            )


def solve_capacity(model: CapacityModel, options: CapacityOptions) -> SolveResult:
    """Solve the programme in place (HiGHS or CBC, one thread)."""
    return solve_problem(
        model.problem,
        solver=options.solver,
        time_limit_seconds=options.time_limit_seconds,
        gap=options.gap,
    )


def _demand_matrix(
    required: pd.DataFrame, sites: Sequence[SiteCapacity]
) -> tuple[list[dt.date], list[str], np.ndarray]:
    if not sites:
        raise InputError("capacity: no sites; the plan needs at least one site")
    names = [s.name for s in sites]
    if len(set(names)) != len(names):
        raise InputError(f"capacity: two sites share a name among {', '.join(names)}")
    missing = [c for c in (WEEK_START, QUEUE, REQUIRED_FTE) if c not in required]
    if missing:
        raise InputError(f"capacity: required FTE has no column {missing[0]!r}")
    table = required.pivot_table(
        index=QUEUE, columns=WEEK_START, values=REQUIRED_FTE, aggfunc="sum", fill_value=0.0
    )
    queues = [str(q) for q in table.index]
    served = {q for s in sites for q in s.queues}
    orphans = [q for q in queues if q not in served and table.loc[q].sum() > 0]
    if orphans:
        raise InputError(
            f"capacity: queue(s) {', '.join(map(repr, orphans))} are served by no site; "
            "add them to a site's queues"
        )
    values = table.to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise InputError("capacity: required_fte must be finite and >= 0")
    return list(table.columns), queues, values


def _tag(name: str) -> str:
    """A name usable inside a PuLP variable or constraint name."""
    return "".join(ch if ch.isalnum() else "_" for ch in name)
