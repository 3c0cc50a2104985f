"""Every constraint builder of the shift programme against brute force on tiny instances.

Validity: enumerate every week each agent of a 1-3 agent roster (or each of
`max_agents` anonymous agents) can work under the rules in words
(`scheduling.shifts.assign`): one shift per local day; at most `max_days_per_week` shifts
and its weekly hours in each 7-day block from the horizon start; `min_rest_hours`
from the end of one shift to the start of the next, also round the end of a cyclic
week; in every week a run of `consecutive_days_off` local days without a shift;
never on a day off; in its own skill group. The agents' weeks, summed into shift
counts x[shift, group], must satisfy every row that `headcount_constraints`,
`rest_constraints`, `tour_constraints` and `days_off_constraints` wrote, for some
values of the rows' own variables (the day-off runs): the rows never cut off a real
schedule.

Exactness, where a docstring claims it: the cover rows (`hall_sets`) hold exactly when
the agents on duty can be allocated to the demand (max-flow), the tours rows are
exactly the weekly shift mixes the agents can work, the rest rows of one agent
forbid exactly the pairs that break the rest rule, and the implicit breaks' cover
is exactly what the agents work (`break_plan` realises every (x, w)).

Problems are built with `build_model` (or a builder on a fresh `pulp.LpProblem`)
and their rows read back from pulp, never re-derived.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import pulp
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from scheduling.shifts import limits as limits_module
from scheduling.shifts.breaks import break_offsets, round_breaks
from scheduling.shifts.limits import BuildContext, Names, ShiftData, tour_constraints
from scheduling.shifts.model import ShiftModel, break_plan, build_model, hall_sets
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import Agent
from scheduling.shifts.sites import Site
from scheduling.shifts.skills import SkillGroup, skill_groups
from scheduling.shifts.templates import utc_column

QUEUES = ("a", "b")
SKILL_SETS = (("a",), ("b",), ("c",), ("a", "b"), ("a", "c"), ("b", "c"), ("a", "b", "c"))
# A Thursday: New York springs forward on Sunday the 8th, inside the 8-day horizons.
ORIGIN = pd.Timestamp("2026-03-05")
WEEK_SECONDS = 7 * 86400
EPS = 1e-9

TINY = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# -- reading rows back ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One constraint as pulp holds it: sum(coefficient * variable) (sense) rhs."""

    name: str
    coefficients: dict[str, float]  # variable name -> coefficient
    sense: int
    rhs: float

    def lhs(self, values: dict[str, float]) -> float:
        return sum(c * values.get(v, 0.0) for v, c in self.coefficients.items())

    def holds(self, values: dict[str, float]) -> bool:
        lhs = self.lhs(values)
        if self.sense == pulp.LpConstraintLE:
            return lhs <= self.rhs + EPS
        if self.sense == pulp.LpConstraintGE:
            return lhs >= self.rhs - EPS
        return abs(lhs - self.rhs) <= EPS


def read_rows(problem: pulp.LpProblem, names: Iterable[str]) -> list[Row]:
    rows = []
    for name in names:
        constraint = problem.get_constraint_by_name(name)
        rows.append(
            Row(
                name=name,
                coefficients={var.name: float(a) for var, a in constraint.items()},
                sense=constraint.sense,
                rhs=-float(constraint.constant),
            )
        )
    return rows


def violated(
    rows: Sequence[Row],
    columns: Sequence[str],
    reach: np.ndarray,
    bounds: dict[str, tuple[float, float]],
) -> list[tuple[str, int]]:
    """(row, schedule) pairs where no values of the rows' other variables hold.

    `reach` holds one vector of shift counts per schedule, over `columns`. Rows
    with other (auxiliary) variables, such as the day-off runs, hold when some
    integers within the variables' bounds satisfy every row that shares them.
    """
    index = {name: k for k, name in enumerate(columns)}
    plain = [row for row in rows if set(row.coefficients) <= set(index)]
    linked = [row for row in rows if not set(row.coefficients) <= set(index)]
    bad = []
    for row in plain:
        coefficients = np.zeros(len(columns))
        for var, c in row.coefficients.items():
            coefficients[index[var]] = c
        lhs = reach @ coefficients
        ok = {
            pulp.LpConstraintLE: lhs <= row.rhs + EPS,
            pulp.LpConstraintGE: lhs >= row.rhs - EPS,
            pulp.LpConstraintEQ: np.abs(lhs - row.rhs) <= EPS,
        }[row.sense]
        bad.extend((row.name, int(k)) for k in np.flatnonzero(~ok))
    # Blocks of rows that share auxiliary variables.
    blocks: list[tuple[set[str], list[Row]]] = []
    for row in linked:
        aux = set(row.coefficients) - set(index)
        joined = [b for b in blocks if b[0] & aux]
        for b in joined:
            blocks.remove(b)
            aux |= b[0]
        blocks.append((aux, [row] + [r for b in joined for r in b[1]]))
    for aux_set, block in blocks:
        aux = sorted(aux_set)
        ranges = []
        for var in aux:
            lo, hi = bounds[var]
            assert math.isfinite(lo) and math.isfinite(hi), f"{var} is unbounded"
            ranges.append(range(int(lo), int(hi) + 1))
        names = "+".join(sorted(r.name for r in block))
        if math.prod(len(r) for r in ranges) > 200_000:
            # Many classes' y: an integer programme per schedule says whether
            # some values of the block's auxiliary variables satisfy it.
            bad.extend((names, k) for k in _unsolvable(block, aux, ranges, index, reach))
            continue
        values = np.array(list(itertools.product(*ranges)), dtype=float)
        ok = np.ones((len(reach), len(values)), dtype=bool)
        for row in block:
            x_part = np.zeros(len(reach))
            aux_part = np.zeros(len(values))
            for var, c in row.coefficients.items():
                if var in index:
                    x_part = x_part + c * reach[:, index[var]]
                else:
                    aux_part = aux_part + c * values[:, aux.index(var)]
            lhs = x_part[:, None] + aux_part[None, :]
            ok &= {
                pulp.LpConstraintLE: lhs <= row.rhs + EPS,
                pulp.LpConstraintGE: lhs >= row.rhs - EPS,
                pulp.LpConstraintEQ: np.abs(lhs - row.rhs) <= EPS,
            }[row.sense]
        bad.extend((names, int(k)) for k in np.flatnonzero(~ok.any(axis=1)))
    return bad


