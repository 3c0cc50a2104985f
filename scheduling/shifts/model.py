"""The shift programme: blended agents per shift and skill group, with implicit breaks.

Build, solve and read are separate steps: `build_model` -> `ShiftModel`,
`solve(model, ...)` -> `SolveResult`, `chosen_shifts(model)` and
`break_plan(model)` -> DataFrames.

Agents are blended (`scheduling.shifts.skills`): x[s,g] agents of skill group g work
shift s, and in each interval the agents on duty serve whichever of their
queues need them. Breaks are implicit (`scheduling.shifts.breaks`; Aykin 1996): of the
x[s,g] agents, w[s,g,r,k] take the break of rule r (a lunch, a short break) at
its candidate start k, a whole number.

    minimise   sum_{s,g} c_s x[s,g] + (P + p) h sum_{q,t} short[q,t]
             + p h (sum_{g,t} cap[g,t] - sum_{q,t} required[q,t])
    subject to
      cover_{Q}_{t}:      sum_{g serving a queue of Q} cap[g,t] + sum_{q in Q} short[q,t]
                            >= sum_{q in Q} required[q,t]    for each Hall set Q at t
      breaks_{shift}_{g}[_rule{r}]: sum_k w[s,g,r,k] = x[s,g]   for each rule r
      headcount_{site}_{d}:      sum_{s of site starting on local date d, g} x[s,g] <= max_agents
      headcount_{site}_week_{w}: sum_{s of site starting in week w, g} x[s,g]
                                   <= max_agents * max_days_per_week
      with a roster, per skill group g of a site:
      headcount_{site}_{g}_{d}:      sum_{s starting on d} x[s,g]
                                       <= agents of g not unavailable on d's weekday
      headcount_{site}_{g}_week_{w}: sum_{s starting in week w} x[s,g]
                                       <= agents_g * max_days_per_week
      hours_{site}_{g}_week_{w}:     sum_{s starting in week w} paid_s x[s,g] <= hours_g
      per site with max_agents and, with a roster, per skill group:
      rest_{site}[_{g}]_{instant}:   sum_{s whose span + min_rest contains the instant} x[s,g]
                                       <= max_agents (agents_g)
      tours_{site}[_{g}]_week_{w}_{u}: sum_s u[length_s] x[s,g] <= sum_agents max u.c
      daysoff_{site}[_{g}]_{d}:  shifts on d + agents whose days off d is <= agents
      with a roster whose skill group g mixes agents unavailable on different
      weekdays or of different weekly hours, one class c per set of such
      weekdays and hours (`SkillGroup.classes`):
      classes_{shift}_{g}:  sum_c y[s,g,c] = x[s,g], y integer >= 0, no y for
                            a class unavailable on the shift's local weekday,
      and the group's headcount_, hours_, rest_, tours_ and daysoff_ rows above
      are written per class over its y, with its own agents, days and hours
      (rows named ..._{g}_off_{days}_...);
      and, for a site of anonymous agents where it is exact, the weekly-tour
      network (`scheduling.shifts.workable`)
      x, w integer >= 0, 0 <= short[q,t] <= required[q,t]

    with cap[g,t] = sum_{s} f[s,t] x[s,g] - sum_{s,r,k} b[s,r,k,t] w[s,g,r,k]

where c_s is the shift's paid cost (`cost`: paid_hours_s * cost_per_hour of its site
plus night and weekend premiums, `scheduling.shifts.premiums`), f[s,t] is the share of
interval t the shift spans (`shift_coverage`), b[s,r,k,t] the share its break of
rule r at start k takes, h the interval length in hours (penalties are per
agent-hour), P the shortfall penalty and p the surplus penalty. Candidate starts
of one rule that take the same share of the same intervals share one w (the plan
staggers their agents over those starts); a rule whose candidates in a shift all
do has its break fixed there (no w). The single-rule shorthand has r = 0 only,
and its rows carry no `_rule` suffix. Shortfall makes the model feasible for any
demand.

Several rules stay exact for whole agents: no candidate of one rule overlaps a
candidate of another (`scheduling.shifts.breaks` rejects rules that would), so any
whole-agent w per rule is realised by handing the i-th agent of (s, g) the i-th
break of every rule, and cap is what those agents work.

Cover rows. Whether the agents on duty in t can serve `required - short` is a
supply-demand question on the bipartite graph of skill groups and queues; by
Gale's theorem (Hall's condition) it holds exactly when, for every set Q of
queues, the groups serving some queue of Q have capacity for Q's demand. Only
"Hall sets" need a row: Q closed (every queue whose groups all serve Q is in Q)
and connected (not two sets that share no group). Without a roster that is one
row per interval over all queues; with three skill sets, three. Rows directly on
the integer x and w let the solver round them (mixed-integer rounding cuts); an
explicit allocation y[site,g,q,t] with the same LP needed minutes where these
rows need seconds.
With many skill groups nearly every set of queues is a Hall set (six queues
mixed at random: about 56 of the 63 in each interval), and each row repeats the
terms of every group serving it: 14 million nonzeros for one week of 150
agents at 60 minutes. Such an interval (its rows would hold more than
`POOL_RATIO` times the nonzeros) gets one continuous variable per group,

      pool_{g}_{t}:  cap[g,t] = sum_s f[s,t] x[s,g] - sum_{s,r,k} b[s,r,k,t] w[s,g,r,k]

and its cover rows hold cap[g,t] instead: the same rows, so the same optimum
and relaxation, with each group's terms written once per interval (and where
the interval before is pooled too, as cap[g,t-1] plus the terms that change).

Very large programmes (the programme so far and its rest rows written
directly reach `limits.REST_SUMS_FROM`, three million nonzeros) write each rest
row on running sums of the shifts by start (`limits.rest_constraints`). A week
of 400 agents with random skill mixes at 15 minutes: 8.3 million nonzeros
pooled, 4.1 million with chained pools and summed rest rows, 1.8 million since
a roster's skill sets past `max_skill_groups` (8) a site are merged into that
many groups before the programme is built (`skills.planning_skills`). (An allocation of each
group's capacity to its queues instead of the Hall rows, exact by Gale's
theorem, halved that again, but the peak benchmark's week then took 141.8 s
to solve instead of 30.3 s, further from its bound, in a script outside the
repository: tried and dropped.)

Breaks are whole agents (as in Aykin's model), not shares: with shares, the
solution hides breaks in fractional slack that whole agents do not have, and on
the example week rounding them afterwards cost 45% more (shortfall) than the
objective promised.

Surplus needs no variables. The coverage report (`scheduling.shifts.coverage`) gives
every on-duty agent-interval to some queue, and a queue is never short and over
in the same interval, so total surplus = on-duty capacity - required + shortfall:
a linear function of x, w and short, priced above. The objective therefore equals
paid cost + P h (shortfall) + p h (surplus) of the schedule the solution describes.

The headcount rows relax weekly tours: one agent works at most one shift a day
and `max_days_per_week` a week; with a roster a group's rows use its own agents,
their days off and their weekly hours. The rest rows say that one agent works at
most one of the shifts that pairwise clash with `min_rest_hours`; the tours rows
say which mixes of shift lengths the agents' weekly hours and days allow (the
convex hull of each agent's (8 h, 9 h) counts: with 40 contracted hours and five
days, 4 n8 + 5 n9 <= 20 per agent). Without them the example's programme chose
Manila shifts that 7 of its roster agents' weeks could not hold. Whether named
agents can really work the chosen shifts (exact days off, per-agent rest) is
settled by `scheduling.shifts.assign`. These rows are each valid but not exact together
(on the follow-the-sun week they let 400 Manila agent-shifts through that its 80
agents could work 394 of). Where the weekly-tour network is exact it is added
beside them, and the programme's shifts are then ones the site's agents can
work; the rows stay because they tighten the network's LP relaxation (the
follow-the-sun week solves in 37 s with them, 53 s without).
Per class the rows are tighter than per group and still valid (each agent's
week is one of its class's): they see which agents' hours and days off meet
which days, where the group's rows pool them (two agents, one with 8 weekly
hours and unavailable Saturday, cannot both work the group's Thursday and
Wednesday shifts; the group's 48 hours let that through, the classes do not:
`tests/test_limits_bruteforce.py`).
Weeks are consecutive 7-day blocks from the horizon start.

Data bounds: no x for a (shift, group) that spans no interval where the group's
queues require anyone; and x[s,g] <= floor(max_t R_g(t) / m[s,t]) + 1, where
R_g(t) is the requirement of the group's queues and m[s,t] = f[s,t] - sum_r max_k
b[s,r,k,t] the least an agent of the shift surely works in t: with one agent fewer
the shift alone would still cover R_g(t), so an optimum never needs more
(skipped when some such t has m[s,t] = 0).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import pulp

from scheduling import rounding
from scheduling.columns import (
    BREAK_END,
    BREAK_START,
    COST,
    COUNT,
    END,
    FRACTION,
    INTERVAL,
    INTERVAL_START,
    PAID_HOURS,
    QUEUE,
    REQUIRED,
    RULE,
    SHIFT,
    SHIFT_ID,
    SHORT_IF_LEFT,
    SITE,
    START,
    WEIGHT,
)
from scheduling.errors import InputError
from scheduling.rounding import is_large, solve_by_rounding
from scheduling.shifts.breaks import combine_break_options, round_breaks, rule_break_options
from scheduling.shifts.demand import requirement_table
from scheduling.shifts.limits import (
    BreakClass,
    BuildContext,
    HeadcountLimit,
    Names,
    ShiftData,
    days_off_constraints,
    group_tag,
    headcount_constraints,
    rest_constraints,
    tour_constraints,
)
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.sites import Site
from scheduling.shifts.skills import SkillGroup, group_label, skill_groups
from scheduling.shifts.templates import shift_costs, shift_coverage
from scheduling.shifts.workable import exact_tour_constraints
from scheduling.solver import SolveResult, highs_importable, solve_problem

__all__ = [
    "LIMIT_BUILDERS",
    "ShiftModel",
    "break_plan",
    "build_model",
    "chosen_shifts",
    "is_large_model",
    "short_if_left",
    "shortfall_frame",
    "solve",
]

_EPS = 1e-9
HALL_SETS_MOST = 4096
"""Most Hall sets of queues (`hall_sets`) the programme writes cover rows for in
one interval (50 queues and 16 skill groups on duty give 1,165); past it the
interval's cover is an allocation (`allocation_rows`: the same condition, a
variable per group and queue), which `short_if_left` does not read."""
REPAIR_HALL_MOST = 512
"""Past this many Hall sets in one interval, the repair's and the extra shifts'
small programmes write its cover as an allocation (`allocation_rows`): their
groups are the agents' own skill sets, with 50 queues hundreds of them."""
POOL_RATIO = 4.0
"""An interval's cover rows pool each group's capacity into one variable when
written directly they would hold more than this many times the nonzeros
(`_pooled`): the example's intervals repeat them about twice (direct), the
peak benchmark's four skill profiles 1.4-7.8 times, 150 agents with random
skill mixes of six queues about 22 times."""

