"""The shift-scheduling benchmarks: published optima and MSD designs against brute force.

Every test runs the real solver. The published optima come from
../shared/data/shift_scheduling_reference; the MSD toys from
../shared/data/shift_design_msd. Brute force here shares no code with the
benchmarks: it enumerates designs and scores them on the raw demand.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.errors import InfeasibleError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import shift_design as design
import shift_reference as reference

Shift = tuple[int, int]


# -- published optima --------------------------------------------------------------


def test_ctu_reproduces_published_optimum_55(shared_data: Path) -> None:
    outcome = reference.solve_ctu()
    assert outcome.recomputed == 55
    assert outcome.objective == pytest.approx(55)
    assert outcome.bound == pytest.approx(55)
    assert outcome.matched


def test_pyworkforce_min_abs_difference_reproduces_157(shared_data: Path) -> None:
    outcome = reference.solve_pyworkforce(reference.MIN_ABS_DIFFERENCE)
    assert outcome.recomputed == 157
    assert outcome.bound == pytest.approx(157)
    assert outcome.matched


def test_pyworkforce_min_required_resources_reproduces_113(shared_data: Path) -> None:
    outcome = reference.solve_pyworkforce(reference.MIN_REQUIRED_RESOURCES)
    assert outcome.recomputed == 113
    assert outcome.bound == pytest.approx(113)
    assert outcome.matched


def test_pyworkforce_caps_are_enforced_when_they_bind(shared_data: Path) -> None:
    # The published caps (25 per shift, 27 on duty) do not bind; tighter ones must,
    # and the raw-instance check raises if the solution breaks them.
    instance = copy.deepcopy(reference.load_instance(reference.PYWORKFORCE))
    instance["max_shift_concurrency"] = 12
    instance["max_period_concurrency"] = 18
    outcome = reference.solve_pyworkforce(reference.MIN_ABS_DIFFERENCE, instance=instance)
    assert max(outcome.counts.values()) <= 12
    assert outcome.recomputed > 157
    assert outcome.bound == pytest.approx(outcome.recomputed)
    assert not outcome.matched


def test_pyworkforce_day_is_read_from_five_so_every_shift_is_one_run(shared_data: Path) -> None:
    coverage = reference.load_instance(reference.PYWORKFORCE)["shifts_coverage"]
    assert reference.contiguous_rotation(coverage) == 5
    with pytest.raises(ValueError, match="rotation"):
        reference.contiguous_rotation({"split": [1, 0, 1, 0, 1, 0]})


def test_ctu_check_rejects_an_uncovered_hour(shared_data: Path) -> None:
    instance = reference.load_instance(reference.CTU)
    # The optimal solution quoted in the instance (starts at hours 0..23) covers it ...
    quoted = re.search(r"x=\[([\d,\s]+)\]", instance["verified_by_helper"])
    assert quoted is not None
    starts = [int(n) for n in quoted.group(1).split(",")]
    counts = {hour: n for hour, n in enumerate(starts) if n}
    assert reference.ctu_objective(instance, counts) == 55
    # ... and one shift fewer leaves some hour short.
    counts[9] -= 1
    with pytest.raises(ValueError, match="not covered"):
        reference.ctu_objective(instance, counts)


# -- MSD: brute force ------------------------------------------------------------


def on_duty(inst: design.MsdInstance, counts: dict[tuple[int, Shift], int]) -> list[int]:
    slots = len(inst.demand)
    cover = [0] * slots
    for (day, (start, length)), n in counts.items():
        for k in range(length):
            cover[(day * inst.slots_per_day + start + k) % slots] += n
    return cover


def candidate_shifts(inst: design.MsdInstance) -> list[Shift]:
    return sorted(
        {
            (start, length)
            for t in range(len(inst.min_start))
            for start in range(inst.min_start[t], inst.max_start[t] + 1)
            for length in range(inst.min_length[t], inst.max_length[t] + 1)
        }
    )


def brute_force_msd(inst: design.MsdInstance) -> float:
    """Least msd objective (duties weight 0) over every design, by enumeration.

    Each (day, shift) gets 0..(max demand over its span) people: one more is pure
    excess and never pays.
    """
    assert inst.weight_duties == 0
    pairs = [(day, shift) for day in range(inst.days) for shift in candidate_shifts(inst)]
    ranges = []
    for day, (start, length) in pairs:
        span = [
            inst.demand[(day * inst.slots_per_day + start + k) % len(inst.demand)]
            for k in range(length)
        ]
        ranges.append(range(max(span) + 1))
    best = math.inf
    for combo in itertools.product(*ranges):
        counts = {pair: n for pair, n in zip(pairs, combo, strict=True) if n}
        cover = on_duty(inst, counts)
        excess = sum(max(c - d, 0) for c, d in zip(cover, inst.demand, strict=True))
        short = sum(max(d - c, 0) for c, d in zip(cover, inst.demand, strict=True))
        shifts = len({shift for _, shift in counts})
        cost = (
            inst.interval_minutes * (inst.weight_over * excess + inst.weight_under * short)
            + inst.weight_shift * shifts
        )
        best = min(best, cost)
    return best


def brute_force_bounded(inst: design.MsdInstance, *, below: float = math.inf) -> float:
    """Least `bounded` objective below `below` (inf if none), by depth-first search.

    Demand is covered in every slot and average duties <= maxDuties; the cost is
    weightOverCover x excess minutes + weightShiftInstances x (day, shift) pairs.
    While a slot is short, some person of any covering design works a shift
    covering the first short slot; once covered, only shifts longer than
    avgMinutes / maxDuties can lift a failing average. Adding a person never
    lowers the excess or the pairs, so a partial cost at or above the best
    prunes. Called with `below` just over a claimed optimum, it proves that no
    cheaper design exists and finds one at the claim.
    """
    pairs = [(day, shift) for day in range(inst.days) for shift in candidate_shifts(inst)]
    slots = len(inst.demand)
    covers = [
        {(day * inst.slots_per_day + start + k) % slots for k in range(length)}
        for day, (start, length) in pairs
    ]
    minutes = inst.interval_minutes
    long_enough = [
        i
        for i, (_, (_, length)) in enumerate(pairs)
        if length * minutes * inst.max_duties > inst.avg_minutes
    ]
    best = below
    seen: set[tuple[int, ...]] = set()

    def search(counts: list[int]) -> None:
        nonlocal best
        key = tuple(counts)
        if key in seen:
            return
        seen.add(key)
        cover = [0] * slots
        for i, n in enumerate(counts):
            for t in covers[i]:
                cover[t] += n
        excess = sum(max(c - d, 0) for c, d in zip(cover, inst.demand, strict=True))
        cost = inst.weight_over * minutes * excess + inst.weight_shift * sum(1 for n in counts if n)
        if cost >= best:
            return
        short = next((t for t in range(slots) if cover[t] < inst.demand[t]), None)
        if short is None:
            duties = sum(counts)
            worked = sum(n * len(covers[i]) * minutes for i, n in enumerate(counts))
            if duties * inst.avg_minutes <= inst.max_duties * worked + 1e-9:
                best = cost
                return
            options: Sequence[int] = long_enough
        else:
            options = [i for i in range(len(pairs)) if short in covers[i]]
        for i in options:
            counts[i] += 1
            search(counts)
            counts[i] -= 1

    search([0] * len(pairs))
    return best if best < below else math.inf


def least_bounded(inst: design.MsdInstance) -> float:
    """The exact least `bounded` objective: search under a cap that doubles until it finds one.

    Raises:
        AssertionError: nothing found under a cap of 10^6.
    """
    cap = 256.0
    while cap <= 1e6:
        best = brute_force_bounded(inst, below=cap)
        if math.isfinite(best):
            return best
        cap *= 2
    raise AssertionError(f"{inst.name}: no design under {cap:g}")


@pytest.mark.parametrize(("name", "expected"), [("toy1", 716), ("toy2", 723), ("toy3", 480)])
def test_msd_toys_equal_brute_force(shared_data: Path, name: str, expected: float) -> None:
    inst = design.parse_dzn(design.DATA / f"{name}.dzn")
    outcome = design.solve_instance(inst)
    assert outcome.variant == design.BOUNDED
    assert outcome.result.stopped_by == "optimal"
    assert least_bounded(inst) == expected
    assert outcome.objective == pytest.approx(expected)
    assert outcome.lp_bound <= outcome.objective + 1e-6


def test_msd_toy1_hand_checked(shared_data: Path) -> None:
    # toy1, by hand. One cyclic day of 180-minute slots 0-7, demand 1 1 4 3 5 4 2 3;
    # type A starts at 2, type B at 4-7, both 2-4 slots long; every slot covered,
    # cost 179 per shift used + 1 per excess person-minute (180 per person-slot).
    # - 4 shifts, no excess (716): 1 x (2, 3 slots) = slots 2-4, 2 x (2, 4) = 2-5,
    #   2 x (4, 4) = 4-7, 1 x (7, 4) = 7, 0, 1, 2 give 1 1 4 3 5 4 2 3 exactly;
    #   average duties 6 x 2400 / (23 x 180) = 3.48 <= maxDuties 4.
    # - 3 shifts: with no excess, on-duty falls only where a shift ends, and demand
    #   falls at slots 0, 3, 5 and 6: four end times need four shifts. So at least
    #   one person-slot over: 3 x 179 + 180 = 717 > 716.
    # - 2 shifts: only (2, 4) + (6, 4) reach all eight slots; covering them needs 5
    #   and 3 people and 7 person-slots over: 2 x 179 + 7 x 180 > 716. 1 shift
    #   cannot reach all slots.
    inst = design.parse_dzn(design.DATA / "toy1.dzn")
    assert inst.demand == (1, 1, 4, 3, 5, 4, 2, 3)
    outcome = design.solve_instance(inst)
    assert outcome.evaluation.excess_minutes == 0
    assert outcome.evaluation.pairs_used == 4
    assert outcome.objective == 4 * 179
    hand = {(0, (2, 3)): 1, (0, (2, 4)): 2, (0, (4, 4)): 2, (0, (7, 4)): 1}
    assert on_duty(inst, hand) == list(inst.demand)


def test_msd_parse_reads_every_field(shared_data: Path) -> None:
    inst = design.parse_dzn(design.DATA / "toy3.dzn")
    assert inst.interval_minutes == 180
    assert inst.days == 1
    assert inst.slots_per_day == 8
    assert inst.min_start == (2, 4)
    assert inst.max_start == (2, 7)
    assert inst.max_duties == 3.4
    assert inst.weight_under == 0
    assert inst.weight_shift == 100
    assert len(inst.shifts()) == 3 + 4 * 3


def test_msd_random_example1_is_zero_deviation_optimum(shared_data: Path) -> None:
    # DataSet1 comes from a zero-deviation seed design (SOURCE.md).
    inst = design.parse_dzn(design.DATA / "DataSet1" / "RandomExample1.dzn")
    outcome = design.solve_instance(inst, time_limit_seconds=60)
    assert outcome.variant == design.MSD
    assert outcome.result.stopped_by == "optimal"
    assert outcome.evaluation.excess_minutes == outcome.evaluation.shortage_minutes == 0
    assert outcome.objective == 60 * outcome.evaluation.shifts_used == 480
    assert outcome.lp_bound <= outcome.objective


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "optimum"),
    [
        ("RandomExample1", 480),
        ("RandomExample2", 300),
        ("RandomExample3", 600),
        ("RandomExample4", 450),
        ("RandomExample5", 480),
    ],
)
def test_msd_dataset1_solved_to_optimality(shared_data: Path, name: str, optimum: float) -> None:
    # Optima proven by HiGHS (gap 0) when this test was written; RandomExample2
    # and 4 take about 10 s each.
    inst = design.parse_dzn(design.DATA / "DataSet1" / f"{name}.dzn")
    outcome = design.solve_instance(inst, time_limit_seconds=120)
    assert outcome.result.stopped_by == "optimal"
    assert outcome.objective == optimum
    assert outcome.lp_bound <= outcome.objective + 1e-6


# -- MSD: random tiny instances ----------------------------------------------------


@st.composite
def tiny_instances(draw: st.DrawFn) -> design.MsdInstance:
    interval = draw(st.sampled_from([240, 360]))
    per_day = 1440 // interval
    days = draw(st.integers(1, 2))
    demand = tuple(
        draw(st.lists(st.integers(0, 2), min_size=days * per_day, max_size=days * per_day))
    )
    types = draw(st.integers(1, 2))
    min_start, max_start, min_length, max_length = [], [], [], []
    for _ in range(types):
        first = draw(st.integers(0, per_day - 1))
        min_start.append(first)
        max_start.append(min(first + draw(st.integers(0, 1)), per_day - 1))
        shortest = draw(st.integers(1, 2))
        min_length.append(shortest)
        max_length.append(shortest + draw(st.integers(0, 1)))
    variant_weights = draw(st.sampled_from([(1.0, 1.0), (1.0, 3.0), (2.0, 1.0)]))
    inst = design.MsdInstance(
        name="tiny",
        interval_minutes=interval,
        days=days,
        demand=demand,
        min_start=tuple(min_start),
        max_start=tuple(max_start),
        min_length=tuple(min_length),
        max_length=tuple(max_length),
        min_duties=0.0,
        max_duties=draw(st.sampled_from([3.0, 5.0, 8.0])),
        avg_minutes=2400.0,
        weight_under=variant_weights[1],
        weight_over=variant_weights[0],
        weight_duties=0.0,
        weight_shift=draw(st.sampled_from([0.0, 100.0, float(interval), 1000.0])),
    )
    # Keep brute force small: at most 8 (day, shift) pairs.
    if days * len(inst.shifts()) > 8:
        inst = dataclasses.replace(inst, days=1, demand=demand[:per_day])
    return inst


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_msd_programme_equals_brute_force_and_lp_bound_is_below(inst: design.MsdInstance) -> None:
    outcome = design.solve_instance(inst, variant=design.MSD, time_limit_seconds=30)
    best = brute_force_msd(inst)
    assert outcome.result.stopped_by == "optimal"
    assert outcome.objective == pytest.approx(best)
    assert outcome.lp_bound <= best + 1e-6
    assert outcome.mip_bound <= best + 1e-6


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_msd_bounded_programme_equals_brute_force(inst: design.MsdInstance) -> None:
    try:
        outcome = design.solve_instance(inst, variant=design.BOUNDED, time_limit_seconds=30)
    except (ValueError, InfeasibleError):
        # Infeasible: no design under a cap far above any covering design.
        cap = 10 * (inst.interval_minutes * sum(inst.demand) * inst.weight_over + 1000 * 8)
        assert math.isinf(brute_force_bounded(inst, below=cap))
        return
    assert outcome.result.stopped_by == "optimal"
    # A design at the claimed optimum exists, and none below it (exhaustive under the cap).
    assert brute_force_bounded(inst, below=outcome.objective + 0.5) == pytest.approx(
        outcome.objective
    )
    assert outcome.lp_bound <= outcome.objective + 1e-6