def _unsolvable(
    block: Sequence[Row],
    aux: Sequence[str],
    ranges: Sequence[range],
    index: dict[str, int],
    reach: np.ndarray,
) -> list[int]:
    """Schedules (rows of `reach`) for which no integers in `ranges` satisfy `block`."""
    matrix = np.zeros((len(block), len(aux)))
    shown = sorted({index[v] for row in block for v in row.coefficients if v in index})
    x_of = np.zeros((len(block), len(index)))
    for i, row in enumerate(block):
        for var, c in row.coefficients.items():
            if var in index:
                x_of[i, index[var]] = c
            else:
                matrix[i, aux.index(var)] = c
    bounds = Bounds([r.start for r in ranges], [r.stop - 1 for r in ranges])
    answers: dict[tuple[int, ...], bool] = {}
    out = []
    for k, counts in enumerate(reach):
        key = tuple(int(counts[j]) for j in shown)
        if key not in answers:
            rest = x_of @ counts
            lower = [
                -np.inf if row.sense == pulp.LpConstraintLE else row.rhs - rest[i] - EPS
                for i, row in enumerate(block)
            ]
            upper = [
                np.inf if row.sense == pulp.LpConstraintGE else row.rhs - rest[i] + EPS
                for i, row in enumerate(block)
            ]
            found = milp(
                np.zeros(len(aux)),
                constraints=LinearConstraint(matrix, lower, upper),
                integrality=np.ones(len(aux)),
                bounds=bounds,
            )
            answers[key] = found.status == 0
        if not answers[key]:
            out.append(k)
    return out


# -- the real rules, in words -----------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One agent: its skills (its skill group), weekly hours and local days off."""

    skills: tuple[str, ...]
    hours: float
    off: tuple[int, ...] = ()
    recent: tuple[tuple[int, float], ...] = ()  # rolling weeks: (day < 0, hours) before


@dataclass(frozen=True)
class Instance:
    tz: str
    days: int  # horizon length, days of 24 hourly intervals
    cyclic: bool
    max_days: int
    rest_hours: float
    days_off: int  # consecutive_days_off
    lengths: tuple[float, ...]  # the site's shift_hours
    shifts: tuple[tuple[int, int, float], ...]  # (local day, local hour, hours)
    people: tuple[Person, ...]
    roster: bool  # named agents in skill groups, or max_agents anonymous agents
    rolling: bool = False  # weekly rules in every 7 days (not cyclic)


@dataclass(frozen=True)
class Shift:
    """A candidate shift in the numbers the rules need."""

    shift_id: str
    begin: float  # seconds after the horizon start
    end: float
    hours: float
    day: object  # local date of the start
    dayno: int  # local days since the horizon's first local date
    weekday: int
    week: int


def works(person: Person, chosen: Sequence[Shift], inst: Instance) -> bool:
    """True when one agent can work exactly these shifts in the horizon."""
    rest = inst.rest_hours * 3600
    period = inst.days * 86400
    if any(s.weekday in person.off for s in chosen):
        return False
    if inst.cyclic and any(s.end - s.begin + rest > period for s in chosen):
        return False  # the shift clashes with its own copy a period later
    if len({s.day for s in chosen}) < len(chosen):
        return False
    if inst.rolling:
        return rests(chosen, inst) and keeps_windows(person, chosen, inst)
    for week in {s.week for s in chosen}:
        mine = [s for s in chosen if s.week == week]
        if len(mine) > inst.max_days or sum(s.hours for s in mine) > person.hours + EPS:
            return False
    return rests(chosen, inst) and keeps_days_off(chosen, inst)


def rests(chosen: Sequence[Shift], inst: Instance) -> bool:
    """min_rest_hours between every two shifts, round the wrap when cyclic."""
    rest = inst.rest_hours * 3600
    period = inst.days * 86400
    ordered = sorted(chosen, key=lambda s: s.begin)
    for first, second in itertools.combinations(ordered, 2):
        if second.begin < first.end + rest:
            return False
        if inst.cyclic and first.begin + period < second.end + rest:
            return False
    return True