Group = tuple[str, ...]


@dataclass
class ShiftModel:
    """A built shift programme and the data needed to read its solution.

    Attributes:
        problem: the PuLP problem (minimisation).
        x: agents working each shift in each skill group, keyed (shift_id, group).
        breaks: agents of (shift_id, group) breaking at a candidate start, keyed
            (shift_id, group, break_start), for every rule (starts of different
            rules never coincide); a rule with one candidate class has none.
        shortfall: agents short, keyed (queue, interval_start), for every
            interval with a positive requirement.
        cover: coverage constraints, keyed (Hall set of queues, interval_start).
        capacity: each skill group's agents on duty in each interval (cap[g,t]
            of the module docstring: shares of x less those of w), as
            (variable, coefficient) terms keyed (group, position in `intervals`).
        headcount: headcount and hours limits, keyed by constraint name.
        shifts: candidate shifts (`scheduling.shifts.templates` columns), indexed by shift_id.
        break_choices: candidate breaks of every rule
            (`scheduling.shifts.breaks.break_options`).
        break_rule_classes: per shift_id with a break, per rule of
            `options.break_rules` (in order), its candidate break starts grouped
            by the share of each interval they take (one w per group, keyed by
            its first start; [] where the rule gives the shift no break).
        unusable: ids of shifts left out because, with `cyclic`, the horizon repeats
            before the shift plus `min_rest_hours` is over, so nobody could work it.
        coverage: long frame shift_id, interval (grid position), fraction, breaks
            not taken off.
        required: interval_start, queue, required (agents), full grid.
        intervals: the UTC grid of interval starts.
        sites: sites by name.
        groups: the skill groups, keyed (site, group).
        options: the run's options.
        classes: per (shift_id, group) whose group mixes classes of agents
            (`SkillGroup.classes`), its class variables y (summing to x).
        pools: the capacity variables some cover rows hold instead of their
            groups' terms (`_pooled`): variable name -> key of `capacity`.
        large: whether the programme is large although it may be written
            smaller: its cover rows written directly would hold
            `rounding.LARGE_NONZEROS` nonzeros or more, or its rest rows are on
            running sums (`limits.REST_SUMS_FROM`); it is solved as a large
            programme (`is_large_model`).
    """

    problem: pulp.LpProblem
    x: dict[tuple[str, Group], pulp.LpVariable]
    breaks: dict[tuple[str, Group, pd.Timestamp], pulp.LpVariable]
    shortfall: dict[tuple[str, pd.Timestamp], pulp.LpVariable]
    cover: dict[tuple[Group, pd.Timestamp], pulp.LpConstraint]
    capacity: dict[tuple[Group, int], list[tuple[pulp.LpVariable, float]]]
    headcount: dict[str, HeadcountLimit]
    shifts: pd.DataFrame
    break_choices: pd.DataFrame
    break_rule_classes: dict[str, list[list[tuple[pd.Timestamp, ...]]]]
    unusable: tuple[str, ...]
    coverage: pd.DataFrame
    required: pd.DataFrame
    intervals: pd.DatetimeIndex
    sites: dict[str, Site]
    groups: dict[tuple[str, Group], SkillGroup]
    options: ScheduleOptions
    classes: dict[tuple[str, Group], list[tuple[SkillGroup, pulp.LpVariable]]] = field(
        default_factory=dict
    )
    pools: dict[str, tuple[Group, int]] = field(default_factory=dict)
    large: bool = False


