"""Minimum shift design (MSD) instances solved with wfm's shift programme.

Run: python benchmarks/shift_design.py [--quick] [--time-limit 60] [--variant auto]
                                        [--only NAME ...]

Data: ../shared/data/shift_design_msd (SOURCE.md there): 15 of the DBAI TU Wien
random instances (Musliu, Schaerf & Slany 2004, "Local search for shift design",
EJOR 153(1); Di Gaspero, Gärtner, Kortsarz, Musliu, Schaerf & Slany 2007, "The
minimum shift design problem", Annals of OR 155:79-105), 5 "_mod" variants and 3
toys, in the MiniZinc form of GitHub Stieguu/Bounded-Minimum-Shift-Design-
Constraint-Programming.

An instance gives a cyclic demand per slot (`interval` minutes, `days` days from
Monday 00:00) and shift types: a start slot in [minStart, maxStart] and a length
in [minLength, maxLength] slots. A *shift* is one (start, length); a design picks
shifts and, per day, how many people work each. Two objectives:

- `msd`, the benchmark's (DBAI page, quoted in SOURCE.md), with the instance's
  weights: weightOverCover x excess + weightUnderCover x shortage (person-minutes)
  + weightShiftInstances x distinct shifts used + weightDutiesPerWeek x the
  distance of the average duties per week from [minDuties, maxDuties]. The
  average is duties x avgMinutes / minutes worked (people = minutes /
  avgMinutes). That ratio is not linear, so the programme leaves the duties term
  out: its bounds are bounds of the whole objective (the term is >= 0), and its
  design is scored with the term. When that design's distance is positive and
  the weight too (1000 in RandomExample1/3/4/5; 0 in DataSet2 and DataSet3), a
  second solve keeps the range as two hard rows (distance 0), and the better of
  the two designs is kept; the bounds stay those of the first solve.
- `bounded`, the converter's (its main_milp.py): demand covered in every slot
  (hard), average duties <= maxDuties (hard), minimise weightOverCover x excess
  (person-minutes) + weightShiftInstances x (day, shift) pairs used.

`--variant auto` (the default) uses `msd`, except for instances with
weightUnderCover = 0 (the toys): there shortage would be free and the empty
design optimal under `msd`, so they get the converter's `bounded` objective they
were written for. On the toys (one day) distinct shifts and (day, shift) pairs
are the same count.

The model is `scheduling.shifts.model.build_model` on a one-site, round-the-clock,
cyclic horizon of `days` days, with every candidate (day, shift) passed in as
the shift frame, breaks off and no paid cost; the library's surplus and
shortfall penalties, per agent-hour, are 60 x weightOverCover and 60 x
weightUnderCover, so that its objective is the deviation in person-minutes.
Slots of 180 minutes (the toys) go on a 60-minute grid (the library's longest),
each slot's demand repeated, which counts the same minutes. The library has no
term for "shifts used", no hard cover and no duties rows, so they are added to
the built problem: a binary y per shift (per (day, shift) for `bounded`) with
x <= (x's upper bound) y, weightShiftInstances x sum y in the objective, the
shortfall variables fixed at 0 for `bounded`, and `duties_max` / `duties_min`
rows. The x upper bounds are the library's (max demand over the shift's span
+ 1: past that, people are pure excess); with duties rows, long shifts get room
for the extra people that only lift the average (`_add_extra_people`). Rows
`rise_{t}` / `fall_{t}` (`_add_boundary_rows`) tighten the LP relaxation.

Solved by `scheduling.solver.solve_problem` (HiGHS, one thread): first the LP
relaxation (every variable continuous), then the integer programme with a time
limit. The objective printed is recomputed from the chosen counts and the raw
instance, without the library, and must equal the solver's.

Best-known values: SOURCE.md did not obtain the published table, so there are
none to print; it notes that the DBAI Set 1 instances come from a zero-deviation
seed design, so a design with zero excess and shortage exists there. The
"zero dev" column says whether ours has it.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pulp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.columns import (  # noqa: E402  # noqa: E402
    AGENTS_SCHEDULED,
    END,
    INTERVAL_START,
    PAID_HOURS,
    QUEUE,
    SHIFT_ID,
    SITE,
    START,
)
from scheduling.shifts.model import ShiftModel, build_model  # noqa: E402
from scheduling.shifts.options import ScheduleOptions  # noqa: E402
from scheduling.shifts.sites import Site  # noqa: E402
from scheduling.solver import SolveResult, solve_problem  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "shift_design_msd" / "instances"
TOYS = ("toy1", "toy2", "toy3")
MSD = "msd"
BOUNDED = "bounded"
AUTO = "auto"
GRID_START = pd.Timestamp("2024-01-01 00:00", tz="UTC")  # a Monday
QUEUE_NAME = "demand"
SITE_NAME = "msd"
GRID_CHOICES = (60, 30, 15)  # the library's interval lengths, minutes
TOLERANCE = 1e-6

Shift = tuple[int, int]  # (start slot within the day, length in slots)


@dataclass(frozen=True)
class MsdInstance:
    """One MSD instance, as in its .dzn file (slots of `interval_minutes`)."""

    name: str
    interval_minutes: int
    days: int
    demand: tuple[int, ...]
    min_start: tuple[int, ...]
    max_start: tuple[int, ...]
    min_length: tuple[int, ...]
    max_length: tuple[int, ...]
    min_duties: float
    max_duties: float
    avg_minutes: float
    weight_under: float
    weight_over: float
    weight_duties: float
    weight_shift: float

    @property
    def slots_per_day(self) -> int:
        return 1440 // self.interval_minutes

    def shifts(self) -> list[Shift]:
        """Every distinct (start, length) that some shift type allows, sorted."""
        found = {
            (start, length)
            for lo_s, hi_s, lo_l, hi_l in zip(
                self.min_start, self.max_start, self.min_length, self.max_length, strict=True
            )
            for start in range(lo_s, hi_s + 1)
            for length in range(lo_l, hi_l + 1)
        }
        return sorted(found)


def parse_dzn(path: Path) -> MsdInstance:
    """Read an MSD .dzn file (`name = value;` statements).

    Raises:
        ValueError: a field is missing, or the demand has the wrong length.
    """
    text = re.sub(r"%[^\n]*", "", path.read_text())
    fields: dict[str, str] = {
        key: value.strip()
        for key, value in re.findall(r"(\w+)\s*=\s*(.*?);", text, flags=re.DOTALL)
    }

    def number(key: str) -> float:
        if key not in fields:
            raise ValueError(f"{path.name}: field {key!r} is missing")
        return float(fields[key])

    def integers(key: str) -> tuple[int, ...]:
        if key not in fields:
            raise ValueError(f"{path.name}: field {key!r} is missing")
        return tuple(int(v) for v in fields[key].strip("[] \n").split(",") if v.strip())

    instance = MsdInstance(
        name=path.stem,
        interval_minutes=int(number("interval")),
        days=int(number("days")),
        demand=integers("demand"),
        min_start=integers("minStart"),
        max_start=integers("maxStart"),
        min_length=integers("minLength"),
        max_length=integers("maxLength"),
        min_duties=number("minDuties"),
        max_duties=number("maxDuties"),
        avg_minutes=number("avgMinutes"),
        weight_under=number("weightUnderCover"),
        weight_over=number("weightOverCover"),
        weight_duties=number("weightDutiesPerWeek"),
        weight_shift=number("weightShiftInstances"),
    )
    expected = instance.days * instance.slots_per_day
    if 1440 % instance.interval_minutes or len(instance.demand) != expected:
        raise ValueError(
            f"{path.name}: demand has {len(instance.demand)} slots, expected "
            f"days x 1440 / interval = {expected}"
        )
    return instance


def instance_paths(*, quick: bool = False) -> list[Path]:
    """The toys, then DataSet1-3 in name order (toys only with `quick`)."""
    toys = [DATA / f"{name}.dzn" for name in TOYS]
    if quick:
        return toys
    return toys + sorted(DATA.glob("DataSet*/*.dzn"), key=lambda p: (p.parent.name, _order(p)))


def _order(path: Path) -> tuple[int, str]:
    digits = re.search(r"\d+", path.stem)
    return (int(digits.group()) if digits else 0, path.stem)


def resolve_variant(instance: MsdInstance, variant: str) -> str:
    """`auto` -> `bounded` when shortage is free (weightUnderCover = 0), else `msd`."""
    if variant not in (AUTO, MSD, BOUNDED):
        raise ValueError(f"variant must be {AUTO}, {MSD} or {BOUNDED}, got {variant!r}")
    if variant == AUTO:
        return BOUNDED if instance.weight_under == 0 else MSD
    return variant


# -- the design, evaluated without the library -------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """A design scored on the raw instance.

    Attributes:
        objective: the variant's objective.
        excess_minutes: person-minutes over demand.
        shortage_minutes: person-minutes under demand.
        shifts_used: distinct (start, length) with anyone on some day.
        pairs_used: (day, shift) pairs with anyone.
        duties: people-shifts in the cycle.
        average_duties: duties x avgMinutes / minutes worked (0 for no duties).
        duties_distance: distance of average_duties from [minDuties, maxDuties].
    """

    objective: float
    excess_minutes: float
    shortage_minutes: float
    shifts_used: int
    pairs_used: int
    duties: int
    average_duties: float
    duties_distance: float


def evaluate(
    instance: MsdInstance, counts: dict[tuple[int, Shift], int], variant: str
) -> Evaluation:
    """Score a design: counts[(day, (start, length))] = people, cyclic over the days.

    Raises:
        ValueError: (`bounded`) a slot is short or the average duties is above
            maxDuties.
    """
    variant = resolve_variant(instance, variant)
    slots = len(instance.demand)
    on_duty = [0] * slots
    for (day, (start, length)), n in counts.items():
        first = day * instance.slots_per_day + start
        for k in range(length):
            on_duty[(first + k) % slots] += n
    minutes = instance.interval_minutes
    excess = sum(max(n - d, 0) for n, d in zip(on_duty, instance.demand, strict=True)) * minutes
    short = sum(max(d - n, 0) for n, d in zip(on_duty, instance.demand, strict=True)) * minutes
    used = {(day, shift) for (day, shift), n in counts.items() if n > 0}
    duties = sum(n for n in counts.values() if n > 0)
    worked = sum(n * length * minutes for (_, (_, length)), n in counts.items() if n > 0)
    average = duties * instance.avg_minutes / worked if worked else 0.0
    distance = max(0.0, instance.min_duties - average, average - instance.max_duties)
    if not duties:
        distance = 0.0
    shifts_used = len({shift for _, shift in used})
    if variant == BOUNDED:
        if short:
            raise ValueError(f"{instance.name}: {short:g} person-minutes short under {BOUNDED}")
        if average > instance.max_duties + 1e-9:
            raise ValueError(
                f"{instance.name}: average duties {average:.4f} above {instance.max_duties:g}"
            )
        objective = instance.weight_over * excess + instance.weight_shift * len(used)
    else:
        objective = (
            instance.weight_over * excess
            + instance.weight_under * short
            + instance.weight_shift * shifts_used
            + instance.weight_duties * distance
        )
    return Evaluation(
        objective=objective,
        excess_minutes=float(excess),
        shortage_minutes=float(short),
        shifts_used=shifts_used,
        pairs_used=len(used),
        duties=duties,
        average_duties=average,
        duties_distance=distance,
    )


# -- the integer programme ---------------------------------------------------------


@dataclass
class DesignModel:
    """The library's shift programme plus the design terms (module docstring).

    Attributes:
        instance: the instance.
        variant: "msd" or "bounded".
        model: the built library model (its problem carries the additions).
        shift_of: shift_id -> (day, (start, length)).
        used: the y binaries, keyed by shift (msd) or (day, shift) (bounded).
        duty_rows: whether the duties range is kept as hard rows.
        extra: people on long shifts the library left out, keyed by shift_id
            (only with duty rows; see `_add_extra_people`).
    """

    instance: MsdInstance
    variant: str
    model: ShiftModel
    shift_of: dict[str, tuple[int, Shift]]
    used: dict[object, pulp.LpVariable]
    duty_rows: bool
    extra: dict[str, pulp.LpVariable] = field(default_factory=dict)

    def people(self) -> dict[str, pulp.LpVariable]:
        """Every people-per-(day, shift) variable, keyed by shift_id."""
        found = {shift_id: x for (shift_id, _), x in self.model.x.items()}
        return found | self.extra

    @property
    def problem(self) -> pulp.LpProblem:
        return self.model.problem


def grid_minutes(interval_minutes: int) -> int:
    """The longest library interval (60, 30, 15 minutes) that divides a slot."""
    for minutes in GRID_CHOICES:
        if interval_minutes % minutes == 0:
            return minutes
    raise ValueError(f"slot of {interval_minutes} minutes is not a multiple of 15")


def build_design_model(
    instance: MsdInstance, *, variant: str = AUTO, duty_rows: bool | None = None
) -> DesignModel:
    """The instance as `scheduling.shifts.model.build_model` plus the design terms.

    Args:
        instance: the instance.
        variant: "auto", "msd" or "bounded" (module docstring).
        duty_rows: keep the duties range as hard rows: average duties <=
            maxDuties, and under `msd` also >= minDuties. None: only for
            `bounded`, whose definition has the upper row.
    """
    variant = resolve_variant(instance, variant)
    if duty_rows is None:
        duty_rows = variant == BOUNDED
    minutes = grid_minutes(instance.interval_minutes)
    repeat = instance.interval_minutes // minutes
    demand = [float(d) for d in instance.demand for _ in range(repeat)]
    requirements = pd.DataFrame(
        {
            INTERVAL_START: pd.date_range(GRID_START, periods=len(demand), freq=f"{minutes}min"),
            QUEUE: QUEUE_NAME,
            AGENTS_SCHEDULED: demand,
        }
    )
    shifts = instance.shifts()
    slot = pd.Timedelta(minutes=instance.interval_minutes)
    rows, shift_of = [], {}
    for day in range(instance.days):
        for start, length in shifts:
            begin = GRID_START + (day * instance.slots_per_day + start) * slot
            shift_id = f"d{day}|s{start}|l{length}"
            shift_of[shift_id] = (day, (start, length))
            rows.append(
                {
                    SHIFT_ID: shift_id,
                    SITE: SITE_NAME,
                    START: begin,
                    END: begin + length * slot,
                    PAID_HOURS: length * instance.interval_minutes / 60,
                }
            )
    hours = sorted({length * instance.interval_minutes / 60 for _, length in shifts})
    site = Site(
        name=SITE_NAME,
        timezone="UTC",
        open_minutes=0,
        close_minutes=1440,
        days=tuple(range(7)),
        queues=(QUEUE_NAME,),
        shift_hours=tuple(hours),
        start_step_minutes=minutes,
        cost_per_hour=0.0,
    )
    options = ScheduleOptions(
        interval_minutes=minutes,
        shortfall_penalty=60.0 * instance.weight_under if variant == MSD else 0.0,
        surplus_penalty=60.0 * instance.weight_over,
        cyclic=True,
        break_minutes=0,
        min_rest_hours=0.0,
        max_days_per_week=7,
    )
    model = build_model(requirements, pd.DataFrame(rows), sites=[site], options=options)
    design = DesignModel(instance, variant, model, shift_of, {}, duty_rows)
    _add_design_terms(design)
    return design


def _add_design_terms(design: DesignModel) -> None:
    instance, model, problem = design.instance, design.model, design.model.problem
    if design.variant == BOUNDED:
        for var in model.shortfall.values():
            if var.lowBound:  # no candidate shift covers this slot
                raise ValueError(f"{instance.name}: a slot with demand has no shift covering it")
            var.upBound = 0.0
    if design.duty_rows:
        _add_extra_people(design)
    for shift_id, x in design.people().items():
        day, shift = design.shift_of[shift_id]
        key: object = shift if design.variant == MSD else (day, shift)
        if key not in design.used:
            start, length = shift
            label = (
                f"d{day}_s{start}_l{length}" if design.variant == BOUNDED else f"s{start}_l{length}"
            )
            design.used[key] = problem.add_variable(
                f"used_{label}", lowBound=0, upBound=1, cat=pulp.LpInteger
            )
        if x.upBound is None:
            raise ValueError(f"{instance.name}: shift {shift_id} has no upper bound to link to")
        problem += (
            x - x.upBound * design.used[key] <= 0,
            f"link_{shift_id.replace('|', '_')}",
        )
    objective = problem.objective + instance.weight_shift * pulp.lpSum(design.used.values())
    problem.setObjective(objective)
    _add_boundary_rows(design)
    duties_terms = [
        (x, design.shift_of[shift_id][1][1] * instance.interval_minutes)
        for shift_id, x in design.people().items()
    ]
    # duties x avgMinutes <= maxDuties x minutes worked, and >= minDuties x minutes.
    if design.duty_rows:
        problem += (
            pulp.lpSum(
                x * (instance.avg_minutes - instance.max_duties * m) for x, m in duties_terms
            )
            <= 0,
            "duties_max",
        )
    if design.duty_rows and design.variant == MSD:
        problem += (
            pulp.lpSum(
                x * (instance.min_duties * m - instance.avg_minutes) for x, m in duties_terms
            )
            <= 0,
            "duties_min",
        )


def _add_extra_people(design: DesignModel) -> None:
    """Room for people who only lift the average shift length (the duties_max row).

    The library bounds x[s] by (max demand over the shift's span) + 1 and leaves
    out shifts over zero demand: past that, people are pure excess, which its
    objective never buys. Under duties_max they may be worth buying: a long
    shift (length x maxDuties > avgMinutes) lifts the average. People beyond
    the library's bound are such extras, and an optimum buys the fewest that
    mend the average: at most k = ceil(D x (avgMinutes - maxDuties x shortest)
    / min over long shifts of (maxDuties x length - avgMinutes)), D the sum of
    the library's bounds. So long shifts get k more room, and long shifts left
    out get a variable of their own, priced as pure excess.
    """
    instance, model = design.instance, design.model
    minutes = instance.interval_minutes
    lengths = {shift_id: shift[1] * minutes for shift_id, (_, shift) in design.shift_of.items()}
    lift = {s: instance.max_duties * m - instance.avg_minutes for s, m in lengths.items()}
    long = {s for s, gain in lift.items() if gain > 1e-9}
    deficit = instance.avg_minutes - instance.max_duties * min(lengths.values())
    if not long or deficit <= 0:
        return
    if any(x.upBound is None for x in model.x.values()):
        raise ValueError(f"{instance.name}: a shift has no upper bound to reason from")
    duties = sum(x.upBound for x in model.x.values())
    room = math.ceil(duties * deficit / min(lift[s] for s in long) - 1e-9)
    present = {shift_id: x for (shift_id, _), x in model.x.items()}
    for shift_id in sorted(long):
        if shift_id in present:
            present[shift_id].upBound += room
            continue
        var = model.problem.add_variable(
            f"extra_{shift_id.replace('|', '_')}", lowBound=0, upBound=room, cat=pulp.LpInteger
        )
        design.extra[shift_id] = var
        # Pure excess in every slot it spans: weightOverCover per person-minute.
        model.problem.objective += instance.weight_over * lengths[shift_id] * var


def _add_boundary_rows(design: DesignModel) -> None:
    """rise_{t} / fall_{t}: where demand steps, a shift starts (ends) there or people deviate.

    If demand rises by D from slot g-1 to g and no used shift starts at g, the
    agents on duty cannot rise, so short[g] + excess[g-1] >= D; hence
    short[g] + excess[g-1] + D x (sum of y over shifts starting at g) >= D.
    Falls likewise with shifts ending at g, short[g-1] and excess[g]. Every
    design satisfies them; they cut fractional y, which the linking rows alone
    allow so cheaply (a y of 1/upper pays for a whole shift) that the LP bound
    is weak.
    """
    instance, model, problem = design.instance, design.model, design.model.problem
    repeat = instance.interval_minutes // model.options.interval_minutes
    per_day, total = instance.slots_per_day, len(instance.demand)
    ids = design.people()
    capacity: dict[int, list[tuple[pulp.LpVariable, float]]] = {}
    for shift_id, interval, share in model.coverage.itertuples(index=False):
        if shift_id in ids:
            capacity.setdefault(int(interval), []).append((ids[shift_id], share))
    need = {
        t: r
        for t, r in zip(model.required[INTERVAL_START], model.required["required"], strict=True)
    }

    def short(i: int) -> list[tuple[pulp.LpVariable, float]]:
        var = model.shortfall.get((QUEUE_NAME, model.intervals[i]))
        return [] if var is None else [(var, 1.0)]

    def excess(i: int) -> pulp.LpAffineExpression:
        # on duty - required + short >= 0: the agents over the requirement.
        expr = pulp.LpAffineExpression(capacity.get(i, []) + short(i))
        expr.constant = -float(need[model.intervals[i]])
        return expr

    # y of the (day, shift) pairs with people variables, by global start and end slot.
    starts_at: dict[int, dict[str, pulp.LpVariable]] = {}
    ends_at: dict[int, dict[str, pulp.LpVariable]] = {}
    for shift_id in ids:
        day, (start, length) = design.shift_of[shift_id]
        y = design.used[(start, length) if design.variant == MSD else (day, (start, length))]
        begin = day * per_day + start
        starts_at.setdefault(begin, {})[y.name] = y
        ends_at.setdefault((begin + length) % total, {})[y.name] = y
    for g in range(total):
        before, now = instance.demand[g - 1], instance.demand[g]
        if now == before:
            continue
        first, last = g * repeat, (g * repeat - 1) % (total * repeat)
        stamp = f"{model.intervals[first]:%Y%m%dT%H%M}"
        step = abs(now - before)
        if now > before:
            expr = pulp.LpAffineExpression(short(first)) + excess(last)
            expr += step * pulp.lpSum(starts_at.get(g, {}).values())
            problem += (expr >= step, f"rise_{stamp}")
        else:
            expr = pulp.LpAffineExpression(short(last)) + excess(first)
            expr += step * pulp.lpSum(ends_at.get(g, {}).values())
            problem += (expr >= step, f"fall_{stamp}")


def design_counts(design: DesignModel) -> dict[tuple[int, Shift], int]:
    """People per (day, shift) in the solved model."""
    counts = {}
    for shift_id, x in design.people().items():
        if x.varValue is None:
            raise ValueError("the model has not been solved")
        n = round(x.varValue)
        if n > 0:
            counts[design.shift_of[shift_id]] = n
    return counts


def solve_relaxation(
    problem: pulp.LpProblem, *, solver: str = "highs", time_limit_seconds: float = 60.0
) -> SolveResult:
    """Solve the LP relaxation of `problem` (every variable continuous), then restore it."""
    kinds = {var.name: var.cat for var in problem.variables()}
    try:
        for var in problem.variables():
            var.cat = pulp.LpContinuous
        return solve_problem(problem, solver=solver, time_limit_seconds=time_limit_seconds, gap=0.0)
    finally:
        for var in problem.variables():
            var.cat = kinds[var.name]


@dataclass(frozen=True)
class DesignOutcome:
    """One instance solved: bounds, the solves and the raw-instance score.

    Attributes:
        name: instance name.
        variant: "msd" or "bounded".
        lp_bound: LP relaxation bound of the whole objective.
        result: the solve whose bound is reported (without duty rows under msd).
        evaluation: the best design's score on the raw instance.
        seconds: build, LP and MIP time of every solve, seconds.
        counts: the best design, people per (day, (start, length)).
        solves: MIP solves run (2 when the duties range needed its own solve).
        same_as: name of an earlier instance with the same problem, or None.
    """

    name: str
    variant: str
    lp_bound: float
    result: SolveResult
    evaluation: Evaluation
    seconds: float
    counts: dict[tuple[int, Shift], int]
    solves: int = 1
    same_as: str | None = None

    @property
    def objective(self) -> float:
        return self.evaluation.objective

    @property
    def mip_bound(self) -> float:
        """The solver's bound, never below the LP bound."""
        bound = self.result.bound
        return self.lp_bound if bound is None else max(bound, self.lp_bound)

    @property
    def gap(self) -> float:
        """(objective - best bound) / objective, 0-1."""
        if self.objective <= TOLERANCE:
            return 0.0
        return max(self.objective - self.mip_bound, 0.0) / self.objective


def _solve_design(
    design: DesignModel, *, solver: str, time_limit_seconds: float, gap: float
) -> tuple[SolveResult, SolveResult, dict[tuple[int, Shift], int], Evaluation]:
    relaxed = solve_relaxation(design.problem, solver=solver, time_limit_seconds=time_limit_seconds)
    result = solve_problem(
        design.problem, solver=solver, time_limit_seconds=time_limit_seconds, gap=gap
    )
    counts = design_counts(design)
    evaluation = evaluate(design.instance, counts, design.variant)
    # The programme leaves the duties term out under msd (its rows keep it at 0),
    # and a solve stopped early may pay for a y whose shift nobody works.
    working = {shift if design.variant == MSD else (day, shift) for day, shift in counts}
    idle = sum(
        1 for key, y in design.used.items() if (y.varValue or 0) > 0.5 and key not in working
    )
    modelled = evaluation.objective + design.instance.weight_shift * idle
    if design.variant == MSD:
        modelled -= design.instance.weight_duties * evaluation.duties_distance
    if abs(modelled - result.objective) > 1e-6 * max(1.0, abs(result.objective)):
        raise RuntimeError(
            f"{design.instance.name}: solver objective {result.objective:.6f} but the design "
            f"scores {modelled:.6f} on the raw instance ({idle} idle shifts paid for)"
        )
    return relaxed, result, counts, evaluation


def solve_instance(
    instance: MsdInstance,
    *,
    variant: str = AUTO,
    solver: str = "highs",
    time_limit_seconds: float = 60.0,
    gap: float = 0.0,
) -> DesignOutcome:
    """Build, relax, solve and score one instance (module docstring).

    Args:
        instance: the instance.
        variant: "auto", "msd" or "bounded".
        solver: "highs" or "cbc".
        time_limit_seconds: limit of each LP and MIP solve, seconds.
        gap: relative gap at which the MIP may stop, 0-1.

    Raises:
        RuntimeError: the solver's objective differs from the raw-instance score.
    """
    began = time.perf_counter()
    design = build_design_model(instance, variant=variant)
    relaxed, result, counts, evaluation = _solve_design(
        design, solver=solver, time_limit_seconds=time_limit_seconds, gap=gap
    )
    solves = 1
    if design.variant == MSD and instance.weight_duties > 0 and evaluation.duties_distance > 0:
        ranged = build_design_model(instance, variant=MSD, duty_rows=True)
        _, _, ranged_counts, ranged_evaluation = _solve_design(
            ranged, solver=solver, time_limit_seconds=time_limit_seconds, gap=gap
        )
        solves = 2
        if ranged_evaluation.objective < evaluation.objective:
            counts, evaluation = ranged_counts, ranged_evaluation
    return DesignOutcome(
        name=instance.name,
        variant=design.variant,
        lp_bound=relaxed.objective,
        result=result,
        evaluation=evaluation,
        seconds=time.perf_counter() - began,
        counts=counts,
        solves=solves,
    )


def problem_key(instance: MsdInstance, variant: str) -> tuple:
    """What the variant's problem depends on: equal keys, equal problems."""
    variant = resolve_variant(instance, variant)
    duties: tuple = (instance.max_duties, instance.avg_minutes)
    if variant == MSD:
        duties = (
            (instance.weight_duties, instance.min_duties, *duties) if instance.weight_duties else ()
        )
    weights = (instance.weight_over, instance.weight_shift)
    if variant == MSD:
        weights += (instance.weight_under,)
    return (
        variant,
        instance.interval_minutes,
        instance.days,
        instance.demand,
        tuple(instance.shifts()),
        weights,
        duties,
    )


def format_table(outcomes: Sequence[DesignOutcome]) -> str:
    """A plain-text table of the outcomes.

    Columns: objective (the variant's, recomputed on the raw instance), excess and
    shortage (person-minutes), shifts (distinct shifts for msd, (day, shift)
    pairs for bounded), zero dev (no excess and no shortage), LP and MIP bounds,
    gap, why the MIP stopped, seconds, and the best-known value (none in SOURCE.md).
    """
    header = (
        "instance",
        "variant",
        "objective",
        "excess",
        "short",
        "shifts",
        "zero dev",
        "LP bound",
        "MIP bound",
        "gap",
        "stop",
        "seconds",
        "best known",
    )
    rows = [header]
    for o in outcomes:
        e = o.evaluation
        rows.append(
            (
                o.name,
                o.variant,
                f"{o.objective:g}",
                f"{e.excess_minutes:g}",
                f"{e.shortage_minutes:g}",
                str(e.shifts_used if o.variant == MSD else e.pairs_used),
                "yes" if e.excess_minutes == e.shortage_minutes == 0 else "no",
                f"{o.lp_bound:.1f}",
                f"{o.mip_bound:.1f}",
                f"{o.gap:.1%}",
                o.result.stopped_by,
                f"= {o.same_as}" if o.same_as else f"{o.seconds:.1f}",
                "n/a",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(rows[0]), line(["-" * w for w in widths]), *map(line, rows[1:])])


def run(
    paths: Sequence[Path],
    *,
    variant: str = AUTO,
    solver: str = "highs",
    time_limit_seconds: float = 60.0,
    progress: bool = False,
) -> list[DesignOutcome]:
    """Solve the instances one after the other; a repeated problem is not solved again."""
    outcomes: list[DesignOutcome] = []
    seen: dict[tuple, DesignOutcome] = {}
    for path in paths:
        instance = parse_dzn(path)
        key = problem_key(instance, variant)
        if key in seen:
            first = seen[key]
            outcome = replace(first, name=instance.name, seconds=0.0, same_as=first.name)
        else:
            outcome = solve_instance(
                instance, variant=variant, solver=solver, time_limit_seconds=time_limit_seconds
            )
            seen[key] = outcome
        outcomes.append(outcome)
        if progress:
            print(
                f"{outcome.name}: {outcome.objective:g} (bound {outcome.mip_bound:.1f}, "
                f"{outcome.result.stopped_by}, {outcome.seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the three toy instances only")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per LP and per MIP solve"
    )
    parser.add_argument("--variant", choices=(AUTO, MSD, BOUNDED), default=AUTO)
    parser.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="instance names to run")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"data folder {DATA} not found", file=sys.stderr)
        return 2
    paths = instance_paths(quick=args.quick)
    if args.only:
        paths = [p for p in paths if p.stem in set(args.only)]
    began = time.perf_counter()
    outcomes = run(
        paths,
        variant=args.variant,
        solver=args.solver,
        time_limit_seconds=args.time_limit,
        progress=True,
    )
    print(format_table(outcomes))
    print(f"\n{len(outcomes)} instances in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