def keeps_days_off(chosen: Sequence[Shift], inst: Instance) -> bool:
    """In every week a run of `days_off` local days without a shift.

    Days count from the horizon's first local date; a run starts in its week and may
    reach into the next, round the end of a cyclic horizon (of whole days), else not
    past the horizon's last local day; a trailing part week of a horizon that is not
    cyclic needs no run.
    """
    if inst.days_off == 0:
        return True
    start = ORIGIN.tz_localize(inst.tz)
    last = (start + pd.Timedelta(days=inst.days) - pd.Timedelta(microseconds=1)).tz_convert(inst.tz)
    last_day = (last.date() - start.date()).days
    wrap = inst.days if inst.cyclic else None
    worked = {s.dayno % wrap if wrap else s.dayno for s in chosen}
    weeks = math.ceil(inst.days / 7) if wrap else (last_day + 1) // 7
    for week in range(weeks):
        runs = []
        for first in range(7 * week, 7 * week + 7):
            days = set(range(first, first + inst.days_off))
            if wrap:
                runs.append({d % wrap for d in days})
            elif max(days) <= last_day:
                runs.append(days)
        if not any(not (run & worked) for run in runs):
            return False
    return True


def keeps_windows(person: Person, chosen: Sequence[Shift], inst: Instance) -> bool:
    """Rolling weeks, the run being the last: in every 7 consecutive local days that
    hold a chosen shift (also from the 6 days before, with `person.recent`) at
    most max_days days and its hours, and when they lie inside the horizon the
    first day of a run of `days_off` free days ending in it."""
    start = ORIGIN.tz_localize(inst.tz)
    last = (start + pd.Timedelta(days=inst.days) - pd.Timedelta(microseconds=1)).tz_convert(inst.tz)
    last_day = (last.date() - start.date()).days
    hours = dict(person.recent)
    hours.update((s.dayno, s.hours) for s in chosen)
    for first in range(-6, last_day + 1):
        window = range(first, first + 7)
        if not any(s.dayno in window for s in chosen):
            continue  # days before the horizon alone: not the plan's to keep
        worked = [d for d in window if d in hours]
        if len(worked) > inst.max_days or sum(hours[d] for d in worked) > person.hours + EPS:
            return False
        if inst.days_off and window[-1] <= last_day:
            runs = [
                range(p, p + inst.days_off) for p in window if p + inst.days_off - 1 <= last_day
            ]
            if all(any(d in hours for d in run) for run in runs):
                return False
    return True