def is_large_model(model: ShiftModel) -> bool:
    """Whether the programme is solved from its interior-point relaxation
    (`scheduling.rounding`): its cover rows alone, or all its rows, written
    directly would hold LARGE_NONZEROS or more (pooled, chained and summed it
    may hold fewer; the path must not change with the form)."""
    return model.large or is_large(model.problem)


def build_model(
    requirements: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    sites: Sequence[Site],
    options: ScheduleOptions,
    groups: Sequence[SkillGroup] | None = None,
    priced: Collection[pd.Timestamp] = (),
) -> ShiftModel:
    """Build the shift programme (see the module docstring for the formulation).

    Prepare the data, add x and w with the breaks_ rows, the cover_ rows, then
    each family of limit rows (`LIMIT_BUILDERS`), then the objective.

    Args:
        requirements: `interval_start`, `queue`, `agents_scheduled` (agents).
        shifts: candidate shifts from `generate_shifts`.
        sites: the sites of the shifts (their `max_agents` caps headcount).
        options: interval length, penalties, break rules, `max_days_per_week`,
            `cyclic`.
        groups: skill groups (`scheduling.shifts.skills.skill_groups`); None for one
            group per site with all its queues.
        priced: interval starts where agents on duty earn more than the cover
            rows say (a Lagrangian's credits, `scheduling.shifts.weekbound`): a
            shift working in one is kept whatever the requirement, and the
            requirement does not cap its agents.

    Returns:
        The model. A variable x[(shift_id, group)] exists for each group of the
        shift's site whose queues the shift could serve when they require
        someone, except for `unusable` shifts (see `ShiftModel`).

    Raises:
        InputError: invalid requirements, negative penalties, shifts or groups of
            unknown sites.
    """
    ready = _prepare(requirements, shifts, sites=sites, options=options, groups=groups)
    problem = pulp.LpProblem("shifts", pulp.LpMinimize)
    names = Names()
    credited = set(priced)
    open_cells = frozenset(i for i, t in enumerate(ready.intervals) if t in credited)
    x, parts, w, capacity, cost = _shift_variables(problem, names, ready, options, open_cells)
    pools: dict[str, tuple[Group, int]] = {}
    shortfall, cover, large = _cover_constraints(
        problem, names, capacity, ready.need, ready.intervals, pools
    )
    context = BuildContext(
        problem,
        names,
        x,
        ready.data,
        ready.by_site,
        ready.horizon,
        options,
        parts=parts,
    )
    limits = limit_rows(context)
    problem.setObjective(_objective(cost, shortfall, ready, options))
    return ShiftModel(
        problem=problem,
        x=x,
        breaks=w,
        shortfall=shortfall,
        cover=cover,
        capacity=dict(capacity),
        headcount=limits,
        shifts=ready.shifts,
        break_choices=ready.choices,
        break_rule_classes={
            d.shift_id: [[starts for starts, _ in classes] for classes in d.rule_breaks]
            for d in ready.data
            if d.rule_breaks
        },
        unusable=ready.unusable,
        coverage=_coverage_frame(ready),
        required=ready.required,
        intervals=ready.intervals,
        sites=ready.sites,
        groups={(g.site, g.queues): g for g in ready.groups},
        options=options,
        classes=parts,
        pools=pools,
        large=large or bool(context.rest_sums),
    )


# The families of limit rows, in the order they enter the problem (HiGHS's path
# depends on row order).
LIMIT_BUILDERS: tuple[Callable[[BuildContext], dict[str, HeadcountLimit]], ...] = (
    exact_tour_constraints,
    headcount_constraints,
    rest_constraints,
    tour_constraints,
    days_off_constraints,
)


def limit_rows(context: BuildContext) -> dict[str, HeadcountLimit]:
    """Add every family of `LIMIT_BUILDERS` to the problem; their rows by name.

    Returns:
        The rows in the order they were added, except that the weekly-tour
        networks' agents rows (period "weeks") come last, as the planner's
        report lists them.
    """
    found: dict[str, HeadcountLimit] = {}
    for build in LIMIT_BUILDERS:
        found.update(build(context))
    rows = {name: limit for name, limit in found.items() if limit.period != "weeks"}
    rows.update((name, limit) for name, limit in found.items() if limit.period == "weeks")
    return rows


@dataclass
class _Prepared:
    """`build_model`'s inputs, checked and in the numbers the builders need.

    Attributes:
        sites: the sites by name.
        groups: the skill groups.
        by_site: the skill groups of each site, sorted by queues.
        required: interval_start, queue, required (agents), full grid.
        intervals: the UTC grid of interval starts.
        horizon: (first interval start, end of the horizon), UTC.
        need: required agents by (queue, interval_start).
        shifts: the candidate shifts sorted by start, site, shift_id and indexed
            by shift_id.
        spans: `shift_coverage` of the shifts (`shift` is their position).
        choices: candidate breaks of every rule.
        unusable: shifts nobody could work in a cyclic horizon (`ShiftModel`).
        data: the usable shifts in the builders' numbers.
        paid: paid cost of each shift, by shift_id.
    """

    sites: dict[str, Site]
    groups: Sequence[SkillGroup]
    by_site: dict[str, list[SkillGroup]]
    required: pd.DataFrame
    intervals: pd.DatetimeIndex
    horizon: tuple[pd.Timestamp, pd.Timestamp]
    need: dict[tuple[str, pd.Timestamp], float]
    shifts: pd.DataFrame
    spans: pd.DataFrame
    choices: pd.DataFrame
    unusable: tuple[str, ...]
    data: list[ShiftData]
    paid: dict[str, float]


def _prepare(
    requirements: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    sites: Sequence[Site],
    options: ScheduleOptions,
    groups: Sequence[SkillGroup] | None,
) -> _Prepared:
    """Check `build_model`'s inputs and put them in the builders' numbers."""
    by_name, groups = _checked(shifts, sites=sites, options=options, groups=groups)
    required = requirement_table(requirements, options=options, sites=sites)
    intervals = pd.DatetimeIndex(required[INTERVAL_START].unique()).sort_values()
    shifts = shifts.sort_values([START, SITE, SHIFT_ID])
    shifts.index = pd.Index(shifts[SHIFT_ID], name=None)
    spans = _spans(shifts[START], shifts[END], intervals, options)
    rule_choices = rule_break_options(shifts, sites=sites, options=options)
    choices = combine_break_options(rule_choices)
    rule_classes = _break_classes(rule_choices, intervals, options)
    period = pd.Timedelta(minutes=options.interval_minutes * len(intervals))
    rest = pd.Timedelta(hours=options.min_rest_hours)
    unusable = tuple(
        shifts.index[(shifts[END] - shifts[START] + rest > period).to_numpy()]
        if options.cyclic
        else ()
    )
    need = {
        (q, t): r
        for q, t, r in zip(
            required[QUEUE], required[INTERVAL_START], required[REQUIRED], strict=True
        )
    }
    data = _shift_data(shifts, rule_classes, spans, by_name, set(unusable))
    # generate_shifts prices its shifts; hand-made frames are priced here.
    paid = shifts[COST] if COST in shifts.columns else shift_costs(shifts, sites=by_name)
    by_site: dict[str, list[SkillGroup]] = defaultdict(list)
    for group in sorted(groups, key=lambda g: (g.site, g.queues)):
        by_site[group.site].append(group)
    return _Prepared(
        sites=by_name,
        groups=groups,
        by_site=by_site,
        required=required,
        intervals=intervals,
        horizon=(intervals[0], intervals[0] + period),
        need=need,
        shifts=shifts,
        spans=spans,
        choices=choices,
        unusable=unusable,
        data=data,
        paid=dict(paid.items()),
    )


def _checked(
    shifts: pd.DataFrame,
    *,
    sites: Sequence[Site],
    options: ScheduleOptions,
    groups: Sequence[SkillGroup] | None,
) -> tuple[dict[str, Site], Sequence[SkillGroup]]:
    """The sites by name and the skill groups (one per site when None), checked.

    Raises:
        InputError: negative penalties, duplicate shift ids, shifts or groups of
            unknown sites.
    """
    for name in ("shortfall_penalty", "surplus_penalty"):
        if getattr(options, name) < 0:
            raise InputError(f"scheduling: {name} must be >= 0, got {getattr(options, name)}")
    by_name = {site.name: site for site in sites}
    unknown = sorted(set(shifts[SITE]) - set(by_name))
    if unknown:
        raise InputError(f"shifts: site(s) {unknown} are not among the configured sites")
    if shifts[SHIFT_ID].duplicated().any():
        raise InputError("shifts: shift_id values must be unique")
    if groups is None:
        groups = skill_groups(sites, options=options)
    strangers = sorted({g.site for g in groups} - set(by_name))
    if strangers:
        raise InputError(f"groups: site(s) {strangers} are not among the configured sites")
    return by_name, groups


def _objective(
    cost: list[tuple[pulp.LpVariable, float]],
    shortfall: dict[tuple[str, pd.Timestamp], pulp.LpVariable],
    ready: _Prepared,
    options: ScheduleOptions,
) -> pulp.LpAffineExpression:
    """Paid cost and surplus of x and w, shortfall penalties, less the surplus constant."""
    hours = options.interval_minutes / 60
    penalty = (options.shortfall_penalty + options.surplus_penalty) * hours
    objective = pulp.LpAffineExpression(cost + [(var, penalty) for var in shortfall.values()])
    objective.constant = -options.surplus_penalty * hours * float(sum(ready.need.values()))
    return objective


def _coverage_frame(ready: _Prepared) -> pd.DataFrame:
    """shift_id, interval (grid position), fraction of each candidate shift."""
    spans = ready.spans
    return pd.DataFrame(
        {
            SHIFT_ID: ready.shifts[SHIFT_ID].to_numpy()[spans[SHIFT].to_numpy()],
            INTERVAL: spans[INTERVAL].to_numpy(),
            FRACTION: spans[FRACTION].to_numpy(),
        }
    )


def solve(
    model: ShiftModel,
    *,
    solver: str = "highs",
    time_limit_seconds: float = 60.0,
    gap: float = 0.01,
    node_limit: int | None = None,
) -> SolveResult:
    """Solve a built model in place and report how well.

    HiGHS (through highspy, one thread) is used when asked for and importable;
    otherwise CBC, with a note saying so. A large programme (`is_large_model`)
    is solved from its interior-point relaxation (`scheduling.rounding`).

    Args:
        model: from `build_model`; its variables receive the solution.
        solver: "highs" or "cbc".
        time_limit_seconds: wall-clock limit, seconds.
        gap: relative optimality gap at which to stop, 0-1.
        node_limit: most branch-and-bound nodes (HiGHS), or None.

    Returns:
        Status, objective, bound, gap, seconds, the solver used and why it stopped.

    Raises:
        InputError: unknown solver, non-positive time limit or gap outside [0, 1).
        SolverUnavailableError: no usable solver, or the solver failed to run.
        NoAnswerError: a limit stopped the solver before any solution (e.g. the
            time limit is too short to find one).
        Interrupted: Ctrl-C stopped it before any solution.
        InfeasibleError: the programme has no solution, or the solver failed.
    """
    if solver == "highs" and highs_importable() and is_large_model(model):
        return solve_by_rounding(
            model.problem, time_limit_seconds=time_limit_seconds, gap=gap, node_limit=node_limit
        )
    return solve_problem(
        model.problem,
        solver=solver,
        time_limit_seconds=time_limit_seconds,
        gap=gap,
        node_limit=node_limit,
        watch=True,
    )


def chosen_shifts(model: ShiftModel, *, shorts: bool = False) -> pd.DataFrame:
    """The shifts the solution uses, per skill group.

    Args:
        model: a solved model.
        shorts: also give each row's `short_if_left` (agent-hours; see
            `short_if_left`), for a roster's assignment.

    Returns:
        One row per (shift_id, group) with a positive count, sorted by start,
        site, shift_id, queue: the shift columns of `generate_shifts`, `queue`
        (the group's queues joined with ";") and `count` (agents, int); with
        `shorts`, then `short_if_left`.

    Raises:
        InputError: the model has not been solved.
    """
    counts = []
    for (shift_id, group), var in model.x.items():
        count = _count(var)
        if count > 0:
            counts.append((shift_id, group_label(group), count))
    table = pd.DataFrame(counts, columns=[SHIFT_ID, QUEUE, COUNT])
    table[COUNT] = table[COUNT].astype("int64")
    merged = model.shifts.reset_index(drop=True).merge(table, on=SHIFT_ID, how="inner")
    out = merged.sort_values([START, SITE, SHIFT_ID, QUEUE], ignore_index=True)
    if shorts:
        short = short_if_left(model)
        keys = zip(out[SHIFT_ID], out[QUEUE], strict=True)
        out[SHORT_IF_LEFT] = [short.get(key, 0.0) for key in keys]
    return out