def build(inst: Instance, *, classes: bool = True) -> tuple[ShiftModel, list[Shift], pd.Timestamp]:
    start = ORIGIN.tz_localize(inst.tz).tz_convert("UTC")
    site = Site(
        name="S",
        timezone=inst.tz,
        days=tuple(range(7)),
        queues=QUEUES,
        shift_hours=inst.lengths,
        max_agents=len(inst.people),  # as the planner caps a site with a roster
    )
    options = ScheduleOptions(
        break_minutes=0,
        cyclic=inst.cyclic,
        max_days_per_week=inst.max_days,
        min_rest_hours=inst.rest_hours,
        consecutive_days_off=inst.days_off,
        max_hours_per_week=inst.people[0].hours,
        weekly_rules="rolling" if inst.rolling else "calendar",
    )
    grid = pd.date_range(start, periods=inst.days * 24, freq="60min")
    requirements = pd.DataFrame(
        [(t, q, 5.0) for q in QUEUES for t in grid],
        columns=["interval_start", "queue", "agents_scheduled"],
    )
    rows, shifts = [], []
    for day, hour, hours in inst.shifts:
        local = (ORIGIN + pd.Timedelta(days=day, hours=hour)).tz_localize(inst.tz)
        begin = local.tz_convert("UTC")
        shift_id = f"S|{local.isoformat()}|{hours:g}h"
        rows.append((shift_id, "S", begin, begin + pd.Timedelta(hours=hours), hours))
        offset = (begin - start).total_seconds()
        shifts.append(
            Shift(
                shift_id,
                offset,
                offset + hours * 3600,
                hours,
                local.date(),
                (local.date() - ORIGIN.date()).days,
                local.weekday(),
                int(offset // WEEK_SECONDS),
            )
        )
    frame = pd.DataFrame(rows, columns=["shift_id", "site", "start", "end", "paid_hours"])
    frame["start"], frame["end"] = utc_column(frame["start"]), utc_column(frame["end"])
    groups = None
    if inst.roster:
        agents = [
            Agent(f"p{k}", "S", p.skills, p.hours, p.off, recent=p.recent)
            for k, p in enumerate(inst.people)
        ]
        groups = skill_groups([site], options=options, agents=agents)
        if not classes:
            groups = tuple(dataclasses.replace(g, classes=()) for g in groups)
    model = build_model(requirements, frame, sites=[site], options=options, groups=groups)
    return model, shifts, start


def group_of(person: Person, inst: Instance) -> tuple[str, ...]:
    return tuple(sorted(person.skills)) if inst.roster else QUEUES


@st.composite
def instances(draw, most_agents: int = 3) -> Instance:
    days = draw(st.sampled_from([2, 8]))
    lengths = draw(st.sampled_from([(8.0,), (4.0, 8.0), (6.0, 10.0)]))
    # Day 0-2 for clashes; days 6-7 reach into the second week of an 8-day horizon.
    on = [d for d in (0, 1, 2, 6, 7) if d < days]
    slots = [(d, h, x) for d in on for h in (0, 1, 6, 9, 14, 18, 22) for x in lengths]
    shifts = draw(st.lists(st.sampled_from(slots), min_size=2, max_size=6, unique=True))
    roster = draw(st.booleans())
    n = draw(st.integers(1, most_agents))
    if roster:
        people = tuple(
            Person(
                skills=draw(st.sampled_from([("a",), ("b",), ("a", "b")])),
                hours=draw(st.sampled_from([4.0, 8.0, 12.0, 16.0, 40.0])),
                off=draw(st.sampled_from([(), (3,), (4,), (5,), (6,)])),
            )
            for _ in range(n)
        )
    else:
        people = (Person(QUEUES, draw(st.sampled_from([8.0, 16.0, 48.0]))),) * n
    return Instance(
        tz=draw(st.sampled_from(["UTC", "America/New_York"])),
        days=days,
        cyclic=draw(st.booleans()),
        max_days=draw(st.integers(1, 3)),
        rest_hours=draw(st.sampled_from([0.0, 8.0, 11.0, 14.0])),
        days_off=draw(st.sampled_from([0, 1, 2])),
        lengths=lengths,
        shifts=tuple(shifts),
        people=people,
        roster=roster,
    )


@settings(TINY, max_examples=120)
@given(instances())
def test_limit_rows_never_cut_off_a_real_schedule(inst: Instance) -> None:
    assert_rows_keep_every_schedule(inst)


@st.composite
def rolling_instances(draw) -> Instance:
    """Rostered, not cyclic, rolling weeks; each agent with days worked before.

    In UTC: a run without site spans counts its calendar weeks as 7 x 24 hours
    from the horizon start, which a clock change inside it shifts by an hour
    against the local days of the rolling windows (a multi-week plan's weeks
    start at local midnights); see the README's limits."""
    inst = draw(instances())
    past = st.dictionaries(st.integers(-6, -1), st.sampled_from([4.0, 8.0]), max_size=6)
    people = tuple(
        dataclasses.replace(p, recent=tuple(sorted(draw(past).items()))) for p in inst.people
    )
    return dataclasses.replace(
        inst, tz="UTC", cyclic=False, roster=True, rolling=True, people=people
    )


@settings(TINY, max_examples=80)
@given(rolling_instances())
def test_limit_rows_never_cut_off_a_real_rolling_schedule(inst: Instance) -> None:
    """The calendar rows and the lead-in rows (`SkillGroup.lead_in`) of rolling weeks
    keep every schedule that keeps every 7 days with the agents' days before."""
    assert_rows_keep_every_schedule(inst)


def assert_rows_keep_every_schedule(inst: Instance) -> None:
    model, shifts, _ = build(inst)
    names = {var.name: key for key, var in model.x.items()}
    columns = sorted(names)
    if not columns:  # no shift anyone could work: nothing to cut off
        return
    # Every row but the cover rows (their shortfall makes them hold for any x).
    rows = read_rows(
        model.problem, [c.name for c in model.problem.constraints() if "cover_" not in c.name]
    )
    assert {name for name in model.headcount} <= {row.name for row in rows}
    bounds = {v.name: (v.lowBound, v.upBound) for v in model.problem.variables()}

    # Each agent's workable weeks as shift counts, then every sum over the agents.
    reach = np.zeros((1, len(columns)), dtype=int)
    for person in inst.people:
        group = group_of(person, inst)
        patterns = []
        for size in range(len(shifts) + 1):
            for chosen in itertools.combinations(shifts, size):
                if not works(person, chosen, inst):
                    continue
                counts = np.zeros(len(columns), dtype=int)
                for s in chosen:
                    var = model.x.get((s.shift_id, group))
                    assert var is not None, f"no x for workable {s.shift_id} of {group}"
                    counts[columns.index(var.name)] += 1
                patterns.append(counts)
        reach = np.unique(
            (reach[:, None, :] + np.array(patterns)[None, :, :]).reshape(-1, len(columns)), axis=0
        )
    bad = violated(rows, columns, reach, bounds)
    if bad:
        name, k = bad[0]
        counts = {names[c]: int(n) for c, n in zip(columns, reach[k], strict=True) if n}
        pytest.fail(f"{name} cuts off a real schedule {counts} ({inst})")


def two_of_each_pass(inst: Instance, *, classes: bool) -> bool:
    """Whether two agents of group ("a",) on each of inst's shifts pass every row but cover."""
    model, shifts, _ = build(inst, classes=classes)
    columns = sorted(var.name for var in model.x.values())
    counts = np.zeros((1, len(columns)), dtype=int)
    for shift in shifts:
        counts[0, columns.index(model.x[(shift.shift_id, ("a",))].name)] = 2
    rows = read_rows(
        model.problem, [c.name for c in model.problem.constraints() if "cover_" not in c.name]
    )
    bounds = {v.name: (v.lowBound, v.upBound) for v in model.problem.variables()}
    return not violated(rows, columns, counts, bounds)


def pair(max_days: int, lengths, shifts, first: Person, second: Person) -> Instance:
    """One skill group ("a") of two agents in an 8-day UTC horizon, 11 h rest."""
    return Instance(
        tz="UTC",
        days=8,
        cyclic=False,
        max_days=max_days,
        rest_hours=11.0,
        days_off=0,
        lengths=lengths,
        shifts=shifts,
        people=(first, second),
        roster=True,
    )


# Unavailable days: p0 (40 h, off Sunday) and p1 (8 h, off Saturday). Two Thursday
# 8-hour and two Wednesday 4-hour shifts in one week need p1 on both days, 12
# hours. The group's rows (its 48 hours, its hull of shift mixes) let that
# through; the rows of each class of agents (`SkillGroup.classes`) do not.
OFF_DAYS = pair(
    2,
    (4.0, 8.0),
    ((0, 14, 8.0), (6, 6, 4.0)),
    Person(("a",), 40.0, (6,)),
    Person(("a",), 8.0, (5,)),
)
# Weekly hours: both available every day, p0 may work three 8-hour shifts a
# week, p1 (8 h) one. Two agents on Monday and two on Tuesday pass the group's
# rows (two a day, four shifts and 32 hours a week) but need p1 twice; the rows
# of each class of weekly hours (`SkillGroup.contract`) do not.
HOURS = pair(3, (8.0,), ((0, 9, 8.0), (1, 9, 8.0)), Person(("a",), 40.0), Person(("a",), 8.0))


@pytest.mark.parametrize("inst", [OFF_DAYS, HOURS], ids=["unavailable days", "weekly hours"])
def test_class_rows_cut_off_what_a_skill_groups_rows_let_through(inst: Instance) -> None:
    answers = {classes: two_of_each_pass(inst, classes=classes) for classes in (False, True)}
    shifts = build(inst)[1]
    assert answers == {False: True, True: False}
    # Two of each shift and one shift a day each: p1 would work both.
    assert not works(inst.people[1], shifts, inst)


@settings(TINY, max_examples=60)
@given(instances(most_agents=1))
def test_rest_rows_of_one_agent_forbid_exactly_the_pairs_without_rest(inst: Instance) -> None:
    # "One agent works at most one of the shifts whose span plus min_rest_hours
    # contains a given instant": with one agent the rows are the rest rule itself.
    model, shifts, _ = build(inst)
    group = group_of(inst.people[0], inst)
    rest_rows = read_rows(model.problem, [n for n in model.headcount if n.startswith("rest_")])
    usable = [s for s in shifts if (s.shift_id, group) in model.x]
    for size in range(len(usable) + 1):
        for chosen in itertools.combinations(usable, size):
            values = {model.x[(s.shift_id, group)].name: 1.0 for s in chosen}
            by_rows = all(row.holds(values) for row in rest_rows)
            assert by_rows == rests(chosen, inst), ([s.shift_id for s in chosen], inst)


@settings(TINY, max_examples=80)
@given(instances())
def test_rest_rows_on_running_sums_are_the_direct_rows(inst: Instance) -> None:
    """A very large programme writes its rest rows on running sums (`REST_SUMS_FROM`);
    with the sums solved from their own rows (restsum_ equalities read back from
    pulp), each rest row is the direct one, coefficient for coefficient."""
    direct, _, _ = build(inst)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits_module, "REST_SUMS_FROM", 0)
        summed, _, _ = build(inst)
    names = [n for n in direct.headcount if n.startswith("rest_")]
    assert [n for n in summed.headcount if n.startswith("rest_")] == names
    assert summed.large and not direct.large
    chain = read_rows(
        summed.problem, [c.name for c in summed.problem.constraints() if "restsum_" in c.name]
    )
    sums = sorted({v for row in chain for v in row.coefficients if v.startswith("s_")})
    shown = sorted({v for row in chain for v in row.coefficients} - set(sums))
    # chain: A_s s + A_x x = rhs, so s = A_s^-1 (rhs - A_x x).
    a_s = np.array([[row.coefficients.get(v, 0.0) for v in sums] for row in chain])
    a_x = np.array([[row.coefficients.get(v, 0.0) for v in shown] for row in chain])
    rhs = np.array([row.rhs for row in chain])
    assert len(chain) == len(sums)  # one row defines each sum
    wanted, written = read_rows(direct.problem, names), read_rows(summed.problem, names)
    for want, got in zip(wanted, written, strict=True):
        on_sums = np.array([got.coefficients.get(v, 0.0) for v in sums])
        on_x = {v: c for v, c in got.coefficients.items() if v not in sums}
        constant = 0.0
        if sums:
            through = np.linalg.solve(a_s.T, on_sums)  # row = on_sums . s + on_x . x
            constant = float(through @ rhs)
            for v, c in zip(shown, -(through @ a_x), strict=True):
                on_x[v] = on_x.get(v, 0.0) + float(c)
        on_x = {v: c for v, c in on_x.items() if abs(c) > EPS}
        assert got.sense == want.sense and got.rhs - constant == pytest.approx(want.rhs)
        assert on_x == pytest.approx(want.coefficients), (want.name, inst)