def break_plan(model: ShiftModel) -> pd.DataFrame:
    """Where the solution puts the breaks of each chosen (shift, group).

    Args:
        model: a solved model.

    Returns:
        One row per candidate break of each chosen (shift_id, group) with a
        break, sorted by shift_id, queue, break_start: `shift_id`, `queue` (the
        group, ";"-joined), `break_start`, `break_end` (UTC) and `agents` (the
        solution's agents of the (shift, group) breaking then, as floats of
        whole agents, summing per rule to the (shift, group)'s count); with
        more than one break rule also `rule` (its position in
        `options.break_rules`, int).

    Raises:
        InputError: the model has not been solved.
    """
    rules = model.options.break_rules
    rows = []
    for (shift_id, group), var in model.x.items():
        count = _count(var)
        per_rule = model.break_rule_classes.get(shift_id, [])
        if count <= 0 or not per_rule:
            continue
        label = group_label(group)
        for r, classes in enumerate(per_rule):
            length = pd.Timedelta(minutes=rules[r].minutes)
            for starts in classes:
                if len(classes) == 1:
                    agents = count
                else:
                    w = model.breaks[(shift_id, group, starts[0])]
                    agents = max(round(w.varValue or 0.0), 0)
                # Starts with the same cover: stagger the agents over them.
                shares = round_breaks([1.0] * len(starts), agents)
                for begin, n in zip(starts, shares, strict=True):
                    rows.append((shift_id, label, begin, begin + length, float(n), r))
    columns = [SHIFT_ID, QUEUE, BREAK_START, BREAK_END, WEIGHT, RULE]
    frame = pd.DataFrame(rows, columns=columns)
    frame[WEIGHT] = frame[WEIGHT].astype(float)
    frame[RULE] = frame[RULE].astype("int64")
    frame = frame.sort_values([SHIFT_ID, QUEUE, BREAK_START], ignore_index=True)
    return frame if len(rules) > 1 else frame.drop(columns=RULE)


def shortfall_frame(model: ShiftModel) -> pd.DataFrame:
    """Shortfall in the solved model: interval_start, queue, shortfall (agents) > 0."""
    rows = [
        (t, q, var.varValue)
        for (q, t), var in model.shortfall.items()
        if var.varValue is not None and var.varValue > 1e-6
    ]
    frame = pd.DataFrame(rows, columns=[INTERVAL_START, QUEUE, "shortfall"])
    return frame.sort_values([QUEUE, INTERVAL_START], ignore_index=True)


def short_if_left(model: ShiftModel) -> dict[tuple[str, str], float]:
    """Per chosen (shift_id, group label): agent-hours one agent left off it would be short.

    In each interval of the shift, every cover row that the shift's x serves
    loses its worked share; the row's slack in the solution takes up what it
    can, and the rest (the largest over the interval's rows) is short. A
    fixed break is off the worked share; a break the programme places among
    several candidates is not (its interval counts as worked). Tells the
    assignment which shifts matter most when the roster cannot fill them all.
    """
    chosen = {var.name: key for key, var in model.x.items() if _count(var) > 0}
    hours = model.options.interval_minutes / 60
    worst: dict[tuple[tuple[str, Group], pd.Timestamp], float] = {}
    for (_, t), row in model.cover.items():
        slack = max(float(row.value() or 0.0), 0.0)
        for var, coef in _expanded(model, row):
            key = chosen.get(var.name)
            if key is not None and coef > slack:
                cell = (key, t)
                worst[cell] = max(worst.get(cell, 0.0), coef - slack)
    out: dict[tuple[str, str], float] = defaultdict(float)
    for (key, _), short in worst.items():
        out[(key[0], group_label(key[1]))] += short * hours
    return dict(out)


def _expanded(model: ShiftModel, row: pulp.LpConstraint) -> list[tuple[pulp.LpVariable, float]]:
    """A cover row's terms with each pooled capacity variable replaced by its terms."""
    out = []
    for var, coef in row.items():
        pool = model.pools.get(var.name)
        if pool is None:
            out.append((var, coef))
        else:
            out.extend((v, coef * c) for v, c in model.capacity[pool])
    return out


def _count(var: pulp.LpVariable) -> int:
    if var.varValue is None:
        raise InputError("chosen_shifts: the model has not been solved; call solve() first")
    return round(var.varValue)


def _spans(
    starts: pd.Series, ends: pd.Series, intervals: pd.DatetimeIndex, options: ScheduleOptions
) -> pd.DataFrame:
    """shift_coverage of [start, end) spans; `shift` is the span's position."""
    frame = pd.DataFrame({START: starts.to_numpy(), END: ends.to_numpy()})
    if frame.empty:
        return pd.DataFrame(
            {
                SHIFT: pd.Series(dtype="int64"),
                INTERVAL: pd.Series(dtype="int64"),
                FRACTION: pd.Series(dtype=float),
            }
        )
    return shift_coverage(
        frame,
        grid_start=intervals[0],
        n_intervals=len(intervals),
        interval_minutes=options.interval_minutes,
        cyclic=options.cyclic,
    )


def span_cells(
    starts: pd.Series, ends: pd.Series, intervals: pd.DatetimeIndex, options: ScheduleOptions
) -> dict[int, dict[int, float]]:
    """Per span position, {grid position: share of the interval} of [start, end) spans."""
    return _cells(_spans(starts, ends, intervals, options))


def _cells(spans: pd.DataFrame) -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for row, i, share in zip(spans[SHIFT], spans[INTERVAL], spans[FRACTION], strict=True):
        out[int(row)][int(i)] = float(share)
    return out


def _break_classes(
    frames: Sequence[pd.DataFrame], intervals: pd.DatetimeIndex, options: ScheduleOptions
) -> dict[str, list[list[BreakClass]]]:
    """Per shift_id, per rule (`rule_break_options` frames), its candidate break classes."""
    out: dict[str, list[list[BreakClass]]] = defaultdict(lambda: [[] for _ in frames])
    for r, choices in enumerate(frames):
        cells_of = span_cells(choices[BREAK_START], choices[BREAK_END], intervals, options)
        for row, (shift_id, begin) in enumerate(
            zip(choices[SHIFT_ID], choices[BREAK_START], strict=True)
        ):
            classes = out[shift_id][r]
            cells = cells_of.get(row, {})
            same = next((k for k, (_, c) in enumerate(classes) if _same(c, cells)), None)
            if same is None:
                classes.append(((begin,), cells))
            else:  # takes the same share of the same intervals: one variable for both
                starts, known = classes[same]
                classes[same] = ((*starts, begin), known)
    return dict(out)