# -- weekly tours: the convex hull of each agent's weeks -----------------------------------


def tour_rows(
    lengths: Sequence[float], contracts: Sequence[float], max_days: int
) -> tuple[list[Row], list[str]]:
    """tour_constraints for one group with one shift of each length in one week."""
    site = Site(name="S", timezone="UTC", queues=("a",), shift_hours=tuple(lengths))
    options = ScheduleOptions(max_days_per_week=max_days, break_minutes=0)
    group = SkillGroup(
        site="S",
        queues=("a",),
        agents=len(contracts),
        hours=float(sum(min(h, max_days * max(lengths)) for h in contracts)),
        available=(len(contracts),) * 7,
        contracts=tuple(sorted(contracts)),
    )
    start = pd.Timestamp("2026-11-23", tz="UTC")
    problem = pulp.LpProblem("tours", pulp.LpMinimize)
    x, data, columns = {}, [], []
    for k, hours in enumerate(lengths):
        shift_id = f"S|day{k}|{hours:g}h"
        var = problem.add_variable(f"x_{k}", lowBound=0, cat=pulp.LpInteger)
        x[(shift_id, ("a",))] = var
        columns.append(var.name)
        local = start + pd.Timedelta(days=k, hours=9)
        data.append(ShiftData(k, shift_id, site, local, float(hours), {}, []))
    horizon = (start, start + pd.Timedelta(days=7))
    context = BuildContext(problem, Names(), x, data, {"S": [group]}, horizon, options)
    limits = tour_constraints(context)
    return read_rows(problem, limits), columns