def _worked(shift: ShiftData) -> dict[int, float]:
    """Interval -> share of it the shift spans, less every fixed break (one class)."""
    worked = dict(shift.spans)
    for classes in shift.rule_breaks:
        if len(classes) == 1:  # a fixed break is off the shift in every solution
            for i, share in classes[0][1].items():
                worked[i] = worked.get(i, 0.0) - share
    return worked


def _shift_data(
    shifts: pd.DataFrame,
    rule_classes: dict[str, list[list[BreakClass]]],
    spans: pd.DataFrame,
    sites: dict[str, Site],
    unusable: set[str],
) -> list[ShiftData]:
    span_cells = _cells(spans)
    out: list[ShiftData] = []
    for position, (shift_id, site_name, start, paid) in enumerate(
        zip(shifts[SHIFT_ID], shifts[SITE], shifts[START], shifts[PAID_HOURS], strict=True)
    ):
        if shift_id in unusable:
            continue
        site = sites[site_name]
        out.append(
            ShiftData(
                position=position,
                shift_id=shift_id,
                site=site,
                local_start=start.tz_convert(site.tz),
                paid_hours=float(paid),
                spans=span_cells.get(position, {}),
                rule_breaks=rule_classes.get(shift_id, []),
            )
        )
    return out


def _same(a: dict[int, float], b: dict[int, float]) -> bool:
    return a.keys() == b.keys() and all(abs(a[i] - b[i]) <= _EPS for i in a)


def _upper_bound(
    shift: ShiftData,
    demand: dict[int, float],
    group: SkillGroup,
    open_cells: frozenset[int] = frozenset(),
) -> float | None:
    """Most agents an optimum puts on (shift, group) (module docstring); 0 if useless.
    A shift working in one of `open_cells` (`build_model`'s `priced`) is useful and
    its requirement caps nothing."""
    worked = _worked(shift)
    # Breaks of different rules never overlap, so their worst cases add up.
    free = [classes for classes in shift.rule_breaks if len(classes) > 1]
    surely = {
        i: share - sum(max(cells.get(i, 0.0) for _, cells in classes) for classes in free)
        for i, share in worked.items()
    }
    useful = [i for i, share in worked.items() if share > _EPS and demand.get(i, 0.0) > _EPS]
    credited = any(share > _EPS and i in open_cells for i, share in worked.items())
    if not useful and not credited:
        return 0.0
    caps: list[float] = []
    if shift.site.max_agents is not None:
        caps.append(float(shift.site.max_agents))
    if useful and not credited and all(surely[i] > _EPS for i in useful):
        caps.append(math.floor(max(demand[i] / surely[i] for i in useful) + 1e-9) + 1.0)
    if group.agents is not None:
        caps.append(float(group.agents))
    if group.available is not None:
        caps.append(float(group.available[shift.local_start.weekday()]))
    return min(caps) if caps else None