def agents_weeks(
    lengths: Sequence[float], contracts: Sequence[float], max_days: int
) -> set[tuple[int, ...]]:
    """Every sum over the agents of (shifts of each length) one agent can work a week."""
    reach = {(0,) * len(lengths)}
    for hours in contracts:
        own = [
            c
            for c in itertools.product(range(max_days + 1), repeat=len(lengths))
            if sum(c) <= max_days
            and sum(n * x for n, x in zip(c, lengths, strict=True)) <= hours + EPS
        ]
        reach = {tuple(a + b for a, b in zip(r, c, strict=True)) for r in reach for c in own}
    return reach


TOUR_LENGTHS = [(8.0,), (4.0, 8.0), (8.0, 9.0), (6.0, 10.0), (4.0, 10.0), (4.0, 12.0)]
CONTRACTS = [(8.0,), (11.0,), (16.0,), (40.0,), (8.0, 8.0), (11.0, 11.0), (8.0, 40.0), (20.0, 40.0)]


@pytest.mark.parametrize(
    "lengths", TOUR_LENGTHS, ids=["-".join(f"{x:g}h" for x in ls) for ls in TOUR_LENGTHS]
)
def test_tour_rows_are_exactly_the_weekly_mixes_the_agents_can_work(lengths) -> None:
    wrong = []
    for contracts, max_days in itertools.product(CONTRACTS, (1, 2, 5)):
        rows, columns = tour_rows(lengths, contracts, max_days)
        possible = agents_weeks(lengths, contracts, max_days)
        top = max_days * len(contracts) + 1
        for counts in itertools.product(range(top + 1), repeat=len(lengths)):
            values = dict(zip(columns, map(float, counts), strict=True))
            if all(row.holds(values) for row in rows) != (counts in possible):
                wrong.append((contracts, max_days, counts, counts in possible))
                break
    assert not wrong, (
        "tours rows disagree with the agents' weeks (contracts, max_days, counts, "
        f"workable): {wrong[:4]}"
    )


# -- cover rows: Hall's condition ------------------------------------------------------------


def allocation_exists(groups: Sequence[tuple[str, ...]], supply, demand: dict[str, float]) -> bool:
    """Max-flow source -> groups (supply) -> their queues -> sink (demand), halves exact."""
    if not demand:
        return True
    queues = sorted(demand)
    n = 2 + len(groups) + len(queues)
    edges: list[tuple[int, int, int]] = []
    for g, (skills, amount) in enumerate(zip(groups, supply, strict=True)):
        edges.append((0, 1 + g, round(2 * amount)))
        edges.extend(
            (1 + g, 1 + len(groups) + queues.index(q), 10**6) for q in skills if q in demand
        )
    for j, q in enumerate(queues):
        edges.append((1 + len(groups) + j, n - 1, round(2 * demand[q])))
    tails, heads, caps = zip(*edges, strict=True)
    graph = csr_array((np.array(caps, dtype=np.int32), (tails, heads)), shape=(n, n))
    return maximum_flow(graph, 0, n - 1).flow_value == round(2 * sum(demand.values()))


def nonempty_subsets(items: Sequence) -> list[tuple]:
    return [c for k in range(1, len(items) + 1) for c in itertools.combinations(items, k)]


def hall_rows_hold(
    sets: Iterable[tuple[str, ...]],
    family: Sequence[tuple[str, ...]],
    wanted: Sequence[str],
    caps: np.ndarray,
    need: np.ndarray,
) -> np.ndarray:
    """(supply, demand) grid: does every set's row hold (its groups cover its demand)?"""
    ok = np.ones((len(caps), len(need)), dtype=bool)
    for queues in sets:
        supply = caps[:, [k for k, g in enumerate(family) if set(g) & set(queues)]]
        demand = need[:, [wanted.index(q) for q in queues]]
        ok &= supply.sum(axis=1)[:, None] >= demand.sum(axis=1)[None, :]
    return ok