def _shift_variables(
    problem: pulp.LpProblem,
    names: Names,
    ready: _Prepared,
    options: ScheduleOptions,
    open_cells: frozenset[int] = frozenset(),
) -> tuple[
    dict[tuple[str, Group], pulp.LpVariable],
    dict[tuple[str, Group], list[tuple[SkillGroup, pulp.LpVariable]]],
    dict[tuple[str, Group, pd.Timestamp], pulp.LpVariable],
    dict[tuple[Group, int], list[tuple[pulp.LpVariable, float]]],
    list[tuple[pulp.LpVariable, float]],
]:
    """x, the class counts y with their classes_ rows, w with the breaks_ rows, and
    each (group, interval)'s capacity terms.

    Returns (x, y per x of a group with classes, w, capacity terms, objective
    terms). Capacity is summed over sites: agents with the same skills serve the
    same queues wherever they sit. `open_cells`: grid positions of `build_model`'s
    `priced` instants.
    """
    x: dict[tuple[str, Group], pulp.LpVariable] = {}
    parts: dict[tuple[str, Group], list[tuple[SkillGroup, pulp.LpVariable]]] = {}
    w: dict[tuple[str, Group, pd.Timestamp], pulp.LpVariable] = {}
    capacity: dict[tuple[Group, int], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    cost: list[tuple[pulp.LpVariable, float]] = []
    demand_of = _group_demand(ready)
    hours = options.interval_minutes / 60
    surplus = options.surplus_penalty * hours
    for shift in ready.data:
        site = shift.site
        worked = _worked(shift)
        for g, group in enumerate(ready.by_site.get(site.name, [])):
            upper = _upper_bound(shift, demand_of[group.queues], group, open_cells)
            if upper is not None and upper < 1:
                continue
            var = problem.add_variable(
                f"x_{shift.position}_{g}", lowBound=0, upBound=upper, cat=pulp.LpInteger
            )
            x[(shift.shift_id, group.queues)] = var
            if group.classes:
                parts[(shift.shift_id, group.queues)] = _class_rows(
                    problem, names, shift, (g, group), var, upper
                )
            paid = float(ready.paid[shift.shift_id])
            cost.append((var, paid + surplus * sum(worked.values())))
            for i, share in worked.items():
                if abs(share) > _EPS:
                    capacity[(group.queues, i)].append((var, share))
            for r, classes in enumerate(shift.rule_breaks):
                if len(classes) < 2:  # no break, or a fixed one already off `worked`
                    continue
                rows = _break_rows(problem, names, shift, (g, r), group.queues, var, upper, classes)
                for begin, share, cells in rows:
                    w[(shift.shift_id, group.queues, begin)] = share
                    cost.append((share, -surplus * sum(cells.values())))
                    for i, part in cells.items():
                        capacity[(group.queues, i)].append((share, -part))
    return x, parts, w, capacity, cost


def _class_rows(
    problem: pulp.LpProblem,
    names: Names,
    shift: ShiftData,
    where: tuple[int, SkillGroup],
    var: pulp.LpVariable,
    upper: float | None,
) -> list[tuple[SkillGroup, pulp.LpVariable]]:
    """y of one (shift, group) per class that can work its local day; classes_ row y sum = x.

    `where` is (group position, group). A class unavailable on the shift's local
    weekday gets no y, so the group's x counts only agents who work that day.
    """
    g, group = where
    weekday = shift.local_start.weekday()
    out = []
    for k, part in enumerate(group.classes):
        free = part.available[weekday] if part.available is not None else part.agents
        if not free:
            continue
        cap = float(free) if upper is None else min(float(free), upper)
        y = problem.add_variable(
            f"y_{shift.position}_{g}_{k}", lowBound=0, upBound=cap, cat=pulp.LpInteger
        )
        out.append((part, y))
    problem += (
        pulp.lpSum(y for _, y in out) == var,
        names(f"classes_{shift.shift_id}{group_tag(group.queues)}"),
    )
    return out


def _group_demand(ready: _Prepared) -> dict[Group, dict[int, float]]:
    """Per skill group's queues, their summed requirement in each interval with some (agents)."""
    demand_of: dict[Group, dict[int, float]] = {}
    need = ready.need
    for group in (g for groups in ready.by_site.values() for g in groups):
        if group.queues not in demand_of:
            totals = (sum(need.get((q, t), 0.0) for q in group.queues) for t in ready.intervals)
            demand_of[group.queues] = {i: r for i, r in enumerate(totals) if r > _EPS}
    return demand_of


def _break_rows(
    problem: pulp.LpProblem,
    names: Names,
    shift: ShiftData,
    where: tuple[int, int],
    group: Group,
    var: pulp.LpVariable,
    upper: float | None,
    classes: list[BreakClass],
) -> list[tuple[pd.Timestamp, pulp.LpVariable, dict[int, float]]]:
    """w of one (shift, group, rule) and its breaks_ row: sum_k w = x.

    `where` is (group position, rule position); rule 0 keeps the names of the
    single-rule model, later rules add `r{r}` / `_rule{r}`.

    Returns:
        (first start, w, share of each interval its break takes) per class.
    """
    g, r = where
    tag = "" if r == 0 else f"r{r}_"
    out = []
    for k, ((begin, *_), cells) in enumerate(classes):
        share = problem.add_variable(
            f"w_{shift.position}_{g}_{tag}{k}", lowBound=0, upBound=upper, cat=pulp.LpInteger
        )
        out.append((begin, share, cells))
    terms = [(var, -1.0)] + [(share, 1.0) for _, share, _ in out]
    local = shift.local_start
    problem += (
        pulp.LpAffineExpression(terms) == 0,
        names(
            f"breaks_{shift.site.name}_{local:%Y%m%dT%H%M}_{shift.paid_hours:g}h_"
            + "_".join(group)
            + ("" if r == 0 else f"_rule{r}")
        ),
    )
    return out


def _cover_constraints(
    problem: pulp.LpProblem,
    names: Names,
    capacity: dict[tuple[Group, int], list[tuple[pulp.LpVariable, float]]],
    need: dict[tuple[str, pd.Timestamp], float],
    intervals: pd.DatetimeIndex,
    pools: dict[str, tuple[Group, int]],
) -> tuple[
    dict[tuple[str, pd.Timestamp], pulp.LpVariable],
    dict[tuple[Group, pd.Timestamp], pulp.LpConstraint],
    bool,
]:
    """short and the cover_{queues}_{t} rows, one per Hall set of each interval;
    the capacity variables of pooled intervals are recorded in `pools`.

    Returns:
        The shortfall variables, the Hall rows, and whether the programme is
        large (`ShiftModel.large`) by its cover rows alone: written directly
        they would hold `rounding.LARGE_NONZEROS` nonzeros or more.
    """
    shortfall: dict[tuple[str, pd.Timestamp], pulp.LpVariable] = {}
    for (queue, t), required in sorted(need.items()):
        if required > _EPS:
            shortfall[(queue, t)] = problem.add_variable(
                f"short_{queue}_{t:%Y%m%dT%H%M}", lowBound=0, upBound=required
            )
    skills_at: dict[int, list[Group]] = defaultdict(list)
    for group, i in sorted(capacity):
        if capacity[(group, i)]:
            skills_at[i].append(group)
    queues = sorted({q for q, _ in need})
    planned = []
    for i, t in enumerate(intervals):
        skills = skills_at.get(i, [])
        wanted = []
        for q in queues:
            if (q, t) not in shortfall:
                continue
            if any(q in group for group in skills):
                wanted.append(q)
            else:  # nobody on duty can serve q in t
                shortfall[(q, t)].lowBound = need[(q, t)]
        planned.append((i, t, wanted, hall_sets(wanted, skills, most=HALL_SETS_MOST)))
    direct = sum(
        _allocation_size(wanted, skills_at[i], capacity, i)
        if sets is None
        else sum(
            len(queue_set) + sum(len(capacity[(g, i)]) for g in serving)
            for queue_set, serving in sets
        )
        for i, _, wanted, sets in planned
    )
    large = direct >= rounding.LARGE_NONZEROS
    rows: dict[tuple[Group, pd.Timestamp], pulp.LpConstraint] = {}
    before: dict[Group, pulp.LpVariable] = {}  # the previous interval's capacity variables
    for i, t, wanted, sets in planned:
        if sets is None:  # too many sets: the same condition as an allocation
            terms = {g: capacity[(g, i)] for g in skills_at[i]}
            short_at = {q: shortfall[(q, t)] for q in wanted}
            need_at = {q: need[(q, t)] for q in wanted}
            allocation_rows(problem, f"{t:%Y%m%dT%H%M}", wanted, short_at, need_at, terms)
            before = {}
            continue
        pooled = _pooled(problem, names, capacity, i, t, sets, before)
        pools.update((terms[0][0].name, (group, i)) for group, terms in pooled.items())
        before = {group: terms[0][0] for group, terms in pooled.items()}
        for queue_set, serving in sets:
            terms = [(shortfall[(q, t)], 1.0) for q in queue_set]
            for group in serving:
                terms.extend(pooled[group] if pooled else capacity[(group, i)])
            total = sum(need[(q, t)] for q in queue_set)
            name = names(f"cover_{'_'.join(queue_set)}_{t:%Y%m%dT%H%M}")
            problem += (pulp.LpAffineExpression(terms) >= total, name)
            rows[(queue_set, t)] = problem.get_constraint_by_name(name)
    return shortfall, rows, large


def _allocation_size(
    wanted: Sequence[str],
    groups: Sequence[Group],
    capacity: dict[tuple[Group, int], list[tuple[pulp.LpVariable, float]]],
    i: int,
) -> int:
    """Nonzeros of interval i's cover written as an allocation (`allocation_rows`)."""
    pairs = sum(1 for g in groups for q in wanted if q in g)
    return sum(len(capacity[(g, i)]) for g in groups) + 2 * pairs + len(wanted)


def _pooled(
    problem: pulp.LpProblem,
    names: Names,
    capacity: dict[tuple[Group, int], list[tuple[pulp.LpVariable, float]]],
    i: int,
    t: pd.Timestamp,
    sets: list[tuple[Group, tuple[Group, ...]]],
    before: Mapping[Group, pulp.LpVariable],
) -> dict[Group, list[tuple[pulp.LpVariable, float]]]:
    """Per skill group, one capacity variable of interval i when its Hall rows
    would repeat the groups' terms more than `POOL_RATIO` times over, else {}.

    pool_{group}_{t}: cap[g,t] = sum_s f[s,t] x[s,g] - breaks, so each cover row
    holds one term per group instead of all of its shifts' terms. When interval
    i - 1 has the group's capacity variable too (`before`) and it is shorter,
    the row is written on it: cap[g,t] = cap[g,t-1] + (the terms of t less
    those of t-1), whose terms are only the shifts and breaks that start or end
    there (the 15-minute week of `benchmarks/peak_season.py --mixed-skills`:
    585,812 nonzeros in its pool rows instead of 1,911,776).
    """
    used = sorted({group for _, serving in sets for group in serving})
    direct = sum(len(capacity[(g, i)]) for _, serving in sets for g in serving)
    pooled = sum(len(capacity[(g, i)]) + 1 for g in used) + sum(len(s) for _, s in sets)
    if direct <= POOL_RATIO * pooled:
        return {}
    out = {}
    for k, group in enumerate(used):
        cap = problem.add_variable(f"cap_{i}_{k}", lowBound=0)  # >= 0: breaks <= the shift
        terms = [(cap, -1.0), *capacity[(group, i)]]
        if group in before:
            change = _change(capacity[(group, i - 1)], capacity[(group, i)])
            if len(change) + 2 < len(terms):
                terms = [(cap, -1.0), (before[group], 1.0), *change]
        name = names(f"pool_{'_'.join(group)}_{t:%Y%m%dT%H%M}")
        problem += (pulp.LpAffineExpression(terms) == 0, name)
        out[group] = [(cap, 1.0)]
    return out


def _change(
    old: list[tuple[pulp.LpVariable, float]], new: list[tuple[pulp.LpVariable, float]]
) -> list[tuple[pulp.LpVariable, float]]:
    """The terms of `new` less those of `old`, without the ones that cancel."""
    total: dict[pulp.LpVariable, float] = defaultdict(float)
    for var, c in new:
        total[var] += c
    for var, c in old:
        total[var] -= c
    return [(var, c) for var, c in total.items() if abs(c) > _EPS]


def hall_sets(
    queues: Sequence[str], groups: Sequence[Group], *, most: int | None = None
) -> list[tuple[Group, tuple[Group, ...]]] | None:
    """The sets of queues whose cover rows decide if `groups` can serve `queues`.

    A set Q of queues needs a row when it is closed (every queue served only by
    groups that serve some queue of Q belongs to Q) and connected (its queues
    are linked through shared groups); every other set's row follows from
    these. Built by merging closures of connected pairs until nothing changes.

    Args:
        queues: queues with demand.
        groups: skill groups with capacity (sorted tuples of queues).
        most: give up past this many sets, or past most * max(most / 4, 64) pairs
            of sets tried (hundreds of groups, agents' own skill sets, can stay under
            `most` sets through many slow rounds of merging); None: never.
            With many queues and many groups the sets can number in the tens
            of thousands in one interval (2^groups at most): a caller then
            writes the same condition as an allocation (`allocation_rows`).

    Returns:
        (Q, groups serving some queue of Q) pairs, sorted by size then queues;
        None when there are more than `most` or finding them took too long.
    """
    found = _hall_sets(tuple(queues), tuple(groups), most)
    return None if found is None else list(found)


@functools.lru_cache(maxsize=128)
def _hall_sets(
    queues: tuple[str, ...], groups: tuple[Group, ...], most: int | None
) -> tuple[tuple[Group, tuple[Group, ...]], ...] | None:
    """`hall_sets`, computed once per distinct (queues, groups): the intervals of
    a week, and the repair's rounds, ask for the same few again and again. The
    last 128 are kept (an answer may hold thousands of sets).

    A closed set is known by its reach R (the groups serving some queue of it,
    a bit mask over `groups`): it is {q : the groups serving q lie in R}, and
    the closure of two connected sets (their reaches meet) is the set whose
    reach is the union of theirs. So the merging runs on integers: 16 groups
    and 50 queues (1,165 sets) take 0.13 s, 17.58 s on sets of queues
    (`benchmarks/many_queues.py --sets`).
    """
    order = list(dict.fromkeys(groups))
    bit = {group: 1 << k for k, group in enumerate(order)}
    pattern = {q: sum(bit[g] for g in order if q in g) for q in queues}
    found = set(pattern.values())
    if most is not None and len(found) > most:
        return None
    frontier = set(found)
    work = 0
    while frontier:
        fresh = set()
        for a in frontier:
            for b in found:
                if a != b and a & b and (a | b) not in found:
                    fresh.add(a | b)
            work += len(found)
            if most is not None and (
                len(found) + len(fresh) > most or work > most * max(most // 4, 64)
            ):
                return None
        found |= fresh
        frontier = fresh
    out = []
    for reach in found:
        members = tuple(sorted(q for q in queues if pattern[q] & ~reach == 0))
        serving = tuple(sorted(g for g in order if bit[g] & reach))
        out.append((members, serving))
    return tuple(sorted(out, key=lambda pair: (len(pair[0]), pair[0])))


def allocation_rows(
    problem: pulp.LpProblem,
    tag: str,
    queues: Sequence[str],
    short: Mapping[str, pulp.LpVariable],
    need: Mapping[str, float],
    terms: Mapping[Group, Sequence[tuple[pulp.LpVariable, float]]],
    base: Mapping[Group, float] | None = None,
) -> None:
    """The cover of one interval as an allocation, where its Hall sets are too many.

    a[g,q] >= 0 agents of group g on queue q (q one of g's `queues`):

        sum_q a[g,q] <= base[g] + sum of terms[g]          (supply_{tag}_{k}, g the k-th)
        sum_g a[g,q] + short[q] >= need[q]                  (demand_{tag}_{j}, q the j-th)

    By Gale's theorem these allow exactly the shortfalls the Hall rows of
    `hall_sets` allow (for every set Q, sum_{q in Q} (need[q] - short[q]) is
    at most the capacity of the groups serving Q), with one variable per group
    and queue instead of a row per set. HiGHS searches such rows less well
    than Hall rows (benchmarks/README, the allocation form), so they are only
    written where the sets pass a cap.

    Args:
        problem: the programme to add to.
        tag: makes the rows' names unique (e.g. the interval's position).
        queues: the queues with demand that some group serves.
        short, need: per queue, its short variable and its agents required.
        terms: per group, its (variable, agents on duty) terms in the interval.
        base: per group, agents on duty fixed outside the programme (0 if absent).
    """
    base = base or {}
    served: dict[str, list[pulp.LpVariable]] = defaultdict(list)
    for k, group in enumerate(sorted(set(terms) | set(base))):
        mine = [q for q in queues if q in group]
        if not mine:
            continue
        shares = [problem.add_variable(f"a_{tag}_{k}_{j}", lowBound=0) for j in range(len(mine))]
        for q, share in zip(mine, shares, strict=True):
            served[q].append(share)
        row = [(share, 1.0) for share in shares] + [(v, -c) for v, c in terms.get(group, ())]
        problem += (pulp.LpAffineExpression(row) <= base.get(group, 0.0), f"supply_{tag}_{k}")
    for j, q in enumerate(queues):
        row = [(share, 1.0) for share in served[q]] + [(short[q], 1.0)]
        problem += (pulp.LpAffineExpression(row) >= need[q], f"demand_{tag}_{j}")