def test_hall_sets_rows_imply_the_row_of_every_set_of_queues() -> None:
    # Every family of skill groups over three queues, supplies 0-2, demands 1-2.
    for family in nonempty_subsets(SKILL_SETS):
        served = sorted({q for g in family for q in g})
        caps = np.array(list(itertools.product(range(3), repeat=len(family))))
        for wanted in nonempty_subsets(served):
            pairs = hall_sets(list(wanted), list(family))
            for members, serving in pairs:
                assert set(serving) == {g for g in family if set(g) & set(members)}
            need = np.array(list(itertools.product((1, 2), repeat=len(wanted))))
            # Gale: a feasible allocation exists iff every set of queues' row holds.
            every = hall_rows_hold(nonempty_subsets(wanted), family, wanted, caps, need)
            rows = hall_rows_hold([m for m, _ in pairs], family, wanted, caps, need)
            assert (rows == every).all(), (family, wanted)


@settings(TINY, max_examples=40)
@given(
    family=st.lists(st.sampled_from(SKILL_SETS), min_size=1, max_size=4, unique=True),
    demand=st.tuples(*[st.integers(0, 2)] * 3).filter(any),
    seed=st.integers(0, 2**16),
)
def test_cover_rows_hold_exactly_when_the_agents_on_duty_can_serve_the_demand(
    family, demand, seed
) -> None:
    t0 = pd.Timestamp("2026-11-23 09:00Z")
    site = Site(name="S", timezone="UTC", queues=("a", "b", "c"), shift_hours=(1.0,))
    options = ScheduleOptions(break_minutes=0, cyclic=False)
    # A whole-interval shift and a half-interval one: supplies in halves of an agent.
    shifts = pd.DataFrame(
        {
            "shift_id": ["full", "half"],
            "site": "S",
            "start": utc_column(pd.Series([t0, t0 + pd.Timedelta(minutes=30)])),
            "end": utc_column(pd.Series([t0 + pd.Timedelta(hours=1)] * 2)),
            "paid_hours": [1.0, 0.5],
        }
    )
    need = dict(zip("abc", map(float, demand), strict=True))
    requirements = pd.DataFrame(
        [(t0, q, r) for q, r in need.items()],
        columns=["interval_start", "queue", "agents_scheduled"],
    )
    groups = [SkillGroup(site="S", queues=g) for g in family]
    model = build_model(requirements, shifts, sites=[site], options=options, groups=groups)
    cover = read_rows(model.problem, [row.name for row in model.cover.values()])
    on_duty = [g for g in family if ("full", g) in model.x and ("half", g) in model.x]
    assert len(on_duty) == sum(1 for g in family if any(need[q] for q in g))
    wanted = {q: r for q, r in need.items() if r > 0 and any(q in g for g in on_duty)}
    rng = np.random.default_rng(seed)
    for _ in range(30):
        full = rng.integers(0, 3, len(on_duty))
        half = rng.integers(0, 2, len(on_duty))
        values = {}
        for g, n_full, n_half in zip(on_duty, full, half, strict=True):
            values[model.x[("full", g)].name] = float(n_full)
            values[model.x[("half", g)].name] = float(n_half)
        by_rows = all(row.holds(values) for row in cover)  # no shortfall
        supply = full + 0.5 * half
        assert by_rows == allocation_exists(on_duty, supply, wanted), (values, wanted)


# -- breaks ----------------------------------------------------------------------------------


def worked(
    spans: Sequence[tuple[float, float]], n: int, interval_s: float, cyclic: bool
) -> np.ndarray:
    """Share of each of n grid intervals inside the spans (seconds from the grid start)."""
    out = np.zeros(n)
    period = n * interval_s
    for lo, hi in spans:
        for k in (-1, 0, 1) if cyclic else (0,):
            for i in range(n):
                a, b = i * interval_s + k * period, (i + 1) * interval_s + k * period
                out[i] += max(0.0, min(hi, b) - max(lo, a)) / interval_s
    return out


@settings(TINY, max_examples=30)
# Breaks at 09:30 and 09:45 of an 08:30 shift: the same intervals in other shares.
@example(start_minutes=30, hours=3.0, break_minutes=45, step=15, interval=60, cyclic=False)
# Past the horizon's end: wrapped round to its start, or cut off.
@example(start_minutes=300, hours=4.0, break_minutes=30, step=15, interval=30, cyclic=True)
@example(start_minutes=300, hours=4.0, break_minutes=30, step=15, interval=60, cyclic=False)
@given(
    start_minutes=st.sampled_from([0, 15, 30, 45, 90, 255, 300]),
    hours=st.sampled_from([2.0, 3.0, 4.0]),
    break_minutes=st.sampled_from([15, 30, 45]),
    step=st.sampled_from([15, 30, 60]),
    interval=st.sampled_from([30, 60]),
    cyclic=st.booleans(),
)
def test_implicit_breaks_cover_exactly_what_the_agents_work(
    start_minutes, hours, break_minutes, step, interval, cyclic
) -> None:
    origin = pd.Timestamp("2026-11-23 08:00Z")
    horizon_hours = 6
    site = Site(
        name="S", timezone="UTC", queues=("a",), shift_hours=(hours,), start_step_minutes=step
    )
    options = ScheduleOptions(
        interval_minutes=interval,
        break_minutes=break_minutes,
        break_after_hours=1.0,
        min_rest_hours=0.0,
        cyclic=cyclic,
    )
    begin = origin + pd.Timedelta(minutes=start_minutes)
    shifts = pd.DataFrame(
        {
            "shift_id": ["s"],
            "site": "S",
            "start": utc_column(pd.Series([begin])),
            "end": utc_column(pd.Series([begin + pd.Timedelta(hours=hours)])),
            "paid_hours": [hours],
        }
    )
    grid = pd.date_range(origin, periods=horizon_hours * 60 // interval, freq=f"{interval}min")
    requirements = pd.DataFrame({"interval_start": grid, "queue": "a", "agents_scheduled": 5.0})
    model = build_model(requirements, shifts, sites=[site], options=options)
    x = model.x[("s", ("a",))]
    starts = list(model.break_choices["break_start"])
    assert starts, "every shift this long has a break"
    (classes,) = model.break_rule_classes["s"]  # the single-rule shorthand: rule 0 only
    assert sorted(t for c in classes for t in c) == sorted(starts)
    cover = {t: row for (_, t), row in model.cover.items()}
    cover_rows = {t: read_rows(model.problem, [row.name])[0] for t, row in cover.items()}
    break_rows = read_rows(
        model.problem, [c.name for c in model.problem.constraints() if "breaks_" in c.name]
    )
    seconds = interval * 60.0
    length = pd.Timedelta(minutes=break_minutes)

    def true_cover(pauses: Sequence[pd.Timestamp]) -> np.ndarray:
        total = np.zeros(len(grid))
        for pause in pauses:
            spans = [(begin, pause), (pause + length, begin + pd.Timedelta(hours=hours))]
            secs = [((a - origin).total_seconds(), (b - origin).total_seconds()) for a, b in spans]
            total += worked(secs, len(grid), seconds, cyclic)
        return total

    for n in range(4):
        for picks in itertools.combinations_with_replacement(starts, n):
            values = {x.name: float(n)}
            if len(classes) > 1:
                for members in classes:
                    w = model.breaks[("s", ("a",), members[0])]
                    values[w.name] = float(sum(p in members for p in picks))
            assert all(row.holds(values) for row in break_rows)
            truth = true_cover(picks)
            for i, t in enumerate(grid):
                capacity = cover_rows[t].lhs(values) if t in cover_rows else 0.0
                assert capacity == pytest.approx(truth[i], abs=1e-9), (picks, t)
            # break_plan turns the (x, w) back into agents per break start.
            for var in model.problem.variables():
                var.varValue = values.get(var.name, 0.0)
            plan = break_plan(model)
            assert plan["agents"].sum() == n
            pauses = [
                p
                for p, k in zip(plan["break_start"], plan["agents"], strict=True)
                for _ in range(int(k))
            ]
            assert true_cover(pauses) == pytest.approx(truth, abs=1e-9)


def test_break_offsets_are_the_grid_starts_in_the_middle_third() -> None:
    for length, brk, grid in itertools.product(
        range(15, 721, 15), (0, 10, 15, 20, 30, 45, 60), (15, 20, 30, 60)
    ):
        got = break_offsets(length, break_minutes=brk, grid_minutes=grid)
        if brk == 0:
            assert got == ()
            continue
        # Thirds in exact arithmetic: 3 * offset >= length, 3 * (offset + brk) <= 2 * length.
        grid_starts = [k * grid for k in range(length // grid + 1)]
        inside = [o for o in grid_starts if 3 * o >= length and 3 * (o + brk) <= 2 * length]
        if inside:
            assert got == tuple(map(float, inside)), (length, brk, grid)
            continue
        fits = [o for o in grid_starts if o > 0 and o + brk <= length]
        if fits:
            best = min(fits, key=lambda o: (abs(2 * o + brk - length), o))
            assert got == (float(best),), (length, brk, grid)
        else:
            assert got == (max((length - brk) / 2, 0.0),), (length, brk, grid)


def test_round_breaks_is_the_closest_split_with_ties_to_earlier_starts() -> None:
    for size in (1, 2, 3):
        for weights in itertools.product(range(4), repeat=size):
            for count in range(6):
                total = sum(weights)
                shares = [
                    Fraction(w * count, total) if total else Fraction(count, size) for w in weights
                ]
                splits = [
                    s for s in itertools.product(range(count + 1), repeat=size) if sum(s) == count
                ]
                # Least squared error; among equals, the earliest starts get more.
                best = min(
                    splits,
                    key=lambda s: (
                        sum((n - q) ** 2 for n, q in zip(s, shares, strict=True)),
                        tuple(-n for n in s),
                    ),
                )
                assert round_breaks(list(map(float, weights)), count) == list(best), (
                    weights,
                    count,
                )
                assert all(
                    math.floor(q) <= n <= math.ceil(q) for n, q in zip(best, shares, strict=True)
                )
